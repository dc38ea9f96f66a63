"""`tf.contrib`: the parts of TF1's contrib that TF1 programs commonly use, which
TF 2.x no longer has (re-exports only; implementations in tfgraph/legacy_contrib and
tfgraph/ops)."""

from tfgraph.contrib import (
    data,
    deprecated,
    distributions,
    framework,
    keras,
    layers,
    learn,
    legacy_seq2seq,
    linalg,
    lookup,
    rnn,
    seq2seq,
    signal,
    slim,
    stateless,
    tensorboard,
    util,
)

__all__ = [
    "data",
    "deprecated",
    "distributions",
    "framework",
    "keras",
    "layers",
    "learn",
    "legacy_seq2seq",
    "linalg",
    "lookup",
    "rnn",
    "seq2seq",
    "signal",
    "slim",
    "stateless",
    "tensorboard",
    "util",
]
