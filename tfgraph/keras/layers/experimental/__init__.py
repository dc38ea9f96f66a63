"""`tf.keras.layers.experimental` (re-exports only)."""

from tfgraph.keras.layers.attention import EinsumDense
from tfgraph.keras.layers.experimental import preprocessing

__all__ = ["EinsumDense", "preprocessing"]
