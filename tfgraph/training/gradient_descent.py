"""`tf.train.GradientDescentOptimizer`: var -= learning_rate * gradient."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.ops import array_ops, training_ops
from tfgraph.training import optimizer

__all__ = ["GradientDescentOptimizer"]


class GradientDescentOptimizer(optimizer.Optimizer):
    """Plain gradient descent (`ApplyGradientDescent`; sparse gradients: `ScatterSub`)."""

    def __init__(self, learning_rate, use_locking: bool = False, name: str = "GradientDescent"):
        """Args:
        learning_rate: a Tensor or float, the learning rate.
        use_locking: lock the variables while updating them.
        name: name prefix of the ops the optimizer adds.
        """
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _apply_dense(self, grad, var):
        return training_ops.op_of(
            training_ops.apply_gradient_descent(
                var,
                array_ops.cast(self._learning_rate_tensor, var.dtype.base_dtype),
                grad,
                use_locking=self._use_locking,
            )
        )

    def _apply_sparse_duplicate_indices(self, grad, var):
        lr = array_ops.cast(self._learning_rate_tensor, var.dtype.base_dtype)
        if getattr(var, "handle", None) is not None:  # TF: ResourceScatterAdd of -lr * grad
            delta = IndexedSlices(-grad.values * lr, grad.indices, grad.dense_shape)
            return var.scatter_add(delta, use_locking=self._use_locking).op
        delta = IndexedSlices(grad.values * lr, grad.indices, grad.dense_shape)
        return var.scatter_sub(delta, use_locking=self._use_locking)

    def _prepare(self):
        learning_rate = self._call_if_callable(self._learning_rate)
        self._learning_rate_tensor = convert_to_tensor(learning_rate, name="learning_rate")
