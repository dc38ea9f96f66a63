"""TF 1.15's `tf.contrib.crf`: a linear-chain conditional random field.

Scores of tag sequences, the log-partition function (forward algorithm, by `scan`),
the log-likelihood (creating a `transitions` variable when none is given), and Viterbi
decoding, both in numpy (`viterbi_decode`) and in the graph (`crf_decode`, two
`dynamic_rnn` passes). Sequences of length 0 score 0; when the time dimension is known
to be 1 the single-step shortcuts of TF 1.15 are taken (otherwise the choice is a
`cond` on the dynamic length).
"""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.tensor_shape import dimension_value
from tfgraph.functional_ops import scan
from tfgraph.legacy_layers.dynamic_rnn import dynamic_rnn
from tfgraph.legacy_layers.rnn_cell_impl import RNNCell
from tfgraph.ops import array_ops, control_flow_ops, math_ops
from tfgraph.variable_scope import get_variable

__all__ = [
    "CrfDecodeBackwardRnnCell",
    "CrfDecodeForwardRnnCell",
    "CrfForwardRnnCell",
    "crf_binary_score",
    "crf_decode",
    "crf_forward",
    "crf_log_likelihood",
    "crf_log_norm",
    "crf_multitag_sequence_score",
    "crf_sequence_score",
    "crf_unary_score",
    "viterbi_decode",
]


def _by_time_length(inputs, single_fn, multi_fn):
    """TF's smart_cond on `max_seq_len == 1`: a Python choice when the time dimension
    is static, a `cond` on the dynamic length otherwise."""
    static = dimension_value(inputs.shape[1]) if inputs.shape.rank is not None else None
    if static is not None:
        return single_fn() if static == 1 else multi_fn()
    return control_flow_ops.cond(math_ops.equal(array_ops.shape(inputs)[1], 1), single_fn, multi_fn)


def _zero_where_empty(values, sequence_lengths):
    return array_ops.where(
        math_ops.less_equal(sequence_lengths, 0), array_ops.zeros_like(values), values
    )


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """Unnormalized score of each tag sequence: unary plus transition potentials.

    Args:
      inputs: [batch_size, max_seq_len, num_tags] unary potentials.
      tag_indices: [batch_size, max_seq_len] tags whose score is computed.
      sequence_lengths: [batch_size] true lengths.
      transition_params: [num_tags, num_tags] transition potentials.

    Returns:
      [batch_size] scores.
    """
    inputs = convert_to_tensor(inputs)
    tag_indices = convert_to_tensor(tag_indices)
    sequence_lengths = convert_to_tensor(sequence_lengths)

    def single():
        batch_size = array_ops.shape(inputs, out_type=tag_indices.dtype)[0]
        rows = array_ops.reshape(math_ops.range(batch_size, dtype=tag_indices.dtype), [-1, 1])
        scores = array_ops.gather_nd(
            array_ops.squeeze(inputs, [1]), array_ops.concat([rows, tag_indices], axis=1)
        )
        return _zero_where_empty(scores, sequence_lengths)

    def multi():
        unary = crf_unary_score(tag_indices, sequence_lengths, inputs)
        binary = crf_binary_score(tag_indices, sequence_lengths, transition_params)
        return unary + binary

    return _by_time_length(inputs, single, multi)


def crf_multitag_sequence_score(inputs, tag_bitmap, sequence_lengths, transition_params):
    """Log-sum-exp of the scores of all tag sequences allowed by `tag_bitmap`
    ([batch_size, max_seq_len, num_tags] booleans: the tags allowed at each step)."""
    inputs = convert_to_tensor(inputs)
    tag_bitmap = convert_to_tensor(tag_bitmap, dtype=dtypes.bool)
    sequence_lengths = convert_to_tensor(sequence_lengths)
    filtered = array_ops.where(
        tag_bitmap, inputs, array_ops.fill(array_ops.shape(inputs), float("-inf"))
    )

    def single():
        return math_ops.reduce_logsumexp(filtered, axis=[1, 2], keepdims=False)

    def multi():
        return crf_log_norm(filtered, sequence_lengths, transition_params)

    return _by_time_length(inputs, single, multi)


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """The log-partition function of the CRF for each sequence ([batch_size]; 0 for
    sequences of length 0)."""
    inputs = convert_to_tensor(inputs)
    sequence_lengths = convert_to_tensor(sequence_lengths)
    first_input = array_ops.squeeze(array_ops.slice(inputs, [0, 0, 0], [-1, 1, -1]), [1])

    def single():
        return _zero_where_empty(math_ops.reduce_logsumexp(first_input, [1]), sequence_lengths)

    def multi():
        rest = array_ops.slice(inputs, [0, 1, 0], [-1, -1, -1])
        alphas = crf_forward(rest, first_input, transition_params, sequence_lengths)
        return _zero_where_empty(math_ops.reduce_logsumexp(alphas, [1]), sequence_lengths)

    return _by_time_length(inputs, single, multi)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """Log-likelihood of each tag sequence under the CRF.

    Returns:
      (log_likelihood [batch_size], transition_params): the transition matrix given,
      or a new [num_tags, num_tags] variable named "transitions" in the current
      variable scope.
    """
    inputs = convert_to_tensor(inputs)
    num_tags = dimension_value(inputs.shape[2])
    if transition_params is None:
        transition_params = get_variable("transitions", [num_tags, num_tags])
    scores = crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params)
    log_norm = crf_log_norm(inputs, sequence_lengths, transition_params)
    return scores - log_norm, transition_params


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """Sum over the unpadded steps of the unary potential of each step's tag."""
    tag_indices = convert_to_tensor(tag_indices)
    inputs = convert_to_tensor(inputs)
    batch_size = array_ops.shape(inputs)[0]
    max_seq_len = array_ops.shape(inputs)[1]
    num_tags = array_ops.shape(inputs)[2]
    flat_inputs = array_ops.reshape(inputs, [-1])
    offsets = array_ops.expand_dims(math_ops.range(batch_size) * max_seq_len * num_tags, 1)
    offsets += array_ops.expand_dims(math_ops.range(max_seq_len) * num_tags, 0)
    if tag_indices.dtype == dtypes.int64:
        offsets = array_ops.cast(offsets, dtypes.int64)
    flat_tags = array_ops.reshape(offsets + tag_indices, [-1])
    unary = array_ops.reshape(array_ops.gather(flat_inputs, flat_tags), [batch_size, max_seq_len])
    masks = array_ops.sequence_mask(
        sequence_lengths, maxlen=array_ops.shape(tag_indices)[1], dtype=dtypes.float32
    )
    return math_ops.reduce_sum(unary * masks, 1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """Sum over the unpadded transitions of each transition's potential."""
    tag_indices = convert_to_tensor(tag_indices)
    transition_params = convert_to_tensor(transition_params)
    num_tags = transition_params.shape[0]
    num_tags = dimension_value(num_tags)
    if num_tags is None:
        num_tags = array_ops.shape(transition_params, out_type=tag_indices.dtype)[0]
    num_transitions = array_ops.shape(tag_indices)[1] - 1
    starts = array_ops.slice(tag_indices, [0, 0], [-1, num_transitions])
    ends = array_ops.slice(tag_indices, [0, 1], [-1, num_transitions])
    flat_indices = starts * num_tags + ends
    binary = array_ops.gather(array_ops.reshape(transition_params, [-1]), flat_indices)
    masks = array_ops.sequence_mask(
        sequence_lengths, maxlen=array_ops.shape(tag_indices)[1], dtype=dtypes.float32
    )
    truncated = array_ops.slice(masks, [0, 1], [-1, -1])
    return math_ops.reduce_sum(binary * truncated, 1)


def crf_forward(inputs, state, transition_params, sequence_lengths):
    """The forward algorithm's alphas after each sequence's last step.

    Args:
      inputs: [batch_size, max_seq_len - 1, num_tags] unary potentials after step 0.
      state: [batch_size, num_tags] alphas of step 0.
      transition_params: [num_tags, num_tags].
      sequence_lengths: [batch_size]; as in TF 1.15 the row picked is step
        max(0, length - 2) of the scan (so a length-1 sequence in a longer batch
        gets one transition).

    Returns:
      [batch_size, num_tags] alphas.
    """
    sequence_lengths = convert_to_tensor(sequence_lengths)
    last = math_ops.maximum(array_ops.zeros([], dtype=sequence_lengths.dtype), sequence_lengths - 2)
    inputs = array_ops.transpose(inputs, [1, 0, 2])
    transitions = array_ops.expand_dims(transition_params, 0)

    def step(alphas, unary):
        scores = array_ops.expand_dims(alphas, 2) + transitions
        return unary + math_ops.reduce_logsumexp(scores, [1])

    all_alphas = array_ops.transpose(scan(step, inputs, state), [1, 0, 2])
    rows = math_ops.range(array_ops.shape(last, out_type=last.dtype)[0], dtype=last.dtype)
    return array_ops.gather_nd(all_alphas, array_ops.stack([rows, last], axis=1))


class CrfForwardRnnCell(RNNCell):
    """An RNN cell whose state and output are the forward algorithm's alphas."""

    def __init__(self, transition_params):
        super().__init__()
        transition_params = convert_to_tensor(transition_params)
        self._transition_params = array_ops.expand_dims(transition_params, 0)
        self._num_tags = dimension_value(transition_params.shape[0])

    @property
    def state_size(self):
        return self._num_tags

    @property
    def output_size(self):
        return self._num_tags

    def __call__(self, inputs, state, scope=None):
        scores = array_ops.expand_dims(state, 2) + self._transition_params
        alphas = inputs + math_ops.reduce_logsumexp(scores, [1])
        return alphas, alphas


def viterbi_decode(score, transition_params):
    """Best tag sequence in numpy: `(tags as a list of ints, its score)` for a
    [seq_len, num_tags] `score` and [num_tags, num_tags] `transition_params`."""
    trellis = np.zeros_like(score)
    backpointers = np.zeros_like(score, dtype=np.int32)
    trellis[0] = score[0]
    for t in range(1, score.shape[0]):
        v = np.expand_dims(trellis[t - 1], 1) + transition_params
        trellis[t] = score[t] + np.max(v, 0)
        backpointers[t] = np.argmax(v, 0)
    viterbi = [np.argmax(trellis[-1])]
    for bp in reversed(backpointers[1:]):
        viterbi.append(bp[viterbi[-1]])
    viterbi.reverse()
    return viterbi, np.max(trellis[-1])


class CrfDecodeForwardRnnCell(RNNCell):
    """Viterbi's forward pass: the state is the best score ending in each tag, the
    output the backpointers (int32)."""

    def __init__(self, transition_params):
        super().__init__()
        transition_params = convert_to_tensor(transition_params)
        self._transition_params = array_ops.expand_dims(transition_params, 0)
        self._num_tags = dimension_value(transition_params.shape[0])

    @property
    def state_size(self):
        return self._num_tags

    @property
    def output_size(self):
        return self._num_tags

    def __call__(self, inputs, state, scope=None):
        scores = array_ops.expand_dims(state, 2) + self._transition_params
        new_state = inputs + math_ops.reduce_max(scores, [1])
        backpointers = array_ops.cast(math_ops.argmax(scores, 1), dtype=dtypes.int32)
        return backpointers, new_state


class CrfDecodeBackwardRnnCell(RNNCell):
    """Viterbi's backward pass: follows the backpointers from the last tag."""

    def __init__(self, num_tags):
        super().__init__()
        self._num_tags = num_tags

    @property
    def state_size(self):
        return 1

    @property
    def output_size(self):
        return 1

    def __call__(self, inputs, state, scope=None):
        state = array_ops.squeeze(state, axis=[1])
        rows = math_ops.range(array_ops.shape(inputs)[0])
        indices = array_ops.stack([rows, state], axis=1)
        tags = array_ops.expand_dims(array_ops.gather_nd(inputs, indices), axis=-1)
        return tags, tags


def crf_decode(potentials, transition_params, sequence_length):
    """Viterbi decoding in the graph.

    Returns:
      decode_tags: [batch_size, max_seq_len] int32 best tags.
      best_score: [batch_size] their scores.
    """
    potentials = convert_to_tensor(potentials)
    sequence_length = convert_to_tensor(sequence_length)

    def single():
        squeezed = array_ops.squeeze(potentials, [1])
        tags = array_ops.expand_dims(math_ops.argmax(squeezed, axis=1), 1)
        best = math_ops.reduce_max(squeezed, axis=1)
        return array_ops.cast(tags, dtype=dtypes.int32), best

    def multi():
        num_tags = dimension_value(potentials.shape[2])
        forward = CrfDecodeForwardRnnCell(transition_params)
        initial = array_ops.squeeze(array_ops.slice(potentials, [0, 0, 0], [-1, 1, -1]), axis=[1])
        rest = array_ops.slice(potentials, [0, 1, 0], [-1, -1, -1])
        length_less_one = math_ops.maximum(
            array_ops.zeros([], dtype=sequence_length.dtype), sequence_length - 1
        )
        backpointers, last_score = dynamic_rnn(
            forward,
            inputs=rest,
            sequence_length=length_less_one,
            initial_state=initial,
            time_major=False,
            dtype=dtypes.int32,
        )
        backpointers = array_ops.reverse_sequence(backpointers, length_less_one, seq_axis=1)
        backward = CrfDecodeBackwardRnnCell(num_tags)
        last_tag = array_ops.cast(math_ops.argmax(last_score, axis=1), dtype=dtypes.int32)
        last_tag = array_ops.expand_dims(last_tag, axis=-1)
        tags, _ = dynamic_rnn(
            backward,
            inputs=backpointers,
            sequence_length=length_less_one,
            initial_state=last_tag,
            time_major=False,
            dtype=dtypes.int32,
        )
        tags = array_ops.squeeze(tags, axis=[2])
        tags = array_ops.concat([last_tag, tags], axis=1)
        tags = array_ops.reverse_sequence(tags, sequence_length, seq_axis=1)
        return tags, math_ops.reduce_max(last_score, axis=1)

    return _by_time_length(potentials, single, multi)
