"""`tf.train.MomentumOptimizer`: accumulation = momentum * accumulation + gradient;
var -= learning_rate * accumulation (or TF's Nesterov variant)."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.ops import array_ops, training_ops
from tfgraph.training import optimizer

__all__ = ["MomentumOptimizer"]


class MomentumOptimizer(optimizer.Optimizer):
    """Momentum (`ApplyMomentum` / `SparseApplyMomentum`); one slot `momentum` per
    variable (`w/Momentum`)."""

    def __init__(
        self,
        learning_rate,
        momentum,
        use_locking: bool = False,
        name: str = "Momentum",
        use_nesterov: bool = False,
    ):
        """Args:
        learning_rate: a Tensor or float, the learning rate.
        momentum: a Tensor or float, the momentum.
        use_locking: lock the variables while updating them.
        name: name prefix of the ops and slots the optimizer adds.
        use_nesterov: use Nesterov momentum (TF's formulation).
        """
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        learning_rate = self._call_if_callable(self._learning_rate)
        self._learning_rate_tensor = convert_to_tensor(learning_rate, name="learning_rate")
        momentum = self._call_if_callable(self._momentum)
        self._momentum_tensor = convert_to_tensor(momentum, name="momentum")

    def _apply_dense(self, grad, var):
        mom = self.get_slot(var, "momentum")
        dtype = var.dtype.base_dtype
        return training_ops.op_of(
            training_ops.apply_momentum(
                var,
                mom,
                array_ops.cast(self._learning_rate_tensor, dtype),
                grad,
                array_ops.cast(self._momentum_tensor, dtype),
                use_locking=self._use_locking,
                use_nesterov=self._use_nesterov,
            )
        )

    def _apply_sparse(self, grad, var):
        mom = self.get_slot(var, "momentum")
        dtype = var.dtype.base_dtype
        return training_ops.op_of(
            training_ops.sparse_apply_momentum(
                var,
                mom,
                array_ops.cast(self._learning_rate_tensor, dtype),
                grad.values,
                grad.indices,
                array_ops.cast(self._momentum_tensor, dtype),
                use_locking=self._use_locking,
                use_nesterov=self._use_nesterov,
            )
        )
