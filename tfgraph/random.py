"""`tf.random`: random tensors and seeding (re-exports only)."""

from tfgraph import random_experimental as experimental
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
from tfgraph.ops.stateless_random_ops import (
    Algorithm,
    create_rng_state,
    fold_in,
    split,
    stateless_binomial,
    stateless_categorical,
    stateless_gamma,
    stateless_multinomial,
    stateless_normal,
    stateless_parameterized_truncated_normal,
    stateless_poisson,
    stateless_truncated_normal,
    stateless_uniform,
)
from tfgraph.ops.unigram_sampler_ops import (
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
)
from tfgraph.random_generator import Generator, get_global_generator, set_global_generator

__all__ = [
    "Algorithm",
    "Generator",
    "all_candidate_sampler",
    "categorical",
    "create_rng_state",
    "experimental",
    "fixed_unigram_candidate_sampler",
    "fold_in",
    "gamma",
    "get_global_generator",
    "get_seed",
    "learned_unigram_candidate_sampler",
    "log_uniform_candidate_sampler",
    "multinomial",
    "normal",
    "poisson",
    "random_normal",
    "random_shuffle",
    "random_uniform",
    "set_global_generator",
    "set_random_seed",
    "shuffle",
    "split",
    "stateless_binomial",
    "stateless_categorical",
    "stateless_gamma",
    "stateless_multinomial",
    "stateless_normal",
    "stateless_parameterized_truncated_normal",
    "stateless_poisson",
    "stateless_truncated_normal",
    "stateless_uniform",
    "truncated_normal",
    "uniform",
    "uniform_candidate_sampler",
]
