"""`tf.keras.models` (re-exports only)."""

from tfgraph.keras.engine.functional import Model, Sequential

__all__ = ["Model", "Sequential"]
