"""TF 1.15's tf.contrib.seq2seq dynamic decoding, attention and beam search
(tfgraph/legacy_contrib/seq2seq_*.py, tfgraph/ops/seq2seq_decode_ops.py).

TF 2.21 has no contrib: decoders with TrainingHelper / GreedyEmbeddingHelper and the
Bahdanau and Luong AttentionWrapper are compared, value for value and gradient for
gradient, with a TF-side stand-in rebuilt from contrib's source (seq2seq_reference.txt
running seq2seq_program.txt). Beam search is compared with a brute-force numpy search of
every hypothesis, gather_tree with the cases of TF's kernel tests, the rest with numpy
formulas."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

HERE = Path(__file__).parent
PROGRAM = (HERE / "seq2seq_program.txt").read_text()
REFERENCE = (HERE / "seq2seq_reference.txt").read_text()
S = tf.contrib.seq2seq
rnn = tf.nn.rnn_cell


@pytest.mark.tf
@requires_tf
def test_decoders_and_attention_values_gradients_and_names_equal_tensorflows():
    theirs = run_tf_json(REFERENCE + "\nC = CONTRIB\n" + PROGRAM)
    ours = run_here_json("import json\nC = tf.contrib.seq2seq\n" + PROGRAM)
    assert ours.keys() == theirs.keys() and len(ours) == 6
    for case, t in theirs.items():
        o = ours[case]
        assert o["names"] == t["names"], case
        assert o["connected"] == t["connected"], case
        for key in ("values", "grads"):
            assert len(o[key]) == len(t[key]) > 0, (case, key)
            for i, (a, b) in enumerate(zip(o[key], t[key])):
                a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
                assert a.shape == b.shape, (case, key, i)
                np.testing.assert_allclose(a, b, atol=2e-5, err_msg=f"{case} {key} {i}")
    # the decoded lengths (last value of each case) are TF's and as expected
    assert ours["training_lstm"]["values"][-1] == [4, 2, 3]
    assert ours["greedy"]["values"][-1] == [2, 2, 2]  # end token 5 emitted at step 2
    assert ours["greedy"]["values"][1] == [[1, 5]] * 3


def test_variable_names_are_tf_1_15s():
    memory = tf.zeros([2, 5, 4])
    mechanism = S.BahdanauAttention(6, memory, memory_sequence_length=[5, 3], normalize=True)
    cell = S.AttentionWrapper(rnn.BasicLSTMCell(5), mechanism, attention_layer_size=3)
    helper = S.TrainingHelper(tf.zeros([2, 4, 3]), [4, 2])
    decoder = S.BasicDecoder(
        cell, helper, cell.zero_state(2, tf.float32), output_layer=tf.layers.Dense(7)
    )
    S.dynamic_decode(decoder)
    assert [(v.op.name, v.shape.as_list()) for v in tf.global_variables()] == [
        ("memory_layer/kernel", [4, 6]),
        ("decoder/attention_wrapper/basic_lstm_cell/kernel", [11, 20]),
        ("decoder/attention_wrapper/basic_lstm_cell/bias", [20]),
        ("decoder/attention_wrapper/bahdanau_attention/query_layer/kernel", [5, 6]),
        ("decoder/attention_wrapper/bahdanau_attention/attention_v", [6]),
        ("decoder/attention_wrapper/bahdanau_attention/attention_g", []),
        ("decoder/attention_wrapper/bahdanau_attention/attention_b", [6]),
        ("decoder/attention_wrapper/attention_layer/kernel", [9, 3]),
        ("decoder/dense/kernel", [3, 7]),
        ("decoder/dense/bias", [7]),
    ]
    tf.reset_default_graph()
    mechanism = S.LuongAttention(4, tf.zeros([2, 5, 3]), scale=True)
    cell = S.AttentionWrapper(rnn.GRUCell(4), mechanism)
    helper = S.TrainingHelper(tf.zeros([2, 4, 3]), [4, 2])
    S.dynamic_decode(S.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32)), scope="dec")
    names = [v.op.name for v in tf.global_variables()]
    assert names[0] == "memory_layer/kernel"
    assert names[-1] == "dec/attention_wrapper/luong_attention/attention_g"
    assert "dec/attention_wrapper/gru_cell/gates/kernel" in names


def _finishing_helper(steps, depth=2):
    """A CustomHelper whose entry b finishes at step steps[b] (1-based), inputs ones."""
    steps = tf.constant(steps)
    batch = steps.shape.as_list()[0]
    return S.CustomHelper(
        initialize_fn=lambda: (tf.fill([batch], False), tf.ones([batch, depth])),
        sample_fn=lambda time, outputs, state: tf.fill([batch], 0),
        next_inputs_fn=lambda time, outputs, state, sample_ids: (
            time + 1 >= steps,
            tf.ones([batch, depth]) * tf.cast(time + 2, tf.float32),
            state,
        ),
    )


def test_dynamic_decode_lengths_finished_imputation_and_state_copy():
    steps = [1, 3, 2]
    results = {}
    for impute in (False, True):
        with tf.variable_scope("v", reuse=tf.AUTO_REUSE):
            cell = rnn.BasicRNNCell(3)  # its output is its state
            decoder = S.BasicDecoder(cell, _finishing_helper(steps), cell.zero_state(3, tf.float32))
            results[impute] = S.dynamic_decode(decoder, impute_finished=impute)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        (raw, raw_state, raw_len), (imp, imp_state, imp_len) = sess.run(
            [results[False], results[True]]
        )
    np.testing.assert_array_equal(raw_len, steps)
    np.testing.assert_array_equal(imp_len, steps)
    assert raw.rnn_output.shape == imp.rnn_output.shape == (3, 3, 3)  # until all finished
    for b, n in enumerate(steps):
        np.testing.assert_allclose(imp.rnn_output[b, :n], raw.rnn_output[b, :n], atol=1e-6)
        assert (imp.rnn_output[b, n:] == 0).all()
        assert (np.abs(raw.rnn_output[b, n:]) > 0).all()  # without imputation: computed on
        np.testing.assert_allclose(imp_state[b], raw.rnn_output[b, n - 1], atol=1e-6)
    np.testing.assert_allclose(raw_state, raw.rnn_output[:, -1], atol=1e-6)
    assert results[True][0].rnn_output.shape.as_list() == [3, None, 3]


def test_dynamic_decode_time_major_and_maximum_iterations():
    cell = rnn.GRUCell(3)
    embedding = tf.constant(np.random.RandomState(0).randn(4, 2).astype(np.float32))
    helper = S.GreedyEmbeddingHelper(embedding, tf.zeros([2], tf.int32), end_token=-1)
    decoder = S.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32), tf.layers.Dense(4))
    out, _, lengths = S.dynamic_decode(decoder, output_time_major=True, maximum_iterations=5)
    with tf.variable_scope("zero"):
        helper = S.GreedyEmbeddingHelper(embedding, tf.zeros([2], tf.int32), end_token=-1)
        decoder = S.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32), tf.layers.Dense(4))
        none, _, no_lengths = S.dynamic_decode(decoder, maximum_iterations=0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, n, l0, none_ids = sess.run([out, lengths, no_lengths, none.sample_id])
    assert o.rnn_output.shape == (5, 2, 4) and o.sample_id.shape == (5, 2)
    np.testing.assert_array_equal(n, [5, 5])
    np.testing.assert_array_equal(l0, [0, 0])
    assert none_ids.shape == (2, 0)
    with pytest.raises(ValueError, match="maximum_iterations must be a scalar"):
        S.dynamic_decode(decoder, maximum_iterations=[3])
    with pytest.raises(TypeError, match="Expected decoder to be type Decoder, but saw: "):
        S.dynamic_decode(cell)


def _softmax_log(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


class _NumpyRNN:
    """BasicRNNCell + Dense + embedding in numpy, from the session's variable values."""

    def __init__(self, sess, embedding):
        values = {v.op.name.split("/", 1)[1]: sess.run(v) for v in tf.global_variables()}
        self.k, self.b = values["basic_rnn_cell/kernel"], values["basic_rnn_cell/bias"]
        self.w, self.c = values["dense/kernel"], values["dense/bias"]
        self.e = embedding

    def step(self, token, h):
        h = np.tanh(np.concatenate([self.e[token], h], -1) @ self.k + self.b)
        return h @ self.w + self.c, h


def test_greedy_decoding_stops_at_end_token_as_numpy():
    rs = np.random.RandomState(3)
    vocab, units, batch, max_steps = 5, 4, 4, 6
    embedding = rs.randn(vocab, 3).astype(np.float32)
    end_token = tf.placeholder(tf.int32, [])
    cell = rnn.BasicRNNCell(units)
    helper = S.GreedyEmbeddingHelper(embedding, tf.constant([0, 1, 2, 3]), end_token)
    decoder = S.BasicDecoder(
        cell, helper, cell.zero_state(batch, tf.float32), tf.layers.Dense(vocab)
    )
    out, _, lengths = S.dynamic_decode(decoder, maximum_iterations=max_steps, impute_finished=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for v in tf.trainable_variables():
            v.load(rs.uniform(-2, 2, v.shape.as_list()).astype(np.float32), sess)
        ref = _NumpyRNN(sess, embedding)
        full_ids, full_len = sess.run([out.sample_id, lengths], {end_token: -1})
        h, token, expected = np.zeros((batch, units)), np.array([0, 1, 2, 3]), []
        for _ in range(max_steps):
            logits, h = ref.step(token, h)
            token = logits.argmax(-1)
            expected.append(token)
        np.testing.assert_array_equal(full_ids, np.stack(expected, 1))
        np.testing.assert_array_equal(full_len, [max_steps] * batch)
        end = int(full_ids[0, 2])  # a token entry 0 emits at step 3
        ids, got_len = sess.run([out.sample_id, lengths], {end_token: end})
    want = [
        int(np.flatnonzero(row == end)[0]) + 1 if (row == end).any() else max_steps
        for row in full_ids
    ]
    np.testing.assert_array_equal(got_len, want)
    assert want[0] <= 3 and ids.shape[1] == max(want)
    for b, n in enumerate(want):
        np.testing.assert_array_equal(ids[b, :n], full_ids[b, :n])
        assert ids[b, n - 1] == end or n == max_steps
        assert (ids[b, n:] == 0).all()  # imputed


def test_attention_alignments_sum_to_one_and_masking():
    rs = np.random.RandomState(1)
    memory = tf.constant(rs.randn(3, 6, 4).astype(np.float32))
    lengths = [6, 2, 4]
    fetched = []
    for i, mechanism_fn in enumerate(
        [
            lambda: S.BahdanauAttention(5, memory, memory_sequence_length=lengths),
            lambda: S.LuongAttention(4, memory, memory_sequence_length=lengths, scale=True),
            lambda: S.LuongAttention(4, memory, probability_fn=S.hardmax),
        ]
    ):
        with tf.variable_scope(f"m{i}"):
            mechanism = mechanism_fn()
            cell = S.AttentionWrapper(rnn.GRUCell(4), mechanism, alignment_history=True)
            helper = S.TrainingHelper(tf.constant(rs.randn(3, 5, 2).astype(np.float32)), [5, 3, 1])
            _, state, _ = S.dynamic_decode(
                S.BasicDecoder(cell, helper, cell.zero_state(3, tf.float32))
            )
            fetched.append((state.alignments, state.alignment_history.stack(), mechanism.values))
            assert cell.output_size == 4 and cell.state_size.alignments == 6
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        results = sess.run(fetched)
    for i, (alignments, history, values) in enumerate(results):
        assert history.shape == (5, 3, 6)
        np.testing.assert_allclose(history.sum(-1), 1.0, atol=1e-5)
        np.testing.assert_allclose(alignments.sum(-1), 1.0, atol=1e-5)
        if i < 2:
            for b, n in enumerate(lengths):
                assert (history[:, b, n:] == 0).all() and (values[b, n:] == 0).all()
        else:
            assert set(np.unique(history)) <= {0.0, 1.0}


def test_hardmax_safe_cumprod_and_monotonic_attention_formulas():
    rs = np.random.RandomState(2)
    p = rs.uniform(0.05, 0.95, (3, 7)).astype(np.float32)
    prev = rs.dirichlet(np.ones(7), 3).astype(np.float32)
    hard_p = (rs.uniform(size=(3, 7)) > 0.5).astype(np.float32)
    hard_prev = np.eye(7, dtype=np.float32)[[0, 2, 5]]
    modes = {m: S.monotonic_attention(p, prev, m) for m in ("recursive", "parallel")}
    hard = S.monotonic_attention(hard_p, hard_prev, "hard")
    with tf.Session() as sess:
        out, hard_out, hm, cp = sess.run(
            [modes, hard, S.hardmax(p), S.safe_cumprod(p, axis=1, exclusive=True)]
        )
    q = np.zeros(3)
    expected = np.zeros_like(p, dtype=np.float64)
    for i in range(7):  # q_i = (1 - p_{i-1}) q_{i-1} + prev_i; a_i = p_i q_i
        q = (1 - p[:, i - 1]) * q + prev[:, i] if i else prev[:, 0].astype(np.float64)
        expected[:, i] = p[:, i] * q
    np.testing.assert_allclose(out["recursive"], expected, atol=1e-5)
    np.testing.assert_allclose(out["parallel"], expected, atol=1e-4)
    expected_hard = np.zeros_like(hard_p)
    for b in range(3):
        start = int(hard_prev[b].argmax())
        chosen = np.flatnonzero(hard_p[b, start:])
        if chosen.size:
            expected_hard[b, start + chosen[0]] = 1
    np.testing.assert_array_equal(hard_out, expected_hard)
    np.testing.assert_array_equal(hm, np.eye(7)[p.argmax(-1)])
    np.testing.assert_allclose(cp, np.cumprod(np.c_[np.ones(3), p[:, :-1]], 1), rtol=1e-5)
    with pytest.raises(ValueError, match="mode must be 'recursive', 'parallel', or 'hard'."):
        S.monotonic_attention(p, prev, "soft")


def test_monotonic_attention_mechanisms_variables_and_initial_alignments():
    memory = tf.constant(np.random.RandomState(4).randn(2, 5, 3).astype(np.float32))
    for cls in (S.BahdanauMonotonicAttention, S.LuongMonotonicAttention):
        with tf.variable_scope(cls.__name__):
            mechanism = cls(3, memory, score_bias_init=-1.0)
            cell = S.AttentionWrapper(rnn.GRUCell(3), mechanism)
            state = cell.zero_state(2, tf.float32)
            helper = S.TrainingHelper(tf.ones([2, 3, 2]), [3, 3])
            _, final, _ = S.dynamic_decode(S.BasicDecoder(cell, helper, state))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                first, last = sess.run([state.alignments, final.alignments])
            np.testing.assert_array_equal(first, np.eye(5)[[0, 0]])
            assert (last >= 0).all() and (last.sum(-1) <= 1 + 1e-5).all()
    names = [v.op.name for v in tf.global_variables()]
    assert (
        "BahdanauMonotonicAttention/decoder/attention_wrapper/bahdanau_monotonic_attention/"
        "attention_score_bias" in names
    )
    assert (
        "LuongMonotonicAttention/decoder/attention_wrapper/luong_monotonic_attention/"
        "attention_score_bias" in names
    )


# -- beam search --------------------------------------------------------------------------
def _beam_graph(length_penalty, beam_width, max_steps, values, batch=2):
    vocab = values["embedding"].shape[0]
    cell = rnn.BasicRNNCell(values["decoder/basic_rnn_cell/bias"].shape[0])
    decoder = S.BeamSearchDecoder(
        cell,
        values["embedding"],
        start_tokens=tf.fill([batch], 0),
        end_token=1,
        initial_state=cell.zero_state(batch * beam_width, tf.float32),
        beam_width=beam_width,
        output_layer=tf.layers.Dense(vocab),
        length_penalty_weight=length_penalty,
    )
    return S.dynamic_decode(decoder, maximum_iterations=max_steps)


def _hypotheses(vocab, eos, steps):
    """Every distinct hypothesis: token sequences cut at their first eos."""
    seen = set()
    for seq in itertools.product(range(vocab), repeat=steps):
        cut = seq[: seq.index(eos) + 1] if eos in seq else seq
        seen.add(cut)
    return sorted(seen)


def _log_prob(values, seq):
    """The log-probability of `seq` under the BasicRNNCell + Dense model, from token 0."""
    v = {k: a.astype(np.float32) for k, a in values.items()}
    k, b = v["decoder/basic_rnn_cell/kernel"], v["decoder/basic_rnn_cell/bias"]
    w, c, e = v["decoder/dense/kernel"], v["decoder/dense/bias"], v["embedding"]
    h, x, total = np.zeros(b.shape[0]), e[0], 0.0
    for token in seq:
        h = np.tanh(np.concatenate([x, h]) @ k + b)
        total += _softmax_log((h @ w + c).astype(np.float64))[token]
        x = e[token]
    return total


def _final_score(values, seq, steps, eos, penalty):
    """The last step's score of a hypothesis. TF 1.15's lengths: an eos chosen at the
    last step is not counted, one chosen earlier is (the state's lengths grew by one at
    that step)."""
    n = len(seq) - (1 if seq[-1] == eos and len(seq) == steps else 0)
    return _log_prob(values, seq) / (((5.0 + n) / 6.0) ** penalty if penalty else 1.0)


def test_beam_search_equals_a_brute_force_search_over_every_hypothesis():
    rs = np.random.RandomState(5)
    vocab, units, steps, eos, beam = 3, 4, 3, 1, 9
    values = {
        "embedding": rs.randn(vocab, 2).astype(np.float32),
        "decoder/basic_rnn_cell/kernel": rs.uniform(-1.5, 1.5, (2 + units, units)),
        "decoder/basic_rnn_cell/bias": rs.uniform(-1, 1, units),
        "decoder/dense/kernel": rs.uniform(-2, 2, (units, vocab)),
        "decoder/dense/bias": rs.uniform(-1, 1, vocab),
    }
    hyps = _hypotheses(vocab, eos, steps)
    assert len(hyps) == 15  # all of them fit in 9 beams until the last step
    for penalty in (0.0, 0.6):
        tf.reset_default_graph()
        out, state, _ = _beam_graph(penalty, beam, steps, values)
        with tf.Session() as sess:
            for v in tf.global_variables():
                v.load(values[v.op.name].astype(np.float32), sess)
            o, s = sess.run([out, state])
        scores = {h: _final_score(values, h, steps, eos, penalty) for h in hyps}
        best = sorted(scores.values(), reverse=True)[:beam]
        for batch in range(2):
            final_scores = o.beam_search_decoder_output.scores[batch, -1]
            np.testing.assert_allclose(final_scores, best, rtol=1e-4, atol=1e-5)
            for kk in range(beam):
                seq = tuple(o.predicted_ids[batch, :, kk])
                cut = seq[: seq.index(eos) + 1] if eos in seq else seq
                assert seq[len(cut) :] == (eos,) * (steps - len(cut))
                np.testing.assert_allclose(scores[cut], final_scores[kk], rtol=1e-4, atol=1e-5)
                np.testing.assert_allclose(
                    s.log_probs[batch, kk], _log_prob(values, cut), rtol=1e-4
                )
        assert o.predicted_ids.shape == (2, steps, beam)
        assert s.lengths.dtype == np.int64 and s.finished.shape == (2, beam)


def test_beam_search_with_attention_tile_batch_and_coverage_penalty():
    rs = np.random.RandomState(6)
    batch, beam, vocab = 2, 3, 5
    memory = tf.constant(rs.randn(batch, 4, 3).astype(np.float32))
    tiled = S.tile_batch(memory, beam)
    tiled_lengths = S.tile_batch(tf.constant([4, 2]), beam)
    assert tiled.shape.as_list() == [6, 4, 3]
    mechanism = S.BahdanauAttention(4, tiled, memory_sequence_length=tiled_lengths)
    cell = S.AttentionWrapper(
        rnn.GRUCell(4), mechanism, attention_layer_size=4, alignment_history=True
    )
    decoder = S.BeamSearchDecoder(
        cell,
        tf.constant(rs.randn(vocab, 2).astype(np.float32)),
        tf.fill([batch], 0),
        1,
        cell.zero_state(batch * beam, tf.float32),
        beam,
        output_layer=tf.layers.Dense(vocab),
        length_penalty_weight=0.4,
        coverage_penalty_weight=0.2,
    )
    out, state, lengths = S.dynamic_decode(decoder, maximum_iterations=4)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, s, t, n = sess.run([out, state, tiled_lengths, lengths])
    np.testing.assert_array_equal(t, [4, 4, 4, 2, 2, 2])
    steps = o.predicted_ids.shape[1]
    assert o.predicted_ids.shape == (2, steps, 3) and steps <= 4
    assert s.cell_state.alignment_history.shape == (steps, 6, 4)  # stacked, beams reordered
    assert s.accumulated_attention_probs.shape == (2, 3, 4)
    scores = o.beam_search_decoder_output.scores[:, -1]
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best beam first
    assert n.shape == (2, 3)


def test_beam_search_scores_formula():
    from tfgraph.legacy_contrib.seq2seq_beam_search import _get_scores

    rs = np.random.RandomState(7)
    log_probs = -rs.uniform(0, 5, (2, 3, 4)).astype(np.float32)
    lengths = rs.randint(1, 6, (2, 3, 4))
    finished = rs.uniform(size=(2, 3)) > 0.5
    attention = rs.uniform(0, 1.5, (2, 3, 5)).astype(np.float32)
    attention[0, 0, 2] = 0.0
    got = _get_scores(
        tf.constant(log_probs),
        tf.constant(lengths, tf.int64),
        0.7,
        0.25,
        tf.constant(finished),
        tf.constant(attention),
    )
    with tf.Session() as sess:
        got = sess.run(got)
    penalty = ((5.0 + lengths) / 6.0) ** 0.7
    coverage = np.log(np.minimum(np.where(attention == 0, 1.0, attention), 1.0)).sum(-1)
    expected = log_probs / penalty + (0.25 * coverage * finished)[..., None]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="coverage_penalty_weight should be a scalar"):
        _get_scores(tf.constant(log_probs), tf.constant(lengths), 0.0, [0.1], None, None)


def test_gather_tree_cases_of_tfs_kernel_tests():
    def tbt(x):
        return np.transpose(np.asarray(x), [1, 0, 2]).astype(np.int32)

    one = S.gather_tree(
        tbt([[[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -1, -1]]]),
        tbt([[[0, 0, 0], [0, 1, 1], [2, 1, 2], [-1, -1, -1]]]),
        max_sequence_lengths=[3],
        end_token=10,
    )
    assert one.op.type == "GatherTree" and one.shape.as_list() == [4, 1, 3]
    bad = S.gather_tree(
        tbt([[[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -1, -1]]]),
        tbt([[[0, 0, 0], [0, -1, 1], [2, 1, 2], [-1, -1, -1]]]),
        max_sequence_lengths=[3],
        end_token=10,
    )
    step_ids = tbt(
        [
            [[3, 4, 0, 4, 0], [4, 2, 0, 3, 1], [1, 1, 3, 2, 2], [3, 1, 2, 3, 4]],
            [[3, 4, 0, 4, 0], [4, 2, 0, 3, 1], [1, 1, 3, 2, 2], [3, 1, 2, 3, 4]],
            [[1, 2, 3, 4, 2], [2, 1, 1, 3, 2], [3, 0, 1, 0, 0], [3, 4, 0, 2, 4]],
            [[0, 2, 2, 3, 1], [3, 2, 2, 2, 3], [3, 4, 3, 0, 3], [1, 2, 2, 2, 4]],
        ]
    )
    parent_ids = tbt(
        [
            [[4, 2, 4, 3, 4], [3, 4, 0, 2, 0], [3, 1, 3, 2, 2], [0, 2, 1, 4, 2]],
            [[4, 2, 4, 3, 4], [3, 4, 0, 2, 0], [3, 1, 3, 2, 2], [0, 2, 1, 4, 2]],
            [[3, 0, 0, 4, 0], [1, 2, 4, 2, 2], [4, 4, 0, 3, 0], [2, 4, 4, 3, 0]],
            [[3, 1, 4, 1, 3], [3, 2, 4, 0, 4], [1, 0, 1, 4, 2], [0, 3, 2, 0, 1]],
        ]
    )
    batch = S.gather_tree(step_ids, parent_ids, max_sequence_lengths=[0, 1, 2, 3], end_token=5)
    # eos in the middle of a beam: everything after it becomes eos
    broken = S.gather_tree(
        tbt([[[2, 2], [1, 2], [3, 1]]]), tbt([[[0, 0], [0, 1], [0, 1]]]), [3], end_token=1
    )
    with tf.Session() as sess:
        one_v, batch_v, broken_v = sess.run([one, batch, broken])
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"parent id -1 at \(batch, time, beam\) == \(0, 0, 1\)",
        ):
            sess.run(bad)
    np.testing.assert_array_equal(one_v, tbt([[[2, 2, 2], [6, 5, 6], [7, 8, 9], [10, 10, 10]]]))
    e = [5] * 5
    expected = tbt(
        [
            [e, e, e, e],
            [[3, 4, 0, 4, 0], e, e, e],
            [[2, 3, 2, 3, 3], [2, 1, 1, 3, 2], e, e],
            [[2, 3, 2, 1, 1], [2, 3, 2, 3, 2], [3, 4, 3, 0, 3], e],
        ]
    )
    np.testing.assert_array_equal(batch_v, expected)
    np.testing.assert_array_equal(broken_v, tbt([[[2, 2], [1, 2], [1, 1]]]))
    assert tf.gradients(tf.cast(one, tf.float32), [one.op.inputs[0]]) == [None]
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 0"):
        S.gather_tree(step_ids, parent_ids, max_sequence_lengths=3, end_token=5)


def test_tile_batch():
    t = tf.constant(np.arange(6).reshape(2, 3))
    nested = S.tile_batch((t, tf.constant([7, 8])), 2)
    with tf.Session() as sess:
        a, b = sess.run(nested)
    np.testing.assert_array_equal(a, [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]])
    np.testing.assert_array_equal(b, [7, 7, 8, 8])
    assert nested[0].shape.as_list() == [4, 3]
    assert S.tile_batch(tf.placeholder(tf.float32, [None, 2]), 3).shape.as_list() == [None, 2]
    with pytest.raises(ValueError, match="t must have statically known rank"):
        S.tile_batch(tf.constant(1.0), 2)


def test_sampling_and_inference_helpers():
    rs = np.random.RandomState(8)
    batch, vocab = 64, 4
    embedding = tf.constant(np.eye(vocab, dtype=np.float32))
    cell = rnn.GRUCell(3)
    layer = tf.layers.Dense(vocab)
    inputs = tf.constant(rs.randn(batch, 3, vocab).astype(np.float32))
    length = [3] * batch

    def decode(helper, scope, **kw):
        with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
            decoder = S.BasicDecoder(cell, helper, cell.zero_state(batch, tf.float32), layer)
            return S.dynamic_decode(decoder, scope=scope, **kw)[0]

    start = tf.zeros([batch], tf.int32)
    greedy = decode(S.GreedyEmbeddingHelper(embedding, start, -1), "g", maximum_iterations=3)
    cold = decode(
        S.SampleEmbeddingHelper(embedding, start, -1, softmax_temperature=1e-4, seed=3),
        "c",
        maximum_iterations=3,
    )
    sampled = decode(
        S.SampleEmbeddingHelper(embedding, start, -1, seed=4), "s", maximum_iterations=3
    )
    train = decode(S.TrainingHelper(inputs, length), "t")
    never = decode(S.ScheduledEmbeddingTrainingHelper(inputs, length, embedding, 0.0), "n")
    always = decode(S.ScheduledEmbeddingTrainingHelper(inputs, length, embedding, 1.0, seed=1), "a")
    out_never = decode(S.ScheduledOutputTrainingHelper(inputs, length, 0.0), "on")
    out_always = decode(S.ScheduledOutputTrainingHelper(inputs, length, 1.0), "oa")
    inference = decode(
        S.InferenceHelper(
            sample_fn=lambda outputs: tf.argmax(outputs, -1, output_type=tf.int32),
            sample_shape=[],
            sample_dtype=tf.int32,
            start_inputs=inputs[:, 0],
            end_fn=lambda ids: tf.equal(ids, 99),
        ),
        "i",
        maximum_iterations=3,
    )
    assert out_always.sample_id.dtype == tf.bool and inference.sample_id.dtype == tf.int32
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        r = sess.run(
            dict(
                g=greedy,
                c=cold,
                s=sampled,
                t=train,
                n=never,
                a=always,
                on=out_never,
                oa=out_always,
                i=inference,
            )
        )
    np.testing.assert_array_equal(r["c"].sample_id, r["g"].sample_id)
    assert ((r["s"].sample_id >= 0) & (r["s"].sample_id < vocab)).all()
    assert (r["s"].sample_id != r["g"].sample_id).any()  # draws, not argmaxes
    np.testing.assert_allclose(r["n"].rnn_output, r["t"].rnn_output, atol=1e-6)
    assert (r["n"].sample_id == -1).all() and (r["a"].sample_id >= 0).all()
    assert not np.allclose(r["a"].rnn_output[:, 1:], r["t"].rnn_output[:, 1:])
    np.testing.assert_allclose(r["on"].rnn_output, r["t"].rnn_output, atol=1e-6)
    assert r["oa"].sample_id.all() and not r["on"].sample_id.any()
    # feeding its outputs back as inputs: the output-sampling trainer sampling always
    assert r["i"].rnn_output.shape == (batch, 3, vocab)
    np.testing.assert_allclose(r["i"].rnn_output, r["oa"].rnn_output, atol=1e-6)
    np.testing.assert_array_equal(r["i"].sample_id, r["i"].rnn_output.argmax(-1))


def test_argument_errors():
    cell = rnn.GRUCell(2)
    with pytest.raises(ValueError, match="Expected sequence_length to be a vector"):
        S.TrainingHelper(tf.zeros([2, 3, 1]), 3)
    with pytest.raises(ValueError, match="start_tokens must be a vector"):
        S.GreedyEmbeddingHelper(tf.zeros([3, 2]), 0, 1)
    with pytest.raises(ValueError, match="end_token must be a scalar"):
        S.GreedyEmbeddingHelper(tf.zeros([3, 2]), [0], [1])
    with pytest.raises(
        ValueError, match="sampling_probability must be either a scalar or a vector"
    ):
        S.ScheduledEmbeddingTrainingHelper(tf.zeros([2, 3, 1]), [3, 3], tf.zeros([3, 1]), [[0.5]])
    with pytest.raises(TypeError, match="helper must be a Helper"):
        S.BasicDecoder(cell, object(), cell.zero_state(2, tf.float32))
    helper = S.TrainingHelper(tf.zeros([2, 3, 1]), [3, 3])
    with pytest.raises(TypeError, match="output_layer must be a Layer"):
        S.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32), output_layer=lambda x: x)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        S.BasicDecoder(object(), helper, None)
    custom = S.CustomHelper(lambda: None, lambda **kw: None, lambda **kw: None)
    with pytest.raises(ValueError, match="batch_size accessed before initialize was called"):
        custom.batch_size  # noqa: B018
    mechanism = S.LuongAttention(2, tf.zeros([2, 3, 2]))
    with pytest.raises(ValueError, match="attention_layer_size must contain exactly one integer"):
        S.AttentionWrapper(cell, mechanism, attention_layer_size=[2, 3])
    with pytest.raises(TypeError, match="attention_mechanism must be an AttentionMechanism"):
        S.AttentionWrapper(cell, object())
    with pytest.raises(ValueError, match="Only one of attention_layer_size and attention_layer"):
        S.AttentionWrapper(cell, mechanism, 2, attention_layer=tf.layers.Dense(2))
    with pytest.raises(TypeError, match="Expected state to be instance of AttentionWrapperState"):
        S.AttentionWrapper(cell, mechanism)(tf.zeros([2, 1]), tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="Incompatible or unknown inner dimensions"):
        wrapper = S.AttentionWrapper(rnn.GRUCell(3), mechanism)
        wrapper(tf.zeros([2, 1]), wrapper.zero_state(2, tf.float32))
    with pytest.raises(ValueError, match="Expected memory .* to have fully defined inner dims"):
        S.LuongAttention(2, tf.placeholder(tf.float32, [2, 3, None]))
    with pytest.raises(ValueError, match="Perhaps you forgot to create a zero_state with"):
        S.BeamSearchDecoder(
            cell, tf.zeros([3, 2]), [0, 0], 1, tf.placeholder(tf.float32, [None, 5]), 3
        )
    state = S.AttentionWrapper(cell, mechanism).zero_state(2, tf.float32)
    cloned = state.clone(cell_state=tf.placeholder(tf.float32, [None, None]))
    assert cloned.cell_state.shape.as_list() == [2, 2]
    assert isinstance(cloned, S.AttentionWrapperState)


def test_multiple_mechanisms_custom_key_values_and_attention_fn():
    rs = np.random.RandomState(9)
    memory = tf.constant(rs.randn(2, 4, 3).astype(np.float32))
    doubled = S.LuongAttention(
        3, memory, custom_key_value_fn=lambda keys, values: (keys, values * 2.0), name="a"
    )
    other = S.BahdanauAttention(5, memory, name="b")
    calls = []

    def attention_fn(mechanism, cell_output, attention_state, attention_layer):
        calls.append(mechanism)
        alignments, next_state = mechanism(cell_output, state=attention_state)
        context = tf.squeeze(tf.matmul(tf.expand_dims(alignments, 1), mechanism.values), [1])
        return attention_layer(tf.concat([cell_output, context], 1)), alignments, next_state

    cell = S.AttentionWrapper(
        rnn.GRUCell(3),
        [doubled, other],
        attention_layer_size=[2, 4],
        alignment_history=True,
        attention_fn=attention_fn,
    )
    assert cell.output_size == 6 and cell.state_size.alignments == (4, 4)
    helper = S.TrainingHelper(tf.constant(rs.randn(2, 3, 2).astype(np.float32)), [3, 3])
    out, state, _ = S.dynamic_decode(S.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32)))
    assert calls == [doubled, other]
    assert isinstance(state.alignments, tuple) and len(state.alignment_history) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, a, values, mem = sess.run([out.rnn_output, state.alignments, doubled.values, memory])
    assert o.shape == (2, 3, 6)
    np.testing.assert_allclose(values, 2 * mem, rtol=1e-6)
    for alignments in a:
        np.testing.assert_allclose(alignments.sum(-1), 1.0, atol=1e-5)
    names = [v.op.name for v in tf.global_variables()]
    assert "decoder/attention_wrapper/attention_layer/kernel" in names
    assert "decoder/attention_wrapper/attention_layer_1/kernel" in names


def test_batch_size_checks_and_gather_tree_from_array():
    from tfgraph.legacy_contrib.seq2seq_beam_search import gather_tree_from_array

    cell = S.AttentionWrapper(rnn.GRUCell(2), S.LuongAttention(2, tf.zeros([2, 3, 2])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="When calling zero_state of "):
        cell.zero_state(3, tf.float32)
    rs = np.random.RandomState(10)
    steps, batch, beam = 4, 2, 3
    t = rs.randn(steps, batch * beam, 2).astype(np.float32)
    parents = rs.randint(0, beam, (steps, batch, beam)).astype(np.int32)
    lengths = np.array([[4, 2, 3], [1, 1, 2]], np.int64)
    with tf.Session() as sess:
        got = sess.run(gather_tree_from_array(tf.constant(t), tf.constant(parents), lengths))
    expected = t.reshape(steps, batch, beam, 2).copy()
    for b in range(batch):
        n = int(lengths[b].max())
        for k in range(beam):
            source = k  # the beam each step's entry came from, traced back from step n - 1
            for time in range(n - 1, -1, -1):
                if time < lengths[b, k]:
                    expected[time, b, k] = t.reshape(steps, batch, beam, 2)[time, b, source]
                source = parents[time, b, source]
    np.testing.assert_allclose(got, expected.reshape(steps, batch * beam, 2))


def test_unknown_batch_and_memory_length_train_and_beam_search():
    # (the NMT tutorial's shapes: batch and lengths known only at run time)
    rs = np.random.RandomState(3)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 4])
        lengths = tf.placeholder(tf.int32, [None])
        memory, state = tf.nn.dynamic_rnn(
            rnn.GRUCell(6), x, sequence_length=lengths, dtype=tf.float32
        )
        batch = tf.shape(x)[0]
        with tf.variable_scope("decoder") as scope:
            cell = S.AttentionWrapper(
                rnn.GRUCell(6), S.LuongAttention(6, memory, memory_sequence_length=lengths)
            )
            initial = cell.zero_state(batch, tf.float32).clone(cell_state=state)
            helper = S.TrainingHelper(x, lengths)
            outputs, _, _ = S.dynamic_decode(S.BasicDecoder(cell, helper, initial), scope=scope)
        loss = tf.reduce_mean(tf.square(outputs.rnn_output))
        grads = tf.gradients(loss, tf.trainable_variables())
        train = tf.train.GradientDescentOptimizer(0.5).apply_gradients(
            zip(grads, tf.trainable_variables())
        )
        with tf.variable_scope("decoder", reuse=True) as scope:
            beam = 2
            tiled = S.tile_batch(memory, beam)
            cell2 = S.AttentionWrapper(
                rnn.GRUCell(6),
                S.LuongAttention(6, tiled, memory_sequence_length=S.tile_batch(lengths, beam)),
            )
            start = cell2.zero_state(batch * beam, tf.float32).clone(
                cell_state=S.tile_batch(state, beam)
            )
            decoder = S.BeamSearchDecoder(
                cell2, tf.eye(6, num_columns=4), tf.zeros([batch], tf.int32), 5, start, beam
            )
            ids = S.dynamic_decode(decoder, maximum_iterations=3, scope=scope)[0].predicted_ids
        feed = {x: rs.randn(3, 4, 4), lengths: [4, 2, 3]}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(loss, feed)
            for g in sess.run(grads, feed):  # (every gradient live and finite)
                assert np.isfinite(g).all()
            for _ in range(5):
                sess.run(train, feed)
            assert sess.run(loss, feed) < before
            assert sess.run(ids, feed).shape[::2] == (3, beam)
