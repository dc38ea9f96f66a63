"""QuantizeV2, Dequantize and QuantizedConcat (`tf.quantization.quantize`, `dequantize`,
`quantized_concat`): float32 <-> quantized integers in TF's modes (MIN_COMBINED,
MIN_FIRST, SCALED), with the float32 arithmetic of TF's CPU kernels (quantize_op.cc,
dequantize_op.cc, quantization_utils.h). Quantized values are stored as the underlying
integers (int8 for qint8, ...), as TF's Session.run returns them."""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op

__all__ = ["dequantize", "quantize", "quantize_v2", "quantized_concat"]

_F = np.float32
_QTYPES = "{qint8, quint8, qint32, qint16, quint16}"


def _raise(op, cls, message):
    raise cls(None, op, message + f"\n\t [[{{{{node {op.name}}}}}]]")


def _limits(dtype):
    info = np.iinfo(dtype.np_dtype)
    return int(info.min), int(info.max)


def _round_away(v):
    return (np.sign(v) * np.floor(np.abs(v) + _F(0.5))).astype(_F)


def _cast(v, np_dtype):
    """float32 -> integer as C++'s static_cast on x86 (truncation)."""
    with np.errstate(all="ignore"):
        return np.trunc(v).astype(np.int64).astype(np_dtype)


def _adjusted_range(mn, mx, ensure_minimum_range):
    min_range = min(_F(0), _F(mn))
    eps = max(_F(1), max(abs(_F(mn)), abs(_F(mx)))) * _F(ensure_minimum_range)
    return min_range, max(_F(0), max(_F(mx), _F(min_range + eps)))


def _quantize_slice(op, x, mn, mx, attrs):
    """TF's QuantizeSlice (MIN_COMBINED, SCALED): (values, min, max)."""
    dtype, mode = attrs["T"], attrs["mode"]
    lo, hi = _limits(dtype)
    if mx < mn:
        _raise(
            op, errors.InvalidArgumentError, "input_max_range must be larger than input_min_range."
        )
    min_range, max_range = _adjusted_range(mn, mx, attrs["ensure_minimum_range"])
    with np.errstate(all="ignore"):
        if mode == b"MIN_COMBINED":
            scale = _F(np.float64(hi - lo) / np.float64(_F(max_range - min_range)))
            shifted = (np.maximum(np.minimum(x, max_range), min_range) - min_range) * scale
            if lo < 0:
                half = _F((hi - lo + 1) / 2.0)
                return _cast(_round_away(shifted - half), dtype.np_dtype), min_range, max_range
            return _cast(shifted + _F(0.5), dtype.np_dtype), min_range, max_range
        min_out = lo + (1 if attrs["narrow_range"] else 0)
        flt_max = _F(np.finfo(_F).max)
        from_min = _F(min_out) / min_range if _F(min_out) * min_range > 0 else flt_max
        from_max = _F(hi) / max_range if _F(hi) * max_range > 0 else flt_max
        scale = min(_F(from_min), _F(from_max))
        min_range, max_range = _F(_F(min_out) / scale), _F(_F(hi) / scale)
        v = np.maximum(np.minimum(x, max_range), min_range) * scale
        r = np.rint(v) if attrs["round_mode"] == b"HALF_TO_EVEN" else _round_away(v)
        return _cast(r, dtype.np_dtype), min_range, max_range


def _quantize_min_first(x, mn, mx, attrs):
    dtype = attrs["T"]
    lo, hi = _limits(dtype)
    min_range, max_range = _adjusted_range(mn, mx, attrs["ensure_minimum_range"])
    steps = float(1 << (8 * dtype.np_dtype.itemsize))
    with np.errstate(all="ignore"):
        scale = _F(
            0.0 if max_range == min_range else (steps - 1.0) / float(_F(max_range - min_range))
        )
        min_scaled = _round_away(_F(min_range * scale))
        v = _round_away(x * scale) - (min_scaled - _F(lo))
        v = np.minimum(
            np.maximum(v, max(_F(lo), _F(-2.147483648e09))), min(_F(hi), _F(2.147483520e09))
        )
    return _cast(v, dtype.np_dtype), min_range, max_range


def _slices(x, axis):
    """x as (pre, n, post) with n the size of `axis`."""
    pre = int(np.prod(x.shape[:axis]))
    return x.reshape(pre, x.shape[axis], -1)


def _quantize_kernel(op, ctx):
    attrs = dict(op._attrs)
    axis = attrs["axis"]

    def kernel(x, mn, mx):
        x = np.asarray(x, _F)
        if axis == -1 or (x.shape[axis] == 1 and axis < x.ndim):
            mn0, mx0 = _F(np.ravel(mn)[0]), _F(np.ravel(mx)[0])
            if attrs["mode"] == b"MIN_FIRST":
                if mx0 < mn0:
                    _raise(op, errors.InvalidArgumentError,
                           "input_max_range must be larger than input_min_range.")  # fmt: skip
                out, lo, hi = _quantize_min_first(x, mn0, mx0, attrs)
            else:
                out, lo, hi = _quantize_slice(op, x, mn0, mx0, attrs)
            shape = () if axis == -1 else np.shape(mn)
            return out, np.full(shape, lo, _F), np.full(shape, hi, _F)
        if attrs["mode"] == b"MIN_FIRST":
            _raise(op, errors.UnimplementedError,
                   "MIN_FIRST mode is not implemented for Quantize with axis != -1.")  # fmt: skip
        xs = _slices(x, axis)
        out = np.empty(xs.shape, attrs["T"].np_dtype)
        los, his = np.empty(mn.shape, _F), np.empty(mx.shape, _F)
        for i in range(xs.shape[1]):
            out[:, i], los[i], his[i] = _quantize_slice(op, xs[:, i], mn[i], mx[i], attrs)
        return out.reshape(x.shape), los, his

    return kernel


def _minmax_shape(op, x, mn, mx):
    axis = op._attrs["axis"]
    for t in (mn, mx):
        want = 0 if axis == -1 else 1
        if t.rank is not None and t.rank != want:
            raise ValueError(f"Shape must be rank {want} but is rank {t.rank}")
    if axis == -1:
        return TensorShape([])
    if x.rank is not None and axis >= x.rank:
        raise ValueError(f"axis should be in range [-1, {x.rank}), got {axis}")
    depth = None if x.rank is None else x.as_list()[axis]
    for t in (mn, mx):
        d = None if t.rank is None else t.as_list()[0]
        if depth is not None and d is not None and d != depth:
            raise ValueError(f"Dimensions must be equal, but are {depth} and {d}")
        depth = d if depth is None else depth
    return TensorShape([depth])


def _quantize_shape(op):
    x, mn, mx = (t._shape for t in op._inputs)
    s = _minmax_shape(op, x, mn, mx)
    return [x, s, s]


register_op(
    "QuantizeV2",
    inputs=["input: float", "min_range: float", "max_range: float"],
    outputs=["output: T", "output_min: float", "output_max: float"],
    attrs=[
        f"T: {_QTYPES}",
        "mode: {'MIN_COMBINED', 'MIN_FIRST', 'SCALED'} = 'MIN_COMBINED'",
        "round_mode: {'HALF_AWAY_FROM_ZERO', 'HALF_TO_EVEN'} = 'HALF_AWAY_FROM_ZERO'",
        "narrow_range: bool = false",
        "axis: int = -1",
        "ensure_minimum_range: float = 0.01",
    ],
    shape=_quantize_shape,
    make_kernel=_quantize_kernel,
)


# -- Dequantize --------------------------------------------------------------------------
def _dequantize_slice(q, mn, mx, dtype, mode, narrow):
    lo, hi = _limits(dtype)
    mn, mx = _F(mn), _F(mx)
    qf = q.astype(_F)
    with np.errstate(all="ignore"):
        if mode == b"MIN_COMBINED":
            half = _F(0) if lo == 0 else _F((_F(hi) - _F(lo) + _F(1)) / _F(2))
            scale = _F((mx - mn) / (_F(hi) - _F(lo)))
            return (qf + half) * scale + mn
        if mode == b"MIN_FIRST":
            steps = float(1 << (8 * dtype.np_dtype.itemsize))
            scale = _F(float(_F(mx - mn)) / (steps - 1.0))
            rounded = mn if mx == mn else _F(_round_away(_F(mn / scale)) * scale)
            return _F(rounded - _F(lo) * scale) + qf * scale
        min_out = lo + (1 if narrow else 0)
        if lo == 0:
            scale = _F(mx / _F(hi))
        else:
            scale = max(_F(mn / _F(min_out)), _F(mx / _F(hi)))
        return qf * scale


def _dequantize_kernel(op, ctx):
    a = op._attrs
    dtype, mode, narrow, axis, out = a["T"], a["mode"], a["narrow_range"], a["axis"], a["dtype"]

    def kernel(q, mn, mx):
        q = np.asarray(q)
        if axis >= q.ndim:
            _raise(op, errors.InvalidArgumentError,
                   f"Axis must be less than input dimension({q.ndim}), got {axis}")  # fmt: skip
        n = 1 if axis == -1 else q.shape[axis]
        for name, t in (("input_min_tensor", mn), ("input_max_tensor", mx)):
            if np.size(t) != n:
                _raise(op, errors.InvalidArgumentError,
                       f"{name} must have as many elements as input on the dequantization "
                       f"axis ({axis}), got {np.size(t)}, expected {n}")  # fmt: skip
        if n == 1:
            r = _dequantize_slice(q, np.ravel(mn)[0], np.ravel(mx)[0], dtype, mode, narrow)
        else:
            if mode == b"MIN_FIRST":
                msg = "MIN_FIRST mode is not implemented for Dequantize with axis != -1."
                _raise(op, errors.UnimplementedError, msg)
            qs = _slices(q, axis)
            r = np.empty(qs.shape, _F)
            for i in range(n):
                r[:, i] = _dequantize_slice(qs[:, i], mn[i], mx[i], dtype, mode, narrow)
            r = r.reshape(q.shape)
        r = np.asarray(r, _F)
        return dtypes.to_bfloat16(r) if out == dtypes.bfloat16 else r

    return kernel


def _dequantize_shape(op):
    x, mn, mx = (t._shape for t in op._inputs)
    _minmax_shape(op, x, mn, mx)
    return [x]


register_op(
    "Dequantize",
    inputs=["input: T", "min_range: float", "max_range: float"],
    outputs=["output: dtype"],
    attrs=[
        f"T: {_QTYPES}",
        "mode: {'MIN_COMBINED', 'MIN_FIRST', 'SCALED'} = 'MIN_COMBINED'",
        "narrow_range: bool = false",
        "axis: int = -1",
        "dtype: {bfloat16, float} = float",
    ],
    shape=_dequantize_shape,
    make_kernel=_dequantize_kernel,
)


# -- public functions --------------------------------------------------------------------
_QuantizeV2 = collections.namedtuple(  # type: ignore[name-match]  # (TF's name)
    "QuantizeV2", ["output", "output_min", "output_max"]
)


def _positive_axis(input, axis):
    if axis is None:
        return -1
    if axis < 0:
        rank = getattr(getattr(input, "shape", None), "ndims", None)
        if rank is None:
            rank = np.ndim(input) if not hasattr(input, "op") else None
        if rank is None:
            raise ValueError("input should have known rank to use negative axis.")
        axis %= rank
    return int(axis)


def quantize_v2(
    input,
    min_range,
    max_range,
    T,
    mode="MIN_COMBINED",
    name=None,
    round_mode="HALF_AWAY_FROM_ZERO",
    narrow_range=False,
    axis=None,
    ensure_minimum_range=0.01,
):
    """Quantizes float `input` in [min_range, max_range] to the quantized type `T`."""
    attrs = {
        "T": dtypes.as_dtype(T),
        "mode": mode.encode() if isinstance(mode, str) else mode,
        "round_mode": round_mode.encode() if isinstance(round_mode, str) else round_mode,
        "narrow_range": bool(narrow_range),
        "axis": _positive_axis(input, axis),
        "ensure_minimum_range": float(ensure_minimum_range),
    }
    op = apply_op("QuantizeV2", name, [input, min_range, max_range], attrs)
    return _QuantizeV2(*op.outputs)


def quantize(
    input,
    min_range,
    max_range,
    T,
    mode="MIN_COMBINED",
    round_mode="HALF_AWAY_FROM_ZERO",
    name=None,
    narrow_range=False,
    axis=None,
    ensure_minimum_range=0.01,
):
    """`tf.quantization.quantize` (`quantize_v2` with `round_mode` before `name`)."""
    return quantize_v2(
        input, min_range, max_range, T, mode, name, round_mode, narrow_range, axis,
        ensure_minimum_range,
    )  # fmt: skip


def dequantize(
    input,
    min_range,
    max_range,
    mode="MIN_COMBINED",
    name=None,
    axis=None,
    narrow_range=False,
    dtype=dtypes.float32,
):
    """Dequantizes quantized `input` in [min_range, max_range] to float (or bfloat16)."""
    attrs = {
        "mode": mode.encode() if isinstance(mode, str) else mode,
        "narrow_range": bool(narrow_range),
        "axis": _positive_axis(input, axis),
        "dtype": dtypes.as_dtype(dtype),
    }
    op = apply_op("Dequantize", name, [input, min_range, max_range], attrs)
    return op.outputs[0]


# -- QuantizedConcat ---------------------------------------------------------------------
def _requantize(q, in_min, in_max, out_min, out_max, dtype):
    """TF's RequantizeCopier: DEQUANTIZE_WITH_EIGEN then QUANTIZE_WITH_EIGEN (float32)."""
    if in_min == out_min and in_max == out_max:
        return q
    lo, hi = _limits(dtype)
    steps = float(1 << (8 * dtype.np_dtype.itemsize))
    with np.errstate(all="ignore"):
        q_scale = _F(float(_F(in_max - in_min)) / (steps - 1.0))
        rounded = in_min if in_max == in_min else _F(_round_away(_F(in_min / q_scale)) * q_scale)
        f = _F(rounded - _F(lo) * q_scale) + q.astype(_F) * q_scale
        f_scale = _F(0.0 if out_max == out_min else (steps - 1.0) / float(_F(out_max - out_min)))
        min_scaled = _round_away(_F(out_min * f_scale))
        v = _round_away(f * f_scale) - (min_scaled - _F(lo))
        v = np.minimum(
            np.maximum(v, max(_F(lo), _F(-2.147483648e09))), min(_F(hi), _F(2.147483520e09))
        )
    return _cast(v, dtype.np_dtype)


def _qconcat_kernel(op, ctx):
    dtype, n = op._attrs["T"], op._attrs["N"]
    if dtype not in (dtypes.quint8, dtypes.qint32):
        message = (
            f"No OpKernel was registered to support Op 'QuantizedConcat' used by {{{{node "
            f"{op.name}}}}} with these attrs: [T=DT_{dtype.name.upper()}, N={n}]\n"
            "Registered devices: [CPU]\nRegistered kernels:\n"
            "  device='CPU'; T in [DT_QINT32]\n  device='CPU'; T in [DT_QUINT8]\n"
        )
        raise errors.InvalidArgumentError(None, op, message + f"\n\t [[{op.name}]]")

    def kernel(axis, *args):
        values, mins, maxes = args[:n], args[n : 2 * n], args[2 * n :]
        pairs = [(_F(np.ravel(a)[0]), _F(np.ravel(b)[0])) for a, b in zip(mins, maxes)]
        lo = min([_F(np.finfo(_F).max)] + [p[0] for p in pairs])
        hi = max([_F(np.finfo(_F).min)] + [p[1] for p in pairs])
        if dtype is dtypes.qint32:  # signed: symmetric around zero
            hi = max(abs(lo), abs(hi))
            lo = -hi
        axis = int(axis)
        rank = np.ndim(values[0])
        if not 0 <= axis < max(rank, 1):
            _raise(op, errors.InvalidArgumentError,
                   f"ConcatOp : Expected concatenating dimensions in the range [0, {rank}), "
                   f"but got {axis}")  # fmt: skip
        parts = [
            _requantize(np.asarray(v), a, b, lo, hi, dtype) for v, (a, b) in zip(values, pairs)
        ]
        out = np.concatenate([np.atleast_1d(p) for p in parts], axis=axis)
        return out, _F(lo), _F(hi)

    return kernel


def _qconcat_shape(op):
    from types import SimpleNamespace

    from tfgraph.ops.array_ops import _concat_shape

    n = op._attrs["N"]
    for t in op._inputs[1 + n :]:
        if t._shape.rank not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {t._shape.rank}")
    view = SimpleNamespace(_inputs=[*op._inputs[1 : 1 + n], op._inputs[0]], name=op.name)
    return [_concat_shape(view)[0], TensorShape([]), TensorShape([])]


register_op(
    "QuantizedConcat",
    inputs=[
        "concat_dim: int32",
        "values: N * T",
        "input_mins: N * float32",
        "input_maxes: N * float32",
    ],
    outputs=["output: T", "output_min: float", "output_max: float"],
    attrs=["N: int >= 2", "T: type"],
    shape=_qconcat_shape,
    make_kernel=_qconcat_kernel,
)

_QuantizedConcat = collections.namedtuple(  # type: ignore[name-match]  # (TF's name)
    "QuantizedConcat", ["output", "output_min", "output_max"]
)


def quantized_concat(concat_dim, values, input_mins, input_maxes, name=None):
    """Concatenates quantized `values` along `concat_dim`, requantized into one range."""
    op = apply_op(
        "QuantizedConcat", name, [concat_dim, list(values), list(input_mins), list(input_maxes)]
    )
    return _QuantizedConcat(*op.outputs)
