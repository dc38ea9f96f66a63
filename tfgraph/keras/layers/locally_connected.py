"""Keras 2's LocallyConnected1D / 2D (implementation 1, 'valid' padding, channels
last): a convolution whose weights differ at every output position."""

from __future__ import annotations

import itertools

from tfgraph.keras import activations
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.keras.layers.basic import tf_config
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.legacy_layers.convolutional import _conv_output_length
from tfgraph.ops import array_ops, math_ops

__all__ = ["LocallyConnected1D", "LocallyConnected2D"]


class _LocallyConnected(Layer):
    _rank = 1

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        implementation=1,
        **kwargs,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        self.filters = filters
        self.kernel_size = legacy_base.normalize_tuple(kernel_size, self._rank, "kernel_size")
        self.strides = legacy_base.normalize_tuple(strides, self._rank, "strides")
        self.padding = legacy_base.normalize_padding(padding)
        if self.padding != "valid" and implementation == 1:
            raise ValueError(
                f'Invalid border mode for {name} (only "valid" is supported if '
                f"implementation is 1): {padding}"
            )
        if implementation != 1:
            raise NotImplementedError(f"tfgraph's {name} has implementation=1 only")
        if legacy_base.normalize_data_format(data_format) != "channels_last":
            raise NotImplementedError(f"tfgraph's {name} supports channels_last only")
        self.data_format = "channels_last"
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.implementation = implementation
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), _LocallyConnected.__init__)

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape).as_list()
        channels = shape[-1]
        if channels is None or any(d is None for d in shape[1:-1]):
            raise ValueError(
                f"The spatial dimensions and channels of {type(self).__name__}'s input "
                f"should be fully-defined. Found shape: {tuple(shape)}"
            )
        self.output_dims = tuple(
            _conv_output_length(n, k, self.padding, s)
            for n, k, s in zip(shape[1:-1], self.kernel_size, self.strides, strict=True)
        )
        if any(d <= 0 for d in self.output_dims):
            raise ValueError(
                "One of the dimensions in the output is <= 0 due to downsampling in "
                f"{self.name}. Consider increasing the input size. Received input shape "
                f"{tuple(shape)} which would produce output shape with a zero or negative "
                "value in a dimension."
            )
        positions = 1
        for d in self.output_dims:
            positions *= d
        window = channels
        for k in self.kernel_size:
            window *= k
        self.kernel = self.add_weight(
            shape=(positions, window, self.filters),
            initializer=self.kernel_initializer,
            name="kernel",
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(*self.output_dims, self.filters),
                initializer=self.bias_initializer,
                name="bias",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(ndim=self._rank + 2, axes={-1: channels})
        self.built = True

    def call(self, inputs):
        window = self.kernel.shape.as_list()[1]
        pieces = []
        for position in itertools.product(*(range(d) for d in self.output_dims)):
            cut = tuple(
                slice(p * s, p * s + k)
                for p, s, k in zip(position, self.strides, self.kernel_size, strict=True)
            )
            index = (slice(None),) + cut + (slice(None),)
            piece = inputs[index]
            pieces.append(array_ops.reshape(piece, [1, -1, window]))
        stacked = array_ops.concat(pieces, 0)  # [positions, batch, window]
        output = math_ops.matmul(stacked, self.kernel)  # [positions, batch, filters]
        output = array_ops.reshape(output, [*self.output_dims, -1, self.filters])
        rank = self._rank
        output = array_ops.transpose(output, [rank, *range(rank), rank + 1])
        if self.bias is not None:
            output = output + self.bias
        return self.activation(output)


class LocallyConnected1D(_LocallyConnected):
    """Unshared 1-D convolution over [batch, steps, channels]: weights `kernel`
    [out_steps, k * in, filters] and `bias` [out_steps, filters]."""


class LocallyConnected2D(_LocallyConnected):
    """Unshared 2-D convolution over [batch, rows, cols, channels]: weights `kernel`
    [out_rows * out_cols, kh * kw * in, filters] and `bias` [out_rows, out_cols,
    filters]."""

    _rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)
