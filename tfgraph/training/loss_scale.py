"""TF1 loss scaling (`tf.compat.v1.mixed_precision`, `tf.train.experimental`): loss scale
objects and the optimizer wrapper that scales the loss and unscales the gradients.

Built as TF's Python builds them, so graphs, variable names (`current_loss_scale`,
`good_steps`: resource variables) and values are TF's. tfgraph computes in the dtypes
the graph says: `enable_mixed_precision_graph_rewrite` wraps the optimizer as TF does,
and TF's float16 graph rewrite (a GPU pass) has nothing to do here.
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.nest import flatten
from tfgraph.ops import array_ops, control_flow_ops, math_ops
from tfgraph.training.optimizer import Optimizer

__all__ = [
    "DynamicLossScale",
    "FixedLossScale",
    "LossScale",
    "MixedPrecisionLossScaleOptimizer",
    "disable_mixed_precision_graph_rewrite",
    "enable_mixed_precision_graph_rewrite",
]


class LossScale:
    """A loss scale: calling it gives the scale as a float32 tensor; `update(grads)`
    gives (an op updating the scale, whether to apply the gradients)."""

    def __init__(self) -> None:
        self._weights: dict = {}

    def __call__(self) -> Tensor:
        raise NotImplementedError

    def update(self, grads):
        raise NotImplementedError

    def _add_weight(self, name: str, initial_value, dtype=None):
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.variables import Variable

        variable = Variable(
            initial_value=initial_value,
            name=name,
            dtype=dtype,
            trainable=False,
            use_resource=True,
        )
        key = (name, id(get_default_graph()))
        if self._weights.get(key) is not None:
            raise RuntimeError(f"Duplicate variables detected. {key}")
        self._weights[key] = variable
        return variable

    def get_config(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class FixedLossScale(LossScale):
    """A loss scale that never changes."""

    def __init__(self, loss_scale_value) -> None:
        super().__init__()
        if not isinstance(loss_scale_value, (int, float)):
            raise ValueError("loss_scale_value must be a Python int or float.")
        if loss_scale_value < 1:
            raise ValueError("loss_scale_value must be at least 1.")
        self._loss_scale_value = float(loss_scale_value)

    def __call__(self) -> Tensor:
        return convert_to_tensor(self._loss_scale_value)

    def update(self, grads):
        del grads
        return control_flow_ops.no_op(), True

    def __repr__(self) -> str:
        return f"FixedLossScale({self._loss_scale_value})"

    def get_config(self) -> dict:
        return {"loss_scale_value": self._loss_scale_value}


def _is_all_finite(grads) -> Tensor:
    finite = [
        math_ops.reduce_all(math_ops.is_finite(g.values if isinstance(g, IndexedSlices) else g))
        for g in grads
        if g is not None
    ]
    return math_ops.reduce_all(finite)


def _assign_if_finite(var, value):
    return control_flow_ops.cond(
        math_ops.is_finite(value), lambda: var.assign(value).op, control_flow_ops.no_op
    )


class DynamicLossScale(LossScale):
    """A loss scale that grows by `multiplier` after `increment_period` steps of finite
    gradients and shrinks by it (to at least 1) on a step with a non-finite one, whose
    gradients are then not applied."""

    def __init__(self, initial_loss_scale=2**15, increment_period=2000, multiplier=2.0):
        super().__init__()
        self._initial_loss_scale = float(initial_loss_scale)
        self._increment_period = int(increment_period)
        self._multiplier = float(multiplier)
        self._current_loss_scale = self._add_weight(
            "current_loss_scale", self._initial_loss_scale, dtypes.float32
        )
        self._num_good_steps = self._add_weight("good_steps", 0, dtypes.int64)

    @property
    def initial_loss_scale(self) -> float:
        return self._initial_loss_scale

    @property
    def increment_period(self) -> int:
        return self._increment_period

    @property
    def multiplier(self) -> float:
        return self._multiplier

    def __call__(self) -> Tensor:
        return convert_to_tensor(self._current_loss_scale)

    def update(self, grads):
        is_finite = _is_all_finite(flatten(grads))
        scale, good = self._current_loss_scale, self._num_good_steps

        def if_finite():
            def grow():
                return control_flow_ops.group(
                    _assign_if_finite(scale, scale * self._multiplier), good.assign(0)
                )

            return control_flow_ops.cond(
                good + 1 >= self._increment_period, grow, lambda: good.assign_add(1).op
            )

        def if_not_finite():
            smaller = math_ops.maximum(scale / self._multiplier, 1)
            return control_flow_ops.group(good.assign(0), scale.assign(smaller))

        return control_flow_ops.cond(is_finite, if_finite, if_not_finite), is_finite

    def __repr__(self) -> str:
        return (
            f"DynamicLossScale(initial_loss_scale={self._initial_loss_scale}, "
            f"increment_period={self._increment_period}, multiplier={self._multiplier})"
        )

    def get_config(self) -> dict:
        return {
            "initial_loss_scale": self._initial_loss_scale,
            "increment_period": self._increment_period,
            "multiplier": self._multiplier,
        }


def get(identifier) -> LossScale | None:
    """A loss scale from a number (fixed), "dynamic", a LossScale or None."""
    if isinstance(identifier, (int, float)):
        return FixedLossScale(identifier)
    if isinstance(identifier, str) and identifier == "dynamic":
        return DynamicLossScale()
    if isinstance(identifier, LossScale) or identifier is None:
        return identifier
    raise ValueError(f"Could not interpret loss scale identifier: {identifier}")


class MixedPrecisionLossScaleOptimizer(Optimizer):
    """Wraps `opt`: the loss is multiplied by the loss scale before the gradients are
    taken and the gradients divided by it; with a dynamic scale, a step whose gradients
    are not all finite is skipped (global_step too) and the scale lowered."""

    def __init__(self, opt, loss_scale) -> None:
        if not isinstance(opt, Optimizer):
            raise ValueError(f'"opt" must be an instance of Optimizer, but got: {type(opt)}')
        self._optimizer = opt
        super().__init__(opt._use_locking, opt.get_name())
        scale = get(loss_scale)
        if scale is None:
            raise ValueError("loss_scale cannot be None")
        self._loss_scale: LossScale = scale

    def compute_gradients(
        self,
        loss,
        var_list=None,
        gate_gradients=Optimizer.GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops: bool = False,
        grad_loss=None,
    ):
        loss = self._scale_loss(loss)
        grads_and_vars = self._optimizer.compute_gradients(
            loss=loss,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss,
        )
        grads = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        return list(zip(self._unscale_grads(grads), variables))

    def _scale_loss(self, loss):
        loss_scale = self._loss_scale()
        if callable(loss):

            def scaled():
                value = loss()
                return value * array_ops.cast(loss_scale, value.dtype)

            return scaled
        return loss * array_ops.cast(loss_scale, loss.dtype)

    def _unscale_grads(self, grads) -> list:
        reciprocal = 1 / self._loss_scale()
        return [None if g is None else _scale_grad(g, reciprocal) for g in grads]

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None):
        if not isinstance(self._loss_scale, DynamicLossScale):
            return self._optimizer.apply_gradients(grads_and_vars, global_step, name)
        grads_and_vars = tuple(grads_and_vars)
        name = name if name is not None else self.get_name()
        grads = [g for g, _ in grads_and_vars]
        update_op, should_apply = self._loss_scale.update(grads)

        def apply():
            return self._optimizer.apply_gradients(grads_and_vars, global_step, name + "-wrapped")

        maybe_apply = _smart_cond(should_apply, apply, control_flow_ops.no_op)
        return control_flow_ops.group(maybe_apply, update_op, name=name)

    def variables(self) -> list:
        return self._optimizer.variables() + list(self._loss_scale._weights.values())

    def _apply_dense(self, grad, var):
        raise RuntimeError("This function should never be called")

    _apply_sparse = _resource_apply_dense = _resource_apply_sparse = _apply_dense


def _scale_grad(grad, reciprocal):
    if isinstance(grad, IndexedSlices):
        return IndexedSlices(grad.values * reciprocal, grad.indices, grad.dense_shape)
    return grad * reciprocal


def _smart_cond(pred, true_fn, false_fn):
    """TF's smart_cond: a branch chosen now when `pred` is known, else a tf.cond."""
    from tfgraph.ops.common_shapes import tf_constant_value

    value = pred if isinstance(pred, bool) else tf_constant_value(pred)
    if value is not None:
        return true_fn() if bool(value) else false_fn()
    return control_flow_ops.cond(pred, true_fn, false_fn)


_rewrite_enabled = [False]


def enable_mixed_precision_graph_rewrite(opt, loss_scale="dynamic"):
    """Wraps `opt` in a MixedPrecisionLossScaleOptimizer, as TF does. TF's graph rewrite
    to float16 runs on GPUs; tfgraph keeps the graph's dtypes."""
    if isinstance(opt, MixedPrecisionLossScaleOptimizer):
        raise ValueError(
            '"opt" must not already be an instance of a MixedPrecisionLossScaleOptimizer. '
            "`enable_mixed_precision_graph_rewrite` will automatically wrap the optimizer "
            "with a MixedPrecisionLossScaleOptimizer."
        )
    if not isinstance(opt, Optimizer):
        raise ValueError(
            '"opt" must be an instance of a tf.train.Optimizer or a '
            f"tf.keras.optimizers.Optimizer, but got: {opt}"
        )
    _rewrite_enabled[0] = True
    return MixedPrecisionLossScaleOptimizer(opt, loss_scale)


def disable_mixed_precision_graph_rewrite() -> None:
    """Turns the (recorded) mixed precision graph rewrite off again."""
    if not _rewrite_enabled[0]:
        from tfgraph import logging

        logging.warning(
            "disable_mixed_precision_graph_rewrite() called when mixed precision is "
            "already disabled."
        )
    _rewrite_enabled[0] = False
