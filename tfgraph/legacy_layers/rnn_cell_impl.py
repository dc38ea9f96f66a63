"""`tf.nn.rnn_cell`: TF1's recurrent cells, built op for op as TensorFlow builds them.

A cell is a legacy `Layer`. `LayerRNNCell`s (BasicRNNCell, BasicLSTMCell, LSTMCell,
GRUCell) make their variables in `build` on the first call, under the scope the first
call opens (`<enclosing scope>/basic_lstm_cell/kernel`, ...); later calls share them.
Cells that hold other cells (MultiRNNCell) are plain `RNNCell`s: their own scope
(`multi_rnn_cell`) holds `cell_<i>/<inner cell>` scopes. Wrappers (DropoutWrapper,
ResidualWrapper, DeviceWrapper) open no scope of their own.
"""

from __future__ import annotations

import collections
import hashlib
import numbers
from typing import Any

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import device as graph_device
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_layers import base
from tfgraph.ops import array_ops, common_shapes, conv_ops, init_ops, math_ops, nn_ops, random_ops
from tfgraph.partitioned_variables import fixed_size_partitioner
from tfgraph.variable_scope import get_variable_scope, variable_scope

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "LayerRNNCell",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
    "assert_like_rnncell",
]

_WEIGHTS = "kernel"
_BIAS = "bias"


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """`(c, h)`: an LSTM's cell state and output."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


def assert_like_rnncell(cell_name, cell) -> None:
    """TypeError unless `cell` has what an RNN cell needs."""
    conditions = [
        hasattr(cell, "output_size"),
        hasattr(cell, "state_size"),
        hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state"),
        callable(cell),
    ]
    errs = [
        "'output_size' property is missing",
        "'state_size' property is missing",
        "either 'zero_state' or 'get_initial_state' method is required",
        "is not callable",
    ]
    if not all(conditions):
        errs = [error for error, cond in zip(errs, conditions) if not cond]
        raise TypeError(
            f"The argument {cell_name!r} ({cell}) is not an RNNCell: {', '.join(errs)}."
        )


def _concat(prefix, suffix, static: bool = False):
    """`[prefix..., suffix...]` as a Tensor (or a static list when `static`)."""
    p: Any
    s: Any
    if isinstance(prefix, Tensor):
        p = prefix
        p_static = common_shapes.constant_value(prefix)
        if p.shape.ndims == 0:
            p = array_ops.expand_dims(p, 0)
        elif p.shape.ndims != 1:
            raise ValueError(
                f"prefix tensor must be either a scalar or vector, but saw tensor: {p}"
            )
    else:
        p_shape = TensorShape(prefix)
        p_static = p_shape.as_list() if p_shape.ndims is not None else None
        p = constant(p_shape.as_list(), dtype=dtypes.int32) if p_shape.is_fully_defined() else None
    if isinstance(suffix, Tensor):
        s = suffix
        s_static = common_shapes.constant_value(suffix)
        if s.shape.ndims == 0:
            s = array_ops.expand_dims(s, 0)
    else:
        s_shape = TensorShape(suffix)
        s_static = s_shape.as_list() if s_shape.ndims is not None else None
        s = constant(s_shape.as_list(), dtype=dtypes.int32) if s_shape.is_fully_defined() else None
    if static:
        shape = TensorShape(p_static).concatenate(s_static)
        return shape.as_list() if shape.ndims is not None else None
    if p is None or s is None:
        raise ValueError(f"Provided a prefix or suffix of None: {prefix} and {suffix}")
    return array_ops.concat((p, s), 0)


def _zero_state_tensors(state_size, batch_size, dtype):
    def get_state_shape(s):
        c = _concat(batch_size, s)
        size = array_ops.zeros(c, dtype=dtype)
        c_static = _concat(batch_size, s, static=True)
        size.set_shape(TensorShape(c_static))
        return size

    return nest.map_structure(get_state_shape, state_size)


def _check_dtypes(cell, inputs) -> None:
    for t in nest.flatten(inputs):
        dtype = dtypes.as_dtype(t.dtype)
        if not (dtype.is_floating or dtype.is_complex):
            raise ValueError(
                "RNN cell only supports floating point inputs, but received dtype: "
                f"<dtype: '{dtype.name}'>"
            )


class RNNCell(base.Layer):
    """An RNN cell: `(output, new_state) = cell(inputs, state)`, with `state_size`,
    `output_size` and `zero_state`."""

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs) -> None:
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self._is_tf_rnn_cell = True

    def __call__(self, inputs, state, scope=None):
        if scope is not None:
            with variable_scope(scope, custom_getter=self._rnn_get_variable) as vs:
                return super().__call__(inputs, state, scope=vs)
        cached = getattr(self, "_rnncell_scope", None)
        if cached is None:
            cached = get_variable_scope()
            self._rnncell_scope = cached
        with variable_scope(cached, custom_getter=self._rnn_get_variable):
            return super().__call__(inputs, state)

    def _rnn_get_variable(self, getter, *args, **kwargs):
        variable = getter(*args, **kwargs)
        trainable = kwargs.get("trainable", True)
        weights = self._trainable_weights if trainable else self._non_trainable_weights
        if all(variable is not v for v in weights):
            weights.append(variable)
        return variable

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def build(self, _) -> None:
        pass

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            if batch_size is not None:
                static_batch = dimension_value(inputs.shape[0])
                if isinstance(batch_size, Tensor):
                    static = common_shapes.constant_value(batch_size)
                else:
                    static = batch_size
                if static_batch is not None and static is not None and static_batch != static:
                    raise ValueError(
                        "batch size from input tensor is different from the input param. "
                        f"Input tensor batch: {static_batch}, batch_size: {static}"
                    )
            if dtype is not None and inputs.dtype != dtype:
                raise ValueError(
                    "dtype from input tensor is different from the input param. Input tensor "
                    f"dtype: {inputs.dtype}, dtype: {dtype}"
                )
            batch_size = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(
                "batch_size and dtype cannot be None while constructing initial state: "
                f"batch_size={batch_size}, dtype={dtype}"
            )
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zero-filled state tensor(s) of shape `[batch_size, s]` for each `s` in
        `state_size`."""
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, dtype)


class LayerRNNCell(RNNCell):
    """An RNN cell whose variables are made in `build`, like any layer's."""

    def __call__(self, inputs, state, scope=None, *args, **kwargs):
        return base.Layer.__call__(self, inputs, state, *args, scope=scope, **kwargs)


def _input_depth(cell, inputs_shape):
    inputs_shape = base.shape_of(inputs_shape)
    if inputs_shape.ndims is None or dimension_value(inputs_shape[-1]) is None:
        dims = "None" if inputs_shape.ndims is None else str(tuple(inputs_shape.as_list()))
        raise ValueError(f"Expected inputs.shape[-1] to be known, received shape: {dims}")
    dtype = dtypes.as_dtype(cell.dtype or "float32")
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError(
            "RNN cell only supports floating point inputs, but received dtype: "
            f"<dtype: '{dtype.name}'>"
        )
    return dimension_value(inputs_shape[-1])


class BasicRNNCell(LayerRNNCell):
    """`output = new_state = activation(W [inputs, state] + b)`."""

    def __init__(
        self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        depth = _input_depth(self, inputs_shape)
        self._kernel = self.add_weight(_WEIGHTS, shape=[depth + self._num_units, self._num_units])
        self._bias = self.add_weight(
            _BIAS, shape=[self._num_units], initializer=init_ops.zeros_initializer()
        )
        self.built = True

    def call(self, inputs, state):
        _check_dtypes(self, [inputs, state])
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, state], 1), self._kernel)
        gate_inputs = conv_ops.bias_add(gate_inputs, self._bias)
        output = self._activation(gate_inputs)
        return output, output


class GRUCell(LayerRNNCell):
    """Gated recurrent unit: `gates/{kernel,bias}` (reset and update) and
    `candidate/{kernel,bias}`."""

    def __init__(
        self,
        num_units,
        activation=None,
        reuse=None,
        kernel_initializer=None,
        bias_initializer=None,
        name=None,
        dtype=None,
        **kwargs,
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._activation = _activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        depth = _input_depth(self, inputs_shape)
        n = self._num_units
        self._gate_kernel = self.add_weight(
            f"gates/{_WEIGHTS}", shape=[depth + n, 2 * n], initializer=self._kernel_initializer
        )
        self._gate_bias = self.add_weight(
            f"gates/{_BIAS}",
            shape=[2 * n],
            initializer=self._bias_initializer or init_ops.constant_initializer(1.0),
        )
        self._candidate_kernel = self.add_weight(
            f"candidate/{_WEIGHTS}", shape=[depth + n, n], initializer=self._kernel_initializer
        )
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS}",
            shape=[n],
            initializer=self._bias_initializer or init_ops.zeros_initializer(),
        )
        self.built = True

    def call(self, inputs, state):
        _check_dtypes(self, [inputs, state])
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, state], 1), self._gate_kernel)
        gate_inputs = conv_ops.bias_add(gate_inputs, self._gate_bias)
        value = math_ops.sigmoid(gate_inputs)
        r, u = array_ops.split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = math_ops.matmul(array_ops.concat([inputs, r_state], 1), self._candidate_kernel)
        candidate = conv_ops.bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class BasicLSTMCell(LayerRNNCell):
    """LSTM without peepholes or projection; one `kernel` [in + units, 4 units] for the
    gates i, j, f, o (in that order) and `forget_bias` added to f."""

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        reuse=None,
        name=None,
        dtype=None,
        **kwargs,
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape) -> None:
        depth = _input_depth(self, inputs_shape)
        n = self._num_units
        self._kernel = self.add_weight(_WEIGHTS, shape=[depth + n, 4 * n])
        self._bias = self.add_weight(_BIAS, shape=[4 * n], initializer=init_ops.zeros_initializer())
        self.built = True

    def call(self, inputs, state):
        _check_dtypes(self, [inputs, state])
        sigmoid = math_ops.sigmoid
        one = constant(1, dtype=dtypes.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = array_ops.split(value=state, num_or_size_splits=2, axis=one)
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, h], 1), self._kernel)
        gate_inputs = conv_ops.bias_add(gate_inputs, self._bias)
        i, j, f, o = array_ops.split(value=gate_inputs, num_or_size_splits=4, axis=one)
        forget_bias_tensor = constant(self._forget_bias, dtype=f.dtype)
        add, multiply = math_ops.add, math_ops.multiply
        new_c = add(
            multiply(c, sigmoid(add(f, forget_bias_tensor))),
            multiply(sigmoid(i), self._activation(j)),
        )
        new_h = multiply(self._activation(new_c), sigmoid(o))
        if self._state_is_tuple:
            new_state = LSTMStateTuple(new_c, new_h)
        else:
            new_state = array_ops.concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(LayerRNNCell):
    """LSTM with optional peepholes (`w_f_diag`, `w_i_diag`, `w_o_diag`), cell clipping
    and a projection of the output (`projection/kernel`, `num_proj`, `proj_clip`)."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        num_unit_shards=None,
        num_proj_shards=None,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        reuse=None,
        name=None,
        dtype=None,
        **kwargs,
    ) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self.input_spec = base.InputSpec(ndim=2)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)
        if num_proj:
            self._state_size = (
                LSTMStateTuple(num_units, num_proj) if state_is_tuple else num_units + num_proj
            )
            self._output_size = num_proj
        else:
            self._state_size = (
                LSTMStateTuple(num_units, num_units) if state_is_tuple else 2 * num_units
            )
            self._output_size = num_units

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, inputs_shape) -> None:
        depth = _input_depth(self, inputs_shape)
        n = self._num_units
        h_depth = n if self._num_proj is None else self._num_proj
        shards = self._num_unit_shards
        self._kernel = self.add_weight(
            _WEIGHTS,
            shape=[depth + h_depth, 4 * n],
            initializer=self._initializer,
            partitioner=fixed_size_partitioner(shards) if shards is not None else None,
        )
        self._bias = self.add_weight(_BIAS, shape=[4 * n], initializer=init_ops.zeros_initializer())
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", shape=[n], initializer=self._initializer)
            self._w_i_diag = self.add_weight("w_i_diag", shape=[n], initializer=self._initializer)
            self._w_o_diag = self.add_weight("w_o_diag", shape=[n], initializer=self._initializer)
        if self._num_proj is not None:
            proj_shards = self._num_proj_shards
            self._proj_kernel = self.add_weight(
                f"projection/{_WEIGHTS}",
                shape=[n, self._num_proj],
                initializer=self._initializer,
                partitioner=(
                    fixed_size_partitioner(proj_shards) if proj_shards is not None else None
                ),
            )
        self.built = True

    def call(self, inputs, state):
        _check_dtypes(self, [inputs, state])
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        sigmoid = math_ops.sigmoid
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array_ops.slice(state, [0, 0], [-1, self._num_units])
            m_prev = array_ops.slice(state, [0, self._num_units], [-1, num_proj])
        input_size = dimension_value(inputs.shape.with_rank(2)[1])
        if input_size is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        kernel = self._kernel
        if isinstance(kernel, (list, tuple)) or hasattr(kernel, "_variable_list"):
            kernel = array_ops.concat(list(kernel), 0)
        lstm_matrix = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), kernel)
        lstm_matrix = conv_ops.bias_add(lstm_matrix, self._bias)
        i, j, f, o = array_ops.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev + sigmoid(
                i + self._w_i_diag * c_prev
            ) * self._activation(j)
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            proj = self._proj_kernel
            if isinstance(proj, (list, tuple)) or hasattr(proj, "_variable_list"):
                proj = array_ops.concat(list(proj), 0)
            m = math_ops.matmul(m, proj)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else array_ops.concat([c, m], 1)
        return m, new_state


class MultiRNNCell(RNNCell):
    """Cells stacked: the output of cell i is the input of cell i + 1; each cell's
    variables live under `cell_<i>`."""

    def __init__(self, cells, state_is_tuple=True) -> None:
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not nest.is_nested(cells):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        self._cells = cells
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(nest.is_nested(c.state_size) for c in cells):
            raise ValueError(
                "Some cells return tuples of states, but the flag state_is_tuple is not set.  "
                f"State sizes are: {[c.state_size for c in cells]}"
            )

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return _zero_state_tensors(self.state_size, batch_size, dtype)

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for cell in self._cells for w in cell.trainable_weights]

    @property
    def non_trainable_weights(self) -> list:
        weights = [w for cell in self._cells for w in cell.non_trainable_weights]
        if not self.trainable:
            weights = [w for cell in self._cells for w in cell.trainable_weights] + weights
        return weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def call(self, inputs, state):
        cur_state_pos = 0
        cur_inp = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not nest.is_nested(state):
                        raise ValueError(
                            f"Expected state to be a tuple of length {len(self.state_size)}, "
                            f"but received: {state}"
                        )
                    cur_state = state[i]
                else:
                    cur_state = array_ops.slice(state, [0, cur_state_pos], [-1, cell.state_size])
                    cur_state_pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        if self._state_is_tuple:
            return cur_inp, tuple(new_states)
        return cur_inp, array_ops.concat(new_states, 1)


class _RNNCellWrapper(RNNCell):
    """A cell around `cell`: no scope of its own; the wrapped cell makes the variables."""

    def __init__(self, cell, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    @property
    def trainable_weights(self) -> list:
        return self.cell.trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        return self.cell.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        raise NotImplementedError

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, cell_call_fn=self.cell.__call__, scope=scope)


def _default_dropout_state_filter_visitor(substate):
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


def _traverse_shallow(fn, structure):
    """The structure of booleans saying which parts of `structure` `fn` selects: True on a
    nested part descends into it, a structure of booleans is taken as it is."""
    decision = fn(structure)
    if decision is True and nest.is_nested(structure):
        children = [_traverse_shallow(fn, s) for s in nest._children(structure)]
        return nest._rebuild(structure, children)
    return decision


def _enumerated_map_structure_up_to(shallow, fn, *args):
    ix = [0]

    def enumerated_fn(*inner):
        r = fn(ix[0], *inner)
        ix[0] += 1
        return r

    return nest.map_structure_up_to(shallow, enumerated_fn, *args)


class DropoutWrapper(_RNNCellWrapper):
    """Dropout on the inputs, outputs and states of `cell` (the LSTM memory `c` is
    kept); `variational_recurrent` uses one mask for every step."""

    _input_keep_prob: Any
    _state_keep_prob: Any
    _output_keep_prob: Any

    def __init__(
        self,
        cell,
        input_keep_prob=1.0,
        output_keep_prob=1.0,
        state_keep_prob=1.0,
        variational_recurrent=False,
        input_size=None,
        dtype=None,
        seed=None,
        dropout_state_filter_visitor=None,
        **kwargs,
    ) -> None:
        super().__init__(cell, dtype=dtype, **kwargs)
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError(
                "dropout_state_filter_visitor must be callable. Received: "
                f"{dropout_state_filter_visitor}"
            )
        self._dropout_state_filter = (
            dropout_state_filter_visitor or _default_dropout_state_filter_visitor
        )
        with get_default_graph().name_scope("DropoutWrapperInit"):
            for prob, attr in (
                (input_keep_prob, "input_keep_prob"),
                (state_keep_prob, "state_keep_prob"),
                (output_keep_prob, "output_keep_prob"),
            ):
                tensor_prob = convert_to_tensor(prob)
                const_prob = common_shapes.constant_value(tensor_prob)
                if const_prob is not None:
                    if const_prob < 0 or const_prob > 1:
                        raise ValueError(
                            f"Parameter {attr} must be between 0 and 1. Received {const_prob}"
                        )
                    setattr(self, f"_{attr}", float(const_prob))
                else:
                    setattr(self, f"_{attr}", tensor_prob)
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")

            def batch_noise(s, inner_seed):
                shape = array_ops.concat(([1], TensorShape(s).as_list()), 0)
                return random_ops.random_uniform(shape, seed=inner_seed, dtype=dtype)

            if not isinstance(self._input_keep_prob, numbers.Real) or self._input_keep_prob < 1.0:
                if input_size is None:
                    raise ValueError(
                        "When variational_recurrent=True and input_keep_prob < 1.0 or is "
                        "unknown, input_size must be provided"
                    )
                self._recurrent_input_noise = _enumerated_map_structure_up_to(
                    input_size,
                    lambda i, s: batch_noise(s, inner_seed=self._gen_seed("input", i)),
                    input_size,
                )
            self._recurrent_state_noise = _enumerated_map_structure_up_to(
                cell.state_size,
                lambda i, s: batch_noise(s, inner_seed=self._gen_seed("state", i)),
                cell.state_size,
            )
            self._recurrent_output_noise = _enumerated_map_structure_up_to(
                cell.output_size,
                lambda i, s: batch_noise(s, inner_seed=self._gen_seed("output", i)),
                cell.output_size,
            )

    @property
    def wrapped_cell(self):
        return self.cell

    def _gen_seed(self, salt_prefix, index):
        if self._seed is None:
            return None
        string = (str(self._seed) + f"{salt_prefix}_{index}").encode("utf-8")
        return int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF

    def _variational_recurrent_dropout_value(self, unused_index, value, noise, keep_prob):
        random_tensor = keep_prob
        random_tensor += noise
        binary_tensor = math_ops.floor(random_tensor)
        ret = math_ops.divide(value, keep_prob) * binary_tensor
        ret.set_shape(value.shape)
        return ret

    def _dropout(self, values, salt_prefix, recurrent_noise, keep_prob, shallow=None):
        if shallow is None:
            shallow = values
        if not self._variational_recurrent:

            def dropout(i, do_dropout, v):
                if not isinstance(do_dropout, bool) or do_dropout:
                    return nn_ops.dropout(
                        v, rate=1.0 - keep_prob, seed=self._gen_seed(salt_prefix, i)
                    )
                return v

            return _enumerated_map_structure_up_to(shallow, dropout, shallow, values)

        def vdropout(i, do_dropout, v, n):
            if not isinstance(do_dropout, bool) or do_dropout:
                return self._variational_recurrent_dropout_value(i, v, n, keep_prob)
            return v

        return _enumerated_map_structure_up_to(shallow, vdropout, shallow, values, recurrent_noise)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        def should_dropout(p):
            return (not isinstance(p, float)) or p < 1

        if should_dropout(self._input_keep_prob):
            inputs = self._dropout(
                inputs, "input", self._recurrent_input_noise, self._input_keep_prob
            )
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if should_dropout(self._state_keep_prob):
            shallow = _traverse_shallow(self._dropout_state_filter, new_state)
            new_state = self._dropout(
                new_state, "state", self._recurrent_state_noise, self._state_keep_prob, shallow
            )
        if should_dropout(self._output_keep_prob):
            output = self._dropout(
                output, "output", self._recurrent_output_noise, self._output_keep_prob
            )
        return output, new_state


class ResidualWrapper(_RNNCellWrapper):
    """`output = residual_fn(inputs, cell output)` (default: their sum)."""

    def __init__(self, cell, residual_fn=None, **kwargs) -> None:
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def default_residual_fn(inputs, outputs):
            nest.assert_same_structure(inputs, outputs)
            nest.map_structure(
                lambda inp, out: inp.shape.assert_is_compatible_with(out.shape), inputs, outputs
            )
            return nest.map_structure(lambda inp, out: inp + out, inputs, outputs)

        res_outputs = (self._residual_fn or default_residual_fn)(inputs, outputs)
        return res_outputs, new_state


class DeviceWrapper(_RNNCellWrapper):
    """Builds `cell`'s ops on `device`."""

    def __init__(self, cell, device, **kwargs) -> None:
        super().__init__(cell, **kwargs)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            with graph_device(self._device):
                return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        with graph_device(self._device):
            return cell_call_fn(inputs, state, **kwargs)


def _activation(activation):
    if activation is None:
        return math_ops.tanh
    if isinstance(activation, str):
        from tfgraph.legacy_layers.core import get_activation

        return get_activation(activation)
    return activation
