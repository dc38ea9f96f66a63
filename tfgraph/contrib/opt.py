"""`tf.contrib.opt` (re-exports only; implementation in tfgraph/legacy_contrib/contrib_opt.py)."""

from tfgraph.legacy_contrib.contrib_opt import (
    AdamWOptimizer,
    AddSignOptimizer,
    DecoupledWeightDecayExtension,
    ExternalOptimizerInterface,
    LazyAdamOptimizer,
    MomentumWOptimizer,
    MovingAverageOptimizer,
    NadamOptimizer,
    PowerSignOptimizer,
    ScipyOptimizerInterface,
    extend_with_decoupled_weight_decay,
)

__all__ = [
    "AdamWOptimizer",
    "AddSignOptimizer",
    "DecoupledWeightDecayExtension",
    "ExternalOptimizerInterface",
    "LazyAdamOptimizer",
    "MomentumWOptimizer",
    "MovingAverageOptimizer",
    "NadamOptimizer",
    "PowerSignOptimizer",
    "ScipyOptimizerInterface",
    "extend_with_decoupled_weight_decay",
]
