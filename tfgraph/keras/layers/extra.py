"""More of Keras 2's layers: PReLU, ELU, ThresholdedReLU, LayerNormalization, the noise
and spatial dropout layers (identity at test time), Dot, 1-D padding / cropping /
upsampling, ActivityRegularization, DepthwiseConv2D and SeparableConv2D."""

from __future__ import annotations

from tfgraph.keras import activations, initializers
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.legacy_layers.core import _smart_cond
from tfgraph.ops import array_ops, conv_ops, math_ops, nn_ops, random_ops

__all__ = [
    "ELU",
    "ActivityRegularization",
    "Cropping1D",
    "DepthwiseConv2D",
    "Dot",
    "GaussianDropout",
    "GaussianNoise",
    "LayerNormalization",
    "PReLU",
    "SeparableConv2D",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "ThresholdedReLU",
    "UpSampling1D",
    "ZeroPadding1D",
]


class PReLU(Layer):
    """`max(x, 0) + alpha * min(x, 0)` with a learned `alpha` per feature (shared over
    `shared_axes`)."""

    def __init__(
        self,
        alpha_initializer="zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = alpha_regularizer
        self.alpha_constraint = alpha_constraint
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape) -> None:
        param_shape = list(as_shape(input_shape).as_list()[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        self.alpha = self.add_weight(
            shape=param_shape,
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        self.built = True

    def call(self, inputs):
        pos = nn_ops.relu(inputs)
        neg = -self.alpha * nn_ops.relu(-inputs)
        return pos + neg


class ELU(Layer):
    """Exponential linear unit with `alpha` (1.0 by default)."""

    def __init__(self, alpha=1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs):
        return activations.elu(inputs, self.alpha)


class ThresholdedReLU(Layer):
    """`x` where `x > theta`, else 0."""

    def __init__(self, theta=1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if theta is None or theta < 0:
            raise ValueError(
                f"Theta of a Thresholded ReLU layer cannot be negative or None. Received: {theta}"
            )
        self.supports_masking = True
        self.theta = float(theta)

    def call(self, inputs):
        return inputs * array_ops.cast(math_ops.greater(inputs, self.theta), inputs.dtype)


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (the last): weights `gamma` and `beta`."""

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.supports_masking = True

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape).as_list()
        ndims = len(shape)
        self.axis = sorted(a + ndims if a < 0 else a for a in self.axis)
        param_shape = [shape[a] for a in self.axis]
        self.gamma = (
            self.add_weight(
                name="gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
            if self.center
            else None
        )
        self.built = True

    def call(self, inputs):
        ndims = inputs.shape.ndims
        broadcast = [1] * ndims
        for a in self.axis:
            broadcast[a] = inputs.shape.as_list()[a]

        def shaped(v):
            if v is not None and self.axis != [ndims - 1]:
                return array_ops.reshape(v, broadcast)
            return v

        mean, variance = nn_ops.moments(inputs, self.axis, keep_dims=True)
        return nn_ops.batch_normalization(
            inputs, mean, variance, shaped(self.beta), shaped(self.gamma), self.epsilon
        )


class GaussianNoise(Layer):
    """Adds N(0, stddev) noise in training; identity at test time."""

    def __init__(self, stddev, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev = stddev
        self.seed = seed

    def call(self, inputs, training=None):
        def noised():
            return inputs + random_ops.random_normal(
                array_ops.shape(inputs),
                mean=0.0,
                stddev=self.stddev,
                dtype=inputs.dtype,
                seed=self.seed,
            )

        return _smart_cond(training, noised, lambda: array_ops.identity(inputs))


class GaussianDropout(Layer):
    """Multiplies by N(1, rate / (1 - rate)) noise in training; identity at test time."""

    def __init__(self, rate, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate = rate
        self.seed = seed

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1:
            return inputs

        def noised():
            stddev = (self.rate / (1.0 - self.rate)) ** 0.5
            return inputs * random_ops.random_normal(
                array_ops.shape(inputs),
                mean=1.0,
                stddev=stddev,
                dtype=inputs.dtype,
                seed=self.seed,
            )

        return _smart_cond(training, noised, lambda: array_ops.identity(inputs))


class _SpatialDropout(Layer):
    def __init__(self, rate, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.data_format = legacy_base.normalize_data_format(data_format)

    def _noise_shape(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=None):
        def dropped():
            return nn_ops.dropout(inputs, noise_shape=self._noise_shape(inputs), rate=self.rate)

        return _smart_cond(training, dropped, lambda: array_ops.identity(inputs))


class SpatialDropout1D(_SpatialDropout):
    """Drops whole feature channels of [batch, steps, channels] in training."""

    def __init__(self, rate, **kwargs) -> None:
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        shape = array_ops.shape(inputs)
        return array_ops.stack([shape[0], 1, shape[2]])


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of [batch, h, w, channels] in training."""

    def __init__(self, rate, data_format=None, **kwargs) -> None:
        super().__init__(rate, data_format=data_format, **kwargs)
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        shape = array_ops.shape(inputs)
        if self.data_format == "channels_first":
            return array_ops.stack([shape[0], shape[1], 1, 1])
        return array_ops.stack([shape[0], 1, 1, shape[3]])


class Dot(Layer):
    """The dot product of two inputs along `axes` (cosine proximity with `normalize`)."""

    def __init__(self, axes, normalize=False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        x1, x2 = inputs
        axes = self.axes if isinstance(self.axes, (list, tuple)) else [self.axes] * 2
        axes = [a % x.shape.ndims for a, x in zip(axes, (x1, x2), strict=True)]
        if self.normalize:
            x1 = nn_ops.l2_normalize(x1, axis=axes[0])
            x2 = nn_ops.l2_normalize(x2, axis=axes[1])
        if x1.shape.ndims != 2 or x2.shape.ndims != 2:
            raise NotImplementedError("tfgraph's Dot layer takes 2-D inputs")
        return math_ops.reduce_sum(
            (x1 if axes[0] == 1 else array_ops.transpose(x1))
            * (x2 if axes[1] == 1 else array_ops.transpose(x2)),
            axis=1,
            keepdims=True,
        )


class ZeroPadding1D(Layer):
    """Pads the steps of [batch, steps, channels] with zeros."""

    def __init__(self, padding=1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = (padding, padding) if isinstance(padding, int) else tuple(padding)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return array_ops.pad(inputs, [[0, 0], list(self.padding), [0, 0]])


class Cropping1D(Layer):
    """Crops steps from the start and the end of [batch, steps, channels]."""

    def __init__(self, cropping=(1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = (cropping, cropping) if isinstance(cropping, int) else tuple(cropping)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        start, end = self.cropping
        return inputs[:, start : (-end if end else None), :]


class UpSampling1D(Layer):
    """Repeats each step `size` times."""

    def __init__(self, size=2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        shape = inputs.shape.as_list()
        dyn = array_ops.shape(inputs)
        x = array_ops.tile(array_ops.expand_dims(inputs, 2), [1, 1, self.size, 1])
        x = array_ops.reshape(x, array_ops.stack([dyn[0], dyn[1] * self.size, dyn[2]]))
        x.set_shape([shape[0], None if shape[1] is None else shape[1] * self.size, shape[2]])
        return x


class ActivityRegularization(Layer):
    """Identity that adds `l1 * sum|x| + l2 * sum x^2` (per batch sample) to the losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs) -> None:
        from tfgraph.keras import regularizers

        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2


class DepthwiseConv2D(Layer):
    """Depthwise 2-D convolution: weight `depthwise_kernel` [kh, kw, in, multiplier]."""

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("tfgraph's DepthwiseConv2D supports channels_last only")
        self.kernel_size = legacy_base.normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = legacy_base.normalize_tuple(strides, 2, "strides")
        self.padding = legacy_base.normalize_padding(padding)
        self.depth_multiplier = depth_multiplier
        self.dilation_rate = legacy_base.normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = depthwise_initializer
        self.bias_initializer = bias_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.bias_regularizer = bias_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(ndim=4)

    def build(self, input_shape) -> None:
        channels = as_shape(input_shape).as_list()[-1]
        self.depthwise_kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            name="depthwise_kernel",
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(channels * self.depth_multiplier,),
                initializer=self.bias_initializer,
                name="bias",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(ndim=4, axes={3: channels})
        self.built = True

    def call(self, inputs):
        outputs = conv_ops.depthwise_conv2d(
            inputs,
            self.depthwise_kernel,
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
            dilations=self.dilation_rate,
        )
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias)
        return self.activation(outputs)


class SeparableConv2D(Layer):
    """A depthwise then a pointwise convolution: weights `depthwise_kernel`
    [kh, kw, in, multiplier], `pointwise_kernel` [1, 1, in * multiplier, filters],
    `bias` [filters]."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("tfgraph's SeparableConv2D supports channels_last only")
        self.filters = int(filters)
        self.kernel_size = legacy_base.normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = legacy_base.normalize_tuple(strides, 2, "strides")
        self.padding = legacy_base.normalize_padding(padding)
        self.dilation_rate = legacy_base.normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.depth_multiplier = depth_multiplier
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.bias_initializer = bias_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.bias_regularizer = bias_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(ndim=4)

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
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
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
        self.input_spec = InputSpec(ndim=4, axes={3: channels})
        self.built = True

    def call(self, inputs):
        outputs = conv_ops.separable_conv2d(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
            dilations=self.dilation_rate,
        )
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias)
        return self.activation(outputs)
