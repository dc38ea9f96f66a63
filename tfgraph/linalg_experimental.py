"""`tf.linalg.experimental` (re-exports only)."""

from tfgraph.ops.linear_operator_cg import conjugate_gradient

__all__ = ["conjugate_gradient"]
