"""`tf.train.FtrlOptimizer`: FTRL-proximal (McMahan et al., 2013) with TF's options
(learning-rate power, L1/L2, L2 shrinkage, beta)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.ops import array_ops, math_ops, training_ops
from tfgraph.training import optimizer

__all__ = ["FtrlOptimizer"]


class FtrlOptimizer(optimizer.Optimizer):
    """FTRL (`ApplyFtrl`, with L2 shrinkage `ApplyFtrlV2`, and their sparse forms); slots
    `accum` (`w/Ftrl`, starting at `initial_accumulator_value`) and `linear`
    (`w/Ftrl_1`)."""

    def __init__(
        self,
        learning_rate,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking: bool = False,
        name: str = "Ftrl",
        accum_name=None,
        linear_name=None,
        l2_shrinkage_regularization_strength=0.0,
        beta=None,
    ):
        """Args:
        learning_rate: a float or Tensor.
        learning_rate_power: <= 0; how the learning rate decreases (-0.5: 1/sqrt).
        initial_accumulator_value: >= 0, the accumulators' starting value.
        l1_regularization_strength, l2_regularization_strength: >= 0.
        use_locking: lock the variables while updating them.
        name: name prefix of the ops and slots the optimizer adds.
        accum_name, linear_name: slot name prefixes (default: `name`).
        l2_shrinkage_regularization_strength: >= 0, magnitude penalty (FtrlV2).
        beta: added to the L2 strength as beta / (2 * learning_rate).

        Raises:
            ValueError: for an argument out of its range.
        """
        super().__init__(use_locking, name)
        for arg, value, sign in (
            ("initial_accumulator_value", initial_accumulator_value, "positive"),
            ("learning_rate_power", -learning_rate_power, "negative"),
            ("l1_regularization_strength", l1_regularization_strength, "positive"),
            ("l2_regularization_strength", l2_regularization_strength, "positive"),
            (
                "l2_shrinkage_regularization_strength",
                l2_shrinkage_regularization_strength,
                "positive",
            ),
        ):
            if value < 0.0:
                shown = -value if sign == "negative" else value
                raise ValueError(f"{arg} {shown:f} needs to be {sign} or zero")
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._learning_rate_tensor = None
        self._learning_rate_power_tensor = None
        self._l1_regularization_strength_tensor = None
        self._adjusted_l2_regularization_strength_tensor = None
        self._l2_shrinkage_regularization_strength_tensor = None
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        def _accum_initializer(shape, dtype=dtypes.float32, partition_info=None):
            del partition_info
            return array_ops.ones(shape=shape, dtype=dtype) * self._initial_accumulator_value

        for v in var_list:
            self._get_or_make_slot_with_initializer(
                v,
                _accum_initializer,
                v.shape,
                v.dtype.base_dtype,
                "accum",
                self._accum_name or self._name,
            )
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self):
        self._learning_rate_tensor = convert_to_tensor(self._learning_rate, name="learning_rate")
        self._l1_regularization_strength_tensor = convert_to_tensor(
            self._l1_regularization_strength, name="l1_regularization_strength"
        )
        # L2 adjusted by beta / (2 * learning_rate), as TF builds it (also for beta 0).
        self._adjusted_l2_regularization_strength_tensor = convert_to_tensor(
            self._l2_regularization_strength
            + self._beta / (2.0 * math_ops.maximum(self._learning_rate, 1e-36)),
            name="adjusted_l2_regularization_strength",
        )
        self._beta_tensor = convert_to_tensor(self._beta, name="beta")
        self._l2_shrinkage_regularization_strength_tensor = convert_to_tensor(
            self._l2_shrinkage_regularization_strength,
            name="l2_shrinkage_regularization_strength",
        )
        self._learning_rate_power_tensor = convert_to_tensor(
            self._learning_rate_power, name="learning_rate_power"
        )

    def _hyper(self, var, shrinkage: bool):
        dtype = var.dtype.base_dtype
        ts = [
            self._learning_rate_tensor,
            self._l1_regularization_strength_tensor,
            self._adjusted_l2_regularization_strength_tensor,
        ]
        if shrinkage:
            ts.append(self._l2_shrinkage_regularization_strength_tensor)
        ts.append(self._learning_rate_power_tensor)
        return [array_ops.cast(t, dtype) for t in ts]

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.apply_ftrl(
                var, accum, linear, grad, *self._hyper(var, False), use_locking=self._use_locking
            )
        return training_ops.apply_ftrl_v2(
            var, accum, linear, grad, *self._hyper(var, True), use_locking=self._use_locking
        )

    def _apply_sparse(self, grad, var):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.sparse_apply_ftrl(
                var, accum, linear, grad.values, grad.indices, *self._hyper(var, False),
                use_locking=self._use_locking,
            )  # fmt: skip
        return training_ops.sparse_apply_ftrl_v2(
            var, accum, linear, grad.values, grad.indices, *self._hyper(var, True),
            use_locking=self._use_locking,
        )  # fmt: skip
