"""TF 1.15 contrib's grid LSTMs (Kalchbrenner et al., 2016; Sainath & Li, 2016): at each
time step the input is cut into frequency windows; along them runs an F-LSTM, and each
window also has a T-LSTM carrying its state through time (`GridLSTMCell`);
`BidirectionalGridLSTMCell` runs the frequency direction both ways (`fwd`, `bwd`).
Variables as contrib names them: `W_f_<block>_0`, `B_f_<block>`, `W_t_<block>_0`,
`B_t_<block>`, peepholes `W_{F,I,O}_diag_{freq,time}{f,t}_<block>`."""

from __future__ import annotations

import collections

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant
from tfgraph.framework.tensor_shape import dimension_value
from tfgraph.legacy_contrib.rnn_cell import _sharded_variable
from tfgraph.legacy_layers.rnn_cell_impl import RNNCell
from tfgraph.ops import array_ops, conv_ops, init_ops, math_ops
from tfgraph.variable_scope import get_variable, variable_scope

__all__ = ["BidirectionalGridLSTMCell", "GridLSTMCell"]


def _state_type(type_name, prefixes, blocks):
    names = []
    for prefix in prefixes:
        for block_index, count in enumerate(blocks):
            for freq_index in range(count):
                name = f"{prefix}_f{freq_index:02d}_b{block_index:02d}"
                names += [f"{name}_c", f"{name}_m"]
    return collections.namedtuple(type_name, names)


class GridLSTMCell(RNNCell):
    """Grid LSTM over frequency windows (see the module docstring); the state has a
    `(c, m)` pair per window (`state_f<freq>_b<block>_c`/`_m` fields when tuple), the
    output concatenates every window's T-LSTM and F-LSTM outputs."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        share_time_frequency_weights=False,
        cell_clip=None,
        initializer=None,
        num_unit_shards=1,
        forget_bias=1.0,
        feature_size=None,
        frequency_skip=None,
        num_frequency_blocks=None,
        start_freqindex_list=None,
        end_freqindex_list=None,
        couple_input_forget_gates=False,
        state_is_tuple=True,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._share_time_frequency_weights = share_time_frequency_weights
        self._couple_input_forget_gates = couple_input_forget_gates
        self._state_is_tuple = state_is_tuple
        self._cell_clip = cell_clip
        self._num_unit_shards = num_unit_shards
        self._forget_bias = forget_bias
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip
        self._start_freqindex_list = start_freqindex_list
        self._end_freqindex_list = end_freqindex_list
        self._num_frequency_blocks = num_frequency_blocks
        if num_frequency_blocks is None:
            raise ValueError("Must specify num_frequency_blocks")
        self._total_blocks = sum(int(b) for b in num_frequency_blocks)
        if state_is_tuple:
            self._state_tuple_type = _state_type(
                "GridLSTMStateTuple", ["state"], num_frequency_blocks
            )
            self._state_size = self._state_tuple_type(
                *([num_units, num_units] * self._total_blocks)
            )
        else:
            self._state_tuple_type = None
            self._state_size = num_units * self._total_blocks * 2
        self._output_size = num_units * self._total_blocks * 2

    @property
    def output_size(self):
        return self._output_size

    @property
    def state_size(self):
        return self._state_size

    @property
    def state_tuple_type(self):
        return self._state_tuple_type

    def call(self, inputs, state):
        batch_size = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
        freq_inputs = self._make_tf_features(inputs)
        m_out_lst: list = []
        state_out_lst: list = []
        for block in range(len(freq_inputs)):
            m_out, state_out = self._compute(
                freq_inputs[block], block, state, batch_size, state_is_tuple=self._state_is_tuple
            )
            m_out_lst.extend(m_out)
            state_out_lst.extend(state_out)
        if self._state_is_tuple:
            state_out = self._state_tuple_type(*state_out_lst)
        else:
            state_out = array_ops.concat(state_out_lst, 1)
        return array_ops.concat(m_out_lst, 1), state_out

    def _variables(self, block, input_size, dtype):
        """The block's weights, biases and peepholes (created in contrib's order)."""
        n, gates = self._num_units, 3 if self._couple_input_forget_gates else 4
        shape = [input_size + 2 * n, gates * n]
        v: dict = {}
        v["w_f"] = _sharded_variable(f"W_f_{block}", shape, dtype, self._num_unit_shards)
        v["b_f"] = get_variable(
            f"B_f_{block}", shape=[gates * n], initializer=init_ops.zeros_initializer(), dtype=dtype
        )
        if not self._share_time_frequency_weights:
            v["w_t"] = _sharded_variable(f"W_t_{block}", shape, dtype, self._num_unit_shards)
            v["b_t"] = get_variable(
                f"B_t_{block}",
                shape=[gates * n],
                initializer=init_ops.zeros_initializer(),
                dtype=dtype,
            )
        if self._use_peepholes:
            names = [] if self._couple_input_forget_gates else ["F_diag_freqf", "F_diag_freqt"]
            names += ["I_diag_freqf", "I_diag_freqt", "O_diag_freqf", "O_diag_freqt"]
            if not self._share_time_frequency_weights:
                if not self._couple_input_forget_gates:
                    names += ["F_diag_timef", "F_diag_timet"]
                names += ["I_diag_timef", "I_diag_timet", "O_diag_timef", "O_diag_timet"]
            for name in names:
                v[name] = get_variable(f"W_{name}_{block}", shape=[n], dtype=dtype)
        return v

    def _split(self, matrix):
        if self._couple_input_forget_gates:
            i, j, o = array_ops.split(value=matrix, num_or_size_splits=3, axis=1)
            return i, j, None, o
        return tuple(array_ops.split(value=matrix, num_or_size_splits=4, axis=1))

    def _peep(self, v, kind, gate):
        """The peephole pair for a gate of the F-LSTM (`freq`) or T-LSTM (`time`)."""
        if kind == "time" and self._share_time_frequency_weights:
            kind = "freq"
        return v[f"{gate}_diag_{kind}f"], v[f"{gate}_diag_{kind}t"]

    def _cell(self, v, kind, gates, c_prev_freq, c_prev_time):
        """One direction's new cell: input and forget gates (coupled or not), clip."""
        sigmoid, tanh = math_ops.sigmoid, math_ops.tanh
        i, j, f, _ = gates
        if self._use_peepholes:
            wf, wt = self._peep(v, kind, "I")
            i_g = sigmoid(i + wf * c_prev_freq + wt * c_prev_time)
        else:
            i_g = sigmoid(i)
        if self._couple_input_forget_gates:
            f_g = 1.0 - i_g
        elif self._use_peepholes:
            wf, wt = self._peep(v, kind, "F")
            f_g = sigmoid(f + self._forget_bias + wf * c_prev_freq + wt * c_prev_time)
        else:
            f_g = sigmoid(f + self._forget_bias)
        c_prev = c_prev_freq if kind == "freq" else c_prev_time
        c = f_g * c_prev + i_g * tanh(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        return c

    def _output(self, v, kind, o, c_freq, c_time):
        sigmoid, tanh = math_ops.sigmoid, math_ops.tanh
        c = c_freq if kind == "freq" else c_time
        if self._use_peepholes:
            wf, wt = self._peep(v, kind, "O")
            return sigmoid(o + wf * c_freq + wt * c_time) * tanh(c)
        return sigmoid(o) * tanh(c)

    def _prev_time(self, state, state_is_tuple, state_prefix, freq_index, block):
        n = self._num_units
        if state_is_tuple:
            name = f"{state_prefix}_f{freq_index:02d}_b{block:02d}"
            return getattr(state, name + "_c"), getattr(state, name + "_m")
        return (
            array_ops.slice(state, [0, 2 * freq_index * n], [-1, n]),
            array_ops.slice(state, [0, (2 * freq_index + 1) * n], [-1, n]),
        )

    def _compute(
        self, freq_inputs, block, state, batch_size, state_prefix="state", state_is_tuple=True
    ):
        dtype = freq_inputs[0].dtype
        v = self._variables(block, freq_inputs[0].get_shape().as_list()[1], dtype)
        m_prev_freq = array_ops.zeros([batch_size, self._num_units], dtype)
        c_prev_freq = array_ops.zeros([batch_size, self._num_units], dtype)
        state_out_lst: list = []
        m_out_lst: list = []
        for freq_index, freq_input in enumerate(freq_inputs):
            c_prev_time, m_prev_time = self._prev_time(
                state, state_is_tuple, state_prefix, freq_index, block
            )
            cell_inputs = array_ops.concat([freq_input, m_prev_time, m_prev_freq], 1)
            gates_f = self._split(
                conv_ops.bias_add(math_ops.matmul(cell_inputs, v["w_f"]), v["b_f"])
            )
            if self._share_time_frequency_weights:
                gates_t = gates_f
            else:
                gates_t = self._split(
                    conv_ops.bias_add(math_ops.matmul(cell_inputs, v["w_t"]), v["b_t"])
                )
            c_freq = self._cell(v, "freq", gates_f, c_prev_freq, c_prev_time)
            c_time = self._cell(v, "time", gates_t, c_prev_freq, c_prev_time)
            m_freq = self._output(v, "freq", gates_f[3], c_freq, c_time)
            m_time = self._output(v, "time", gates_t[3], c_freq, c_time)
            m_prev_freq, c_prev_freq = m_freq, c_freq
            state_out_lst.extend([c_time, m_time])
            m_out_lst.extend([m_time, m_freq])
        return m_out_lst, state_out_lst

    def _pad(self, input_feat, slice_offset):
        if slice_offset > 0:
            paddings = [0, 0, 0, slice_offset]
        elif slice_offset < 0:
            paddings = [0, 0, -slice_offset, 0]
        else:
            return input_feat, slice_offset
        padded = array_ops.pad(
            input_feat, constant(paddings, shape=[2, 2], dtype=dtypes.int32), "CONSTANT"
        )
        return padded, max(slice_offset, 0)

    def _block_inputs(self, inputs, start, count, slice_offset):
        return [
            array_ops.slice(
                inputs,
                [0, start + slice_offset + f * self._frequency_skip],
                [-1, self._feature_size],
            )
            for f in range(count)
        ]

    def _make_tf_features(self, input_feat, slice_offset=0):
        input_size = dimension_value(input_feat.get_shape().with_rank(2)[-1])
        if input_size is None:
            raise ValueError("Cannot infer input_size from static shape inference.")
        inputs, slice_offset = self._pad(input_feat, slice_offset)
        blocks = self._num_frequency_blocks
        if not self._start_freqindex_list:
            if len(blocks) != 1:
                raise ValueError(
                    f"Length of num_frequency_blocks is not 1, but instead is {len(blocks)}"
                )
            spans = [(0, input_size)]
        else:
            if len(self._start_freqindex_list) != len(self._end_freqindex_list):
                raise ValueError("Length of start and end freqindex_list does not match")
            if len(blocks) != len(self._start_freqindex_list):
                raise ValueError(
                    "Length of num_frequency_blocks is not equal to start_freqindex_list"
                )
            spans = list(zip(self._start_freqindex_list, self._end_freqindex_list))
        freq_inputs = []
        for b, (start, end) in enumerate(spans):
            count = int((end - start - self._feature_size) / self._frequency_skip) + 1
            if count != blocks[b]:
                raise ValueError(
                    f"Invalid num_frequency_blocks, requires {blocks[b]} but gets {count}, "
                    "please check the input size and filter config are correct."
                )
            freq_inputs.append(self._block_inputs(inputs, start, count, slice_offset))
        return freq_inputs


class BidirectionalGridLSTMCell(GridLSTMCell):
    """GridLSTMCell with the frequency direction run both ways (`fwd` and `bwd` scopes,
    separate weights; the backward pass may start `backward_slice_offset` later)."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        share_time_frequency_weights=False,
        cell_clip=None,
        initializer=None,
        num_unit_shards=1,
        forget_bias=1.0,
        feature_size=None,
        frequency_skip=None,
        num_frequency_blocks=None,
        start_freqindex_list=None,
        end_freqindex_list=None,
        couple_input_forget_gates=False,
        backward_slice_offset=0,
        reuse=None,
    ) -> None:
        super().__init__(
            num_units, use_peepholes, share_time_frequency_weights, cell_clip, initializer,
            num_unit_shards, forget_bias, feature_size, frequency_skip, num_frequency_blocks,
            start_freqindex_list, end_freqindex_list, couple_input_forget_gates, True, reuse,
        )  # fmt: skip
        self._backward_slice_offset = int(backward_slice_offset)
        self._state_tuple_type = _state_type(
            "BidirectionalGridLSTMStateTuple", ["fwd_state", "bwd_state"], num_frequency_blocks
        )
        self._state_size = self._state_tuple_type(
            *([num_units, num_units] * self._total_blocks * 2)
        )
        self._output_size = 2 * num_units * self._total_blocks * 2

    def _direction(self, name, inputs, state, batch_size, reverse):
        m_out_lst: list = []
        state_out_lst: list = []
        with variable_scope(name):
            for block in range(len(inputs)):
                block_inputs = inputs[block][::-1] if reverse else inputs[block]
                m_out, state_out = self._compute(
                    block_inputs, block, state, batch_size,
                    state_prefix=f"{name}_state", state_is_tuple=True,
                )  # fmt: skip
                m_out_lst.extend(m_out)
                state_out_lst.extend(state_out)
        return m_out_lst, state_out_lst

    def call(self, inputs, state):
        batch_size = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
        fwd_inputs = self._make_tf_features(inputs)
        if self._backward_slice_offset:
            bwd_inputs = self._make_tf_features(inputs, self._backward_slice_offset)
        else:
            bwd_inputs = fwd_inputs
        fwd_m, fwd_state = self._direction("fwd", fwd_inputs, state, batch_size, False)
        bwd_m, bwd_state = self._direction("bwd", bwd_inputs, state, batch_size, True)
        state_out = self._state_tuple_type(*(fwd_state + bwd_state))
        return array_ops.concat(fwd_m + bwd_m, 1), state_out
