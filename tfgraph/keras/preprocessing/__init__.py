"""`tf.keras.preprocessing` (re-exports only)."""

from tfgraph.keras.preprocessing import image, sequence, text

__all__ = ["image", "sequence", "text"]
