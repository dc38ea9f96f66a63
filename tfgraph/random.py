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
from tfgraph.ops.unigram_sampler_ops import (
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
)

__all__ = [
    "all_candidate_sampler",
    "categorical",
    "fixed_unigram_candidate_sampler",
    "gamma",
    "get_seed",
    "learned_unigram_candidate_sampler",
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
