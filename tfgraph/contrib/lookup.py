"""`tf.contrib.lookup` (TF1): lookup tables and their helpers (re-exports only)."""

from tfgraph.ops.lookup_mutable_ops import DenseHashTable as MutableDenseHashTable
from tfgraph.ops.lookup_mutable_ops import MutableHashTable
from tfgraph.ops.lookup_ops import (
    HashTable,
    KeyValueTensorInitializer,
    TextFileIndex,
    TextFileInitializer,
    index_table_from_file,
    index_table_from_tensor,
    index_to_string_table_from_file,
    index_to_string_table_from_tensor,
)

__all__ = [
    "HashTable",
    "KeyValueTensorInitializer",
    "MutableDenseHashTable",
    "MutableHashTable",
    "TextFileIndex",
    "TextFileInitializer",
    "index_table_from_file",
    "index_table_from_tensor",
    "index_to_string_table_from_file",
    "index_to_string_table_from_tensor",
]
