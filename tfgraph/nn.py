"""`tf.nn`: neural-network functions (re-exports only)."""

from tfgraph.ops.conv_ops import *
from tfgraph.ops.nn_ops import *
