"""`tf.keras.experimental` (re-exports only)."""

from tfgraph.keras.learning_rate_schedule import CosineDecay, CosineDecayRestarts

__all__ = ["CosineDecay", "CosineDecayRestarts"]
