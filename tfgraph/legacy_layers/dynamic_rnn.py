"""`tf.nn.dynamic_rnn` and `tf.nn.bidirectional_dynamic_rnn` as TF1 builds them: the
inputs made time-major and unstacked into TensorArrays, a `while_loop` over the time
steps (`rnn/while/...`) calling the cell and writing each output into a TensorArray,
the outputs stacked (and made batch-major again) after the loop. Variable names are
the cell's under `rnn/` (`rnn/basic_lstm_cell/kernel`), as with `static_rnn`, so
checkpoints interchange with TF."""

from __future__ import annotations

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, get_default_graph, name_scope
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.legacy_layers import rnn_cell_impl
from tfgraph.legacy_layers.rnn import _infer_state_dtype
from tfgraph.ops import array_ops, check_ops, math_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_loop import while_loop
from tfgraph.variable_scope import variable_scope

__all__ = ["bidirectional_dynamic_rnn", "dynamic_rnn"]


def _transpose_batch_time(x):
    """x with its first two dimensions swapped (static shape kept)."""
    static = x.get_shape()
    if static.ndims is not None and static.ndims < 2:
        return x
    rank = array_ops.rank(x)
    x_t = array_ops.transpose(x, array_ops.concat(([1, 0], math_ops.range(2, rank)), axis=0))
    if static.ndims is not None:
        x_t.set_shape(TensorShape([static.dims[1], static.dims[0]]).concatenate(static[2:]))
    else:
        x_t.set_shape(TensorShape(None))
    return x_t


def _best_effort_input_batch_size(flat_input):
    """The static batch size of time-major inputs, else a tensor."""
    for input_ in flat_input:
        shape = input_.shape
        if shape.ndims is None:
            continue
        if shape.ndims < 2:
            raise ValueError(
                f"Input tensor should have rank >= 2. Received input={input_} of rank {shape.ndims}"
            )
        batch_size = shape.as_list()[1]
        if batch_size is not None:
            return batch_size
    return array_ops.shape(flat_input[0])[1]


def dynamic_rnn(
    cell,
    inputs,
    sequence_length=None,
    initial_state=None,
    dtype=None,
    parallel_iterations=None,
    swap_memory=False,
    time_major=False,
    scope=None,
):
    """Runs `cell` over the time steps of `inputs` ([batch, time, ...], or
    [time, batch, ...] with `time_major`) in a while loop; returns `(outputs, state)`.
    With `sequence_length`, outputs past an entry's length are zeros and its state is
    copied through."""
    rnn_cell_impl.assert_like_rnncell("cell", cell)
    with variable_scope(scope or "rnn"):
        flat_input = nest.flatten(inputs)
        if not time_major:
            flat_input = [convert_to_tensor(x) for x in flat_input]
            flat_input = tuple(_transpose_batch_time(x) for x in flat_input)
        parallel_iterations = parallel_iterations or 32
        if sequence_length is not None:
            sequence_length = array_ops.cast(sequence_length, dtypes.int32)
            if sequence_length.get_shape().ndims not in (None, 1):
                raise ValueError(
                    "Argument sequence_length must be a vector of length batch_size. "
                    f"Received sequence_length={sequence_length} of shape: "
                    f"{sequence_length.get_shape()}"
                )
            sequence_length = array_ops.identity(sequence_length, name="sequence_length")
        batch_size = _best_effort_input_batch_size(flat_input)
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
            x_shape = array_ops.shape(sequence_length)
            packed_shape = array_ops.stack([batch_size])
            check = check_ops.Assert(
                math_ops.reduce_all(math_ops.equal(x_shape, packed_shape)),
                [
                    f"Expected shape for Tensor {sequence_length.name} is ",
                    packed_shape,
                    " but saw shape: ",
                    x_shape,
                ],
            )
            with control_dependencies([check]):
                sequence_length = array_ops.identity(sequence_length, name="CheckSeqLen")
        inputs = nest.pack_sequence_as(inputs, list(flat_input))
        outputs, final_state = _dynamic_rnn_loop(
            cell,
            inputs,
            state,
            parallel_iterations=parallel_iterations,
            swap_memory=swap_memory,
            sequence_length=sequence_length,
            dtype=dtype,
        )
        if not time_major:
            outputs = nest.map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def _dynamic_rnn_loop(
    cell, inputs, initial_state, parallel_iterations, swap_memory, sequence_length, dtype
):
    state = initial_state
    flat_input = nest.flatten(inputs)
    flat_output_size = nest.flatten(cell.output_size)
    input_shape = array_ops.shape(flat_input[0])
    time_steps = input_shape[0]
    batch_size = _best_effort_input_batch_size(flat_input)
    got_shapes = tuple(x.get_shape().with_rank_at_least(3) for x in flat_input)
    const_time_steps, const_batch_size = got_shapes[0].as_list()[:2]
    for i, shape in enumerate(got_shapes):
        if not shape[2:].is_fully_defined():
            raise ValueError(
                "Input size (depth of inputs) must be accessible via shape inference, but "
                f"saw value None for input={flat_input[i]}."
            )
        if const_time_steps != shape.as_list()[0]:
            raise ValueError(
                "Time steps is not the same for all the elements in the input in a batch. "
                f"Received time steps={shape.as_list()[0]} for input={flat_input[i]}."
            )
        if const_batch_size != shape.as_list()[1]:
            raise ValueError(
                "Batch_size is not the same for all the elements in the input. Received "
                f"batch size={shape.as_list()[1]} for input={flat_input[i]}."
            )
    state_dtype = _infer_state_dtype(dtype, state)

    def create_zero_arrays(size):
        size = rnn_cell_impl._concat(batch_size, size)
        return array_ops.zeros(array_ops.stack(size), state_dtype)

    flat_zero_output = tuple(create_zero_arrays(output) for output in flat_output_size)
    zero_output = nest.pack_sequence_as(cell.output_size, list(flat_zero_output))
    if sequence_length is not None:
        math_ops.reduce_min(sequence_length)  # (TF makes it; skipped conditionals leave it)
        max_sequence_length = math_ops.reduce_max(sequence_length)
    else:
        max_sequence_length = time_steps
    time = array_ops.constant(0, dtype=dtypes.int32, name="time")
    with name_scope("dynamic_rnn") as base_name:
        pass

    def create_ta(name, element_shape, dtype):
        return TensorArray(
            dtype=dtype,
            size=time_steps,
            element_shape=element_shape,
            tensor_array_name=base_name + name,
        )

    output_ta = tuple(
        create_ta(
            f"output_{i}",
            element_shape=TensorShape([const_batch_size]).concatenate(
                TensorShape([out_size] if isinstance(out_size, int) else out_size)
            ),
            dtype=state_dtype,
        )
        for i, out_size in enumerate(flat_output_size)
    )
    input_ta = tuple(
        create_ta(f"input_{i}", element_shape=x.shape[1:], dtype=x.dtype)
        for i, x in enumerate(flat_input)
    )
    input_ta = tuple(ta.unstack(x) for ta, x in zip(input_ta, flat_input))

    def time_step(time, output_ta_t, state):
        input_t = tuple(ta.read(time) for ta in input_ta)
        for input_, shape in zip(input_t, got_shapes):
            input_.set_shape(shape[1:])
        input_t = nest.pack_sequence_as(inputs, list(input_t))

        def call_cell():
            return cell(input_t, state)

        if sequence_length is not None:
            output, new_state = _rnn_step_skipping_conditionals(
                time, sequence_length, zero_output, state, call_cell
            )
        else:
            output, new_state = call_cell()
        output = nest.flatten(output)
        output_ta_t = tuple(ta.write(time, out) for ta, out in zip(output_ta_t, output))
        return (time + 1, output_ta_t, new_state)

    loop_bound = math_ops.minimum(time_steps, math_ops.maximum(1, max_sequence_length))
    _, output_final_ta, final_state = while_loop(
        cond=lambda time, *_: time < loop_bound,
        body=time_step,
        loop_vars=(time, output_ta, state),
        parallel_iterations=parallel_iterations,
        maximum_iterations=time_steps,
        swap_memory=swap_memory,
    )
    final_outputs = tuple(ta.stack() for ta in output_final_ta)
    for output, output_size in zip(final_outputs, flat_output_size):
        shape = rnn_cell_impl._concat(
            [const_time_steps, const_batch_size], output_size, static=True
        )
        output.set_shape(TensorShape(shape))
    final_outputs = nest.pack_sequence_as(cell.output_size, list(final_outputs))
    return final_outputs, final_state


def _rnn_step_skipping_conditionals(time, sequence_length, zero_output, state, call_cell):
    """One step with `sequence_length` inside a loop (TF's `_rnn_step` with
    `skip_conditionals`): every entry computed, the finished ones' outputs zeroed and
    states copied through."""
    flat_state = nest.flatten(state)
    flat_zero_output = nest.flatten(zero_output)
    copy_cond = time >= sequence_length

    def copy_one_through(output, new_output):
        if output.shape.ndims == 0:
            return new_output
        with get_default_graph().colocate_with(new_output._op):
            return array_ops.where(copy_cond, output, new_output)

    new_output, new_state = call_cell()
    nest.assert_same_structure(zero_output, new_output)
    nest.assert_same_structure(state, new_state)
    flat_new_state = nest.flatten(new_state)
    flat_new_output = nest.flatten(new_output)
    final_output = [copy_one_through(z, n) for z, n in zip(flat_zero_output, flat_new_output)]
    final_state = [copy_one_through(s, n) for s, n in zip(flat_state, flat_new_state)]
    for output, zero in zip(final_output, flat_zero_output):
        output.set_shape(zero.get_shape())
    for substate, old in zip(final_state, flat_state):
        substate.set_shape(old.get_shape())
    return (
        nest.pack_sequence_as(zero_output, final_output),
        nest.pack_sequence_as(state, final_state),
    )


def bidirectional_dynamic_rnn(
    cell_fw,
    cell_bw,
    inputs,
    sequence_length=None,
    initial_state_fw=None,
    initial_state_bw=None,
    dtype=None,
    parallel_iterations=None,
    swap_memory=False,
    time_major=False,
    scope=None,
):
    """A forward and a backward `dynamic_rnn` over `inputs` (the backward one on the
    inputs reversed within each sequence's length); returns `((output_fw, output_bw),
    (state_fw, state_bw))`."""
    rnn_cell_impl.assert_like_rnncell("cell_fw", cell_fw)
    rnn_cell_impl.assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reverse(input_):
        if sequence_length is not None:
            return array_ops.reverse_sequence(
                input=input_,
                seq_lengths=sequence_length,
                seq_axis=time_axis,
                batch_axis=batch_axis,
            )
        return array_ops.reverse(input_, axis=[time_axis])

    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(
                cell=cell_fw,
                inputs=inputs,
                sequence_length=sequence_length,
                initial_state=initial_state_fw,
                dtype=dtype,
                parallel_iterations=parallel_iterations,
                swap_memory=swap_memory,
                time_major=time_major,
                scope=fw_scope,
            )
        with variable_scope("bw") as bw_scope:
            inputs_reverse = nest.map_structure(reverse, inputs)
            tmp, state_bw = dynamic_rnn(
                cell=cell_bw,
                inputs=inputs_reverse,
                sequence_length=sequence_length,
                initial_state=initial_state_bw,
                dtype=dtype,
                parallel_iterations=parallel_iterations,
                swap_memory=swap_memory,
                time_major=time_major,
                scope=bw_scope,
            )
    output_bw = reverse(tmp)
    return (output_fw, output_bw), (state_fw, state_bw)
