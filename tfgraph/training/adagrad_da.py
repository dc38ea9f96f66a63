"""`tf.train.AdagradDAOptimizer`: Adagrad dual averaging (ApplyAdagradDA /
SparseApplyAdagradDA), slots `gradient_accumulator` and `gradient_squared_accumulator`."""

from __future__ import annotations

from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops
from tfgraph.ops.adagrad_da_ops import apply_adagrad_da, sparse_apply_adagrad_da
from tfgraph.training import optimizer

__all__ = ["AdagradDAOptimizer"]


class AdagradDAOptimizer(optimizer.Optimizer):
    """Adagrad dual averaging (for sparse linear models, with l1/l2 regularization);
    needs the `global_step` tensor (the update uses global_step + 1)."""

    def __init__(
        self,
        learning_rate,
        global_step,
        initial_gradient_squared_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking=False,
        name="AdagradDA",
    ):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError(
                "initial_gradient_squared_accumulator_value must be positive: "
                f"{initial_gradient_squared_accumulator_value}"
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gradient_squared_accumulator_value = (
            initial_gradient_squared_accumulator_value
        )
        self._learning_rate_tensor = None
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._global_step = global_step
        self._global_step_on_worker = None

    def _create_slots(self, var_list):
        g = get_default_graph()
        for v in var_list:
            with g.colocate_with(v):
                dtype = v.dtype.base_dtype
                g_val = constant(0.0, shape=v.get_shape(), dtype=dtype)
                gg_val = constant(
                    self._initial_gradient_squared_accumulator_value,
                    shape=v.get_shape(),
                    dtype=dtype,
                )
            self._get_or_make_slot(v, g_val, "gradient_accumulator", self._name)
            self._get_or_make_slot(v, gg_val, "gradient_squared_accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = convert_to_tensor(self._learning_rate, name="learning_rate")
        with get_default_graph().colocate_with(self._learning_rate_tensor):
            self._global_step_on_worker = array_ops.identity(self._global_step) + 1

    def _accumulators(self, var):
        return (
            self.get_slot(var, "gradient_accumulator"),
            self.get_slot(var, "gradient_squared_accumulator"),
        )

    def _apply_dense(self, grad, var):
        g_acc, gg_acc = self._accumulators(var)
        with get_default_graph().device(var.device):
            global_step = array_ops.identity(self._global_step_on_worker)
        return apply_adagrad_da(
            var,
            g_acc,
            gg_acc,
            grad,
            array_ops.cast(self._learning_rate_tensor, var.dtype.base_dtype),
            array_ops.cast(self._l1_regularization_strength, var.dtype.base_dtype),
            array_ops.cast(self._l2_regularization_strength, var.dtype.base_dtype),
            global_step,
            use_locking=self._use_locking,
        )

    def _apply_sparse(self, grad, var):
        g_acc, gg_acc = self._accumulators(var)
        with get_default_graph().device(var.device):
            global_step = array_ops.identity(self._global_step_on_worker)
        return sparse_apply_adagrad_da(
            var,
            g_acc,
            gg_acc,
            grad.values,
            grad.indices,
            array_ops.cast(self._learning_rate_tensor, var.dtype.base_dtype),
            array_ops.cast(self._l1_regularization_strength, var.dtype.base_dtype),
            array_ops.cast(self._l2_regularization_strength, var.dtype.base_dtype),
            global_step,
            use_locking=self._use_locking,
        )
