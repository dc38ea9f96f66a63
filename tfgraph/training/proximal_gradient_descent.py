"""`tf.train.ProximalGradientDescentOptimizer` (FOBOS with a fixed learning rate) and
`tf.train.ProximalAdagradOptimizer` (FOBOS with Adagrad learning rates)."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, training_ops
from tfgraph.training import optimizer

__all__ = ["ProximalAdagradOptimizer", "ProximalGradientDescentOptimizer"]


class ProximalGradientDescentOptimizer(optimizer.Optimizer):
    """Gradient descent followed by the L1/L2 proximal step
    (`ApplyProximalGradientDescent` / `SparseApplyProximalGradientDescent`)."""

    def __init__(
        self,
        learning_rate,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking: bool = False,
        name: str = "ProximalGradientDescent",
    ):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._l1_regularization_strength_tensor = None
        self._l2_regularization_strength_tensor = None

    def _apply_dense(self, grad, var):
        return training_ops.op_of(
            training_ops.apply_proximal_gradient_descent(
                var,
                self._learning_rate_tensor,
                self._l1_regularization_strength_tensor,
                self._l2_regularization_strength_tensor,
                grad,
                use_locking=self._use_locking,
            )
        )

    def _apply_sparse(self, grad, var):
        return training_ops.op_of(
            training_ops.sparse_apply_proximal_gradient_descent(
                var,
                self._learning_rate_tensor,
                self._l1_regularization_strength_tensor,
                self._l2_regularization_strength_tensor,
                grad.values,
                grad.indices,
                use_locking=self._use_locking,
            )
        )

    def _prepare(self):
        self._learning_rate_tensor = convert_to_tensor(self._learning_rate, name="learning_rate")
        self._l1_regularization_strength_tensor = convert_to_tensor(
            self._l1_regularization_strength, name="l1_regularization_strength"
        )
        self._l2_regularization_strength_tensor = convert_to_tensor(
            self._l2_regularization_strength, name="l2_regularization_strength"
        )


class ProximalAdagradOptimizer(optimizer.Optimizer):
    """Adagrad followed by the L1/L2 proximal step (`ApplyProximalAdagrad` /
    `SparseApplyProximalAdagrad`); slot `accumulator` (`w/ProximalAdagrad`)."""

    def __init__(
        self,
        learning_rate,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking: bool = False,
        name: str = "ProximalAdagrad",
    ):
        if initial_accumulator_value <= 0.0:
            raise ValueError(
                f"initial_accumulator_value must be positive: {initial_accumulator_value}"
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._l1_regularization_strength_tensor = None
        self._l2_regularization_strength_tensor = None
        self._learning_rate_tensor = None

    def _create_slots(self, var_list):
        g = get_default_graph()
        for v in var_list:
            with g.colocate_with(v):
                val = array_ops.constant(
                    self._initial_accumulator_value,
                    shape=v.get_shape(),
                    dtype=v.dtype.base_dtype,
                )
            self._get_or_make_slot(v, val, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = convert_to_tensor(self._learning_rate, name="learning_rate")
        self._l1_regularization_strength_tensor = convert_to_tensor(
            self._l1_regularization_strength, name="l1_regularization_strength"
        )
        self._l2_regularization_strength_tensor = convert_to_tensor(
            self._l2_regularization_strength, name="l2_regularization_strength"
        )

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_proximal_adagrad(
            var,
            acc,
            self._learning_rate_tensor,
            self._l1_regularization_strength_tensor,
            self._l2_regularization_strength_tensor,
            grad,
            use_locking=self._use_locking,
        )

    def _apply_sparse(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.sparse_apply_proximal_adagrad(
            var,
            acc,
            self._learning_rate_tensor,
            self._l1_regularization_strength_tensor,
            self._l2_regularization_strength_tensor,
            grad.values,
            grad.indices,
            use_locking=self._use_locking,
        )
