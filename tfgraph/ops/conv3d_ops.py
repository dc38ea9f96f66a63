"""3-D convolution and pooling ops (NDHWC and NCDHW) with their gradients.

Registered here: Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2, MaxPool3D,
MaxPool3DGrad, MaxPool3DGradGrad, AvgPool3D and AvgPool3DGrad, with TF's gradients
(nn_grad.py); and the functions `tf.nn.conv3d`, `conv3d_transpose`,
`conv3d_backprop_filter(_v2)`, `max_pool3d`, `avg_pool3d` as TF builds them. Kernels
(tfgraph.ops.conv3d_kernels) work on NDHWC arrays; NCDHW is transposed in and out.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops import conv3d_kernels as k3
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ops.conv_kernels import work_dtype
from tfgraph.ops.conv_ops import _attrs_of, _dims, _get_sequence, _output_size, _suffix

__all__ = [
    "avg_pool3d",
    "conv3d",
    "conv3d_backprop_filter",
    "conv3d_backprop_filter_v2",
    "conv3d_transpose",
    "max_pool3d",
]

_SPATIAL = {b"NDHWC": (1, 2, 3), b"NCDHW": (2, 3, 4)}


def _channels_last(x: np.ndarray, fmt: bytes) -> np.ndarray:
    return np.transpose(x, (0, 2, 3, 4, 1)) if fmt == b"NCDHW" else x


def _channels_first(x: np.ndarray, fmt: bytes) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(x, (0, 4, 1, 2, 3)) if fmt == b"NCDHW" else x)


def _spatial(op, name: str) -> tuple:
    values = list(op._attrs[name])
    if len(values) != 5:
        raise ValueError(
            f"{name} attribute must have 5 elements, but got {len(values)}{_suffix(op)}"
        )
    axes = _SPATIAL[op._attrs["data_format"]]
    return tuple(int(values[a]) for a in axes)


def _layout(fmt: bytes, n, spatial, c) -> TensorShape:
    dims = (n, c, *spatial) if fmt == b"NCDHW" else (n, *spatial, c)
    return TensorShape._from_tuple(tuple(dims))


# -- Conv3D --------------------------------------------------------------------------------------
_CONV_ATTRS = ("strides", "padding", "data_format", "dilations")


def _conv3d_shape(op):
    x = _dims(op, op._inputs[0], rank=5)
    f = _dims(op, op._inputs[1], rank=5)
    fmt = op._attrs["data_format"]
    axes = _SPATIAL[fmt]
    strides, dilations = _spatial(op, "strides"), _spatial(op, "dilations")
    # TF's shape function swaps the row and column dilations (its kernels do not)
    dilations = (dilations[0], dilations[2], dilations[1])
    padding = op._attrs["padding"]
    sizes = tuple(
        _output_size(op, x[a], f[i], strides[i], dilations[i], padding, (0, 0))
        for i, a in enumerate(axes)
    )
    in_depth = x[1 if fmt == b"NCDHW" else 4]
    if in_depth is not None and f[3] is not None and (f[3] == 0 or in_depth % f[3]):
        raise ValueError(
            f"Depth of input ({in_depth}) is not a multiple of input depth of filter "
            f"({f[3]}){_suffix(op)}"
        )
    return [_layout(fmt, x[0], sizes, f[4])]


def _conv3d_kernel(op, ctx):
    fmt = op._attrs["data_format"]
    strides, dilations = _spatial(op, "strides"), _spatial(op, "dilations")
    padding = op._attrs["padding"]
    out_dtype = op._attrs["T"].np_dtype
    work = work_dtype(out_dtype)

    def kernel(x, f):
        x, f = np.asarray(x, work), np.asarray(f, work)
        if x.ndim != 5 or f.ndim != 5:
            raise errors.InvalidArgumentError(
                None, op, "input and filter must be 5-dimensional tensors"
            )
        x = _channels_last(x, fmt)
        if x.shape[4] != f.shape[3]:
            raise errors.InvalidArgumentError(
                None, op, f"input and filter must have the same depth: {x.shape[4]} vs {f.shape[3]}"
            )
        out, pads = k3.geometry(x.shape[1:4], f.shape[:3], strides, dilations, padding)
        y = k3.conv3d(x, f, strides, dilations, pads, out)
        return _channels_first(y.astype(out_dtype, copy=False), fmt)

    return kernel


def _backprop_input_kernel(op, ctx):
    fmt = op._attrs["data_format"]
    strides, dilations = _spatial(op, "strides"), _spatial(op, "dilations")
    padding = op._attrs["padding"]
    out_dtype = op._attrs["T"].np_dtype
    work = work_dtype(out_dtype)

    def kernel(sizes, f, dy):
        sizes = [int(v) for v in np.reshape(sizes, -1)]
        shape = [sizes[0], *sizes[2:], sizes[1]] if fmt == b"NCDHW" else sizes
        f = np.asarray(f, work)
        dy = _channels_last(np.asarray(dy, work), fmt)
        _, pads = k3.geometry(shape[1:4], f.shape[:3], strides, dilations, padding)
        dx = k3.conv3d_backprop_input(shape, f, dy, strides, dilations, pads)
        return _channels_first(dx.astype(out_dtype, copy=False), fmt)

    return kernel


def _backprop_filter_kernel(op, ctx):
    fmt = op._attrs["data_format"]
    strides, dilations = _spatial(op, "strides"), _spatial(op, "dilations")
    padding = op._attrs["padding"]
    out_dtype = op._attrs["T"].np_dtype
    work = work_dtype(out_dtype)

    def kernel(x, sizes, dy):
        sizes = [int(v) for v in np.reshape(sizes, -1)]
        x = _channels_last(np.asarray(x, work), fmt)
        dy = _channels_last(np.asarray(dy, work), fmt)
        _, pads = k3.geometry(x.shape[1:4], sizes[:3], strides, dilations, padding)
        df = k3.conv3d_backprop_filter(x, sizes, dy, strides, dilations, pads)
        return df.astype(out_dtype, copy=False)

    return kernel


def _sizes_shape(op, at: int, rank: int = 5):
    _dims(op, op._inputs[at], rank=1)
    value = constant_value(op._inputs[at])
    if value is None:
        return [TensorShape._from_tuple((None,) * rank)]
    return [TensorShape._from_tuple(tuple(int(v) if v >= 0 else None for v in value))]


def _conv3d_grad(op, grad):
    x, f = op._inputs
    shape_0, shape_1 = array_ops.shape_n([x, f])
    attrs = _attrs_of(op, _CONV_ATTRS)
    return [
        op_output("Conv3DBackpropInputV2", None, [shape_0, f, grad], dict(attrs)),
        op_output("Conv3DBackpropFilterV2", None, [x, shape_1, grad], dict(attrs)),
    ]


def _conv3d_backprop_input_grad(op, grad):
    _, f, dy = op._inputs
    return [
        None,
        op_output(
            "Conv3DBackpropFilterV2",
            None,
            [grad, array_ops.shape(f), dy],
            _attrs_of(op, _CONV_ATTRS),
        ),
        op_output("Conv3D", None, [grad, f], _attrs_of(op, _CONV_ATTRS)),
    ]


def _conv3d_backprop_filter_grad(op, grad):
    x, _, dy = op._inputs
    return [
        op_output(
            "Conv3DBackpropInputV2",
            None,
            [array_ops.shape(x), grad, dy],
            _attrs_of(op, _CONV_ATTRS),
        ),
        None,
        op_output("Conv3D", None, [x, grad], _attrs_of(op, _CONV_ATTRS)),
    ]


_FORMAT_5D = "data_format: {'NDHWC', 'NCDHW'} = 'NDHWC'"
_CONV_DECLS = [
    "T: {half, bfloat16, float, double}",
    "strides: list(int) >= 5",
    "padding: {'SAME', 'VALID'}",
    _FORMAT_5D,
    "dilations: list(int) = [1, 1, 1, 1, 1]",
]

register_op(
    "Conv3D",
    inputs=["input: T", "filter: T"],
    outputs=["output: T"],
    attrs=_CONV_DECLS,
    shape=_conv3d_shape,
    make_kernel=_conv3d_kernel,
    grad=_conv3d_grad,
)
register_op(
    "Conv3DBackpropInputV2",
    inputs=["input_sizes: Tshape", "filter: T", "out_backprop: T"],
    outputs=["output: T"],
    attrs=[*_CONV_DECLS, "Tshape: {int32, int64} = int32"],
    shape=lambda op: _sizes_shape(op, 0),
    make_kernel=_backprop_input_kernel,
    grad=_conv3d_backprop_input_grad,
)
register_op(
    "Conv3DBackpropFilterV2",
    inputs=["input: T", "filter_sizes: int32", "out_backprop: T"],
    outputs=["output: T"],
    attrs=_CONV_DECLS,
    shape=lambda op: _sizes_shape(op, 1),
    make_kernel=_backprop_filter_kernel,
    grad=_conv3d_backprop_filter_grad,
)


# -- pooling -------------------------------------------------------------------------------------
_POOL_ATTRS = ("ksize", "strides", "padding", "data_format")


def _pool3d_shape(op):
    x = _dims(op, op._inputs[0], rank=5)
    fmt = op._attrs["data_format"]
    axes = _SPATIAL[fmt]
    ksize, strides = _spatial(op, "ksize"), _spatial(op, "strides")
    padding = op._attrs["padding"]
    sizes = tuple(
        _output_size(op, x[a], ksize[i], strides[i], 1, padding, (0, 0)) for i, a in enumerate(axes)
    )
    return [_layout(fmt, x[0], sizes, x[4 if fmt == b"NDHWC" else 1])]


def _pool_setup(op):
    fmt = op._attrs["data_format"]
    ksize, strides = _spatial(op, "ksize"), _spatial(op, "strides")
    padding = op._attrs["padding"]

    def geometry(in_sizes):
        return k3.geometry(in_sizes, ksize, strides, (1, 1, 1), padding)

    return fmt, ksize, strides, geometry


def _max_pool3d_kernel(op, ctx):
    fmt, ksize, strides, geometry = _pool_setup(op)

    def kernel(x):
        x = _channels_last(np.asarray(x), fmt)
        out, pads = geometry(x.shape[1:4])
        work = x.astype(work_dtype(x.dtype), copy=False)
        y = k3.max_pool3d(work, ksize, strides, pads, out)
        return _channels_first(y.astype(x.dtype, copy=False), fmt)

    return kernel


def _avg_pool3d_kernel(op, ctx):
    fmt, ksize, strides, geometry = _pool_setup(op)

    def kernel(x):
        x = _channels_last(np.asarray(x), fmt)
        out, pads = geometry(x.shape[1:4])
        y = k3.avg_pool3d(x.astype(work_dtype(x.dtype)), ksize, strides, pads, out)
        return _channels_first(y.astype(x.dtype, copy=False), fmt)

    return kernel


def _max_pool3d_grad_kernel(op, ctx):
    fmt, ksize, strides, geometry = _pool_setup(op)
    out_dtype = op._attrs["T"].np_dtype

    def kernel(x, y, dy):
        x, y = _channels_last(np.asarray(x), fmt), _channels_last(np.asarray(y), fmt)
        dy = _channels_last(np.asarray(dy, work_dtype(out_dtype)), fmt)
        out, pads = geometry(x.shape[1:4])
        dx = k3.max_pool3d_grad(x, y, dy, ksize, strides, pads, out)
        return _channels_first(dx.astype(out_dtype, copy=False), fmt)

    return kernel


def _max_pool3d_grad_grad_kernel(op, ctx):
    fmt, ksize, strides, geometry = _pool_setup(op)

    def kernel(x, y, g):
        x, y, g = (_channels_last(np.asarray(a), fmt) for a in (x, y, g))
        out, pads = geometry(x.shape[1:4])
        return _channels_first(k3.max_pool3d_grad_grad(x, y, g, ksize, strides, pads, out), fmt)

    return kernel


def _avg_pool3d_grad_kernel(op, ctx):
    fmt, ksize, strides, geometry = _pool_setup(op)
    out_dtype = op._attrs["T"].np_dtype

    def kernel(sizes, dy):
        sizes = [int(v) for v in np.reshape(sizes, -1)]
        shape = [sizes[0], *sizes[2:], sizes[1]] if fmt == b"NCDHW" else sizes
        dy = _channels_last(np.asarray(dy, work_dtype(out_dtype)), fmt)
        _, pads = geometry(shape[1:4])
        dx = k3.avg_pool3d_grad(shape, dy, ksize, strides, pads)
        return _channels_first(dx.astype(out_dtype, copy=False), fmt)

    return kernel


def _max_pool3d_grad(op, grad):
    return op_output(
        "MaxPool3DGrad", None, [op._inputs[0], op._outputs[0], grad], _attrs_of(op, _POOL_ATTRS)
    )


def _max_pool3d_grad_grad(op, grad):
    x, y, _ = op._inputs
    return (
        array_ops.zeros_like(x),
        array_ops.zeros_like(y),
        op_output("MaxPool3DGradGrad", None, [x, y, grad], _attrs_of(op, _POOL_ATTRS)),
    )


def _max_pool3d_grad_grad_grad(op, grad):
    x, y, _ = op._inputs
    return (
        array_ops.zeros_like(x),
        array_ops.zeros_like(y),
        op_output("MaxPool3DGrad", None, [x, y, grad], _attrs_of(op, _POOL_ATTRS)),
    )


def _avg_pool3d_grad(op, grad):
    shape = array_ops.shape(op._inputs[0])
    return op_output("AvgPool3DGrad", None, [shape, grad], _attrs_of(op, _POOL_ATTRS))


def _avg_pool3d_grad_grad(op, grad):
    return (
        array_ops.stop_gradient(op._inputs[0]),
        op_output("AvgPool3D", None, [grad], _attrs_of(op, _POOL_ATTRS)),
    )


_POOL_DECLS = [
    "ksize: list(int) >= 5",
    "strides: list(int) >= 5",
    "padding: {'SAME', 'VALID'}",
    _FORMAT_5D,
]
register_op(
    "MaxPool3D",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=[*_POOL_DECLS, "T: {half, bfloat16, float}"],
    shape=_pool3d_shape,
    make_kernel=_max_pool3d_kernel,
    grad=_max_pool3d_grad,
)
register_op(
    "MaxPool3DGrad",
    inputs=["orig_input: TInput", "orig_output: TInput", "grad: T"],
    outputs=["output: T"],
    attrs=[
        *_POOL_DECLS,
        "T: {half, bfloat16, float} = float",
        "TInput: {half, bfloat16, float} = float",
    ],
    shape=lambda op: [TensorShape._from_tuple(_dims(op, op._inputs[0], rank=5))],
    make_kernel=_max_pool3d_grad_kernel,
    grad=_max_pool3d_grad_grad,
)
register_op(
    "MaxPool3DGradGrad",
    inputs=["orig_input: T", "orig_output: T", "grad: T"],
    outputs=["output: T"],
    attrs=[*_POOL_DECLS, "T: realnumbertype"],
    shape=_pool3d_shape,
    make_kernel=_max_pool3d_grad_grad_kernel,
    grad=_max_pool3d_grad_grad_grad,
)
register_op(
    "AvgPool3D",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=[*_POOL_DECLS, "T: {half, bfloat16, float, double}"],
    shape=_pool3d_shape,
    make_kernel=_avg_pool3d_kernel,
    grad=_avg_pool3d_grad,
)
register_op(
    "AvgPool3DGrad",
    inputs=["orig_input_shape: int32", "grad: T"],
    outputs=["output: T"],
    attrs=[*_POOL_DECLS, "T: {half, bfloat16, float, double}"],
    shape=lambda op: _sizes_shape(op, 0),
    make_kernel=_avg_pool3d_grad_kernel,
    grad=_avg_pool3d_grad_grad,
)


# -- the tf.nn functions ------------------------------------------------------------------------
def _fmt(data_format) -> bytes:
    return (data_format or "NDHWC").encode() if isinstance(data_format, str) else data_format


def _pad_attr(padding) -> bytes:
    return padding.encode() if isinstance(padding, str) else padding


def conv3d(
    input,
    filter=None,
    strides=None,
    padding=None,
    data_format="NDHWC",
    dilations=(1, 1, 1, 1, 1),
    name=None,
    filters=None,
):
    """3-D convolution (TF1 `tf.nn.conv3d`): one Conv3D op."""
    if filters is not None:
        if filter is not None:
            raise ValueError("Cannot specify both 'filters' and 'filter'")
        filter = filters
    attrs = {
        "strides": [int(s) for s in strides],
        "padding": _pad_attr(padding),
        "data_format": _fmt(data_format),
        "dilations": [int(d) for d in (dilations or [1] * 5)],
    }
    return op_output("Conv3D", name, [input, filter], attrs)


def conv3d_transpose(
    value,
    filter=None,
    output_shape=None,
    strides=None,
    padding="SAME",
    data_format="NDHWC",
    name=None,
    input=None,
    filters=None,
    dilations=None,
):
    """The transpose of conv3d: Conv3DBackpropInputV2 named like its name scope."""
    filter = filters if filters is not None else filter
    value = input if input is not None else value
    with get_default_graph().name_scope(name or "conv3d_transpose") as scope:
        data_format = data_format or "NDHWC"
        channel_index = 1 if data_format.startswith("NC") else 4
        attrs = {
            "strides": _get_sequence(strides, 3, channel_index, "strides"),
            "padding": _pad_attr(padding),
            "data_format": _fmt(data_format),
            "dilations": _get_sequence(dilations, 3, channel_index, "dilations"),
        }
        return op_output("Conv3DBackpropInputV2", scope, [output_shape, filter, value], attrs)


def conv3d_backprop_filter_v2(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    data_format="NDHWC",
    dilations=(1, 1, 1, 1, 1),
    name=None,
):
    """One Conv3DBackpropFilterV2 op (TF's generated wrapper)."""
    attrs = {
        "strides": [int(s) for s in strides],
        "padding": _pad_attr(padding),
        "data_format": _fmt(data_format),
        "dilations": [int(d) for d in (dilations or [1] * 5)],
    }
    return op_output("Conv3DBackpropFilterV2", name, [input, filter_sizes, out_backprop], attrs)


conv3d_backprop_filter = conv3d_backprop_filter_v2


def _pool3d(op_type, input, ksize, strides, padding, data_format, name, channel_index):
    with get_default_graph().name_scope(name or op_type) as scope:
        attrs = {
            "ksize": _get_sequence(ksize, 3, channel_index, "ksize"),
            "strides": _get_sequence(strides, 3, channel_index, "strides"),
            "padding": _pad_attr(padding),
            "data_format": _fmt(data_format),
        }
        return op_output(op_type, scope, [input], attrs)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """3-D max pooling (one MaxPool3D op named like its name scope)."""
    data_format = data_format or "NDHWC"
    channel_index = 1 if data_format.startswith("NC") else 4
    return _pool3d("MaxPool3D", input, ksize, strides, padding, data_format, name, channel_index)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """3-D average pooling (one AvgPool3D op named like its name scope)."""
    data_format = data_format or "NDHWC"
    channel_index = 1 if data_format.startswith("NC") else 3  # (as TF's)
    return _pool3d("AvgPool3D", input, ksize, strides, padding, data_format, name, channel_index)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def conv3d_v2(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):
    """TF2's `tf.nn.conv3d` (`filters`, dilations default to ones)."""
    if dilations is None:
        dilations = [1, 1, 1, 1, 1]
    return conv3d(
        input, filters, strides, padding, data_format=data_format, dilations=dilations, name=name
    )


def conv3d_transpose_v2(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NDHWC",
    dilations=None,
    name=None,
):
    """TF2's `tf.nn.conv3d_transpose` (input, filters, ..., dilations before name)."""
    return conv3d_transpose(
        input,
        filters,
        output_shape,
        strides,
        padding=padding,
        data_format=data_format,
        name=name,
        dilations=dilations,
    )
