"""`tf.layers.Conv2D` and `tf.layers.conv2d`."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.core import get_activation
from tfgraph.ops import init_ops

_ZEROS = init_ops.zeros_initializer()

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "conv1d", "conv2d", "conv2d_transpose"]


def _conv_output_length(length, filter_size, padding, stride, dilation=1):
    if length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding == "same":
        out = length
    elif padding == "valid":
        out = length - dilated + 1
    else:  # causal
        out = length
    return (out + stride - 1) // stride


class Conv2D(base.Layer):
    """2-D convolution: variables `kernel` [kh, kw, in, filters] and `bias` [filters];
    the op `<scope>/Conv2D`, then `BiasAdd` and the activation."""

    rank = 2

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format="channels_last",
        dilation_rate=(1, 1),
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
        **kwargs,
    ) -> None:
        super().__init__(
            trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs
        )
        if filters is not None and not isinstance(filters, int):
            filters = int(filters)
        if filters is not None and filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters = filters
        self.kernel_size = base.normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = base.normalize_tuple(strides, 2, "strides")
        self.padding = base.normalize_padding(padding)
        self.data_format = base.normalize_data_format(data_format)
        self.dilation_rate = base.normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = base.InputSpec(min_ndim=4)
        self._tf_data_format = base.convert_data_format(self.data_format, 4)

    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def build(self, input_shape) -> None:
        input_shape = base.shape_of(input_shape)
        input_channel = dimension_value(input_shape[self._channel_axis()])
        if input_channel is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        kernel_shape = (*self.kernel_size, input_channel, self.filters)
        self.kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                trainable=True,
                dtype=self.dtype,
            )
        else:
            self.bias = None
        axis = 1 if self.data_format == "channels_first" else 3
        self.input_spec = base.InputSpec(min_ndim=4, axes={axis: input_channel})
        self.built = True

    def call(self, inputs):
        from tfgraph.ops import conv_ops

        if self.data_format == "channels_first":
            strides = [1, 1, *self.strides]
            dilations = [1, 1, *self.dilation_rate]
        else:
            strides = [1, *self.strides, 1]
            dilations = [1, *self.dilation_rate, 1]
        padding = "VALID" if self.padding == "causal" else self.padding.upper()
        outputs = conv_ops.conv2d(
            inputs,
            self.kernel,
            strides=strides,
            padding=padding,
            data_format=self._tf_data_format,
            dilations=dilations,
            name="Conv2D",
        )
        if self.use_bias:
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=self._tf_data_format)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        if self.data_format == "channels_last":
            space = shape[1:-1]
        else:
            space = shape[2:]
        new_space = [
            _conv_output_length(space[i], self.kernel_size[i], self.padding, self.strides[i],
                                self.dilation_rate[i])
            for i in range(len(space))
        ]  # fmt: skip
        if self.data_format == "channels_last":
            return TensorShape([shape[0], *new_space, self.filters])
        return TensorShape([shape[0], self.filters, *new_space])


def conv2d(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
    padding="valid",
    data_format="channels_last",
    dilation_rate=(1, 1),
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
    """Functional interface of the 2-D convolution layer (variables `conv2d/kernel`,
    `conv2d/bias`)."""
    layer = Conv2D(
        filters=filters,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _reuse=reuse,
        _scope=name,
    )
    return layer.apply(inputs)


def _deconv_output_length(length, filter_size, padding, stride, dilation=1):
    """The spatial length a transposed convolution gives (an int, or a tensor when
    `length` is one)."""
    if length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if padding == "valid":
        return length * stride + max(filter_size - stride, 0)
    if padding == "full":
        return length * stride - (stride + filter_size - 2)
    return length * stride  # same


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution: variables `kernel` [kh, kw, filters, in] and `bias`
    [filters]; one Conv2DBackpropInput (`<scope>/conv2d_transpose`) whose output shape
    is stacked from the input's batch size, then `BiasAdd` and the activation."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", **kwargs) -> None:
        if kwargs.get("dilation_rate", (1, 1)) not in ((1, 1), 1, [1, 1]):
            raise NotImplementedError("tfgraph's Conv2DTranspose has no dilation_rate")
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)
        if self.padding == "causal":
            raise ValueError("Causal padding is only supported for `Conv1D` and `SeparableConv1D`.")

    def build(self, input_shape) -> None:
        input_shape = base.shape_of(input_shape)
        if input_shape.ndims is not None and input_shape.ndims != 4:
            raise ValueError(f"Inputs should have rank 4. Received input_shape={input_shape}.")
        channels = dimension_value(input_shape[self._channel_axis()])
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs to `Conv2DTranspose` should be defined. "
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
        axis = 1 if self.data_format == "channels_first" else 3
        self.input_spec = base.InputSpec(ndim=4, axes={axis: channels})
        self.built = True

    def call(self, inputs):
        from tfgraph.ops import array_ops, conv_ops

        shape = array_ops.shape(inputs)
        batch = shape[0]
        h_axis, w_axis = (2, 3) if self.data_format == "channels_first" else (1, 2)
        dims = inputs.shape.as_list()
        height = dims[h_axis] if dims[h_axis] is not None else shape[h_axis]
        width = dims[w_axis] if dims[w_axis] is not None else shape[w_axis]
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        out_h = _deconv_output_length(height, kh, self.padding, sh)
        out_w = _deconv_output_length(width, kw, self.padding, sw)
        if self.data_format == "channels_first":
            output_shape = array_ops.stack((batch, self.filters, out_h, out_w))
            strides = [1, 1, sh, sw]
        else:
            output_shape = array_ops.stack((batch, out_h, out_w, self.filters))
            strides = [1, sh, sw, 1]
        output_shape[0]  # (TF's Keras backend reads it, leaving this op)
        outputs = conv_ops.conv2d_transpose(
            inputs, self.kernel, output_shape, strides, padding=self.padding.upper(),
            data_format=self._tf_data_format,
        )  # fmt: skip
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        if self.use_bias:
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=self._tf_data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        c, h, w = (1, 2, 3) if self.data_format == "channels_first" else (3, 1, 2)
        shape[c] = self.filters
        shape[h] = _deconv_output_length(
            shape[h], self.kernel_size[0], self.padding, self.strides[0]
        )
        shape[w] = _deconv_output_length(
            shape[w], self.kernel_size[1], self.padding, self.strides[1]
        )
        return TensorShape(shape)


def conv2d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
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
    """Functional interface of the transposed 2-D convolution layer (variables
    `conv2d_transpose/kernel`, `conv2d_transpose/bias`)."""
    layer = Conv2DTranspose(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        data_format=data_format, activation=activation, use_bias=use_bias,
        kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse,
        _scope=name,
    )  # fmt: skip
    return layer.apply(inputs)


class Conv1D(Conv2D):
    """1-D convolution: variables `kernel` [kw, in, filters] and `bias` [filters]; TF's
    conv1d (ExpandDims, a Conv2D named `<scope>/Conv1D`, Squeeze), then `BiasAdd` and the
    activation. A dilation rate runs as the Conv2D's dilations (TF builds a
    SpaceToBatchND pair instead: same values, another graph)."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, **kwargs) -> None:  # fmt: skip
        super().__init__(filters, (1, 1), padding=padding, data_format=data_format, **kwargs)
        self.kernel_size = base.normalize_tuple(kernel_size, 1, "kernel_size")
        self.strides = base.normalize_tuple(strides, 1, "strides")
        self.dilation_rate = base.normalize_tuple(dilation_rate, 1, "dilation_rate")
        self.input_spec = base.InputSpec(ndim=3)
        self._tf_data_format = "NCW" if self.data_format == "channels_first" else "NWC"

    def build(self, input_shape) -> None:
        input_shape = base.shape_of(input_shape)
        channels = dimension_value(input_shape[self._channel_axis()])
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, channels, self.filters),
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
        axis = 1 if self.data_format == "channels_first" else 2
        self.input_spec = base.InputSpec(ndim=3, axes={axis: channels})
        self.built = True

    def call(self, inputs):
        from tfgraph.ops import array_ops, conv_ops

        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pad = [[0, 0], [left, 0], [0, 0]]
            if self.data_format == "channels_first":
                pad = [[0, 0], [0, 0], [left, 0]]
            inputs = array_ops.pad(inputs, pad)
        padding = "VALID" if self.padding == "causal" else self.padding.upper()
        outputs = conv_ops.conv1d(
            inputs, self.kernel, stride=self.strides[0], padding=padding,
            data_format=self._tf_data_format, dilations=self.dilation_rate[0], name="Conv1D",
        )  # fmt: skip
        if self.use_bias:
            fmt = "NCHW" if self.data_format == "channels_first" else "NHWC"
            outputs = conv_ops.bias_add(outputs, self.bias, data_format=fmt)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = base.shape_of(input_shape).as_list()
        w = 2 if self.data_format == "channels_first" else 1
        padding = "valid" if self.padding == "causal" else self.padding
        length = shape[w]
        if self.padding == "causal" and length is not None:
            length += self.dilation_rate[0] * (self.kernel_size[0] - 1)
        shape[w] = _conv_output_length(
            length, self.kernel_size[0], padding, self.strides[0], self.dilation_rate[0]
        )
        shape[1 if self.data_format == "channels_first" else 2] = self.filters
        return TensorShape(shape)


def conv1d(
    inputs,
    filters,
    kernel_size,
    strides=1,
    padding="valid",
    data_format="channels_last",
    dilation_rate=1,
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
    """Functional interface of the 1-D convolution layer (variables `conv1d/kernel`,
    `conv1d/bias`)."""
    layer = Conv1D(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        data_format=data_format, dilation_rate=dilation_rate, activation=activation,
        use_bias=use_bias, kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
        trainable=trainable, name=name, _reuse=reuse, _scope=name,
    )  # fmt: skip
    return layer.apply(inputs)
