"""`tf.contrib`: the parts of TF1's contrib that TF1 programs commonly use
(`tf.contrib.rnn`, `tf.contrib.seq2seq.sequence_loss`); re-exports only."""

from tfgraph.contrib import rnn, seq2seq

__all__ = ["rnn", "seq2seq"]
