"""TF 1.15's dynamic decoding from `tf.contrib.seq2seq`: the `Decoder` interface,
`dynamic_decode` (a `while_loop` calling `decoder.step` and writing each step's outputs
into TensorArrays), `BasicDecoder` and the sampling helpers (`TrainingHelper`,
`GreedyEmbeddingHelper`, `SampleEmbeddingHelper`, the scheduled-sampling helpers,
`InferenceHelper`, `CustomHelper`).

Variables are made where contrib made them: the cell and the output layer are called
inside `dynamic_decode`'s variable scope (`decoder/basic_lstm_cell/kernel`,
`decoder/dense/kernel`), so checkpoints interchange with TF 1.15.
"""

from __future__ import annotations

import abc
import collections

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.legacy_layers import base as layers_base
from tfgraph.legacy_layers.dynamic_rnn import _transpose_batch_time
from tfgraph.legacy_layers.rnn_cell_impl import _zero_state_tensors, assert_like_rnncell
from tfgraph.ops import array_ops, control_flow_ops, math_ops, nn_ops, random_ops
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_loop import while_loop
from tfgraph.variable_scope import variable_scope

__all__ = [
    "BasicDecoder",
    "BasicDecoderOutput",
    "CustomHelper",
    "Decoder",
    "GreedyEmbeddingHelper",
    "Helper",
    "InferenceHelper",
    "SampleEmbeddingHelper",
    "ScheduledEmbeddingTrainingHelper",
    "ScheduledOutputTrainingHelper",
    "TrainingHelper",
    "dynamic_decode",
]


# -- Decoder and dynamic_decode ---------------------------------------------------------------
class Decoder(abc.ABC):
    """What `dynamic_decode` drives: `initialize()` gives `(finished, inputs, state)`,
    `step(time, inputs, state)` gives `(outputs, next_state, next_inputs, finished)`,
    `finalize(outputs, state, lengths)` (optional) post-processes the stacked outputs."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    @property
    def output_dtype(self):
        raise NotImplementedError

    @abc.abstractmethod
    def initialize(self, name=None):
        raise NotImplementedError

    @abc.abstractmethod
    def step(self, time, inputs, state, name=None):
        raise NotImplementedError

    def finalize(self, outputs, final_state, sequence_lengths):
        raise NotImplementedError

    @property
    def tracks_own_finished(self):
        """True when the decoder reorders batch entries and keeps `finished` itself
        (beam search); otherwise `dynamic_decode` ORs each step's flags in."""
        return False


def _create_zero_outputs(size, dtype, batch_size):
    return nest.map_structure(lambda s, d: _zero_state_tensors(s, batch_size, d), size, dtype)


def _ta_element_shape(batch_size, from_shape):
    if not isinstance(from_shape, TensorShape) or from_shape.ndims == 0:
        return TensorShape(None)
    static_batch = constant_value(convert_to_tensor(batch_size, name="batch_size"))
    static_batch = None if static_batch is None else int(static_batch)
    return TensorShape([static_batch]).concatenate(from_shape)


def dynamic_decode(
    decoder,
    output_time_major=False,
    impute_finished=False,
    maximum_iterations=None,
    parallel_iterations=32,
    swap_memory=False,
    scope=None,
):
    """Runs `decoder` until every batch entry is finished (or `maximum_iterations`
    steps); returns `(final_outputs, final_state, final_sequence_lengths)`.

    Outputs are batch-major unless `output_time_major`. With `impute_finished`, entries
    already finished emit zeros and keep their state. A sequence's length is the step at
    which it first reported `finished`, counting that step."""
    if not isinstance(decoder, Decoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder)}")
    with variable_scope(scope, "decoder"):
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(
                maximum_iterations, dtype=dtypes.int32, name="maximum_iterations"
            )
            if maximum_iterations.get_shape().ndims != 0:
                raise ValueError("maximum_iterations must be a scalar")

        initial_finished, initial_inputs, initial_state = decoder.initialize()
        zero_outputs = _create_zero_outputs(
            decoder.output_size, decoder.output_dtype, decoder.batch_size
        )
        if maximum_iterations is not None:
            initial_finished = math_ops.logical_or(
                initial_finished, math_ops.greater_equal(0, maximum_iterations)
            )
        initial_sequence_lengths = array_ops.zeros_like(initial_finished, dtype=dtypes.int32)
        initial_time = constant(0, dtype=dtypes.int32)

        initial_outputs_ta = nest.map_structure(
            lambda s, d: TensorArray(
                dtype=d,
                size=0,
                dynamic_size=True,
                element_shape=_ta_element_shape(decoder.batch_size, s),
            ),
            decoder.output_size,
            decoder.output_dtype,
        )

        def condition(unused_time, unused_outputs_ta, unused_state, unused_inputs, finished, _):
            return math_ops.logical_not(math_ops.reduce_all(finished))

        def body(time, outputs_ta, state, inputs, finished, sequence_lengths):
            next_outputs, decoder_state, next_inputs, decoder_finished = decoder.step(
                time, inputs, state
            )
            if decoder.tracks_own_finished:
                next_finished = decoder_finished
            else:
                next_finished = math_ops.logical_or(decoder_finished, finished)
            next_sequence_lengths = array_ops.where(
                math_ops.logical_not(finished),
                array_ops.fill(array_ops.shape(sequence_lengths), time + 1),
                sequence_lengths,
            )
            nest.assert_same_structure(state, decoder_state)
            nest.assert_same_structure(outputs_ta, next_outputs)
            nest.assert_same_structure(inputs, next_inputs)
            if impute_finished:
                emit = nest.map_structure(
                    lambda out, zero: array_ops.where(finished, zero, out),
                    next_outputs,
                    zero_outputs,
                )

                def _maybe_copy_state(new, cur):
                    if isinstance(cur, TensorArray):
                        return new
                    new.set_shape(cur.shape)
                    if new.shape.ndims == 0:
                        return new
                    return array_ops.where(finished, cur, new)

                next_state = nest.map_structure(_maybe_copy_state, decoder_state, state)
            else:
                emit = next_outputs
                next_state = decoder_state
            outputs_ta = nest.map_structure(lambda ta, out: ta.write(time, out), outputs_ta, emit)
            return (
                time + 1,
                outputs_ta,
                next_state,
                next_inputs,
                next_finished,
                next_sequence_lengths,
            )

        res = while_loop(
            condition,
            body,
            loop_vars=(
                initial_time,
                initial_outputs_ta,
                initial_state,
                initial_inputs,
                initial_finished,
                initial_sequence_lengths,
            ),
            parallel_iterations=parallel_iterations,
            maximum_iterations=maximum_iterations,
            swap_memory=swap_memory,
        )
        final_outputs_ta, final_state, final_sequence_lengths = res[1], res[2], res[5]
        final_outputs = nest.map_structure(lambda ta: ta.stack(), final_outputs_ta)
        try:
            final_outputs, final_state = decoder.finalize(
                final_outputs, final_state, final_sequence_lengths
            )
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = nest.map_structure(_transpose_batch_time, final_outputs)
    return final_outputs, final_state, final_sequence_lengths


# -- helpers ----------------------------------------------------------------------------------
def _unstack_ta(inp):
    return TensorArray(
        dtype=inp.dtype, size=array_ops.shape(inp)[0], element_shape=inp.get_shape()[1:]
    ).unstack(inp)


def _embedding_fn(embedding):
    if callable(embedding):
        return embedding
    return lambda ids: nn_ops.embedding_lookup(embedding, ids)


def categorical_sample(logits, dtype=dtypes.int32, seed=None):
    """One draw per row of `logits` ([..., classes]) from the softmax distribution."""
    logits = convert_to_tensor(logits, name="logits")
    with name_scope(None, "sample"):
        event_size = array_ops.shape(logits)[-1]
        batch_shape = array_ops.shape(logits)[:-1]
        logits_2d = (
            logits if logits.shape.ndims == 2 else array_ops.reshape(logits, [-1, event_size])
        )
        sample_dtype = dtypes.int64 if logits.dtype.size > 4 else dtypes.int32
        draws = random_ops.multinomial(logits_2d, 1, seed=seed, output_dtype=sample_dtype)
        draws = array_ops.reshape(array_ops.transpose(draws), batch_shape)
        return array_ops.cast(draws, dtype)


def bernoulli_sample(probs, sample_shape, dtype=dtypes.int32, seed=None):
    """Bernoulli draws with probability `probs`, shaped `[sample_shape] + probs.shape`."""
    with name_scope(None, "sample"):
        probs = convert_to_tensor(probs, name="probs")
        shape = array_ops.concat([array_ops.reshape(sample_shape, [-1]), array_ops.shape(probs)], 0)
        uniform = random_ops.random_uniform(shape, seed=seed, dtype=probs.dtype)
        return array_ops.cast(math_ops.less(uniform, probs), dtype)


class Helper(abc.ABC):
    """How a `BasicDecoder` samples ids from its outputs and builds its next inputs."""

    @property
    @abc.abstractmethod
    def batch_size(self):
        raise NotImplementedError("batch_size has not been implemented")

    @property
    @abc.abstractmethod
    def sample_ids_shape(self):
        raise NotImplementedError("sample_ids_shape has not been implemented")

    @property
    @abc.abstractmethod
    def sample_ids_dtype(self):
        raise NotImplementedError("sample_ids_dtype has not been implemented")

    @abc.abstractmethod
    def initialize(self, name=None):
        """`(initial_finished, initial_inputs)`."""

    @abc.abstractmethod
    def sample(self, time, outputs, state, name=None):
        """`sample_ids`."""

    @abc.abstractmethod
    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        """`(finished, next_inputs, next_state)`."""


class CustomHelper(Helper):
    """A helper from three functions: `initialize_fn() -> (finished, inputs)`,
    `sample_fn(time, outputs, state) -> ids` and
    `next_inputs_fn(time, outputs, state, sample_ids) -> (finished, inputs, state)`."""

    def __init__(
        self,
        initialize_fn,
        sample_fn,
        next_inputs_fn,
        sample_ids_shape=None,
        sample_ids_dtype=None,
    ):
        self._initialize_fn = initialize_fn
        self._sample_fn = sample_fn
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = None
        self._sample_ids_shape = TensorShape(sample_ids_shape or [])
        self._sample_ids_dtype = sample_ids_dtype or dtypes.int32

    @property
    def batch_size(self):
        if self._batch_size is None:
            raise ValueError("batch_size accessed before initialize was called")
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_ids_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_ids_dtype

    def initialize(self, name=None):
        with name_scope(name, f"{type(self).__name__}Initialize"):
            finished, next_inputs = self._initialize_fn()
            if self._batch_size is None:
                self._batch_size = array_ops.size(finished)
        return finished, next_inputs

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, f"{type(self).__name__}Sample"):
            return self._sample_fn(time=time, outputs=outputs, state=state)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, f"{type(self).__name__}NextInputs"):
            return self._next_inputs_fn(
                time=time, outputs=outputs, state=state, sample_ids=sample_ids
            )


class TrainingHelper(Helper):
    """Teacher forcing: step t's input is `inputs[:, t]`; an entry is finished once
    `t + 1 >= sequence_length`. Sample ids are the outputs' argmax."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with name_scope(name, "TrainingHelper"):
            inputs = nest.map_structure(lambda x: convert_to_tensor(x, name="inputs"), inputs)
            self._inputs = inputs
            if not time_major:
                inputs = nest.map_structure(_transpose_batch_time, inputs)
            self._input_tas = nest.map_structure(_unstack_ta, inputs)
            self._sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if self._sequence_length.get_shape().ndims != 1:
                raise ValueError(
                    "Expected sequence_length to be a vector, but received shape: "
                    f"{self._sequence_length.get_shape()}"
                )
            self._zero_inputs = nest.map_structure(
                lambda inp: array_ops.zeros_like(inp[0, :]), inputs
            )
            self._batch_size = array_ops.size(sequence_length)

    @property
    def inputs(self):
        return self._inputs

    @property
    def sequence_length(self):
        return self._sequence_length

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        return dtypes.int32

    def initialize(self, name=None):
        with name_scope(name, "TrainingHelperInitialize"):
            finished = math_ops.equal(0, self._sequence_length)
            all_finished = math_ops.reduce_all(finished)
            next_inputs = control_flow_ops.cond(
                all_finished,
                lambda: self._zero_inputs,
                lambda: nest.map_structure(lambda inp: inp.read(0), self._input_tas),
            )
            return finished, next_inputs

    def sample(self, time, outputs, name=None, **unused_kwargs):
        with name_scope(name, "TrainingHelperSample"):
            return array_ops.cast(math_ops.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time, outputs, state, name=None, **unused_kwargs):
        with name_scope(name, "TrainingHelperNextInputs"):
            next_time = time + 1
            finished = math_ops.greater_equal(next_time, self._sequence_length)
            all_finished = math_ops.reduce_all(finished)
            next_inputs = control_flow_ops.cond(
                all_finished,
                lambda: self._zero_inputs,
                lambda: nest.map_structure(lambda inp: inp.read(next_time), self._input_tas),
            )
            return finished, next_inputs, state


def _check_probability(p):
    p = convert_to_tensor(p, name="sampling_probability")
    if p.get_shape().ndims not in (0, 1):
        raise ValueError(
            f"sampling_probability must be either a scalar or a vector. saw shape: {p.get_shape()}"
        )
    return p


class ScheduledEmbeddingTrainingHelper(TrainingHelper):
    """Training with scheduled sampling: with probability `sampling_probability` an
    entry's next input is the embedding of an id sampled from its logits instead of the
    given input. Sample ids are -1 where no sampling took place."""

    def __init__(
        self,
        inputs,
        sequence_length,
        embedding,
        sampling_probability,
        time_major=False,
        seed=None,
        scheduling_seed=None,
        name=None,
    ):
        with name_scope(name, "ScheduledEmbeddingSamplingWrapper"):
            self._embedding_fn = _embedding_fn(embedding)
            self._sampling_probability = _check_probability(sampling_probability)
            self._seed = seed
            self._scheduling_seed = scheduling_seed
            super().__init__(
                inputs=inputs, sequence_length=sequence_length, time_major=time_major, name=name
            )

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperSample"):
            select_sample = bernoulli_sample(
                probs=self._sampling_probability,
                dtype=dtypes.bool,
                sample_shape=self.batch_size,
                seed=self._scheduling_seed,
            )
            return array_ops.where(
                select_sample,
                categorical_sample(logits=outputs, seed=self._seed),
                array_ops.fill([self.batch_size], -1),
            )

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperNextInputs"):
            finished, base_next_inputs, state = super().next_inputs(
                time=time, outputs=outputs, state=state, sample_ids=sample_ids, name=name
            )

            def maybe_sample():
                where_sampling = array_ops.cast(
                    array_ops.where(math_ops.greater(sample_ids, -1)), dtypes.int32
                )
                where_not_sampling = array_ops.cast(
                    array_ops.where(math_ops.less_equal(sample_ids, -1)), dtypes.int32
                )
                sample_ids_sampling = array_ops.gather_nd(sample_ids, where_sampling)
                inputs_not_sampling = array_ops.gather_nd(base_next_inputs, where_not_sampling)
                sampled_next_inputs = self._embedding_fn(sample_ids_sampling)
                base_shape = array_ops.shape(base_next_inputs)
                return array_ops.scatter_nd(
                    indices=where_sampling, updates=sampled_next_inputs, shape=base_shape
                ) + array_ops.scatter_nd(
                    indices=where_not_sampling, updates=inputs_not_sampling, shape=base_shape
                )

            all_finished = math_ops.reduce_all(finished)
            next_inputs = control_flow_ops.cond(
                all_finished, lambda: base_next_inputs, maybe_sample
            )
            return finished, next_inputs, state


class ScheduledOutputTrainingHelper(TrainingHelper):
    """Training with scheduled sampling of outputs: with probability
    `sampling_probability` an entry's next input is its own output (through
    `next_input_layer`, with `auxiliary_inputs` appended) instead of the given input.
    Sample ids are booleans: True where the output was used."""

    def __init__(
        self,
        inputs,
        sequence_length,
        sampling_probability,
        time_major=False,
        seed=None,
        next_input_layer=None,
        auxiliary_inputs=None,
        name=None,
    ):
        with name_scope(name, "ScheduledOutputTrainingHelper"):
            self._sampling_probability = _check_probability(sampling_probability)
            if auxiliary_inputs is None:
                maybe_concatenated_inputs = inputs
            else:
                inputs = convert_to_tensor(inputs, name="inputs")
                auxiliary_inputs = convert_to_tensor(auxiliary_inputs, name="auxiliary_inputs")
                maybe_concatenated_inputs = nest.map_structure(
                    lambda x, y: array_ops.concat((x, y), -1), inputs, auxiliary_inputs
                )
                if not time_major:
                    auxiliary_inputs = nest.map_structure(_transpose_batch_time, auxiliary_inputs)
            self._auxiliary_input_tas = (
                nest.map_structure(_unstack_ta, auxiliary_inputs)
                if auxiliary_inputs is not None
                else None
            )
            self._seed = seed
            if next_input_layer is not None and not isinstance(next_input_layer, layers_base.Layer):
                raise TypeError(
                    f"next_input_layer must be a Layer, received: {type(next_input_layer)}"
                )
            self._next_input_layer = next_input_layer
            super().__init__(
                inputs=maybe_concatenated_inputs,
                sequence_length=sequence_length,
                time_major=time_major,
                name=name,
            )

    @property
    def sample_ids_shape(self):
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        return dtypes.bool

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperSample"):
            return bernoulli_sample(
                probs=self._sampling_probability,
                sample_shape=self.batch_size,
                seed=self._seed,
                dtype=dtypes.bool,
            )

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperNextInputs"):
            finished, base_next_inputs, state = super().next_inputs(
                time=time, outputs=outputs, state=state, sample_ids=sample_ids, name=name
            )
            sample_ids = array_ops.cast(sample_ids, dtypes.bool)

            def maybe_sample():
                def maybe_concatenate_auxiliary_inputs(outputs_, indices=None):
                    if self._auxiliary_input_tas is None:
                        return outputs_
                    next_time = time + 1
                    auxiliary_inputs = nest.map_structure(
                        lambda ta: ta.read(next_time), self._auxiliary_input_tas
                    )
                    if indices is not None:
                        auxiliary_inputs = array_ops.gather_nd(auxiliary_inputs, indices)
                    return nest.map_structure(
                        lambda x, y: array_ops.concat((x, y), -1), outputs_, auxiliary_inputs
                    )

                if self._next_input_layer is None:
                    return array_ops.where(
                        sample_ids, maybe_concatenate_auxiliary_inputs(outputs), base_next_inputs
                    )
                where_sampling = array_ops.cast(array_ops.where(sample_ids), dtypes.int32)
                where_not_sampling = array_ops.cast(
                    array_ops.where(math_ops.logical_not(sample_ids)), dtypes.int32
                )
                outputs_sampling = array_ops.gather_nd(outputs, where_sampling)
                inputs_not_sampling = array_ops.gather_nd(base_next_inputs, where_not_sampling)
                sampled_next_inputs = maybe_concatenate_auxiliary_inputs(
                    self._next_input_layer(outputs_sampling), where_sampling
                )
                base_shape = array_ops.shape(base_next_inputs)
                return array_ops.scatter_nd(
                    indices=where_sampling, updates=sampled_next_inputs, shape=base_shape
                ) + array_ops.scatter_nd(
                    indices=where_not_sampling, updates=inputs_not_sampling, shape=base_shape
                )

            all_finished = math_ops.reduce_all(finished)
            no_samples = math_ops.logical_not(math_ops.reduce_any(sample_ids))
            next_inputs = control_flow_ops.cond(
                math_ops.logical_or(all_finished, no_samples),
                lambda: base_next_inputs,
                maybe_sample,
            )
            return finished, next_inputs, state


class GreedyEmbeddingHelper(Helper):
    """Inference: the next input is the embedding of the outputs' argmax; an entry is
    finished when it emits `end_token`."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embedding_fn = _embedding_fn(embedding)
        self._start_tokens = convert_to_tensor(
            start_tokens, dtype=dtypes.int32, name="start_tokens"
        )
        self._end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if self._start_tokens.get_shape().ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._batch_size = array_ops.size(start_tokens)
        if self._end_token.get_shape().ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._start_inputs = self._embedding_fn(self._start_tokens)

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        return dtypes.int32

    def initialize(self, name=None):
        finished = array_ops.tile([False], [self._batch_size])
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        del time, state
        if not hasattr(outputs, "op") or isinstance(outputs, (list, tuple)):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        return array_ops.cast(math_ops.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        del time, outputs
        finished = math_ops.equal(sample_ids, self._end_token)
        all_finished = math_ops.reduce_all(finished)
        next_inputs = control_flow_ops.cond(
            all_finished,
            lambda: self._start_inputs,
            lambda: self._embedding_fn(sample_ids),
        )
        return finished, next_inputs, state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """Inference by sampling: the next id is drawn from softmax(outputs / temperature)."""

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None, seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._softmax_temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        del time, state
        if not hasattr(outputs, "op") or isinstance(outputs, (list, tuple)):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        if self._softmax_temperature is None:
            logits = outputs
        else:
            logits = outputs / self._softmax_temperature
        return categorical_sample(logits=logits, seed=self._seed)


class InferenceHelper(Helper):
    """Inference without embeddings: `sample_fn(outputs)` gives the sample ids,
    `end_fn(sample_ids)` the finished flags, and the next input is the outputs (or
    `next_inputs_fn(sample_ids)`)."""

    def __init__(
        self, sample_fn, sample_shape, sample_dtype, start_inputs, end_fn, next_inputs_fn=None
    ):
        self._sample_fn = sample_fn
        self._end_fn = end_fn
        self._sample_shape = TensorShape(sample_shape)
        self._sample_dtype = sample_dtype
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = array_ops.shape(start_inputs)[0]
        self._start_inputs = convert_to_tensor(start_inputs, name="start_inputs")

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_dtype

    def initialize(self, name=None):
        finished = array_ops.tile([False], [self._batch_size])
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        del time, state
        return self._sample_fn(outputs)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        del time
        next_inputs = outputs if self._next_inputs_fn is None else self._next_inputs_fn(sample_ids)
        return self._end_fn(sample_ids), next_inputs, state


# -- BasicDecoder -----------------------------------------------------------------------------
class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput", ("rnn_output", "sample_id"))):
    pass


class BasicDecoder(Decoder):
    """A decoder calling `cell` (then `output_layer`) each step and asking `helper` for
    the sample ids, the next inputs and whether each entry is finished."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        assert_like_rnncell("cell", cell)
        if not isinstance(helper, Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper)}")
        if output_layer is not None and not isinstance(output_layer, layers_base.Layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        self._cell = cell
        self._helper = helper
        self._initial_state = initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    def _rnn_output_size(self):
        size = self._cell.output_size
        if self._output_layer is None:
            return size
        shapes = nest.map_structure(lambda s: TensorShape([None]).concatenate(s), size)
        layer_output_shape = self._output_layer.compute_output_shape(shapes)
        return nest.map_structure(lambda s: s[1:], layer_output_shape)

    @property
    def output_size(self):
        return BasicDecoderOutput(
            rnn_output=self._rnn_output_size(), sample_id=self._helper.sample_ids_shape
        )

    @property
    def output_dtype(self):
        dtype = nest.flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(
            nest.map_structure(lambda _: dtype, self._rnn_output_size()),
            self._helper.sample_ids_dtype,
        )

    def initialize(self, name=None):
        return tuple(self._helper.initialize()) + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        with name_scope(name, "BasicDecoderStep"):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs, state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(
                time=time, outputs=cell_outputs, state=cell_state, sample_ids=sample_ids
            )
        outputs = BasicDecoderOutput(cell_outputs, sample_ids)
        return outputs, next_state, next_inputs, finished
