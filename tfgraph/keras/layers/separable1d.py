"""Keras 2's 1-D depthwise and separable convolutions: the 2-D ones over an added
height of 1 (weights keep their 1-D shapes: `depthwise_kernel` [k, in, multiplier],
`pointwise_kernel` [1, in * multiplier, filters])."""

from __future__ import annotations

from tfgraph.keras.engine.base_layer import InputSpec, as_shape
from tfgraph.keras.layers.basic import tf_config
from tfgraph.keras.layers.extra import DepthwiseConv2D, SeparableConv2D
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.ops import array_ops, conv_ops

__all__ = ["DepthwiseConv1D", "SeparableConv1D"]


def _one_d(layer, kernel_size, strides, dilation_rate) -> None:
    layer.kernel_size = legacy_base.normalize_tuple(kernel_size, 1, "kernel_size")
    layer.strides = legacy_base.normalize_tuple(strides, 1, "strides")
    layer.dilation_rate = legacy_base.normalize_tuple(dilation_rate, 1, "dilation_rate")
    layer.input_spec = InputSpec(ndim=3)
    layer.data_format = "channels_last"


def _finish(layer, outputs):
    if layer.bias is not None:
        outputs = conv_ops.bias_add(outputs, layer.bias)
    return layer.activation(array_ops.squeeze(outputs, [1]))


class DepthwiseConv1D(DepthwiseConv2D):
    """Depthwise 1-D convolution over [batch, steps, channels]: weights
    `depthwise_kernel` [k, in, multiplier] and `bias` [in * multiplier]."""

    def __init__(
        self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
        dilation_rate=1, **kwargs,
    ) -> None:  # fmt: skip
        super().__init__(
            1, padding=padding, depth_multiplier=depth_multiplier,  # (1-D below)
            data_format=data_format, **kwargs,
        )  # fmt: skip
        _one_d(self, kernel_size, strides, dilation_rate)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), DepthwiseConv2D.__init__, groups=1)

    def build(self, input_shape) -> None:
        channels = as_shape(input_shape).as_list()[-1]
        super().build([None, 1, None, channels])
        self.input_spec = InputSpec(ndim=3, axes={-1: channels})

    def call(self, inputs):
        outputs = conv_ops.depthwise_conv2d(
            array_ops.expand_dims(inputs, 1),
            array_ops.expand_dims(self.depthwise_kernel, 0),
            strides=[1, self.strides[0], self.strides[0], 1],
            padding=self.padding.upper(),
            dilations=[1, self.dilation_rate[0]],
        )
        return _finish(self, outputs)


class SeparableConv1D(SeparableConv2D):
    """A depthwise then a pointwise 1-D convolution ('causal' padding pads the start):
    weights `depthwise_kernel` [k, in, multiplier], `pointwise_kernel`
    [1, in * multiplier, filters], `bias` [filters]."""

    def __init__(
        self, filters, kernel_size, strides=1, padding="valid", data_format=None,
        dilation_rate=1, depth_multiplier=1, **kwargs,
    ) -> None:  # fmt: skip
        causal = isinstance(padding, str) and padding.lower() == "causal"
        super().__init__(
            filters, 1, padding="valid" if causal else padding,  # (1-D below)
            data_format=data_format, depth_multiplier=depth_multiplier, **kwargs,
        )  # fmt: skip
        self.padding = "causal" if causal else self.padding
        _one_d(self, kernel_size, strides, dilation_rate)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), SeparableConv2D.__init__, groups=1)

    def build(self, input_shape) -> None:
        channels = as_shape(input_shape).as_list()[-1]
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
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
        self.input_spec = InputSpec(ndim=3, axes={-1: channels})
        self.built = True

    def call(self, inputs):
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = array_ops.pad(inputs, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        outputs = conv_ops.separable_conv2d(
            array_ops.expand_dims(inputs, 1),
            array_ops.expand_dims(self.depthwise_kernel, 0),
            array_ops.expand_dims(self.pointwise_kernel, 0),
            strides=[1, self.strides[0], self.strides[0], 1],
            padding=padding.upper(),
            dilations=[1, self.dilation_rate[0]],
        )
        return _finish(self, outputs)
