"""TF 1.15's attention for `tf.contrib.seq2seq`: the attention mechanisms
(`BahdanauAttention`, `LuongAttention` and their monotonic forms), `AttentionWrapper`
(an RNN cell that attends over a memory after each step of the wrapped cell) and its
state, `hardmax`, `safe_cumprod` and `monotonic_attention`.

Variables are contrib's: the memory layer is built when the mechanism is made
(`memory_layer/kernel`), the query layer and the score's variables when the wrapper
first runs, under the wrapper's scope (`decoder/attention_wrapper/bahdanau_attention/
attention_v`, `.../query_layer/kernel`, `decoder/attention_wrapper/attention_layer/
kernel`).
"""

from __future__ import annotations

import collections
import functools
import math

import numpy as np

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_layers import base as layers_base
from tfgraph.legacy_layers import core as layers_core
from tfgraph.legacy_layers.rnn_cell_impl import RNNCell, _zero_state_tensors, assert_like_rnncell
from tfgraph.ops import array_ops, check_ops, init_ops, math_ops, nn_ops, random_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.variable_scope import get_variable, variable_scope

__all__ = [
    "AttentionMechanism",
    "AttentionWrapper",
    "AttentionWrapperState",
    "BahdanauAttention",
    "BahdanauMonotonicAttention",
    "LuongAttention",
    "LuongMonotonicAttention",
    "hardmax",
    "monotonic_attention",
    "safe_cumprod",
]


class AttentionMechanism:
    """Base class of the attention mechanisms `AttentionWrapper` accepts."""

    @property
    def alignments_size(self):
        raise NotImplementedError

    @property
    def state_size(self):
        raise NotImplementedError


def _batch_dim(t):
    return dimension_value(t.shape[0]) or array_ops.shape(t)[0]


def _prepare_memory(memory, memory_sequence_length, check_inner_dims_defined):
    """`memory` as tensors, rows past each entry's length zeroed."""
    memory = nest.map_structure(lambda m: convert_to_tensor(m, name="memory"), memory)
    if memory_sequence_length is not None:
        memory_sequence_length = convert_to_tensor(
            memory_sequence_length, name="memory_sequence_length"
        )
    if check_inner_dims_defined:
        for m in nest.flatten(memory):
            if not m.get_shape()[2:].is_fully_defined():
                raise ValueError(
                    f"Expected memory {m.name} to have fully defined inner dims, "
                    f"but saw shape: {m.get_shape()}"
                )
    if memory_sequence_length is None:
        return memory
    first = nest.flatten(memory)[0]
    seq_len_mask = array_ops.sequence_mask(
        memory_sequence_length, maxlen=array_ops.shape(first)[1], dtype=first.dtype
    )
    seq_len_batch_size = _batch_dim(memory_sequence_length)

    def _mask(m):
        rank = m.get_shape().ndims
        rank = rank if rank is not None else array_ops.rank(m)
        extra_ones = array_ops.ones(rank - 2, dtype=dtypes.int32)
        message = "memory_sequence_length and memory tensor batch sizes do not match."
        with control_dependencies(
            [check_ops.assert_equal(seq_len_batch_size, _batch_dim(m), message=message)]
        ):
            mask = array_ops.reshape(
                seq_len_mask, array_ops.concat((array_ops.shape(seq_len_mask), extra_ones), 0)
            )
            return m * mask

    return nest.map_structure(_mask, memory)


def _maybe_mask_score(score, memory_sequence_length, score_mask_value):
    if memory_sequence_length is None:
        return score
    message = "All values in memory_sequence_length must greater than zero."
    with control_dependencies([check_ops.assert_positive(memory_sequence_length, message=message)]):
        score_mask = array_ops.sequence_mask(
            memory_sequence_length, maxlen=array_ops.shape(score)[1]
        )
        score_mask_values = score_mask_value * array_ops.ones_like(score)
        return array_ops.where(score_mask, score, score_mask_values)


class _BaseAttentionMechanism(AttentionMechanism):
    """Keeps the (masked) memory as `values` and its projection as `keys`."""

    def __init__(
        self,
        query_layer,
        memory,
        probability_fn,
        memory_sequence_length=None,
        memory_layer=None,
        check_inner_dims_defined=True,
        score_mask_value=None,
        name=None,
        custom_key_value_fn=None,
    ):
        if query_layer is not None and not isinstance(query_layer, layers_base.Layer):
            raise TypeError(f"query_layer is not a Layer: {type(query_layer).__name__}")
        if memory_layer is not None and not isinstance(memory_layer, layers_base.Layer):
            raise TypeError(f"memory_layer is not a Layer: {type(memory_layer).__name__}")
        self._query_layer = query_layer
        self._memory_layer = memory_layer
        self.dtype = memory_layer.dtype
        if not callable(probability_fn):
            raise TypeError(
                f"probability_fn must be callable, saw type: {type(probability_fn).__name__}"
            )
        if score_mask_value is None:
            score_mask_value = dtypes.as_dtype(self._memory_layer.dtype).as_numpy_dtype(-np.inf)
        self._probability_fn = lambda score, prev: probability_fn(
            _maybe_mask_score(score, memory_sequence_length, score_mask_value), prev
        )
        with name_scope(name, "BaseAttentionMechanismInit"):
            self._values = _prepare_memory(
                memory, memory_sequence_length, check_inner_dims_defined=check_inner_dims_defined
            )
            self._keys = self.memory_layer(self._values) if self.memory_layer else self._values
            if custom_key_value_fn is not None:
                self._keys, self._values = custom_key_value_fn(self._keys, self._values)
            self._batch_size = _batch_dim(self._keys)
            self._alignments_size = (
                dimension_value(self._keys.shape[1]) or array_ops.shape(self._keys)[1]
            )

    @property
    def memory_layer(self):
        return self._memory_layer

    @property
    def query_layer(self):
        return self._query_layer

    @property
    def values(self):
        return self._values

    @property
    def keys(self):
        return self._keys

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def alignments_size(self):
        return self._alignments_size

    @property
    def state_size(self):
        return self._alignments_size

    def initial_alignments(self, batch_size, dtype):
        """Zeros shaped `[batch_size, max_time]`."""
        return _zero_state_tensors(self._alignments_size, batch_size, dtype)

    def initial_state(self, batch_size, dtype):
        return self.initial_alignments(batch_size, dtype)


def _luong_score(query, keys, scale):
    depth = query.get_shape()[-1]
    key_units = keys.get_shape()[-1]
    if depth != key_units:
        raise ValueError(
            "Incompatible or unknown inner dimensions between query and keys.  "
            f"Query ({query}) has units: {depth}.  Keys ({keys}) have units: {key_units}.  "
            f"Perhaps you need to set num_units to the keys' dimension ({key_units})?"
        )
    dtype = query.dtype
    query = array_ops.expand_dims(query, 1)
    score = math_ops.matmul(query, keys, transpose_b=True)
    score = array_ops.squeeze(score, [1])
    if scale:
        g = get_variable(
            "attention_g", dtype=dtype, initializer=init_ops.ones_initializer, shape=()
        )
        score = g * score
    return score


def _bahdanau_score(processed_query, keys, normalize):
    dtype = processed_query.dtype
    num_units = dimension_value(keys.shape[2]) or array_ops.shape(keys)[2]
    processed_query = array_ops.expand_dims(processed_query, 1)
    v = get_variable("attention_v", [num_units], dtype=dtype)
    if normalize:
        g = get_variable(
            "attention_g",
            dtype=dtype,
            initializer=init_ops.constant_initializer(math.sqrt(1.0 / num_units)),
            shape=(),
        )
        b = get_variable(
            "attention_b", [num_units], dtype=dtype, initializer=init_ops.zeros_initializer()
        )
        normed_v = g * v * math_ops.rsqrt(math_ops.reduce_sum(math_ops.square(v)))
        return math_ops.reduce_sum(normed_v * math_ops.tanh(keys + processed_query + b), [2])
    return math_ops.reduce_sum(v * math_ops.tanh(keys + processed_query), [2])


class LuongAttention(_BaseAttentionMechanism):
    """Multiplicative attention: score = query . keys (times a learned `attention_g`
    when `scale`); the memory is projected to `num_units` by `memory_layer`."""

    def __init__(
        self,
        num_units,
        memory,
        memory_sequence_length=None,
        scale=False,
        probability_fn=None,
        score_mask_value=None,
        dtype=None,
        custom_key_value_fn=None,
        name="LuongAttention",
    ):
        if probability_fn is None:
            probability_fn = nn_ops.softmax
        if dtype is None:
            dtype = dtypes.float32
        wrapped_probability_fn = lambda score, _: probability_fn(score)  # noqa: E731
        super().__init__(
            query_layer=None,
            memory_layer=layers_core.Dense(
                num_units, name="memory_layer", use_bias=False, dtype=dtype
            ),
            memory=memory,
            probability_fn=wrapped_probability_fn,
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value,
            name=name,
            custom_key_value_fn=custom_key_value_fn,
        )
        self._num_units = num_units
        self._scale = scale
        self._name = name

    def __call__(self, query, state):
        with variable_scope(None, "luong_attention", [query]):
            score = _luong_score(query, self._keys, self._scale)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class BahdanauAttention(_BaseAttentionMechanism):
    """Additive attention: score = v . tanh(keys + query_layer(query)) (weight-normed
    with `attention_g`, `attention_b` when `normalize`)."""

    def __init__(
        self,
        num_units,
        memory,
        memory_sequence_length=None,
        normalize=False,
        probability_fn=None,
        score_mask_value=None,
        dtype=None,
        custom_key_value_fn=None,
        name="BahdanauAttention",
    ):
        if probability_fn is None:
            probability_fn = nn_ops.softmax
        if dtype is None:
            dtype = dtypes.float32
        wrapped_probability_fn = lambda score, _: probability_fn(score)  # noqa: E731
        super().__init__(
            query_layer=layers_core.Dense(
                num_units, name="query_layer", use_bias=False, dtype=dtype
            ),
            memory_layer=layers_core.Dense(
                num_units, name="memory_layer", use_bias=False, dtype=dtype
            ),
            memory=memory,
            probability_fn=wrapped_probability_fn,
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value,
            name=name,
            custom_key_value_fn=custom_key_value_fn,
        )
        self._num_units = num_units
        self._normalize = normalize
        self._name = name

    def __call__(self, query, state):
        with variable_scope(None, "bahdanau_attention", [query]):
            processed_query = self.query_layer(query) if self.query_layer else query
            score = _bahdanau_score(processed_query, self._keys, self._normalize)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


def safe_cumprod(x, *args, **kwargs):
    """cumprod(x) as exp(cumsum(log(x))), x clipped to [tiny, 1] (stable for tiny x)."""
    with name_scope(None, "SafeCumprod", [x]):
        x = convert_to_tensor(x, name="x")
        tiny = np.finfo(x.dtype.as_numpy_dtype).tiny
        return math_ops.exp(
            math_ops.cumsum(math_ops.log(math_ops.clip_by_value(x, tiny, 1)), *args, **kwargs)
        )


def monotonic_attention(p_choose_i, previous_attention, mode):
    """The monotonic attention distribution from choosing probabilities `p_choose_i`
    ([batch, memory_time]) and the previous step's attention; `mode` is 'recursive'
    (a scan), 'parallel' (cumulative sums and products) or 'hard' (0/1 probabilities)."""
    p_choose_i = convert_to_tensor(p_choose_i, name="p_choose_i")
    previous_attention = convert_to_tensor(previous_attention, name="previous_attention")
    if mode == "recursive":
        from tfgraph.functional_ops import scan

        batch_size = _batch_dim(p_choose_i)
        shifted_1mp_choose_i = array_ops.concat(
            [array_ops.ones((batch_size, 1)), 1 - p_choose_i[:, :-1]], 1
        )
        attention = p_choose_i * array_ops.transpose(
            scan(
                lambda x, yz: array_ops.reshape(yz[0] * x + yz[1], (batch_size,)),
                [
                    array_ops.transpose(shifted_1mp_choose_i),
                    array_ops.transpose(previous_attention),
                ],
                array_ops.zeros((batch_size,)),
            )
        )
    elif mode == "parallel":
        cumprod_1mp_choose_i = safe_cumprod(1 - p_choose_i, axis=1, exclusive=True)
        attention = (
            p_choose_i
            * cumprod_1mp_choose_i
            * math_ops.cumsum(
                previous_attention / math_ops.clip_by_value(cumprod_1mp_choose_i, 1e-10, 1.0),
                axis=1,
            )
        )
    elif mode == "hard":
        p_choose_i *= math_ops.cumsum(previous_attention, axis=1)
        attention = p_choose_i * math_ops.cumprod(1 - p_choose_i, axis=1, exclusive=True)
    else:
        raise ValueError("mode must be 'recursive', 'parallel', or 'hard'.")
    return attention


def _monotonic_probability_fn(score, previous_alignments, sigmoid_noise, mode, seed=None):
    if sigmoid_noise > 0:
        noise = random_ops.random_normal(array_ops.shape(score), dtype=score.dtype, seed=seed)
        score += sigmoid_noise * noise
    if mode == "hard":
        p_choose_i = array_ops.cast(math_ops.greater(score, 0), score.dtype)
    else:
        p_choose_i = math_ops.sigmoid(score)
    return monotonic_attention(p_choose_i, previous_alignments, mode)


class _BaseMonotonicAttentionMechanism(_BaseAttentionMechanism):
    def initial_alignments(self, batch_size, dtype):
        """One-hot on the first memory entry, for every batch entry."""
        return array_ops.one_hot(
            array_ops.zeros((batch_size,), dtype=dtypes.int32), self._alignments_size, dtype=dtype
        )


class BahdanauMonotonicAttention(_BaseMonotonicAttentionMechanism):
    """Bahdanau scores plus a learned scalar `attention_score_bias`, through a sigmoid
    and `monotonic_attention`."""

    def __init__(
        self,
        num_units,
        memory,
        memory_sequence_length=None,
        normalize=False,
        score_mask_value=None,
        sigmoid_noise=0.0,
        sigmoid_noise_seed=None,
        score_bias_init=0.0,
        mode="parallel",
        dtype=None,
        name="BahdanauMonotonicAttention",
    ):
        if dtype is None:
            dtype = dtypes.float32
        wrapped_probability_fn = functools.partial(
            _monotonic_probability_fn,
            sigmoid_noise=sigmoid_noise,
            mode=mode,
            seed=sigmoid_noise_seed,
        )
        super().__init__(
            query_layer=layers_core.Dense(
                num_units, name="query_layer", use_bias=False, dtype=dtype
            ),
            memory_layer=layers_core.Dense(
                num_units, name="memory_layer", use_bias=False, dtype=dtype
            ),
            memory=memory,
            probability_fn=wrapped_probability_fn,
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value,
            name=name,
        )
        self._num_units = num_units
        self._normalize = normalize
        self._name = name
        self._score_bias_init = score_bias_init

    def __call__(self, query, state):
        with variable_scope(None, "bahdanau_monotonic_attention", [query]):
            processed_query = self.query_layer(query) if self.query_layer else query
            score = _bahdanau_score(processed_query, self._keys, self._normalize)
            score_bias = get_variable(
                "attention_score_bias",
                dtype=processed_query.dtype,
                initializer=init_ops.constant_initializer(self._score_bias_init),
                shape=(),
            )
            score += score_bias
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class LuongMonotonicAttention(_BaseMonotonicAttentionMechanism):
    """Luong scores plus a learned scalar `attention_score_bias`, through a sigmoid and
    `monotonic_attention`."""

    def __init__(
        self,
        num_units,
        memory,
        memory_sequence_length=None,
        scale=False,
        score_mask_value=None,
        sigmoid_noise=0.0,
        sigmoid_noise_seed=None,
        score_bias_init=0.0,
        mode="parallel",
        dtype=None,
        name="LuongMonotonicAttention",
    ):
        if dtype is None:
            dtype = dtypes.float32
        wrapped_probability_fn = functools.partial(
            _monotonic_probability_fn,
            sigmoid_noise=sigmoid_noise,
            mode=mode,
            seed=sigmoid_noise_seed,
        )
        super().__init__(
            query_layer=None,
            memory_layer=layers_core.Dense(
                num_units, name="memory_layer", use_bias=False, dtype=dtype
            ),
            memory=memory,
            probability_fn=wrapped_probability_fn,
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value,
            name=name,
        )
        self._num_units = num_units
        self._scale = scale
        self._score_bias_init = score_bias_init
        self._name = name

    def __call__(self, query, state):
        with variable_scope(None, "luong_monotonic_attention", [query]):
            score = _luong_score(query, self._keys, self._scale)
            score_bias = get_variable(
                "attention_score_bias",
                dtype=query.dtype,
                initializer=init_ops.constant_initializer(self._score_bias_init),
                shape=(),
            )
            score += score_bias
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class AttentionWrapperState(
    collections.namedtuple(
        "AttentionWrapperState",
        ("cell_state", "attention", "time", "alignments", "alignment_history", "attention_state"),
    )
):
    """The state of an `AttentionWrapper`: the wrapped cell's state, the previous
    attention, the step, the alignments, their history (TensorArrays, or ()) and the
    mechanisms' own states."""

    def clone(self, **kwargs):
        """A copy with the given fields replaced (shapes of tensors kept when known)."""

        def with_same_shape(old, new):
            if isinstance(old, Tensor) and isinstance(new, Tensor):
                new.set_shape(old.shape)
            return new

        return nest.map_structure(with_same_shape, self, super()._replace(**kwargs))


def hardmax(logits, name=None):
    """One-hot vectors at the largest logit of each row."""
    with name_scope(name, "Hardmax", [logits]):
        logits = convert_to_tensor(logits, name="logits")
        depth = dimension_value(logits.get_shape()[-1])
        if depth is None:
            depth = array_ops.shape(logits)[-1]
        return array_ops.one_hot(math_ops.argmax(logits, -1), depth, dtype=logits.dtype)


def _compute_attention(attention_mechanism, cell_output, attention_state, attention_layer):
    alignments, next_attention_state = attention_mechanism(cell_output, state=attention_state)
    expanded_alignments = array_ops.expand_dims(alignments, 1)
    context = math_ops.matmul(expanded_alignments, attention_mechanism.values)
    context = array_ops.squeeze(context, [1])
    if attention_layer is not None:
        attention = attention_layer(array_ops.concat([cell_output, context], 1))
    else:
        attention = context
    return attention, alignments, next_attention_state


class AttentionWrapper(RNNCell):
    """Wraps `cell` with attention: each step the cell reads `cell_input_fn(inputs,
    previous attention)`, its output queries the mechanism(s), and the attention is the
    context (or `attention_layer([cell_output, context])`)."""

    def __init__(
        self,
        cell,
        attention_mechanism,
        attention_layer_size=None,
        alignment_history=False,
        cell_input_fn=None,
        output_attention=True,
        initial_cell_state=None,
        name=None,
        attention_layer=None,
        attention_fn=None,
    ):
        super().__init__(name=name)
        assert_like_rnncell("cell", cell)
        if isinstance(attention_mechanism, (list, tuple)):
            self._is_multi = True
            attention_mechanisms = tuple(attention_mechanism)
            for mechanism in attention_mechanisms:
                if not isinstance(mechanism, AttentionMechanism):
                    raise TypeError(
                        "attention_mechanism must contain only instances of "
                        f"AttentionMechanism, saw type: {type(mechanism).__name__}"
                    )
        else:
            self._is_multi = False
            if not isinstance(attention_mechanism, AttentionMechanism):
                raise TypeError(
                    "attention_mechanism must be an AttentionMechanism or list of "
                    "multiple AttentionMechanism instances, saw type: "
                    f"{type(attention_mechanism).__name__}"
                )
            attention_mechanisms = (attention_mechanism,)
        if cell_input_fn is None:
            cell_input_fn = lambda inputs, attention: array_ops.concat(  # noqa: E731
                [inputs, attention], -1
            )
        elif not callable(cell_input_fn):
            raise TypeError(
                f"cell_input_fn must be callable, saw type: {type(cell_input_fn).__name__}"
            )
        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should be set")
        if attention_layer_size is not None:
            sizes = tuple(
                attention_layer_size
                if isinstance(attention_layer_size, (list, tuple))
                else (attention_layer_size,)
            )
            if len(sizes) != len(attention_mechanisms):
                raise ValueError(
                    "If provided, attention_layer_size must contain exactly one integer per "
                    f"attention_mechanism, saw: {len(sizes)} vs {len(attention_mechanisms)}"
                )
            self._attention_layers = tuple(
                layers_core.Dense(
                    size,
                    name="attention_layer",
                    use_bias=False,
                    dtype=attention_mechanisms[i].dtype,
                )
                for i, size in enumerate(sizes)
            )
            self._attention_layer_size = sum(sizes)
        elif attention_layer is not None:
            self._attention_layers = tuple(
                attention_layer
                if isinstance(attention_layer, (list, tuple))
                else (attention_layer,)
            )
            if len(self._attention_layers) != len(attention_mechanisms):
                raise ValueError(
                    "If provided, attention_layer must contain exactly one layer per "
                    f"attention_mechanism, saw: {len(self._attention_layers)} vs "
                    f"{len(attention_mechanisms)}"
                )
            self._attention_layer_size = sum(
                dimension_value(
                    layer.compute_output_shape(
                        TensorShape(
                            [
                                None,
                                cell.output_size + dimension_value(mechanism.values.shape[-1]),
                            ]
                        )
                    )[-1]
                )
                for layer, mechanism in zip(self._attention_layers, attention_mechanisms)
            )
        else:
            self._attention_layers = None
            self._attention_layer_size = sum(
                dimension_value(mechanism.values.get_shape()[-1])
                for mechanism in attention_mechanisms
            )
        self._cell = cell
        self._attention_mechanisms = attention_mechanisms
        self._cell_input_fn = cell_input_fn
        self._output_attention = output_attention
        self._alignment_history = alignment_history
        if attention_fn is None:
            attention_fn = _compute_attention
        self._attention_fn = attention_fn
        with name_scope(name, "AttentionWrapperInit"):
            if initial_cell_state is None:
                self._initial_cell_state = None
            else:
                final_state_tensor = nest.flatten(initial_cell_state)[-1]
                state_batch_size = _batch_dim(final_state_tensor)
                error_message = (
                    f"When constructing AttentionWrapper {self._base_name}: "
                    "Non-matching batch sizes between the memory (encoder output) and "
                    "initial_cell_state.  Are you using the BeamSearchDecoder?  You may need "
                    "to tile your initial state via the tf.contrib.seq2seq.tile_batch "
                    "function with argument multiple=beam_width."
                )
                with control_dependencies(self._batch_size_checks(state_batch_size, error_message)):
                    self._initial_cell_state = nest.map_structure(
                        lambda s: array_ops.identity(s, name="check_initial_cell_state"),
                        initial_cell_state,
                    )

    def _batch_size_checks(self, batch_size, error_message):
        return [
            check_ops.assert_equal(batch_size, mechanism.batch_size, message=error_message)
            for mechanism in self._attention_mechanisms
        ]

    def _item_or_tuple(self, seq):
        t = tuple(seq)
        return t if self._is_multi else t[0]

    @property
    def output_size(self):
        if self._output_attention:
            return self._attention_layer_size
        return self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(
            cell_state=self._cell.state_size,
            time=TensorShape([]),
            attention=self._attention_layer_size,
            alignments=self._item_or_tuple(a.alignments_size for a in self._attention_mechanisms),
            attention_state=self._item_or_tuple(a.state_size for a in self._attention_mechanisms),
            alignment_history=self._item_or_tuple(
                a.alignments_size if self._alignment_history else ()
                for a in self._attention_mechanisms
            ),
        )

    def zero_state(self, batch_size, dtype):
        """The initial `AttentionWrapperState` (the cell's zero state, or
        `initial_cell_state`; zero attention; the mechanisms' initial alignments)."""
        with name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            if self._initial_cell_state is not None:
                cell_state = self._initial_cell_state
            else:
                cell_state = self._cell.zero_state(batch_size, dtype)
            error_message = (
                f"When calling zero_state of AttentionWrapper {self._base_name}: "
                "Non-matching batch sizes between the memory (encoder output) and the "
                "requested batch size.  Are you using the BeamSearchDecoder?  If so, make "
                "sure your encoder output has been tiled to beam_width via "
                "tf.contrib.seq2seq.tile_batch, and the batch_size= argument passed to "
                "zero_state is batch_size * beam_width."
            )
            with control_dependencies(self._batch_size_checks(batch_size, error_message)):
                cell_state = nest.map_structure(
                    lambda s: array_ops.identity(s, name="checked_cell_state"), cell_state
                )
            initial_alignments = [
                mechanism.initial_alignments(batch_size, dtype)
                for mechanism in self._attention_mechanisms
            ]
            return AttentionWrapperState(
                cell_state=cell_state,
                time=array_ops.zeros([], dtype=dtypes.int32),
                attention=_zero_state_tensors(self._attention_layer_size, batch_size, dtype),
                alignments=self._item_or_tuple(initial_alignments),
                attention_state=self._item_or_tuple(
                    mechanism.initial_state(batch_size, dtype)
                    for mechanism in self._attention_mechanisms
                ),
                alignment_history=self._item_or_tuple(
                    TensorArray(
                        dtype=dtype, size=0, dynamic_size=True, element_shape=alignment.shape
                    )
                    if self._alignment_history
                    else ()
                    for alignment in initial_alignments
                ),
            )

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(
                "Expected state to be instance of AttentionWrapperState. "
                f"Received type {type(state)} instead."
            )
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        error_message = (
            f"When applying AttentionWrapper {self.name}: Non-matching batch sizes between "
            "the memory (encoder output) and the query (decoder output).  Are you using the "
            "BeamSearchDecoder?  You may need to tile your memory input via the "
            "tf.contrib.seq2seq.tile_batch function with argument multiple=beam_width."
        )
        with control_dependencies(self._batch_size_checks(_batch_dim(cell_output), error_message)):
            cell_output = array_ops.identity(cell_output, name="checked_cell_output")
        if self._is_multi:
            previous_attention_state = state.attention_state
            previous_alignment_history = state.alignment_history
        else:
            previous_attention_state = [state.attention_state]
            previous_alignment_history = [state.alignment_history]
        all_alignments, all_attentions, all_attention_states, maybe_all_histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignments, next_attention_state = self._attention_fn(
                mechanism,
                cell_output,
                previous_attention_state[i],
                self._attention_layers[i] if self._attention_layers else None,
            )
            alignment_history = (
                previous_alignment_history[i].write(state.time, alignments)
                if self._alignment_history
                else ()
            )
            all_attention_states.append(next_attention_state)
            all_alignments.append(alignments)
            all_attentions.append(attention)
            maybe_all_histories.append(alignment_history)
        attention = array_ops.concat(all_attentions, 1)
        next_state = AttentionWrapperState(
            time=state.time + 1,
            cell_state=next_cell_state,
            attention=attention,
            attention_state=self._item_or_tuple(all_attention_states),
            alignments=self._item_or_tuple(all_alignments),
            alignment_history=self._item_or_tuple(maybe_all_histories),
        )
        if self._output_attention:
            return attention, next_state
        return cell_output, next_state
