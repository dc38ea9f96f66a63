"""`tf.layers.SeparableConv2D`, `SeparableConv1D` and their functional forms: variables
`depthwise_kernel`, `pointwise_kernel` and `bias`, built on `tf.nn.separable_conv2d` as
TF's (Keras 2) layers build them."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import dimension_value
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.convolutional import _ZEROS, Conv2D

__all__ = ["SeparableConv1D", "SeparableConv2D", "separable_conv1d", "separable_conv2d"]


class SeparableConv2D(Conv2D):
    """Depthwise then pointwise 2-D convolution: `depthwise_kernel` [kh, kw, in,
    depth_multiplier], `pointwise_kernel` [1, 1, in * depth_multiplier, filters]."""

    rank = 2

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format="channels_last",
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer=None,
        pointwise_initializer=None,
        bias_initializer=_ZEROS,
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        **kwargs,
    ) -> None:
        super().__init__(
            filters, 1, padding=padding, data_format=data_format, activation=activation,
            use_bias=use_bias, bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint, trainable=trainable, name=name, **kwargs,
        )  # fmt: skip
        n = self.rank
        self.kernel_size = base.normalize_tuple(kernel_size, n, "kernel_size")
        self.strides = base.normalize_tuple(strides, n, "strides")
        self.dilation_rate = base.normalize_tuple(dilation_rate, n, "dilation_rate")
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.input_spec = base.InputSpec(ndim=n + 2)

    def build(self, input_shape) -> None:
        input_shape = base.shape_of(input_shape)
        axis = 1 if self.data_format == "channels_first" else self.rank + 1
        channels = dimension_value(input_shape[axis])
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.input_spec = base.InputSpec(ndim=self.rank + 2, axes={axis: channels})
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True, dtype=self.dtype,
        )  # fmt: skip
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (self.depth_multiplier * channels, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, trainable=True, dtype=self.dtype,
        )  # fmt: skip
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                trainable=True, dtype=self.dtype,
            )  # fmt: skip
        self.built = True

    def _separable(self, inputs, depthwise, pointwise, strides, rate, padding):
        from tfgraph.ops import conv_ops

        fmt = base.convert_data_format(self.data_format, 4)
        outputs = conv_ops.separable_conv2d(
            inputs, depthwise, pointwise, strides=list(strides), padding=padding.upper(),
            rate=list(rate), data_format=fmt,
        )  # fmt: skip
        if self.use_bias:
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=fmt)
        return outputs

    def call(self, inputs):
        if self.data_format == "channels_last":
            strides = (1, *self.strides, 1)
        else:
            strides = (1, 1, *self.strides)
        outputs = self._separable(
            inputs, self.depthwise_kernel, self.pointwise_kernel, strides,
            self.dilation_rate, self.padding,
        )  # fmt: skip
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


class SeparableConv1D(SeparableConv2D):
    """Depthwise then pointwise 1-D convolution, run as TF's layer runs it: a 2-D
    separable convolution of inputs and kernels with an added dimension of 1 (strides
    repeated over both dimensions, as TF's `self.strides * 2`), then a Squeeze."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", **kwargs) -> None:
        kwargs.setdefault("dilation_rate", 1)
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)

    def call(self, inputs):
        from tfgraph.ops import array_ops

        first = self.data_format == "channels_first"
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pad = [[0, 0], [0, 0], [left, 0]] if first else [[0, 0], [left, 0], [0, 0]]
            inputs = array_ops.pad(inputs, pad)
        strides = (1, 1, *self.strides * 2) if first else (1, *self.strides * 2, 1)
        dim = 2 if first else 1
        inputs = array_ops.expand_dims(inputs, dim)
        depthwise = array_ops.expand_dims(self.depthwise_kernel, 0)
        pointwise = array_ops.expand_dims(self.pointwise_kernel, 0)
        padding = "valid" if self.padding == "causal" else self.padding
        outputs = self._separable(
            inputs, depthwise, pointwise, strides, (1, *self.dilation_rate), padding
        )
        outputs = array_ops.squeeze(outputs, [dim])
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


def _functional(cls, inputs, name, reuse, kwargs):
    layer = cls(name=name, _reuse=reuse, _scope=name, **kwargs)
    return layer.apply(inputs)


def separable_conv2d(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
    padding="valid",
    data_format="channels_last",
    dilation_rate=(1, 1),
    depth_multiplier=1,
    activation=None,
    use_bias=True,
    depthwise_initializer=None,
    pointwise_initializer=None,
    bias_initializer=_ZEROS,
    depthwise_regularizer=None,
    pointwise_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    depthwise_constraint=None,
    pointwise_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """Functional interface of the separable 2-D convolution layer (variables
    `separable_conv2d/depthwise_kernel`, `.../pointwise_kernel`, `.../bias`)."""
    kwargs = dict(locals())
    for key in ("inputs", "name", "reuse"):
        kwargs.pop(key)
    return _functional(SeparableConv2D, inputs, name, reuse, kwargs)


def separable_conv1d(
    inputs,
    filters,
    kernel_size,
    strides=1,
    padding="valid",
    data_format="channels_last",
    dilation_rate=1,
    depth_multiplier=1,
    activation=None,
    use_bias=True,
    depthwise_initializer=None,
    pointwise_initializer=None,
    bias_initializer=_ZEROS,
    depthwise_regularizer=None,
    pointwise_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    depthwise_constraint=None,
    pointwise_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """Functional interface of the separable 1-D convolution layer (variables
    `separable_conv1d/depthwise_kernel`, `.../pointwise_kernel`, `.../bias`)."""
    kwargs = dict(locals())
    for key in ("inputs", "name", "reuse"):
        kwargs.pop(key)
    return _functional(SeparableConv1D, inputs, name, reuse, kwargs)
