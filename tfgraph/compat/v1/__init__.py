"""`import tfgraph.compat.v1 as tf`: the same TF1 API as `import tfgraph as tf`."""

import sys as _sys

import tfgraph as _tfgraph
from tfgraph.platform.tf_logging import get_logger
from tfgraph.platform.v2_toggles import (
    control_flow_v2_enabled,
    disable_control_flow_v2,
    disable_eager_execution,
    disable_resource_variables,
    disable_tensor_equality,
    disable_v2_behavior,
    disable_v2_tensorshape,
    enable_control_flow_v2,
    enable_eager_execution,
    enable_resource_variables,
    enable_tensor_equality,
    enable_v2_behavior,
    enable_v2_tensorshape,
    executing_eagerly,
    executing_eagerly_outside_functions,
    resource_variables_enabled,
)

_self = _sys.modules[__name__]
for _name in dir(_tfgraph):
    if not _name.startswith("__") and _name not in ("compat",):
        setattr(_self, _name, getattr(_tfgraph, _name))
compat = _sys.modules["tfgraph.compat"]


def __getattr__(name):
    # Names tfgraph builds on first use (protos, tf.flags, tf.app) and its message for
    # names it does not implement.
    return getattr(_tfgraph, name)
