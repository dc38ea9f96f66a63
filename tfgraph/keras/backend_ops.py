"""The tensor functions of `tf.keras.backend` (Keras 2, tf_keras) over tfgraph's ops:
math and comparisons, shapes, convolutions and pooling, padding and resizing,
random tensors and variables, variable updates, CTC, control flow (`switch`,
`in_train_phase`, `map_fn`, `foldl`, `rnn` in backend_rnn.py). `tfgraph.keras.backend`
re-exports them; the Keras state (floatx, sessions, learning phase) lives there."""

from __future__ import annotations

import builtins
import contextlib

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.keras import backend as _K
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "all",
    "any",
    "arange",
    "argmin",
    "backend",
    "batch_dot",
    "batch_flatten",
    "batch_normalization",
    "cast_to_floatx",
    "cos",
    "count_params",
    "cumprod",
    "cumsum",
    "dropout",
    "elu",
    "eye",
    "flatten",
    "foldl",
    "foldr",
    "gather",
    "greater",
    "greater_equal",
    "hard_sigmoid",
    "in_test_phase",
    "in_top_k",
    "in_train_phase",
    "is_sparse",
    "l2_normalize",
    "learning_phase_scope",
    "less",
    "less_equal",
    "map_fn",
    "maximum",
    "minimum",
    "moving_average_update",
    "name_scope",
    "normalize_batch_in_training",
    "not_equal",
    "one_hot",
    "ones",
    "ones_like",
    "permute_dimensions",
    "pow",
    "print_tensor",
    "prod",
    "random_bernoulli",
    "random_binomial",
    "random_normal",
    "random_normal_variable",
    "random_uniform",
    "random_uniform_variable",
    "repeat",
    "repeat_elements",
    "resize_images",
    "resize_volumes",
    "reverse",
    "round",
    "sign",
    "sin",
    "softplus",
    "softsign",
    "spatial_2d_padding",
    "spatial_3d_padding",
    "std",
    "switch",
    "temporal_padding",
    "tile",
    "to_dense",
    "truncated_normal",
    "update",
    "update_add",
    "update_sub",
    "var",
    "zeros",
    "zeros_like",
]


def backend() -> str:
    """The name of the backend Keras runs on: 'tensorflow', as in tf_keras."""
    return "tensorflow"


def _floatx_dtype(dtype):
    return dtypes.as_dtype(dtype or _K.floatx())


def _is_tensor(x) -> bool:
    from tfgraph.framework.ops import Tensor
    from tfgraph.framework.sparse_tensor import SparseTensor
    from tfgraph.variables import Variable

    return isinstance(x, (Tensor, Variable, SparseTensor))


def cast_to_floatx(x):
    """Tensors are cast to floatx; anything else becomes a floatx numpy array."""
    if _is_tensor(x):
        return array_ops.cast(x, _K.floatx())
    return np.asarray(x, dtype=_K.floatx())


def count_params(x):
    """The number of elements of `x` (its static shape must be fully known)."""
    return np.prod(x.shape.as_list())


def is_sparse(tensor) -> bool:
    from tfgraph.framework.sparse_tensor import SparseTensor

    return isinstance(tensor, SparseTensor)


def to_dense(tensor):
    if is_sparse(tensor):
        from tfgraph.ops import sparse_ops

        return sparse_ops.sparse_tensor_to_dense(tensor)
    return tensor


def name_scope(name):
    from tfgraph.framework.graph import name_scope as tf_name_scope

    return tf_name_scope(name)


# -- variables -------------------------------------------------------------------------
def _tensor_variable(value, dtype, name):
    """A Keras variable (resource, named `name` or 'Variable') with a tensor initial value."""
    from tfgraph.variables import Variable

    return Variable(value, dtype=_floatx_dtype(dtype), name=name, use_resource=True)


def _filled(fill, shape, dtype, name):
    from tfgraph.eager.function import init_scope

    with init_scope():
        tf_dtype = _floatx_dtype(dtype)
        value = fill(shape=shape, dtype=tf_dtype, name=name)
        if builtins.all(value.shape.as_list()):
            return _tensor_variable(value, tf_dtype, name)
        return value


def zeros(shape, dtype=None, name=None):
    """A variable of zeros (a tensor if `shape` has a 0 or unknown size)."""
    return _filled(array_ops.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    """A variable of ones (a tensor if `shape` has a 0 or unknown size)."""
    return _filled(array_ops.ones, shape, dtype, name)


def eye(size, dtype=None, name=None):
    """An identity-matrix variable."""
    from tfgraph.ops import linalg_ops

    tf_dtype = _floatx_dtype(dtype)
    return _tensor_variable(linalg_ops.eye(size, dtype=tf_dtype), tf_dtype, name)


def zeros_like(x, dtype=None, name=None):
    return array_ops.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    return array_ops.ones_like(x, dtype=dtype, name=name)


def _seed(seed, high=10e6):
    return np.random.randint(high) if seed is None else seed


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialized from U(low, high)."""
    from tfgraph.ops import init_ops

    tf_dtype = _floatx_dtype(dtype)
    init = init_ops.RandomUniform(low, high, seed=_seed(seed, 10e8), dtype=tf_dtype)
    return _tensor_variable(init(shape), tf_dtype, name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialized from N(mean, scale)."""
    from tfgraph.ops import init_ops

    tf_dtype = _floatx_dtype(dtype)
    init = init_ops.RandomNormal(mean, scale, seed=_seed(seed, 10e8), dtype=tf_dtype)
    return _tensor_variable(init(shape), tf_dtype, name)


def update(x, new_x):
    from tfgraph.ops import state_ops

    return state_ops.assign(x, new_x)


def update_add(x, increment):
    from tfgraph.ops import state_ops

    return state_ops.assign_add(x, increment)


def update_sub(x, decrement):
    from tfgraph.ops import state_ops

    return state_ops.assign_sub(x, decrement)


def moving_average_update(x, value, momentum):
    """`x = x * momentum + value * (1 - momentum)`, zero-debiased as TF1 Keras does."""
    from tfgraph.training.moving_averages import assign_moving_average

    return assign_moving_average(x, value, momentum, zero_debias=True)


# -- random tensors --------------------------------------------------------------------
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    from tfgraph.ops import random_ops

    return random_ops.random_uniform(
        shape, minval=minval, maxval=maxval, dtype=_floatx_dtype(dtype), seed=_seed(seed)
    )


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from tfgraph.ops import random_ops

    return random_ops.random_normal(
        shape, mean=mean, stddev=stddev, dtype=_floatx_dtype(dtype), seed=_seed(seed)
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from tfgraph.ops import random_ops

    return random_ops.truncated_normal(
        shape, mean=mean, stddev=stddev, dtype=_floatx_dtype(dtype), seed=_seed(seed)
    )


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability `p`, else 0."""
    from tfgraph.ops import random_ops

    tf_dtype = _floatx_dtype(dtype)
    draw = random_ops.random_uniform(shape, dtype=tf_dtype, seed=_seed(seed))
    return array_ops.where_v2(
        math_ops.less_equal(draw, p),
        array_ops.ones(shape, dtype=tf_dtype),
        array_ops.zeros(shape, dtype=tf_dtype),
    )


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated alias of `random_bernoulli`."""
    import warnings

    warnings.warn(
        "`tf.keras.backend.random_binomial` is deprecated, and will be removed in a "
        "future version.Please use `tf.keras.backend.random_bernoulli` instead.",
        stacklevel=2,
    )
    return random_bernoulli(shape, p, dtype, seed)


def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes entries with probability `level`, scaling the rest by 1 / (1 - level)."""
    return nn_ops.dropout_v2(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))


# -- elementwise math and reductions ---------------------------------------------------
def _binary(fn_name):
    def op(x, y):
        return getattr(math_ops, fn_name)(x, y)

    op.__name__ = fn_name
    op.__qualname__ = fn_name
    return op


greater = _binary("greater")
greater_equal = _binary("greater_equal")
less = _binary("less")
less_equal = _binary("less_equal")
not_equal = _binary("not_equal")
maximum = _binary("maximum")
minimum = _binary("minimum")


def _unary(module, fn_name, public=None):
    def op(x):
        return getattr(module, fn_name)(x)

    op.__name__ = public or fn_name
    op.__qualname__ = op.__name__
    return op


sin = _unary(math_ops, "sin")
cos = _unary(math_ops, "cos")
round = _unary(math_ops, "round")
sign = _unary(math_ops, "sign")
softplus = _unary(nn_ops, "softplus")
softsign = _unary(nn_ops, "softsign")


def pow(x, a):
    return math_ops.pow(x, a)


def hard_sigmoid(x):
    """`clip(0.2 * x + 0.5, 0, 1)`."""
    dtype = x.dtype.base_dtype
    x = math_ops.multiply(x, array_ops.constant(0.2, dtype))
    x = math_ops.add(x, array_ops.constant(0.5, dtype))
    return math_ops.clip_by_value(x, 0.0, 1.0)


def elu(x, alpha=1.0):
    res = nn_ops.elu(x)
    if alpha == 1:
        return res
    return array_ops.where_v2(math_ops.greater(x, 0), res, alpha * res)


def l2_normalize(x, axis=None):
    return nn_ops.l2_normalize(x, axis=axis)


def in_top_k(predictions, targets, k):
    return nn_ops.in_top_k(predictions, targets, k)


def prod(x, axis=None, keepdims=False):
    return math_ops.reduce_prod(x, axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return math_ops.reduce_all(array_ops.cast(x, dtypes.bool), axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return math_ops.reduce_any(array_ops.cast(x, dtypes.bool), axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    if x.dtype.base_dtype == dtypes.bool:
        x = array_ops.cast(x, _K.floatx())
    return math_ops.reduce_variance(x, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    if x.dtype.base_dtype == dtypes.bool:
        x = array_ops.cast(x, _K.floatx())
    return math_ops.reduce_std(x, axis=axis, keepdims=keepdims)


def argmin(x, axis=-1):
    return math_ops.argmin(x, axis)


def cumsum(x, axis=0):
    return math_ops.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return math_ops.cumprod(x, axis=axis)


def arange(start, stop=None, step=1, dtype="int32"):
    """`range` as a tensor; a negative `start` without `stop` gives an empty one."""
    if stop is None and start < 0:
        start = 0
    result = math_ops.range(start, limit=stop, delta=step, name="arange")
    if dtype != "int32":
        result = array_ops.cast(result, dtype)
    return result


# -- shapes ----------------------------------------------------------------------------
def gather(reference, indices):
    return array_ops.gather(reference, indices)


def one_hot(indices, num_classes):
    return array_ops.one_hot(indices, depth=num_classes, axis=-1)


def permute_dimensions(x, pattern):
    return array_ops.transpose(x, perm=pattern)


def flatten(x):
    return array_ops.reshape(x, [-1])


def batch_flatten(x):
    """`x` as (batch, everything else)."""
    size = math_ops.reduce_prod(array_ops.shape(x)[1:])
    return array_ops.reshape(x, array_ops.stack([-1, size]))


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return array_ops.reverse(x, axes)


def tile(x, n):
    if isinstance(n, int):
        n = [n]
    return array_ops.tile(x, n)


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    if x.shape.ndims != 2:
        raise AssertionError("repeat: `x` must be 2-D (batch, dim)")
    x = array_ops.expand_dims(x, 1)
    return array_ops.tile(x, array_ops.stack([1, n, 1]))


def repeat_elements(x, rep, axis):
    """Each slice of `x` along `axis` repeated `rep` times, as `np.repeat`."""
    x_shape = x.shape.as_list()
    if x_shape[axis] is not None:
        splits = array_ops.split(x, x_shape[axis], axis=axis)
        return array_ops.concat([s for s in splits for _ in range(rep)], axis)
    auxiliary = axis + 1
    dynamic = array_ops.shape(x)
    reps = np.ones(len(x_shape) + 1)
    reps[auxiliary] = rep
    x_rep = array_ops.tile(array_ops.expand_dims(x, axis=auxiliary), reps)
    reps = np.delete(reps, auxiliary)
    reps[axis] = rep
    x_rep = array_ops.reshape(x_rep, dynamic * array_ops.constant(reps, dtype="int32"))
    x_rep.set_shape(x_shape)
    return x_rep


def temporal_padding(x, padding=(1, 1)):
    if len(padding) != 2:
        raise AssertionError("temporal_padding: `padding` must be a pair")
    return array_ops.pad(x, [[0, 0], [padding[0], padding[1]], [0, 0]])


def _data_format(data_format):
    data_format = data_format or _K.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Unknown data_format: " + str(data_format))
    return data_format


def _spatial_padding(x, padding, data_format, rank):
    if len(padding) != rank or builtins.any(len(p) != 2 for p in padding):
        raise AssertionError(f"spatial padding needs {rank} pairs, got {padding}")
    pairs = [list(p) for p in padding]
    if _data_format(data_format) == "channels_first":
        return array_ops.pad(x, [[0, 0], [0, 0], *pairs])
    return array_ops.pad(x, [[0, 0], *pairs, [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _spatial_padding(x, padding, data_format, 2)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _spatial_padding(x, padding, data_format, 3)


_RESIZE_METHODS = (
    "area",
    "bicubic",
    "bilinear",
    "gaussian",
    "lanczos3",
    "lanczos5",
    "mitchellcubic",
    "nearest",
)


def _resize2d(x, size, interpolation):
    from tfgraph.ops import resize_ops

    if interpolation == "nearest":
        return resize_ops.resize_nearest_neighbor(x, size, half_pixel_centers=True)
    if interpolation == "bilinear":
        return resize_ops.resize_bilinear(x, size, half_pixel_centers=True)
    if interpolation == "bicubic":
        return resize_ops.resize_bicubic(x, size, half_pixel_centers=True)
    if interpolation == "area":
        return resize_ops.resize_area(x, size)
    raise NotImplementedError(
        "resize_images: tfgraph implements the 'nearest', 'bilinear', 'bicubic' and "
        f"'area' interpolations, not {interpolation!r} (TF's ScaleAndTranslate kernel); "
        "use one of those"
    )


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsamples the two spatial axes by integer factors (TF2 `tf.image.resize` rules)."""
    if data_format == "channels_first":
        rows, cols = 2, 3
    elif data_format == "channels_last":
        rows, cols = 1, 2
    else:
        raise ValueError(f"Invalid `data_format` argument: {data_format}")
    if interpolation not in _RESIZE_METHODS:
        names = '"' + '", "'.join(_RESIZE_METHODS) + '"'
        raise ValueError(
            f'`interpolation` argument should be one of: {names}. Received: "{interpolation}".'
        )
    static = x.shape[rows : cols + 1]
    if static.is_fully_defined():
        new_shape = array_ops.constant(static.as_list(), dtype="int32")
    else:
        new_shape = array_ops.shape(x)[rows : cols + 1]
    new_shape *= array_ops.constant(np.array([height_factor, width_factor], dtype="int32"))
    if data_format == "channels_first":
        x = permute_dimensions(x, [0, 2, 3, 1])
    from tfgraph.framework.graph import name_scope as tf_name_scope

    with tf_name_scope(None, "resize", [x, new_shape]):
        x = _resize2d(x, new_shape, interpolation)
    if data_format == "channels_first":
        x = permute_dimensions(x, [0, 3, 1, 2])
    return x


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Repeats the three spatial axes by integer factors."""
    if data_format == "channels_first":
        first = 2
    elif data_format == "channels_last":
        first = 1
    else:
        raise ValueError("Invalid data_format: " + str(data_format))
    x = repeat_elements(x, depth_factor, axis=first)
    x = repeat_elements(x, height_factor, axis=first + 1)
    return repeat_elements(x, width_factor, axis=first + 2)


# -- batch dot -------------------------------------------------------------------------
def _batch_dot_axes(x_shape, y_shape, axes):
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(
            "Cannot do batch_dot on inputs with rank < 2. "
            f"Received inputs with shapes {x_shape} and {y_shape}."
        )
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError(
            "Cannot do batch_dot on inputs with different batch sizes. "
            f"Received inputs with shapes {x_shape} and {y_shape}."
        )
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    if builtins.any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(
            "Multiple target dimensions are not supported. Expected: None, int, "
            f"(int, int), Provided: {axes}"
        )
    axes = list(axes)
    axes[0] += x_ndim if axes[0] < 0 else 0
    axes[1] += y_ndim if axes[1] < 0 else 0
    if 0 in axes:
        raise ValueError(
            "Cannot perform batch_dot over axis 0. If your inputs are not batched, add "
            "a dummy batch dimension to your inputs using K.expand_dims(x, 0)"
        )
    d1, d2 = x_shape[axes[0]], y_shape[axes[1]]
    if d1 is not None and d2 is not None and d1 != d2:
        raise ValueError(
            f"Cannot do batch_dot on inputs with shapes {x_shape} and {y_shape} with "
            f"axes={axes}. x.shape[{axes[0]}] != y.shape[{axes[1]}] ({d1} != {d2})."
        )
    return axes


def batch_dot(x, y, axes=None):
    """The dot product of each batch entry of `x` with the same entry of `y` over `axes`."""
    x_shape, y_shape = _K.int_shape(x), _K.int_shape(y)
    a0, a1 = _batch_dot_axes(x_shape, y_shape, axes)
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim == 2:
        x, a0, x_ndim = array_ops.expand_dims(x, 1), a0 + 1, 3
    if y_ndim == 2:
        y, y_ndim = array_ops.expand_dims(y, 2), 3
    if a0 != x_ndim - 1:
        pattern = [i for i in range(x_ndim) if i != a0] + [a0]
        x = array_ops.transpose(x, pattern)
    if a1 != 1:
        pattern = [0, a1] + [i for i in range(1, y_ndim) if i != a1]
        y = array_ops.transpose(y, pattern)
    x_mid = y_trail = None
    if x_ndim > 3:
        xs = array_ops.shape(x)
        x_mid = xs[1:-1]
        x = array_ops.reshape(x, array_ops.stack([xs[0], -1, xs[-1]]))
    if y_ndim > 3:
        ys = array_ops.shape(y)
        y_trail = ys[2:]
        y = array_ops.reshape(y, array_ops.stack([ys[0], ys[1], -1]))
    result = math_ops.matmul(x, y)
    out_shape = array_ops.shape(result)
    if x_mid is not None:
        out_shape = array_ops.concat([out_shape[:1], x_mid, out_shape[-1:]], 0)
    if y_trail is not None:
        out_shape = array_ops.concat([out_shape[:-1], y_trail], 0)
    if x_mid is not None or y_trail is not None:
        result = array_ops.reshape(result, out_shape)
    if orig_x_ndim == 2:
        result = array_ops.squeeze(result, [1])
    elif orig_y_ndim == 2:
        result = array_ops.squeeze(result, [-1])
    return result


# -- normalization ---------------------------------------------------------------------
def _broadcast_normalize(x, gamma, beta, reduction_axes, epsilon):
    mean, variance = nn_ops.moments(x, reduction_axes, keep_dims=False)
    target = [
        1 if axis in reduction_axes else array_ops.shape(x)[axis] for axis in range(x.shape.ndims)
    ]
    target = array_ops.stack(target)

    def fit(t):
        return None if t is None else array_ops.reshape(t, target)

    normed = nn_ops.batch_normalization(x, fit(mean), fit(variance), fit(beta), fit(gamma), epsilon)
    return normed, mean, variance


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """(normalized x, batch mean, batch variance) over `reduction_axes`."""
    if sorted(reduction_axes) == list(range(x.shape.ndims))[:-1]:
        mean, variance = nn_ops.moments(x, reduction_axes, keep_dims=False)
        normed = nn_ops.batch_normalization(x, mean, variance, beta, gamma, epsilon)
        return normed, mean, variance
    return _broadcast_normalize(x, gamma, beta, list(reduction_axes), epsilon)


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta`."""
    if x.shape.ndims == 4 and axis in (3, -1):
        mean, var = array_ops.reshape(mean, [-1]), array_ops.reshape(var, [-1])
        beta = array_ops.zeros_like(mean) if beta is None else array_ops.reshape(beta, [-1])
        gamma = array_ops.ones_like(mean) if gamma is None else array_ops.reshape(gamma, [-1])
        y, _, _ = nn_ops.fused_batch_norm(
            x, gamma, beta, epsilon=epsilon, mean=mean, variance=var, is_training=False
        )
        return y
    return nn_ops.batch_normalization(x, mean, var, beta, gamma, epsilon)


# -- learning phase and control flow ---------------------------------------------------
def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition` holds, else `else_expression` (a `cond` for a
    scalar condition, an elementwise select otherwise); either may be a callable."""
    from tfgraph.ops import control_flow_ops

    if condition.dtype.base_dtype != dtypes.bool:
        condition = array_ops.cast(condition, "bool")
    cond_ndim = condition.shape.ndims
    if not cond_ndim:
        then_fn = then_expression if callable(then_expression) else lambda: then_expression
        else_fn = else_expression if callable(else_expression) else lambda: else_expression
        return control_flow_ops.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    expr_ndim = then_expression.shape.ndims
    if cond_ndim > expr_ndim:
        raise ValueError(
            "Rank of `condition` should be less than or equal to rank of "
            "`then_expression` and `else_expression`. "
            f"ndim(condition)={cond_ndim}, ndim(then_expression)={expr_ndim}"
        )
    if cond_ndim > 1:
        cond_shape = array_ops.concat(
            [array_ops.shape(condition), [1] * (expr_ndim - cond_ndim)], axis=0
        )
        condition = array_ops.reshape(condition, cond_shape)
        expr_shape = array_ops.shape(then_expression)
        tiles = array_ops.where_v2(
            math_ops.greater(expr_shape - cond_shape, 0),
            expr_shape,
            array_ops.ones_like(expr_shape),
        )
        condition = array_ops.tile(condition, tiles)
    return array_ops.where_v2(condition, then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    """`x` in the training phase, `alt` otherwise (the learning phase by default)."""
    if training is None:
        training = _K.learning_phase()
    if not _is_tensor(training):
        if training == 1 or training is True:
            return x() if callable(x) else x
        if training == 0 or training is False:
            return alt() if callable(alt) else alt
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


@contextlib.contextmanager
def learning_phase_scope(value):
    """Fixes the learning phase (0 or 1) of the default graph inside the block."""
    import warnings

    warnings.warn(
        "`tf.keras.backend.learning_phase_scope` is deprecated and will be removed "
        "after 2020-10-11. To update it, simply pass a True/False value to the "
        "`training` argument of the `__call__` method of your layer or model.",
        stacklevel=3,
    )
    if value not in {0, 1}:
        raise ValueError("Expected learning phase to be 0 or 1.")
    graph = _K.get_graph()
    phases = _K._LEARNING_PHASES
    previous = phases.get(graph)
    phases[graph] = value
    try:
        yield
    finally:
        if previous is None:
            phases.pop(graph, None)
        else:
            phases[graph] = previous


def map_fn(fn, elems, name=None, dtype=None):
    from tfgraph import functional_ops

    return functional_ops.map_fn(fn, elems, name=name, dtype=dtype)


def foldl(fn, elems, initializer=None, name=None):
    from tfgraph import functional_ops

    return functional_ops.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    from tfgraph import functional_ops

    return functional_ops.foldr(fn, elems, initializer=initializer, name=name)


def print_tensor(x, message="", summarize=3):
    """`x`, printing `message` and its value to stdout whenever it is evaluated."""
    import sys

    from tfgraph.framework.graph import control_dependencies
    from tfgraph.ops import logging_ops

    op = logging_ops.print_v2(message, x, output_stream=sys.stdout, summarize=summarize)
    with control_dependencies([op]):
        return array_ops.identity(x)
