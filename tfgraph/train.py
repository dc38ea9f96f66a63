"""`tf.train`: training utilities — optimizers, savers, checkpoints, device setters
(re-exports only)."""

from tfgraph.summary_writer import summary_iterator
from tfgraph.training.device_setter import (
    GreedyLoadBalancingStrategy,
    byte_size_load_fn,
    replica_device_setter,
)
from tfgraph.training.server_lib import ClusterSpec

__all__ = [
    "ClusterSpec",
    "GreedyLoadBalancingStrategy",
    "byte_size_load_fn",
    "replica_device_setter",
    "summary_iterator",
]
