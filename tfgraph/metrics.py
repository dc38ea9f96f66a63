"""`tf.metrics`: streaming metrics (re-exports only)."""

from tfgraph.metrics_impl import accuracy, mean

__all__ = ["accuracy", "mean"]
