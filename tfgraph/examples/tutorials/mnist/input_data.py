"""`tensorflow.examples.tutorials.mnist.input_data` (re-exports only): the tutorials'
`read_data_sets("MNIST_data/", one_hot=True)`."""

from tfgraph.legacy_contrib.mnist_datasets import read_data_sets

__all__ = ["read_data_sets"]
