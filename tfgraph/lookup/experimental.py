"""`tf.lookup.experimental`: the mutable tables (re-exports only)."""

from tfgraph.ops.lookup_mutable_ops import DenseHashTable, MutableHashTable

__all__ = ["DenseHashTable", "MutableHashTable"]
