"""`tf.nn.raw_rnn`: an RNN driven by a user `loop_fn` inside one `tf.while_loop`, as TF1
builds it. `loop_fn(time, cell_output, cell_state, loop_state)` returns `(finished,
next_input, next_cell_state, emit_output, next_loop_state)`; it is called once before
the loop (with `cell_output=None`) for the initial input and state, then after each cell
call. Emits go into dynamically sized TensorArrays (`rnn/rnn_output_<i>`); entries that
have finished emit zeros and keep their state."""

from __future__ import annotations

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, dimension_at_index, dimension_value
from tfgraph.legacy_layers import rnn_cell_impl
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_loop import while_loop
from tfgraph.variable_scope import variable_scope

__all__ = ["raw_rnn"]


def _static_shape(size):
    """`size` (a shape, or a shape-valued Tensor) as a TensorShape."""
    if isinstance(size, Tensor):
        value = common_shapes.constant_value(size)
        return TensorShape(None if value is None else [int(v) for v in value])
    return TensorShape(size)


def _batch_size(flat_input):
    shapes = [x.get_shape() for x in flat_input]
    static = dimension_at_index(shapes[0], 0)
    for shape in shapes:
        static.assert_is_compatible_with(dimension_at_index(shape, 0))
    const = dimension_value(static)
    return const, (const if const is not None else array_ops.shape(flat_input[0])[0])


def _emit_arrays(emit_structure, cell, flat_state, const_batch, batch_size):
    """The emit TensorArrays and the zero emits (finished entries' output)."""
    if emit_structure is not None:
        flat = nest.flatten(emit_structure)
        sizes = [e.shape if e.shape.is_fully_defined() else array_ops.shape(e) for e in flat]
        types = [e.dtype for e in flat]
    else:
        emit_structure = cell.output_size
        sizes = nest.flatten(emit_structure)
        types = [flat_state[0].dtype] * len(sizes)
    arrays = [
        TensorArray(
            dtype=dtype,
            dynamic_size=True,
            element_shape=TensorShape([const_batch]).concatenate(_static_shape(size)),
            size=0,
            name=f"rnn_output_{i}",
        )
        for i, (dtype, size) in enumerate(zip(types, sizes))
    ]
    zeros = [
        array_ops.zeros(rnn_cell_impl._concat(batch_size, size), dtype)
        for size, dtype in zip(sizes, types)
    ]
    return (
        nest.pack_sequence_as(emit_structure, arrays),
        nest.pack_sequence_as(emit_structure, zeros),
    )


def _copy_some_through(finished, current, candidate):
    """`candidate`, except where `finished`: there `current` (TensorArrays and scalars
    pass through)."""

    def copy(cur, cand):
        if isinstance(cur, TensorArray) or cur.shape.ndims == 0:
            return cand
        with get_default_graph().colocate_with(cand.op):
            return array_ops.where(finished, cur, cand)

    return nest.map_structure(copy, current, candidate)


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """Runs `cell` in a while loop driven by `loop_fn` (see the module docstring).

    Returns:
        `(emit_ta, final_state, final_loop_state)`: TensorArrays of the emits (the
        structure of `cell.output_size`, or of the first `emit_output` when `loop_fn`
        gave one), the cell's final state, and the final loop state (None if `loop_fn`
        gave none at time 0).

    Raises:
        TypeError: if `cell` is not an RNN cell or `loop_fn` is not callable.
    """
    rnn_cell_impl.assert_like_rnncell("cell", cell)
    if not callable(loop_fn):
        raise TypeError(f"Argument `loop_fn` must be a callable. Received: {loop_fn}.")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = constant(0, dtype=dtypes.int32)
        finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(
            time, None, None, None
        )
        flat_input = nest.flatten(next_input)
        loop_state = (
            init_loop_state if init_loop_state is not None else constant(0, dtype=dtypes.int32)
        )
        const_batch, batch_size = _batch_size(flat_input)
        nest.assert_same_structure(initial_state, cell.state_size)
        flat_state = [convert_to_tensor(s) for s in nest.flatten(initial_state)]
        state = nest.pack_sequence_as(initial_state, flat_state)
        emit_ta, zero_emit = _emit_arrays(emit_structure, cell, flat_state, const_batch, batch_size)

        def condition(unused_time, elements_finished, *_):
            return math_ops.logical_not(math_ops.reduce_all(elements_finished))

        def body(time, elements_finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state
            )
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(current_input, next_input)
            nest.assert_same_structure(emit_ta, emit)
            loop_state = loop_state if next_loop_state is None else next_loop_state
            emit = _copy_some_through(elements_finished, zero_emit, emit)
            next_state = _copy_some_through(elements_finished, state, next_state)
            emit_ta = nest.map_structure(lambda ta, e: ta.write(time, e), emit_ta, emit)
            elements_finished = math_ops.logical_or(elements_finished, next_finished)
            return (next_time, elements_finished, next_input, emit_ta, next_state, loop_state)

        returned = while_loop(
            condition,
            body,
            loop_vars=[time, finished, next_input, emit_ta, state, loop_state],
            parallel_iterations=parallel_iterations,
            swap_memory=swap_memory,
        )
        emit_ta, final_state, final_loop_state = returned[-3:]
        if init_loop_state is None:
            final_loop_state = None
        return emit_ta, final_state, final_loop_state
