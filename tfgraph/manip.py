"""`tf.manip` (TF1's alias module for tensor manipulation; re-exports only)."""

from tfgraph.ops.array_ops import gather_nd, reshape, reverse, scatter_nd, tile
from tfgraph.ops.batch_space_ops import batch_to_space_nd, space_to_batch_nd
from tfgraph.ops.manip_ops import roll

__all__ = [
    "batch_to_space_nd",
    "gather_nd",
    "reshape",
    "reverse",
    "roll",
    "scatter_nd",
    "space_to_batch_nd",
    "tile",
]
