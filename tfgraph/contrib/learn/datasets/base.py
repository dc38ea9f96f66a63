"""`tf.contrib.learn.datasets.base` (re-exports only)."""

from tfgraph.legacy_contrib.mnist_datasets import Datasets, maybe_download

__all__ = ["Datasets", "maybe_download"]
