"""`tf.contrib.slim` (re-exports only): layers, arg_scope, variables, losses, learning."""

from tfgraph import losses
from tfgraph.contrib.framework import *
from tfgraph.contrib.layers import *
from tfgraph.legacy_contrib import learning
