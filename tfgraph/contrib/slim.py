"""`tf.contrib.slim` (re-exports only): layers, arg_scope, variables, losses (contrib's),
metrics (contrib's), learning, evaluation, queues."""

import tfgraph.contrib.losses as losses
import tfgraph.contrib.metrics as metrics
from tfgraph.contrib.framework import *
from tfgraph.contrib.layers import *
from tfgraph.contrib.layers import embed_sequence
from tfgraph.legacy_contrib import learning
from tfgraph.legacy_contrib import slim_evaluation as evaluation
from tfgraph.legacy_contrib import slim_queues as queues
from tfgraph.legacy_contrib.variables import (
    VariableDeviceChooser,
    assert_or_get_global_step,
    global_variable,
    local_variable,
)

del embed_sequence  # (contrib.layers' encoder only: tf-slim has none)
