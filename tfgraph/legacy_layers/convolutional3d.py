"""`tf.layers.Conv3D`, `Conv3DTranspose`, `MaxPooling3D`, `AveragePooling3D` and their
functional forms, building the graphs TF's (Keras 2) layers build."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.convolutional import (
    _ZEROS,
    Conv2D,
    _conv_output_length,
    _deconv_output_length,
)

__all__ = [
    "AveragePooling3D",
    "Conv3D",
    "Conv3DTranspose",
    "MaxPooling3D",
    "average_pooling3d",
    "conv3d",
    "conv3d_transpose",
    "max_pooling3d",
]


class Conv3D(Conv2D):
    """3-D convolution: variables `kernel` [kd, kh, kw, in, filters] and `bias`
    [filters]; the op `<scope>/Conv3D`, then `BiasAdd` and the activation."""

    rank = 3

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format="channels_last",
        dilation_rate=(1, 1, 1),
        **kwargs,
    ) -> None:
        super().__init__(filters, 1, padding=padding, data_format=data_format, **kwargs)
        self.kernel_size = base.normalize_tuple(kernel_size, 3, "kernel_size")
        self.strides = base.normalize_tuple(strides, 3, "strides")
        self.dilation_rate = base.normalize_tuple(dilation_rate, 3, "dilation_rate")
        if self.padding == "causal":
            raise ValueError("Causal padding is only supported for `Conv1D` and `SeparableConv1D`.")
        self.input_spec = base.InputSpec(min_ndim=5)
        self._tf_data_format = base.convert_data_format(self.data_format, 5)

    def build(self, input_shape) -> None:
        super().build(input_shape)
        channels = dimension_value(base.shape_of(input_shape)[self._channel_axis()])
        axis = 1 if self.data_format == "channels_first" else 4
        self.input_spec = base.InputSpec(min_ndim=5, axes={axis: channels})

    def call(self, inputs):
        from tfgraph.ops import conv3d_ops, conv_ops

        if self.data_format == "channels_first":
            strides, dilations = [1, 1, *self.strides], [1, 1, *self.dilation_rate]
        else:
            strides, dilations = [1, *self.strides, 1], [1, *self.dilation_rate, 1]
        outputs = conv3d_ops.conv3d(
            inputs, self.kernel, strides, self.padding.upper(),
            data_format=self._tf_data_format, dilations=dilations, name="Conv3D",
        )  # fmt: skip
        if self.use_bias:
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=self._tf_data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


def conv3d(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1, 1),
    padding="valid",
    data_format="channels_last",
    dilation_rate=(1, 1, 1),
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
    """Functional interface of the 3-D convolution layer (variables `conv3d/kernel`,
    `conv3d/bias`)."""
    layer = Conv3D(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        data_format=data_format, dilation_rate=dilation_rate, activation=activation,
        use_bias=use_bias, kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
        trainable=trainable, name=name, _reuse=reuse, _scope=name,
    )  # fmt: skip
    return layer.apply(inputs)


class Conv3DTranspose(Conv3D):
    """Transposed 3-D convolution: variables `kernel` [kd, kh, kw, filters, in] and
    `bias` [filters]; the output shape stacked from the input's dynamic shape, one
    Conv3DBackpropInputV2 (`<scope>/conv3d_transpose/conv3d_transpose`), `BiasAdd`."""

    def build(self, input_shape) -> None:
        input_shape = base.shape_of(input_shape)
        if input_shape.ndims is not None and input_shape.ndims != 5:
            raise ValueError(f"Inputs should have rank 5. Received input_shape={input_shape}.")
        channels = dimension_value(input_shape[self._channel_axis()])
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs to `Conv3DTranspose` should be defined. "
                "Found `None`."
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, trainable=True, dtype=self.dtype,
        )  # fmt: skip
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                trainable=True, dtype=self.dtype,
            )  # fmt: skip
        axis = 1 if self.data_format == "channels_first" else 4
        self.input_spec = base.InputSpec(ndim=5, axes={axis: channels})
        self.built = True

    def call(self, inputs):
        from tfgraph.ops import array_ops, conv3d_ops, conv_ops

        shape = array_ops.shape(inputs)
        batch = shape[0]
        first = self.data_format == "channels_first"
        axes = (2, 3, 4) if first else (1, 2, 3)
        sizes = [shape[a] for a in axes]
        outs = [
            _deconv_output_length(size, k, self.padding, s)
            for size, k, s in zip(sizes, self.kernel_size, self.strides)
        ]
        if first:
            output_shape = array_ops.stack((batch, self.filters, *outs))
            strides = [1, 1, *self.strides]
        else:
            output_shape = array_ops.stack((batch, *outs, self.filters))
            strides = [1, *self.strides, 1]
        outputs = conv3d_ops.conv3d_transpose(
            inputs, self.kernel, output_shape, strides, padding=self.padding.upper(),
            data_format=self._tf_data_format,
        )  # fmt: skip
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        if self.use_bias:
            fmt = base.convert_data_format(self.data_format, 4)
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=fmt)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        first = self.data_format == "channels_first"
        shape[1 if first else 4] = self.filters
        for i, a in enumerate((2, 3, 4) if first else (1, 2, 3)):
            shape[a] = _deconv_output_length(
                shape[a], self.kernel_size[i], self.padding, self.strides[i]
            )
        return TensorShape(shape)


def conv3d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1, 1),
    padding="valid",
    data_format="channels_last",
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
    """Functional interface of the transposed 3-D convolution layer (variables
    `conv3d_transpose/kernel`, `conv3d_transpose/bias`)."""
    layer = Conv3DTranspose(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        data_format=data_format, activation=activation, use_bias=use_bias,
        kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse,
        _scope=name,
    )  # fmt: skip
    return layer.apply(inputs)


class _Pooling3D(base.Layer):
    """3-D pooling: channels-first inputs are transposed to channels last and back, as
    TF's layer does (its 3-D pooling ops run NDHWC only on CPU)."""

    _pool = ""

    def __init__(
        self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs
    ) -> None:
        if strides is None:
            raise ValueError("Argument `strides` must not be None.")
        super().__init__(name=name, **kwargs)
        self.pool_size = base.normalize_tuple(pool_size, 3, "pool_size")
        self.strides = base.normalize_tuple(strides, 3, "strides")
        self.padding = base.normalize_padding(padding)
        self.data_format = base.normalize_data_format(data_format or "channels_last")
        self.input_spec = base.InputSpec(ndim=5)

    def call(self, inputs):
        from tfgraph.ops import array_ops, conv3d_ops

        first = self.data_format == "channels_first"
        if first:
            inputs = array_ops.transpose(inputs, (0, 2, 3, 4, 1))
        pool = getattr(conv3d_ops, self._pool)
        outputs = pool(
            inputs,
            ksize=[1, *self.pool_size, 1],
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
        )
        if first:
            outputs = array_ops.transpose(outputs, (0, 4, 1, 2, 3))
        return outputs

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        axes = (2, 3, 4) if self.data_format == "channels_first" else (1, 2, 3)
        for i, a in enumerate(axes):
            shape[a] = _conv_output_length(
                shape[a], self.pool_size[i], self.padding, self.strides[i]
            )
        return TensorShape(shape)


class MaxPooling3D(_Pooling3D):
    """Max pooling over `pool_size` windows moved by `strides`."""

    _pool = "max_pool3d"


class AveragePooling3D(_Pooling3D):
    """Average pooling over `pool_size` windows moved by `strides`."""

    _pool = "avg_pool3d"


def max_pooling3d(
    inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
):
    """Functional interface of the 3-D max-pooling layer."""
    layer = MaxPooling3D(
        pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name
    )
    return layer.apply(inputs)


def average_pooling3d(
    inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
):
    """Functional interface of the 3-D average-pooling layer."""
    layer = AveragePooling3D(
        pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name
    )
    return layer.apply(inputs)
