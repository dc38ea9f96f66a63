"""`tf.random`: random tensors and seeding (re-exports only)."""

from tfgraph.framework.random_seed import get_seed, set_random_seed
from tfgraph.ops.candidate_sampling_ops import (
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from tfgraph.ops.random_ops import (
    categorical,
    multinomial,
    normal,
    random_normal,
    random_shuffle,
    random_uniform,
    shuffle,
    truncated_normal,
    uniform,
)
from tfgraph.ops.random_ops import random_gamma as gamma
from tfgraph.ops.random_ops import random_poisson as poisson

__all__ = [
    "categorical",
    "gamma",
    "get_seed",
    "log_uniform_candidate_sampler",
    "multinomial",
    "normal",
    "poisson",
    "random_normal",
    "random_shuffle",
    "random_uniform",
    "set_random_seed",
    "shuffle",
    "truncated_normal",
    "uniform",
    "uniform_candidate_sampler",
]
