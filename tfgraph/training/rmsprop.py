"""`tf.train.RMSPropOptimizer`: mean square ms (slot `rms`, starting at 1), momentum
(slot `momentum`) and, when centered, the mean gradient (slot `mg`)."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.ops import array_ops, init_ops, training_ops
from tfgraph.training import optimizer

__all__ = ["RMSPropOptimizer"]


class RMSPropOptimizer(optimizer.Optimizer):
    """RMSProp (`ApplyRMSProp`, centered: `ApplyCenteredRMSProp`, and their sparse
    forms)."""

    def __init__(
        self,
        learning_rate,
        decay=0.9,
        momentum=0.0,
        epsilon=1e-10,
        use_locking: bool = False,
        centered: bool = False,
        name: str = "RMSProp",
    ):
        """Args:
        learning_rate: a Tensor or float, the learning rate.
        decay: discounting factor of the history/coming gradient.
        momentum: the momentum.
        epsilon: small constant added under the square root.
        use_locking: lock the variables while updating them.
        centered: normalize by the estimated variance of the gradient.
        name: name prefix of the ops and slots the optimizer adds.
        """
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered
        self._learning_rate_tensor = None
        self._decay_tensor = None
        self._momentum_tensor = None
        self._epsilon_tensor = None

    def _create_slots(self, var_list):
        for v in var_list:
            if v.get_shape().is_fully_defined():
                init_rms = init_ops.ones_initializer(dtype=v.dtype.base_dtype)
            else:
                init_rms = array_ops.ones_like(v)
            self._get_or_make_slot_with_initializer(
                v, init_rms, v.get_shape(), v.dtype.base_dtype, "rms", self._name
            )
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        c = self._call_if_callable
        self._learning_rate_tensor = convert_to_tensor(c(self._learning_rate), name="learning_rate")
        self._decay_tensor = convert_to_tensor(c(self._decay), name="decay")
        self._momentum_tensor = convert_to_tensor(c(self._momentum), name="momentum")
        self._epsilon_tensor = convert_to_tensor(c(self._epsilon), name="epsilon")

    def _hyper(self, var):
        dtype = var.dtype.base_dtype
        return [
            array_ops.cast(t, dtype)
            for t in (
                self._learning_rate_tensor,
                self._decay_tensor,
                self._momentum_tensor,
                self._epsilon_tensor,
            )
        ]

    def _apply_dense(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.op_of(
                training_ops.apply_centered_rms_prop(
                    var, mg, rms, mom, *self._hyper(var), grad, use_locking=self._use_locking
                )
            )
        return training_ops.op_of(
            training_ops.apply_rms_prop(
                var, rms, mom, *self._hyper(var), grad, use_locking=self._use_locking
            )
        )

    def _apply_sparse(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.sparse_apply_centered_rms_prop(
                var, mg, rms, mom, *self._hyper(var), grad.values, grad.indices,
                use_locking=self._use_locking,
            )  # fmt: skip
        return training_ops.sparse_apply_rms_prop(
            var, rms, mom, *self._hyper(var), grad.values, grad.indices,
            use_locking=self._use_locking,
        )  # fmt: skip
