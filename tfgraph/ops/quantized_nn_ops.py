"""Eight-bit nn ops: QuantizedConv2D, QuantizedMaxPool, QuantizedAvgPool and QuantizedRelu,
QuantizedRelu6, QuantizedReluX (`tf.nn.quantized_conv2d`, `quantized_max_pool`,
`quantized_avg_pool`, `quantized_relu_x`).

Quantized tensors are stored as their underlying integers (uint8 for quint8, ...). The
kernels follow TF's CPU kernels (quantized_conv_ops.cc, quantized_pooling_ops.cc,
quantized_activation_ops.cc): the convolution subtracts each operand's zero point and sums
in 32 bits, its output range is the product of one quantization level of each input
scaled to qint32; pools and activations keep their input's range. Dtype combinations TF
registers no CPU kernel for fail at run time as in TF. (TF 2.21's pip build registers no
kernel for the QuantizedRelu ops at all; tfgraph runs them as TF's kernel source defines.)
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op

__all__ = ["quantized_avg_pool", "quantized_conv2d", "quantized_max_pool", "quantized_relu_x"]

_QTYPES = "{qint8, quint8, qint32, qint16, quint16}"
_F = np.float32


def _node(op) -> str:
    return f"\n\t [[{{{{node {op.name}}}}}]]"


def _no_kernel(op, attrs: str):
    raise errors.InvalidArgumentError(
        None,
        op,
        f"No OpKernel was registered to support Op '{op.type}' used by {{{{node {op.name}}}}} "
        f"with these attrs: [{attrs}]; TF's CPU kernels take quint8 values here (quantize "
        "with tf.quantization.quantize to quint8).",
    )


def _limits(dtype) -> tuple[int, int]:
    info = np.iinfo(dtype.np_dtype)
    return int(info.min), int(info.max)


def float_to_quantized_unclamped(value: float, range_min: float, range_max: float, dtype) -> int:
    """TF's FloatToQuantizedUnclamped: the (unclamped) code of `value` in the range."""
    lowest = _limits(dtype)[0]
    range_min, range_max = float(_F(range_min)), float(_F(range_max))
    if range_min == range_max:
        return lowest
    steps = 1 << (dtype.np_dtype.itemsize * 8)
    scale = steps / ((range_max - range_min) * (steps / (steps - 1.0)))
    return (
        int(_round_half_away(float(_F(value)) * scale) - _round_half_away(range_min * scale))
        + lowest
    )


def _round_half_away(v: float) -> float:
    return float(np.sign(v) * np.floor(abs(v) + 0.5))


def float_to_quantized(value: float, range_min: float, range_max: float, dtype) -> int:
    """TF's FloatToQuantized: the code of `value`, saturated to the type's range."""
    lo, hi = _limits(dtype)
    return min(max(float_to_quantized_unclamped(value, range_min, range_max, dtype), lo), hi)


def _one_level(range_min, range_max, dtype):
    lo, hi = _limits(dtype)
    return _F((_F(range_max) - _F(range_min)) / _F(hi - lo))


def _scalar(op, value, what: str) -> float:
    a = np.asarray(value)
    if a.size != 1:
        raise errors.InvalidArgumentError(
            None, op, f"{op.name}: {what} must be a scalar, got shape {list(a.shape)}{_node(op)}"
        )
    return float(a.reshape(-1)[0])


# -- QuantizedConv2D ------------------------------------------------------------------------
def _windowed_size(op, size: int, k: int, stride: int, padding: bytes) -> int:
    if padding == b"SAME":
        return -(-size // stride)
    out = (size - k + stride) // stride
    if out <= 0:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Computed output size would be negative: {out} [input_size: {size}, "
            f"effective_filter_size: {k}, stride: {stride}]{_node(op)}",
        )
    return out


def _qconv(op, x, f, strides, padding, offsets):
    """TF's reference quantized convolution: sums of (x - x0) * (f - f0) in 32 bits."""
    if x.ndim != 4 or f.ndim != 4:
        raise errors.InvalidArgumentError(
            None, op, f"{op.name}: input and filter must be 4-dimensional{_node(op)}"
        )
    n, h, w, c = x.shape
    kh, kw, fc, oc = f.shape
    if c != fc:
        raise errors.InvalidArgumentError(
            None, op, f"input and filter must have the same depth: {c} vs {fc}{_node(op)}"
        )
    s = strides[1]
    oh = _windowed_size(op, h, kh, s, padding)
    ow = _windowed_size(op, w, kw, s, padding)
    top = int(((oh - 1) * s + kh - h) / 2)  # (C++ integer division: toward zero)
    left = int(((ow - 1) * s + kw - w) / 2)
    xq = x.astype(np.int64) - offsets[0]
    fq = f.astype(np.int64) - offsets[1]
    out = np.zeros((n, oh, ow, oc), np.int64)
    ys = np.arange(oh) * s - top
    xs = np.arange(ow) * s - left
    for fy in range(kh):
        iy = ys + fy
        vy = (iy >= 0) & (iy < h)
        for fx in range(kw):
            ix = xs + fx
            vx = (ix >= 0) & (ix < w)
            patch = xq[:, np.clip(iy, 0, h - 1)][:, :, np.clip(ix, 0, w - 1)]
            patch = patch * (vy[:, None] & vx[None, :])[None, :, :, None]
            out += patch @ fq[fy, fx]
    return out.astype(np.int32)


def _qconv_kernel(op, ctx):
    a = op._attrs
    tin, tfil, tout = a["Tinput"], a["Tfilter"], a["out_type"]
    strides, padding = list(a["strides"]), a["padding"]
    supported = tin is dtypes.quint8 and tfil is dtypes.quint8 and tout is dtypes.qint32

    def kernel(x, f, min_x, max_x, min_f, max_f):
        if not supported:
            _no_kernel(op, f"Tinput={tin.name}, Tfilter={tfil.name}, out_type={tout.name}")
        if len(strides) != 4 or strides[1] != strides[2] or strides[0] != 1 or strides[3] != 1:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Current implementation only supports equal length strides in the row and "
                f"column dimensions, and none in the batch and depth dimensions.{_node(op)}",
            )
        mn_x, mx_x = _scalar(op, min_x, "min_input"), _scalar(op, max_x, "max_input")
        mn_f, mx_f = _scalar(op, min_f, "min_filter"), _scalar(op, max_f, "max_filter")
        offsets = (
            float_to_quantized_unclamped(0.0, mn_x, mx_x, tin),
            float_to_quantized_unclamped(0.0, mn_f, mx_f, tfil),
        )
        out = _qconv(op, np.asarray(x), np.asarray(f), strides, padding, offsets)
        level = _F(_one_level(mn_x, mx_x, tin) * _one_level(mn_f, mx_f, tfil))
        lo, hi = _limits(tout)
        return out, _F(level * _F(lo)), _F(level * _F(hi))

    return kernel


def _check_scalars(op, first: int) -> None:
    for t in op._inputs[first:]:
        dims = t._shape._dims
        if dims is not None and len(dims) != 0:
            raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(dims)}")


def _rank4(op, t) -> tuple | None:
    dims = t._shape._dims
    if dims is not None and len(dims) != 4:
        raise common_shapes.shape_error(op, f"Shape must be rank 4 but is rank {len(dims)}")
    return dims


def _out_dim(size, k, stride, padding: bytes):
    if size is None or k is None:
        return None
    if padding == b"SAME":
        return -(-size // stride)
    return (size - k + stride) // stride


def _qconv_shape(op):
    _check_scalars(op, 2)
    x = _rank4(op, op._inputs[0])
    f = _rank4(op, op._inputs[1])
    strides, padding = op._attrs["strides"], op._attrs["padding"]
    if len(strides) != 4:
        raise common_shapes.shape_error(
            op, f"Conv2D requires the stride attribute to contain 4 values, but got: {len(strides)}"
        )
    if x is None:
        x = (None,) * 4
    if f is None:
        f = (None,) * 4
    if x[3] is not None and f[2] is not None and x[3] != f[2]:
        raise common_shapes.shape_error(op, f"Dimensions must be equal, but are {x[3]} and {f[2]}")
    out = TensorShape(
        [
            x[0],
            _out_dim(x[1], f[0], strides[1], padding),
            _out_dim(x[2], f[1], strides[2], padding),
            f[3],
        ]
    )
    return [out, common_shapes.SCALAR, common_shapes.SCALAR]


register_op(
    "QuantizedConv2D",
    inputs=[
        "input: Tinput",
        "filter: Tfilter",
        "min_input: float",
        "max_input: float",
        "min_filter: float",
        "max_filter: float",
    ],
    outputs=["output: out_type", "min_output: float", "max_output: float"],
    attrs=[
        f"Tinput: {_QTYPES}",
        f"Tfilter: {_QTYPES}",
        f"out_type: {_QTYPES} = qint32",
        "strides: list(int)",
        "padding: {'SAME', 'VALID'}",
        "dilations: list(int) = [1, 1, 1, 1]",
    ],
    shape=_qconv_shape,
    make_kernel=_qconv_kernel,
)


# -- QuantizedMaxPool, QuantizedAvgPool --------------------------------------------------------
def _pool_windows(op, x, ksize, strides, padding):
    """(padded input, valid-element mask, output shape, window offsets) of a 4-D pool."""
    from tfgraph.ops.conv_kernels import pool_geometry

    if ksize[0] != 1 or strides[0] != 1:
        raise errors.UnimplementedError(
            None, op, f"Pooling is not yet supported on the batch dimension.{_node(op)}"
        )
    if ksize[3] != 1 or strides[3] != 1:
        raise errors.UnimplementedError(
            None, op, f"Non-spatial pooling is not yet supported.{_node(op)}"
        )
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, op, f"tensor_in must be 4-dimensional{_node(op)}")
    pads, out = pool_geometry(x.shape, ksize, strides, padding)
    return pads, out


def _pool_kernel(op, ctx, average: bool):
    a = op._attrs
    dtype, ksize, strides, padding = a["T"], list(a["ksize"]), list(a["strides"]), a["padding"]

    def kernel(x, min_x, max_x):
        if dtype not in (dtypes.quint8, dtypes.qint8):
            _no_kernel(op, f"T={dtype.name}")
        x = np.asarray(x)
        pads, out_shape = _pool_windows(op, x, ksize, strides, padding)
        xi = np.pad(x.astype(np.int64), pads)
        valid = np.pad(np.ones(x.shape, bool), pads)
        acc = None
        count = np.zeros(out_shape, np.int64)
        for offset in np.ndindex(*ksize):
            index = tuple(
                slice(o, o + (n - 1) * s + 1, s)
                for o, n, s in zip(offset, out_shape, strides, strict=True)
            )
            part, ok = xi[index], valid[index]
            count += ok
            if average:
                acc = part * ok if acc is None else acc + part * ok
            else:
                part = np.where(ok, part, np.iinfo(np.int64).min)
                acc = part if acc is None else np.maximum(acc, part)
        if average:  # (int32 sums divided by the count, truncating as C++)
            acc = np.trunc(acc / np.maximum(count, 1)).astype(np.int64)
        lo, hi = _limits(dtype)
        out = np.clip(acc, lo, hi).astype(dtype.np_dtype)
        return out, _F(_scalar(op, min_x, "min_input")), _F(_scalar(op, max_x, "max_input"))

    return kernel


def _pool_shape(op):
    _check_scalars(op, 1)
    x = _rank4(op, op._inputs[0])
    ksize, strides, padding = op._attrs["ksize"], op._attrs["strides"], op._attrs["padding"]
    for name, v in (("ksize", ksize), ("strides", strides)):
        if len(v) != 4:
            raise common_shapes.shape_error(op, f"{name} must be length 4 (NHWC), got {len(v)}")
    if x is None:
        out = TensorShape([None] * 4)
    else:
        out = TensorShape([_out_dim(x[d], ksize[d], strides[d], padding) for d in range(4)])
    return [out, common_shapes.SCALAR, common_shapes.SCALAR]


for _name, _average in (("QuantizedMaxPool", False), ("QuantizedAvgPool", True)):
    register_op(
        _name,
        inputs=["input: T", "min_input: float", "max_input: float"],
        outputs=["output: T", "min_output: float", "max_output: float"],
        attrs=[
            f"T: {_QTYPES}",
            "ksize: list(int)",
            "strides: list(int)",
            "padding: {'SAME', 'VALID'}",
        ],
        shape=_pool_shape,
        make_kernel=lambda op, ctx, _a=_average: _pool_kernel(op, ctx, _a),
    )


# -- QuantizedRelu, QuantizedRelu6, QuantizedReluX -------------------------------------------
def _relu_kernel(op, ctx, cap):
    a = op._attrs
    tin, tout = a["Tinput"], a["out_type"]

    def kernel(x, *rest):
        if tin is not tout or tin not in (dtypes.quint8, dtypes.qint32):
            _no_kernel(op, f"Tinput={tin.name}, out_type={tout.name}")
        if cap == "x":
            top, (mn, mx) = _scalar(op, rest[0], "max_value"), rest[1:]
        else:
            top, (mn, mx) = cap, rest
        mn, mx = _scalar(op, mn, "min_features"), _scalar(op, mx, "max_features")
        low = float_to_quantized(0.0, mn, mx, tin)
        x = np.asarray(x)
        out = np.maximum(x, np.asarray(low).astype(x.dtype))
        if top is not None:
            out = np.minimum(out, np.asarray(float_to_quantized(top, mn, mx, tin)).astype(x.dtype))
        return out.astype(tout.np_dtype), _F(mn), _F(mx)

    return kernel


def _relu_shape(op):
    _check_scalars(op, 1)
    return [op._inputs[0]._shape, common_shapes.SCALAR, common_shapes.SCALAR]


for _name, _cap in (("QuantizedRelu", None), ("QuantizedRelu6", 6.0), ("QuantizedReluX", "x")):
    register_op(
        _name,
        inputs=["features: Tinput"]
        + (["max_value: float"] if _cap == "x" else [])
        + ["min_features: float", "max_features: float"],
        outputs=["activations: out_type", "min_activations: float", "max_activations: float"],
        attrs=[f"Tinput: {_QTYPES}", f"out_type: {_QTYPES} = quint8"],
        shape=_relu_shape,
        make_kernel=lambda op, ctx, _c=_cap: _relu_kernel(op, ctx, _c),
    )


# -- public wrappers ------------------------------------------------------------------------
def quantized_conv2d(
    input,
    filter,
    min_input,
    max_input,
    min_filter,
    max_filter,
    strides,
    padding,
    out_type=dtypes.qint32,
    dilations=(1, 1, 1, 1),
    name=None,
):
    """2-D convolution of quantized `input` and `filter` (QuantizedConv2D); returns
    (output, min_output, max_output), the output in qint32 codes of that range."""
    op = apply_op(
        "QuantizedConv2D",
        name,
        [input, filter, min_input, max_input, min_filter, max_filter],
        {
            "out_type": dtypes.as_dtype(out_type),
            "strides": list(strides),
            "padding": padding.encode() if isinstance(padding, str) else padding,
            "dilations": list(dilations),
        },
    )
    return tuple(op.outputs)


def _pool(op_type, input, min_input, max_input, ksize, strides, padding, name):
    op = apply_op(
        op_type,
        name,
        [input, min_input, max_input],
        {
            "ksize": list(ksize),
            "strides": list(strides),
            "padding": padding.encode() if isinstance(padding, str) else padding,
        },
    )
    return tuple(op.outputs)


def quantized_max_pool(input, min_input, max_input, ksize, strides, padding, name=None):
    """Max pooling of quantized `input` (QuantizedMaxPool); the range passes through."""
    return _pool("QuantizedMaxPool", input, min_input, max_input, ksize, strides, padding, name)


def quantized_avg_pool(input, min_input, max_input, ksize, strides, padding, name=None):
    """Average pooling of quantized `input` (QuantizedAvgPool); the range passes through."""
    return _pool("QuantizedAvgPool", input, min_input, max_input, ksize, strides, padding, name)


def quantized_relu_x(
    features, max_value, min_features, max_features, out_type=dtypes.quint8, name=None
):
    """min(max(features, 0), max_value) on quantized codes (QuantizedReluX)."""
    op = apply_op(
        "QuantizedReluX",
        name,
        [features, max_value, min_features, max_features],
        {"out_type": dtypes.as_dtype(out_type)},
    )
    return tuple(op.outputs)
