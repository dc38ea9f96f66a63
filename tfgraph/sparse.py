"""`tf.sparse`: SparseTensor and the sparse ops tfgraph has (re-exports only)."""

from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.ops.accumulator_ops import SparseConditionalAccumulator
from tfgraph.ops.bincount_ops import sparse_bincount as bincount
from tfgraph.ops.segment_ops import sparse_segment_mean as segment_mean
from tfgraph.ops.segment_ops import sparse_segment_sqrt_n as segment_sqrt_n
from tfgraph.ops.segment_ops import sparse_segment_sum as segment_sum
from tfgraph.ops.sparse_cross_ops import sparse_cross as cross
from tfgraph.ops.sparse_cross_ops import sparse_cross_hashed as cross_hashed
from tfgraph.ops.sparse_ops import from_dense
from tfgraph.ops.sparse_ops import sparse_add as add
from tfgraph.ops.sparse_ops import sparse_concat as concat
from tfgraph.ops.sparse_ops import sparse_expand_dims as expand_dims
from tfgraph.ops.sparse_ops import sparse_eye as eye
from tfgraph.ops.sparse_ops import sparse_fill_empty_rows as fill_empty_rows
from tfgraph.ops.sparse_ops import sparse_mask as mask
from tfgraph.ops.sparse_ops import sparse_maximum as maximum
from tfgraph.ops.sparse_ops import sparse_merge as merge
from tfgraph.ops.sparse_ops import sparse_minimum as minimum
from tfgraph.ops.sparse_ops import sparse_placeholder as placeholder
from tfgraph.ops.sparse_ops import sparse_reduce_max as reduce_max
from tfgraph.ops.sparse_ops import sparse_reduce_max_sparse as reduce_max_sparse
from tfgraph.ops.sparse_ops import sparse_reduce_sum as reduce_sum
from tfgraph.ops.sparse_ops import sparse_reduce_sum_sparse as reduce_sum_sparse
from tfgraph.ops.sparse_ops import sparse_reorder as reorder
from tfgraph.ops.sparse_ops import sparse_reset_shape as reset_shape
from tfgraph.ops.sparse_ops import sparse_reshape as reshape
from tfgraph.ops.sparse_ops import sparse_retain as retain
from tfgraph.ops.sparse_ops import sparse_slice as slice
from tfgraph.ops.sparse_ops import sparse_softmax as softmax
from tfgraph.ops.sparse_ops import sparse_split as split
from tfgraph.ops.sparse_ops import sparse_tensor_dense_matmul as matmul
from tfgraph.ops.sparse_ops import sparse_tensor_dense_matmul as sparse_dense_matmul
from tfgraph.ops.sparse_ops import sparse_tensor_to_dense as to_dense
from tfgraph.ops.sparse_ops import sparse_to_indicator as to_indicator
from tfgraph.ops.sparse_ops import sparse_transpose as transpose

__all__ = [
    "SparseConditionalAccumulator",
    "SparseTensor",
    "add",
    "bincount",
    "concat",
    "cross",
    "cross_hashed",
    "expand_dims",
    "eye",
    "fill_empty_rows",
    "from_dense",
    "mask",
    "matmul",
    "maximum",
    "merge",
    "minimum",
    "placeholder",
    "reduce_max",
    "reduce_max_sparse",
    "reduce_sum",
    "reduce_sum_sparse",
    "reorder",
    "reset_shape",
    "reshape",
    "retain",
    "segment_mean",
    "segment_sqrt_n",
    "segment_sum",
    "slice",
    "softmax",
    "sparse_dense_matmul",
    "split",
    "to_dense",
    "to_indicator",
    "transpose",
]
