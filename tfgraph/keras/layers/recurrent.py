"""Keras 2's LSTM and GRU as TF1 graph mode builds them (`lstm_v1` / `gru_v1`): the
cell's weights under the layer and cell scopes (`lstm/lstm_cell/kernel:0`), the
recurrent activation `hard_sigmoid`, a `tf.while_loop` over the time steps reading the
inputs from a TensorArray and writing the outputs into another."""

from __future__ import annotations

from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.keras import activations, initializers
from tfgraph.keras.engine.base_layer import Layer, as_shape
from tfgraph.ops import array_ops, conv_ops, math_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_loop import while_loop

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "GRUCell",
    "LSTMCell",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
]


def _dot(x, kernel):
    return math_ops.matmul(x, kernel)


class _Cell(Layer):
    n_gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="hard_sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ) -> None:
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        if units <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units`, expected a positive integer, "
                f"got {units}."
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.recurrent_constraint = recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self._dropout_masks: list | None = None
        self._recurrent_dropout_masks: list | None = None

    def _prepare_dropout(self, first_input, first_state, training) -> None:
        """Keras 2's dropout masks for one call over a sequence (the same mask at every
        step): one per gate, for the inputs and for the recurrent state, made in training
        only (ones otherwise)."""
        from tfgraph.legacy_layers.core import _smart_cond
        from tfgraph.ops import nn_ops

        def masks(like, rate):
            if not 0 < rate < 1:
                return None
            ones = array_ops.ones_like(like)
            return [
                _smart_cond(training, lambda: nn_ops.dropout(ones, rate=rate), lambda: ones)
                for _ in range(self.n_gates)
            ]

        self._dropout_masks = masks(first_input, self.dropout)
        self._recurrent_dropout_masks = masks(first_state, self.recurrent_dropout)

    def _clear_dropout(self) -> None:
        self._dropout_masks = self._recurrent_dropout_masks = None

    def _gate_inputs(self, inputs, h_tm1) -> tuple[list, list]:
        """The inputs and the previous state as each gate sees them (after dropout)."""
        xs = [inputs] * self.n_gates
        hs = [h_tm1] * self.n_gates
        if self._dropout_masks is not None:
            xs = [inputs * m for m in self._dropout_masks]
        if self._recurrent_dropout_masks is not None:
            hs = [h_tm1 * m for m in self._recurrent_dropout_masks]
        return xs, hs

    def _bias_shape(self) -> tuple:
        return (self.n_gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        input_dim = as_shape(input_shape).as_list()[-1]
        width = self.n_gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(),
                name="bias",
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True


class LSTMCell(_Cell):
    """One LSTM step: gates i, f, c, o in the kernels' columns (in that order)."""

    n_gates = 4

    def __init__(self, units, unit_forget_bias=True, **kwargs) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base = initializers.get(self.bias_initializer)
        units = self.units

        def init(shape, dtype=None, **kwargs):
            return array_ops.concat(
                [
                    base((units,), dtype=dtype),
                    initializers.get("ones")((units,), dtype=dtype),
                    base((units * 2,), dtype=dtype),
                ],
                axis=0,
            )

        return init

    def call(self, inputs, states):
        h_tm1, c_tm1 = states[0], states[1]
        u = self.units
        xs, hs = self._gate_inputs(inputs, h_tm1)
        k_i, k_f, k_c, k_o = array_ops.split(self.kernel, num_or_size_splits=4, axis=1)
        x_i, x_f, x_c, x_o = (_dot(x, k) for x, k in zip(xs, (k_i, k_f, k_c, k_o), strict=True))
        if self.bias is not None:
            b_i, b_f, b_c, b_o = array_ops.split(self.bias, num_or_size_splits=4, axis=0)
            x_i = conv_ops.bias_add(x_i, b_i)
            x_f = conv_ops.bias_add(x_f, b_f)
            x_c = conv_ops.bias_add(x_c, b_c)
            x_o = conv_ops.bias_add(x_o, b_o)
        rk = self.recurrent_kernel
        i = self.recurrent_activation(x_i + _dot(hs[0], rk[:, :u]))
        f = self.recurrent_activation(x_f + _dot(hs[1], rk[:, u : 2 * u]))
        c = f * c_tm1 + i * self.activation(x_c + _dot(hs[2], rk[:, 2 * u : 3 * u]))
        o = self.recurrent_activation(x_o + _dot(hs[3], rk[:, 3 * u :]))
        h = o * self.activation(c)
        return h, [h, c]


class GRUCell(_Cell):
    """One GRU step: gates z (update), r (reset) and the candidate h, in that order;
    with `reset_after` the reset gate applies after the recurrent product (and the bias
    has an input row and a recurrent row)."""

    n_gates = 3

    def __init__(self, units, reset_after=False, **kwargs) -> None:
        super().__init__(units, **kwargs)
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def _bias_shape(self) -> tuple:
        width = 3 * self.units
        return (2, width) if self.reset_after else (width,)

    def call(self, inputs, states):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        u = self.units
        input_bias = recurrent_bias = None
        if self.bias is not None:
            if self.reset_after:
                input_bias, recurrent_bias = array_ops.unstack(self.bias)
            else:
                input_bias = self.bias
        xs, hs = self._gate_inputs(inputs, h_tm1)
        k = self.kernel
        x_z = _dot(xs[0], k[:, :u])
        x_r = _dot(xs[1], k[:, u : 2 * u])
        x_h = _dot(xs[2], k[:, 2 * u :])
        if input_bias is not None:
            x_z = conv_ops.bias_add(x_z, input_bias[:u])
            x_r = conv_ops.bias_add(x_r, input_bias[u : 2 * u])
            x_h = conv_ops.bias_add(x_h, input_bias[2 * u :])
        rk = self.recurrent_kernel
        recurrent_z = _dot(hs[0], rk[:, :u])
        recurrent_r = _dot(hs[1], rk[:, u : 2 * u])
        if recurrent_bias is not None:
            recurrent_z = conv_ops.bias_add(recurrent_z, recurrent_bias[:u])
            recurrent_r = conv_ops.bias_add(recurrent_r, recurrent_bias[u : 2 * u])
        z = self.recurrent_activation(x_z + recurrent_z)
        r = self.recurrent_activation(x_r + recurrent_r)
        if self.reset_after:
            recurrent_h = _dot(hs[2], rk[:, 2 * u :])
            if recurrent_bias is not None:
                recurrent_h = conv_ops.bias_add(recurrent_h, recurrent_bias[2 * u :])
            recurrent_h = r * recurrent_h
        else:
            recurrent_h = _dot(r * hs[2], rk[:, 2 * u :])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]


class SimpleRNNCell(_Cell):
    """One fully connected recurrent step: `activation(x . kernel + bias + h .
    recurrent_kernel)`; the state is the output."""

    def __init__(self, units, **kwargs) -> None:
        if "recurrent_activation" in kwargs:
            raise TypeError("Keyword argument not understood:", "recurrent_activation")
        super().__init__(units, **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def call(self, inputs, states):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        xs, hs = self._gate_inputs(inputs, prev)
        h = _dot(xs[0], self.kernel)
        if self.bias is not None:
            h = conv_ops.bias_add(h, self.bias)
        output = self.activation(h + _dot(hs[0], self.recurrent_kernel))
        return output, [output]


class StackedRNNCells(Layer):
    """Several cells run as one: each step feeds the output of a cell to the next; the
    state is every cell's state in turn, the output the last cell's."""

    def __init__(self, cells, **kwargs) -> None:
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(
                    "All cells must have a `call` method and a `state_size` attribute. "
                    f"Received cells={cells}"
                )
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self) -> tuple:
        return tuple(c.state_size for c in self.cells)

    @property
    def output_size(self):
        return self.cells[-1].output_size

    @property
    def trainable_weights(self) -> list:
        return [w for c in self.cells for w in c.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return [w for c in self.cells for w in c.weights]
        return [w for c in self.cells for w in c.non_trainable_weights]

    @property
    def losses(self) -> list:
        return [loss for c in self.cells for loss in c.losses]

    def build(self, input_shape) -> None:
        from tfgraph.framework.graph import get_default_graph

        shape = as_shape(input_shape).as_list()
        for cell in self.cells:
            if not cell.built:
                with get_default_graph().name_scope(cell.name):
                    cell.build(TensorShape([shape[0], shape[-1]]))
                    cell.built = True
            shape = [shape[0], cell.output_size]
        self.built = True

    def call(self, inputs, states):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        new_states = []
        for cell in self.cells:
            n = len(_flat_sizes(cell.state_size))
            cell_states, states = states[:n], states[n:]
            inputs, cell_new = cell.call(inputs, cell_states)
            new_states.extend(cell_new if isinstance(cell_new, (list, tuple)) else [cell_new])
        return inputs, new_states

    def _prepare_dropout(self, first_input, first_state, training) -> None:
        """Each cell's dropout masks, shaped as the inputs it sees."""
        batch = array_ops.shape(first_input)[0]
        like = first_input
        for cell in self.cells:
            if hasattr(cell, "_prepare_dropout"):
                state = array_ops.zeros(
                    array_ops.stack([batch, _flat_sizes(cell.state_size)[0]]), first_input.dtype
                )
                cell._prepare_dropout(like, state, training)
            like = array_ops.zeros(array_ops.stack([batch, cell.output_size]), first_input.dtype)

    def _clear_dropout(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "_clear_dropout"):
                cell._clear_dropout()

    def get_config(self) -> dict:
        from tfgraph.keras.saving.serialization import serialize_keras_object

        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
            "cells": [serialize_keras_object(c) for c in self.cells],
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tfgraph.keras.engine import serialization

        config = dict(config)
        cells = [serialization.deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def _flat_sizes(size) -> list:
    """The state sizes of a (nested) `state_size`, flattened."""
    if isinstance(size, (list, tuple)):
        return [n for s in size for n in _flat_sizes(s)]
    return [size]


def _nest_states(size, flat: list) -> list:
    """Final states grouped as `state_size` groups them (one entry per top-level size)."""
    if not isinstance(size, (list, tuple)):
        return flat
    nested, rest = [], list(flat)
    for s in size:
        n = len(_flat_sizes(s))
        nested.append(rest[0] if not isinstance(s, (list, tuple)) else rest[:n])
        rest = rest[n:]
    return nested


class RNN(Layer):
    """Runs `cell` over the time axis of [batch, time, features] inputs in a
    `tf.while_loop`; returns the last output (or every output with `return_sequences`,
    and the final states with `return_state`)."""

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        time_major=False,
        zero_output_for_mask=False,
        **kwargs,
    ) -> None:
        if stateful or unroll or time_major:
            raise NotImplementedError(
                "tfgraph's RNN layers are not stateful, unrolled or time-major"
            )
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
            if "cell" in self.__dict__.get("_init_args", {}):
                self.__dict__["_init_args"]["cell"] = cell  # (configs name the stacked cell)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.supports_masking = True
        self.zero_output_for_mask = zero_output_for_mask

    @property
    def trainable_weights(self) -> list:
        return self.cell.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return self.cell.non_trainable_weights
        return self.cell.weights

    @property
    def losses(self) -> list:
        return self.cell.losses

    def build(self, input_shape) -> None:
        shape = as_shape(input_shape)
        if shape.ndims is not None and shape.ndims < 3:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim=3, found ndim={shape.ndims}. Full shape received: "
                f"{tuple(shape.as_list())}"
            )
        from tfgraph.keras.engine.base_layer import InputSpec

        self.input_spec = InputSpec(ndim=3, axes={-1: shape.as_list()[-1]})
        if not self.cell.built:
            from tfgraph.framework.graph import get_default_graph

            with get_default_graph().name_scope(self.cell.name):
                self.cell.build(TensorShape([shape.as_list()[0], shape.as_list()[-1]]))
                self.cell.built = True
        self.built = True

    def _copy(self, **changes):
        """A new layer of this class and configuration, with `changes` (Bidirectional)."""
        config = dict(getattr(self, "_config", {}))
        if not config:
            raise NotImplementedError(f"{type(self).__name__} cannot be copied")
        config.update(changes)
        return type(self)(**config)

    def _state_sizes(self) -> list:
        return _flat_sizes(self.cell.state_size)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        batch = array_ops.shape(inputs)[0]
        if initial_state is None:
            states = [
                array_ops.zeros(array_ops.stack([batch, n]), dtype=inputs.dtype)
                for n in self._state_sizes()
            ]
        else:
            states = (
                list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            )
        time_major = array_ops.transpose(inputs, [1, 0, 2])
        steps = array_ops.shape(time_major)[0]
        input_ta = TensorArray(dtype=inputs.dtype, size=steps, tensor_array_name="input_ta")
        input_ta = input_ta.unstack(
            array_ops.reverse(time_major, [0]) if self.go_backwards else time_major
        )
        output_ta = TensorArray(dtype=inputs.dtype, size=steps, tensor_array_name="output_ta")
        cell = self.cell
        n_states = len(states)
        if hasattr(cell, "_prepare_dropout"):
            cell._prepare_dropout(time_major[0], states[0], training)

        mask_ta = None
        if mask is not None:  # time-major [time, batch, 1] booleans, reversed with the inputs
            from tfgraph.framework import dtypes

            mask_tm = array_ops.transpose(
                array_ops.expand_dims(array_ops.cast(mask, dtypes.bool), -1), [1, 0, 2]
            )
            if self.go_backwards:
                mask_tm = array_ops.reverse(mask_tm, [0])
            mask_ta = TensorArray(dtype=dtypes.bool, size=steps, tensor_array_name="mask_ta")
            mask_ta = mask_ta.unstack(mask_tm)

        def masked(mask_t, new, old):
            tiled = array_ops.tile(mask_t, [1, new.shape.as_list()[-1]])
            return array_ops.where(tiled, new, old)

        def cond(t, *_):
            return t < steps

        def body(t, out_ta, prev_output, *state):
            x_t = input_ta.read(t)
            output, new_states = cell.call(x_t, list(state))
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            for new, old in zip(new_states, state, strict=True):
                new.set_shape(old.shape)
            if mask_ta is not None:
                # masked steps keep the previous output and states (Keras 2's rnn)
                mask_t = mask_ta.read(t)
                kept = array_ops.zeros_like(output) if self.zero_output_for_mask else prev_output
                output = masked(mask_t, output, kept)
                new_states = [masked(mask_t, n, o) for n, o in zip(new_states, state, strict=True)]
            return (t + 1, out_ta.write(t, output), output, *new_states)

        time = array_ops.constant(0, name="time")
        zero_output = array_ops.zeros(
            array_ops.stack([batch, cell.output_size]), dtype=inputs.dtype
        )
        try:
            final = while_loop(
                cond, body, [time, output_ta, zero_output, *states], parallel_iterations=32
            )
        finally:
            if hasattr(cell, "_clear_dropout"):
                cell._clear_dropout()
        final_states = list(final[3 : 3 + n_states])
        outputs = final[1].stack()
        last = final[2] if mask is not None else outputs[-1]
        outputs = array_ops.transpose(outputs, [1, 0, 2])
        static = inputs.shape.as_list()
        outputs.set_shape([static[0], static[1], cell.output_size])
        last.set_shape([static[0], cell.output_size])
        result = outputs if self.return_sequences else last
        if self.return_state:
            return [result, *_nest_states(cell.state_size, final_states)]
        return result

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape).as_list()
        if self.return_sequences:
            return TensorShape([shape[0], shape[1], self.cell.output_size])
        return TensorShape([shape[0], self.cell.output_size])

    def compute_mask(self, inputs, mask=None):
        """The input mask for the sequence output (return_sequences), else none."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_sizes())
        return output_mask


_CELL_ARGS = (
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "implementation",
)


def _split_kwargs(kwargs) -> dict:
    cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_ARGS}
    kwargs.pop("activity_regularizer", None)
    cell_kwargs["dtype"] = kwargs.get("dtype")
    cell_kwargs["trainable"] = kwargs.get("trainable", True)
    return cell_kwargs


class LSTM(RNN):
    """Long short-term memory over [batch, time, features]: weights
    `lstm/lstm_cell/{kernel, recurrent_kernel, bias}`."""

    _config_extra_arguments = (*_CELL_ARGS, "zero_output_for_mask")

    def __init__(self, units, unit_forget_bias=True, **kwargs) -> None:
        self._config = {"units": units, "unit_forget_bias": unit_forget_bias, **kwargs}
        cell_kwargs = _split_kwargs(kwargs)
        cell = LSTMCell(units, unit_forget_bias=unit_forget_bias, name="lstm_cell", **cell_kwargs)
        rnn_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_ARGS}
        super().__init__(cell, **rnn_kwargs, **kwargs)
        self.units = units

    def get_config(self) -> dict:
        return _with_cell_defaults(self, super().get_config())


class GRU(RNN):
    """Gated recurrent unit over [batch, time, features]: weights
    `gru/gru_cell/{kernel, recurrent_kernel, bias}`."""

    _config_extra_arguments = (*_CELL_ARGS, "zero_output_for_mask")

    def __init__(self, units, reset_after=False, **kwargs) -> None:
        self._config = {"units": units, "reset_after": reset_after, **kwargs}
        cell_kwargs = _split_kwargs(kwargs)
        cell = GRUCell(units, reset_after=reset_after, name="gru_cell", **cell_kwargs)
        rnn_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_ARGS}
        super().__init__(cell, **rnn_kwargs, **kwargs)
        self.units = units

    def get_config(self) -> dict:
        return _with_cell_defaults(self, super().get_config())


class SimpleRNN(RNN):
    """A fully connected RNN over [batch, time, features]: weights
    `simple_rnn/simple_rnn_cell/{kernel, recurrent_kernel, bias}`."""

    _config_extra_arguments = (*_CELL_ARGS, "zero_output_for_mask")

    def __init__(self, units, **kwargs) -> None:
        if "recurrent_activation" in kwargs:
            raise TypeError("Keyword argument not understood:", "recurrent_activation")
        self._config = {"units": units, **kwargs}
        cell_kwargs = _split_kwargs(kwargs)
        cell = SimpleRNNCell(units, name="simple_rnn_cell", **cell_kwargs)
        rnn_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_ARGS}
        super().__init__(cell, **rnn_kwargs, **kwargs)
        self.units = units

    def get_config(self) -> dict:
        config = _with_cell_defaults(self, super().get_config())
        config.pop("recurrent_activation", None)
        return config


_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major")


def _with_cell_defaults(layer, config: dict) -> dict:
    """A LSTM/GRU config with every cell argument (defaults too, as Keras writes them),
    so that Keras 2 rebuilds the same layer whatever its own defaults are."""
    import inspect

    params = inspect.signature(_Cell.__init__).parameters
    for key in _RNN_ARGS:
        config.setdefault(key, bool(getattr(layer, key, False)))
    for key in _CELL_ARGS:
        if key not in config and key in params:
            config[key] = params[key].default
    return config
