"""Convolutions and pools on oneDNN, the library TF's own CPU convolutions run on, when
the optional `onednn-cpu-gomp` wheel is installed (the `onednn` extra).

numpy has no convolution: tfgraph's own (ops/conv_kernels.py) copies patches (im2col)
and multiplies them on OpenBLAS, at about half the speed TF's oneDNN kernels reach on a
CPU with AVX-512 (measured on an AMD Zen 5, 2 cores: the MNIST convnet's second layer,
128 x 14 x 14 x 32 -> 64 by 5 x 5, 28 ms against oneDNN's 11.6 ms on one thread), and
its pools are several strided passes. With the library present, float32 Conv2D (grouped
and depthwise too) with both its gradients, and max and average pools with theirs, run
here; without it, or with `TFGRAPH_ONEDNN=0`, every function returns None and the caller
computes as before.

The library is called through its C API (ctypes) on TF's NHWC values as they are
(oneDNN's `acdb` tag). A forward convolution of one group reads TF's HWIO filter as it is
(`cdba`); the gradients and grouped or depthwise convolutions take the filter in the
layout oneDNN picks for them, reordered per call (a small copy), since with the filter
layout fixed oneDNN falls back to slower kernels. A max pool's gradient runs the
forward pool again for oneDNN's workspace (where each window's maximum is), then the
backward pass.

Each call runs oneDNN single-threaded in its calling thread (OpenMP's thread count is
set to 1 around the call, in that thread only) on a piece of the batch, and the pieces
are shared by tfgraph's kernel threads (platform/parallel.py): those threads flush
subnormals as TF's do, and a thread the OS deschedules delays only its piece. OpenMP's
own threads would start without flush-to-zero. The pieces depend on the shape only, and
a filter gradient adds the pieces' partial sums in their order, so a shape's result has
the same bits every run, however many threads ran it.

Primitives (oneDNN's compiled kernels) are made once per shape and kept; every call
brings its own scratch memory (oneDNN's "user" scratchpad), so two threads can run one
primitive at once. At load a convolution of subnormal values must give exact zeros under
tfgraph's flush-to-zero, or the library is not used.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import site
import sys
import threading
import weakref
from collections import OrderedDict
from typing import Any

import numpy as np

from tfgraph.platform import denormal, parallel

__all__ = [
    "MIN_MACS",
    "MIN_POOL_ELEMENTS",
    "available",
    "avg_pool",
    "avg_pool_grad",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "info",
    "max_pool",
    "max_pool_grad",
]

# facts of oneDNN 3.x's C API (dnnl_types.h)
_CPU = 1
_F32 = 3
# format tags: any (the primitive's pick), a, acdb, cdba, decab
_ANY, _VECTOR, _NHWC, _HWIO, _HWIGO = 1, 2, 22, 28, 39
_FORWARD_TRAINING, _FORWARD_INFERENCE = 64, 96
_POOLING_MAX, _POOLING_AVG_EXCLUDE_PADDING = 0x1FF, 0x3FF
_CONVOLUTION_DIRECT = 1
_IN_ORDER = 1  # stream flags
_SCRATCHPAD_USER = 1
_QUERY_IMPL_INFO = 8
_QUERY_WORKSPACE_MD, _QUERY_SCRATCHPAD_MD = 135, 136
# (weights_md, diff_weights_md)
_QUERY_WEIGHTS_MD = {"forward": 131, "input": 131, "filter": 132}
_ARG_SRC, _ARG_WEIGHTS, _ARG_BIAS, _ARG_DST = 1, 33, 41, 17
_ARG_DIFF_SRC, _ARG_DIFF_WEIGHTS, _ARG_DIFF_DST = 129, 161, 145
_ARG_SCRATCHPAD, _ARG_WORKSPACE = 80, 64
_ARG_FROM, _ARG_TO = 1, 17

_P = ctypes.c_void_p
_Dims = ctypes.c_int64 * 12

# A piece of the batch is about this many multiply-adds (measured, one thread: 32 images
# of the convnet's second layer ran at the speed of 128 in one call); fewer pieces than
# images only. Small convolutions are one piece.
_PIECE_MACS = 96 << 20
# Smaller convolutions stay with tfgraph's own kernels (a call here costs ~30 us more).
MIN_MACS = 1 << 20
# Pools of fewer input elements stay with tfgraph's own kernels; a pool's piece of the
# batch is about _POOL_PIECE_ELEMENTS input elements.
MIN_POOL_ELEMENTS = 1 << 16
_POOL_PIECE_ELEMENTS = 1 << 20
# Primitives kept (each holds compiled code); the least recently used goes first.
_MAX_PRIMITIVES = 512


class _ExecArg(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_int), ("memory", _P)]


_lock = threading.Lock()
_loaded = False
_lib: Any = None  # (the library, once loaded and checked)
_omp: Any = None  # (the OpenMP runtime it uses)
_engine = _P()
_impl_names: set = set()
_primitives: OrderedDict = OrderedDict()
_primitives_lock = threading.Lock()
_local = threading.local()  # .stream, .scratch: this thread's stream and scratch memory


def _library_path() -> str | None:
    path = os.environ.get("TFGRAPH_ONEDNN_LIBRARY")
    if path:
        return path if os.path.exists(path) else None
    # (the wheel installs its library as data: <prefix>/lib/libdnnl.so.3)
    for root in (sys.prefix, site.getuserbase()):
        path = os.path.join(root, "lib", "libdnnl.so.3")
        if os.path.exists(path):
            return path
    try:  # (another prefix: where the wheel's record says it put the file)
        from importlib import metadata

        files = metadata.files("onednn-cpu-gomp") or []
    except metadata.PackageNotFoundError:
        return None
    for record in files:
        if record.name == "libdnnl.so.3":
            path = str(record.locate())
            if os.path.exists(path):
                return path
    return None


def _signatures(lib) -> None:
    i32, ptr = ctypes.c_int, ctypes.POINTER(_P)
    for name, args in (
        ("dnnl_engine_create", [ptr, i32, ctypes.c_size_t]),
        ("dnnl_stream_create", [ptr, _P, ctypes.c_uint]),
        ("dnnl_memory_desc_create_with_tag", [ptr, i32, _Dims, i32, i32]),
        ("dnnl_primitive_attr_create", [ptr]),
        ("dnnl_primitive_attr_set_scratchpad_mode", [_P, i32]),
        ("dnnl_primitive_attr_destroy", [_P]),
        (
            "dnnl_convolution_forward_primitive_desc_create",
            [ptr, _P, i32, i32, _P, _P, _P, _P, _Dims, _Dims, _Dims, _Dims, _P],
        ),
        (
            "dnnl_convolution_backward_data_primitive_desc_create",
            [ptr, _P, i32, _P, _P, _P, _Dims, _Dims, _Dims, _Dims, _P, _P],
        ),
        (
            "dnnl_convolution_backward_weights_primitive_desc_create",
            [ptr, _P, i32, _P, _P, _P, _P, _Dims, _Dims, _Dims, _Dims, _P, _P],
        ),
        ("dnnl_primitive_desc_query", [_P, i32, i32, _P]),
        ("dnnl_reorder_primitive_desc_create", [ptr, _P, _P, _P, _P, _P]),
        (
            "dnnl_pooling_forward_primitive_desc_create",
            [ptr, _P, i32, i32, _P, _P, _Dims, _Dims, _Dims, _Dims, _Dims, _P],
        ),
        (
            "dnnl_pooling_backward_primitive_desc_create",
            [ptr, _P, i32, _P, _P, _Dims, _Dims, _Dims, _Dims, _Dims, _P, _P],
        ),
        ("dnnl_memory_desc_equal", [_P, _P]),
        ("dnnl_primitive_desc_destroy", [_P]),
        ("dnnl_primitive_create", [ptr, _P]),
        ("dnnl_primitive_destroy", [_P]),
        ("dnnl_memory_create", [ptr, _P, _P, _P]),
        ("dnnl_memory_destroy", [_P]),
        ("dnnl_memory_desc_destroy", [_P]),
        ("dnnl_primitive_execute", [_P, _P, i32, _P]),
        ("dnnl_stream_wait", [_P]),
    ):
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = ctypes.c_int
    lib.dnnl_primitive_desc_query_md.argtypes = [_P, ctypes.c_int, ctypes.c_int]
    lib.dnnl_primitive_desc_query_md.restype = _P
    lib.dnnl_memory_desc_get_size.argtypes = [_P]
    lib.dnnl_memory_desc_get_size.restype = ctypes.c_size_t
    lib.dnnl_version.restype = ctypes.POINTER(ctypes.c_int * 3)


def _check(status: int, what: str) -> None:
    if status:
        raise RuntimeError(f"oneDNN {what} failed (status {status})")


def _load() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        try:
            _open()
        finally:
            _loaded = True


def _open() -> None:
    global _lib, _omp
    if os.environ.get("TFGRAPH_ONEDNN", "1") == "0" or denormal.mxcsr() is None:
        return
    path = _library_path()
    if path is None:
        return
    try:
        lib = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
        _signatures(lib)
        if lib.dnnl_version().contents[0] != 3:
            return
        omp = ctypes.CDLL("libgomp.so.1")  # (the OpenMP runtime the library loaded)
        omp.omp_get_max_threads.restype = ctypes.c_int
        omp.omp_set_num_threads.argtypes = [ctypes.c_int]
        _lib, _omp = lib, omp
        with _one_openmp_thread():
            _check(lib.dnnl_engine_create(ctypes.byref(_engine), _CPU, 0), "engine")
    except (OSError, AttributeError, RuntimeError):
        _lib = _omp = None
        return
    try:
        flushes = _flushes()
    except RuntimeError:
        flushes = False
    if not flushes:
        _lib = None


@contextlib.contextmanager
def _one_openmp_thread():
    """OpenMP's thread count 1 in this thread while oneDNN is called (restored after).
    OpenMP's worker threads never start: they would not flush subnormals, and libgomp's
    pool of them does not survive a fork (a forked child's next oneDNN call would hang
    waiting for threads that are not there)."""
    threads = _omp.omp_get_max_threads()
    _omp.omp_set_num_threads(1)
    try:
        yield
    finally:
        _omp.omp_set_num_threads(threads)


def _flushes() -> bool:
    """A convolution of subnormal values under FTZ|DAZ gives exact zeros."""
    x = np.full((2, 4, 4, 8), 1e-39, np.float32)
    f = np.ones((3, 3, 8, 8), np.float32)
    enter, exit_ = denormal.fp_hooks()
    token = enter()
    try:
        out = _conv2d(x, f, (1, 1), (1, 1), (1, 1, 1, 1), (4, 4))
    except _Unsupported:
        return False
    finally:
        exit_(token)
    return not out.any()


def available() -> bool:
    """Whether convolutions run on oneDNN in this process."""
    if not _loaded:
        _load()
    return _lib is not None


def info() -> str | None:
    """The library's version and the kernels its primitives used so far (None:
    unavailable)."""
    if not available():
        return None
    version = ".".join(map(str, _lib.dnnl_version().contents))
    return f"oneDNN {version} ({', '.join(sorted(_impl_names)) or 'no primitive yet'})"


# -- primitives ---------------------------------------------------------------------------


class _Compiled:
    """oneDNN objects made for one shape: memory descriptors, primitive descriptors and
    primitives, destroyed with the last reference."""

    def __init__(self) -> None:
        self.mds: list = []
        self.owned: list = []  # (destroy function's name, handle), in creation order

    def _md(self, dims, tag=_NHWC):
        m = _P()
        _check(
            _lib.dnnl_memory_desc_create_with_tag(
                ctypes.byref(m), len(dims), _Dims(*dims), _F32, tag
            ),
            "memory desc",
        )
        self.mds.append(m)
        return m

    def _pd(self, create, *args):
        pd = _P()
        _check(create(ctypes.byref(pd), *args), "setup")
        self.owned.append(("dnnl_primitive_desc_destroy", pd))
        return pd

    def _executable(self, pd, kind: str):
        name = ctypes.c_char_p()
        if not _lib.dnnl_primitive_desc_query(pd, _QUERY_IMPL_INFO, 0, ctypes.byref(name)):
            if name.value:
                _impl_names.add(f"{kind}: {name.value.decode()}")
        handle = _P()
        _check(_lib.dnnl_primitive_create(ctypes.byref(handle), pd), "primitive")
        self.owned.append(("dnnl_primitive_destroy", handle))
        return handle

    def __del__(self) -> None:
        lib = _lib
        if lib is None:
            return
        for destroy, handle in reversed(self.owned):
            getattr(lib, destroy)(handle)
        for m in self.mds:
            lib.dnnl_memory_desc_destroy(m)

    @staticmethod
    def _execute(handle, args) -> None:
        """Executes a primitive in this thread, single-threaded, on (argument id, memory
        descriptor, address) triples."""
        lib = _lib
        stream = getattr(_local, "stream", None)
        if stream is None:
            stream = _local.stream = _P()
            _check(lib.dnnl_stream_create(ctypes.byref(stream), _engine, _IN_ORDER), "stream")
        exec_args = (_ExecArg * len(args))()
        memories = []
        try:
            for k, (arg, md, address) in enumerate(args):
                m = _P()
                _check(lib.dnnl_memory_create(ctypes.byref(m), md, _engine, address), "memory")
                memories.append(m)
                exec_args[k] = _ExecArg(arg, m)
            with _one_openmp_thread():
                _check(lib.dnnl_primitive_execute(handle, stream, len(args), exec_args), "execute")
                _check(lib.dnnl_stream_wait(stream), "stream wait")
        finally:
            for m in memories:
                lib.dnnl_memory_destroy(m)


class _Primitive(_Compiled):
    """A compiled convolution for one shape (`kind`: "forward", "input" or "filter"
    gradient), with its execute-argument ids and scratch size. The gradients' filters
    are in the layout oneDNN picks (with HWIO its gradients fall back to im2col and a
    GEMM, 2-3x slower), so a filter is reordered to it before the input gradient, and
    the filter gradient from it after."""

    def __init__(self, kind: str, geometry: tuple) -> None:
        super().__init__()
        n, h, w, c, kh, kw, co, groups, oh, ow, strides, dilations, pads, with_bias = geometry
        self.reorder = None
        src = self._md((n, c, h, w), _NHWC)
        dims: tuple
        if groups == 1:
            dims, tag = (co, c, kh, kw), _HWIO
        else:  # (TF's [kh, kw, c / groups, co], co = group * (co / groups) + o: hwigo)
            dims, tag = (groups, co // groups, c // groups, kh, kw), _HWIGO
        tf_layout = self._md(dims, tag)
        # (a forward convolution of one group is fastest on HWIO as it is; grouped ones
        # and gradients on the layout oneDNN picks: brgconv on hwigo ran a depthwise
        # 3x3 forward 12x slower than oneDNN's depthwise kernel)
        picks = kind != "forward" or groups > 1
        weights = self._md(dims, _ANY) if picks else tf_layout
        dst = self._md((n, co, oh, ow), _NHWC)
        bias = self._md((co,), _VECTOR) if with_bias else None
        pt, pb, pl, pr = pads
        geo = (
            _Dims(*strides),
            _Dims(dilations[0] - 1, dilations[1] - 1),
            _Dims(pt, pl),
            _Dims(pb, pr),
        )
        lib = _lib
        attr = _P()
        _check(lib.dnnl_primitive_attr_create(ctypes.byref(attr)), "attributes")
        try:
            _check(
                lib.dnnl_primitive_attr_set_scratchpad_mode(attr, _SCRATCHPAD_USER),
                "scratchpad mode",
            )
            fwd = self._pd(
                lib.dnnl_convolution_forward_primitive_desc_create,
                _engine, _FORWARD_TRAINING, _CONVOLUTION_DIRECT,
                src, weights, bias, dst, *geo, attr,
            )  # fmt: skip
            self.args: tuple[int, ...]
            if kind == "forward":
                pd, self.args = fwd, (_ARG_SRC, _ARG_WEIGHTS, _ARG_DST)
                if bias is not None:
                    self.args += (_ARG_BIAS,)
            elif kind == "input":
                pd = self._pd(
                    lib.dnnl_convolution_backward_data_primitive_desc_create,
                    _engine, _CONVOLUTION_DIRECT, src, weights, dst, *geo, fwd, attr,
                )  # fmt: skip
                self.args = (_ARG_DIFF_DST, _ARG_WEIGHTS, _ARG_DIFF_SRC)
            else:
                pd = self._pd(
                    lib.dnnl_convolution_backward_weights_primitive_desc_create,
                    _engine, _CONVOLUTION_DIRECT, src, weights, None, dst, *geo, fwd, attr,
                )  # fmt: skip
                self.args = (_ARG_SRC, _ARG_DIFF_DST, _ARG_DIFF_WEIGHTS)
        finally:
            lib.dnnl_primitive_attr_destroy(attr)
        self.arg_mds = {_ARG_SRC: src, _ARG_DIFF_SRC: src, _ARG_DST: dst, _ARG_DIFF_DST: dst}
        self.arg_mds[_ARG_BIAS] = bias
        if not picks:
            self.arg_mds[_ARG_WEIGHTS] = tf_layout
        else:  # (the filter's layout as picked, and a reorder from or to TF's)
            chosen = lib.dnnl_primitive_desc_query_md(pd, _QUERY_WEIGHTS_MD[kind], 0)
            self.arg_mds[_ARG_WEIGHTS] = self.arg_mds[_ARG_DIFF_WEIGHTS] = chosen
            if not lib.dnnl_memory_desc_equal(chosen, tf_layout):
                pair = (chosen, tf_layout) if kind == "filter" else (tf_layout, chosen)
                self.reorder = (self._executable(self._pd(
                    lib.dnnl_reorder_primitive_desc_create, pair[0], _engine, pair[1], _engine, None
                ), "reorder"), *pair, lib.dnnl_memory_desc_get_size(chosen))  # fmt: skip
        scratch = lib.dnnl_primitive_desc_query_md(pd, _QUERY_SCRATCHPAD_MD, 0)
        self.scratch_bytes = lib.dnnl_memory_desc_get_size(scratch) if scratch else 0
        self.scratch_md = scratch  # (owned by the primitive descriptor, kept alive)
        self.handle = self._executable(pd, kind)

    def run(self, arrays) -> None:
        """Executes on `arrays` (C-contiguous float32, in `args` order; filters HWIO; a
        forward convolution's bias last) in this thread, single-threaded."""
        addresses = [a.ctypes.data for a in arrays]
        if self.reorder is not None:
            reorder, md_from, md_to, nbytes = self.reorder
            chosen = _scratch(nbytes, "weights")
            if self.args[1] == _ARG_WEIGHTS:  # (the filter, to the layout picked)
                self._execute(
                    reorder, ((_ARG_FROM, md_from, addresses[1]), (_ARG_TO, md_to, chosen))
                )
                addresses[1] = chosen
            else:  # (the filter gradient, written in the layout picked first)
                target, addresses[2] = addresses[2], chosen
        args = [
            (arg, self.arg_mds[arg], address)
            for arg, address in zip(self.args, addresses, strict=True)
        ]
        if self.scratch_bytes:
            args.append((_ARG_SCRATCHPAD, self.scratch_md, _scratch(self.scratch_bytes, "pad")))
        self._execute(self.handle, args)
        if self.reorder is not None and self.args[2] == _ARG_DIFF_WEIGHTS:
            self._execute(reorder, ((_ARG_FROM, md_from, chosen), (_ARG_TO, md_to, target)))


class _Pool(_Compiled):
    """A compiled pooling for one shape (`kind`: "max", "avg", "max_grad", "avg_grad").
    A max pool also writes oneDNN's workspace (where each window's maximum is: its
    first, as in TF) for its gradient; a gradient given none runs the forward pool again
    for it, then the backward pass."""

    def __init__(self, kind: str, geometry: tuple) -> None:
        super().__init__()
        n, h, w, c, kh, kw, oh, ow, strides, pads = geometry
        lib = _lib
        src, dst = self._md((n, c, h, w)), self._md((n, c, oh, ow))
        pt, pb, pl, pr = pads
        geo = (_Dims(*strides), _Dims(kh, kw), _Dims(0, 0), _Dims(pt, pl), _Dims(pb, pr))
        alg = _POOLING_MAX if kind.startswith("max") else _POOLING_AVG_EXCLUDE_PADDING
        prop = _FORWARD_TRAINING if kind.startswith("max") else _FORWARD_INFERENCE
        create = lib.dnnl_pooling_forward_primitive_desc_create
        fwd = self._pd(create, _engine, prop, alg, src, dst, *geo, None)
        self.src, self.dst = src, dst
        self.workspace = None
        if kind.startswith("max"):
            workspace = lib.dnnl_primitive_desc_query_md(fwd, _QUERY_WORKSPACE_MD, 0)
            self.workspace = (workspace, lib.dnnl_memory_desc_get_size(workspace))
            self.pooled_bytes = n * c * oh * ow * 4
        if kind != "avg_grad":  # (an average pool's gradient needs no forward pass)
            self.forward = self._executable(fwd, "maxpool" if kind.startswith("max") else "avgpool")
        self.backward = None
        if kind in ("max", "avg"):
            return
        create = lib.dnnl_pooling_backward_primitive_desc_create
        bwd = self._pd(create, _engine, alg, src, dst, *geo, fwd, None)
        self.backward = self._executable(bwd, kind)

    def run(self, arrays) -> None:
        """Pooling: (x, out), a max pool's with the address of its workspace last; its
        gradient: (x or None, dy, dx), a max pool's with its forward's workspace
        address last, or None."""
        if self.backward is None:
            x, out = arrays[:2]
            args = [(_ARG_SRC, self.src, x.ctypes.data), (_ARG_DST, self.dst, out.ctypes.data)]
            if self.workspace is not None:
                args.append((_ARG_WORKSPACE, self.workspace[0], arrays[2]))
            self._execute(self.forward, args)
            return
        x, dy, dx, *kept = arrays
        args = [
            (_ARG_DIFF_DST, self.dst, dy.ctypes.data),
            (_ARG_DIFF_SRC, self.src, dx.ctypes.data),
        ]
        if self.workspace is not None:
            md, nbytes = self.workspace
            address = kept[0] if kept and kept[0] is not None else None
            if address is None:  # (the forward pool again, for its workspace)
                address = _scratch(nbytes, "workspace")
                pooled = _scratch(self.pooled_bytes, "pooled")
                self._execute(self.forward, ((_ARG_SRC, self.src, x.ctypes.data),
                                             (_ARG_DST, self.dst, pooled),
                                             (_ARG_WORKSPACE, md, address)))  # fmt: skip
            args.append((_ARG_WORKSPACE, md, address))
        self._execute(self.backward, args)


def _scratch(nbytes: int, name: str) -> int:
    """The address of this thread's scratch memory `name`, at least `nbytes` long."""
    buffers = getattr(_local, "scratch", None)
    if buffers is None:
        buffers = _local.scratch = {}
    buf = buffers.get(name)
    if buf is None or buf.nbytes < nbytes:
        buf = buffers[name] = np.empty(max(nbytes, 1 << 16), np.uint8)
    return buf.ctypes.data


_POOL_KINDS = frozenset(("max", "avg", "max_grad", "avg_grad"))


def _primitive(kind: str, geometry: tuple) -> _Primitive | _Pool:
    key = (kind, geometry)
    with _primitives_lock:
        prim = _primitives.get(key)
        if prim is not None:
            _primitives.move_to_end(key)
            return prim
    make = _Pool if kind in _POOL_KINDS else _Primitive
    with _one_openmp_thread():  # (compiling takes a while: outside the lock)
        prim = make(kind, geometry)
    with _primitives_lock:
        prim = _primitives.setdefault(key, prim)
        while len(_primitives) > _MAX_PRIMITIVES:
            _primitives.popitem(last=False)
    return prim


# -- convolutions ---------------------------------------------------------------------------


def _pieces(n: int, work: int, per_piece: int | None = None) -> list[slice]:
    """The batch's pieces for a job of `work` units (a convolution's multiply-adds, a
    pool's input elements), about `per_piece` each (default _PIECE_MACS): by its shape
    only."""
    count = max(1, min(n, work // (per_piece or _PIECE_MACS)))
    size = -(-n // count)
    return [slice(b, min(b + size, n)) for b in range(0, n, size)]


class _Unsupported(Exception):
    """oneDNN has no primitive for this convolution (the caller computes it)."""


def _run_pieces(kind: str, pieces: list[slice], geometry, operands, epilogue=None, out=None):
    """Runs the primitive of each piece on `operands(piece)`, then `epilogue(out[piece])`
    if given, the pieces shared by tfgraph's kernel threads. Raises _Unsupported before
    any runs if a primitive cannot be made."""
    try:
        prims = {b.stop - b.start: _primitive(kind, (b.stop - b.start, *geometry)) for b in pieces}
    except RuntimeError as e:
        raise _Unsupported from e

    def work(piece, _state):
        prims[piece.stop - piece.start].run(operands(piece))
        if epilogue is not None:
            epilogue(out[piece])

    if len(pieces) == 1:
        work(pieces[0], None)
    else:
        parallel.run_blocks(pieces, work, blas=False)


def _ints(geometry: tuple) -> tuple:
    """A primitive cache key of Python ints (numpy integers and nested tuples too)."""
    return tuple(tuple(map(int, d)) if isinstance(d, tuple) else int(d) for d in geometry)


def _geometry(x_shape, f_shape, out_hw, strides, dilations, pads, with_bias=False) -> tuple:
    _, h, w, c = x_shape
    kh, kw, cg, co = f_shape
    geometry = (h, w, c, kh, kw, co, c // cg, *out_hw,
                tuple(strides), tuple(dilations), tuple(pads), bool(with_bias))  # fmt: skip
    return _ints(geometry)


def _usable(macs: int, *arrays) -> bool:
    return macs >= MIN_MACS and all(a.dtype == np.float32 for a in arrays) and available()


def conv2d(x, f, strides, dilations, pads, out_hw, bias=None, epilogue=None) -> np.ndarray | None:
    """The convolution of NHWC `x` with HWIO `f` (in x.shape[3] / f.shape[2] groups;
    `pads` (top, bottom, left, right)), or None where oneDNN is not used. A depthwise
    convolution is one of as many groups as channels (its [kh, kw, c, m] filter seen as
    [kh, kw, 1, c * m]).

    With `bias` (one per output channel) oneDNN adds it to each finished sum before
    storing it (the bits of adding it after); `epilogue(piece)` then changes each piece
    of the batch's result in place in the thread that computed it, while it is in
    cache (an activation: numpy's, so NaNs propagate as in TF; oneDNN's ReLU post-op
    turns them into zeros)."""
    macs = x.shape[0] * out_hw[0] * out_hw[1] * f.size
    extra = () if bias is None else (bias,)
    if not _usable(macs, x, f, *extra):
        return None
    if bias is not None and bias.shape != (f.shape[3],):
        return None
    try:
        return _conv2d(x, f, strides, dilations, pads, out_hw, bias, epilogue)
    except _Unsupported:
        return None


def _conv2d(x, f, strides, dilations, pads, out_hw, bias=None, epilogue=None) -> np.ndarray:
    n = x.shape[0]
    x, f = np.ascontiguousarray(x), np.ascontiguousarray(f)
    out = np.empty((n, *out_hw, f.shape[3]), np.float32)
    geometry = _geometry(x.shape, f.shape, out_hw, strides, dilations, pads, bias is not None)
    pieces = _pieces(n, n * out_hw[0] * out_hw[1] * f.size)
    if bias is None:
        _run_pieces("forward", pieces, geometry, lambda b: (x[b], f, out[b]), epilogue, out)
    else:
        b_ = np.ascontiguousarray(bias)
        _run_pieces("forward", pieces, geometry, lambda b: (x[b], f, out[b], b_), epilogue, out)
    return out


def conv2d_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray | None:
    """The gradient of `conv2d` with respect to its input, or None."""
    n = in_shape[0]
    macs = dy.shape[0] * dy.shape[1] * dy.shape[2] * f.size
    if not _usable(macs, f, dy):
        return None
    f, dy = np.ascontiguousarray(f), np.ascontiguousarray(dy)
    dx = np.empty(tuple(in_shape), np.float32)
    geometry = _geometry(in_shape, f.shape, dy.shape[1:3], strides, dilations, pads)
    try:
        _run_pieces("input", _pieces(n, macs), geometry, lambda b: (dy[b], f, dx[b]))
    except _Unsupported:
        return None
    return dx


def conv2d_backprop_filter(x, f_shape, dy, strides, dilations, pads) -> np.ndarray | None:
    """The gradient of `conv2d` with respect to its filter, or None. Each piece of the
    batch gives a partial sum; they are added in the pieces' order."""
    n = x.shape[0]
    macs = dy.shape[0] * dy.shape[1] * dy.shape[2] * int(np.prod(f_shape))
    if not _usable(macs, x, dy):
        return None
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy)
    geometry = _geometry(x.shape, f_shape, dy.shape[1:3], strides, dilations, pads)
    pieces = _pieces(n, macs)
    parts = np.empty((len(pieces), *f_shape), np.float32)
    index = {p.start: k for k, p in enumerate(pieces)}
    try:
        _run_pieces("filter", pieces, geometry, lambda b: (x[b], dy[b], parts[index[b.start]]))
    except _Unsupported:
        return None
    df = parts[0]
    for part in parts[1:]:
        df += part
    return df


# -- pooling ------------------------------------------------------------------------------


def _pool_geometry(in_shape, ksize, strides, pads, out_shape) -> tuple | None:
    """(h, w, c, kh, kw, oh, ow, strides, pads) of a window over rows and columns only,
    or None."""
    if (
        (ksize[0], ksize[3], strides[0], strides[3]) != (1, 1, 1, 1)
        or tuple(pads[0]) != (0, 0)
        or tuple(pads[3]) != (0, 0)
        or not all(out_shape)
        or math.prod(in_shape) < MIN_POOL_ELEMENTS
    ):
        return None
    _, h, w, c = in_shape
    geometry = (h, w, c, ksize[1], ksize[2], out_shape[1], out_shape[2],
                (strides[1], strides[2]), (*pads[1], *pads[2]))  # fmt: skip
    return _ints(geometry)


def _pool(kind: str, in_shape, ksize, strides, pads, out_shape, operands, result_shape, *arrays):
    geometry = _pool_geometry(in_shape, ksize, strides, pads, out_shape)
    if geometry is None or not all(a.dtype == np.float32 for a in arrays) or not available():
        return None
    result = np.empty(tuple(result_shape), np.float32)
    n = in_shape[0]
    pieces = _pieces(n, math.prod(in_shape), _POOL_PIECE_ELEMENTS)
    try:
        _run_pieces(kind, pieces, geometry, lambda b: operands(b, result))
    except _Unsupported:
        return None
    return result


def max_pool(x, ksize, strides, pads, out_shape) -> np.ndarray | None:
    """Max pooling of NHWC `x` (`ksize`, `strides`: NHWC; `pads`: (before, after) per
    dimension), or None where oneDNN is not used. The pool's workspace (where each
    window's maximum is) is kept for its gradient (`max_pool_grad` given this `x` and
    the result) while both arrays live, a few pools at most."""
    x = np.ascontiguousarray(x)
    geometry = _pool_geometry(x.shape, ksize, strides, pads, out_shape)
    if geometry is None or x.dtype != np.float32 or not available():
        return None
    try:
        workspace = _Workspace(x, geometry)
    except RuntimeError:
        return None
    out = _pool("max", x.shape, ksize, strides, pads, out_shape,
                lambda b, out: (x[b], out[b], workspace.address(b)), out_shape, x)  # fmt: skip
    if out is not None:
        workspace.keep(out)
    return out


def max_pool_grad(x, dy, ksize, strides, pads, out_shape, pooled=None) -> np.ndarray | None:
    """MaxPoolGrad: each window's gradient to its first maximal input, or None. With
    `pooled`, the max pool's result on this very `x`, its kept workspace is used."""
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy)
    kept = _Workspace.find(x, pooled, _pool_geometry(x.shape, ksize, strides, pads, out_shape))
    return _pool("max_grad", x.shape, ksize, strides, pads, out_shape,
                 lambda b, dx: (x[b], dy[b], dx[b], kept and kept.address(b)),
                 x.shape, x, dy)  # fmt: skip


class _Workspace:
    """A max pool's workspace for every piece of its batch, kept (weakly keyed by its
    input and result arrays, which kernels never change) for the pool's gradient: TF
    keeps it the same way between its oneDNN pool and gradient. The pieces depend on
    the shape only, so the gradient's pieces are the pool's."""

    _kept: OrderedDict = OrderedDict()  # id(x) -> _Workspace
    _MAX = 8

    def __init__(self, x, geometry) -> None:
        self.x = weakref.ref(x)
        self.out: Any = None
        self.geometry = geometry
        n = x.shape[0]
        self.offsets: dict = {}
        total = 0
        for b in _pieces(n, math.prod(x.shape), _POOL_PIECE_ELEMENTS):
            self.offsets[b.start] = total
            pool = _primitive("max", (b.stop - b.start, *geometry))
            assert isinstance(pool, _Pool) and pool.workspace is not None
            total += pool.workspace[1]
        self.buffer = np.empty(max(total, 1), np.uint8)

    def address(self, piece: slice) -> int:
        return self.buffer.ctypes.data + self.offsets[piece.start]

    def keep(self, out) -> None:
        """Keeps the workspace of the pool that gave `out` (dropping those of arrays
        gone, and the oldest beyond _MAX)."""
        self.out = weakref.ref(out)
        kept = _Workspace._kept
        with _primitives_lock:
            for key in [k for k, w in kept.items() if w.x() is None or w.out() is None]:
                del kept[key]
            kept[id(self.x())] = self
            kept.move_to_end(id(self.x()))
            while len(kept) > _Workspace._MAX:
                kept.popitem(last=False)

    @staticmethod
    def find(x, out, geometry):
        """The workspace kept for the pool of `x` that gave `out`, or None."""
        if out is None:
            return None
        with _primitives_lock:
            kept = _Workspace._kept.get(id(x))
        if kept is None or kept.x() is not x or kept.out() is not out:
            return None
        return kept if kept.geometry == geometry else None


def avg_pool(x, ksize, strides, pads, out_shape) -> np.ndarray | None:
    """Average pooling over each window's input (non-padding) values, or None."""
    x = np.ascontiguousarray(x)
    return _pool("avg", x.shape, ksize, strides, pads, out_shape,
                 lambda b, out: (x[b], out[b]), out_shape, x)  # fmt: skip


def avg_pool_grad(in_shape, dy, ksize, strides, pads, out_shape) -> np.ndarray | None:
    """AvgPoolGrad: each window's gradient spread evenly over its input values, or None."""
    dy = np.ascontiguousarray(dy)
    return _pool("avg_grad", tuple(in_shape), ksize, strides, pads, out_shape,
                 lambda b, dx: (None, dy[b], dx[b]), in_shape, dy)  # fmt: skip
