"""`tf.random.experimental`: the stateless seed helpers (re-exports only)."""

from tfgraph.ops.stateless_random_ops import (
    Algorithm,
    create_rng_state,
    index_shuffle,
    stateless_shuffle,
)
from tfgraph.ops.stateless_random_ops import fold_in as stateless_fold_in
from tfgraph.ops.stateless_random_ops import split as stateless_split

__all__ = [
    "Algorithm",
    "create_rng_state",
    "index_shuffle",
    "stateless_fold_in",
    "stateless_shuffle",
    "stateless_split",
]
