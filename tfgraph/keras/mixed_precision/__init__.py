"""`tf.keras.mixed_precision` (re-exports only)."""

from tfgraph.keras.loss_scale_optimizer import LossScaleOptimizer

__all__ = ["LossScaleOptimizer"]
