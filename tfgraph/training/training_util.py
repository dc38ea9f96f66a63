"""The global step: `tf.train.get_or_create_global_step` and friends.

The variable is built as TensorFlow builds it: an int64 scalar named `global_step`,
zero-initialized by `global_step/Initializer/zeros`, not trainable, aggregation
ONLY_FIRST_REPLICA, in the GLOBAL_VARIABLES and GLOBAL_STEP collections (through
`tf.get_variable` when tfgraph has it, so the variable store knows it).
"""

from __future__ import annotations

import importlib
import logging

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.ops import Tensor

__all__ = [
    "assert_global_step",
    "create_global_step",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
]

_log = logging.getLogger("tfgraph")


def global_step(sess, global_step_tensor) -> int:
    """The current value of `global_step_tensor` (a tensor, variable or name) in `sess`."""
    if isinstance(global_step_tensor, str):
        global_step_tensor = sess.graph.as_graph_element(global_step_tensor)
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor) -> None:
    """Raises TypeError unless `global_step_tensor` is an integer scalar variable/tensor."""
    from tfgraph.variables import Variable

    if not (
        isinstance(global_step_tensor, (Variable, Tensor))
        or hasattr(global_step_tensor, "_as_graph_element")
    ):
        raise TypeError(
            f'Existing "global_step" must be a Variable or Tensor: {global_step_tensor}.'
        )
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(
            f'Existing "global_step" does not have integer type: {global_step_tensor.dtype}'
        )
    shape = global_step_tensor.shape
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')


def get_global_step(graph=None):
    """The global step variable of `graph` (collection GLOBAL_STEP, else the tensor
    `global_step:0`), or None."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        step = found[0]
    elif not found:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
    else:
        _log.error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(step)
    return step


def _make_global_step():
    from tfgraph.variables import Variable, VariableAggregation

    collections = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP]
    try:
        vs = importlib.import_module("tfgraph.variable_scope")
        init_ops = importlib.import_module("tfgraph.ops.init_ops")
    except ImportError:
        vs = None
    if vs is not None and hasattr(vs, "get_variable"):
        return vs.get_variable(
            GraphKeys.GLOBAL_STEP,
            shape=[],
            dtype=dtypes.int64,
            initializer=init_ops.zeros_initializer(),
            trainable=False,
            aggregation=VariableAggregation.ONLY_FIRST_REPLICA,
            collections=collections,
        )
    from tfgraph.ops import array_ops

    return Variable(
        lambda: array_ops.zeros([], dtypes.int64, name="zeros"),
        name=GraphKeys.GLOBAL_STEP,
        trainable=False,
        collections=collections,
        aggregation=VariableAggregation.ONLY_FIRST_REPLICA,
    )


def create_global_step(graph=None):
    """Creates the global step variable in `graph`.

    Raises:
        ValueError: if the graph already has one.
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return _make_global_step()


def get_or_create_global_step(graph=None):
    """The global step variable of `graph`, created if needed."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step
