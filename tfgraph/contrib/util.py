"""`tf.contrib.util` (TF 1.15; re-exports only): tensor protos and graph-def helpers."""

from tfgraph.framework.api_utils import get_static_value as constant_value
from tfgraph.framework.meta_graph import ops_used_by_graph_def, stripped_op_list_for_graph
from tfgraph.io.tensor_proto import make_ndarray, make_tensor_proto

__all__ = [
    "constant_value",
    "make_ndarray",
    "make_tensor_proto",
    "ops_used_by_graph_def",
    "stripped_op_list_for_graph",
]
