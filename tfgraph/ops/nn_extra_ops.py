"""More of `tf.nn`, as TF builds them from other ops: zero_fraction, swish/silu, crelu,
relu_layer, log_poisson_loss, sufficient_statistics, normalize_moments,
weighted_moments, max_pool1d, avg_pool1d."""

from __future__ import annotations

import math

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, control_flow_ops, conv_ops, math_ops, nn_ops

__all__ = [
    "avg_pool1d",
    "crelu",
    "log_poisson_loss",
    "max_pool1d",
    "normalize_moments",
    "relu_layer",
    "silu",
    "sufficient_statistics",
    "swish",
    "weighted_moments",
    "zero_fraction",
]


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


def _count_nonzero(value, dtype):
    with get_default_graph().name_scope("count_nonzero"):
        zero = array_ops.zeros([], dtype=value.dtype)
        return math_ops.reduce_sum(
            array_ops.cast(math_ops.not_equal(value, zero), dtype), name="nonzero_count"
        )


def zero_fraction(value, name=None):
    """The fraction of zeros in `value` (a float32 scalar), as summaries of sparsity use."""
    with _scope(name, "zero_fraction"):
        value = convert_to_tensor(value, name="value")
        size = array_ops.size(value, out_type=dtypes.int64)
        num_nonzero = control_flow_ops.cond(
            size <= dtypes.int32.max,
            lambda: array_ops.cast(_count_nonzero(value, dtypes.int32), dtypes.int64),
            lambda: _count_nonzero(value, dtypes.int64),
        )
        with get_default_graph().name_scope("counts_to_fraction"):
            num_zero = size - num_nonzero
            fraction = array_ops.cast(num_zero, dtypes.float32) / array_ops.cast(
                size, dtypes.float32
            )
        return array_ops.identity(fraction, "fraction")


def swish(features, beta=1.0):
    """`features * sigmoid(beta * features)`, with TF's gradient (recomputed sigmoid)."""
    from tfgraph.custom_gradient import custom_gradient

    features = convert_to_tensor(features, name="features")
    beta = array_ops.cast(convert_to_tensor(beta, name="beta"), features.dtype)

    @custom_gradient
    def swish_impl(features, beta):
        def grad(dy):
            with get_default_graph().control_dependencies([dy]):
                sig = math_ops.sigmoid(beta * features)
            activation_grad = sig * (1.0 + (beta * features) * (1.0 - sig))
            beta_grad = math_ops.reduce_sum(dy * math_ops.square(features) * sig * (1.0 - sig))
            return dy * activation_grad, beta_grad

        return features * math_ops.sigmoid(beta * features), grad

    return swish_impl(features, beta)


silu = swish


def crelu(features, name=None, axis=-1):
    """Concatenated ReLU: relu of [features, -features] along `axis`."""
    g = get_default_graph()
    with g.name_scope(name or "CRelu") as scope:
        features = convert_to_tensor(features, name="features")
        c = array_ops.concat([features, -features], axis, name=scope)
        return nn_ops.relu(c)


def relu_layer(x, weights, biases, name=None):
    """relu(x @ weights + biases)."""
    g = get_default_graph()
    with g.name_scope(name or "relu_layer") as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        xw_plus_b = conv_ops.bias_add(math_ops.matmul(x, weights), biases)
        return nn_ops.relu(xw_plus_b, name=scope)


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets (+ Stirling's approximation of log(targets!)
    for targets > 1 with `compute_full_loss`)."""
    with _scope(name, "log_poisson_loss"):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets")
        try:
            targets.get_shape().assert_is_compatible_with(log_input.get_shape())
        except ValueError:
            raise ValueError(
                "log_input and targets must have the same shape "
                f"({log_input.get_shape()} vs {targets.get_shape()})"
            ) from None
        result = math_ops.exp(log_input) - log_input * targets
        if compute_full_loss:
            point_five = array_ops.constant(0.5, dtype=targets.dtype)
            two_pi = array_ops.constant(2 * math.pi, dtype=targets.dtype)
            stirling = (
                (targets * math_ops.log(targets))
                - targets
                + (point_five * math_ops.log(two_pi * targets))
            )
            zeros = array_ops.zeros_like(targets, dtype=targets.dtype)
            ones = array_ops.ones_like(targets, dtype=targets.dtype)
            cond = math_ops.logical_and(targets >= zeros, targets <= ones)
            result += array_ops.where(cond, zeros, stirling)
        return result


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """(count, sum of x - shift, sum of (x - shift)**2, shift) over `axes`."""
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    axes = list(set(axes))
    with _scope(name, "sufficient_statistics"):
        x = convert_to_tensor(x, name="x")
        dims = x.get_shape().as_list() if x.get_shape().ndims is not None else None
        if dims is not None and all(dims[d] is not None for d in axes):
            counts = 1
            for d in axes:
                counts *= dims[d]
            counts = array_ops.constant(counts, dtype=x.dtype)
        else:
            x_dims = array_ops.gather(array_ops.cast(array_ops.shape(x), x.dtype), axes)
            counts = math_ops.reduce_prod(x_dims, name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift")
            m_ss = math_ops.subtract(x, shift)
            v_ss = math_ops.squared_difference(x, shift)
        else:
            m_ss, v_ss = x, math_ops.square(x)
        m_ss = math_ops.reduce_sum(m_ss, axes, keepdims=keepdims, name="mean_ss")
        v_ss = math_ops.reduce_sum(v_ss, axes, keepdims=keepdims, name="var_ss")
    return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from `sufficient_statistics`."""
    with _scope(name, "normalize"):
        divisor = math_ops.reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
            mean = math_ops.add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = math_ops.subtract(
            math_ops.multiply(variance_ss, divisor), math_ops.square(shifted_mean), name="variance"
        )
    return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """The frequency-weighted mean and variance of `x` over `axes`."""
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    with _scope(name, "weighted_moments"):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        needs_cast = x.dtype == dtypes.float16
        if needs_cast:
            x = array_ops.cast(x, dtypes.float32)
        if weights.dtype != x.dtype:
            weights = array_ops.cast(weights, x.dtype)
        weighted_input_sum = math_ops.reduce_sum(
            weights * x, axes, name="weighted_input_sum", keepdims=True
        )
        broadcasted = weights + array_ops.zeros_like(x)
        sum_of_weights = math_ops.reduce_sum(
            broadcasted, axes, name="sum_of_weights", keepdims=True
        )
        mean = math_ops.div_no_nan(weighted_input_sum, sum_of_weights)
        distsq = math_ops.reduce_sum(
            weights * math_ops.squared_difference(x, mean), axes, name="weighted_distsq",
            keepdims=True,
        )  # fmt: skip
        variance = math_ops.div_no_nan(distsq, sum_of_weights)
        if not keepdims:
            mean = array_ops.squeeze(mean, axis=axes)
            variance = array_ops.squeeze(variance, axis=axes)
        if needs_cast:
            mean = array_ops.cast(mean, dtypes.float16)
            variance = array_ops.cast(variance, dtypes.float16)
        return mean, variance


def _pool1d(op_name, fn, input, ksize, strides, padding, data_format, name):
    if data_format not in ("NWC", "NCW"):
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: {data_format}")
    g = get_default_graph()
    with g.name_scope(name or op_name) as scope:
        if data_format == "NCW":
            dim, fmt = 2, "NCHW"
        else:
            dim, fmt = 1, "NHWC"
        ksize = _sequence(ksize, 1, data_format)
        strides = _sequence(strides, 1, data_format)
        x = array_ops.expand_dims(input, dim)
        result = fn(x, [1, *ksize], [1, *strides], padding, data_format=fmt, name=scope)
        return array_ops.squeeze(result, [dim])


def _sequence(value, n, data_format):
    """[1, value, 1] (NWC) or [1, 1, value] (NCW) from an int or a list of 1 or 3."""
    values = [value] if isinstance(value, int) else list(value)
    if len(values) == n + 2:
        return values
    if len(values) != n:
        raise ValueError(f"should be of length 1 or 3 but was {len(values)}")
    return [1, 1, *values] if data_format == "NCW" else [1, *values, 1]


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """Max pooling over the width of [batch, width, channels] (a MaxPool on an added
    height of 1)."""
    return _pool1d(
        "MaxPool1d", conv_ops.max_pool, input, ksize, strides, padding, data_format, name
    )


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """Average pooling over the width of [batch, width, channels]."""
    return _pool1d(
        "AvgPool1D", conv_ops.avg_pool, input, ksize, strides, padding, data_format, name
    )


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def crelu_v2(features, axis=-1, name=None):
    """TF2's `tf.nn.crelu` (axis before name)."""
    return crelu(features, name=name, axis=axis)


def sufficient_statistics_v2(x, axes, shift=None, keepdims=False, name=None):
    """TF2's `tf.nn.sufficient_statistics` (keepdims=False, no keep_dims)."""
    return sufficient_statistics(x, axes, shift=shift, name=name, keepdims=keepdims)


def weighted_moments_v2(x, axes, frequency_weights, keepdims=False, name=None):
    """TF2's `tf.nn.weighted_moments` (keepdims=False, before name)."""
    return weighted_moments(x, axes, frequency_weights, name=name, keepdims=keepdims)


def gelu(features, approximate=False, name=None):
    """TF2's `tf.nn.gelu`: x * P(X <= x), X ~ N(0, 1), as TF composes it (erfc, or the
    tanh form when `approximate`)."""
    from tfgraph.ops import special_math_ops

    with _scope(name, "Gelu"):
        features = convert_to_tensor(features, name="features")
        if not features.dtype.is_floating:
            raise ValueError(
                "`features.dtype` must be a floating point tensor."
                f"Received:features.dtype={features.dtype}"
            )
        if approximate:
            coeff = array_ops.cast(0.044715, features.dtype)
            inner = 0.7978845608028654 * (features + coeff * math_ops.pow(features, 3))
            return 0.5 * features * (1.0 + math_ops.tanh(inner))
        half_root2 = array_ops.cast(0.7071067811865476, features.dtype)
        return 0.5 * features * special_math_ops.erfc(-features * half_root2)
