"""`tf.keras.experimental.LinearModel`: a linear (or generalized linear) model, one
bias-free Dense per input (inputs of a dict sorted by name, each Dense named by its
key) summed, plus a bias and the activation."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import activations, initializers, regularizers
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.keras.engine.functional import Model
from tfgraph.keras.engine.serialization import serialize_value
from tfgraph.keras.layers.core import Dense
from tfgraph.ops import conv_ops

__all__ = ["LinearModel"]


class LinearModel(Model):
    """`activation(sum_i Dense_i(input_i) + bias)` with `units` outputs."""

    def __init__(self, units=1, activation=None, use_bias=True, kernel_initializer="zeros",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 **kwargs):  # fmt: skip
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        super().__init__(**kwargs)

    def _dense(self, shape, name=None):
        layer = Dense(units=self.units, use_bias=False, kernel_initializer=self.kernel_initializer,
                      kernel_regularizer=self.kernel_regularizer, name=name)  # fmt: skip
        layer.build(shape)
        return layer

    def _sublayers(self) -> list:
        return super()._sublayers() + list(getattr(self, "dense_layers", []))

    def _maybe_build(self, input_shapes) -> None:  # (a subclassed model that builds)
        if not self.built:
            self.build(input_shapes)

    def build(self, input_shape) -> None:
        if isinstance(input_shape, dict):
            names = sorted(input_shape)
            self.dense_layers = [self._dense(input_shape[n], name=n) for n in names]
        elif isinstance(input_shape, (tuple, list)) and all(
            isinstance(s, (TensorShape, tuple, list)) for s in input_shape
        ):
            self.dense_layers = [self._dense(shape) for shape in input_shape]
        else:
            self.dense_layers = [self._dense(input_shape)]
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                dtype=self.dtype,
                trainable=True,
            )
        Layer.build(self, input_shape)

    def call(self, inputs):
        if isinstance(inputs, dict):
            names = [layer.name for layer in self.dense_layers]
            missing = set(names) - set(inputs)
            if missing:
                raise ValueError(
                    "The `inputs` dictionary does not match the structure expected by the "
                    f"model.\n\tExpected keys: {set(names)}\n\tReceived keys: "
                    f"{set(inputs)}\n\tMissing keys: {missing}"
                )
            inputs = [inputs[name] for name in names]
        result = None
        if isinstance(inputs, (tuple, list)):
            for inp, layer in zip(inputs, self.dense_layers):
                output = layer(inp)
                result = output if result is None else result + output
        else:
            result = self.dense_layers[0](inputs)
        if self.use_bias:
            result = conv_ops.bias_add(result, self.bias)
        if self.activation is not None:
            return self.activation(result)
        return result

    def get_config(self) -> dict:
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": serialize_value(self.kernel_regularizer),
            "bias_regularizer": serialize_value(self.bias_regularizer),
        }
        return {**Layer.get_config(self), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
