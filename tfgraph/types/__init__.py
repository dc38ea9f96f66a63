"""`tf.types` (re-exports only)."""

from tfgraph.types import experimental

__all__ = ["experimental"]
