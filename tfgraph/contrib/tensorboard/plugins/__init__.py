"""`tf.contrib.tensorboard.plugins` (re-exports only): `projector`."""

from tfgraph.contrib.tensorboard.plugins import projector

__all__ = ["projector"]
