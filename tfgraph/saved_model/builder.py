"""`tf.saved_model.builder` (re-exports only)."""

from tfgraph.saved_model._builder import SavedModelBuilder

__all__ = ["SavedModelBuilder"]
