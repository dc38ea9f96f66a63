"""`tf.saved_model.main_op` (re-exports only)."""

from tfgraph.saved_model._main_op import main_op, main_op_with_restore

__all__ = ["main_op", "main_op_with_restore"]
