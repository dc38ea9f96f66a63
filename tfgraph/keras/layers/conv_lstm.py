"""Keras 2's convolutional LSTMs (ConvLSTM1D/2D/3D, channels last): an LSTM whose
input and recurrent transforms are convolutions, run over the time axis in a
`tf.while_loop` as Keras' backend.rnn builds it."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import activations, backend, initializers
from tfgraph.keras.engine.base_layer import InputSpec, Layer, as_shape
from tfgraph.keras.layers.basic import tf_config
from tfgraph.legacy_layers import base as legacy_base
from tfgraph.legacy_layers.convolutional import _conv_output_length
from tfgraph.legacy_layers.core import _smart_cond
from tfgraph.ops import array_ops, conv3d_ops, conv_ops, math_ops, nn_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_loop import while_loop

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


def _conv(x, w, rank: int, strides, padding: str, dilation):
    if rank == 1:
        return conv_ops.conv1d(
            x, w, stride=list(strides), padding=padding, dilations=list(dilation)
        )
    if rank == 2:
        return conv_ops.conv2d(
            x, w, strides=[1, *strides, 1], padding=padding, dilations=[1, *dilation, 1]
        )
    return conv3d_ops.conv3d(
        x, w, strides=[1, *strides, 1], padding=padding, dilations=[1, *dilation, 1]
    )


class _ConvLSTMCell(Layer):
    """One step: gates i, f, c, o from convolutions of the input (kernel, bias) and
    of the previous output (recurrent_kernel, 'same' padding)."""

    def __init__(self, owner, **kwargs) -> None:
        super().__init__(**kwargs)
        self.owner = owner
        self.state_size = (owner.filters, owner.filters)
        self._masks = self._recurrent_masks = None

    def build(self, input_shape) -> None:
        o = self.owner
        channels = as_shape(input_shape).as_list()[-1]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs (last axis) should be defined. Found "
                f"None. Full input shape received: input_shape={input_shape}"
            )
        self.kernel_shape = (*o.kernel_size, channels, o.filters * 4)
        self.kernel = o.add_weight(
            shape=self.kernel_shape,
            initializer=o.kernel_initializer,
            name="kernel",
            regularizer=o.kernel_regularizer,
            constraint=o.kernel_constraint,
        )
        self.recurrent_kernel = o.add_weight(
            shape=(*o.kernel_size, o.filters, o.filters * 4),
            initializer=o.recurrent_initializer,
            name="recurrent_kernel",
            regularizer=o.recurrent_regularizer,
            constraint=o.recurrent_constraint,
        )
        self.bias = None
        if o.use_bias:
            self.bias = o.add_weight(
                shape=(o.filters * 4,),
                name="bias",
                initializer=self._bias_initializer(),
                regularizer=o.bias_regularizer,
                constraint=o.bias_constraint,
            )
        self.built = True

    def _bias_initializer(self):
        o = self.owner
        base = initializers.get(o.bias_initializer)
        if not o.unit_forget_bias:
            return base

        def unit_forget(_, *args, **kwargs):
            return array_ops.concat(
                [
                    base((o.filters,), *args, **kwargs),
                    initializers.get("ones")((o.filters,), *args, **kwargs),
                    base((o.filters * 2,), *args, **kwargs),
                ],
                0,
            )

        return unit_forget

    def input_conv(self, x, w, b=None):
        o = self.owner
        out = _conv(x, w, o._rank, o.strides, o.padding.upper(), o.dilation_rate)
        return out if b is None else conv_ops.bias_add(out, b)

    def dropout_masks(self, first_input, first_state, training) -> None:
        """Keras 2's dropout masks for one sequence (one per gate, the same at every
        step), in training only."""

        def masks(like, rate):
            if not 0 < rate < 1:
                return None
            ones = array_ops.ones_like(like)
            return [
                _smart_cond(training, lambda: nn_ops.dropout(ones, rate=rate), lambda: ones)
                for _ in range(4)
            ]

        self._masks = masks(first_input, self.owner.dropout)
        self._recurrent_masks = masks(first_state, self.owner.recurrent_dropout)

    def step(self, inputs, states):
        o = self.owner
        h_prev, c_prev = states
        xs = [inputs] * 4 if self._masks is None else [inputs * m for m in self._masks]
        hs = [h_prev] * 4
        if self._recurrent_masks is not None:
            hs = [h_prev * m for m in self._recurrent_masks]
        axis = o._rank + 1
        kernels = array_ops.split(self.kernel, 4, axis=axis)
        recurrent = array_ops.split(self.recurrent_kernel, 4, axis=axis)
        biases = array_ops.split(self.bias, 4) if self.bias is not None else [None] * 4
        ones = (1,) * o._rank
        x = [self.input_conv(xi, k, b) for xi, k, b in zip(xs, kernels, biases, strict=True)]
        h = [_conv(hi, r, o._rank, ones, "SAME", ones) for hi, r in zip(hs, recurrent, strict=True)]
        act, rec = o.activation, o.recurrent_activation
        i = rec(x[0] + h[0])
        f = rec(x[1] + h[1])
        c = f * c_prev + i * act(x[2] + h[2])
        out = rec(x[3] + h[3])
        h_new = out * act(c)
        return h_new, [h_new, c]


class _ConvLSTM(Layer):
    _rank = 2

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="hard_sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ) -> None:
        if not kwargs.get("name"):  # (Keras' snake case: conv_lstm2d, not conv_lst_m2d)
            kwargs["name"] = backend.unique_object_name(f"conv_lstm{self._rank}d")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if stateful:
            raise NotImplementedError(f"tfgraph's {name} is not stateful")
        if legacy_base.normalize_data_format(data_format) != "channels_last":
            raise NotImplementedError(f"tfgraph's {name} supports channels_last only")
        rank = self._rank
        self.filters = filters
        self.kernel_size = legacy_base.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = legacy_base.normalize_tuple(strides, rank, "strides")
        self.padding = legacy_base.normalize_padding(padding)
        self.data_format = "channels_last"
        self.dilation_rate = legacy_base.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.recurrent_constraint = recurrent_constraint
        self.bias_constraint = bias_constraint
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.cell = _ConvLSTMCell(self, name="conv_lstm_cell")
        self.input_spec = InputSpec(ndim=rank + 3)

    def get_config(self) -> dict:
        return tf_config(self, super().get_config(), _ConvLSTM.__init__)

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape).as_list()
        self.cell.build([shape[0], *shape[2:]])
        self.built = True

    def _initial_state(self, inputs):
        """Zeros shaped like one step's output (a convolution of summed zeros)."""
        summed = math_ops.reduce_sum(array_ops.zeros_like(inputs), axis=1)
        shape = list(self.cell.kernel_shape)
        shape[-1] = self.filters
        state = self.cell.input_conv(summed, array_ops.zeros(shape, inputs.dtype))
        return [state, state]

    def call(self, inputs, training=None, initial_state=None):
        states = list(initial_state) if initial_state else self._initial_state(inputs)
        self.cell.dropout_masks(inputs[:, 0], states[0], training)
        rank = self._rank
        time_major = array_ops.transpose(inputs, [1, 0, *range(2, rank + 3)])
        if self.go_backwards:
            time_major = array_ops.reverse(time_major, [0])
        steps = array_ops.shape(time_major)[0]
        input_ta = TensorArray(dtype=inputs.dtype, size=steps, tensor_array_name="input_ta")
        input_ta = input_ta.unstack(time_major)
        output_ta = TensorArray(dtype=inputs.dtype, size=steps, tensor_array_name="output_ta")

        def body(t, out_ta, h, c):
            output, (h_new, c_new) = self.cell.step(input_ta.read(t), [h, c])
            h_new.set_shape(h.shape)
            c_new.set_shape(c.shape)
            return t + 1, out_ta.write(t, output), h_new, c_new

        time = array_ops.constant(0, name="time")
        final = while_loop(lambda t, *_: t < steps, body, [time, output_ta, *states])
        outputs = final[1].stack()
        last = outputs[-1]
        outputs = array_ops.transpose(outputs, [1, 0, *range(2, rank + 3)])
        static = self.compute_output_shape(inputs.shape)
        outputs.set_shape(static if self.return_sequences else [*static[:1], None, *static[1:]])
        last.set_shape(static if not self.return_sequences else [static[0], *static[2:]])
        result = outputs if self.return_sequences else last
        return [result, final[2], final[3]] if self.return_state else result

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        spatial = [
            _conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(
                shape[2:-1], self.kernel_size, self.strides, self.dilation_rate, strict=True
            )
        ]
        if self.return_sequences:
            return TensorShape([shape[0], shape[1], *spatial, self.filters])
        return TensorShape([shape[0], *spatial, self.filters])


class ConvLSTM1D(_ConvLSTM):
    """Convolutional LSTM over [batch, time, steps, channels]: weights `kernel`
    [k, in, 4 filters], `recurrent_kernel` [k, filters, 4 filters], `bias`."""

    _rank = 1


class ConvLSTM2D(_ConvLSTM):
    """Convolutional LSTM over [batch, time, rows, cols, channels]: weights `kernel`
    [kh, kw, in, 4 filters], `recurrent_kernel` [kh, kw, filters, 4 filters], `bias`."""

    def __init__(self, filters, kernel_size, strides=(1, 1), dilation_rate=(1, 1), **kwargs):
        super().__init__(
            filters, kernel_size, strides=strides, dilation_rate=dilation_rate, **kwargs
        )


class ConvLSTM3D(_ConvLSTM):
    """Convolutional LSTM over [batch, time, d, h, w, channels]: weights `kernel`
    [kd, kh, kw, in, 4 filters], `recurrent_kernel`, `bias`."""

    _rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(
            filters, kernel_size, strides=strides, dilation_rate=dilation_rate, **kwargs
        )
