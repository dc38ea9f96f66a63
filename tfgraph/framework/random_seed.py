"""Graph-level and op-level random seeds, combined the way TensorFlow combines them.

`set_random_seed(s)` stores `s` as the default graph's seed. `get_seed(op_seed)` gives
the `(seed, seed2)` attrs of a random op:

* graph seed set, op seed None: `(graph_seed, n)` where `n` counts the seeds handed
  out in this graph so far (0, 1, 2, ...), so reruns of one script are reproducible;
* graph seed set, op seed given: `(graph_seed, op_seed)`;
* only the op seed given: `(DEFAULT_GRAPH_SEED, op_seed)`;
* neither: `(None, None)` (the op is nondeterministic), or, once
  `tf.config.experimental.enable_op_determinism()` was called, TF's RuntimeError.

Seeds are reduced modulo 2**31 - 1, and `(0, 0)` becomes `(0, 2**31 - 1)` because a
kernel treats `seed == seed2 == 0` as "no seed".
"""

from __future__ import annotations

import random
import weakref

from tfgraph.framework.graph import get_default_graph

__all__ = ["DEFAULT_GRAPH_SEED", "enable_op_determinism", "get_seed", "set_random_seed"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1

# How many op seeds each graph has derived from its graph seed.
_op_seed_counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Eager graphs seeded by tf.random.set_seed: the generator of their op seeds (TF's
# context.internal_operation_seed).
_eager_op_seeds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _truncate_seed(seed: int) -> int:
    return int(seed) % _MAXINT32


# A function replacing `get_seed` while set (keras.utils.DeterministicRandomTestTool).
_override: list = []

# Set for good by tf.config.experimental.enable_op_determinism (as in TF, no way back).
_op_determinism = [False]


def enable_op_determinism() -> None:
    """From now on a random op made without any seed raises TF's RuntimeError (tfgraph's
    kernels already give the same bits every run for a given thread count)."""
    _op_determinism[0] = True


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """The `(seed, seed2)` pair a random op should use (see the module docstring)."""
    if _override:
        return _override[-1](op_seed)
    g = get_default_graph()
    global_seed = g.seed
    if global_seed is not None:
        if op_seed is None and g in _eager_op_seeds:
            op_seed = _eager_op_seeds[g].randint(0, _MAXINT32)
        elif op_seed is None:
            op_seed = _op_seed_counters.get(g, 0)
            _op_seed_counters[g] = op_seed + 1
        seeds = (_truncate_seed(global_seed), _truncate_seed(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate_seed(op_seed))
    elif _op_determinism[0]:
        raise RuntimeError(
            "Random ops require a seed to be set when determinism is enabled. Please set a "
            "seed before running the op, e.g. by calling tf.random.set_seed(1)."
        )
    else:
        return (None, None)
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds


def set_random_seed(seed: int | None) -> None:
    """Sets the graph-level random seed of the default graph (TF1 `tf.set_random_seed`).

    Random ops created afterwards without their own seed get reproducible seeds derived
    from it; sessions running the graph then produce the same sequences each time.
    """
    get_default_graph().seed = seed


def set_seed(seed: int | None) -> None:
    """TF2's `tf.random.set_seed`: sets the global seed and restarts the sequence of op
    seeds drawn from it, so random ops called after each call repeat the same values.
    Eagerly, as TF, op seeds come from `random.Random(seed)` and the random ops' kernels
    (with their positions in their streams) are dropped."""
    g = get_default_graph()
    g.seed = seed
    _op_seed_counters.pop(g, None)
    if g._executes_eagerly:
        from tfgraph.eager.execute import clear_kernel_cache

        _eager_op_seeds[g] = random.Random(seed)
        clear_kernel_cache()
