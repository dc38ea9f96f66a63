"""`tf.sparse` (the little tfgraph has): SparseTensor and to_dense (re-exports only)."""

from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.ops.sparse_ops import sparse_tensor_to_dense as to_dense

__all__ = ["SparseTensor", "to_dense"]
