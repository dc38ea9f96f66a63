"""Flush-to-zero for subnormal floats while tfgraph's kernels run, as TF's CPU kernels do.

TF sets FTZ (flush results to zero) and DAZ (treat subnormal inputs as zero) in every
compute thread, so subnormal float32/float64 values never appear in its results; they
are also 10x slower in OpenBLAS and several times slower in numpy's ufuncs.
`enter()` / `exit(token)` bracket one plan run (not each op): on entry the calling
thread's MXCSR gets FTZ|DAZ and OpenBLAS is told to run BLAS calls in the calling
thread (`openblas_set_num_threads_local(1)`), because OpenBLAS's worker threads were
created before and keep their own (non-flushing) mode; on exit both are restored, so
code outside tfgraph's kernels keeps its floating-point mode. MXCSR is per thread. The
OpenBLAS count is not (numpy's OpenBLAS keeps one count for the process, whatever the
function's name says), so it is held at 1 while any run is active (a count of active
runs under a lock) and restored when the last one ends: concurrent runs never see
another run's restore. tfgraph splits big products over its own threads instead
(platform/parallel.py).

Where this is unavailable (not x86-64, no glibc `fegetenv`/`fesetenv`, or a BLAS other
than OpenBLAS >= 0.3.27), the parts that cannot be done are skipped: without the MXCSR
part subnormals are computed as numpy computes them (no crash, no flushing); without
the OpenBLAS part multi-threaded BLAS keeps its threads (BLAS results may then keep
subnormals in the rows worker threads computed). `MODE` says what is active.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import mmap
import os
import platform
import sys
import threading

_FTZ = 0x8000  # MXCSR flush-to-zero
_DAZ = 0x0040  # MXCSR denormals-are-zero
_FLAGS = _FTZ | _DAZ


class _Fenv(ctypes.Structure):
    # glibc x86-64 fenv_t: the x87 environment (28 bytes), then the SSE control word.
    _fields_ = [("x87", ctypes.c_uint8 * 28), ("mxcsr", ctypes.c_uint32)]


def _libm():
    # glibc's soname first: ctypes.util.find_library runs ldconfig in a subprocess (5 ms of
    # `import tfgraph`)
    try:
        return ctypes.CDLL("libm.so.6")
    except OSError:
        return ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")


def _load_fenv():
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    try:
        libm = _libm()
        get, put = libm.fegetenv, libm.fesetenv
    except (OSError, AttributeError):
        return None
    get.argtypes = put.argtypes = [ctypes.POINTER(_Fenv)]
    get.restype = put.restype = ctypes.c_int
    env = _Fenv()
    if get(ctypes.byref(env)) != 0 or put(ctypes.byref(env)) != 0:
        return None
    return get, put


def _load_openblas_local():
    """`openblas_set_num_threads_local` of the OpenBLAS numpy loaded (Linux only)."""
    import numpy  # noqa: F401 - loads numpy's BLAS

    try:
        with open("/proc/self/maps") as f:
            paths = {
                line.split(None, 5)[-1].strip()
                for line in f
                if "openblas" in line.lower() and ".so" in line
            }
    except OSError:
        return None
    for path in sorted(paths):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_int]
        fn.restype = ctypes.c_int
        return fn
    return None


def _load_mxcsr_code():
    """Two leaf functions in executable memory: `swap()` sets FTZ|DAZ and returns the
    previous MXCSR; `put(m)` loads MXCSR = m. One cheap foreign call each (x86-64 SysV)."""
    if platform.machine().lower() not in ("x86_64", "amd64") or sys.platform != "linux":
        return None
    code = bytes.fromhex(
        "0fae5c24fc"
        "8b4424fc"
        "89c1"
        "81c9" + _FLAGS.to_bytes(4, "little").hex() + "894c24f8"
        "0fae5424f8"
        "c3"  # stmxcsr; eax = old; ldmxcsr old|FLAGS; ret
        "897c24fc"
        "0fae5424fc"
        "c3"  # ldmxcsr edi; ret
    )
    split = code.index(b"\xc3") + 1
    try:
        buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except (OSError, ValueError, AttributeError):
        return None
    buf.write(code)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    swap = ctypes.CFUNCTYPE(ctypes.c_uint32)(addr)
    put = ctypes.CFUNCTYPE(None, ctypes.c_uint32)(addr + split)
    return buf, swap, put


_fenv = _load_fenv()
_code = _load_mxcsr_code() if _fenv is not None else None
_blas_local = _load_openblas_local()
MODE = ("ftz+daz" if _fenv else "none") + (", openblas-local-threads" if _blas_local else "")


_blas_lock = threading.Lock()
_blas_users = 0
_blas_saved = 1


def _blas_hold() -> None:
    """OpenBLAS single-threaded while any tfgraph run is active."""
    global _blas_users, _blas_saved
    with _blas_lock:
        if _blas_users == 0 and _blas_local is not None:
            _blas_saved = _blas_local(1)
        _blas_users += 1


def _blas_release(_token=None) -> None:
    global _blas_users
    with _blas_lock:
        _blas_users -= 1
        if _blas_users == 0 and _blas_local is not None:
            _blas_local(_blas_saved)
    if _restart_pending and not _blas_users:  # (a fork during the run: see below)
        _restart_numpy_threads()


def _make():
    byref = ctypes.byref
    set_local = (lambda n: _blas_hold()) if _blas_local else (lambda n: n)
    if _code is not None:
        _, swap, put_mxcsr = _code
        if _blas_local is None:
            return swap, put_mxcsr

        def enter():
            return (swap(), set_local(1))

        def exit(token) -> None:
            put_mxcsr(token[0])
            _blas_release()

        return enter, exit
    if _fenv is None:
        if _blas_local is None:

            def enter():
                return None

            def exit(token) -> None:
                return None

            return enter, exit

        def enter():
            return (None, set_local(1))

        def exit(token) -> None:
            _blas_release()

        return enter, exit
    get, put = _fenv

    def enter():
        saved = _Fenv()
        get(byref(saved))
        mxcsr = saved.mxcsr
        if mxcsr & _FLAGS == _FLAGS:
            return (None, set_local(1))
        flushed = _Fenv.from_buffer_copy(saved)
        flushed.mxcsr = mxcsr | _FLAGS
        put(byref(flushed))
        return (saved, set_local(1))

    def exit(token) -> None:
        saved, _ = token
        if saved is not None:
            put(byref(saved))
        if _blas_local is not None:
            _blas_release()

    return enter, exit


enter, exit = _make()

# Op types whose kernels call BLAS/LAPACK (matched as substrings of the op type). A plan
# without them skips the OpenBLAS thread-count calls (they cost more than the MXCSR ones).
_BLAS_OP_PARTS = (
    *("MatMul", "Conv", "Einsum", "Tensordot", "BiasAddGrad", "L2Loss", "Matrix"),
    *("Cholesky", "Qr", "Svd", "Eig", "Lstsq", "Determinant", "Lu"),
)


def _mxcsr_only():
    if _code is not None:
        return _code[1], _code[2]
    if _fenv is None:
        return (lambda: None), (lambda token: None)
    get, put = _fenv

    def enter_fenv():
        saved = _Fenv()
        get(ctypes.byref(saved))
        flushed = _Fenv.from_buffer_copy(saved)
        flushed.mxcsr = saved.mxcsr | _FLAGS
        put(ctypes.byref(flushed))
        return saved

    return enter_fenv, lambda saved: put(ctypes.byref(saved))


_enter_nb, _exit_nb = _mxcsr_only()


# -- numpy's OpenBLAS threads after a fork ----------------------------------------------
# OpenBLAS stops its worker threads before a fork (in both processes) and starts them
# again on its next multi-threaded product, from the thread making it; they keep that
# thread's floating-point mode for good. A run holding numpy's BLAS on its thread (`enter`)
# starts none, but one setting only FTZ|DAZ (`fp_hooks`, plans without BLAS op types)
# could, if a kernel there calls numpy's BLAS (tensordot, ...): numpy's workers would then
# flush subnormals for the rest of the process, outside tfgraph too. So after a fork
# tfgraph starts them itself, with FTZ|DAZ as the thread importing tfgraph had them (as
# numpy's threads had them from numpy's import, unless the program changed its mode in
# between): at once, or, while a run holds numpy's BLAS to one thread (then nothing can
# start them), when the last such run ends.
_restart_pending = False
_restart_lock = threading.Lock()


def _set_mxcsr(value: int) -> None:
    if _code is not None:
        _code[2](value)
    elif _fenv is not None:
        env = _Fenv()
        _fenv[0](ctypes.byref(env))
        env.mxcsr = value
        _fenv[1](ctypes.byref(env))


def _restart_numpy_threads() -> None:
    global _restart_pending
    import numpy as np

    with _restart_lock:
        if _blas_users:
            _restart_pending = True
            return
        before = mxcsr()
        if before is None:
            return
        _set_mxcsr((before & ~_FLAGS) | _FLAGS_AT_IMPORT)
        try:
            square = np.ones((256, 256), np.float32)
            np.dot(square, square)  # (big enough for OpenBLAS's threads: they start now)
        finally:
            _set_mxcsr(before)
        _restart_pending = False


def _after_fork_in_child() -> None:
    global _restart_lock
    _restart_lock = threading.Lock()  # (a thread gone with the fork may have held it)
    _restart_numpy_threads()


@contextlib.contextmanager
def numpy_blas_in_caller():
    """A block in which numpy's OpenBLAS runs every product in its calling thread, as
    inside a run; yields whether it could (False: no OpenBLAS thread control)."""
    if _blas_local is None:
        yield False
        return
    _blas_hold()
    try:
        yield True
    finally:
        _blas_release()


def numpy_blas_held() -> bool:
    """Whether numpy's OpenBLAS runs every product in its calling thread now: a run that
    calls BLAS is active (its `run_hooks` hold the count at 1 for the whole process)."""
    return _blas_users > 0 and _blas_local is not None


def fp_hooks() -> tuple:
    """(enter, exit) setting and restoring only FTZ|DAZ (no OpenBLAS calls)."""
    return _enter_nb, _exit_nb


def run_hooks(op_types) -> tuple:
    """(enter, exit) for a plan running ops of `op_types`: FTZ|DAZ always, the OpenBLAS
    per-thread count only when one of the ops calls BLAS."""
    if any(part in t for t in op_types for part in _BLAS_OP_PARTS):
        return enter, exit
    return _enter_nb, _exit_nb


def mxcsr() -> int | None:
    """The calling thread's MXCSR (None where it cannot be read)."""
    if _fenv is None:
        return None
    env = _Fenv()
    _fenv[0](ctypes.byref(env))
    return env.mxcsr


_FLAGS_AT_IMPORT = (mxcsr() or 0) & _FLAGS

if _blas_local is not None and _fenv is not None and hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_parent=_restart_numpy_threads, after_in_child=_after_fork_in_child)
