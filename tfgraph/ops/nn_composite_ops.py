"""More of `tf.nn`: TF2-style pooling entry points, transposed convolutions of any rank,
atrous transposed convolution, morphological dilation/erosion (the Dilation2D op
family), batch_norm_with_global_normalization, and the distribution-aware loss
scalers (one replica in a tfgraph program). Built op for op as TF builds them."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import Tensor, get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, batch_space_ops, check_ops, conv_ops, math_ops, nn_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN
from tfgraph.ops.conv_kernels import conv_output_size

__all__ = [
    "atrous_conv2d_transpose",
    "avg_pool_v2",
    "batch_norm_with_global_normalization",
    "compute_average_loss",
    "conv1d_transpose",
    "conv_transpose",
    "dilation2d",
    "erosion2d",
    "max_pool_v2",
    "scale_regularization_loss",
]


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


# -- max_pool_v2 / avg_pool_v2 (TF2's tf.nn.max_pool / avg_pool: any rank) -------------------
def _pool_rank(input, data_format) -> tuple[int, int]:
    shape = input.shape
    if shape.ndims is not None:
        n = shape.ndims - 2
    elif data_format is not None:
        n = len(data_format) - 2
    else:
        raise ValueError(
            "`input` must have a static shape or a data format must be given. "
            f"Received: input.shape={shape} and data_format={data_format}"
        )
    if not 1 <= n <= 3:
        raise ValueError(
            f"`input.shape.rank` must be 3, 4 or 5. Received: input.shape={shape} of rank {n + 2}."
        )
    channel_index = n + 1 if data_format is None else (1 if data_format.startswith("NC") else n + 1)
    return n, channel_index


def _pool_v2(kind: str, input, ksize, strides, padding, data_format, name):
    from tfgraph.ops import nn_extra_ops

    input = convert_to_tensor(input, name="input")
    n, channel_index = _pool_rank(input, data_format)
    ksize = conv_ops._get_sequence(ksize, n, channel_index, "ksize")
    strides = conv_ops._get_sequence(strides, n, channel_index, "strides")
    if n == 1:
        pool = nn_extra_ops.max_pool1d if kind == "MAX" else nn_extra_ops.avg_pool1d
        return pool(input, ksize, strides, padding, data_format or "NWC", name=name)
    if n == 2:
        pool2d: Any = conv_ops.max_pool2d if kind == "MAX" else conv_ops.avg_pool
        return pool2d(input, ksize, strides, padding, data_format=data_format or "NHWC", name=name)
    op_type = "MaxPool3D" if kind == "MAX" else "AvgPool3D"
    return op_output(
        op_type,
        name or op_type,
        [input],
        {
            "ksize": ksize,
            "strides": strides,
            "padding": padding.encode() if isinstance(padding, str) else padding,
            "data_format": (data_format or "NDHWC").encode(),
        },
    )


def max_pool_v2(input, ksize, strides, padding, data_format=None, name=None):
    """Max pooling over 1, 2 or 3 spatial dimensions (the rank of `input` decides)."""
    return _pool_v2("MAX", input, ksize, strides, padding, data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name=None):
    """Average pooling over 1, 2 or 3 spatial dimensions (the rank of `input` decides)."""
    return _pool_v2("AVG", input, ksize, strides, padding, data_format, name)


# -- transposed convolutions ------------------------------------------------------------------
def conv1d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NWC",
    dilations=None,
    name=None,
):
    """The transpose of conv1d: a Conv2DBackpropInput over an added height of 1."""
    with _scope(name, "conv1d_transpose") as scope:
        if data_format is None or data_format == "NWC":
            data_format, spatial_start_dim, channel_index = "NHWC", 1, 2
        elif data_format == "NCW":
            data_format, spatial_start_dim, channel_index = "NCHW", 2, 1
        else:
            raise ValueError(
                f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
            )
        strides = [1] + conv_ops._get_sequence(strides, 1, channel_index, "stride")
        dilations = [1] + conv_ops._get_sequence(dilations, 1, channel_index, "dilations")
        input = array_ops.expand_dims(input, spatial_start_dim)
        filters = array_ops.expand_dims(filters, 0)
        if not isinstance(output_shape, Tensor):
            output_shape = list(output_shape)
        output_shape = array_ops.concat(
            [output_shape[:spatial_start_dim], [1], output_shape[spatial_start_dim:]], 0
        )
        result = op_output(
            "Conv2DBackpropInput",
            scope,
            [output_shape, filters, input],
            {
                "strides": strides,
                **conv_ops._padding_attrs(padding),
                "data_format": data_format.encode(),
                "dilations": dilations,
            },
        )
        return array_ops.squeeze(result, [spatial_start_dim])


def conv_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format=None,
    dilations=None,
    name=None,
):
    """The transpose of a 1-, 2- or 3-D convolution (the length of `output_shape`
    decides)."""
    with _scope(name, "conv_transpose") as scope:
        if isinstance(output_shape, Tensor):
            n = output_shape.shape[0] - 2
        elif hasattr(output_shape, "__len__"):
            n = len(output_shape) - 2
        else:
            raise ValueError(
                "`output_shape` must be a tensor or sized collection. "
                f"Received: output_shape={output_shape}"
            )
        if not 1 <= n <= 3:
            raise ValueError(
                "`output_shape` must be of length 3, 4 or 5. Received: "
                f"output_shape={output_shape} of length {n + 2}."
            )
        kwargs = {"padding": padding, "data_format": data_format, "dilations": dilations}
        if n == 1:
            return conv1d_transpose(input, filters, output_shape, strides, name=scope, **kwargs)
        if n == 2:
            kwargs["data_format"] = data_format or "NHWC"
            return conv_ops.conv2d_transpose(
                input=input,
                filters=filters,
                output_shape=output_shape,
                strides=strides,
                name=scope,
                **kwargs,
            )
        from tfgraph import nn

        return nn.conv3d_transpose(input, filters, output_shape, strides, name=scope, **kwargs)


def _atrous_same_pads(filters, rate: int) -> tuple:
    shape = filters.get_shape()
    fh, fw = (
        shape.as_list()[:2]
        if shape.is_fully_defined()
        else (array_ops.shape(filters)[0], array_ops.shape(filters)[1])
    )
    pad_h = fh + (fh - 1) * (rate - 1) - 1
    pad_w = fw + (fw - 1) * (rate - 1) - 1
    return pad_h // 2, pad_h - pad_h // 2, pad_w // 2, pad_w - pad_w // 2


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of `atrous_conv2d`: SpaceToBatchND, Conv2DBackpropInput,
    BatchToSpaceND (a plain conv2d_transpose when `rate` is 1)."""
    with _scope(name, "atrous_conv2d_transpose"):
        value = convert_to_tensor(value, name="value")
        filters = convert_to_tensor(filters, name="filters")
        if not value.get_shape()[3:4].is_compatible_with(filters.get_shape()[3:4]):
            raise ValueError(
                "`value` channel count must be compatible with `filters` input channel "
                f"count. Received: value.shape={value.get_shape()} and "
                f"filters.shape={filters.get_shape()}."
            )
        if rate < 1:
            raise ValueError(f"`rate` cannot be less than one. Received: rate={rate}")
        if rate == 1:
            return conv_ops.conv2d_transpose(
                value,
                filters,
                output_shape,
                strides=[1, 1, 1, 1],
                padding=padding,
                data_format="NHWC",
            )
        if isinstance(output_shape, tuple):
            output_shape = list(output_shape)
        if padding == "SAME":
            top, bottom, left, right = _atrous_same_pads(filters, rate)
        elif padding == "VALID":
            top = bottom = left = right = 0
        else:
            raise ValueError(
                f"`padding` must be either 'VALID' or 'SAME'. Received: padding={padding}"
            )
        in_height = output_shape[1] + top + bottom
        in_width = output_shape[2] + left + right
        bottom_extra = (rate - in_height % rate) % rate
        right_extra = (rate - in_width % rate) % rate
        value = batch_space_ops.space_to_batch(
            value, [[0, bottom_extra], [0, right_extra]], block_size=rate
        )
        input_sizes = [
            rate * rate * output_shape[0],
            (in_height + bottom_extra) // rate,
            (in_width + right_extra) // rate,
            output_shape[3],
        ]
        value = op_output(
            "Conv2DBackpropInput",
            None,
            [input_sizes, filters, value],
            {"strides": [1, 1, 1, 1], "padding": b"VALID", "data_format": b"NHWC"},
        )
        crops = [[top, bottom + bottom_extra], [left, right + right_extra]]
        return batch_space_ops.batch_to_space(value, crops, block_size=rate)


# -- Dilation2D (grayscale morphological dilation) and erosion2d -----------------------------
_DILATION_ATTRS = [
    "T: realnumbertype",
    "strides: list(int) >= 4",
    "rates: list(int) >= 4",
    "padding: {'SAME', 'VALID'}",
]


def _dilation_geometry(op, x_shape, f_shape):
    """(output height, width), (pad top, pad left), strides, rates of a Dilation2D."""
    strides, rates = op.get_attr("strides"), op.get_attr("rates")
    padding = op.get_attr("padding")
    padding = padding.encode() if isinstance(padding, str) else padding
    (oh, (pt, _)) = conv_output_size(x_shape[1], f_shape[0], strides[1], rates[1], padding, None)
    (ow, (pl, _)) = conv_output_size(x_shape[2], f_shape[1], strides[2], rates[2], padding, None)
    return (oh, ow), (pt, pl), strides[1:3], rates[1:3]


def _dilation_argmax(op, x, f):
    """The dilation's output and, per output, the winning filter tap (TF's order: the
    first tap that beats all before it)."""
    x, f = np.asarray(x), np.asarray(f)
    if x.ndim != 4 or f.ndim != 3 or x.shape[3] != f.shape[2]:
        raise errors.InvalidArgumentError(
            None,
            op,
            "input must be 4-dimensional and filter 3-dimensional with the same depth; got "
            f"input {list(x.shape)} and filter {list(f.shape)}",
        )
    (oh, ow), (pt, pl), (sh, sw), (rh, rw) = _dilation_geometry(op, x.shape, f.shape)
    low = np.finfo(x.dtype).min if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    fh, fw = f.shape[:2]
    padded_h = max(x.shape[1] + pt, (oh - 1) * sh + (fh - 1) * rh + 1)
    padded_w = max(x.shape[2] + pl, (ow - 1) * sw + (fw - 1) * rw + 1)
    xp = np.full((x.shape[0], padded_h, padded_w, x.shape[3]), low, x.dtype)
    xp[:, pt : pt + x.shape[1], pl : pl + x.shape[2]] = x
    valid = np.zeros(xp.shape[1:3], bool)
    valid[pt : pt + x.shape[1], pl : pl + x.shape[2]] = True
    out = np.full((x.shape[0], oh, ow, x.shape[3]), low, x.dtype)
    best = np.full(out.shape, -1, np.int64)
    for i in range(fh):
        for j in range(fw):
            rows = slice(i * rh, i * rh + (oh - 1) * sh + 1, sh)
            cols = slice(j * rw, j * rw + (ow - 1) * sw + 1, sw)
            cand = xp[:, rows, cols] + f[i, j]
            better = (cand > out) | (best < 0)
            better &= valid[rows, cols][None, :, :, None]
            out = np.where(better, cand, out)
            best = np.where(better, i * fw + j, best)
    return out.astype(x.dtype), best, (pt, pl), (sh, sw), (rh, rw)


def _dilation_kernel(op, ctx):
    def kernel(x, f):
        return _dilation_argmax(op, x, f)[0]

    return kernel


def _dilation_backprop_kernel(wrt: str):
    def make(op, ctx):
        def kernel(x, f, dy):
            x, f, dy = np.asarray(x), np.asarray(f), np.asarray(dy)
            _, best, (pt, pl), (sh, sw), (rh, rw) = _dilation_argmax(op, x, f)
            fw = f.shape[1]
            b, yy, xx, c = np.indices(best.shape)
            tap_i, tap_j = best // fw, best % fw
            ok = best >= 0
            if wrt == "filter":
                out = np.zeros(f.shape, dy.dtype)
                np.add.at(out, (tap_i[ok], tap_j[ok], c[ok]), dy[ok])
                return out
            out = np.zeros(x.shape, dy.dtype)
            rows = yy * sh + tap_i * rh - pt
            cols = xx * sw + tap_j * rw - pl
            np.add.at(out, (b[ok], rows[ok], cols[ok], c[ok]), dy[ok])
            return out

        return kernel

    return make


def _dilation_shape(op):
    x, f = op._inputs[0]._shape, op._inputs[1]._shape
    if x._dims is None or f._dims is None or None in x._dims[1:3] or None in f._dims[:2]:
        return [UNKNOWN if x._dims is None else TensorShape([x._dims[0], None, None, x._dims[3]])]
    (oh, ow), _, _, _ = _dilation_geometry(op, x._dims, f._dims)
    return [TensorShape([x._dims[0], oh, ow, x._dims[3]])]


def _dilation_grad(op, grad):
    attrs = {k: op.get_attr(k) for k in ("strides", "rates", "padding")}
    x, f = op.inputs
    return [
        op_output("Dilation2DBackpropInput", None, [x, f, grad], attrs),
        op_output("Dilation2DBackpropFilter", None, [x, f, grad], attrs),
    ]


register_op(
    "Dilation2D",
    inputs=["input: T", "filter: T"],
    outputs=["output: T"],
    attrs=_DILATION_ATTRS,
    shape=_dilation_shape,
    make_kernel=_dilation_kernel,
    grad=_dilation_grad,
)
register_op(
    "Dilation2DBackpropInput",
    inputs=["input: T", "filter: T", "out_backprop: T"],
    outputs=["in_backprop: T"],
    attrs=_DILATION_ATTRS,
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_dilation_backprop_kernel("input"),
)
register_op(
    "Dilation2DBackpropFilter",
    inputs=["input: T", "filter: T", "out_backprop: T"],
    outputs=["filter_backprop: T"],
    attrs=_DILATION_ATTRS,
    shape=lambda op: [op._inputs[1]._shape],
    make_kernel=_dilation_backprop_kernel("filter"),
)


def dilation2d(
    input,
    filter=None,
    strides=None,
    rates=None,
    padding=None,
    name=None,
    filters=None,
    dilations=None,
):
    """Grayscale morphological dilation: per output, the max over the window of
    input + filter (one Dilation2D op)."""
    filter = filters if filter is None else filter
    rates = dilations if rates is None else rates
    return op_output(
        "Dilation2D",
        name,
        [input, filter],
        {
            "strides": list(strides),
            "rates": list(rates),
            "padding": padding.encode() if isinstance(padding, str) else padding,
        },
    )


def erosion2d(value, kernel, strides, rates, padding, name=None):
    """Grayscale morphological erosion: -dilation2d(-value, reversed kernel)."""
    with _scope(name, "erosion2d") as scope:
        return math_ops.negative(
            dilation2d(
                math_ops.negative(value),
                array_ops.reverse_v2(kernel, [0, 1]),
                strides,
                rates,
                padding,
                name=scope,
            )
        )


# -- batch_norm_with_global_normalization, loss scaling ---------------------------------------
def batch_norm_with_global_normalization(
    t=None,
    m=None,
    v=None,
    beta=None,
    gamma=None,
    variance_epsilon=None,
    scale_after_normalization=None,
    name=None,
    input=None,
    mean=None,
    variance=None,
):
    """`batch_normalization` with the TF1 argument names (gamma used only when
    `scale_after_normalization`)."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    return nn_ops.batch_normalization(
        t, m, v, beta, gamma if scale_after_normalization else None, variance_epsilon, name
    )


def scale_regularization_loss(regularization_loss):
    """The summed regularization loss divided by the number of replicas (one here)."""
    num_replicas = 1  # a tfgraph program is one replica
    return math_ops.reduce_sum(regularization_loss) / num_replicas


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """The per-example losses (times `sample_weight`) summed and divided by the
    global batch size (by default the batch dimension's size, one replica).

    Raises:
        ValueError: if `per_example_loss` is a scalar.
    """
    per_example_loss = convert_to_tensor(per_example_loss)
    input_dtype = per_example_loss.dtype
    if per_example_loss.shape.ndims == 0:
        raise ValueError(
            "Invalid value passed for `per_example_loss`. Expected a tensor with at least "
            f"rank 1. Received per_example_loss={per_example_loss} with rank 0"
        )
    if sample_weight is not None:
        # TF's scale_losses_by_sample_weight: in float32, the weight's rank matched to
        # the losses' by one squeeze or expand_dims.
        sample_weight = array_ops.cast(convert_to_tensor(sample_weight), dtypes.float32)
        losses = array_ops.cast(per_example_loss, dtypes.float32)
        rank_diff = (sample_weight.shape.ndims or 0) - (losses.shape.ndims or 0)
        if rank_diff == 1:
            sample_weight = array_ops.squeeze(sample_weight, [-1])
        elif rank_diff == -1:
            sample_weight = array_ops.expand_dims(sample_weight, -1)
        per_example_loss = math_ops.multiply(losses, sample_weight)
    per_example_loss = array_ops.cast(per_example_loss, input_dtype)
    if global_batch_size is None:
        num_replicas = 1  # a tfgraph program is one replica
        global_batch_size = array_ops.shape(per_example_loss)[0] * num_replicas
    check_ops.assert_scalar(global_batch_size, message="global_batch_size must be scalar.")
    check_ops.assert_integer(global_batch_size, message="global_batch_size must be an integer.")
    check_ops.assert_non_negative(
        global_batch_size, message="global_batch_size must be non-negative."
    )
    loss = math_ops.reduce_sum(per_example_loss)
    return math_ops.div_no_nan(loss, array_ops.cast(global_batch_size, input_dtype))


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def batch_norm_with_global_normalization_v2(
    input, mean, variance, beta, gamma, variance_epsilon, scale_after_normalization, name=None
):
    """TF2's `tf.nn.batch_norm_with_global_normalization` (input, mean, variance)."""
    return batch_norm_with_global_normalization(
        input=input, mean=mean, variance=variance, beta=beta, gamma=gamma,
        variance_epsilon=variance_epsilon, scale_after_normalization=scale_after_normalization,
        name=name,
    )  # fmt: skip


def _nhwc_only(data_format, what: str) -> None:
    if data_format != "NHWC":
        raise ValueError(f"`{what}`: data_format must be 'NHWC', got {data_format!r}.")


def dilation2d_v2(input, filters, strides, padding, data_format, dilations, name=None):
    """TF2's `tf.nn.dilation2d` (data_format must be NHWC)."""
    _nhwc_only(data_format, "tf.nn.dilation2d")
    return dilation2d(input, filters, strides, dilations, padding, name=name)


def erosion2d_v2(value, filters, strides, padding, data_format, dilations, name=None):
    """TF2's `tf.nn.erosion2d` (data_format must be NHWC)."""
    _nhwc_only(data_format, "tf.nn.erosion2d")
    return erosion2d(value, filters, strides, dilations, padding, name=name)
