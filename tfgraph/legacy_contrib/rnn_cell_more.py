"""More of TF 1.15's `tf.contrib.rnn` cells: the LSTM with layer normalization and
peepholes/projection (`LayerNormLSTMCell`), SRU, the independently recurrent cells
(`IndRNNCell`, `IndyGRUCell`, `IndyLSTMCell`) and the convolutional LSTMs
(`ConvLSTMCell`, `Conv1DLSTMCell`, `Conv2DLSTMCell`, `Conv3DLSTMCell`), with contrib's
variable names and formulas.
"""

from __future__ import annotations

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import constant
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_contrib.rnn_cell import _contrib_norm, _input_size
from tfgraph.legacy_layers import base
from tfgraph.legacy_layers.rnn_cell_impl import LayerRNNCell, LSTMStateTuple, RNNCell
from tfgraph.ops import array_ops, conv3d_ops, conv_ops, init_ops, math_ops
from tfgraph.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = [
    "CFNCell",
    "Conv1DLSTMCell",
    "Conv2DLSTMCell",
    "Conv3DLSTMCell",
    "ConvLSTMCell",
    "IndRNNCell",
    "IndyGRUCell",
    "IndyLSTMCell",
    "LayerNormLSTMCell",
    "MinimalRNNCell",
    "SRUCell",
]


def _linear(args, output_size, bias, layer_norm=False):
    """`concat(args) @ kernel`, plus `bias` unless layer norm replaces it (the bias
    variable is made either way, as contrib's LayerNormLSTMCell makes it)."""
    args = list(args) if nest.is_nested(args) else [args]
    total = sum(_input_size(a) for a in args)
    dtype = args[0].dtype
    with variable_scope(get_variable_scope()) as outer_scope:
        weights = get_variable("kernel", [total, output_size], dtype=dtype)
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
    return res if layer_norm else conv_ops.bias_add(res, biases)


class LayerNormLSTMCell(RNNCell):
    """LSTMCell with layer normalization of the gates and the new cell (`input`,
    `transform`, `forget`, `output`, `state`) when `layer_norm`; peepholes
    (`w_f_diag`, `w_i_diag`, `w_o_diag`), cell clipping, a projection
    (`projection/kernel`) and its clipping."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        forget_bias=1.0,
        activation=None,
        layer_norm=False,
        norm_gain=1.0,
        norm_shift=0.0,
        reuse=None,
    ) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh
        self._layer_norm = layer_norm
        self._norm = (norm_gain, norm_shift)
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out)
        self._output_size = out

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        sigmoid, act, n = math_ops.sigmoid, self._activation, self._num_units
        c_prev, m_prev = state
        _input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer) as unit_scope:
            lstm_matrix = _linear([inputs, m_prev], 4 * n, True, self._layer_norm)
            i, j, f, o = array_ops.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
            if self._layer_norm:
                i = _contrib_norm(*self._norm, i, "input")
                j = _contrib_norm(*self._norm, j, "transform")
                f = _contrib_norm(*self._norm, f, "forget")
                o = _contrib_norm(*self._norm, o, "output")
            if self._use_peepholes:
                with variable_scope(unit_scope):
                    w_f = get_variable("w_f_diag", shape=[n], dtype=inputs.dtype)
                    w_i = get_variable("w_i_diag", shape=[n], dtype=inputs.dtype)
                    w_o = get_variable("w_o_diag", shape=[n], dtype=inputs.dtype)
                c = sigmoid(f + self._forget_bias + w_f * c_prev) * c_prev + sigmoid(
                    i + w_i * c_prev
                ) * act(j)
            else:
                c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * act(j)
            if self._layer_norm:
                c = _contrib_norm(*self._norm, c, "state")
            if self._cell_clip is not None:
                c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
            if self._use_peepholes:
                m = sigmoid(o + w_o * c) * act(c)
            else:
                m = sigmoid(o) * act(c)
            if self._num_proj is not None:
                with variable_scope("projection"):
                    m = _linear(m, self._num_proj, False)
                if self._proj_clip is not None:
                    m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, LSTMStateTuple(c, m)


def _depth(cell, inputs_shape):
    depth = dimension_value(TensorShape(inputs_shape)[1])
    if depth is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
    return depth


class SRUCell(LayerRNNCell):
    """Simple Recurrent Unit (Lei et al., 2017): `kernel` [depth, 4 units], `bias`
    [2 units]; the state enters only elementwise."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, **kwargs) -> None:
        super().__init__(_reuse=reuse, name=name, **kwargs)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh
        self.input_spec = base.InputSpec(ndim=2)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        depth = _depth(self, inputs_shape)
        self._kernel = self.add_weight("kernel", shape=[depth, 4 * self._num_units])
        self._bias = self.add_weight(
            "bias", shape=[2 * self._num_units], initializer=init_ops.zeros_initializer()
        )
        self.built = True

    def call(self, inputs, state):
        u = math_ops.matmul(inputs, self._kernel)
        x_bar, f_inter, r_inter, x_tx = array_ops.split(value=u, num_or_size_splits=4, axis=1)
        f_r = math_ops.sigmoid(
            conv_ops.bias_add(array_ops.concat([f_inter, r_inter], 1), self._bias)
        )
        f, r = array_ops.split(value=f_r, num_or_size_splits=2, axis=1)
        c = f * state + (1.0 - f) * x_bar
        h = r * self._activation(c) + (1.0 - r) * x_tx
        return h, c


def _recurrent_u(cell, name, width):
    return cell.add_weight(
        name,
        shape=[1, width],
        initializer=init_ops.random_uniform_initializer(minval=-1, maxval=1, dtype=cell.dtype),
    )


class IndRNNCell(LayerRNNCell):
    """Independently recurrent cell (Li et al., 2018): `act(x @ kernel_w + state *
    kernel_u + bias)`."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        n = self._num_units
        self._kernel_w = self.add_weight("kernel_w", shape=[_depth(self, inputs_shape), n])
        self._kernel_u = _recurrent_u(self, "kernel_u", n)
        self._bias = self.add_weight(
            "bias", shape=[n], initializer=init_ops.zeros_initializer(dtype=self.dtype)
        )
        self.built = True

    def call(self, inputs, state):
        gate_inputs = math_ops.matmul(inputs, self._kernel_w) + state * self._kernel_u
        output = self._activation(conv_ops.bias_add(gate_inputs, self._bias))
        return output, output


class IndyGRUCell(LayerRNNCell):
    """GRUCell with the recurrent matrices made diagonal (`gates/kernel_w`,
    `gates/kernel_u`, `gates/bias`, `candidate/kernel`, `candidate/kernel_u`,
    `candidate/bias`, as contrib names them)."""

    def __init__(
        self,
        num_units,
        activation=None,
        reuse=None,
        kernel_initializer=None,
        bias_initializer=None,
        name=None,
        dtype=None,
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        depth, n = _depth(self, inputs_shape), self._num_units
        kinit, binit = self._kernel_initializer, self._bias_initializer
        self._gate_kernel_w = self.add_weight(
            "gates/kernel_w", shape=[depth, 2 * n], initializer=kinit
        )
        self._gate_kernel_u = _recurrent_u(self, "gates/kernel_u", 2 * n)
        self._gate_bias = self.add_weight(
            "gates/bias",
            shape=[2 * n],
            initializer=binit or init_ops.constant_initializer(1.0, dtype=self.dtype),
        )
        self._candidate_kernel_w = self.add_weight(
            "candidate/kernel", shape=[depth, n], initializer=kinit
        )
        self._candidate_kernel_u = _recurrent_u(self, "candidate/kernel_u", n)
        self._candidate_bias = self.add_weight(
            "candidate/bias",
            shape=[n],
            initializer=binit or init_ops.zeros_initializer(dtype=self.dtype),
        )
        self.built = True

    def call(self, inputs, state):
        gate_inputs = math_ops.matmul(inputs, self._gate_kernel_w) + (
            array_ops.tile(state, [1, 2]) * self._gate_kernel_u
        )
        value = math_ops.sigmoid(conv_ops.bias_add(gate_inputs, self._gate_bias))
        r, u = array_ops.split(value=value, num_or_size_splits=2, axis=1)
        candidate = math_ops.matmul(inputs, self._candidate_kernel_w) + (
            r * state * self._candidate_kernel_u
        )
        c = self._activation(conv_ops.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class IndyLSTMCell(LayerRNNCell):
    """BasicLSTMCell with the recurrent matrix made diagonal: `kernel_w`, `kernel_u`,
    `bias`."""

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        activation=None,
        reuse=None,
        kernel_initializer=None,
        bias_initializer=None,
        name=None,
        dtype=None,
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        depth, n = _depth(self, inputs_shape), self._num_units
        self._kernel_w = self.add_weight(
            "kernel_w", shape=[depth, 4 * n], initializer=self._kernel_initializer
        )
        self._kernel_u = _recurrent_u(self, "kernel_u", 4 * n)
        self._bias = self.add_weight(
            "bias",
            shape=[4 * n],
            initializer=self._bias_initializer or init_ops.zeros_initializer(dtype=self.dtype),
        )
        self.built = True

    def call(self, inputs, state):
        sigmoid = math_ops.sigmoid
        one = constant(1, dtype=dtypes.int32)
        c, h = state
        gate_inputs = math_ops.matmul(inputs, self._kernel_w)
        gate_inputs += array_ops.tile(h, [1, 4]) * self._kernel_u
        gate_inputs = conv_ops.bias_add(gate_inputs, self._bias)
        i, j, f, o = array_ops.split(value=gate_inputs, num_or_size_splits=4, axis=one)
        forget_bias = constant(self._forget_bias, dtype=f.dtype)
        add, multiply = math_ops.add, math_ops.multiply
        new_c = add(
            multiply(c, sigmoid(add(f, forget_bias))), multiply(sigmoid(i), self._activation(j))
        )
        new_h = multiply(self._activation(new_c), sigmoid(o))
        return new_h, LSTMStateTuple(new_c, new_h)


def _conv(args, filter_size, num_features, bias, bias_start=0.0):
    """A SAME convolution of `args` concatenated on the channel axis with `kernel`
    (+ `biases`), 1-D, 2-D or 3-D by the inputs' rank."""
    shapes = [a.get_shape().as_list() for a in args]
    rank = len(shapes[0])
    for shape in shapes:
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"Conv Linear expects 3D, 4D or 5D arguments: {shapes}")
        if len(shape) != rank:
            raise ValueError(f"Conv Linear expects all args to be of same Dimension: {shapes}")
    depth = sum(shape[-1] for shape in shapes)
    dtype = args[0].dtype
    kernel = get_variable("kernel", list(filter_size) + [depth, num_features], dtype=dtype)
    value = args[0] if len(args) == 1 else array_ops.concat(axis=rank - 1, values=args)
    if rank == 3:
        res = conv_ops.conv1d(value, kernel, 1, padding="SAME")
    elif rank == 4:
        res = conv_ops.conv2d(value, kernel, [1] * 4, padding="SAME")
    else:
        res = conv3d_ops.conv3d(value, kernel, [1] * 5, padding="SAME")
    if not bias:
        return res
    bias_term = get_variable(
        "biases",
        [num_features],
        dtype=dtype,
        initializer=init_ops.constant_initializer(bias_start, dtype=dtype),
    )
    return res + bias_term


class ConvLSTMCell(RNNCell):
    """Convolutional LSTM (Shi et al., 2015): the gates are SAME convolutions of the
    input and the hidden state (`kernel`, `biases`); `skip_connection` concatenates
    the input to the output."""

    def __init__(
        self,
        conv_ndims,
        input_shape,
        output_channels,
        kernel_shape,
        use_bias=True,
        skip_connection=False,
        forget_bias=1.0,
        initializers=None,
        name="conv_lstm_cell",
    ) -> None:
        super().__init__(name=name)
        if conv_ndims != len(input_shape) - 1:
            raise ValueError(f"Invalid input_shape {input_shape} for conv_ndims={conv_ndims}.")
        self._conv_ndims = conv_ndims
        self._input_shape = list(input_shape)
        self._output_channels = output_channels
        self._kernel_shape = list(kernel_shape)
        self._use_bias = use_bias
        self._forget_bias = forget_bias
        self._skip_connection = skip_connection
        total = output_channels + (self._input_shape[-1] if skip_connection else 0)
        state_size = TensorShape(self._input_shape[:-1] + [output_channels])
        self._state_size = LSTMStateTuple(state_size, state_size)
        self._output_size = TensorShape(self._input_shape[:-1] + [total])

    @property
    def output_size(self):
        return self._output_size

    @property
    def state_size(self):
        return self._state_size

    def call(self, inputs, state, scope=None):
        cell, hidden = state
        new_hidden = _conv(
            [inputs, hidden], self._kernel_shape, 4 * self._output_channels, self._use_bias
        )
        input_gate, new_input, forget_gate, output_gate = array_ops.split(
            value=new_hidden, num_or_size_splits=4, axis=self._conv_ndims + 1
        )
        new_cell = math_ops.sigmoid(forget_gate + self._forget_bias) * cell
        new_cell += math_ops.sigmoid(input_gate) * math_ops.tanh(new_input)
        output = math_ops.tanh(new_cell) * math_ops.sigmoid(output_gate)
        if self._skip_connection:
            output = array_ops.concat([output, inputs], axis=-1)
        return output, LSTMStateTuple(new_cell, output)


class Conv1DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over 1-D inputs ([batch, width, channels])."""

    def __init__(self, name="conv_1d_lstm_cell", **kwargs) -> None:
        super().__init__(conv_ndims=1, name=name, **kwargs)


class Conv2DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over 2-D inputs ([batch, height, width, channels])."""

    def __init__(self, name="conv_2d_lstm_cell", **kwargs) -> None:
        super().__init__(conv_ndims=2, name=name, **kwargs)


class Conv3DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over 3-D inputs ([batch, depth, height, width, channels])."""

    def __init__(self, name="conv_3d_lstm_cell", **kwargs) -> None:
        super().__init__(conv_ndims=3, name=name, **kwargs)


def _keras_initializer(identifier):
    from tfgraph.keras import initializers

    return initializers.get(identifier)


def _keras_activation(identifier):
    from tfgraph.keras import activations

    return activations.get(identifier)


class _KerasStyleCell(LayerRNNCell):
    """The constructor, state and output sizes MinimalRNNCell and CFNCell share (they
    take Keras-style activation and initializer identifiers)."""

    def __init__(
        self,
        units,
        activation="tanh",
        kernel_initializer="glorot_uniform",
        bias_initializer="ones",
        name=None,
        dtype=None,
        **kwargs,
    ) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.input_spec = base.InputSpec(ndim=2)
        self.units = units
        self.activation = _keras_activation(activation)
        self.kernel_initializer = _keras_initializer(kernel_initializer)
        self.bias_initializer = _keras_initializer(bias_initializer)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units


class MinimalRNNCell(_KerasStyleCell):
    """MinimalRNN (Chen et al., 2018): the input projected by `kernel`'s first rows and
    `activation`, then mixed with the state by one update gate (`kernel`'s other rows,
    `bias`, initially ones)."""

    def build(self, inputs_shape) -> None:
        input_size = dimension_value(TensorShape(inputs_shape)[-1])
        if input_size is None:
            raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
        self.kernel = self.add_weight(
            name="kernel",
            shape=[input_size + 2 * self.units, self.units],
            initializer=self.kernel_initializer,
        )
        self.bias = self.add_weight(
            name="bias", shape=[self.units], initializer=self.bias_initializer
        )
        self.built = True

    def call(self, inputs, state):
        input_size = _input_size(inputs)
        feedforward_weight, gate_weight = array_ops.split(
            value=self.kernel, num_or_size_splits=[input_size, 2 * self.units], axis=0
        )
        feedforward = self.activation(math_ops.matmul(inputs, feedforward_weight))
        gate_inputs = math_ops.matmul(array_ops.concat([feedforward, state], 1), gate_weight)
        u = math_ops.sigmoid(conv_ops.bias_add(gate_inputs, self.bias))
        new_h = u * state + (1 - u) * feedforward
        return new_h, new_h


class CFNCell(_KerasStyleCell):
    """Chaos-free network (Laurent & von Brecht, 2017): `new_h = theta * act(state) +
    (1 - eta) * act(inputs @ W)` with gates from `kernel`, `recurrent_kernel`, `bias`."""

    def build(self, inputs_shape) -> None:
        input_size = dimension_value(TensorShape(inputs_shape)[-1])
        if input_size is None:
            raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
        self.kernel = self.add_weight(
            shape=[input_size, 3 * self.units], name="kernel", initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            shape=[self.units, 2 * self.units],
            name="recurrent_kernel",
            initializer=self.kernel_initializer,
        )
        self.bias = self.add_weight(
            shape=[2 * self.units], name="bias", initializer=self.bias_initializer
        )
        self.built = True

    def call(self, inputs, state):
        _input_size(inputs)
        v, w = array_ops.split(
            value=self.kernel, num_or_size_splits=[2 * self.units, self.units], axis=1
        )
        gates = math_ops.matmul(state, self.recurrent_kernel) + math_ops.matmul(inputs, v)
        gates = math_ops.sigmoid(conv_ops.bias_add(gates, self.bias))
        theta, eta = array_ops.split(value=gates, num_or_size_splits=2, axis=1)
        proj_input = math_ops.matmul(inputs, w)
        new_h = theta * self.activation(state) + (1 - eta) * self.activation(proj_input)
        return new_h, new_h
