"""`tf.keras.layers.experimental` (re-exports only)."""

from tfgraph.keras.layers.attention import EinsumDense

__all__ = ["EinsumDense"]
