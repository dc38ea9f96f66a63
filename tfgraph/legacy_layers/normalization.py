"""`tf.layers.BatchNormalization` and `tf.layers.batch_normalization` (TF1 graph mode).

Weights `gamma`, `beta` (trainable), `moving_mean`, `moving_variance` (not trainable)
through `get_variable` in the layer's scope. In training (`training=True`, or a bool
tensor: then `tf.cond`s) it normalizes with the batch's moments and adds two updates
to the UPDATE_OPS collection, `var -= (var - value) * (1 - momentum)`, which TF1 scripts
run with `tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))`; at test
time it uses the moving statistics. 4-D float32 inputs normalized over their channel
axis use one FusedBatchNormV3 op, as TF does.
"""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.core import _smart_cond
from tfgraph.ops import array_ops, init_ops, nn_ops, state_ops

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(base.Layer):
    """Batch normalization over `axis` (the last by default)."""

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer=None,
        gamma_initializer=None,
        moving_mean_initializer=None,
        moving_variance_initializer=None,
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        fused=None,
        trainable=True,
        virtual_batch_size=None,
        adjustment=None,
        name=None,
        **kwargs,
    ) -> None:
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError(
                "tfgraph's tf.layers.BatchNormalization has no renorm, virtual_batch_size "
                "or adjustment"
            )
        del renorm_clipping, renorm_momentum
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer or init_ops.zeros_initializer()
        self.gamma_initializer = gamma_initializer or init_ops.ones_initializer()
        self.moving_mean_initializer = moving_mean_initializer or init_ops.zeros_initializer()
        self.moving_variance_initializer = (
            moving_variance_initializer or init_ops.ones_initializer()
        )
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused

    def build(self, input_shape) -> None:
        shape = base.shape_of(input_shape)
        if shape.ndims is None:
            raise ValueError(f"Input has undefined rank. Received: input_shape={shape}.")
        ndims = shape.ndims
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
        self._axis = axes[0]
        dim = shape.as_list()[self._axis]
        if dim is None:
            raise ValueError(
                f"Input has undefined `axis` dimension. Received input with shape {shape} and "
                f"axis={self.axis}"
            )
        fusable = (
            ndims == 4
            and self._axis in (1, 3)
            and (self._dtype is None or self._dtype.name == "float32")
        )
        if self.fused is None:
            self.fused = fusable
        elif self.fused and not fusable:
            raise ValueError(
                "Passing `fused=True` is only supported when axis is 1 or 3 for input rank 4."
                f" Got axis={self.axis}, rank={ndims}"
            )
        self.input_spec = base.InputSpec(ndim=ndims, axes={self._axis: dim})
        param = [dim]
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                "gamma", param, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            )  # fmt: skip
        if self.center:
            self.beta = self.add_weight(
                "beta", param, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            )  # fmt: skip
        # (as TF: the moving statistics are never partitioned, so that their updates
        # assign them whole; a partitioner of the layer's scope applies to gamma and beta)
        scope = self._scope
        partitioner = scope.partitioner if scope is not None else None
        if scope is not None and partitioner is not None:
            scope.set_partitioner(None)
        try:
            self.moving_mean = self.add_weight(
                "moving_mean", param, initializer=self.moving_mean_initializer, trainable=False
            )
            self.moving_variance = self.add_weight(
                "moving_variance",
                param,
                initializer=self.moving_variance_initializer,
                trainable=False,
            )
        finally:
            if scope is not None and partitioner is not None:
                scope.set_partitioner(partitioner)
        self.built = True

    def _assign_moving_average(self, variable, value, momentum):
        g = get_default_graph()
        with g.name_scope("AssignMovingAvg") as scope:
            with g.colocate_with(variable):
                if isinstance(momentum, float):
                    decay = convert_to_tensor(1.0 - momentum, name="decay")
                else:
                    decay = 1.0 - momentum
                dtype = variable.dtype.base_dtype
                if decay.dtype != dtype:
                    decay = array_ops.cast(decay, dtype)
                delta = (variable - array_ops.cast(value, dtype)) * decay
                return state_ops.assign_sub(variable, delta, name=scope)

    def _add_moving_average_updates(self, training, mean, variance, momentum) -> None:
        """The moving averages' updates: plain in training, in a cond on a tensor."""
        for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            if training is True:
                self.add_update(self._assign_moving_average(var, value, momentum).op)
            else:
                self.add_update(
                    _smart_cond(
                        training,
                        lambda var=var, value=value: self._assign_moving_average(
                            var, value, momentum
                        ),
                        lambda var=var: var,
                    ).op
                )

    def _fused_call(self, inputs, training):
        channels = inputs.shape.as_list()[self._axis]
        gamma = self.gamma if self.gamma is not None else array_ops.ones([channels])
        beta = self.beta if self.beta is not None else array_ops.zeros([channels])
        data_format = "NCHW" if self._axis == 1 else "NHWC"

        def run(is_training):
            return lambda: nn_ops.fused_batch_norm(
                inputs, gamma, beta, mean=self.moving_mean, variance=self.moving_variance,
                epsilon=self.epsilon, is_training=is_training, data_format=data_format,
            )  # fmt: skip

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
            self._add_moving_average_updates(True, mean, variance, momentum)
        return output

    def call(self, inputs, training=False):
        if self.fused:
            return self._fused_call(inputs, training)
        ndims = inputs.shape.ndims
        reduction_axes = [i for i in range(ndims) if i != self._axis]
        keep = self._axis != ndims - 1
        shape = [1] * ndims
        shape[self._axis] = inputs.shape.as_list()[self._axis]

        def broadcast(v):
            return array_ops.reshape(v, shape) if v is not None and keep else v

        scale, offset = broadcast(self.gamma), broadcast(self.beta)
        if training is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_variance = nn_ops.moments(inputs, reduction_axes)
            mean = _smart_cond(
                training, lambda: batch_mean, lambda: convert_to_tensor(self.moving_mean)
            )
            variance = _smart_cond(
                training, lambda: batch_variance, lambda: convert_to_tensor(self.moving_variance)
            )
            self._add_moving_average_updates(training, mean, variance, self.momentum)
        mean = broadcast(convert_to_tensor(mean))
        variance = broadcast(convert_to_tensor(variance))
        return nn_ops.batch_normalization(inputs, mean, variance, offset, scale, self.epsilon)

    def compute_output_shape(self, input_shape):
        return base.shape_of(input_shape)


# (TF's defaults of `tf.layers.batch_normalization`: initializer objects)
_ZEROS = init_ops.zeros_initializer()
_ONES = init_ops.ones_initializer()


def batch_normalization(
    inputs,
    axis=-1,
    momentum=0.99,
    epsilon=1e-3,
    center=True,
    scale=True,
    beta_initializer=_ZEROS,
    gamma_initializer=_ONES,
    moving_mean_initializer=_ZEROS,
    moving_variance_initializer=_ONES,
    beta_regularizer=None,
    gamma_regularizer=None,
    beta_constraint=None,
    gamma_constraint=None,
    training=False,
    trainable=True,
    name=None,
    reuse=None,
    renorm=False,
    renorm_clipping=None,
    renorm_momentum=0.99,
    fused=None,
    virtual_batch_size=None,
    adjustment=None,
):
    """The functional form of `BatchNormalization`: its output for `inputs`."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _reuse=reuse, _scope=name,
    )  # fmt: skip
    return layer.apply(inputs, training=training)
