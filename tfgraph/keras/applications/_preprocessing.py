"""The two Keras preprocessing layers the EfficientNets start with, as Keras 2 builds
them (tfgraph's `tf.keras.layers` does not export them yet): `Rescaling` (x * scale +
offset) and `Normalization` ((x - mean) / max(sqrt(variance), epsilon) with `mean`,
`variance` and `count` weights, as before `adapt`)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import backend
from tfgraph.keras.engine.base_layer import Layer
from tfgraph.ops import array_ops, math_ops


class Rescaling(Layer):
    """`inputs * scale + offset`."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        dtype = self._dtype or dtypes.float32
        inputs = array_ops.cast(inputs, dtype)
        scale = array_ops.cast(self.scale, dtype)
        offset = array_ops.cast(self.offset, dtype)
        return inputs * scale + offset

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """Standardizes along the kept `axis` with the layer's mean and variance."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Got mean: {mean} and variance: {variance}"
            )
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert

    def build(self, input_shape) -> None:
        shape = TensorShape(input_shape).as_list()
        ndim = len(shape)
        keep = sorted(d if d >= 0 else d + ndim for d in self.axis)
        self._broadcast_shape = [shape[d] if d in keep else 1 for d in range(ndim)]
        var_shape = tuple(shape[d] for d in keep)
        dtype = self._dtype or dtypes.float32
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=var_shape, dtype=dtype,
                                              initializer="zeros", trainable=False)  # fmt: skip
            self.adapt_variance = self.add_weight(name="variance", shape=var_shape, dtype=dtype,
                                                  initializer="ones", trainable=False)  # fmt: skip
            self.count = self.add_weight(name="count", shape=(), dtype=dtypes.int64,
                                         initializer="zeros", trainable=False)  # fmt: skip
            self.mean = array_ops.reshape(self.adapt_mean, self._broadcast_shape)
            self.variance = array_ops.reshape(self.adapt_variance, self._broadcast_shape)
        else:
            ones = np.ones(var_shape)
            self.mean = array_ops.reshape(
                array_ops.cast(self.input_mean * ones, dtype), self._broadcast_shape
            )
            self.variance = array_ops.reshape(
                array_ops.cast(self.input_variance * ones, dtype), self._broadcast_shape
            )
        self.built = True

    def call(self, inputs):
        inputs = array_ops.cast(inputs, self._dtype or dtypes.float32)
        std = math_ops.maximum(math_ops.sqrt(self.variance), backend.epsilon())
        if self.invert:
            return self.mean + inputs * std
        return (inputs - self.mean) / std

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": self.input_mean, "variance": self.input_variance}  # fmt: skip


class TensorFlowOpLayer(Layer):
    """A TF op applied to a Keras tensor, as Keras 2 wraps `x + 3.0` or `x * c` in a
    functional model built in a TF1 graph (named "tf_op_layer_<op>": "tf_op_layer_add",
    "tf_op_layer_mul_1", ...)."""

    def __init__(self, function, op_name: str, **kwargs):
        kwargs.setdefault("name", backend.unique_object_name("tf_op_layer_" + op_name))
        super().__init__(**kwargs)
        self.function = function

    def call(self, inputs):
        return self.function(inputs)
