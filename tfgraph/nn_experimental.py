"""`tf.nn.experimental` (re-exports only)."""

from tfgraph.ops.nn_ops import general_dropout, stateless_dropout

__all__ = ["general_dropout", "stateless_dropout"]
