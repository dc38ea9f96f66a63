"""`tf.feature_column` under TF2 (`tfgraph.compat.v2.feature_column`, re-exports only):
`tfgraph.feature_column`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.feature_column as _v1
from tfgraph.feature_column.vocab_file import (
    categorical_column_with_vocabulary_file_v2 as categorical_column_with_vocabulary_file,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))
