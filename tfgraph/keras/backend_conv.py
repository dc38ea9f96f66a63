"""The convolution, pooling and bias functions of `tf.keras.backend` (Keras 2): Keras
data formats ('channels_last' / 'channels_first') over TF's NHWC ops. As tf_keras does
on a CPU, channels_first inputs are transposed to channels_last and back."""

from __future__ import annotations

import itertools

from tfgraph.keras import backend as _K
from tfgraph.ops import array_ops, conv3d_ops, conv_ops

__all__ = [
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "depthwise_conv2d",
    "local_conv1d",
    "local_conv2d",
    "pool2d",
    "pool3d",
    "separable_conv2d",
]


def _data_format(data_format):
    data_format = data_format or _K.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Unknown data_format: " + str(data_format))
    return data_format


def _padding(padding):
    if padding == "same":
        return "SAME"
    if padding == "valid":
        return "VALID"
    raise ValueError("Invalid padding: " + str(padding))


def _to_channels_last(x, data_format, rank):
    """x transposed to channels last when `data_format` is channels_first."""
    if data_format == "channels_first":
        return array_ops.transpose(x, (0, *range(2, rank + 2), 1))
    return x


def _from_channels_last(x, data_format, rank):
    if data_format == "channels_first":
        return array_ops.transpose(x, (0, rank + 1, *range(1, rank + 1)))
    return x


def _ntuple(value, n):
    return tuple(value) if isinstance(value, (list, tuple)) else (value,) * n


def _convolve(x, kernel, strides, padding, data_format, dilation_rate, rank):
    data_format = _data_format(data_format)
    padding = _padding(padding)
    x = _to_channels_last(x, data_format, rank)
    strides, dilations = _ntuple(strides, rank), _ntuple(dilation_rate, rank)
    if rank == 1:
        x = conv_ops.conv1d(x, kernel, stride=strides[0], padding=padding, dilations=dilations[0])
    elif rank == 2:
        x = conv_ops.convolution(
            x, kernel, padding, strides=strides, dilation_rate=dilations, data_format="NHWC"
        )
    else:
        x = conv3d_ops.conv3d(x, kernel, (1, *strides, 1), padding, dilations=(1, *dilations, 1))
    return _from_channels_last(x, data_format, rank)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D convolution; `padding='causal'` left-pads by `dilation_rate * (width - 1)`."""
    if padding == "causal":
        left = dilation_rate * (kernel.shape.as_list()[0] - 1)
        if _data_format(data_format) == "channels_first":
            x = array_ops.pad(x, [[0, 0], [0, 0], [left, 0]])
        else:
            x = array_ops.pad(x, [[0, 0], [left, 0], [0, 0]])
        padding = "valid"
    return _convolve(x, kernel, strides, padding, data_format, dilation_rate, 1)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    return _convolve(x, kernel, strides, padding, data_format, dilation_rate, 2)


def conv3d(
    x, kernel, strides=(1, 1, 1), padding="valid", data_format=None, dilation_rate=(1, 1, 1)
):
    return _convolve(x, kernel, strides, padding, data_format, dilation_rate, 3)


def conv2d_transpose(
    x,
    kernel,
    output_shape,
    strides=(1, 1),
    padding="valid",
    data_format=None,
    dilation_rate=(1, 1),
):
    """The transpose of `conv2d`, producing `output_shape` (in `data_format`)."""
    from tfgraph.ops import nn_composite_ops

    data_format = _data_format(data_format)
    x = _to_channels_last(x, data_format, 2)
    if data_format == "channels_first":
        output_shape = (output_shape[0], output_shape[2], output_shape[3], output_shape[1])
    if output_shape[0] is None:
        output_shape = (array_ops.shape(x)[0], *tuple(output_shape[1:]))
    if isinstance(output_shape, (tuple, list)):
        output_shape = array_ops.stack(list(output_shape))
    padding = _padding(padding)
    if tuple(dilation_rate) == (1, 1):
        x = conv_ops.conv2d_transpose(
            x, kernel, output_shape, (1, *strides, 1), padding=padding, data_format="NHWC"
        )
    else:
        if dilation_rate[0] != dilation_rate[1]:
            raise ValueError(
                "Expected the 2 dimensions of the `dilation_rate` argument to be equal "
                f"to each other. Received: dilation_rate={dilation_rate}"
            )
        x = nn_composite_ops.atrous_conv2d_transpose(
            x, kernel, output_shape, rate=dilation_rate[0], padding=padding
        )
    return _from_channels_last(x, data_format, 2)


def depthwise_conv2d(
    x,
    depthwise_kernel,
    strides=(1, 1),
    padding="valid",
    data_format=None,
    dilation_rate=(1, 1),
):
    data_format = _data_format(data_format)
    x = _to_channels_last(x, data_format, 2)
    x = conv_ops.depthwise_conv2d(
        x,
        depthwise_kernel,
        strides=(1, *strides, 1),
        padding=_padding(padding),
        dilations=dilation_rate,
        data_format="NHWC",
    )
    return _from_channels_last(x, data_format, 2)


def separable_conv2d(
    x,
    depthwise_kernel,
    pointwise_kernel,
    strides=(1, 1),
    padding="valid",
    data_format=None,
    dilation_rate=(1, 1),
):
    data_format = _data_format(data_format)
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    x = _to_channels_last(x, data_format, 2)
    x = conv_ops.separable_conv2d(
        x,
        depthwise_kernel,
        pointwise_kernel,
        strides=(1, *tuple(strides), 1),
        padding=_padding(padding),
        dilations=dilation_rate,
        data_format="NHWC",
    )
    return _from_channels_last(x, data_format, 2)


def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank):
    data_format = _data_format(data_format)
    x = _to_channels_last(x, data_format, rank)
    padding = _padding(padding)
    ksize, strides = (1, *tuple(pool_size), 1), (1, *tuple(strides), 1)
    if pool_mode == "max":
        fn = conv_ops.max_pool if rank == 2 else conv3d_ops.max_pool3d
    elif pool_mode == "avg":
        fn = conv_ops.avg_pool if rank == 2 else conv3d_ops.avg_pool3d
    else:
        raise ValueError("Invalid pooling mode: " + str(pool_mode))
    x = fn(x, ksize, strides, padding=padding)
    return _from_channels_last(x, data_format, rank)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2-D max or average pooling."""
    _data_format(data_format)
    if len(pool_size) != 2:
        raise ValueError("`pool_size` must be a tuple of 2 integers.")
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """3-D max or average pooling."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3)


def bias_add(x, bias, data_format=None):
    """`x + bias`: a 1-D bias on the channels axis, or a bias of rank ndim(x) - 1."""
    data_format = _data_format(data_format)
    bias_shape = _K.int_shape(bias)
    rank = x.shape.ndims
    if len(bias_shape) != 1 and len(bias_shape) != rank - 1:
        raise ValueError(
            f"Unexpected bias dimensions {len(bias_shape)}, expect to be 1 or {rank - 1} dimensions"
        )
    if len(bias_shape) == 1:
        fmt = "NCHW" if data_format == "channels_first" else "NHWC"
        return conv_ops.bias_add(x, bias, data_format=fmt)
    if rank in (3, 4, 5):
        if data_format == "channels_first":
            return x + array_ops.reshape(bias, (1, bias_shape[-1], *bias_shape[:-1]))
        return x + array_ops.reshape(bias, (1, *bias_shape))
    return conv_ops.bias_add(x, bias)


def _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format):
    from tfgraph.keras import backend_ops

    data_format = _data_format(data_format)
    kernel_shape = _K.int_shape(kernel)
    feature_dim, channels_out = kernel_shape[1], kernel_shape[-1]
    ndims = len(output_shape)
    spatial = list(range(ndims))
    xs = []
    for position in itertools.product(*[range(n) for n in output_shape]):
        slices = [slice(None)]
        if data_format == "channels_first":
            slices.append(slice(None))
        slices.extend(
            slice(position[d] * strides[d], position[d] * strides[d] + kernel_size[d])
            for d in spatial
        )
        if data_format == "channels_last":
            slices.append(slice(None))
        xs.append(array_ops.reshape(inputs[tuple(slices)], (1, -1, feature_dim)))
    output = backend_ops.batch_dot(array_ops.concat(xs, 0), kernel)
    output = array_ops.reshape(output, (*tuple(output_shape), -1, channels_out))
    if data_format == "channels_first":
        permutation = [ndims, ndims + 1, *spatial]
    else:
        permutation = [ndims, *spatial, ndims + 1]
    return array_ops.transpose(output, permutation)


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Unshared-weight 1-D convolution; `kernel` is (output_length, kernel_size *
    input_dim, filters)."""
    output_shape = (kernel.shape[0],)
    return _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Unshared-weight 2-D convolution; `kernel` is (rows * cols, kernel_rows *
    kernel_cols * input_dim, filters)."""
    return _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format)
