"""`tf.keras.experimental` (re-exports only)."""

from tfgraph.keras.feature_column import SequenceFeatures
from tfgraph.keras.learning_rate_schedule import CosineDecay, CosineDecayRestarts
from tfgraph.keras.premade_models.linear import LinearModel
from tfgraph.keras.premade_models.wide_deep import WideDeepModel

__all__ = ["CosineDecay", "CosineDecayRestarts", "LinearModel", "SequenceFeatures", "WideDeepModel"]
