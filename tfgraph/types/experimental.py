"""`tf.types.experimental` (re-exports only)."""

from tfgraph.framework.core_types import FunctionType, TensorLike

__all__ = ["FunctionType", "TensorLike"]
