"""`tf.keras.layers.experimental` (re-exports only)."""

from tfgraph.keras.layers.attention import EinsumDense
from tfgraph.keras.layers.experimental import preprocessing
from tfgraph.keras.layers.kernelized import RandomFourierFeatures

__all__ = ["EinsumDense", "RandomFourierFeatures", "preprocessing"]
