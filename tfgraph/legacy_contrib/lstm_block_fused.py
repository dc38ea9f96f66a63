"""TF 1.15 contrib's `LSTMBlockFusedCell`: an LSTM over a whole time-major sequence in
one call (`cell(inputs, initial_state, dtype, sequence_length)` -> `(outputs,
LSTMStateTuple(c, h))`), with the fused cell's variables (`lstm_fused_cell/kernel`,
`bias`, peepholes `w_i_diag`, `w_f_diag`, `w_o_diag`). TF ran one `BlockLSTM` op; here
the steps are a `tf.scan` of the same formula, with the same values: zeros past the
longest sequence and, with `sequence_length`, past each entry's length, whose final
state is its last valid step's (the initial state for length 0)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.tensor_shape import dimension_value
from tfgraph.functional_ops import scan
from tfgraph.legacy_contrib.rnn_cell import block_lstm_step
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.rnn_cell_impl import LSTMStateTuple
from tfgraph.ops import array_ops, init_ops, math_ops

__all__ = ["LSTMBlockFusedCell", "LSTMBlockWrapper"]


class LSTMBlockWrapper(base.Layer):
    """A layer running an LSTM over a time-major sequence: the initial state (zeros
    with `dtype` when not given), the outputs masked past `sequence_length`, the final
    state gathered at each entry's length."""

    @property
    def num_units(self):
        raise NotImplementedError("Abstract method")

    def _call_cell(self, inputs, initial_cell_state, initial_output, dtype, sequence_length):
        raise NotImplementedError("Abstract method")

    def call(self, inputs, initial_state=None, dtype=None, sequence_length=None):
        is_list = isinstance(inputs, list)
        if is_list:
            inputs = array_ops.stack(inputs)
        inputs_shape = inputs.get_shape().with_rank(3)
        if not dimension_value(inputs_shape[2]):
            raise ValueError(f"Expecting inputs_shape[2] to be set: {inputs_shape}")
        batch_size = dimension_value(inputs_shape[1]) or array_ops.shape(inputs)[1]
        time_len = dimension_value(inputs_shape[0]) or array_ops.shape(inputs)[0]
        if initial_state is None:
            if dtype is None:
                raise ValueError("Either initial_state or dtype needs to be specified")
            z = array_ops.zeros(array_ops.stack([batch_size, self.num_units]), dtype=dtype)
            initial_state = z, z
        else:
            if len(initial_state) != 2:
                raise ValueError("Expecting initial_state to be a tuple with length 2 or None")
            if dtype is None:
                dtype = initial_state[0].dtype
        if sequence_length is not None:
            sequence_length = convert_to_tensor(sequence_length)
        initial_cell_state, initial_output = initial_state
        cell_states, outputs = self._call_cell(
            inputs, initial_cell_state, initial_output, dtype, sequence_length
        )
        if sequence_length is not None:
            mask = array_ops.transpose(
                array_ops.sequence_mask(sequence_length, time_len, dtype=dtype), [1, 0]
            )
            mask = array_ops.tile(array_ops.expand_dims(mask, [-1]), [1, 1, self.num_units])
            outputs *= mask
            states = array_ops.concat(
                [array_ops.expand_dims(initial_cell_state, [0]), cell_states], 0
            )
            outs = array_ops.concat([array_ops.expand_dims(initial_output, [0]), outputs], 0)
            final_cell_state = self._gather_states(states, sequence_length, batch_size)
            final_output = self._gather_states(outs, sequence_length, batch_size)
        else:
            final_cell_state = cell_states[-1]
            final_output = outputs[-1]
        if is_list:
            outputs = array_ops.unstack(outputs)
        return outputs, LSTMStateTuple(final_cell_state, final_output)

    def _gather_states(self, data, indices, batch_size):
        """`out[i, j] = data[indices[i], i, j]`."""
        return array_ops.gather_nd(
            data, array_ops.stack([indices, math_ops.range(batch_size)], axis=1)
        )


class LSTMBlockFusedCell(LSTMBlockWrapper):
    """The fused LSTM (see the module docstring): gates i, ci, f, o, `forget_bias`,
    optional `cell_clip` and peepholes."""

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        cell_clip=None,
        use_peephole=False,
        reuse=None,
        dtype=None,
        name="lstm_fused_cell",
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._cell_clip = cell_clip if cell_clip is not None else -1
        self._use_peephole = use_peephole
        self.input_spec = base.InputSpec(ndim=3)

    @property
    def num_units(self):
        return self._num_units

    def build(self, input_shape) -> None:
        n = self._num_units
        input_size = dimension_value(input_shape[2])
        self._kernel = self.add_weight("kernel", [input_size + n, 4 * n])
        self._bias = self.add_weight(
            "bias", [4 * n], initializer=init_ops.constant_initializer(0.0)
        )
        if self._use_peephole:
            self._w_i_diag = self.add_weight("w_i_diag", [n])
            self._w_f_diag = self.add_weight("w_f_diag", [n])
            self._w_o_diag = self.add_weight("w_o_diag", [n])
        self.built = True

    def _call_cell(
        self, inputs, initial_cell_state=None, initial_output=None, dtype=None, sequence_length=None
    ):
        time_len = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
        peepholes = (self._w_i_diag, self._w_f_diag, self._w_o_diag) if self._use_peephole else None
        if sequence_length is None:
            max_seq_len = time_len
        else:
            max_seq_len = math_ops.reduce_max(sequence_length)

        def step(state, x):
            return block_lstm_step(
                x, state[0], state[1], self._kernel, self._bias, peepholes,
                self._forget_bias, self._cell_clip,
            )  # fmt: skip

        cs, h = scan(step, inputs, initializer=(initial_cell_state, initial_output))
        steps = math_ops.range(array_ops.shape(inputs)[0])
        live = array_ops.cast(steps < array_ops.cast(max_seq_len, dtypes.int32), cs.dtype)
        live = array_ops.reshape(live, [-1, 1, 1])
        return cs * live, h * live
