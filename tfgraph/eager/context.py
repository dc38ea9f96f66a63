"""Whether ops run eagerly: the one switch that graph and eager code paths read.

Eager execution (TF2's default, `tf.enable_eager_execution()` in TF1) makes the bottom
of every thread's default-graph stack an `EagerGraph` (tfgraph/eager/execute.py), whose
op creation runs the op's registry kernel at once. A graph pushed on top of it
(`with tf.Graph().as_default()`, a `tf.function` being traced) builds graphs as usual,
so `executing_eagerly()` is "eager is enabled and no graph is pushed".
"""

from __future__ import annotations

import sys

from tfgraph.framework import graph as _graph

__all__ = [
    "ANONYMOUS_NAME",
    "disable_eager_execution",
    "enable_eager_execution",
    "executing_eagerly",
    "log_device_placement",
    "set_log_device_placement",
]

# The `shared_name` an eager resource op gets: every call makes a new resource (TF's value).
ANONYMOUS_NAME = "cd2c89b7-88b7-44c8-ad83-06c2a9158347"

# The device every eager tensor lives on: tfgraph has one CPU, and TF's soft placement
# runs ops asked for on a missing GPU there.
CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"

_eager_enabled = False
_log_placement = False
# TF2 behaviour: `==` on tensors is element-wise.
tensor_equality = False
# `tf.Variable` makes resource variables (TF2, `tf.enable_resource_variables()`).
resource_variables = False


def executing_eagerly() -> bool:
    """True when ops run immediately (eager mode and no graph being built)."""
    if not _eager_enabled:
        return False
    stack = _graph._default_graph_stack.stack
    return not stack or stack[-1]._executes_eagerly


def eager_enabled() -> bool:
    """True when eager execution is on for the process (graphs may still be built)."""
    return _eager_enabled


def enable_eager_execution(equality: bool | None = None) -> None:
    """Turns eager execution on for the process: ops outside any graph run at once."""
    global _eager_enabled, tensor_equality
    from tfgraph.eager.execute import EagerGraph

    if not isinstance(_graph._global_default_graph, EagerGraph):
        _graph._global_default_graph = EagerGraph()
    _eager_enabled = True
    if equality is not None:
        tensor_equality = equality


def disable_eager_execution() -> None:
    """Back to TF1 graph mode: a fresh global default graph."""
    global _eager_enabled, tensor_equality
    from tfgraph.eager.execute import EagerGraph

    if isinstance(_graph._global_default_graph, EagerGraph):
        _graph._global_default_graph = _graph.Graph()
    _eager_enabled = False
    tensor_equality = False


def set_log_device_placement(enabled: bool) -> None:
    """`tf.debugging.set_log_device_placement`: log the device of every eager op."""
    global _log_placement
    _log_placement = bool(enabled)


def log_device_placement() -> bool:
    return _log_placement


def log_placement(op_type: str, device: str) -> None:
    print(f"Executing op {op_type} in device {device}", file=sys.stderr)
