"""`tf.keras.preprocessing` (re-exports only)."""

from tfgraph.keras.preprocessing import sequence, text

__all__ = ["sequence", "text"]
