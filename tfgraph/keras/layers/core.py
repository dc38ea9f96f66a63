"""Keras 2's core layers: Dense, Activation, Dropout, Flatten, Reshape, Embedding. The
computations are tf.layers' (`tfgraph.legacy_layers`), the layer machinery Keras's."""

from __future__ import annotations

import functools
import operator

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import activations
from tfgraph.keras.engine.base_layer import Layer, as_shape
from tfgraph.legacy_layers import core as legacy_core
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = ["Activation", "Dense", "Dropout", "Embedding", "Flatten", "Masking", "Reshape"]


class Dense(legacy_core.Dense, Layer):
    """`activation(inputs @ kernel + bias)`: weights `kernel` [in, units], `bias` [units]."""

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(
            units,
            activation=None,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.activation = activations.get(activation)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape)
        if input_shape.ndims is not None and input_shape.ndims < 2:
            raise ValueError(
                "The last dimension of the input shape of a Dense layer should be defined. "
                f"Found None. Received: input_shape={input_shape}"
            )
        return input_shape[:-1].concatenate(self.units)


class Activation(Layer):
    """Applies an activation function ('relu', 'softmax', ...) to its input."""

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


class Dropout(legacy_core.Dropout, Layer):
    """Zeroes a fraction `rate` of its inputs (scaling the rest by 1/(1-rate)) in
    training; identity at test time. `training` defaults to the learning phase."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs) -> None:
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value {rate} received for `rate`, expected a value between 0 and 1."
            )
        super().__init__(rate=rate, noise_shape=noise_shape, seed=seed, **kwargs)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if isinstance(self.rate, (int, float)) and self.rate == 0:
            return array_ops.identity(inputs)
        return super().call(inputs, training=training)


class Flatten(legacy_core.Flatten, Layer):
    """Flattens every dimension but the batch."""

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(data_format=data_format, **kwargs)


class Reshape(Layer):
    """Reshapes its input to `(batch,) + target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        msg = (
            "total size of new array must be unchanged, input_shape = "
            f"{list(input_shape)}, output_shape = {list(output_shape)}"
        )
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is None:
                    unknown = index
                else:
                    raise ValueError(
                        "There must be at most one unknown dimension in output_shape. "
                        f"Received: output_shape={output_shape}."
                    )
            else:
                known *= dim
        original = functools.reduce(operator.mul, input_shape, 1)
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return output_shape

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape).as_list()
        rest = input_shape[1:]
        if None in rest:
            out = [input_shape[0]] + [None if d == -1 else d for d in self.target_shape]
        else:
            out = [input_shape[0], *self._fix_unknown_dimension(rest, self.target_shape)]
        return TensorShape(out)

    def call(self, inputs):
        result = array_ops.reshape(inputs, [array_ops.shape(inputs)[0], *self.target_shape])
        result.set_shape(self.compute_output_shape(inputs.shape))
        return result


class Embedding(Layer):
    """Rows of the weight `embeddings` [input_dim, output_dim] for integer inputs."""

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        activity_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        input_length=None,
        **kwargs,
    ) -> None:
        if "input_shape" not in kwargs and input_length is not None:
            kwargs["input_shape"] = (input_length,)
        if input_dim <= 0 or output_dim <= 0:
            raise ValueError(
                "Both `input_dim` and `output_dim` should be positive, "
                f"Received input_dim = {input_dim} and output_dim = {output_dim}"
            )
        kwargs.setdefault("dtype", "float32")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self.input_length = input_length

    def build(self, input_shape) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True

    def call(self, inputs):
        if inputs.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            inputs = array_ops.cast(inputs, dtypes.int32)
        return nn_ops.embedding_lookup(self.embeddings, inputs)

    def compute_output_shape(self, input_shape):
        return as_shape(input_shape).concatenate(self.output_dim)

    def compute_mask(self, inputs, mask=None):
        """With `mask_zero`, the positions whose id is not 0."""
        if not self.mask_zero:
            return None
        return math_ops.not_equal(inputs, 0)


class Masking(Layer):
    """Masks the time steps whose features all equal `mask_value` (and zeroes them)."""

    def __init__(self, mask_value=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return math_ops.reduce_any(math_ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        boolean_mask = math_ops.reduce_any(
            math_ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True
        )
        outputs = inputs * array_ops.cast(boolean_mask, inputs.dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape
