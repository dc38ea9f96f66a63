"""`tf.layers.MaxPooling2D`, `AveragePooling2D` and their functional forms."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.convolutional import _conv_output_length

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "average_pooling1d",
    "average_pooling2d",
    "max_pooling1d",
    "max_pooling2d",
]


class _Pooling2D(base.Layer):
    _op_name = ""

    def __init__(
        self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs
    ) -> None:
        if strides is None:
            raise ValueError("Argument `strides` must not be None.")
        super().__init__(name=name, **kwargs)
        if data_format is None:
            data_format = "channels_last"
        self.pool_size = base.normalize_tuple(pool_size, 2, "pool_size")
        self.strides = base.normalize_tuple(strides, 2, "strides")
        self.padding = base.normalize_padding(padding)
        self.data_format = base.normalize_data_format(data_format)
        self.input_spec = base.InputSpec(ndim=4)

    def call(self, inputs):
        from tfgraph.ops import conv_ops

        if self.data_format == "channels_last":
            pool_shape = (1, *self.pool_size, 1)
            strides = (1, *self.strides, 1)
        else:
            pool_shape = (1, 1, *self.pool_size)
            strides = (1, 1, *self.strides)
        pool = conv_ops.max_pool if self._op_name == "MaxPool" else conv_ops.avg_pool
        return pool(
            inputs,
            ksize=list(pool_shape),
            strides=list(strides),
            padding=self.padding.upper(),
            data_format=base.convert_data_format(self.data_format, 4),
        )

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        if self.data_format == "channels_first":
            rows, cols = shape[2], shape[3]
        else:
            rows, cols = shape[1], shape[2]
        rows = _conv_output_length(rows, self.pool_size[0], self.padding, self.strides[0])
        cols = _conv_output_length(cols, self.pool_size[1], self.padding, self.strides[1])
        if self.data_format == "channels_first":
            return TensorShape([shape[0], shape[1], rows, cols])
        return TensorShape([shape[0], rows, cols, shape[3]])


class MaxPooling2D(_Pooling2D):
    """Max pooling over `pool_size` windows moved by `strides`."""

    _op_name = "MaxPool"


class AveragePooling2D(_Pooling2D):
    """Average pooling over `pool_size` windows moved by `strides`."""

    _op_name = "AvgPool"


def max_pooling2d(
    inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
):
    """Functional interface of the 2-D max-pooling layer."""
    layer = MaxPooling2D(
        pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name
    )
    return layer.apply(inputs)


def average_pooling2d(
    inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
):
    """Functional interface of the 2-D average-pooling layer."""
    layer = AveragePooling2D(
        pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name
    )
    return layer.apply(inputs)


class _Pooling1D(base.Layer):
    """Pooling over the steps of [batch, steps, channels] (or channels first): the 2-D
    pool on an added dimension of 1, then a Squeeze, as TF builds it."""

    _op_name = ""

    def __init__(
        self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs
    ) -> None:
        if strides is None:
            raise ValueError("Argument `strides` must not be None.")
        super().__init__(name=name, **kwargs)
        self.pool_size = base.normalize_tuple(pool_size, 1, "pool_size")
        self.strides = base.normalize_tuple(strides, 1, "strides")
        self.padding = base.normalize_padding(padding)
        self.data_format = base.normalize_data_format(data_format or "channels_last")
        self.input_spec = base.InputSpec(ndim=3)

    def call(self, inputs):
        from tfgraph.ops import array_ops, conv_ops

        first = self.data_format == "channels_first"
        dim = 2 if first else 1
        x = array_ops.expand_dims(inputs, dim)
        if first:
            ksize, strides, fmt = [1, 1, 1, *self.pool_size], [1, 1, 1, *self.strides], "NCHW"
        else:
            ksize, strides, fmt = [1, 1, *self.pool_size, 1], [1, 1, *self.strides, 1], "NHWC"
        pool = conv_ops.max_pool if self._op_name == "MaxPool" else conv_ops.avg_pool
        out = pool(x, ksize=ksize, strides=strides, padding=self.padding.upper(), data_format=fmt)
        return array_ops.squeeze(out, [dim])

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        w = 2 if self.data_format == "channels_first" else 1
        shape[w] = _conv_output_length(shape[w], self.pool_size[0], self.padding, self.strides[0])
        return TensorShape(shape)


class MaxPooling1D(_Pooling1D):
    """Max pooling over `pool_size` steps moved by `strides`."""

    _op_name = "MaxPool"


class AveragePooling1D(_Pooling1D):
    """Average pooling over `pool_size` steps moved by `strides`."""

    _op_name = "AvgPool"


def max_pooling1d(
    inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
):
    """Functional interface of the 1-D max-pooling layer."""
    layer = MaxPooling1D(
        pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name
    )
    return layer.apply(inputs)


def average_pooling1d(
    inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
):
    """Functional interface of the 1-D average-pooling layer."""
    layer = AveragePooling1D(
        pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name
    )
    return layer.apply(inputs)
