"""`tf.contrib.seq2seq` (re-exports only): `sequence_loss`."""

from tfgraph.ops.seq2seq_ops import sequence_loss

__all__ = ["sequence_loss"]
