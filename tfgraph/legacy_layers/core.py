"""`tf.layers.Dense`, `Dropout`, `Flatten` and their functional forms."""

from __future__ import annotations

import functools
import operator

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_layers import base
from tfgraph.ops import array_ops, common_shapes, control_flow_ops, init_ops, math_ops

_ZEROS = init_ops.zeros_initializer()

__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten", "get_activation"]


def get_activation(identifier):
    """A callable activation: `identifier` itself, or TF's function of that name
    ("relu", "sigmoid", ...); None means linear."""
    if identifier is None or callable(identifier):
        return identifier
    from tfgraph.ops import nn_ops

    if identifier == "linear":
        return lambda x: x
    if identifier in ("sigmoid", "tanh"):
        return getattr(math_ops, identifier)
    fn = getattr(nn_ops, identifier, None)
    if fn is None:
        raise ValueError(f"Unknown activation function: {identifier}")
    return fn


class Dense(base.Layer):
    """`outputs = activation(inputs @ kernel + bias)`; variables `kernel` [in, units]
    and `bias` [units]."""

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer=None,
        bias_initializer=_ZEROS,
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        **kwargs,
    ) -> None:
        super().__init__(
            trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs
        )
        self.units = int(units) if not isinstance(units, int) else units
        if self.units < 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer, got {units}."
            )
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = base.InputSpec(min_ndim=2)

    def build(self, input_shape) -> None:
        dtype = dtypes.as_dtype(self.dtype or "float32")
        if not (dtype.is_floating or dtype.is_complex):
            raise TypeError(
                f"Unable to build `Dense` layer with non-floating point dtype {dtype!r}"
            )
        input_shape = base.shape_of(input_shape)
        last_dim = dimension_value(input_shape[-1])
        if last_dim is None:
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. "
                f"Found None. Full input shape received: {input_shape}"
            )
        self.input_spec = base.InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight(
            "kernel",
            shape=[last_dim, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self.dtype,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self.dtype,
                trainable=True,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        from tfgraph.ops import conv_ops

        rank = inputs.shape.ndims
        if rank == 2 or rank is None:
            outputs = math_ops.matmul(inputs, self.kernel, name="MatMul")
        else:
            outputs = math_ops.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            shape = inputs.shape.as_list()
            outputs.set_shape([*shape[:-1], self.kernel.shape.as_list()[-1]])
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = base.shape_of(input_shape).with_rank_at_least(2)
        return input_shape[:-1].concatenate(self.units)


def dense(
    inputs,
    units,
    activation=None,
    use_bias=True,
    kernel_initializer=None,
    bias_initializer=_ZEROS,
    kernel_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    kernel_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """Functional interface of the densely-connected layer: variables `<name>/kernel`
    and `<name>/bias` (name defaults to `dense`, `dense_1`, ...)."""
    layer = Dense(
        units,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer.apply(inputs)


def _smart_cond(pred, true_fn, false_fn):
    """`true_fn()`/`false_fn()` when `pred` is a Python bool or a constant tensor, else a
    `tf.cond`."""
    if isinstance(pred, bool):
        return true_fn() if pred else false_fn()
    value = common_shapes.constant_value(pred)
    if value is not None:
        return true_fn() if bool(value) else false_fn()
    return control_flow_ops.cond(pred, true_fn, false_fn)


class Dropout(base.Layer):
    """Randomly zeroes a fraction `rate` of the inputs (scaling the rest by
    1 / (1 - rate)) when `training` is true; identity otherwise."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        concrete = array_ops.shape(inputs)
        return [concrete[i] if value is None else value for i, value in enumerate(self.noise_shape)]

    def call(self, inputs, training=False):
        from tfgraph import nn

        def dropped_inputs():
            return nn.dropout(
                inputs, noise_shape=self._get_noise_shape(inputs), seed=self.seed, rate=self.rate
            )

        return _smart_cond(training, dropped_inputs, lambda: array_ops.identity(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Functional interface of the dropout layer (identity unless `training`)."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(base.Layer):
    """Flattens every dimension but the first (the batch)."""

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = base.normalize_data_format(data_format)
        self.input_spec = base.InputSpec(min_ndim=1)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.shape.ndims not in (None, 1, 2):
            rank = inputs.shape.ndims
            inputs = array_ops.transpose(inputs, perm=[0, *range(2, rank), 1])
        input_shape = inputs.shape
        if input_shape.ndims == 1:
            return array_ops.expand_dims(inputs, 1)
        batch_dim = dimension_value(input_shape[0])
        non_batch_dims = input_shape[1:]
        if non_batch_dims.is_fully_defined():
            last_dim = int(functools.reduce(operator.mul, non_batch_dims.as_list(), 1))
            flattened_shape = array_ops.constant([-1, last_dim])
        elif batch_dim is not None:
            flattened_shape = array_ops.constant([int(batch_dim), -1])
        else:
            flattened_shape = [array_ops.shape(inputs)[0], -1]
        return array_ops.reshape(inputs, flattened_shape)

    def compute_output_shape(self, input_shape):
        input_shape = base.shape_of(input_shape).as_list()
        rest = input_shape[1:]
        flat = None if any(d is None for d in rest) else functools.reduce(operator.mul, rest, 1)
        return TensorShape([input_shape[0], flat])


def flatten(inputs, name=None, data_format="channels_last"):
    """Functional interface of the flattening layer: [batch, ...] -> [batch, n]."""
    layer = Flatten(name=name, data_format=data_format)
    return layer.apply(inputs)


# `get_default_graph` is re-exported for layers subclassing in user code.
_ = get_default_graph
