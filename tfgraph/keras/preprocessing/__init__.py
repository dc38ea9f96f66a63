"""`tf.keras.preprocessing` (re-exports only)."""

from tfgraph.keras.preprocessing import sequence

__all__ = ["sequence"]
