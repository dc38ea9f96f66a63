"""`tf.autograph`: Python control flow on tensors as TF1 graph control flow."""

from tfgraph.autograph import experimental
from tfgraph.autograph.api import set_verbosity, to_code, to_graph, trace

__all__ = ["experimental", "set_verbosity", "to_code", "to_graph", "trace"]
