"""Matrix products on a private OpenBLAS whose threads all flush subnormals, as TF's do.

numpy's OpenBLAS created its worker threads when numpy was imported, with the caller's
floating-point mode of that moment; a worker keeps that mode for good, so a product
split over numpy's threads would treat subnormal inputs as numbers in the rows the
workers compute (TF treats them as zero: FTZ|DAZ in every compute thread). tfgraph
therefore keeps numpy's BLAS on the calling thread (platform/denormal.py) and, for
products big enough to share, loads its own copy of OpenBLAS (the `scipy-openblas32`
wheel, a separate library from numpy's, which nothing else in the process calls) with
FTZ|DAZ set in the loading thread: Linux threads start with their creator's MXCSR, so
every worker of this copy flushes subnormals, and the caller flushes while a run is
active. Code outside tfgraph never reaches these threads, so its floating-point mode is
untouched. The copy is loaded on the first big product and checked then: a product of
subnormals split over its threads must be exactly zero, or the copy is not used.

Measured (2 cores, AVX-512, quiet): an LSTM's 32 x 256 @ 256 x 512 product 76 -> 58 us,
a 128 x 784 @ 784 x 256 layer 362 -> 237 us, against numpy's BLAS on one thread.

The library takes the kernels OpenBLAS picks for this CPU, or those TFGRAPH_BLAS_CORETYPE
names; OPENBLAS_CORETYPE, which pins numpy's OpenBLAS, does not reach it (TF's kernels
ignore it too). A machine that pins numpy to AVX2 kernels (OPENBLAS_CORETYPE=Haswell) on
an AVX-512 CPU that runs AVX-512 at full width (AMD Zen 5) would otherwise halve
tfgraph's products: single precision on one thread, Haswell -> SkylakeX kernels, 6272 x
800 @ 800 x 64 35 -> 66 GMAC/s, 128 x 784 @ 784 x 256 49 -> 87, 32 x 256 @ 256 x 512
40 -> 54, 1024 x 1024 @ 1024 x 1024 51 -> 99.

Unavailable (no wheel, another platform, no MXCSR control, a failed check):
`matmul` returns None and callers use numpy.

Every product big enough to share is cut into pieces by its shape and the thread count
only (`pieces`), and each piece is computed by one thread: all pieces at once on the
library's threads (its batched product, `cblas_sgemm_batch`), or one after another in
the calling thread when the machine is busy (platform/parallel.py chooses by timing).
OpenBLAS rounds a whole product differently when it splits it over its threads, so
without the pieces a product's bits would depend on which way a call took; with them,
the same product gives the same bits every run, as TF's does.

A product with enough rows is cut between rows, on multiples of the kernel's row
period (`_row_period`, 12 with the Haswell kernels: found at load), where a cut
changes no bit: its one-thread way is then the whole product, at numpy's speed (a
128 x 784 @ 784 x 256 layer 578 us, against 828 us in two pieces one after another),
through numpy's BLAS inside a run where numpy's kernels give the same bits. Cuts between
columns always change bits; products cut so (an LSTM's few rows) keep their pieces: cut
between rows instead (12 + 20 of 32), an LSTM's products measured as fast in isolation
but its training step 5-10% slower.
"""

from __future__ import annotations

import ctypes
import glob
import importlib.util
import itertools
import os
import statistics
import threading
import time

import numpy as np

from tfgraph.platform import denormal

__all__ = ["DTYPES", "available", "core_name", "matmul"]

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_enter, _exit = denormal.fp_hooks()

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# A worker that finished its part spins for 2**this TSC cycles (~1.6 ms here) waiting for
# more before it sleeps (OpenBLAS's default, 2**28, is ~0.1 s). A worker that slept
# wakes ~50-80 us late; one that spins takes a core from tfgraph's own kernel threads.
# Measured (quiet): the tutorial MLP's step 1.98 / 1.76 / 1.73 ms with 2**20 / 2**22 /
# 2**28, the MNIST convnet's (batch 128: fully connected products here, convolutions on
# tfgraph's threads) 93.6 / 89-91 / 118-128 ms (93-96 ms without this library).
_SPIN_LOG2_CYCLES = 22

_lock = threading.Lock()
_loaded = False
_gemm: dict = {}


def _library_path() -> str | None:
    spec = importlib.util.find_spec("scipy_openblas32")  # (found, not imported)
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        found = sorted(glob.glob(os.path.join(root, "lib", "libscipy_openblas*.so")))
        if found:
            return found[0]
    return None


def _threads() -> int:
    from tfgraph.platform import parallel

    return parallel.num_threads()


def _load() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        try:
            _gemm.update(_open())
        finally:
            _loaded = True


def _open() -> dict:
    threads = _threads()
    path = _library_path()
    if os.environ.get("TFGRAPH_PRIVATE_BLAS", "1") == "0":
        return {}
    if threads < 2 or path is None or denormal.mxcsr() is None:
        return {}
    enter, exit_ = denormal.fp_hooks()
    token = enter()  # (the library's threads start now and inherit FTZ|DAZ)
    # (the library reads these when it loads; a None removes one for that moment)
    settings = {
        "OPENBLAS_THREAD_TIMEOUT": str(_SPIN_LOG2_CYCLES),
        "OPENBLAS_CORETYPE": os.environ.get("TFGRAPH_BLAS_CORETYPE") or None,
    }
    saved = {name: os.environ.get(name) for name in settings}
    _set_environ(settings)
    try:
        lib = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
        lib.scipy_openblas_set_num_threads(threads)
        corename = lib.scipy_openblas_get_corename
        corename.restype = ctypes.c_char_p
        global _core_name
        _core_name = corename().decode()
        gemm = {}
        for dtype, name, scalar in (
            (np.dtype(np.float32), "scipy_cblas_sgemm_batch", ctypes.c_float),
            (np.dtype(np.float64), "scipy_cblas_dgemm_batch", ctypes.c_double),
        ):
            fn = getattr(lib, name)  # (an OpenBLAS without it, before 0.3.28: not used)
            # (no argtypes: every argument is a C int or a ctypes array, passed as a
            # pointer; converting 16 arguments by argtypes cost ~2 us a call)
            fn.restype = None
            gemm[dtype] = (fn, scalar)
        if not _flushes(gemm):
            return {}
        global _numpy_whole
        _find_row_period(gemm)
        _calls.clear()  # (made with the cuts of before)
        if not _same_bits_both_ways(gemm):
            return {}
        _numpy_whole = _row_period is not None and _numpy_same_bits(gemm)
        global _few_rows_shared
        _few_rows_shared = _shares_few_rows(gemm)
        return gemm
    except (OSError, AttributeError):
        return {}
    finally:
        _set_environ(saved)
        exit_(token)


def _set_environ(values: dict) -> None:
    """Sets environment variables; a None value removes one."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _flushes(gemm) -> bool:
    """Subnormal inputs give exact zeros in every row, those of worker threads included."""
    tiny = np.full((512, 64), 1e-39, np.float32)
    ones = np.ones((64, 512), np.float32)
    out = np.empty((512, 512), np.float32)
    _call(gemm[tiny.dtype], tiny, ones, out, True, _threads())
    return not out.any()


def _same_bits_both_ways(gemm) -> bool:
    """The batched pieces on the library's threads give the bits of the one-thread way
    (the same pieces one after another in this thread, or the whole product: see
    `_row_period`), so timing never changes a result."""
    rng = np.random.default_rng(0)
    a, b = _operands(rng, 128, 300, 256, np.float32)
    c, _ = _operands(rng, 16, 300, 1, np.float32)  # (16 rows: cut by columns)
    for x, y in ((a, b), (c, b)):
        shared, alone = np.empty((2, x.shape[0], y.shape[1]), np.float32)
        _call(gemm[x.dtype], x, y, shared, True, _threads())
        _call(gemm[x.dtype], x, y, alone, False, _threads())
        if not np.array_equal(shared, alone):
            return False
    return True


# Row pieces cut at multiples of this many rows give the bits of the whole product on
# one thread (the kernel's tiles of rows stay where they were), so the one-thread way
# computes a product cut by rows whole (`_find_row_period`, at load; None: not found).
_row_period: int | None = None
# numpy's BLAS gives the library's bits for a whole product (both OpenBLAS builds pick
# the same kernels for this CPU), so inside a run the whole product may be numpy's.
_numpy_whole = False
_PERIODS = (4, 8, 12, 16, 24, 32, 48, 64)


def _operands(rng, m: int, k: int, n: int, dtype, transposed: str = ""):
    """Random m x k and k x n operands (uniform in [-1, 1)); those named in
    `transposed` in Fortran order."""
    a = rng.random((k, m), dtype).T if "a" in transposed else rng.random((m, k), dtype)
    b = rng.random((n, k), dtype).T if "b" in transposed else rng.random((k, n), dtype)
    for x in (a, b):
        x *= 2
        x -= 1
    return a, b


def _find_row_period(gemm):
    """The smallest of `_PERIODS` for which cuts at every multiple, and the cuts
    `pieces` makes, give the whole product's bits, on several shapes, operand layouts
    and depths past a kernel's block, in both float types; None if none does."""
    rng = np.random.default_rng(1)  # (a fast generator: the checks run at load)
    cases = []
    for dtype in DTYPES:
        # (whole products of 2.1M-10M multiply-adds and their pieces: some OpenBLAS
        # builds compute small products with other kernels, by size, e.g. the direct
        # sgemm of AVX-512 machines under ~7M)
        for m, k, n, transposed in ((128, 300, 256, ""), (100, 400, 130, "a"),
                                    (200, 50, 300, "b"), (70, 1000, 64, ""),
                                    (64, 128, 256, ""), (96, 200, 300, "")):  # fmt: skip
            a, b = _operands(rng, m, k, n, dtype, transposed)
            whole = np.empty((m, n), dtype)
            _call(gemm[a.dtype], a, b, whole, False, 1)
            cases.append((a, b, whole))
    global _row_period
    for period in _PERIODS:
        _row_period = period
        if all(_cut_gives(gemm, a, b, whole, period) for a, b, whole in cases):
            return period
    _row_period = None
    return None


def _cut_gives(gemm, a, b, whole, period: int) -> bool:
    m = a.shape[0]
    cuts = [list(range(0, m, period)) + [m]]
    rows, bounds = pieces(m, b.shape[1])
    if rows and len(bounds) > 1:
        cuts.append([lo for lo, _ in bounds] + [m])
    got = np.empty_like(whole)
    for edges in cuts:
        for lo, hi in itertools.pairwise(edges):
            _call(gemm[a.dtype], a[lo:hi], b, got[lo:hi], False, 1)
        if not np.array_equal(got, whole):
            return False
    return True


def _numpy_same_bits(gemm) -> bool:
    """numpy's BLAS, on one thread as inside a run, gives the library's whole products."""
    if os.environ.get("TFGRAPH_NUMPY_WHOLE", "1") == "0":
        return False
    rng = np.random.default_rng(2)
    with denormal.numpy_blas_in_caller() as held:
        if not held:
            return False
        for dtype in DTYPES:
            for m, k, n in ((96, 193, 512), (64, 500, 70), (64, 128, 256), (96, 200, 300)):
                for transposed in ("", "ab"):
                    a, b = _operands(rng, m, k, n, dtype, transposed)
                    ours = np.empty((m, n), dtype)
                    _call(gemm[a.dtype], a, b, ours, False, 1)
                    if not np.array_equal(ours, np.dot(a, b)):
                        return False
    return True


# Few-row products (an RNN's batch of 32 rows), cut between columns when shared, give
# other bits shared than numpy's whole product; below parallel's _MIN_SHARED_COLUMN_MACS
# each process takes one way for them for good, so a shape's bits never change within a
# run: numpy's whole product, unless the shared way took under _SHARE_MARGIN of its time
# on an LSTM's 32 x 256 @ 256 x 512, measured once at load. It depends on the machine:
# whole 80 us / shared 101 us on an AMD EPYC Zen 3 (AVX2; a helper thread wakes late
# there), 98 / 64 us on a Zen 4 (AVX-512), where char_rnn's static_rnn step took 0.96x
# the time (paired blocks in one run; its products 94 -> 79 us a call). A machine busy
# at load measures the whole product faster. `TFGRAPH_FEW_ROW_PRODUCTS=whole` (or
# `shared`) fixes the choice, for the same bits in every process of a machine.
_few_rows_shared = False
_SHARE_MARGIN = 0.85


def _shares_few_rows(gemm) -> bool:
    """Whether few-row products share (see above): the environment's choice, else timed."""
    chosen = os.environ.get("TFGRAPH_FEW_ROW_PRODUCTS", "")
    if chosen in ("whole", "shared"):
        return chosen == "shared"
    rng = np.random.default_rng(3)
    a, b = _operands(rng, 32, 256, 512, np.float32)
    out = np.empty((32, 512), np.float32)
    fn = gemm[out.dtype]
    shared, whole = [], []
    with denormal.numpy_blas_in_caller() as held:
        if not held:
            return False
        for i in range(18):  # (3 warm-up rounds, then 15 timed, the two ways in turn)
            start = time.perf_counter()
            _call(fn, a, b, out, True, _threads())
            middle = time.perf_counter()
            np.dot(a, b, out=out)
            end = time.perf_counter()
            if i >= 3:
                shared.append(middle - start)
                whole.append(end - middle)
    return statistics.median(shared) < _SHARE_MARGIN * statistics.median(whole)


def shares_few_rows() -> bool:
    """Whether few-row products below parallel's _MIN_SHARED_COLUMN_MACS are shared in
    this process (loads the library on first use)."""
    if not _loaded:
        _load()
    return _few_rows_shared


_core_name: str | None = None


def core_name() -> str | None:
    """The kernels the private OpenBLAS runs ("SkylakeX", "Haswell", ...; None when it is
    not used). Loads it on first use."""
    return _core_name if available() else None


def available() -> bool:
    """Whether products run on the private OpenBLAS (loads it on first use)."""
    if not _loaded:
        _load()
    return bool(_gemm)


def _layout(x, rows: int, cols: int):
    """(transpose flag, leading dimension) of a 2-D array BLAS can read in place, or
    None."""
    size = x.itemsize
    s0, s1 = x.strides
    if s1 == size and s0 % size == 0 and s0 >= max(cols, 1) * size:
        return _NO_TRANS, s0 // size
    if s0 == size and s1 % size == 0 and s1 >= max(rows, 1) * size:
        return _TRANS, s1 // size
    return None


# A piece has at least this many rows (columns).
_MIN_PIECE = 32


def pieces(m: int, n: int, threads: int | None = None) -> tuple[bool, list[tuple[int, int]]]:
    """How an m x n product is cut: (by rows, else by columns; the pieces' [start, end)
    bounds), one piece per thread, by rows when there are enough of them (a piece of
    few rows packs all of the other operand for little work), else by columns. It
    depends on the shape and the thread count only, so a product's bits do too. Cuts
    between rows fall on multiples of `_row_period` when it is known."""
    if threads is None:
        threads = _threads()
    rows = _by_rows(m, n)
    size = m if rows else n
    count = max(min(threads, size // _MIN_PIECE), 1)
    period = (_row_period or 1) if rows else 1
    # (a piece has at least 32 rows, so no cut rounds past an end; one onto an end merges)
    edges = sorted({0, size, *(round(size * i / count / period) * period for i in range(1, count))})
    return rows, list(itertools.pairwise(edges))


def _by_rows(m: int, n: int) -> bool:
    return m >= 2 * _MIN_PIECE or n < 2 * _MIN_PIECE


def cuts_columns(m: int, n: int) -> bool:
    """Whether an m x n product's pieces are column ranges (few rows): those give other
    bits than the whole product, so its one-thread way runs the pieces one by one."""
    return not _by_rows(m, n)


def _call(gemm, a, b, out, shared: bool, threads: int) -> None:
    """out = a @ b (C-contiguous) in `pieces`: in one batched call on the library's
    threads (`shared`), else in one batched call of one piece each, which runs in the
    calling thread."""
    fn, scalar = gemm
    key = (a.shape, a.strides, b.shape, b.strides, scalar, shared, threads)
    calls = _calls.get(key)
    if calls is None:
        calls = _calls_for(a, b, scalar, shared, threads)
        if len(_calls) >= 4096:
            _calls.clear()
        _calls[key] = calls
    base_a, base_b, base_c = _address(a), _address(b), _address(out)
    for head, lda, ldb_beta, tail, pointers, off_a, off_b, off_c in calls:
        fn(
            _ROW_MAJOR, *head,
            pointers(*[base_a + o for o in off_a]), lda,
            pointers(*[base_b + o for o in off_b]), *ldb_beta,
            pointers(*[base_c + o for o in off_c]), *tail,
        )  # fmt: skip


def _address(x) -> int:
    """Where `x`'s data starts (from its buffer when it is writable and C-contiguous:
    0.4 us, against 1.5 us through `__array_interface__`)."""
    flags = x.flags
    if flags.writeable and flags.c_contiguous:
        return ctypes.addressof(ctypes.c_char.from_buffer(x))
    return x.__array_interface__["data"][0]


# (operands' shapes and strides, dtype, shared, threads) -> the batched calls of a
# product: each call's fixed arguments (ctypes arrays, grouped as `_call` passes them),
# the type of its pointer arrays, and its pieces' byte offsets into a, b and out
_calls: dict = {}


def _calls_for(a, b, scalar, shared: bool, threads: int) -> list:
    m, k = a.shape
    n = b.shape[1]
    ta, lda = _layout(a, m, k)
    tb, ldb = _layout(b, k, n)
    ldc = n
    size = ctypes.sizeof(scalar)
    rows, bounds = pieces(m, n, threads)
    if rows and not shared and _row_period:  # (the same bits whole: see `_row_period`)
        bounds = [(0, m)]
    if rows:  # (piece [lo, hi): rows lo.. of op(a) and of out)
        offsets = [(lo * (lda if ta == _NO_TRANS else 1) * size, 0, lo * ldc * size)
                   for lo, _ in bounds]  # fmt: skip
    else:  # (columns lo.. of op(b) and of out)
        offsets = [(0, lo * (1 if tb == _NO_TRANS else ldb) * size, lo * size) for lo, _ in bounds]
    dims = [(hi - lo, n) if rows else (m, hi - lo) for lo, hi in bounds]
    groups = [list(range(len(bounds)))] if shared else [[i] for i in range(len(bounds))]
    calls = []
    for group in groups:
        g = len(group)

        def ints(values, g=g):
            return (ctypes.c_int * g)(*values)

        head = (ints([ta] * g), ints([tb] * g), ints([dims[i][0] for i in group]),
                ints([dims[i][1] for i in group]), ints([k] * g),
                (scalar * g)(*[1.0] * g))  # fmt: skip
        ldb_beta = (ints([ldb] * g), (scalar * g)(*[0.0] * g))
        tail = (ints([ldc] * g), g, ints([1] * g))
        off_a, off_b, off_c = (tuple(offsets[i][j] for i in group) for j in range(3))
        calls.append((head, ints([lda] * g), ldb_beta, tail, ctypes.c_void_p * g,
                      off_a, off_b, off_c))  # fmt: skip
    return calls


def _numpy_way(a, b) -> bool:
    """Whether numpy computes this product with gemm as the library does: not with gemv
    (one row or column) or syrk (`a` and `b` views of one array)."""
    if min(a.shape[0], a.shape[1], b.shape[1]) < 2:
        return False
    base_a = a if a.base is None else a.base
    return base_a is not (b if b.base is None else b.base)


def matmul(a, b, shared: bool = True, threads: int | None = None, out=None):
    """`a @ b` of 2-D float32 (float64) arrays, in `pieces` of one thread each (of
    `threads`, by default the kernel threads): on the private OpenBLAS's threads at once
    (`shared`) or one after another in this thread, with the same bits either way; into
    `out` when given (C-contiguous, of the product's shape and dtype); None where it does
    not apply (other dtypes, empty operands, another `out`, no private OpenBLAS)."""
    if not _loaded:
        _load()
    fn = _gemm.get(a.dtype)
    if fn is None or b.dtype != a.dtype or a.ndim != 2 or b.ndim != 2:
        return None
    m, k = a.shape
    n = b.shape[1]
    if not (m and n and k) or b.shape[0] != k:
        return None
    if _layout(a, m, k) is None:
        a = np.ascontiguousarray(a)
    if _layout(b, k, n) is None:
        b = np.ascontiguousarray(b)
    if out is None:
        out = np.empty((m, n), a.dtype)
    elif out.shape != (m, n) or out.dtype != a.dtype or not out.flags.c_contiguous:
        return None
    if threads is None:
        threads = _threads()
    # (FTZ|DAZ for this call whoever calls it: should OpenBLAS start its threads again,
    # after a fork for one, they start from here with it too)
    token = _enter()
    try:
        if (
            not shared
            and _numpy_whole
            and _row_period
            and _by_rows(m, n)
            and denormal.numpy_blas_held()
            and _numpy_way(a, b)
        ):
            np.dot(a, b, out=out)  # (the whole product: see `_row_period`)
        else:
            _call(fn, a, b, out, shared, threads)
    finally:
        _exit(token)
    return out
