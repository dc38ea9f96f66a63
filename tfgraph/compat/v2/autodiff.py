"""`tf.autodiff` (TF2 only; re-exports only): GradientTape."""

from tfgraph.eager.tape import GradientTape
