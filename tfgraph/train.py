"""`tf.train`: training utilities (re-exports only).

Device placement for distributed graphs lives here for now; optimizers, `Saver` and
friends are added as they are implemented.
"""

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
]
