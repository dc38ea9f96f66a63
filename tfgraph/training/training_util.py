"""The global step: the int64 scalar variable `global_step` counting training steps.

`create_global_step` makes it with `get_variable` at the graph's root name scope
(initializer `global_step/Initializer/zeros`, collections GLOBAL_VARIABLES and
GLOBAL_STEP, not trainable, aggregation ONLY_FIRST_REPLICA), as TensorFlow does.
"""

from __future__ import annotations

import contextlib
import logging

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.ops import control_flow_ops, init_ops, state_ops
from tfgraph.variables import Variable, VariableAggregation

__all__ = [
    "assert_global_step",
    "create_global_step",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
]

GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"


def global_step(sess, global_step_tensor) -> int:
    """The value of `global_step_tensor` (a tensor, variable or name) in `sess`, as a
    Python int."""
    if isinstance(global_step_tensor, str):
        global_step_tensor = sess.graph.as_graph_element(global_step_tensor)
    return int(sess.run(global_step_tensor))


def get_global_step(graph=None):
    """The global step of `graph` (default graph): the single item of the GLOBAL_STEP
    collection, else the tensor `global_step:0`; None if there is none.

    Raises:
        TypeError: if the global step is not an integer scalar Variable or Tensor.
    """
    graph = graph or get_default_graph()
    tensors = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(tensors) == 1:
        step = tensors[0]
    elif not tensors:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
    else:
        logging.getLogger("tfgraph").error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(step)
    return step


def create_global_step(graph=None):
    """Creates the global step variable in `graph` (default graph).

    Raises:
        ValueError: if the graph already has one.
    """
    from tfgraph.variable_scope import get_variable

    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default() as g, g.name_scope(None):
        return get_variable(
            GraphKeys.GLOBAL_STEP,
            shape=[],
            dtype=dtypes.int64,
            initializer=init_ops.zeros_initializer(),
            trainable=False,
            aggregation=VariableAggregation.ONLY_FIRST_REPLICA,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
        )


def get_or_create_global_step(graph=None):
    """The global step of `graph` (default graph), created if it has none."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step


def assert_global_step(global_step_tensor) -> None:
    """Checks that `global_step_tensor` is an integer scalar Variable or Tensor.

    Raises:
        TypeError: if it is not.
    """
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
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')


def _get_global_step_read(graph=None):
    graph = graph or get_default_graph()
    tensors = graph.get_collection(GLOBAL_STEP_READ_KEY)
    if len(tensors) > 1:
        raise RuntimeError(
            f"There are multiple items in collection {GLOBAL_STEP_READ_KEY}. There should be "
            "only one."
        )
    return tensors[0] if tensors else None


def _get_or_create_global_step_read(graph=None):
    """A tensor reading the global step once per run (cached in a collection)."""
    graph = graph or get_default_graph()
    read = _get_global_step_read(graph)
    if read is not None:
        return read
    step = get_global_step(graph)
    if step is None:
        return None
    # On a cluster, with the step on a ps task, the read is a plain read placed with the
    # step: tfgraph runs no cond across tasks (docs/distributed.md), and a worker's hooks
    # run once the chief has initialized the step. (TF's executor runs the cond with its
    # RefSwitch on the ps and the rest on the worker.)
    on_task = "/job:" in (step.device or "")
    with graph.as_default() as g, g.name_scope(None):
        placed = g.colocate_with(step.op) if on_task else contextlib.nullcontext()
        with g.name_scope(step.op.name + "/"), placed:
            if isinstance(step, Variable) and on_task:
                value = step.read_value()
            elif isinstance(step, Variable):
                value = control_flow_ops.cond(
                    state_ops.is_variable_initialized(step),
                    step.read_value,
                    lambda: step.initial_value,
                )
            else:
                value = step
            read = value + 0
            g.add_to_collection(GLOBAL_STEP_READ_KEY, read)
    return _get_global_step_read(graph)


def _increment_global_step(increment, graph=None):
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        raise ValueError(
            "Global step tensor should be created by tf.train.get_or_create_global_step before "
            "calling increment."
        )
    read = _get_or_create_global_step_read(graph)
    with graph.as_default() as g, g.name_scope(None):
        with g.name_scope(step.op.name + "/"):
            with g.control_dependencies([read]):
                return state_ops.assign_add(step, increment)
