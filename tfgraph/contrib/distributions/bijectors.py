"""`tf.contrib.distributions.bijectors` (TF 1.15; re-exports only)."""

from tfgraph.ops.distributions_bijectors import (
    Affine,
    AffineScalar,
    Bijector,
    Chain,
    Exp,
    Identity,
    Invert,
    Sigmoid,
    Softplus,
)

__all__ = [
    "Affine",
    "AffineScalar",
    "Bijector",
    "Chain",
    "Exp",
    "Identity",
    "Invert",
    "Sigmoid",
    "Softplus",
]
