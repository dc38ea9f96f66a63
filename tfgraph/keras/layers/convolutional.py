"""Keras 2's convolution and pooling layers: Conv1D, Conv2D, MaxPooling1D/2D,
AveragePooling2D, GlobalAveragePooling2D (Conv2D and 2-D pooling compute as tf.layers)."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.keras import activations
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.legacy_layers import convolutional as legacy_conv
from tfgraph.legacy_layers import pooling as legacy_pooling
from tfgraph.ops import array_ops, conv_ops, math_ops

__all__ = [
    "AveragePooling2D",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Cropping2D",
    "GlobalAveragePooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
]


class Conv2D(legacy_conv.Conv2D, Layer):
    """2-D convolution: weights `kernel` [kh, kw, in, filters] and `bias` [filters]."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        groups=1,
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
        if filters is not None and filters % groups != 0:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={groups}, filters={filters}"
            )
        self.groups = groups
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format or "channels_last",
            dilation_rate=dilation_rate,
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
        self.input_spec = InputSpec(min_ndim=4)

    def build(self, input_shape) -> None:
        """A grouped convolution's kernel is [kh, kw, in / groups, filters] (TF's Conv2D
        op convolves each group of input channels with its share of the filters)."""
        if self.groups == 1:
            return super().build(input_shape)
        shape = TensorShape(input_shape).as_list()
        axis = 1 if self.data_format == "channels_first" else len(shape) - 1
        channels = shape[axis]
        if channels is not None and channels % self.groups != 0:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} "
                f"channels (full input shape is {tuple(shape)})."
            )
        per_group = list(shape)
        per_group[axis] = None if channels is None else channels // self.groups
        super().build(per_group)
        self.input_spec = InputSpec(min_ndim=4, axes={axis: channels})
        return None


class Conv1D(Layer):
    """1-D convolution over [batch, steps, channels]: weights `kernel` [k, in, filters]
    and `bias` [filters]."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
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
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("tfgraph's Conv1D supports channels_last only")
        self.filters = int(filters)
        self.kernel_size = legacy_base.normalize_tuple(kernel_size, 1, "kernel_size")
        self.strides = legacy_base.normalize_tuple(strides, 1, "strides")
        self.padding = legacy_base.normalize_padding(padding)
        self.dilation_rate = legacy_base.normalize_tuple(dilation_rate, 1, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.data_format = "channels_last"
        self.input_spec = InputSpec(min_ndim=3)

    def get_config(self) -> dict:
        from tfgraph.keras.layers.basic import tf_config

        return tf_config(self, super().get_config(), groups=1)

    def build(self, input_shape) -> None:
        channels = dimension_value(as_shape(input_shape)[-1])
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, self.filters),
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
        self.input_spec = InputSpec(min_ndim=3, axes={-1: channels})
        self.built = True

    def call(self, inputs):
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = array_ops.pad(inputs, [[0, 0], [left, 0], [0, 0]])
            padding = "VALID"
        else:
            padding = self.padding.upper()
        outputs = conv_ops.conv1d(
            inputs,
            self.kernel,
            stride=list(self.strides),
            padding=padding,
            dilations=list(self.dilation_rate),
            name="Conv1D",
        )
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        padding = "valid" if self.padding == "causal" else self.padding
        if self.padding == "causal" and shape[1] is not None:
            shape[1] += self.dilation_rate[0] * (self.kernel_size[0] - 1)
        steps = legacy_conv._conv_output_length(
            shape[1], self.kernel_size[0], padding, self.strides[0], self.dilation_rate[0]
        )
        return TensorShape([shape[0], steps, self.filters])


class MaxPooling2D(legacy_pooling.MaxPooling2D, Layer):
    """Max pooling over `pool_size` windows moved by `strides` (default: pool_size)."""

    def __init__(
        self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs
    ) -> None:
        super().__init__(
            pool_size,
            pool_size if strides is None else strides,
            padding=padding,
            data_format=data_format or "channels_last",
            **kwargs,
        )


class AveragePooling2D(legacy_pooling.AveragePooling2D, Layer):
    """Average pooling over `pool_size` windows moved by `strides` (default: pool_size)."""

    def __init__(
        self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs
    ) -> None:
        super().__init__(
            pool_size,
            pool_size if strides is None else strides,
            padding=padding,
            data_format=data_format or "channels_last",
            **kwargs,
        )


class MaxPooling1D(Layer):
    """Max pooling over [batch, steps, channels] windows of `pool_size` steps."""

    def __init__(
        self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs
    ) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("tfgraph's MaxPooling1D supports channels_last only")
        self.pool_size = legacy_base.normalize_tuple(pool_size, 1, "pool_size")
        self.strides = legacy_base.normalize_tuple(
            pool_size if strides is None else strides, 1, "strides"
        )
        self.padding = legacy_base.normalize_padding(padding)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        inputs = array_ops.expand_dims(inputs, 1)
        outputs = conv_ops.max_pool(
            inputs,
            ksize=[1, 1, self.pool_size[0], 1],
            strides=[1, 1, self.strides[0], 1],
            padding=self.padding.upper(),
        )
        return array_ops.squeeze(outputs, [1])

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        steps = legacy_conv._conv_output_length(
            shape[1], self.pool_size[0], self.padding, self.strides[0]
        )
        return TensorShape([shape[0], steps, shape[2]])


class GlobalAveragePooling2D(Layer):
    """The mean over the spatial dimensions: [batch, h, w, c] -> [batch, c]."""

    def __init__(self, data_format=None, keepdims=False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = legacy_base.normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axes = [1, 2] if self.data_format == "channels_last" else [2, 3]
        return math_ops.reduce_mean(inputs, axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        if self.data_format == "channels_last":
            return TensorShape([shape[0], shape[3]])
        return TensorShape([shape[0], shape[1]])


def _deconv_output_length(length, filter_size, padding, stride, dilation=1):
    if length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if padding == "valid":
        return length * stride + max(filter_size - stride, 0)
    return length * stride


class Conv2DTranspose(Conv2D):
    """The transpose of a 2-D convolution (channels last): weights `kernel`
    [kh, kw, filters, in] and `bias` [filters]."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
        **kwargs,
    ) -> None:
        if output_padding is not None:
            raise NotImplementedError("tfgraph's Conv2DTranspose has no output_padding")
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("tfgraph's Conv2DTranspose supports channels_last only")
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            dilation_rate=dilation_rate,
            **kwargs,
        )

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape)
        if shape.ndims != 4:
            raise ValueError(
                f"Inputs should have rank 4. Received input_shape={tuple(shape.as_list())}."
            )
        channels = dimension_value(shape[-1])
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs to `Conv2DTranspose` should be defined. "
                "The input_shape received is "
                f"{input_shape}, where axis -1 (0-based) is the channel dimension, which found "
                "to be `None`."
            )
        self.input_spec = InputSpec(ndim=4, axes={3: channels})
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, self.filters, channels),
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
        self.built = True

    def call(self, inputs):
        dynamic = array_ops.shape(inputs)
        static = inputs.shape.as_list()
        height = static[1] if static[1] is not None else dynamic[1]
        width = static[2] if static[2] is not None else dynamic[2]
        out_h = _deconv_output_length(
            height, self.kernel_size[0], self.padding, self.strides[0], self.dilation_rate[0]
        )
        out_w = _deconv_output_length(
            width, self.kernel_size[1], self.padding, self.strides[1], self.dilation_rate[1]
        )
        output_shape = array_ops.stack([dynamic[0], out_h, out_w, self.filters])
        outputs = conv_ops.conv2d_transpose(
            inputs,
            self.kernel,
            output_shape,
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
            dilations=[1, *self.dilation_rate, 1],
        )
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        out_h = _deconv_output_length(
            shape[1], self.kernel_size[0], self.padding, self.strides[0], self.dilation_rate[0]
        )
        out_w = _deconv_output_length(
            shape[2], self.kernel_size[1], self.padding, self.strides[1], self.dilation_rate[1]
        )
        return TensorShape([shape[0], out_h, out_w, self.filters])


class Cropping2D(Layer):
    """Crops rows and columns: an int, ((top, bottom), (left, right)) or (rows, cols)."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("tfgraph's Cropping2D supports channels_last only")
        if isinstance(cropping, int):
            cropping = ((cropping, cropping), (cropping, cropping))
        elif all(isinstance(c, int) for c in cropping):
            cropping = ((cropping[0], cropping[0]), (cropping[1], cropping[1]))
        self.cropping = tuple(tuple(c) for c in cropping)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        (top, bottom), (left, right) = self.cropping
        rows = slice(top, -bottom if bottom else None)
        cols = slice(left, -right if right else None)
        return inputs[:, rows, cols, :]
