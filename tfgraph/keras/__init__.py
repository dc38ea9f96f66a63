"""`tf.keras`: the parts of Keras 2 tfgraph has (the optimizers)."""

from tfgraph.keras import optimizers

__all__ = ["optimizers"]
