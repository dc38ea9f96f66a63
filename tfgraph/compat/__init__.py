"""`tf.compat`: `tf.compat.v1` is tfgraph itself (tfgraph implements the TF1 API)."""

from tfgraph.compat import v1
