"""`tf.train`: training utilities — optimizers, savers, checkpoints, device setters
(re-exports only)."""

from tfgraph.summary_writer import summary_iterator  # noqa: F401
from tfgraph.training.device_setter import (
    GreedyLoadBalancingStrategy,
    byte_size_load_fn,
    replica_device_setter,
)
from tfgraph.training.server_lib import ClusterSpec

__all__ = [
    "summary_iterator",
    "ClusterSpec",
    "GreedyLoadBalancingStrategy",
    "byte_size_load_fn",
    "replica_device_setter",
]

# -- optimizers, learning-rate schedules, global step ------------------------------------------
from tfgraph.training.adadelta import AdadeltaOptimizer
from tfgraph.training.adagrad import AdagradOptimizer
from tfgraph.training.adam import AdamOptimizer
from tfgraph.training.ftrl import FtrlOptimizer
from tfgraph.training.gradient_descent import GradientDescentOptimizer
from tfgraph.training.learning_rate_decay import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    noisy_linear_cosine_decay,
    piecewise_constant,
    piecewise_constant_decay,
    polynomial_decay,
)
from tfgraph.training.momentum import MomentumOptimizer
from tfgraph.training.optimizer import Optimizer
from tfgraph.training.proximal_gradient_descent import (
    ProximalAdagradOptimizer,
    ProximalGradientDescentOptimizer,
)
from tfgraph.training.rmsprop import RMSPropOptimizer
from tfgraph.training.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)

__all__ += [
    "AdadeltaOptimizer",
    "AdagradOptimizer",
    "AdamOptimizer",
    "FtrlOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "Optimizer",
    "ProximalAdagradOptimizer",
    "ProximalGradientDescentOptimizer",
    "RMSPropOptimizer",
    "assert_global_step",
    "cosine_decay",
    "cosine_decay_restarts",
    "create_global_step",
    "exponential_decay",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
    "inverse_time_decay",
    "linear_cosine_decay",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
]
