"""`tf.contrib.stateless` (TF 1.15; re-exports only): the stateless random ops under
their TF 1.x names."""

from tfgraph.ops.stateless_random_ops import stateless_multinomial, stateless_truncated_normal
from tfgraph.ops.stateless_random_ops import stateless_normal as stateless_random_normal
from tfgraph.ops.stateless_random_ops import stateless_uniform as stateless_random_uniform

__all__ = [
    "stateless_multinomial",
    "stateless_random_normal",
    "stateless_random_uniform",
    "stateless_truncated_normal",
]
