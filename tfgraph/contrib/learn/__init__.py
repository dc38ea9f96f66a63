"""`tf.contrib.learn` (re-exports only): its `datasets` (the MNIST loader); TF's
deprecated estimators of this module are not here."""

from tfgraph.contrib.learn import datasets

__all__ = ["datasets"]
