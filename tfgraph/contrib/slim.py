"""`tf.contrib.slim` (re-exports only): layers, arg_scope, variables, losses."""

from tfgraph import losses
from tfgraph.contrib.framework import *
from tfgraph.contrib.layers import *
