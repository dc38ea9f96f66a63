"""`tf.contrib.tensorboard` (re-exports only): `plugins.projector`."""

from tfgraph.contrib.tensorboard import plugins

__all__ = ["plugins"]
