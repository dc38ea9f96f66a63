"""`tf.train.AdamOptimizer` (Kingma & Ba, 2015), TF1's formulation:

    lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)
    m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
    var -= lr_t * m / (sqrt(v) + epsilon)

Slots `m` (`w/Adam`) and `v` (`w/Adam_1`); the powers beta1^t and beta2^t are the
non-slot variables `beta1_power` and `beta2_power`, colocated with the first variable
by name and multiplied by beta1, beta2 after every update.
"""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph, init_scope
from tfgraph.ops import array_ops, control_flow_ops, math_ops, state_ops, training_ops
from tfgraph.training import optimizer

__all__ = ["AdamOptimizer"]


class AdamOptimizer(optimizer.Optimizer):
    """Adam (`ApplyAdam`; sparse gradients: decay of the whole moments, then
    `ScatterAdd` of the new rows, as TF does)."""

    def __init__(
        self,
        learning_rate=0.001,
        beta1=0.9,
        beta2=0.999,
        epsilon=1e-08,
        use_locking: bool = False,
        name: str = "Adam",
        use_own_namescope_for_non_slot_vars: bool = False,
    ):
        """Args:
        learning_rate: a Tensor or float, the learning rate.
        beta1: decay rate of the first moment estimates.
        beta2: decay rate of the second moment estimates.
        epsilon: small constant for numerical stability ("epsilon hat").
        use_locking: lock the variables while updating them.
        name: name prefix of the ops and slots the optimizer adds.
        use_own_namescope_for_non_slot_vars: put beta1_power/beta2_power in a variable
            scope named after the optimizer.
        """
        super().__init__(use_locking, name, use_own_namescope_for_non_slot_vars)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon
        self._lr_t = None
        self._beta1_t = None
        self._beta2_t = None
        self._epsilon_t = None

    def _get_beta_accumulators(self):
        with init_scope():
            graph = get_default_graph()
            return (
                self._get_non_slot_variable("beta1_power", graph=graph),
                self._get_non_slot_variable("beta2_power", graph=graph),
            )

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(
            initial_value=self._beta1, name="beta1_power", colocate_with=first_var
        )
        self._create_non_slot_variable(
            initial_value=self._beta2, name="beta2_power", colocate_with=first_var
        )
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._lr), name="learning_rate")
        self._beta1_t = convert_to_tensor(self._call_if_callable(self._beta1), name="beta1")
        self._beta2_t = convert_to_tensor(self._call_if_callable(self._beta2), name="beta2")
        self._epsilon_t = convert_to_tensor(self._call_if_callable(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        beta1_power, beta2_power = self._get_beta_accumulators()
        dtype = var.dtype.base_dtype
        return training_ops.op_of(
            training_ops.apply_adam(
                var,
                m,
                v,
                array_ops.cast(beta1_power, dtype),
                array_ops.cast(beta2_power, dtype),
                array_ops.cast(self._lr_t, dtype),
                array_ops.cast(self._beta1_t, dtype),
                array_ops.cast(self._beta2_t, dtype),
                array_ops.cast(self._epsilon_t, dtype),
                grad,
                use_locking=self._use_locking,
            )
        )

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        beta1_power, beta2_power = self._get_beta_accumulators()
        dtype = var.dtype.base_dtype
        beta1_power = array_ops.cast(beta1_power, dtype)
        beta2_power = array_ops.cast(beta2_power, dtype)
        lr_t = array_ops.cast(self._lr_t, dtype)
        beta1_t = array_ops.cast(self._beta1_t, dtype)
        beta2_t = array_ops.cast(self._beta2_t, dtype)
        epsilon_t = array_ops.cast(self._epsilon_t, dtype)
        lr = lr_t * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        g = get_default_graph()
        # m_t = beta1 * m + (1 - beta1) * g_t
        m = self.get_slot(var, "m")
        m_scaled_g_values = grad * (1 - beta1_t)
        m_t = state_ops.assign(m, m * beta1_t, use_locking=self._use_locking)
        with g.control_dependencies([m_t]):
            m_t = scatter_add(m, indices, m_scaled_g_values)
        # v_t = beta2 * v + (1 - beta2) * (g_t * g_t)
        v = self.get_slot(var, "v")
        v_scaled_g_values = (grad * grad) * (1 - beta2_t)
        v_t = state_ops.assign(v, v * beta2_t, use_locking=self._use_locking)
        with g.control_dependencies([v_t]):
            v_t = scatter_add(v, indices, v_scaled_g_values)
        v_sqrt = math_ops.sqrt(v_t)
        var_update = state_ops.assign_sub(
            var, lr * m_t / (v_sqrt + epsilon_t), use_locking=self._use_locking
        )
        return control_flow_ops.group(*[var_update, m_t, v_t])

    def _apply_sparse(self, grad, var):
        return self._apply_sparse_shared(
            grad.values,
            var,
            grad.indices,
            lambda x, i, v: state_ops.scatter_add(x, i, v, use_locking=self._use_locking),
        )

    def _finish(self, update_ops, name_scope):
        g = get_default_graph()
        with g.control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            with g.colocate_with(beta1_power):
                update_beta1 = beta1_power.assign(
                    beta1_power * self._beta1_t, use_locking=self._use_locking
                )
                update_beta2 = beta2_power.assign(
                    beta2_power * self._beta2_t, use_locking=self._use_locking
                )
        return control_flow_ops.group(*[*update_ops, update_beta1, update_beta2], name=name_scope)
