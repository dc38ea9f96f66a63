"""`tf.saved_model.utils` (re-exports only)."""

from tfgraph.saved_model._signature import build_tensor_info, get_tensor_from_tensor_info

__all__ = ["build_tensor_info", "get_tensor_from_tensor_info"]
