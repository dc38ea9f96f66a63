"""TF 1.15 contrib's LSTM variants: the group LSTM (`GLSTMCell`), the weight-normalized
LSTM (`WeightNormLSTMCell`) and the phased LSTM (`PhasedLSTMCell`), with contrib's
variable names and formulas."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.graph import control_dependencies
from tfgraph.framework.tensor_shape import dimension_value
from tfgraph.legacy_contrib.rnn_cell import _input_size, _Linear, _sharded_variable
from tfgraph.legacy_layers.rnn_cell_impl import LSTMStateTuple, RNNCell
from tfgraph.ops import array_ops, conv_ops, init_ops, math_ops, nn_ops, random_ops
from tfgraph.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["GLSTMCell", "PhasedLSTMCell", "TimeFreqLSTMCell", "WeightNormLSTMCell"]


class GLSTMCell(RNNCell):
    """Group LSTM (Kuchaiev & Ginsburg, 2017): `number_of_groups` LSTM sub-cells, each
    on its slice of the inputs and of the previous output (`group<i>/kernel`), with
    shared biases `bias_i`, `bias_j`, `bias_f`, `bias_o` and an optional projection."""

    def __init__(
        self,
        num_units,
        initializer=None,
        num_proj=None,
        number_of_groups=1,
        forget_bias=1.0,
        activation=math_ops.tanh,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._initializer = initializer
        self._num_proj = num_proj
        self._forget_bias = forget_bias
        self._activation = activation
        self._number_of_groups = number_of_groups
        if num_units % number_of_groups != 0:
            raise ValueError("num_units must be divisible by number_of_groups")
        if num_proj and num_proj % number_of_groups != 0:
            raise ValueError("num_proj must be divisible by number_of_groups")
        rows = (num_proj or num_units) // number_of_groups
        self._group_shape = [rows, num_units // number_of_groups]
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out)
        self._output_size = out
        self._linear1: list = [None] * number_of_groups
        self._linear2 = None

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def _group_input(self, inputs, group_id, group_size):
        return array_ops.slice(
            inputs,
            [0, group_id * group_size],
            [self._batch_size, group_size],
            name=f"GLSTM_group{group_id}_input_generation",
        )

    def _group_gates(self, inputs, m_prev, input_group_size):
        parts: list[list] = [[], [], [], []]
        for group_id in range(self._number_of_groups):
            with variable_scope(f"group{group_id}"):
                x_g = array_ops.concat(
                    [
                        self._group_input(inputs, group_id, input_group_size),
                        self._group_input(m_prev, group_id, self._group_shape[0]),
                    ],
                    axis=1,
                )
                if self._linear1[group_id] is None:
                    self._linear1[group_id] = _Linear(x_g, 4 * self._group_shape[1], False)
                gates = array_ops.split(self._linear1[group_id](x_g), 4, 1)
            for part, gate in zip(parts, gates):
                part.append(gate)
        return parts

    def call(self, inputs, state):
        c_prev, m_prev = state
        self._batch_size = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
        input_size = dimension_value(inputs.shape[1])
        if input_size is None:
            raise ValueError("input size must be statically known")
        if input_size % self._number_of_groups != 0:
            raise ValueError(
                f"input size ({input_size}) must be divisible by number_of_groups "
                f"({self._number_of_groups})"
            )
        dtype = inputs.dtype
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            parts = self._group_gates(inputs, m_prev, input_size // self._number_of_groups)
            biases = [
                get_variable(
                    name=name,
                    shape=[self._num_units],
                    dtype=dtype,
                    initializer=init_ops.constant_initializer(0.0, dtype=dtype),
                )
                for name in ("bias_i", "bias_j", "bias_f", "bias_o")
            ]
            i, j, f, o = (
                conv_ops.bias_add(array_ops.concat(part, axis=1), bias)
                for part, bias in zip(parts, biases)
            )
        c = math_ops.sigmoid(f + self._forget_bias) * c_prev + math_ops.sigmoid(i) * math_ops.tanh(
            j
        )
        m = math_ops.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            with variable_scope("projection"):
                if self._linear2 is None:
                    self._linear2 = _Linear(m, self._num_proj, False)
                m = self._linear2(m)
        return m, LSTMStateTuple(c, m)


class WeightNormLSTMCell(RNNCell):
    """LSTMCell with weight normalization (Salimans & Kingma, 2016): each input's block
    of the kernel normalized per column and scaled by its `norm_<i>`; variables under
    `wn_lstm_cell` (`kernel`, `norm_0`, `norm_1`, `bias`, peepholes, `projection/...`)."""

    def __init__(
        self,
        num_units,
        norm=True,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        forget_bias=1,
        activation=None,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        # As contrib: the name doubles as the layer's own scope, so the variables are
        # `<rnn>/wn_lstm_cell/wn_lstm_cell/kernel` (TF's legacy layers keep a preset
        # `_scope`).
        self._scope = "wn_lstm_cell"  # type: ignore[assignment]
        self._num_units = num_units
        self._norm = norm
        self._initializer = initializer
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._activation = activation or math_ops.tanh
        self._forget_bias = forget_bias
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out)
        self._output_size = out

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def _normalize(self, weight, name):
        g = get_variable(name, [weight.get_shape().as_list()[1]], dtype=weight.dtype)
        return nn_ops.l2_normalize(weight, axis=0) * g

    def _linear(self, args, output_size, norm, bias):
        args = args if isinstance(args, list) else [args]
        sizes = [_input_size(a) for a in args]
        dtype = args[0].dtype
        with variable_scope(get_variable_scope()) as outer_scope:
            weights = get_variable("kernel", [sum(sizes), output_size], dtype=dtype)
            if norm:
                blocks, start = [], 0
                with control_dependencies(None):
                    for i, size in enumerate(sizes):
                        block = weights[start : start + size, :]
                        blocks.append(self._normalize(block, name=f"norm_{i}"))
                        start += size
                    weights = array_ops.concat(blocks, axis=0)
            if len(args) == 1:
                res = math_ops.matmul(args[0], weights)
            else:
                res = math_ops.matmul(array_ops.concat(args, 1), weights)
            if not bias:
                return res
            with variable_scope(outer_scope) as inner_scope:
                inner_scope.set_partitioner(None)
                biases = get_variable(
                    "bias",
                    [output_size],
                    dtype=dtype,
                    initializer=init_ops.constant_initializer(0.0, dtype=dtype),
                )
            return conv_ops.bias_add(res, biases)

    def call(self, inputs, state):
        dtype, n, sigmoid, act = inputs.dtype, self._num_units, math_ops.sigmoid, self._activation
        c, h = state
        _input_size(inputs)
        with variable_scope(self._scope, initializer=self._initializer):
            concat = self._linear([inputs, h], 4 * n, norm=self._norm, bias=True)
            i, j, f, o = array_ops.split(value=concat, num_or_size_splits=4, axis=1)
            if self._use_peepholes:
                w_f = get_variable("w_f_diag", shape=[n], dtype=dtype)
                w_i = get_variable("w_i_diag", shape=[n], dtype=dtype)
                w_o = get_variable("w_o_diag", shape=[n], dtype=dtype)
                new_c = c * sigmoid(f + self._forget_bias + w_f * c) + sigmoid(i + w_i * c) * act(j)
            else:
                new_c = c * sigmoid(f + self._forget_bias) + sigmoid(i) * act(j)
            if self._cell_clip is not None:
                new_c = math_ops.clip_by_value(new_c, -self._cell_clip, self._cell_clip)
            if self._use_peepholes:
                new_h = sigmoid(o + w_o * new_c) * act(new_c)
            else:
                new_h = sigmoid(o) * act(new_c)
            if self._num_proj is not None:
                with variable_scope("projection"):
                    new_h = self._linear(new_h, self._num_proj, norm=self._norm, bias=False)
                if self._proj_clip is not None:
                    new_h = math_ops.clip_by_value(new_h, -self._proj_clip, self._proj_clip)
            return new_h, LSTMStateTuple(new_c, new_h)


def _random_exp_initializer(minval, maxval, seed=None, dtype=dtypes.float32):
    """Values `exp(U(log(minval), log(maxval)))`."""

    def initializer(shape, dtype=dtype, partition_info=None):
        return math_ops.exp(
            random_ops.random_uniform(
                shape, math_ops.log(minval), math_ops.log(maxval), dtype, seed=seed
            )
        )

    return initializer


class PhasedLSTMCell(RNNCell):
    """Phased LSTM (Neil et al., 2016): inputs are `(time [batch, 1], features)`; an
    LSTM whose updates are gated by a per-unit oscillation (`period`, `phase`,
    `ratio_on`), open for a `ratio_on` fraction of each period and leaking `leak`
    otherwise. Gates from `mask_gates/...`, `new_input/...`, `output_gate/...`."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        leak=0.001,
        ratio_on=0.1,
        trainable_ratio_on=True,
        period_init_min=1.0,
        period_init_max=1000.0,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._leak = leak
        self._ratio_on = ratio_on
        self._trainable_ratio_on = trainable_ratio_on
        self._period_init_min = period_init_min
        self._period_init_max = period_init_max
        self._linears: dict = {}

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def _gate(self, scope, args, size, activation, split=False):
        with variable_scope(scope):
            if scope not in self._linears:
                self._linears[scope] = _Linear(args, size, True)
            value = activation(self._linears[scope](args))
            if split:
                return array_ops.split(axis=1, num_or_size_splits=2, value=value)
            return value

    def _cycle_ratio(self, time, phase, period):
        phase = array_ops.cast(phase, dtype=time.dtype)
        period = array_ops.cast(period, dtype=time.dtype)
        shifted = time - phase
        mod = array_ops.stop_gradient(math_ops.mod(shifted, period) - shifted) + shifted
        return array_ops.cast(mod / period, dtype=dtypes.float32)

    def _oscillation_variables(self):
        n = self._num_units
        period = get_variable(
            "period",
            [n],
            initializer=_random_exp_initializer(self._period_init_min, self._period_init_max),
        )
        phase = get_variable(
            "phase", [n], initializer=init_ops.random_uniform_initializer(0.0, period.initial_value)
        )
        ratio_on = get_variable(
            "ratio_on",
            [n],
            initializer=init_ops.constant_initializer(self._ratio_on),
            trainable=self._trainable_ratio_on,
        )
        return period, phase, ratio_on

    def call(self, inputs, state):
        c_prev, h_prev = state
        time, x = inputs
        in_mask = [x, h_prev] + ([c_prev] if self._use_peepholes else [])
        n, sigmoid = self._num_units, math_ops.sigmoid
        input_gate, forget_gate = self._gate("mask_gates", in_mask, 2 * n, sigmoid, split=True)
        new_input = self._gate("new_input", [x, h_prev], n, math_ops.tanh)
        new_c = c_prev * forget_gate + input_gate * new_input
        in_out = [x, h_prev] + ([new_c] if self._use_peepholes else [])
        output_gate = self._gate("output_gate", in_out, n, sigmoid)
        new_h = math_ops.tanh(new_c) * output_gate
        period, phase, ratio_on = self._oscillation_variables()
        cycle_ratio = self._cycle_ratio(time, phase, period)
        k_up = 2 * cycle_ratio / ratio_on
        k_down = 2 - k_up
        k_closed = self._leak * cycle_ratio
        k = array_ops.where(cycle_ratio < ratio_on, k_down, k_closed)
        k = array_ops.where(cycle_ratio < 0.5 * ratio_on, k_up, k)
        new_c = k * new_c + (1 - k) * c_prev
        new_h = k * new_h + (1 - k) * h_prev
        return new_h, LSTMStateTuple(new_c, new_h)


class TimeFreqLSTMCell(RNNCell):
    """Time-frequency LSTM (Sainath & Li, 2016): the input is cut into overlapping
    frequency windows (`feature_size` wide, `frequency_skip` apart), each run through one
    shared LSTM (`W_0`, `B`, peepholes `W_F_diag`, `W_I_diag`, `W_O_diag`) that also
    sees the previous window's output. The state holds `(c, m)` per window, so pass an
    initial state of `2 * num_units * windows` columns (contrib's `state_size` says
    `2 * num_units`)."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_unit_shards=1,
        forget_bias=1.0,
        feature_size=None,
        frequency_skip=1,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._num_unit_shards = num_unit_shards
        self._forget_bias = forget_bias
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip

    @property
    def output_size(self):
        return self._num_units

    @property
    def state_size(self):
        return 2 * self._num_units

    def _make_tf_features(self, input_feat):
        input_size = dimension_value(input_feat.get_shape().with_rank(2)[-1])
        if input_size is None:
            raise ValueError("Cannot infer input_size from static shape inference.")
        num_feats = int((input_size - self._feature_size) / self._frequency_skip) + 1
        return [
            array_ops.slice(input_feat, [0, f * self._frequency_skip], [-1, self._feature_size])
            for f in range(num_feats)
        ]

    def _variables(self, input_size, dtype):
        n = self._num_units
        concat_w = _sharded_variable("W", [input_size + 2 * n, 4 * n], dtype, self._num_unit_shards)
        b = get_variable("B", shape=[4 * n], initializer=init_ops.zeros_initializer(), dtype=dtype)
        diags = None
        if self._use_peepholes:
            diags = [
                get_variable(name, shape=[n], dtype=dtype)
                for name in ("W_F_diag", "W_I_diag", "W_O_diag")
            ]
        return concat_w, b, diags

    def call(self, inputs, state):
        sigmoid, tanh, n = math_ops.sigmoid, math_ops.tanh, self._num_units
        freq_inputs = self._make_tf_features(inputs)
        dtype = inputs.dtype
        concat_w, b, diags = self._variables(freq_inputs[0].get_shape().as_list()[1], dtype)
        batch = dimension_value(inputs.shape[0]) or inputs.shape[0]
        m_prev_freq = array_ops.zeros([batch, n], dtype)
        for fq, freq_input in enumerate(freq_inputs):
            c_prev = array_ops.slice(state, [0, 2 * fq * n], [-1, n])
            m_prev = array_ops.slice(state, [0, (2 * fq + 1) * n], [-1, n])
            cell_inputs = array_ops.concat([freq_input, m_prev, m_prev_freq], 1)
            lstm_matrix = conv_ops.bias_add(math_ops.matmul(cell_inputs, concat_w), b)
            i, j, f, o = array_ops.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
            if diags is not None:
                c = sigmoid(f + self._forget_bias + diags[0] * c_prev) * c_prev + sigmoid(
                    i + diags[1] * c_prev
                ) * tanh(j)
            else:
                c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * tanh(j)
            if self._cell_clip is not None:
                c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
            if diags is not None:
                m = sigmoid(o + diags[2] * c) * tanh(c)
            else:
                m = sigmoid(o) * tanh(c)
            m_prev_freq = m
            if fq == 0:
                state_out = array_ops.concat([c, m], 1)
                m_out = m
            else:
                state_out = array_ops.concat([state_out, c, m], 1)
                m_out = array_ops.concat([m_out, m], 1)
        return m_out, state_out
