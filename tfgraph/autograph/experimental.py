"""`tf.autograph.experimental`."""

from tfgraph.autograph.api import Feature, do_not_convert
from tfgraph.autograph.operators import set_loop_options

__all__ = ["Feature", "do_not_convert", "set_loop_options"]
