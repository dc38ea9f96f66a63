"""`tf.estimator.inputs` (TF 1.x): numpy_input_fn and pandas_input_fn."""

from tfgraph.estimator.inputs.numpy_io import numpy_input_fn
from tfgraph.estimator.inputs.pandas_io import pandas_input_fn

__all__ = ["numpy_input_fn", "pandas_input_fn"]
