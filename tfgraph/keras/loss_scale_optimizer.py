"""`tf.keras.mixed_precision.LossScaleOptimizer` as Keras 2 builds it in a graph: the
loss is multiplied by the loss scale, the gradients divided by it, and with a dynamic
scale (`current_loss_scale`, `good_steps`: resource variables made with the optimizer)
a step with a non-finite gradient is skipped (only `iterations` advances) and halves
the scale, while `dynamic_growth_steps` finite steps in a row double it."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.ops import control_flow_ops
from tfgraph.training import loss_scale as v1_loss_scale

__all__ = ["LossScaleOptimizer"]


class LossScaleOptimizer:
    """Wraps a Keras optimizer with loss scaling; other attributes (`iterations`,
    `learning_rate`, `variables`...) are the inner optimizer's."""

    def __init__(self, inner_optimizer, dynamic=True, initial_scale=None,
                 dynamic_growth_steps=None):  # fmt: skip
        from tfgraph.keras.optimizers import Optimizer

        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                '"inner_optimizer" must be an instance of `tf.keras.optimizers.Optimizer`, '
                f"but got: {inner_optimizer}."
            )
        if not isinstance(dynamic, bool):
            raise TypeError(f'"dynamic" argument to LossScaleOptimizer.__init__ must be a bool, '
                            f"but got: {dynamic!r}")  # fmt: skip
        if isinstance(inner_optimizer, LossScaleOptimizer):
            raise TypeError(f"LossScaleOptimizer cannot wrap another LossScaleOptimizer, but "
                            f"got: {inner_optimizer}")  # fmt: skip
        self._optimizer = inner_optimizer
        if dynamic:
            initial_scale = 2**15 if initial_scale is None else initial_scale
            growth = 2000 if dynamic_growth_steps is None else dynamic_growth_steps
            self._loss_scale = v1_loss_scale.DynamicLossScale(initial_scale, growth, 2.0)
        else:
            if initial_scale is None:
                raise ValueError('"initial_scale" must be specified if "dynamic" is False')
            if dynamic_growth_steps is not None:
                raise ValueError('"dynamic_growth_steps" must be None if "dynamic" is False, '
                                 f"but got: {dynamic_growth_steps}")  # fmt: skip
            self._loss_scale = v1_loss_scale.FixedLossScale(float(initial_scale))

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_optimizer", "_loss_scale"):
            raise AttributeError(name)
        return getattr(self._optimizer, name)

    def __setattr__(self, name, value) -> None:
        if name in ("clipnorm", "clipvalue", "global_clipnorm"):  # the inner optimizer's
            setattr(self._optimizer, name, value)
        else:
            super().__setattr__(name, value)

    @property
    def dynamic(self) -> bool:
        return isinstance(self._loss_scale, v1_loss_scale.DynamicLossScale)

    @property
    def loss_scale(self):
        """The current loss scale as a float32 tensor."""
        return self._loss_scale()

    @property
    def dynamic_counter(self):
        """`good_steps`: finite steps since the scale last changed (None if fixed)."""
        return self._loss_scale._num_good_steps if self.dynamic else None

    @property
    def initial_scale(self) -> float:
        if self.dynamic:
            return self._loss_scale.initial_loss_scale
        return float(self._loss_scale._loss_scale_value)

    @property
    def dynamic_growth_steps(self):
        return self._loss_scale.increment_period if self.dynamic else None

    @property
    def inner_optimizer(self):
        return self._optimizer

    def get_scaled_loss(self, loss):
        """`loss` times the loss scale (a callable stays a callable)."""
        if callable(loss):
            return lambda: loss() * convert_to_tensor(self.loss_scale, dtype=loss().dtype)
        loss = convert_to_tensor(loss)
        return loss * convert_to_tensor(self.loss_scale, dtype=loss.dtype)

    def get_unscaled_gradients(self, grads):
        """Each gradient divided by the loss scale (None stays None)."""
        reciprocal = 1.0 / self.loss_scale
        return [None if g is None else v1_loss_scale._scale_grad(g, reciprocal) for g in grads]

    def compute_gradients(self, loss, var_list, tape=None):
        """Gradients of the scaled loss, unscaled, paired with `var_list`."""
        pairs = self._optimizer.compute_gradients(self.get_scaled_loss(loss), var_list, tape)
        grads = self.get_unscaled_gradients([g for g, _ in pairs])
        return list(zip(grads, [v for _, v in pairs], strict=True))

    def minimize(self, loss, var_list, tape=None):
        """Scales `loss`, unscales its gradients and applies them (or skips the step)."""
        return self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False):
        """Applies already unscaled gradients when they are all finite; always updates
        the dynamic loss scale."""
        pairs = list(grads_and_vars)
        if not self.dynamic:
            return self._optimizer.apply_gradients(pairs, name)
        update_op, should_apply = self._loss_scale.update([g for g, _ in pairs])

        def apply():
            return self._optimizer.apply_gradients(pairs, name)

        def skip():
            return self._optimizer.iterations.assign_add(1, read_value=False)

        maybe_apply = v1_loss_scale._smart_cond(should_apply, apply, skip)
        return control_flow_ops.group(maybe_apply, update_op)

    def get_config(self) -> dict:
        from tfgraph.keras.engine.serialization import serialize_value

        return {
            "inner_optimizer": serialize_value(self._optimizer),
            "dynamic": self.dynamic,
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }
