"""`tf.compat.v1.mixed_precision.experimental`: the loss scales (re-exports only)."""

from tfgraph.training.loss_scale import DynamicLossScale, FixedLossScale, LossScale

__all__ = ["DynamicLossScale", "FixedLossScale", "LossScale"]
