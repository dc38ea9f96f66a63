"""`tf.keras.backend.rnn` and the CTC functions of `tf.keras.backend` (Keras 2)."""

from __future__ import annotations

from tfgraph.framework import dtypes, nest
from tfgraph.keras import backend as _K
from tfgraph.ops import array_ops, math_ops

__all__ = ["ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse", "rnn"]


def _swap_batch_timestep(x):
    axes = list(range(x.shape.ndims))
    axes[0], axes[1] = 1, 0
    return array_ops.transpose(x, axes)


def _expand_mask(mask_t, input_t, fixed_dim=1):
    """`mask_t` broadcast (by tiling) to the shape of `input_t`."""
    for _ in range(input_t.shape.ndims - mask_t.shape.ndims):
        mask_t = array_ops.expand_dims(mask_t, -1)
    multiples = [1] * fixed_dim + input_t.shape.as_list()[fixed_dim:]
    return array_ops.tile(mask_t, multiples)


def _unrolled(step_function, inputs, initial_states, go_backwards, mask, constants):
    """The Python-unrolled loop: (last_output, stacked outputs, last states)."""
    flat = nest.flatten(inputs)
    time_steps = flat[0].shape[0]
    if not time_steps:
        raise ValueError("Unrolling requires a fixed number of timesteps.")
    per_input = [array_ops.unstack(t) for t in flat]
    if go_backwards:
        per_input = [list(reversed(ts)) for ts in per_input]
    mask_list = None
    if mask is not None:
        mask_list = array_ops.unstack(mask)
        if go_backwards:
            mask_list.reverse()
    states = tuple(initial_states)
    outputs: list = []
    for i in range(time_steps):
        inp = nest.pack_sequence_as(inputs, [ts[i] for ts in per_input])
        output, new_states = step_function(inp, tuple(states) + tuple(constants))
        if mask_list is not None:
            mask_t = mask_list[i]
            prev = outputs[-1] if outputs else array_ops.zeros_like(output)
            output = array_ops.where_v2(_expand_mask(mask_t, output), output, prev)
            flat_states = nest.flatten(states)
            final = tuple(
                array_ops.where_v2(_expand_mask(mask_t, s), ns, s)
                for s, ns in zip(flat_states, nest.flatten(new_states), strict=True)
            )
            new_states = nest.pack_sequence_as(states, final)
        states = new_states
        outputs.append(output)
    return outputs[-1], array_ops.stack(outputs), states, mask_list


def _masked(mask_t, flat_out, flat_fallback, fixed_dim):
    return tuple(
        array_ops.where_v2(_expand_mask(mask_t, o, fixed_dim=fixed_dim), o, f)
        for o, f in zip(flat_out, flat_fallback, strict=True)
    )


def _input_length_mask(input_length, go_backwards):
    if go_backwards:
        max_len = math_ops.reduce_max(input_length, axis=0)
        reverse_length = math_ops.subtract(max_len - 1, input_length)
        return lambda time: math_ops.less(reverse_length, time)
    return lambda time: math_ops.greater(input_length, time)


def _looped(step_function, inputs, initial_states, go_backwards, mask, constants, opts):
    """The while-loop form: (last_output, stacked outputs, last states)."""
    from tfgraph.ops import tensor_array_ops
    from tfgraph.ops.while_loop import while_loop

    input_length, zero_output_for_mask = opts
    flat = nest.flatten(inputs)
    steps = array_ops.shape(flat[0])[0]
    input_ta = tuple(
        tensor_array_ops.TensorArray(
            dtype=t.dtype, size=steps, tensor_array_name=f"input_ta_{i}"
        ).unstack(array_ops.reverse(t, [0]) if go_backwards else t)
        for i, t in enumerate(flat)
    )
    states = tuple(initial_states)
    zero_in = nest.pack_sequence_as(inputs, [t[0] for t in flat])
    output_zero, _ = step_function(zero_in, states + tuple(constants))
    output_ta = tuple(
        tensor_array_ops.TensorArray(
            dtype=o.dtype, size=steps, element_shape=o.shape, tensor_array_name=f"output_ta_{i}"
        )
        for i, o in enumerate(nest.flatten(output_zero))
    )
    masking_fn, fixed = None, 1
    if mask is not None:
        mask_ta = tensor_array_ops.TensorArray(
            dtype=dtypes.bool, size=steps, tensor_array_name="mask_ta"
        ).unstack(array_ops.reverse(mask, [0]) if go_backwards else mask)
        masking_fn, fixed = mask_ta.read, mask.shape.ndims - 1
    elif input_length is not None and not isinstance(input_length, int):
        masking_fn, fixed = _input_length_mask(input_length, go_backwards), 1
    zero_out = tuple(array_ops.zeros_like(o) for o in nest.flatten(output_zero))

    def step(time, out_ta, prev_output, *step_states):
        current = nest.pack_sequence_as(inputs, tuple(ta.read(time) for ta in input_ta))
        output, new_states = step_function(current, tuple(step_states) + tuple(constants))
        flat_new = nest.flatten(new_states)
        for state, new_state in zip(nest.flatten(step_states), flat_new, strict=True):
            new_state.set_shape(state.shape)
        flat_output = nest.flatten(output)
        if masking_fn is not None:
            mask_t = masking_fn(time)
            fallback = zero_out if zero_output_for_mask else prev_output
            flat_output = _masked(mask_t, flat_output, fallback, fixed)
            flat_new = _masked(mask_t, flat_new, nest.flatten(step_states), fixed)
        out_ta = tuple(ta.write(time, o) for ta, o in zip(out_ta, flat_output, strict=True))
        new_states = nest.pack_sequence_as(initial_states, list(flat_new))
        return (time + 1, out_ta, tuple(flat_output), *tuple(new_states))

    time = array_ops.constant(0, dtype="int32", name="time")
    final = while_loop(
        lambda time, *_: time < steps,
        step,
        (time, output_ta, zero_out, *states),
        parallel_iterations=32,
        swap_memory=True,
    )
    outputs = tuple(o.stack() for o in final[1])
    last_output = nest.pack_sequence_as(output_zero, [o[-1] for o in outputs])
    return last_output, nest.pack_sequence_as(output_zero, outputs), tuple(final[3:])


def rnn(
    step_function,
    inputs,
    initial_states,
    go_backwards=False,
    mask=None,
    constants=None,
    unroll=False,
    input_length=None,
    time_major=False,
    zero_output_for_mask=False,
    return_all_outputs=True,
):
    """Iterates `step_function(input_t, states + constants) -> (output, new_states)`
    over the time axis of `inputs`; returns (last_output, outputs, new_states). A mask
    (batch, time) keeps the previous output and states at masked steps (zeros for the
    outputs with `zero_output_for_mask`). As in TF1 Keras every output is returned."""
    if not time_major:
        inputs = nest.map_structure(_swap_batch_timestep, inputs)
    flat = nest.flatten(inputs)
    time_steps, batch = flat[0].shape[0], flat[0].shape[1]
    for input_ in flat:
        input_.shape.with_rank_at_least(3)
    if mask is not None:
        if mask.dtype.base_dtype != dtypes.bool:
            mask = array_ops.cast(mask, dtypes.bool)
        if mask.shape.ndims == 2:
            mask = array_ops.expand_dims(mask, -1)
        if not time_major:
            mask = _swap_batch_timestep(mask)
    constants = list(constants or [])
    if unroll:
        last_output, outputs, new_states, mask_list = _unrolled(
            step_function, inputs, initial_states, go_backwards, mask, constants
        )
        if mask_list is not None and zero_output_for_mask:
            last_output = array_ops.where_v2(
                _expand_mask(mask_list[-1], last_output),
                last_output,
                array_ops.zeros_like(last_output),
            )
            outputs = array_ops.where_v2(
                _expand_mask(mask, outputs, fixed_dim=2), outputs, array_ops.zeros_like(outputs)
            )
    else:
        last_output, outputs, new_states = _looped(
            step_function,
            inputs,
            initial_states,
            go_backwards,
            mask,
            constants,
            (input_length, zero_output_for_mask),
        )

    def set_shape(output_):
        shape = output_.shape.as_list()
        shape[0], shape[1] = time_steps, batch
        output_.set_shape(shape)
        return output_

    outputs = nest.map_structure(set_shape, outputs)
    if not time_major:
        outputs = nest.map_structure(_swap_batch_timestep, outputs)
    return last_output, outputs, new_states


# -- CTC -------------------------------------------------------------------------------
def ctc_label_dense_to_sparse(labels, label_lengths):
    """The first `label_lengths[i]` labels of each row of `labels` as a SparseTensor."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    label_shape = array_ops.shape(labels)
    positions = array_ops.expand_dims(math_ops.range(label_shape[1]), 0)
    dense_mask = math_ops.less(positions, array_ops.expand_dims(label_lengths, 1))
    indices = array_ops.where(dense_mask)
    values = array_ops.gather_nd(labels, indices)
    return SparseTensor(indices, values, array_ops.cast(label_shape, dtypes.int64))


def _sparse_cast(sp, dtype):
    from tfgraph.framework.sparse_tensor import SparseTensor

    return SparseTensor(sp.indices, array_ops.cast(sp.values, dtype), sp.dense_shape)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """The CTC loss of each batch entry, (batch, 1), from softmax outputs `y_pred`
    (batch, time, classes) with the last class the blank."""
    from tfgraph.ops import ctc_ops

    label_length = array_ops.cast(array_ops.squeeze(label_length, axis=[-1]), dtypes.int32)
    input_length = array_ops.cast(array_ops.squeeze(input_length, axis=[-1]), dtypes.int32)
    sparse_labels = _sparse_cast(ctc_label_dense_to_sparse(y_true, label_length), dtypes.int32)
    y_pred = math_ops.log(array_ops.transpose(y_pred, perm=[1, 0, 2]) + _K.epsilon())
    loss = ctc_ops.ctc_loss(labels=sparse_labels, inputs=y_pred, sequence_length=input_length)
    return array_ops.expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """([dense decoded paths, -1 padded], log probabilities) of softmax outputs `y_pred`,
    by greedy or beam search decoding."""
    from tfgraph.framework.sparse_tensor import SparseTensor
    from tfgraph.ops import ctc_ops, sparse_ops

    input_shape = array_ops.shape(y_pred)
    num_samples, num_steps = input_shape[0], input_shape[1]
    y_pred = math_ops.log(array_ops.transpose(y_pred, perm=[1, 0, 2]) + _K.epsilon())
    input_length = array_ops.cast(input_length, dtypes.int32)
    if greedy:
        decoded, log_prob = ctc_ops.ctc_greedy_decoder(y_pred, input_length)
    else:
        decoded, log_prob = ctc_ops.ctc_beam_search_decoder(
            y_pred, input_length, beam_width=beam_width, top_paths=top_paths
        )
    dense_shape = array_ops.cast(array_ops.stack([num_samples, num_steps]), dtypes.int64)
    decoded_dense = [
        sparse_ops.sparse_tensor_to_dense(
            SparseTensor(st.indices, st.values, dense_shape), default_value=-1
        )
        for st in decoded
    ]
    return decoded_dense, log_prob
