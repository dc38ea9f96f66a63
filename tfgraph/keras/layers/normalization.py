"""Keras 2's BatchNormalization in TF1 graph mode.

In training (the learning phase, or `training=True`) it normalizes with the batch's
moments and records two update ops (`layer.updates`, not the UPDATE_OPS collection, as
Keras 2 does) moving `moving_mean` and `moving_variance` toward them:
`var -= (var - value) * (1 - momentum)`; at test time it uses the moving statistics."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.keras.engine.base_layer import InputSpec, Layer
from tfgraph.legacy_layers.core import _smart_cond
from tfgraph.ops import array_ops, nn_ops, resource_variable_ops

__all__ = ["BatchNormalization"]


class BatchNormalization(Layer):
    """Normalizes over the batch along `axis` (the last by default): weights `gamma`,
    `beta` (trainable), `moving_mean`, `moving_variance` (not trainable)."""

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        for unsupported in ("renorm", "virtual_batch_size", "adjustment"):
            if kwargs.pop(unsupported, None):
                raise NotImplementedError(f"tfgraph's BatchNormalization has no {unsupported}")
        kwargs.pop("fused", None)
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        super().__init__(**kwargs)
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.supports_masking = True

    def build(self, input_shape) -> None:
        shape = input_shape.as_list() if input_shape.ndims is not None else None
        if not shape:
            raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}.")
        ndims = len(shape)
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        axes = [a + ndims if a < 0 else a for a in axes]
        for a in axes:
            if a < 0 or a >= ndims:
                raise ValueError(
                    f"Invalid axis. Expected 0 <= axis < inputs.rank (with inputs.rank={ndims})."
                    f" Received: layer.axis={self.axis}"
                )
        if len(axes) != 1:
            raise NotImplementedError("tfgraph's BatchNormalization normalizes one axis")
        self._axes = axes
        dim = shape[axes[0]]
        if dim is None:
            raise ValueError(
                f"Input has undefined `axis` dimension. Received input with shape {shape} and "
                f"axis={self.axis}"
            )
        self.input_spec = InputSpec(ndim=ndims, axes={axes[0]: dim})
        param_shape = (dim,)
        self.gamma = None
        self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            name="moving_mean",
            shape=param_shape,
            initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance",
            shape=param_shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.built = True

    def _assign_moving_average(self, variable, value, momentum=None):
        g = get_default_graph()
        with g.name_scope("AssignMovingAvg"):
            with g.colocate_with(variable.op):
                if momentum is None:
                    decay = convert_to_tensor(1.0 - self.momentum, name="decay")
                else:
                    decay = 1.0 - momentum
                if decay.dtype != variable.dtype.base_dtype:
                    decay = array_ops.cast(decay, variable.dtype.base_dtype)
                delta = (variable - array_ops.cast(value, variable.dtype.base_dtype)) * decay
                assign = resource_variable_ops.assign_sub_variable_op(variable.handle, delta)
                with g.control_dependencies([assign]):
                    read = resource_variable_ops.read_variable_op(
                        variable.handle, variable.dtype.base_dtype
                    )
        return assign, read

    def _fused(self, inputs, training):
        """FusedBatchNormV3 in a cond on `training`; the moving averages move toward the
        batch mean and the unbiased batch variance (by `momentum` in training, not at all
        at test time), as Keras 2's fused path in graph mode."""
        data_format = "NCHW" if self._axes[0] == 1 else "NHWC"
        channels = inputs.shape.as_list()[self._axes[0]]
        gamma = self.gamma if self.gamma is not None else array_ops.ones([channels])
        beta = self.beta if self.beta is not None else array_ops.zeros([channels])

        def run(is_training):
            def fn():
                return nn_ops.fused_batch_norm(
                    inputs,
                    gamma,
                    beta,
                    mean=self.moving_mean,
                    variance=self.moving_variance,
                    epsilon=self.epsilon,
                    is_training=is_training,
                    data_format=data_format,
                )

            return fn

        output, mean, variance = _smart_cond(training, run(True), run(False))
        if training is not False:
            if training is True:
                momentum = convert_to_tensor(self.momentum)
            else:
                momentum = _smart_cond(
                    training,
                    lambda: array_ops.constant(self.momentum),
                    lambda: array_ops.constant(1.0),
                )
            self.add_update(self._assign_moving_average(self.moving_mean, mean, momentum)[0])
            self.add_update(
                self._assign_moving_average(self.moving_variance, variance, momentum)[0]
            )
        return output

    def call(self, inputs, training=None):
        ndims = inputs.shape.ndims
        axis = self._axes[0]
        if ndims == 4 and axis in (1, 3) and inputs.dtype.base_dtype.name == "float32":
            return self._fused(inputs, training)
        reduction_axes = [i for i in range(ndims) if i != axis]
        needs_broadcast = axis != ndims - 1
        broadcast_shape = [1] * ndims
        broadcast_shape[axis] = inputs.shape.as_list()[axis]

        def broadcast(v):
            if v is not None and needs_broadcast:
                return array_ops.reshape(v, broadcast_shape)
            return v

        scale, offset = broadcast(self.gamma), broadcast(self.beta)
        if training is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_variance = nn_ops.moments(
                inputs, reduction_axes, keep_dims=needs_broadcast
            )
            moving_mean, moving_variance = self.moving_mean, self.moving_variance
            mean = _smart_cond(training, lambda: batch_mean, lambda: convert_to_tensor(moving_mean))
            variance = _smart_cond(
                training, lambda: batch_variance, lambda: convert_to_tensor(moving_variance)
            )
            new_mean, new_variance = mean, variance
            if needs_broadcast:
                new_mean = array_ops.squeeze(new_mean, reduction_axes)
                new_variance = array_ops.squeeze(new_variance, reduction_axes)

            def mean_update():
                return _smart_cond(
                    training,
                    lambda: self._assign_moving_average(self.moving_mean, new_mean)[1],
                    lambda: convert_to_tensor(self.moving_mean),
                )

            def variance_update():
                return _smart_cond(
                    training,
                    lambda: self._assign_moving_average(self.moving_variance, new_variance)[1],
                    lambda: convert_to_tensor(self.moving_variance),
                )

            self.add_update(mean_update)
            self.add_update(variance_update)
        if training is False:
            mean, variance = (
                broadcast(convert_to_tensor(mean)),
                broadcast(convert_to_tensor(variance)),
            )
        return nn_ops.batch_normalization(inputs, mean, variance, offset, scale, self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape
