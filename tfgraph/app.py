"""`tf.app`: `run` and `flags` (re-exports only; loaded on first access to `tf.app`)."""

from tfgraph import flags
from tfgraph.platform.app import run

__all__ = ["flags", "run"]
