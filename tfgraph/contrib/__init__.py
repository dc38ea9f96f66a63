"""`tf.contrib`: the parts of TF1's contrib that TF1 programs commonly use, which
TF 2.x no longer has (re-exports only; implementations in tfgraph/legacy_contrib and
tfgraph/ops)."""

from tfgraph.contrib import (
    data,
    framework,
    layers,
    learn,
    lookup,
    rnn,
    seq2seq,
    slim,
    tensorboard,
)

__all__ = [
    "data",
    "framework",
    "layers",
    "learn",
    "lookup",
    "rnn",
    "seq2seq",
    "slim",
    "tensorboard",
]
