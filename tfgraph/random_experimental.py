"""`tf.random.experimental`: the stateless seed helpers and the Generator (re-exports only)."""

from tfgraph.ops.stateless_random_ops import (
    Algorithm,
    create_rng_state,
    index_shuffle,
    stateless_shuffle,
)
from tfgraph.ops.stateless_random_ops import fold_in as stateless_fold_in
from tfgraph.ops.stateless_random_ops import split as stateless_split
from tfgraph.random_generator import Generator, get_global_generator, set_global_generator

__all__ = [
    "Algorithm",
    "Generator",
    "create_rng_state",
    "get_global_generator",
    "index_shuffle",
    "set_global_generator",
    "stateless_fold_in",
    "stateless_shuffle",
    "stateless_split",
]
