"""Keras 2's 3-D layers and the transposed 1-D convolution: Conv3D, Conv3DTranspose,
Conv1DTranspose, MaxPooling3D, AveragePooling3D, GlobalAverage/MaxPooling3D,
Cropping3D, ZeroPadding3D, UpSampling3D (channels last, as TF computes them on CPU)."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.keras import activations
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.keras.layers.advanced import _GlobalPooling
from tfgraph.keras.layers.basic import tf_config
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.legacy_layers.convolutional import _conv_output_length, _deconv_output_length
from tfgraph.ops import array_ops, conv3d_ops, conv_ops, math_ops, nn_composite_ops

__all__ = [
    "AveragePooling3D",
    "Conv1DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Cropping3D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling3D",
    "MaxPooling3D",
    "UpSampling3D",
    "ZeroPadding3D",
]


def _channels_last_only(layer: str, data_format) -> None:
    if legacy_base.normalize_data_format(data_format) != "channels_last":
        raise NotImplementedError(
            f"tfgraph's {layer} supports data_format='channels_last' only (TF's CPU "
            "kernels for it are channels-last too)"
        )


class _Conv(Layer):
    """A `rank`-D convolution's weights (`kernel`, `bias`) and arguments."""

    _rank = 3

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _channels_last_only(type(self).__name__, data_format)
        rank = self._rank
        self.filters = int(filters)
        self.kernel_size = legacy_base.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = legacy_base.normalize_tuple(strides, rank, "strides")
        self.padding = legacy_base.normalize_padding(padding)
        self.data_format = "channels_last"
        self.dilation_rate = legacy_base.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=rank + 2)

    def _kernel_shape(self, channels: int) -> tuple:
        return (*self.kernel_size, channels, self.filters)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), _Conv.__init__, groups=1)

    def build(self, input_shape) -> None:
        channels = dimension_value(as_shape(input_shape)[-1])
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape "
                f"received is {input_shape}, where axis -1 (0-based) is the channel "
                "dimension, which found to be `None`."
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=self._kernel_shape(channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=self._rank + 2, axes={-1: channels})
        self.built = True

    def _finish(self, outputs):
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias)
        return self.activation(outputs)


class Conv3D(_Conv):
    """3-D convolution over [batch, d, h, w, channels]: weights `kernel`
    [kd, kh, kw, in, filters] and `bias` [filters]."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)

    def call(self, inputs):
        outputs = conv3d_ops.conv3d(
            inputs,
            self.kernel,
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
            dilations=[1, *self.dilation_rate, 1],
            name="Conv3D",
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        spatial = [
            _conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(
                shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, strict=True
            )
        ]
        return TensorShape([shape[0], *spatial, self.filters])


class _ConvTranspose(_Conv):
    def __init__(self, filters, kernel_size, output_padding=None, **kwargs) -> None:
        super().__init__(filters, kernel_size, **kwargs)
        if output_padding is not None:
            raise NotImplementedError(
                f"tfgraph's {type(self).__name__} has no output_padding (leave it None)"
            )
        self.output_padding = None
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _kernel_shape(self, channels: int) -> tuple:
        return (*self.kernel_size, self.filters, channels)

    def _lengths(self, spatial) -> list:
        return [
            _deconv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, strict=True
            )
        ]

    def _output_shape_tensor(self, inputs):
        dynamic = array_ops.shape(inputs)
        static = inputs.shape.as_list()
        spatial = [
            static[i] if static[i] is not None else dynamic[i] for i in range(1, self._rank + 1)
        ]
        return array_ops.stack([dynamic[0], *self._lengths(spatial), self.filters])

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        return TensorShape([shape[0], *self._lengths(shape[1:-1]), self.filters])


class Conv3DTranspose(_ConvTranspose):
    """The transpose of a 3-D convolution: weights `kernel` [kd, kh, kw, filters, in]
    and `bias` [filters]."""

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("dilation_rate", None)  # (Keras 2's Conv3DTranspose config omits it)
        return config

    def call(self, inputs):
        outputs = conv3d_ops.conv3d_transpose(
            inputs,
            self.kernel,
            self._output_shape_tensor(inputs),
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
            dilations=[1, *self.dilation_rate, 1],
        )
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return self._finish(outputs)


class Conv1DTranspose(_ConvTranspose):
    """The transpose of a 1-D convolution: weights `kernel` [k, filters, in] and `bias`
    [filters]."""

    _rank = 1

    def call(self, inputs):
        outputs = nn_composite_ops.conv1d_transpose(
            inputs,
            self.kernel,
            self._output_shape_tensor(inputs),
            strides=list(self.strides),
            padding=self.padding.upper(),
            dilations=list(self.dilation_rate),
        )
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return self._finish(outputs)


class _Pooling3D(Layer):
    _pool = staticmethod(conv3d_ops.max_pool3d)

    def __init__(
        self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        _channels_last_only(type(self).__name__, data_format)
        self.pool_size = legacy_base.normalize_tuple(pool_size, 3, "pool_size")
        self.strides = legacy_base.normalize_tuple(
            pool_size if strides is None else strides, 3, "strides"
        )
        self.padding = legacy_base.normalize_padding(padding)
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), type(self).__init__)

    def call(self, inputs):
        return type(self)._pool(
            inputs,
            ksize=[1, *self.pool_size, 1],
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
        )

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        spatial = [
            _conv_output_length(n, k, self.padding, s)
            for n, k, s in zip(shape[1:4], self.pool_size, self.strides, strict=True)
        ]
        return TensorShape([shape[0], *spatial, shape[4]])


class MaxPooling3D(_Pooling3D):
    """Max pooling over [batch, d, h, w, channels] windows of `pool_size`."""


class AveragePooling3D(_Pooling3D):
    """Average pooling over [batch, d, h, w, channels] windows of `pool_size`."""

    _pool = staticmethod(conv3d_ops.avg_pool3d)


class GlobalAveragePooling3D(_GlobalPooling):
    """The mean over the three spatial dimensions."""

    _rank = 3


class GlobalMaxPooling3D(_GlobalPooling):
    """The maximum over the three spatial dimensions."""

    _rank = 3
    _reduce = staticmethod(math_ops.reduce_max)


def _pairs(value, name: str) -> tuple:
    if isinstance(value, int):
        return ((value, value),) * 3
    if len(value) != 3:
        raise ValueError(f"`{name}` should have 3 elements. Received: {value}.")
    if all(isinstance(v, int) for v in value):
        return tuple((v, v) for v in value)
    return tuple(tuple(int(x) for x in v) for v in value)


class ZeroPadding3D(Layer):
    """Pads the three spatial dimensions with zeros: an int, 3 ints or 3 pairs."""

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        _channels_last_only("ZeroPadding3D", data_format)
        self.padding = _pairs(padding, "padding")
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), type(self).__init__)

    def call(self, inputs):
        return array_ops.pad(inputs, [[0, 0], *[list(p) for p in self.padding], [0, 0]])


class Cropping3D(Layer):
    """Crops the three spatial dimensions: an int, 3 ints or 3 pairs."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        _channels_last_only("Cropping3D", data_format)
        self.cropping = _pairs(cropping, "cropping")
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), type(self).__init__)

    def call(self, inputs):
        cuts = [slice(a, -b if b else None) for a, b in self.cropping]
        return inputs[:, cuts[0], cuts[1], cuts[2], :]


class UpSampling3D(Layer):
    """Repeats each of the three spatial dimensions `size` times."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        _channels_last_only("UpSampling3D", data_format)
        self.size = legacy_base.normalize_tuple(size, 3, "size")
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), type(self).__init__)

    def call(self, inputs):
        x = inputs
        for axis, times in enumerate(self.size, start=1):
            x = _repeat(x, times, axis)
        return x


def _repeat(x, times: int, axis: int):
    """Each slice of `x` along `axis` repeated `times` times (Keras' repeat_elements)."""
    static = x.shape.as_list()
    if static[axis] is None:
        raise NotImplementedError("tfgraph's UpSampling3D needs static spatial dimensions")
    pieces = array_ops.split(x, static[axis], axis=axis)
    return array_ops.concat([p for p in pieces for _ in range(times)], axis)
