"""TF 1.15's `tf.contrib.rnn` cells that `tf.nn.rnn_cell` lacks, built as contrib built
them: the same variables under the same names (`layer_norm_basic_lstm_cell/kernel`,
`.../input/gamma`, `output_projection_wrapper/kernel`, `attention/attn_w`, ...) so
checkpoints interchange, and the same formulas. Cells whose contrib version ran one
fused op (`LSTMBlockCell`, `GRUBlockCell`) are built from ordinary ops here, with the
fused cells' variable names.
"""

from __future__ import annotations

import math

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import constant
from tfgraph.framework.graph import device as graph_device
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_contrib import layers
from tfgraph.legacy_layers import rnn_cell_impl
from tfgraph.legacy_layers.rnn_cell_impl import LayerRNNCell, LSTMStateTuple, RNNCell
from tfgraph.ops import array_ops, conv_ops, init_ops, math_ops, nn_ops
from tfgraph.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = [
    "AttentionCellWrapper",
    "CoupledInputForgetGateLSTMCell",
    "EmbeddingWrapper",
    "GRUBlockCell",
    "GRUBlockCellV2",
    "HighwayWrapper",
    "InputProjectionWrapper",
    "IntersectionRNNCell",
    "LSTMBlockCell",
    "LayerNormBasicLSTMCell",
    "NASCell",
    "OutputProjectionWrapper",
    "UGRNNCell",
]


class _Linear:
    """`concat(args) @ kernel (+ bias)`: the variables `kernel` and `bias` made once, in
    the variable scope current at construction."""

    def __init__(
        self, args, output_size, build_bias, bias_initializer=None, kernel_initializer=None
    ) -> None:
        if args is None or (nest.is_nested(args) and not args):
            raise ValueError("`args` must be specified")
        self._is_sequence = nest.is_nested(args)
        args = list(args) if self._is_sequence else [args]
        total = 0
        for shape in [a.get_shape() for a in args]:
            if shape.ndims != 2:
                raise ValueError(f"linear is expecting 2D arguments: {[a.shape for a in args]}")
            depth = dimension_value(shape[1])
            if depth is None:
                raise ValueError(
                    f"linear expects shape[1] to be provided for shape {shape}, but saw {shape[1]}"
                )
            total += depth
        dtype = args[0].dtype
        self._build_bias = build_bias
        with variable_scope(get_variable_scope()) as outer_scope:
            self._weights = get_variable(
                "kernel", [total, output_size], dtype=dtype, initializer=kernel_initializer
            )
            if build_bias:
                with variable_scope(outer_scope) as inner_scope:
                    inner_scope.set_partitioner(None)
                    self._biases = get_variable(
                        "bias",
                        [output_size],
                        dtype=dtype,
                        initializer=bias_initializer
                        or init_ops.constant_initializer(0.0, dtype=dtype),
                    )

    def __call__(self, args):
        args = list(args) if self._is_sequence else [args]
        if len(args) == 1:
            res = math_ops.matmul(args[0], self._weights)
        else:
            one = constant(1, dtype=dtypes.int32)
            res = math_ops.matmul(array_ops.concat(args, one), self._weights)
        if self._build_bias:
            res = conv_ops.bias_add(res, self._biases)
        return res


def _input_size(inputs):
    size = dimension_value(inputs.get_shape().with_rank(2)[1])
    if size is None:
        raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
    return size


class LayerNormBasicLSTMCell(RNNCell):
    """A basic LSTM with layer normalization of the four gates (`input`, `transform`,
    `forget`, `output`) and of the new cell (`state`), each with its `gamma` (initially
    `norm_gain`) and `beta` (`norm_shift`), and recurrent dropout on the candidate
    (`dropout_keep_prob`). Without layer norm the gates get a `bias` instead."""

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        input_size=None,
        activation=math_ops.tanh,
        layer_norm=True,
        norm_gain=1.0,
        norm_shift=0.0,
        dropout_keep_prob=1.0,
        dropout_prob_seed=None,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._activation = activation
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def _norm(self, inp, scope, dtype=dtypes.float32):
        shape = inp.get_shape()[-1:]
        with variable_scope(scope):
            gain = init_ops.constant_initializer(self._norm_gain)
            shift = init_ops.constant_initializer(self._norm_shift)
            get_variable("gamma", shape=shape, initializer=gain, dtype=dtype)
            get_variable("beta", shape=shape, initializer=shift, dtype=dtype)
        return layers.layer_norm(inp, reuse=True, scope=scope)

    def _linear(self, args):
        out_size = 4 * self._num_units
        dtype = args.dtype
        weights = get_variable("kernel", [args.get_shape()[-1], out_size], dtype=dtype)
        out = math_ops.matmul(args, weights)
        if not self._layer_norm:
            bias = get_variable("bias", [out_size], dtype=dtype)
            out = conv_ops.bias_add(out, bias)
        return out

    def call(self, inputs, state):
        c, h = state
        args = array_ops.concat([inputs, h], 1)
        concat = self._linear(args)
        dtype = args.dtype
        i, j, f, o = array_ops.split(value=concat, num_or_size_splits=4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input", dtype=dtype)
            j = self._norm(j, "transform", dtype=dtype)
            f = self._norm(f, "forget", dtype=dtype)
            o = self._norm(o, "output", dtype=dtype)
        g = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = nn_ops.dropout(g, self._keep_prob, seed=self._seed)
        new_c = c * math_ops.sigmoid(f + self._forget_bias) + math_ops.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state", dtype=dtype)
        new_h = self._activation(new_c) * math_ops.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class _WrapperCell(RNNCell):
    """A cell around `cell` with a variable scope of its own (the inner cell's variables
    live under it)."""

    def __init__(self, cell, reuse=None) -> None:
        super().__init__(_reuse=reuse)
        rnn_cell_impl.assert_like_rnncell("cell", cell)
        self._cell = cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class InputProjectionWrapper(_WrapperCell):
    """Projects the inputs to `num_proj` (`kernel`, `bias`, then `activation`) before
    the wrapped cell."""

    def __init__(self, cell, num_proj, activation=None, input_size=None, reuse=None) -> None:
        super().__init__(cell, reuse=reuse)
        self._num_proj = num_proj
        self._activation = activation
        self._linear = None

    def call(self, inputs, state):
        if self._linear is None:
            self._linear = _Linear(inputs, self._num_proj, True)
        projected = self._linear(inputs)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


class OutputProjectionWrapper(_WrapperCell):
    """Projects the wrapped cell's output to `output_size` (`kernel`, `bias`, then
    `activation`)."""

    def __init__(self, cell, output_size, activation=None, reuse=None) -> None:
        super().__init__(cell, reuse=reuse)
        if output_size < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        self._output_size = output_size
        self._activation = activation
        self._linear = None

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        output, res_state = self._cell(inputs, state)
        if self._linear is None:
            self._linear = _Linear(output, self._output_size, True)
        projected = self._linear(output)
        if self._activation:
            projected = self._activation(projected)
        return projected, res_state


class EmbeddingWrapper(_WrapperCell):
    """Looks the integer inputs up in an `embedding` [embedding_classes, embedding_size]
    (on the CPU; uniform in +-sqrt(3) unless an initializer is given) and feeds the
    embeddings to the wrapped cell."""

    def __init__(
        self, cell, embedding_classes, embedding_size, initializer=None, reuse=None
    ) -> None:
        super().__init__(cell, reuse=reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(
                "Both embedding_classes and embedding_size must be > 0: "
                f"{embedding_classes}, {embedding_size}."
            )
        self._embedding_classes = embedding_classes
        self._embedding_size = embedding_size
        self._initializer = initializer

    def call(self, inputs, state):
        with graph_device("/cpu:0"):
            initializer = self._initializer or get_variable_scope().initializer
            if initializer is None:
                sqrt3 = math.sqrt(3)
                initializer = init_ops.random_uniform_initializer(-sqrt3, sqrt3)
            data_type = state[0].dtype if isinstance(state, tuple) else state.dtype
            embedding = get_variable(
                "embedding",
                [self._embedding_classes, self._embedding_size],
                initializer=initializer,
                dtype=data_type,
            )
            embedded = nn_ops.embedding_lookup(embedding, array_ops.reshape(inputs, [-1]))
            return self._cell(embedded, state)


class AttentionCellWrapper(RNNCell):
    """Attention over the last `attn_length` outputs (Cheng et al., 2016): the state is
    `(cell state, attention, attention window)`; the inputs are mixed with the previous
    attention (`kernel`, `bias`), the cell runs, the window is attended (`attention/
    attn_w`, `attention/attn_v`, `attention/kernel`, `attention/bias`) and the output
    projected (`attn_output_projection/...`)."""

    def __init__(
        self,
        cell,
        attn_length,
        attn_size=None,
        attn_vec_size=None,
        input_size=None,
        state_is_tuple=True,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        rnn_cell_impl.assert_like_rnncell("cell", cell)
        if nest.is_nested(cell.state_size) and not state_is_tuple:
            raise ValueError(
                "Cell returns tuple of states, but the flag state_is_tuple is not set. "
                f"State size is: {cell.state_size}"
            )
        if attn_length <= 0:
            raise ValueError(f"attn_length should be greater than zero, got {attn_length}")
        attn_size = cell.output_size if attn_size is None else attn_size
        self._state_is_tuple = state_is_tuple
        self._cell = cell
        self._attn_vec_size = attn_size if attn_vec_size is None else attn_vec_size
        self._input_size = input_size
        self._attn_size = attn_size
        self._attn_length = attn_length
        self._linears: dict = {}

    @property
    def state_size(self):
        size = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return size if self._state_is_tuple else sum(size)

    @property
    def output_size(self):
        return self._attn_size

    def _linear(self, key, args, size):
        if key not in self._linears:
            self._linears[key] = _Linear(args, size, True)
        return self._linears[key](args)

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        n, a = self._cell.state_size, self._attn_size
        return (
            array_ops.slice(state, [0, 0], [-1, n]),
            array_ops.slice(state, [0, n], [-1, a]),
            array_ops.slice(state, [0, n + a], [-1, a * self._attn_length]),
        )

    def call(self, inputs, state):
        state, attns, attn_states = self._split_state(state)
        attn_states = array_ops.reshape(attn_states, [-1, self._attn_length, self._attn_size])
        input_size = self._input_size
        if input_size is None:
            input_size = inputs.get_shape().as_list()[1]
        inputs = self._linear("input", [inputs, attns], input_size)
        cell_output, new_state = self._cell(inputs, state)
        if self._state_is_tuple:
            new_state_cat = array_ops.concat(nest.flatten(new_state), 1)
        else:
            new_state_cat = new_state
        new_attns, new_attn_states = self._attention(new_state_cat, attn_states)
        with variable_scope("attn_output_projection"):
            output = self._linear("output", [cell_output, new_attns], self._attn_size)
        new_attn_states = array_ops.concat([new_attn_states, array_ops.expand_dims(output, 1)], 1)
        new_attn_states = array_ops.reshape(
            new_attn_states, [-1, self._attn_length * self._attn_size]
        )
        new_state = (new_state, new_attns, new_attn_states)
        if not self._state_is_tuple:
            new_state = array_ops.concat(list(new_state), 1)
        return output, new_state

    def _attention(self, query, attn_states):
        length, size, vec_size = self._attn_length, self._attn_size, self._attn_vec_size
        with variable_scope("attention"):
            k = get_variable("attn_w", [1, 1, size, vec_size])
            v = get_variable("attn_v", [vec_size])
            hidden = array_ops.reshape(attn_states, [-1, length, 1, size])
            hidden_features = conv_ops.conv2d(hidden, k, [1, 1, 1, 1], "SAME")
            y = self._linear("query", query, vec_size)
            y = array_ops.reshape(y, [-1, 1, 1, vec_size])
            s = math_ops.reduce_sum(v * math_ops.tanh(hidden_features + y), [2, 3])
            a = nn_ops.softmax(s)
            d = math_ops.reduce_sum(array_ops.reshape(a, [-1, length, 1, 1]) * hidden, [1, 2])
            new_attns = array_ops.reshape(d, [-1, size])
            new_attn_states = array_ops.slice(attn_states, [0, 1, 0], [-1, -1, -1])
            return new_attns, new_attn_states


class HighwayWrapper:
    """Adds a highway connection around `cell`: `inputs * carry + outputs * transform`
    with `carry = sigmoid(inputs @ carry_w + carry_b)` and `transform = 1 - carry`
    (or its own `transform_w`, `transform_b`). It opens no scope of its own."""

    def __init__(self, cell, couple_carry_transform_gates=True, carry_bias_init=1.0) -> None:
        self._cell = cell
        self._couple_carry_transform_gates = couple_carry_transform_gates
        self._carry_bias_init = carry_bias_init

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def _highway(self, inp, out):
        size = dimension_value(inp.get_shape().with_rank(2)[1])
        bias = self._carry_bias_init
        carry_w = get_variable("carry_w", [size, size])
        carry_b = get_variable("carry_b", [size], initializer=init_ops.constant_initializer(bias))
        carry = math_ops.sigmoid(nn_ops.xw_plus_b(inp, carry_w, carry_b))
        if self._couple_carry_transform_gates:
            transform = 1 - carry
        else:
            transform_w = get_variable("transform_w", [size, size])
            transform_b = get_variable(
                "transform_b", [size], initializer=init_ops.constant_initializer(-bias)
            )
            transform = math_ops.sigmoid(nn_ops.xw_plus_b(inp, transform_w, transform_b))
        return inp * carry + out * transform

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope=scope)
        nest.assert_same_structure(inputs, outputs)
        nest.map_structure(
            lambda inp, out: inp.get_shape().assert_is_compatible_with(out.get_shape()),
            inputs,
            outputs,
        )
        return nest.map_structure(self._highway, inputs, outputs), new_state


class UGRNNCell(RNNCell):
    """Update-gate RNN (Collins et al., 2017): `g = sigmoid(g_act + forget_bias)`,
    `new_state = g * state + (1 - g) * activation(c_act)` from one `kernel`, `bias`."""

    def __init__(
        self, num_units, initializer=None, forget_bias=1.0, activation=math_ops.tanh, reuse=None
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._activation = activation
        self._linear = None

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        _input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            cell_inputs = array_ops.concat([inputs, state], 1)
            if self._linear is None:
                self._linear = _Linear(cell_inputs, 2 * self._num_units, True)
            rnn_matrix = self._linear(cell_inputs)
            g_act, c_act = array_ops.split(axis=1, num_or_size_splits=2, value=rnn_matrix)
            c = self._activation(c_act)
            g = math_ops.sigmoid(g_act + self._forget_bias)
            new_state = g * state + (1.0 - g) * c
        return new_state, new_state


class IntersectionRNNCell(RNNCell):
    """Intersection RNN (+RNN, Collins et al., 2017): gated paths through time (the
    state) and through depth (the output, which needs input size == `num_units`; the
    first layer projects its inputs with `num_in_proj`)."""

    def __init__(
        self,
        num_units,
        num_in_proj=None,
        initializer=None,
        forget_bias=1.0,
        y_activation=nn_ops.relu,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._num_input_proj = num_in_proj
        self._y_activation = y_activation
        self._linear1 = None
        self._linear2 = None

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        input_size = _input_size(inputs)
        n = self._num_units
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            if input_size != n:
                if not self._num_input_proj:
                    raise ValueError(
                        "Must have input size == output size for Intersection RNN. To fix, "
                        "num_in_proj should be set to num_units at cell init."
                    )
                with variable_scope("in_projection"):
                    if self._linear1 is None:
                        self._linear1 = _Linear(inputs, n, True)
                    inputs = self._linear1(inputs)
            cell_inputs = array_ops.concat([inputs, state], 1)
            if self._linear2 is None:
                self._linear2 = _Linear(cell_inputs, 4 * n, True)
            rnn_matrix = self._linear2(cell_inputs)
            gh_act = rnn_matrix[:, :n]
            h_act = rnn_matrix[:, n : 2 * n]
            gy_act = rnn_matrix[:, 2 * n : 3 * n]
            y_act = rnn_matrix[:, 3 * n : 4 * n]
            h = math_ops.tanh(h_act)
            y = self._y_activation(y_act)
            gh = math_ops.sigmoid(gh_act + self._forget_bias)
            gy = math_ops.sigmoid(gy_act + self._forget_bias)
            new_state = gh * state + (1.0 - gh) * h
            new_y = gy * inputs + (1.0 - gy) * y
        return new_y, new_state


class NASCell(LayerRNNCell):
    """The recurrent cell found by Neural Architecture Search (Zoph & Le, 2017):
    `kernel` (inputs) and `recurrent_kernel` (previous output) feed eight branches;
    optional `bias` and `projection_weights`."""

    _NAS_BASE = 8

    def __init__(self, num_units, num_proj=None, use_bias=False, reuse=None, **kwargs) -> None:
        super().__init__(_reuse=reuse, **kwargs)
        self._num_units = num_units
        self._num_proj = num_proj
        self._use_bias = use_bias
        out = num_units if num_proj is None else num_proj
        self._state_size = LSTMStateTuple(num_units, out)
        self._output_size = out

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, inputs_shape) -> None:
        input_size = dimension_value(TensorShape(inputs_shape).with_rank(2)[1])
        if input_size is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        width = self._NAS_BASE * self._num_units
        self.recurrent_kernel = self.add_weight("recurrent_kernel", [self._output_size, width])
        self.kernel = self.add_weight("kernel", [input_size, width])
        if self._use_bias:
            self.bias = self.add_weight(
                "bias", shape=[width], initializer=init_ops.zeros_initializer()
            )
        if self._num_proj is not None:
            self.projection_weights = self.add_weight(
                "projection_weights", [self._num_units, self._num_proj]
            )
        self.built = True

    def call(self, inputs, state):
        sigmoid, tanh, relu = math_ops.sigmoid, math_ops.tanh, nn_ops.relu
        c_prev, m_prev = state
        m_matrix = math_ops.matmul(m_prev, self.recurrent_kernel)
        inputs_matrix = math_ops.matmul(inputs, self.kernel)
        if self._use_bias:
            m_matrix = conv_ops.bias_add(m_matrix, self.bias)
        m = array_ops.split(axis=1, num_or_size_splits=self._NAS_BASE, value=m_matrix)
        x = array_ops.split(axis=1, num_or_size_splits=self._NAS_BASE, value=inputs_matrix)
        layer1 = [
            sigmoid(x[0] + m[0]),
            relu(x[1] + m[1]),
            sigmoid(x[2] + m[2]),
            relu(x[3] * m[3]),
            tanh(x[4] + m[4]),
            sigmoid(x[5] + m[5]),
            tanh(x[6] + m[6]),
            sigmoid(x[7] + m[7]),
        ]
        l2_0 = tanh(layer1[0] * layer1[1])
        l2_1 = tanh(layer1[2] + layer1[3])
        l2_2 = tanh(layer1[4] * layer1[5])
        l2_3 = sigmoid(layer1[6] + layer1[7])
        l2_0 = tanh(l2_0 + c_prev)
        new_c = l2_0 * l2_1
        l3_1 = tanh(l2_2 + l2_3)
        new_m = tanh(new_c * l3_1)
        if self._num_proj is not None:
            new_m = math_ops.matmul(new_m, self.projection_weights)
        return new_m, LSTMStateTuple(new_c, new_m)


def _sharded_variable(name, shape, dtype, num_shards):
    """`name` split row-wise into `num_shards` variables `<name>_<i>`, concatenated
    (`<name>/concat`) when more than one (contrib's `_get_concat_variable`)."""
    if num_shards > shape[0]:
        raise ValueError(f"Too many shards: shape={shape}, num_shards={num_shards}")
    unit = shape[0] // num_shards
    remaining = shape[0] - unit * num_shards
    shards = [
        get_variable(f"{name}_{i}", [unit + (1 if i < remaining else 0)] + shape[1:], dtype=dtype)
        for i in range(num_shards)
    ]
    if len(shards) == 1:
        return shards[0]
    return array_ops.concat(shards, 0, name=f"{name}/concat")


def _contrib_norm(gain, shift, inp, scope):
    shape = inp.get_shape()[-1:]
    with variable_scope(scope):
        get_variable("gamma", shape=shape, initializer=init_ops.constant_initializer(gain))
        get_variable("beta", shape=shape, initializer=init_ops.constant_initializer(shift))
    return layers.layer_norm(inp, reuse=True, scope=scope)


class CoupledInputForgetGateLSTMCell(RNNCell):
    """LSTM whose input gate is one minus its forget gate (Greff et al.): `W_0` (rows
    sharded over `num_unit_shards` as `W_<i>`), `B`, peepholes `W_F_diag`, `W_O_diag`,
    projection `W_P_0`, optional layer norm (`transform`, `forget`, `output`, `state`)."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        num_unit_shards=1,
        num_proj_shards=1,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=math_ops.tanh,
        reuse=None,
        layer_norm=False,
        norm_gain=1.0,
        norm_shift=0.0,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation
        self._layer_norm = layer_norm
        self._norm = (norm_gain, norm_shift)
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out) if state_is_tuple else num_units + out
        self._output_size = out

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def _gates(self, inputs, m_prev, num_proj):
        dtype = inputs.dtype
        input_size = _input_size(inputs)
        n = self._num_units
        concat_w = _sharded_variable(
            "W", [input_size + num_proj, 3 * n], dtype, self._num_unit_shards
        )
        b = get_variable("B", shape=[3 * n], initializer=init_ops.zeros_initializer(), dtype=dtype)
        lstm_matrix = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), concat_w)
        if not self._layer_norm:
            lstm_matrix = conv_ops.bias_add(lstm_matrix, b)
        j, f, o = array_ops.split(value=lstm_matrix, num_or_size_splits=3, axis=1)
        if self._layer_norm:
            j = _contrib_norm(*self._norm, j, "transform")
            f = _contrib_norm(*self._norm, f, "forget")
            o = _contrib_norm(*self._norm, o, "output")
        return j, f, o

    def call(self, inputs, state):
        sigmoid = math_ops.sigmoid
        n = self._num_units
        num_proj = n if self._num_proj is None else self._num_proj
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array_ops.slice(state, [0, 0], [-1, n])
            m_prev = array_ops.slice(state, [0, n], [-1, num_proj])
        j, f, o = self._gates(inputs, m_prev, num_proj)
        if self._use_peepholes:
            w_f_diag = get_variable("W_F_diag", shape=[n], dtype=inputs.dtype)
            w_o_diag = get_variable("W_O_diag", shape=[n], dtype=inputs.dtype)
            f_act = sigmoid(f + self._forget_bias + w_f_diag * c_prev)
        else:
            f_act = sigmoid(f + self._forget_bias)
        c = f_act * c_prev + (1 - f_act) * self._activation(j)
        if self._layer_norm:
            c = _contrib_norm(*self._norm, c, "state")
        if self._use_peepholes:
            m = sigmoid(o + w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            w_proj = _sharded_variable(
                "W_P", [n, self._num_proj], inputs.dtype, self._num_proj_shards
            )
            m = math_ops.matmul(m, w_proj)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else array_ops.concat([c, m], 1)
        return m, new_state


class LSTMBlockCell(LayerRNNCell):
    """contrib's fused LSTM cell (`lstm_cell/kernel`, `bias`, peepholes `w_i_diag`,
    `w_f_diag`, `w_o_diag`), computed with ordinary ops: the gates i, ci, f, o in
    BasicLSTMCell's order, `forget_bias` on f, optional `cell_clip`."""

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        cell_clip=None,
        use_peephole=False,
        dtype=None,
        reuse=None,
        name="lstm_cell",
    ) -> None:
        super().__init__(_reuse=reuse, dtype=dtype, name=name)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._cell_clip = cell_clip if cell_clip is not None else -1
        self._use_peephole = use_peephole

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        shape = TensorShape(inputs_shape)
        if dimension_value(shape[1]) is None:
            raise ValueError(f"Expecting inputs_shape[1] to be set: {shape}")
        n = self._num_units
        self._kernel = self.add_weight("kernel", [dimension_value(shape[1]) + n, 4 * n])
        self._bias = self.add_weight(
            "bias", [4 * n], initializer=init_ops.constant_initializer(0.0)
        )
        if self._use_peephole:
            self._w_i_diag = self.add_weight("w_i_diag", [n])
            self._w_f_diag = self.add_weight("w_f_diag", [n])
            self._w_o_diag = self.add_weight("w_o_diag", [n])
        self.built = True

    def call(self, inputs, state):
        cs_prev, h_prev = state
        peepholes = (self._w_i_diag, self._w_f_diag, self._w_o_diag) if self._use_peephole else None
        cs, h = block_lstm_step(
            inputs, cs_prev, h_prev, self._kernel, self._bias, peepholes,
            self._forget_bias, self._cell_clip,
        )  # fmt: skip
        return h, LSTMStateTuple(cs, h)


def block_lstm_step(x, cs_prev, h_prev, kernel, bias, peepholes, forget_bias, cell_clip):
    """One step of TF's fused LSTM block (the LSTMBlockCell / BlockLSTM formula): gates
    i, ci, f, o from `[x, h_prev] @ kernel + bias`, optional peepholes `(wci, wcf, wco)`,
    the cell clipped to `cell_clip` when it is positive (gradients pass the clip
    unchanged, as TF's fused gradient kernels pass them); returns `(cs, h)`."""
    gates = math_ops.matmul(array_ops.concat([x, h_prev], 1), kernel)
    i, ci, f, o = array_ops.split(conv_ops.bias_add(gates, bias), 4, axis=1)
    if peepholes is not None:
        i = i + cs_prev * peepholes[0]
        f = f + cs_prev * peepholes[1]
    cs = math_ops.sigmoid(i) * math_ops.tanh(ci) + cs_prev * math_ops.sigmoid(f + forget_bias)
    if cell_clip > 0:
        # TF's fused kernels back-propagate through the clip as through the identity
        clipped = math_ops.clip_by_value(cs, -cell_clip, cell_clip)
        cs = cs + array_ops.stop_gradient(clipped - cs)
    if peepholes is not None:
        o = o + cs * peepholes[2]
    return cs, math_ops.tanh(cs) * math_ops.sigmoid(o)


class GRUBlockCell(LayerRNNCell):
    """contrib's fused GRU cell (`gru_cell/w_ru`, `b_ru` (ones), `w_c`, `b_c`), computed
    with ordinary ops; the same formula as GRUCell."""

    _names = ("w_ru", "b_ru", "w_c", "b_c")

    def __init__(self, num_units=None, cell_size=None, reuse=None, name="gru_cell") -> None:
        super().__init__(_reuse=reuse, name=name)
        if (cell_size is None) == (num_units is None):
            raise ValueError("Exactly one of num_units or cell_size must be provided.")
        self._cell_size = num_units if num_units is not None else cell_size

    @property
    def state_size(self):
        return self._cell_size

    @property
    def output_size(self):
        return self._cell_size

    def build(self, inputs_shape) -> None:
        shape = TensorShape(inputs_shape)
        if dimension_value(shape[1]) is None:
            raise ValueError(f"Expecting inputs_shape[1] to be set: {shape}")
        rows = dimension_value(shape[1]) + self._cell_size
        n = self._cell_size
        w_ru, b_ru, w_c, b_c = self._names
        self._gate_kernel = self.add_weight(w_ru, [rows, 2 * n])
        self._gate_bias = self.add_weight(
            b_ru, [2 * n], initializer=init_ops.constant_initializer(1.0)
        )
        self._candidate_kernel = self.add_weight(w_c, [rows, n])
        self._candidate_bias = self.add_weight(
            b_c, [n], initializer=init_ops.constant_initializer(0.0)
        )
        self.built = True

    def call(self, inputs, h_prev):
        gates = math_ops.matmul(array_ops.concat([inputs, h_prev], 1), self._gate_kernel)
        r, u = array_ops.split(math_ops.sigmoid(conv_ops.bias_add(gates, self._gate_bias)), 2, 1)
        c = math_ops.matmul(array_ops.concat([inputs, r * h_prev], 1), self._candidate_kernel)
        c = math_ops.tanh(conv_ops.bias_add(c, self._candidate_bias))
        h = u * h_prev + (1 - u) * c
        return h, h


class GRUBlockCellV2(GRUBlockCell):
    """GRUBlockCell with GRUCell's variable names (`gates/kernel`, `gates/bias`,
    `candidate/kernel`, `candidate/bias`), so GRUCell checkpoints load into it."""

    _names = ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")
