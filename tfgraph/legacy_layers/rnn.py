"""`tf.nn.static_rnn` and `tf.nn.static_bidirectional_rnn`: a cell unrolled over a
Python list of inputs, as TF1 builds it (one `rnn` variable scope whose variables
every step shares; with `sequence_length`, each step's outputs are zero and the state
is carried through for the batch entries already past their length, chosen with
`tf.cond` and `Select` as TF does).

`static_state_saving_rnn` is `static_rnn` with its initial state read from a state
saver and its final state saved back to it.
"""

from __future__ import annotations

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, get_default_graph
from tfgraph.framework.tensor_shape import TensorShape, dimension_at_index, dimension_value
from tfgraph.legacy_layers import rnn_cell_impl
from tfgraph.ops import array_ops, control_flow_ops, math_ops
from tfgraph.variable_scope import variable_scope

__all__ = ["static_bidirectional_rnn", "static_rnn", "static_state_saving_rnn"]


def _infer_state_dtype(explicit_dtype, state):
    if explicit_dtype is not None:
        return explicit_dtype
    if nest.is_nested(state):
        inferred = [e.dtype for e in nest.flatten(state)]
        if not inferred:
            raise ValueError(f"Unable to infer dtype from empty state: {state}")
        if not all(x == inferred[0] for x in inferred):
            raise ValueError(
                f"State has tensors of different inferred_dtypes. Unable to infer a single "
                f"representative dtype. Dtypes received: {inferred}"
            )
        return inferred[0]
    return state.dtype


def _rnn_step(
    time,
    sequence_length,
    min_sequence_length,
    max_sequence_length,
    zero_output,
    state,
    call_cell,
    state_size,
):
    """One step with `sequence_length`: past the longest length, zeros and the old
    state; before the shortest, the cell's results; in between, chosen per entry."""
    flat_state = nest.flatten(state)
    flat_zero_output = nest.flatten(zero_output)
    copy_cond = time >= sequence_length

    def copy_one_through(output, new_output):
        if output.shape.ndims == 0:
            return new_output
        with get_default_graph().colocate_with(new_output):
            return array_ops.where(copy_cond, output, new_output)

    def copy_some_through(flat_new_output, flat_new_state):
        flat_new_output = [
            copy_one_through(zero, new) for zero, new in zip(flat_zero_output, flat_new_output)
        ]
        flat_new_state = [
            copy_one_through(old, new) for old, new in zip(flat_state, flat_new_state)
        ]
        return flat_new_output + flat_new_state

    def maybe_copy_some_through():
        new_output, new_state = call_cell()
        nest.assert_same_structure(zero_output, new_output)
        nest.assert_same_structure(state, new_state)
        flat_new_state = nest.flatten(new_state)
        flat_new_output = nest.flatten(new_output)
        return control_flow_ops.cond(
            time < min_sequence_length,
            lambda: flat_new_output + flat_new_state,
            lambda: copy_some_through(flat_new_output, flat_new_state),
        )

    final = control_flow_ops.cond(
        time >= max_sequence_length,
        lambda: flat_zero_output + flat_state,
        maybe_copy_some_through,
    )
    final = list(final) if isinstance(final, (list, tuple)) else [final]
    if len(final) != len(flat_zero_output) + len(flat_state):
        raise ValueError("Internal error: state and output were not concatenated correctly.")
    final_output = final[: len(flat_zero_output)]
    final_state = final[len(flat_zero_output) :]
    for output, flat_output in zip(final_output, flat_zero_output):
        output.set_shape(flat_output.shape)
    for substate, flat_substate in zip(final_state, flat_state):
        substate.set_shape(flat_substate.shape)
    return (
        nest.pack_sequence_as(zero_output, final_output),
        nest.pack_sequence_as(state, final_state),
    )


def _batch_size(inputs):
    first_input = inputs
    while nest.is_nested(first_input):
        first_input = first_input[0]
    if first_input.shape.ndims != 1:
        input_shape = first_input.shape.with_rank_at_least(2)
        fixed_batch_size = input_shape.dims[0]
        for flat_input in nest.flatten(inputs):
            input_shape = flat_input.shape.with_rank_at_least(2)
            batch_size = dimension_at_index(input_shape, 0)
            fixed_batch_size.assert_is_compatible_with(batch_size)
            for i, size in enumerate(input_shape[1:].dims):
                if dimension_value(size) is None:
                    raise ValueError(
                        f"Input size (dimension {i} of input {flat_input}) must be accessible "
                        "via shape inference, but saw value None."
                    )
    else:
        fixed_batch_size = first_input.shape.with_rank_at_least(1)[0]
    if dimension_value(fixed_batch_size):
        return fixed_batch_size, dimension_value(fixed_batch_size)
    return fixed_batch_size, array_ops.shape(first_input)[0]


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Runs `cell` over the list `inputs`; returns `(outputs, final state)`."""
    rnn_cell_impl.assert_like_rnncell("cell", cell)
    if not nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        fixed_batch_size, batch_size = _batch_size(inputs)
        if initial_state is not None:
            state = initial_state
        else:
            if not dtype:
                raise ValueError(
                    "If no initial_state is provided, argument `dtype` must be specified"
                )
            if getattr(cell, "get_initial_state", None) is not None:
                state = cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
            else:
                state = cell.zero_state(batch_size, dtype)
        if sequence_length is not None:
            sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if sequence_length.shape.ndims not in (None, 1):
                raise ValueError(
                    f"Argument `sequence_length` must be a vector of length {batch_size}. "
                    f"Received sequence_length={sequence_length}."
                )

            def create_zero_output(output_size):
                size = rnn_cell_impl._concat(batch_size, output_size)
                output = array_ops.zeros(array_ops.stack(size), _infer_state_dtype(dtype, state))
                shape = rnn_cell_impl._concat(
                    dimension_value(fixed_batch_size), output_size, static=True
                )
                output.set_shape(TensorShape(shape))
                return output

            output_size = cell.output_size
            flat_zero_output = tuple(create_zero_output(s) for s in nest.flatten(output_size))
            zero_output = nest.pack_sequence_as(output_size, flat_zero_output)
            sequence_length = array_ops.cast(sequence_length, dtypes.int32)
            min_sequence_length = math_ops.reduce_min(sequence_length)
            max_sequence_length = math_ops.reduce_max(sequence_length)
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()

            def call_cell(input_=input_, state=state):
                return cell(input_, state)

            if sequence_length is not None:
                output, state = _rnn_step(
                    time,
                    sequence_length,
                    min_sequence_length,
                    max_sequence_length,
                    zero_output,
                    state,
                    call_cell,
                    cell.state_size,
                )
            else:
                output, state = call_cell()
            outputs.append(output)
        return outputs, state


def _reverse_seq(input_seq, lengths):
    """The list reversed, or with `lengths`, each entry's first `lengths[b]` steps."""
    if lengths is None:
        return list(reversed(input_seq))
    flat_input_seq = tuple(nest.flatten(input_) for input_ in input_seq)
    flat_results: list[list] = [[] for _ in range(len(input_seq))]
    for sequence in zip(*flat_input_seq):
        input_shape = TensorShape(None)
        if sequence[0].shape.ndims is not None:
            input_shape = TensorShape([None] * sequence[0].shape.ndims)
        for input_ in sequence:
            input_shape.assert_is_compatible_with(input_.shape)
            input_.set_shape(input_shape)
        s_joined = array_ops.stack(sequence)
        s_reversed = array_ops.reverse_sequence(s_joined, lengths, 0, 1)
        result = array_ops.unstack(s_reversed)
        for r, flat_result in zip(result, flat_results):
            r.set_shape(input_shape)
            flat_result.append(r)
    return [
        nest.pack_sequence_as(input_, flat_result)
        for input_, flat_result in zip(input_seq, flat_results)
    ]


def static_bidirectional_rnn(
    cell_fw,
    cell_bw,
    inputs,
    initial_state_fw=None,
    initial_state_bw=None,
    dtype=None,
    sequence_length=None,
    scope=None,
):
    """A forward and a backward `static_rnn` (scopes `bidirectional_rnn/fw`, `/bw`);
    returns `(outputs, fw final state, bw final state)`, outputs concatenated on the
    depth axis."""
    rnn_cell_impl.assert_like_rnncell("cell_fw", cell_fw)
    rnn_cell_impl.assert_like_rnncell("cell_bw", cell_bw)
    if not nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = static_rnn(
                cell_fw, inputs, initial_state_fw, dtype, sequence_length, scope=fw_scope
            )
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, output_state_bw = static_rnn(
                cell_bw, reversed_inputs, initial_state_bw, dtype, sequence_length, scope=bw_scope
            )
    output_bw = _reverse_seq(tmp, sequence_length)
    flat_outputs = tuple(
        array_ops.concat([fw, bw], 1)
        for fw, bw in zip(nest.flatten(output_fw), nest.flatten(output_bw))
    )
    outputs = nest.pack_sequence_as(output_fw, flat_outputs)
    return outputs, output_state_fw, output_state_bw


def _saved_initial_state(cell, state_saver, state_name):
    """The initial state read from `state_saver` under `state_name` (one name per
    element of a tuple `cell.state_size`)."""
    state_size = cell.state_size
    state_is_tuple = nest.is_nested(state_size)
    if state_is_tuple != nest.is_nested(state_name):
        raise ValueError(
            "Argument `state_name` should be the same type as `cell.state_size`. Received: "
            f"state_name={state_name!s}, cell.state_size={state_size!s}."
        )
    if not state_is_tuple:
        return state_saver.state(state_name)
    names = nest.flatten(state_name)
    sizes = nest.flatten(state_size)
    if len(names) != len(sizes):
        raise ValueError(
            "Number of elements in argument `state_name` and `cell.state_size` are "
            f"mismatched. Received state_name={state_name} with {len(names)} elements and "
            f"cell.state_size={state_size} with {len(sizes)} elements."
        )
    return nest.pack_sequence_as(state_size, [state_saver.state(name) for name in names])


def static_state_saving_rnn(
    cell, inputs, state_saver, state_name, sequence_length=None, scope=None
):
    """`static_rnn` whose initial state comes from `state_saver.state(name)` and whose
    final state is handed to `state_saver.save_state(name, value)` (for truncated
    back-propagation through time); the last output and the returned state depend on
    the saves.

    Returns:
        `(outputs, state)` as `static_rnn` returns them.

    Raises:
        ValueError: if `state_name`'s structure does not match `cell.state_size`.
    """
    initial_state = _saved_initial_state(cell, state_saver, state_name)
    outputs, state = static_rnn(
        cell, inputs, initial_state=initial_state, sequence_length=sequence_length, scope=scope
    )
    if nest.is_nested(cell.state_size):
        pairs = zip(nest.flatten(state_name), nest.flatten(state))
        saves = [state_saver.save_state(name, sub) for name, sub in pairs]
    else:
        saves = [state_saver.save_state(state_name, state)]
    with control_dependencies(saves):
        last = outputs[-1]
        outputs[-1] = nest.pack_sequence_as(
            last, [array_ops.identity(o) for o in nest.flatten(last)]
        )
        if nest.is_nested(cell.state_size):
            state = nest.pack_sequence_as(
                state, [array_ops.identity(s) for s in nest.flatten(state)]
            )
        else:
            state = array_ops.identity(state)
    return outputs, state
