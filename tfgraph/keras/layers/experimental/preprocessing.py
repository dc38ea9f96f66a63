"""`tf.keras.layers.experimental.preprocessing` (re-exports only)."""

from tfgraph.keras.layers.preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Hashing,
    Normalization,
    Rescaling,
    Resizing,
)

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "Hashing",
    "Normalization",
    "Rescaling",
    "Resizing",
]
