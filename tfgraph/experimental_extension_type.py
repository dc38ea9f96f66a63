"""`tf.experimental.extension_type` (re-exports only)."""

from tfgraph.framework.extension_type import as_dict

__all__ = ["as_dict"]
