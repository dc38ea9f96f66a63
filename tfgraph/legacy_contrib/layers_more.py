"""More contrib.layers / slim layers, built as tf-slim builds them: transposed, separable,
in-plane and 1-D / 3-D convolutions, 3-D and N-D pooling, instance and group
normalization, the small tensor helpers (unit_norm, maxout, spatial_softmax, ...), the
legacy dense layer, GDN, bucketize and `embed_sequence` (contrib.layers' encoder)."""

from __future__ import annotations

import functools
import re

from tfgraph.custom_gradient import custom_gradient
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import (
    GraphKeys,
    add_to_collections,
    get_collection,
    get_default_graph,
    name_scope,
)
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.gradients import RegisterGradient
from tfgraph.legacy_contrib import variables as slim_variables
from tfgraph.legacy_contrib.arg_scope import add_arg_scope
from tfgraph.legacy_contrib.layers import (
    _XAVIER,
    _ZEROS,
    _add_to_collections,
    _apply_weights_layer,
    _collections,
    _finish,
    _rename_getter,
    collect_named_outputs,
    fully_connected,
)
from tfgraph.legacy_layers import base, convolutional, convolutional3d, separable
from tfgraph.ops import (
    array_ops,
    conv_ops,
    init_ops,
    linalg_ops,
    manip_ops,
    math_more_ops,
    math_ops,
    nn_extra_ops,
    nn_ops,
    nn_pool_ops,
)
from tfgraph.variable_scope import get_variable, variable_scope

__all__ = [
    "avg_pool3d",
    "bucketize",
    "conv2d_in_plane",
    "conv2d_transpose",
    "conv3d_transpose",
    "convolution2d_in_plane",
    "convolution2d_transpose",
    "convolution3d_transpose",
    "dense_to_sparse",
    "elu",
    "embed_sequence",
    "group_norm",
    "images_to_sequence",
    "instance_norm",
    "legacy_fully_connected",
    "legacy_linear",
    "legacy_relu",
    "max_pool3d",
    "maxout",
    "pool",
    "relu6",
    "scale_gradient",
    "separable_conv2d",
    "separable_convolution2d",
    "sequence_to_images",
    "spatial_softmax",
    "unit_norm",
]

_NHWC, _NCHW, _NDHWC, _NCDHW = "NHWC", "NCHW", "NDHWC", "NCDHW"


def _channels(data_format) -> str:
    return "channels_first" if data_format and data_format.startswith("NC") else "channels_last"


def _dimension(shape, dim: int, min_rank: int = 1) -> int:
    dims = shape.dims
    if dims is None:
        raise ValueError("dims of shape must be known but is None")
    if len(dims) < min_rank:
        raise ValueError(f"rank of shape must be at least {min_rank} not: {len(dims)}")
    value = dimension_value(dims[dim])
    if value is None:
        raise ValueError(f"dimension {dim} of shape must be known but is None: {shape}")
    return value


def _pair(value) -> tuple:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"Must be a list with 2 elements: {value}")
        return int(value[0]), int(value[1])
    if isinstance(value, int):
        return value, value
    if isinstance(value, TensorShape) and len(value) == 2:
        return value[0], value[1]
    raise ValueError("Must be an int, a list with 2 elements or a TensorShape of length 2")


def _n_positive(n: int, value) -> tuple:
    try:
        values = (int(value),) * n
    except (TypeError, ValueError):
        values = None
    if values is None:
        wrong = f"Expected sequence of {n} positive integers, but received {value!r}"
        if len(value) != n:
            raise ValueError(wrong)
        try:
            values = tuple(int(x) for x in value)
        except (TypeError, ValueError):
            raise ValueError(wrong) from None
    for x in values:
        if x < 1:
            raise ValueError(f"expected positive integer, but received {x}")
    return values


# -- transposed convolutions ------------------------------------------------------------
def _transpose_conv(
    layer_class,
    default_scope,
    formats,
    inputs,
    num_outputs,
    kernel_size,
    stride,
    padding,
    data_format,
    activation_fn,
    normalizer_fn,
    normalizer_params,
    weights_initializer,
    weights_regularizer,
    biases_initializer,
    biases_regularizer,
    reuse,
    variables_collections,
    outputs_collections,
    trainable,
    scope,
):
    getter = _rename_getter({"bias": "biases", "kernel": "weights"})
    with variable_scope(scope, default_scope, [inputs], reuse=reuse, custom_getter=getter) as sc:
        if data_format not in formats:
            raise ValueError(f"data_format has to be either {formats[0]} or {formats[1]}.")
        inputs = convert_to_tensor(inputs)
        outputs = _apply_weights_layer(
            layer_class,
            inputs,
            sc,
            reuse,
            normalizer_fn=normalizer_fn,
            weights_initializer=weights_initializer,
            weights_regularizer=weights_regularizer,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            trainable=trainable,
            variables_collections=variables_collections,
            filters=num_outputs,
            kernel_size=kernel_size,
            strides=stride,
            padding=padding,
            data_format=_channels(data_format),
        )
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def convolution2d_transpose(
    inputs,
    num_outputs,
    kernel_size,
    stride=1,
    padding="SAME",
    data_format=_NHWC,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=_XAVIER,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """A transposed 2-D convolution (`Conv2d_transpose/weights` [kh, kw, out, in] and
    `biases`), then the normalizer and the activation.

    Raises:
        ValueError: if `data_format` is neither NHWC nor NCHW.
    """
    return _transpose_conv(
        convolutional.Conv2DTranspose,
        "Conv2d_transpose",
        (_NCHW, _NHWC),
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        activation_fn,
        normalizer_fn,
        normalizer_params,
        weights_initializer,
        weights_regularizer,
        biases_initializer,
        biases_regularizer,
        reuse,
        variables_collections,
        outputs_collections,
        trainable,
        scope,
    )


@add_arg_scope
def convolution3d_transpose(
    inputs,
    num_outputs,
    kernel_size,
    stride=1,
    padding="SAME",
    data_format=_NDHWC,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=_XAVIER,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """A transposed 3-D convolution (`Conv3d_transpose/weights` [kd, kh, kw, out, in]
    and `biases`), then the normalizer and the activation.

    Raises:
        ValueError: if `data_format` is neither NDHWC nor NCDHW.
    """
    return _transpose_conv(
        convolutional3d.Conv3DTranspose,
        "Conv3d_transpose",
        (_NCDHW, _NDHWC),
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        activation_fn,
        normalizer_fn,
        normalizer_params,
        weights_initializer,
        weights_regularizer,
        biases_initializer,
        biases_regularizer,
        reuse,
        variables_collections,
        outputs_collections,
        trainable,
        scope,
    )


# -- in-plane and separable convolutions ----------------------------------------------
@add_arg_scope
def convolution2d_in_plane(
    inputs,
    kernel_size,
    stride=1,
    padding="SAME",
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=_XAVIER,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """One [kh, kw] filter (`ConvInPlane/weights` [kh, kw, 1, 1]) convolved with every
    channel of NHWC `inputs` on its own (a tiled depthwise convolution), then biases
    per channel (or the normalizer) and the activation."""
    with variable_scope(scope, "ConvInPlane", [inputs], reuse=reuse) as sc:
        dtype = inputs.dtype.base_dtype
        kernel_h, kernel_w = _pair(kernel_size)
        stride_h, stride_w = _pair(stride)
        channels = _dimension(inputs.get_shape(), -1, min_rank=4)
        weights = slim_variables.model_variable(
            "weights",
            shape=[kernel_h, kernel_w, 1, 1],
            dtype=dtype,
            initializer=weights_initializer,
            regularizer=weights_regularizer,
            collections=_collections(variables_collections, "weights"),
            trainable=trainable,
        )
        depthwise = array_ops.tile(weights, [1, 1, channels, 1])
        outputs = conv_ops.depthwise_conv2d(inputs, depthwise, [1, stride_h, stride_w, 1], padding)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = slim_variables.model_variable(
                "biases",
                shape=[channels],
                dtype=dtype,
                initializer=biases_initializer,
                regularizer=biases_regularizer,
                collections=_collections(variables_collections, "biases"),
                trainable=trainable,
            )
            outputs = conv_ops.bias_add(outputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def separable_convolution2d(
    inputs,
    num_outputs,
    kernel_size,
    depth_multiplier=1,
    stride=1,
    padding="SAME",
    data_format=_NHWC,
    rate=1,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=_XAVIER,
    pointwise_initializer=None,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """A depthwise-separable 2-D convolution (`SeparableConv2d/depthwise_weights`,
    `pointwise_weights`, `biases`); with `num_outputs=None` only the depthwise
    convolution (`depth_multiplier` outputs per input channel), then biases (or the
    normalizer) and the activation.

    Raises:
        ValueError: if `data_format` is neither NHWC nor NCHW.
    """
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    getter = _rename_getter(
        {
            "bias": "biases",
            "depthwise_kernel": "depthwise_weights",
            "pointwise_kernel": "pointwise_weights",
        }
    )
    with variable_scope(
        scope, "SeparableConv2d", [inputs], reuse=reuse, custom_getter=getter
    ) as sc:
        inputs = convert_to_tensor(inputs)
        if pointwise_initializer is None:
            pointwise_initializer = weights_initializer
        df = _channels(data_format)
        if num_outputs is not None:
            layer = separable.SeparableConv2D(
                filters=num_outputs,
                kernel_size=kernel_size,
                strides=stride,
                padding=padding,
                data_format=df,
                dilation_rate=_pair(rate),
                activation=None,
                depth_multiplier=depth_multiplier,
                use_bias=not normalizer_fn and biases_initializer is not None,
                depthwise_initializer=weights_initializer,
                pointwise_initializer=pointwise_initializer,
                bias_initializer=biases_initializer,
                depthwise_regularizer=weights_regularizer,
                pointwise_regularizer=weights_regularizer,
                bias_regularizer=biases_regularizer,
                trainable=trainable,
                name=sc.name,
                dtype=inputs.dtype.base_dtype,
                _scope=sc,
                _reuse=reuse,
            )
            outputs = layer.apply(inputs)
            _add_to_collections(layer.depthwise_kernel, variables_collections, "weights")
            _add_to_collections(layer.pointwise_kernel, variables_collections, "weights")
            if layer.bias is not None:
                _add_to_collections(layer.bias, variables_collections, "biases")
            if normalizer_fn is not None:
                outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        else:
            dtype = inputs.dtype.base_dtype
            kernel_h, kernel_w = _pair(kernel_size)
            stride_h, stride_w = _pair(stride)
            channels = _dimension(inputs.get_shape(), 1 if df == "channels_first" else -1, 4)
            depthwise = slim_variables.model_variable(
                "depthwise_weights",
                shape=[kernel_h, kernel_w, channels, depth_multiplier],
                dtype=dtype,
                initializer=weights_initializer,
                regularizer=weights_regularizer,
                trainable=trainable,
                collections=_collections(variables_collections, "weights"),
            )
            strides = (
                [1, 1, stride_h, stride_w]
                if data_format.startswith("NC")
                else [1, stride_h, stride_w, 1]
            )
            outputs = conv_ops.depthwise_conv2d(
                inputs, depthwise, strides, padding, rate=_pair(rate), data_format=data_format
            )
            num_outputs = depth_multiplier * channels
            if normalizer_fn is not None:
                outputs = normalizer_fn(outputs, **(normalizer_params or {}))
            elif biases_initializer is not None:
                biases = slim_variables.model_variable(
                    "biases",
                    shape=[num_outputs],
                    dtype=dtype,
                    initializer=biases_initializer,
                    regularizer=biases_regularizer,
                    trainable=trainable,
                    collections=_collections(variables_collections, "biases"),
                )
                outputs = conv_ops.bias_add(outputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


conv2d_transpose = convolution2d_transpose
conv3d_transpose = convolution3d_transpose
conv2d_in_plane = convolution2d_in_plane
separable_conv2d = separable_convolution2d


# -- pooling -----------------------------------------------------------------------------
def _pool3d(layer_class, default_name, inputs, kernel_size, stride, padding, data_format, oc, sc):
    if data_format not in (_NCDHW, _NDHWC):
        raise ValueError("data_format has to be either NCDHW or NDHWC.")
    with name_scope(sc, default_name, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = layer_class(
            pool_size=kernel_size,
            strides=stride,
            padding=padding,
            data_format=_channels(data_format),
            _scope=sc,
        )
        return collect_named_outputs(oc, sc, layer.apply(inputs))


@add_arg_scope
def max_pool3d(
    inputs,
    kernel_size,
    stride=2,
    padding="VALID",
    data_format=_NDHWC,
    outputs_collections=None,
    scope=None,
):
    """3-D max pooling (`MaxPool3D/MaxPool3D`)."""
    return _pool3d(
        convolutional3d.MaxPooling3D,
        "MaxPool3D",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
    )


@add_arg_scope
def avg_pool3d(
    inputs,
    kernel_size,
    stride=2,
    padding="VALID",
    data_format=_NDHWC,
    outputs_collections=None,
    scope=None,
):
    """3-D average pooling (`AvgPool3D/AvgPool3D`)."""
    return _pool3d(
        convolutional3d.AveragePooling3D,
        "AvgPool3D",
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
    )


@add_arg_scope
def pool(
    inputs,
    kernel_size,
    pooling_type,
    padding="VALID",
    data_format=None,
    dilation_rate=1,
    stride=1,
    outputs_collections=None,
    scope=None,
):
    """N-D ("MAX" or "AVG") pooling with `tf.nn.pool`, in a name scope `<type>_pool`.

    Raises:
        ValueError: if the rank of `inputs` is unknown or below 3, or a size is not a
            positive integer.
    """
    with name_scope(scope, f"{pooling_type.lower()}_pool", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.get_shape().ndims
        if rank is None:
            raise ValueError("Rank of inputs must be known")
        if rank < 3:
            raise ValueError("Rank of inputs must be >= 3")
        n = rank - 2
        outputs = nn_pool_ops.pool(
            input=inputs,
            window_shape=_n_positive(n, kernel_size),
            pooling_type=pooling_type,
            padding=padding,
            data_format=data_format,
            dilation_rate=_n_positive(n, dilation_rate),
            strides=_n_positive(n, stride),
            name=sc,
        )
        return collect_named_outputs(outputs_collections, sc, outputs)


# -- normalization -----------------------------------------------------------------------
def _norm_params(center, scale, params_shape, dtype, inits, variables_collections, trainable):
    params = {}
    for name, wanted, default in (
        ("beta", center, init_ops.zeros_initializer()),
        ("gamma", scale, init_ops.ones_initializer()),
    ):
        if wanted:
            params[name] = slim_variables.model_variable(
                name,
                shape=params_shape,
                dtype=dtype,
                initializer=inits.get(name, default),
                collections=_collections(variables_collections, name),
                trainable=trainable,
            )
    return params


@add_arg_scope
def instance_norm(
    inputs,
    center=True,
    scale=True,
    epsilon=1e-6,
    activation_fn=None,
    param_initializers=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    data_format=_NHWC,
    scope=None,
):
    """Instance normalization (Ulyanov et al., 2016): each example's channels
    normalized over their spatial dimensions, then scaled by `InstanceNorm/gamma` and
    shifted by `InstanceNorm/beta` (one per channel).

    Raises:
        ValueError: if the rank of `inputs` or its channel dimension is unknown, or
            `data_format` is neither NHWC nor NCHW.
    """
    inputs = convert_to_tensor(inputs)
    inputs_shape = inputs.shape
    rank = inputs_shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse) as sc:
        if data_format == _NCHW:
            axis = 1
            broadcast = [1, dimension_value(inputs_shape[1])] + [1] * (rank - 2)
        else:
            axis = rank - 1
            broadcast = None
        moments_axes = [a for a in range(1, rank) if a != axis]
        params_shape = inputs_shape[axis : axis + 1]
        if not params_shape.is_fully_defined():
            raise ValueError(
                f"Inputs {inputs.name} has undefined channels dimension {params_shape}."
            )
        params = _norm_params(
            center,
            scale,
            params_shape,
            inputs.dtype.base_dtype,
            param_initializers or {},
            variables_collections,
            trainable,
        )
        beta, gamma = params.get("beta"), params.get("gamma")
        if broadcast:
            beta = None if beta is None else array_ops.reshape(beta, broadcast)
            gamma = None if gamma is None else array_ops.reshape(gamma, broadcast)
        mean, variance = nn_ops.moments(inputs, moments_axes, keep_dims=True)
        outputs = nn_ops.batch_normalization(
            inputs, mean, variance, beta, gamma, epsilon, name="instancenorm"
        )
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def group_norm(
    inputs,
    groups=32,
    channels_axis=-1,
    reduction_axes=(-3, -2),
    center=True,
    scale=True,
    epsilon=1e-6,
    activation_fn=None,
    param_initializers=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
    mean_close_to_zero=False,
):
    """Group normalization (Wu and He, 2018): the channels split into `groups`, each
    group normalized over itself and `reduction_axes`, then scaled by
    `GroupNorm/gamma` and shifted by `GroupNorm/beta` (one per channel).

    Raises:
        ValueError: if the rank or a needed dimension is unknown, an axis is out of
            bounds, or `groups` does not divide the channels.
    """
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    if channels_axis > rank - 1:
        raise ValueError("Axis is out of bounds.")
    dynamic_shape = array_ops.shape(inputs)
    shape_list = [
        dynamic_shape[i] if dimension_value(d) is None else dimension_value(d)
        for i, d in enumerate(inputs.shape)
    ]
    if channels_axis < 0:
        channels_axis += rank
    channels = dimension_value(inputs.shape[channels_axis])
    if channels is None:
        raise ValueError(f"Inputs {inputs.name} has undefined channel dimension: {channels_axis}.")
    reduction_axes = [a + rank if a < 0 else a for a in reduction_axes]
    for a in reduction_axes:
        if a > rank:
            raise ValueError("Axis is out of bounds.")
        if dimension_value(inputs.shape[a]) is None:
            raise ValueError(f"Inputs {inputs.name} has undefined dimensions {a}.")
        if channels_axis == a:
            raise ValueError("reduction_axis must be mutually exclusive with channels_axis")
    if groups > channels:
        raise ValueError(f"Invalid groups {groups} for {channels} channels.")
    if channels % groups != 0:
        raise ValueError(f"{channels} channels is not commensurate with {groups} groups.")
    before = shape_list[:channels_axis]
    after = shape_list[channels_axis + 1 :]
    broadcast = [1] * len(before) + [groups, channels // groups] + [1] * len(after)
    inputs = array_ops.reshape(inputs, before + [groups, channels // groups] + after)
    moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in reduction_axes]
    with variable_scope(scope, "GroupNorm", [inputs], reuse=reuse) as sc:
        params = _norm_params(
            center,
            scale,
            [channels],
            inputs.dtype.base_dtype,
            param_initializers or {},
            variables_collections,
            trainable,
        )
        beta = params.get("beta")
        gamma = params.get("gamma")
        if beta is not None:
            beta = array_ops.reshape(beta, broadcast)
        if gamma is not None:
            gamma = array_ops.reshape(gamma, broadcast)
        if mean_close_to_zero:
            counts, means_ss, variance_ss, _ = nn_extra_ops.sufficient_statistics(
                inputs, moments_axes, keep_dims=True
            )
            mean, variance = nn_extra_ops.normalize_moments(
                counts, means_ss, variance_ss, shift=None
            )
        else:
            mean, variance = nn_ops.moments(inputs, moments_axes, keep_dims=True)
        gain = math_ops.rsqrt(variance + epsilon)
        offset = -mean * gain
        if gamma is not None:
            gain *= gamma
            offset *= gamma
        if beta is not None:
            offset += beta
        outputs = inputs * gain + offset
        outputs = array_ops.reshape(outputs, shape_list)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


# -- small layers ------------------------------------------------------------------------
def elu(inputs, num_outputs, **kwargs):
    """`fully_connected` with an ELU."""
    return fully_connected(inputs, num_outputs, activation_fn=nn_ops.elu, **kwargs)


def relu6(inputs, num_outputs, **kwargs):
    """`fully_connected` with a ReLU6."""
    return fully_connected(inputs, num_outputs, activation_fn=nn_ops.relu6, **kwargs)


@add_arg_scope
def unit_norm(inputs, dim, epsilon=1e-7, scope=None):
    """`inputs` divided by their L2 norm along `dim` (plus `epsilon` under the root).

    Raises:
        ValueError: if the rank is unknown or `dim` is not in [0, rank).
    """
    with variable_scope(scope, "UnitNorm", [inputs]):
        if not inputs.get_shape():
            raise ValueError("The input rank must be known.")
        rank = len(inputs.get_shape().as_list())
        if dim < 0 or dim >= rank:
            raise ValueError("dim must be positive but smaller than the input rank.")
        lengths = math_ops.sqrt(epsilon + math_ops.reduce_sum(math_ops.square(inputs), dim, True))
        multiples = []
        if dim > 0:
            multiples.append(array_ops.ones([dim], dtypes.int32))
        multiples.append(array_ops.strided_slice(array_ops.shape(inputs), [dim], [dim + 1]))
        if dim < rank - 1:
            multiples.append(array_ops.ones([rank - 1 - dim], dtypes.int32))
        multiples = array_ops.concat(multiples, 0)
        return math_ops.div(inputs, array_ops.tile(lengths, multiples))


@add_arg_scope
def maxout(inputs, num_units, axis=-1, scope=None):
    """Maxout (Goodfellow et al., 2013): the features along `axis` split into
    `num_units` groups, each reduced to its maximum.

    Raises:
        ValueError: if `num_units` does not divide the features.
    """
    with variable_scope(scope, "MaxOut", [inputs]):
        inputs = convert_to_tensor(inputs)
        shape = inputs.get_shape().as_list()
        num_channels = shape[axis]
        if num_channels % num_units:
            raise ValueError(
                f"number of features({num_channels}) is not a multiple of num_units({num_units})"
            )
        shape[axis] = num_units
        shape += [num_channels // num_units]
        for i, d in enumerate(shape):
            if d is None:
                shape[i] = array_ops.shape(inputs)[i]
        return math_ops.reduce_max(array_ops.reshape(inputs, shape), -1, keepdims=False)


@custom_gradient
def scale_gradient(inputs, gradient_multiplier):
    """Identity forward; the gradient flowing back is multiplied by
    `gradient_multiplier`."""

    def grad(dy):
        return [dy * gradient_multiplier, None]

    return inputs, grad


@add_arg_scope
def spatial_softmax(
    features,
    temperature=None,
    name=None,
    variables_collections=None,
    trainable=True,
    data_format="NHWC",
):
    """Spatial soft arg-max (Levine et al., 2015): per channel, a softmax over the
    image positions (divided by the model variable `spatial_softmax/temperature`) and
    the expected x and y coordinates in [-1, 1]; [batch, channels * 2] keypoints.

    Raises:
        ValueError: if `data_format` is neither NHWC nor NCHW, or the channels are
            unknown.
    """
    with variable_scope(name, "spatial_softmax"):
        shape = array_ops.shape(features)
        static_shape = features.shape
        if data_format == _NHWC:
            height, width, num_channels = shape[1], shape[2], static_shape[3]
        elif data_format == _NCHW:
            num_channels, height, width = static_shape[1], shape[2], shape[3]
        else:
            raise ValueError("data_format has to be either NCHW or NHWC.")
        num_channels = dimension_value(num_channels)
        if num_channels is None:
            raise ValueError(
                "The num_channels dimension of the inputs to `spatial_softmax` should be "
                "defined. Found `None`."
            )
        with name_scope("spatial_softmax_op", "spatial_softmax_op", [features]):
            pos_x, pos_y = manip_ops.meshgrid(
                math_more_ops.lin_space(-1.0, 1.0, num=height),
                math_more_ops.lin_space(-1.0, 1.0, num=width),
                indexing="ij",
            )
            pos_x = array_ops.reshape(pos_x, [height * width])
            pos_y = array_ops.reshape(pos_y, [height * width])
            if temperature is None:
                init = init_ops.ones_initializer()
            else:
                init = init_ops.constant_initializer(temperature)
            collections = _collections(variables_collections, "temperature") if trainable else None
            temperature = slim_variables.model_variable(
                "temperature",
                shape=(),
                dtype=dtypes.float32,
                initializer=init,
                collections=collections,
                trainable=trainable,
            )
            if data_format == "NCHW":
                features = array_ops.reshape(features, [-1, height * width])
            else:
                features = array_ops.reshape(
                    array_ops.transpose(features, [0, 3, 1, 2]), [-1, height * width]
                )
            attention = nn_ops.softmax(features / temperature)
            expected_x = math_ops.reduce_sum(pos_x * attention, [1], keepdims=True)
            expected_y = math_ops.reduce_sum(pos_y * attention, [1], keepdims=True)
            expected_xy = array_ops.concat([expected_x, expected_y], 1)
            keypoints = array_ops.reshape(expected_xy, [-1, num_channels * 2])
            keypoints.set_shape([None, num_channels * 2])
    return keypoints


@add_arg_scope
def images_to_sequence(inputs, data_format=_NHWC, outputs_collections=None, scope=None):
    """[batch, height, width, depth] images -> [width, batch * height, depth] sequences.

    Raises:
        ValueError: if `data_format` is neither NHWC nor NCHW.
    """
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with name_scope(scope, "ImagesToSequence", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if _channels(data_format) == "channels_first":
            inputs = array_ops.transpose(inputs, [0, 2, 3, 1])
        _, _, width, depth = inputs.get_shape().as_list()
        s = array_ops.shape(inputs)
        batch_size, height = s[0], s[1]
        transposed = array_ops.transpose(inputs, [2, 0, 1, 3])
        outputs = array_ops.reshape(transposed, [width, batch_size * height, depth])
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def sequence_to_images(
    inputs, height, output_data_format="channels_last", outputs_collections=None, scope=None
):
    """[width, batch * height, depth] sequences -> images of `height` rows (NHWC, or
    NCHW with `output_data_format="channels_first"`)."""
    with name_scope(scope, "SequenceToImages", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        width, num_batches, depth = inputs.get_shape().as_list()
        num_batches = -1 if num_batches is None else num_batches // height
        reshaped = array_ops.reshape(inputs, [width, num_batches, height, depth])
        perm = [1, 3, 2, 0] if output_data_format == "channels_first" else [1, 2, 0, 3]
        outputs = array_ops.transpose(reshaped, perm)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dense_to_sparse(tensor, eos_token=0, outputs_collections=None, scope=None):
    """A SparseTensor of the entries of `tensor` that differ from `eos_token`."""
    with variable_scope(scope, "dense_to_sparse", [tensor]) as sc:
        tensor = convert_to_tensor(tensor)
        indices = array_ops.where(
            math_ops.not_equal(tensor, array_ops.constant(eos_token, tensor.dtype))
        )
        values = array_ops.gather_nd(tensor, indices)
        shape = array_ops.shape(tensor, out_type=dtypes.int64)
        outputs = SparseTensor(indices, values, shape)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


# -- the legacy dense layer --------------------------------------------------------------
def legacy_fully_connected(
    x,
    num_output_units,
    activation_fn=None,
    weight_init=_XAVIER,
    bias_init=_ZEROS,
    name=None,
    weight_collections=(GraphKeys.WEIGHTS,),
    bias_collections=(GraphKeys.BIASES,),
    output_collections=(GraphKeys.ACTIVATIONS,),
    trainable=True,
    weight_regularizer=None,
    bias_regularizer=None,
):
    """The old dense layer: `fully_connected/weights` and `fully_connected/bias` (plain
    variables, also in `weight_collections` / `bias_collections`), inputs of rank > 2
    flattened to 2-D and back; the output goes to `output_collections` and
    ACTIVATIONS.

    Raises:
        ValueError: if the rank of `x` is unknown or below 2, or its last dimension
            is unknown.
    """
    with variable_scope(name, "fully_connected", [x]):
        x = convert_to_tensor(x)
        dims = x.get_shape().dims
        if dims is None:
            raise ValueError("dims of x must be known but is None")
        if len(dims) < 2:
            raise ValueError(f"rank of x must be at least 2 not: {len(dims)}")
        num_input_units = dimension_value(dims[-1])
        if num_input_units is None:
            raise ValueError("last dimension of x must be known but is None")
        dtype = x.dtype.base_dtype
        w = get_variable(
            "weights",
            shape=[num_input_units, num_output_units],
            dtype=dtype,
            initializer=weight_init,
            collections=_dedup([*(weight_collections or []), GraphKeys.GLOBAL_VARIABLES]),
            regularizer=weight_regularizer,
            trainable=trainable,
        )
        x_2d = x if len(dims) <= 2 else array_ops.reshape(x, [-1, num_input_units])
        y = math_ops.matmul(x_2d, w)
        if bias_init is not None:
            b = get_variable(
                "bias",
                shape=[num_output_units],
                dtype=dtype,
                initializer=bias_init,
                collections=_dedup([*(bias_collections or []), GraphKeys.GLOBAL_VARIABLES]),
                regularizer=bias_regularizer,
                trainable=trainable,
            )
            y = conv_ops.bias_add(y, b)
        if len(dims) > 2:
            out_shape = array_ops.unstack(array_ops.shape(x))
            out_shape[-1] = num_output_units
            y = array_ops.reshape(y, array_ops.stack(out_shape))
            static_shape = x.get_shape().as_list()
            static_shape[-1] = num_output_units
            y.set_shape(static_shape)
        if activation_fn is not None:
            y = activation_fn(y)
        add_to_collections([*(output_collections or []), GraphKeys.ACTIVATIONS], y)
        return y


def _dedup(collections) -> list:
    return list(dict.fromkeys(collections))


legacy_relu = functools.partial(legacy_fully_connected, activation_fn=nn_ops.relu)
legacy_linear = functools.partial(legacy_fully_connected, activation_fn=None)


# -- bucketize, embed_sequence -----------------------------------------------------------
def bucketize(input_tensor, boundaries, name=None):
    """The index of the bucket (between sorted `boundaries`) of each value: int32.

    Raises:
        TypeError: if `boundaries` is not a list.
    """
    return math_more_ops.bucketize(input_tensor, boundaries=boundaries, name=name)


def embed_sequence(
    ids,
    vocab_size=None,
    embed_dim=None,
    unique=False,
    initializer=None,
    regularizer=None,
    trainable=True,
    scope=None,
    reuse=None,
):
    """[batch, length] symbol ids -> [batch, length, embed_dim] embeddings, looked up in
    the model variable `EmbedSequence/embeddings` [vocab_size, embed_dim] (an existing
    one is found again with `reuse`, its shape then optional).

    Raises:
        ValueError: if `vocab_size` or `embed_dim` is missing while not reusing.
    """
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(
            "Must specify vocab size and embedding dimension when not"
            f"reusing. Got vocab_size={vocab_size} and embed_dim={embed_dim}"
        )
    with variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim]
        if (reuse and vocab_size is None) or embed_dim is None:
            shape = None
        embeddings = slim_variables.model_variable(
            "embeddings",
            shape=shape,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable,
        )
        if unique:
            return _embedding_lookup_unique(embeddings, ids)
        return nn_ops.embedding_lookup(embeddings, ids)


def _embedding_lookup_unique(params, ids):
    """contrib's `embedding_lookup_unique`: each distinct id looked up once."""
    with name_scope(None, "EmbeddingLookupUnique", [params, ids]):
        ids = convert_to_tensor(ids)
        shape = array_ops.shape(ids)
        ids_flat = array_ops.reshape(ids, math_ops.reduce_prod(shape, keepdims=True))
        unique_ids, idx = array_ops.unique(ids_flat)
        unique_embeddings = nn_ops.embedding_lookup(params, unique_ids)
        embeds_flat = array_ops.gather(unique_embeddings, idx)
        embed_shape = array_ops.concat([shape, array_ops.shape(unique_embeddings)[1:]], 0)
        embeds = array_ops.reshape(embeds_flat, embed_shape)
        embeds.set_shape(ids.get_shape().concatenate(unique_embeddings.get_shape()[1:]))
        return embeds


# -- summaries ---------------------------------------------------------------------------
def _summary():
    from tfgraph import summary

    return summary


def _add_scalar_summary(tensor, tag=None):
    tensor.get_shape().with_rank(0)
    return _summary().scalar(tag or f"{tensor.op.name}_summary", tensor)


def _add_histogram_summary(tensor, tag=None):
    return _summary().histogram(tag or f"{tensor.op.name}_summary", tensor)


def summarize_activation(op):
    """A histogram `<op>/activation` of an activation tensor; for Relu, Softplus and
    Relu6 also the fraction of negative inputs (`<op>/zeros`), for Relu6 the fraction
    above six (`<op>/sixes`)."""
    inputs = op.op.inputs[0] if op.op.inputs else None
    if op.op.type in ("Relu", "Softplus", "Relu6"):
        _add_scalar_summary(
            math_ops.reduce_mean(
                array_ops.to_float(math_ops.less(inputs, array_ops.cast(0.0, inputs.dtype)))
            ),
            f"{op.op.name}/zeros",
        )
    if op.op.type == "Relu6":
        _add_scalar_summary(
            math_ops.reduce_mean(
                array_ops.to_float(math_ops.greater(inputs, array_ops.cast(6.0, inputs.dtype)))
            ),
            f"{op.op.name}/sixes",
        )
    return _add_histogram_summary(op, f"{op.op.name}/activation")


def summarize_tensor(tensor, tag=None):
    """A scalar summary of a scalar tensor, a histogram of any other (None for string
    and bool tensors); the tag defaults to `<op name>_summary`."""
    if tensor.dtype.is_compatible_with(dtypes.string) or tensor.dtype.base_dtype == dtypes.bool:
        return None
    if tensor.get_shape().ndims == 0:
        return _add_scalar_summary(tensor, tag)
    return _add_histogram_summary(tensor, tag)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    """`summarizer` applied to each of `tensors`."""
    return [summarizer(tensor) for tensor in tensors]


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor):
    """`summarizer` applied to the tensors of `collection` whose op names match the
    regular expression `name_filter` (from their start)."""
    tensors = [
        t
        for t in get_collection(collection)
        if name_filter is None or re.match(name_filter, t.op.name)
    ]
    return summarize_tensors(tensors, summarizer)


summarize_variables = functools.partial(summarize_collection, GraphKeys.GLOBAL_VARIABLES)
summarize_weights = functools.partial(summarize_collection, GraphKeys.WEIGHTS)
summarize_biases = functools.partial(summarize_collection, GraphKeys.BIASES)


def summarize_activations(name_filter=None, summarizer=summarize_activation):
    """`summarize_activation` of the tensors in the ACTIVATIONS collection."""
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)


__all__ += [
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
]


# -- GDN ---------------------------------------------------------------------------------
def _gdn_lower_bound_grad(op, grad):
    """The lower bound's gradient: passed through where the input is above the bound,
    or where it pushes the input up."""
    inputs, bound = op.inputs[0], op.inputs[1]
    through = math_ops.logical_or(inputs >= bound, grad < 0)
    return [array_ops.cast(through, grad.dtype) * grad, None]


RegisterGradient("GDNLowerBound")(_gdn_lower_bound_grad)


class GDN(base.Layer):
    """Generalized divisive normalization (Ballé et al., 2016):
    `y[i] = x[i] / sqrt(beta[i] + sum_j(gamma[j, i] * x[j] ** 2))` over the channels
    (`x * sqrt(...)` with `inverse`), `beta` and `gamma` kept as the variables
    `reparam_beta` and `reparam_gamma` (their square roots, bounded below)."""

    def __init__(self, inverse=False, beta_min=1e-6, gamma_init=0.1, reparam_offset=2**-18,
                 data_format="channels_last", activity_regularizer=None, trainable=True,
                 name=None, **kwargs) -> None:  # fmt: skip
        super().__init__(
            trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs
        )
        self.inverse = inverse
        self._beta_min = beta_min
        self._gamma_init = gamma_init
        self._reparam_offset = reparam_offset
        self.data_format = data_format
        self._channel_axis()
        self.input_spec = base.InputSpec(min_ndim=3, max_ndim=5)

    def _channel_axis(self) -> int:
        axis = {"channels_first": 1, "channels_last": -1}.get(self.data_format)
        if axis is None:
            raise ValueError(f"Unsupported `data_format` for GDN layer: {self.data_format}.")
        return axis

    @staticmethod
    def _lower_bound(inputs, bound, name=None):
        with name_scope(name, "GDNLowerBound", [inputs, bound]) as scope:
            inputs = convert_to_tensor(inputs, name="inputs")
            bound = convert_to_tensor(bound, name="bound")
            with get_default_graph().gradient_override_map({"Maximum": "GDNLowerBound"}):
                return math_ops.maximum(inputs, bound, name=scope)

    def build(self, input_shape) -> None:
        axis = self._channel_axis()
        input_shape = TensorShape(input_shape)
        channels = dimension_value(input_shape.dims[axis])
        if channels is None:
            raise ValueError("The channel dimension of the inputs to `GDN` must be defined.")
        self._input_rank = input_shape.ndims
        self.input_spec = base.InputSpec(ndim=input_shape.ndims, axes={axis: channels})
        dtype = self.dtype
        offset = self._reparam_offset
        pedestal = array_ops.constant(offset**2, dtype=dtype)
        beta_bound = array_ops.constant((self._beta_min + offset**2) ** 0.5, dtype=dtype)
        gamma_bound = array_ops.constant(offset, dtype=dtype)

        def beta_initializer(shape, dtype=None, partition_info=None):
            pedestal = array_ops.constant(offset**2, dtype=self.dtype)
            return math_ops.sqrt(array_ops.ones(shape, dtype=dtype) + pedestal)

        def gamma_initializer(shape, dtype=None, partition_info=None):
            eye = linalg_ops.eye(shape[0], dtype=dtype)
            pedestal = array_ops.constant(offset**2, dtype=self.dtype)
            return math_ops.sqrt(self._gamma_init * eye + pedestal)

        beta = self.add_weight(
            "reparam_beta", shape=[channels], initializer=beta_initializer, dtype=dtype,
            trainable=True,
        )  # fmt: skip
        self.beta = math_ops.square(self._lower_bound(beta, beta_bound)) - pedestal
        gamma = self.add_weight(
            "reparam_gamma", shape=[channels, channels], initializer=gamma_initializer,
            dtype=dtype, trainable=True,
        )  # fmt: skip
        self.gamma = math_ops.square(self._lower_bound(gamma, gamma_bound)) - pedestal
        self.built = True

    def call(self, inputs):
        inputs = convert_to_tensor(inputs, dtype=self.dtype)
        ndim = self._input_rank
        shape = self.gamma.get_shape().as_list()
        gamma = array_ops.reshape(self.gamma, (ndim - 2) * [1] + shape)
        if self.data_format == "channels_first":
            norm_pool = conv_ops.convolution(
                math_ops.square(inputs), gamma, "VALID", data_format="NC" + "DHW"[-(ndim - 2) :]
            )
            if ndim == 3:
                norm_pool = array_ops.expand_dims(norm_pool, 2)
                norm_pool = conv_ops.bias_add(norm_pool, self.beta, data_format="NCHW")
                norm_pool = array_ops.squeeze(norm_pool, [2])
            elif ndim == 5:
                shape = array_ops.shape(norm_pool)
                norm_pool = array_ops.reshape(norm_pool, shape[:3] + [-1])
                norm_pool = conv_ops.bias_add(norm_pool, self.beta, data_format="NCHW")
                norm_pool = array_ops.reshape(norm_pool, shape)
            else:
                norm_pool = conv_ops.bias_add(norm_pool, self.beta, data_format="NCHW")
        else:
            norm_pool = conv_ops.convolution(math_ops.square(inputs), gamma, "VALID")
            norm_pool = conv_ops.bias_add(norm_pool, self.beta, data_format="NHWC")
        norm_pool = math_ops.sqrt(norm_pool)
        outputs = inputs * norm_pool if self.inverse else inputs / norm_pool
        outputs.set_shape(inputs.get_shape())
        return outputs

    def compute_output_shape(self, input_shape):
        axis = self._channel_axis()
        input_shape = TensorShape(input_shape)
        if not 3 <= input_shape.ndims <= 5:
            raise ValueError("`input_shape` must be of rank 3 to 5, inclusive.")
        if dimension_value(input_shape.dims[axis]) is None:
            raise ValueError("The channel dimension of `input_shape` must be defined.")
        return input_shape


def gdn(inputs, inverse=False, beta_min=1e-6, gamma_init=0.1, reparam_offset=2**-18,
        data_format="channels_last", activity_regularizer=None, trainable=True, name=None,
        reuse=None):  # fmt: skip
    """The GDN layer applied to `inputs` (variables `<name or gdn>/reparam_beta`,
    `reparam_gamma`)."""
    layer = GDN(
        inverse=inverse,
        beta_min=beta_min,
        gamma_init=gamma_init,
        reparam_offset=reparam_offset,
        data_format=data_format,
        activity_regularizer=activity_regularizer,
        trainable=trainable,
        name=name,
        dtype=inputs.dtype.base_dtype,
        _scope=name,
        _reuse=reuse,
    )
    return layer.apply(inputs)


__all__ += ["GDN", "gdn"]
