"""`tf.contrib.learn.datasets` (re-exports only): `mnist`, `base`, `load_dataset`."""

from tfgraph.contrib.learn.datasets import base, mnist
from tfgraph.legacy_contrib.mnist_datasets import load_dataset

__all__ = ["base", "load_dataset", "mnist"]
