"""`tf.saved_model.loader` (re-exports only)."""

from tfgraph.saved_model._loader import load, maybe_saved_model_directory

__all__ = ["load", "maybe_saved_model_directory"]
