"""`tf.feature_column` (TF1): feature columns and `input_layer` (re-exports only)."""

from tfgraph.feature_column._columns import (
    bucketized_column,
    categorical_column_with_hash_bucket,
    categorical_column_with_identity,
    categorical_column_with_vocabulary_list,
    embedding_column,
    indicator_column,
    numeric_column,
    weighted_categorical_column,
)
from tfgraph.feature_column._input_layer import input_layer, make_parse_example_spec
from tfgraph.feature_column.crossed import crossed_column
from tfgraph.feature_column.linear import linear_model
from tfgraph.feature_column.sequence import (
    sequence_categorical_column_with_hash_bucket,
    sequence_categorical_column_with_identity,
    sequence_categorical_column_with_vocabulary_file,
    sequence_categorical_column_with_vocabulary_list,
    sequence_numeric_column,
)
from tfgraph.feature_column.shared import shared_embedding_columns
from tfgraph.feature_column.vocab_file import categorical_column_with_vocabulary_file

__all__ = [
    "bucketized_column",
    "categorical_column_with_hash_bucket",
    "categorical_column_with_identity",
    "categorical_column_with_vocabulary_file",
    "categorical_column_with_vocabulary_list",
    "crossed_column",
    "embedding_column",
    "indicator_column",
    "input_layer",
    "linear_model",
    "make_parse_example_spec",
    "numeric_column",
    "sequence_categorical_column_with_hash_bucket",
    "sequence_categorical_column_with_identity",
    "sequence_categorical_column_with_vocabulary_file",
    "sequence_categorical_column_with_vocabulary_list",
    "sequence_numeric_column",
    "shared_embedding_columns",
    "weighted_categorical_column",
]
