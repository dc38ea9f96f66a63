"""TF 1.15's tf.contrib.legacy_seq2seq (tfgraph/legacy_contrib/legacy_seq2seq.py). TF 2.21
has no contrib, so the TensorFlow side runs a stand-in rebuilt after contrib's source
with TF 2.21's compat.v1 API (legacy_seq2seq_reference.txt: the same static_rnn
encoders, step-by-step decoders, _Linear / EmbeddingWrapper / OutputProjectionWrapper,
scopes, deep copies and conds); one program (legacy_seq2seq_program.txt) runs on both
sides and the graphs must match op for op, the values and gradients number for number.
The variable names are also checked against TF 1.15's (checkpoints interchange)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

HERE = Path(__file__).parent
PROGRAM = (HERE / "legacy_seq2seq_program.txt").read_text()
REFERENCE = (HERE / "legacy_seq2seq_reference.txt").read_text()
S = tf.contrib.legacy_seq2seq
rc = tf.nn.rnn_cell


@pytest.mark.tf
@requires_tf
def test_legacy_seq2seq_graphs_values_and_gradients_equal_tensorflows():
    theirs = run_tf_json(REFERENCE + "\nS = LEGACY_SEQ2SEQ\n" + PROGRAM)
    ours = run_here_json("import json\nS = tf.contrib.legacy_seq2seq\n" + PROGRAM)
    assert ours.keys() == theirs.keys()
    assert {"buckets", "embedding_attention_seq2seq_tensor_false"} <= set(theirs)
    for case, t in theirs.items():
        o = ours[case]
        assert o["names"] == t["names"], case
        assert o["ops"] == t["ops"], case  # names, types, order
        assert o["shapes"] == t["shapes"], case
        for key in ("outputs", "state", "grads"):
            assert len(o[key]) == len(t[key]), (case, key)
            for a, b in zip(o[key], t[key]):
                scale = max(1.0, float(np.abs(b).max()))
                np.testing.assert_allclose(a, b, atol=2e-5 * scale, err_msg=f"{case} {key}")
    # the bucketed step moved the shared variables and lowered both buckets' losses
    before, after = ours["buckets"]["state"][:2], ours["buckets"]["state"][2:]
    assert after[0] < before[0] and after[1] < before[1]


def _names():
    return [(v.op.name, v.shape.as_list()) for v in tf.global_variables()]


def _ids(n, batch=2, value=1):
    return [tf.constant([value] * batch, tf.int32) for _ in range(n)]


def test_embedding_attention_seq2seq_variables_are_named_as_in_tf_1_15():
    S.embedding_attention_seq2seq(_ids(3), _ids(2), rc.GRUCell(3), 5, 6, 4, num_heads=2)
    enc = "embedding_attention_seq2seq/rnn/embedding_wrapper"
    dec = "embedding_attention_seq2seq/embedding_attention_decoder"
    att = dec + "/attention_decoder"
    gru = [("gates/kernel", [7, 6]), ("gates/bias", [6]), ("candidate/kernel", [7, 3])]
    gru += [("candidate/bias", [3])]
    assert _names() == [
        (f"{enc}/embedding", [5, 4]),
        *[(f"{enc}/gru_cell/{n}", s) for n, s in gru],
        (f"{dec}/embedding", [6, 4]),
        (f"{att}/AttnW_0", [1, 1, 3, 3]),
        (f"{att}/AttnV_0", [3]),
        (f"{att}/AttnW_1", [1, 1, 3, 3]),
        (f"{att}/AttnV_1", [3]),
        (f"{att}/kernel", [10, 4]),  # input + 2 attention reads -> embedding size
        (f"{att}/bias", [4]),
        *[(f"{att}/output_projection_wrapper/gru_cell/{n}", s) for n, s in gru],
        (f"{att}/output_projection_wrapper/kernel", [3, 6]),
        (f"{att}/output_projection_wrapper/bias", [6]),
        (f"{att}/Attention_0/kernel", [3, 3]),
        (f"{att}/Attention_0/bias", [3]),
        (f"{att}/Attention_1/kernel", [3, 3]),
        (f"{att}/Attention_1/bias", [3]),
        (f"{att}/AttnOutputProjection/kernel", [12, 6]),
        (f"{att}/AttnOutputProjection/bias", [6]),
    ]


def test_seq2seq_models_variable_scopes():
    x = [tf.zeros([2, 3])] * 2
    S.basic_rnn_seq2seq(x, x, rc.BasicLSTMCell(2))
    S.tied_rnn_seq2seq(x, x, rc.GRUCell(3))
    S.embedding_rnn_seq2seq(_ids(2), _ids(2), rc.GRUCell(2), 4, 5, 3)
    S.embedding_tied_rnn_seq2seq(_ids(2), _ids(2), rc.GRUCell(2), 4, 3, num_decoder_symbols=3)
    names = _names()
    assert names[:4] == [
        ("basic_rnn_seq2seq/rnn/basic_lstm_cell/kernel", [5, 8]),
        ("basic_rnn_seq2seq/rnn/basic_lstm_cell/bias", [8]),
        ("basic_rnn_seq2seq/rnn_decoder/basic_lstm_cell/kernel", [5, 8]),
        ("basic_rnn_seq2seq/rnn_decoder/basic_lstm_cell/bias", [8]),
    ]
    tied = [n for n, _ in names if n.startswith("combined_tied")]
    assert tied == [
        f"combined_tied_rnn_seq2seq/tied_rnn_seq2seq/gru_cell/{n}"
        for n in ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")
    ]
    emb = [(n, s) for n, s in names if n.startswith("embedding_rnn") and "gru_cell" not in n]
    assert emb == [
        ("embedding_rnn_seq2seq/rnn/embedding_wrapper/embedding", [4, 3]),
        ("embedding_rnn_seq2seq/embedding_rnn_decoder/embedding", [5, 3]),
        (
            "embedding_rnn_seq2seq/embedding_rnn_decoder/rnn_decoder/output_projection_wrapper/kernel",
            [2, 5],
        ),
        (
            "embedding_rnn_seq2seq/embedding_rnn_decoder/rnn_decoder/output_projection_wrapper/bias",
            [5],
        ),
    ]
    tied_emb = [(n, s) for n, s in names if n.startswith("embedding_tied") and "gru" not in n]
    assert tied_emb == [
        ("embedding_tied_rnn_seq2seq/embedding", [4, 3]),
        (
            "embedding_tied_rnn_seq2seq/combined_tied_rnn_seq2seq/tied_rnn_seq2seq/"
            "output_projection_wrapper/kernel",
            [2, 3],
        ),
        (
            "embedding_tied_rnn_seq2seq/combined_tied_rnn_seq2seq/tied_rnn_seq2seq/"
            "output_projection_wrapper/bias",
            [3],
        ),
    ]


def test_one2many_variables_and_outputs_per_decoder():
    outputs, states = S.one2many_rnn_seq2seq(
        _ids(3),
        {"x": _ids(2), "y": _ids(4)},
        rc.GRUCell(2),
        {"x": rc.GRUCell(2), "y": rc.GRUCell(2)},
        5,
        {"x": 3, "y": 4},
        3,
    )
    assert [len(outputs["x"]), len(outputs["y"])] == [2, 4]
    assert outputs["y"][0].shape.as_list() == [2, 4]
    assert sorted(states) == ["x", "y"] and states["y"].shape.as_list() == [2, 2]
    names = [n for n, _ in _names()]
    assert names[0] == "one2many_rnn_seq2seq/rnn/embedding_wrapper/embedding"
    assert "one2many_rnn_seq2seq/one2many_decoder_x/embedding_rnn_decoder/embedding" in names
    assert (
        "one2many_rnn_seq2seq/one2many_decoder_y/embedding_rnn_decoder/rnn_decoder/"
        "output_projection_wrapper/gru_cell/gates/kernel"
    ) in names


def test_basic_rnn_seq2seq_deep_copies_the_cell_and_copying_a_built_cell_fails():
    cell = rc.GRUCell(3)
    x = [tf.ones([2, 3])] * 2
    S.basic_rnn_seq2seq(x, x, cell)
    # the caller's cell is the decoder's; the encoder ran a copy with variables of its own
    names = [v.op.name for v in cell.trainable_variables]
    assert len(names) == 4 and all(n.startswith("basic_rnn_seq2seq/rnn_decoder/") for n in names)
    assert len(tf.trainable_variables()) == 8
    # as in TF 1.15: a cell that owns variables cannot be deep-copied (the translate
    # tutorial's "can't pickle" error when one cell is shared by several buckets)
    with pytest.raises(TypeError, match="pickle"):
        copy.deepcopy(cell)


def _run(fetches, **feeds):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feeds or None)


def test_feed_previous_ignores_later_decoder_inputs_and_update_embedding_stops_gradients():
    tf.set_random_seed(3)
    dec = tf.placeholder(tf.int32, [3, 2])
    initial = tf.constant(np.random.RandomState(0).randn(2, 3).astype(np.float32))
    with tf.variable_scope("frozen"):
        out, _ = S.embedding_rnn_decoder(
            tf.unstack(dec),
            initial,
            rc.GRUCell(3),
            5,
            3,
            feed_previous=True,
            update_embedding_for_previous=False,
        )
    with tf.variable_scope("free"):
        out_free, _ = S.embedding_rnn_decoder(
            tf.unstack(dec), initial, rc.GRUCell(3), 5, 3, feed_previous=True
        )
    emb, emb_free = (v for v in tf.global_variables() if v.op.name.endswith("embedding"))
    grad = tf.convert_to_tensor(tf.gradients(tf.add_n([tf.reduce_sum(o) for o in out]), emb)[0])
    loss_free = tf.add_n([tf.reduce_sum(o) for o in out_free])
    grad_free = tf.convert_to_tensor(tf.gradients(loss_free, emb_free)[0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a = sess.run([out, grad, grad_free], {dec: [[1, 1], [2, 3], [4, 0]]})
        b = sess.run(out, {dec: [[1, 1], [0, 0], [0, 4]]})
    np.testing.assert_array_equal(a[0], b)  # only the GO symbols are read
    rows = np.abs(a[1]).sum(axis=1)
    assert rows[1] > 0 and (rows[[0, 2, 3, 4]] == 0).all()  # only the GO symbol's row
    assert (np.abs(a[2]).sum(axis=1) > 0).sum() > 1  # fed-back symbols' rows too


def test_feed_previous_tensor_builds_both_decoders_under_one_set_of_variables():
    feed = tf.placeholder(tf.bool, [])
    enc, dec = _ids(3), [tf.constant([0, 2]), tf.constant([3, 1]), tf.constant([4, 4])]
    tf.set_random_seed(1)
    out, state = S.embedding_attention_seq2seq(
        enc, dec, rc.BasicLSTMCell(3), 5, 6, 3, feed_previous=feed
    )
    n_vars = len(tf.global_variables())
    assert isinstance(state, rc.LSTMStateTuple)
    assert {op.type for op in tf.get_default_graph().get_operations()} >= {"Switch", "Merge"}
    with tf.variable_scope("again"):
        S.embedding_attention_seq2seq(enc, dec, rc.BasicLSTMCell(3), 5, 6, 3, feed_previous=True)
    assert len(tf.global_variables()) == 2 * n_vars
    graph_vars = tf.global_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for v, w in zip(graph_vars[:n_vars], graph_vars[n_vars:]):
            sess.run(tf.assign(w, v))
        fed = sess.run(out, {feed: True})
        given = sess.run(out, {feed: False})
        static = sess.run(
            tf.get_default_graph().get_tensor_by_name(
                "again/embedding_attention_seq2seq/embedding_attention_decoder/attention_decoder/"
                "AttnOutputProjection_2/BiasAdd:0"
            )
        )
    np.testing.assert_allclose(fed[0], given[0], atol=1e-6)  # the GO step agrees
    np.testing.assert_allclose(fed[2], static, atol=1e-6)
    assert not np.allclose(fed[2], given[2])


def test_losses_match_numpy():
    logits = [np.random.RandomState(i).randn(2, 4).astype(np.float32) for i in range(3)]
    targets = [np.array([i, 3 - i], np.int32) for i in range(3)]
    weights = [np.array([1.0, 0.5 * i], np.float32) for i in range(3)]

    def xent(lg, t):
        lg = lg - lg.max(1, keepdims=True)
        return -(lg - np.log(np.exp(lg).sum(1, keepdims=True)))[np.arange(2), t]

    per = sum(xent(lg, t) * w for lg, t, w in zip(logits, targets, weights))
    total = sum(weights) + 1e-12
    args = ([tf.constant(x) for x in logits], [tf.constant(x) for x in targets])
    args += ([tf.constant(x) for x in weights],)
    by_example = S.sequence_loss_by_example(*args)
    assert by_example.op.name == "sequence_loss_by_example/truediv"
    loss = S.sequence_loss(*args, name="seq")
    assert loss.op.name == "seq/truediv"
    raw = S.sequence_loss(*args, average_across_timesteps=False, average_across_batch=False)
    got = _run([by_example, loss, raw])
    np.testing.assert_allclose(got[0], per / total, rtol=1e-5)
    np.testing.assert_allclose(got[1], (per / total).sum() / 2, rtol=1e-5)
    np.testing.assert_allclose(got[2], per.sum(), rtol=1e-5)


def test_model_with_buckets_shares_variables_and_returns_per_example_losses():
    enc, dec = _ids(4), _ids(3)
    weights = [tf.ones([2])] * 3

    def model(x, y):
        return S.embedding_rnn_seq2seq(x, y, rc.GRUCell(2), 5, 4, 3)

    outputs, losses = S.model_with_buckets(
        enc, dec, dec, weights, [(2, 1), (4, 3)], model, per_example_loss=True
    )
    assert [len(o) for o in outputs] == [1, 3]
    assert [loss.shape.as_list() for loss in losses] == [[2], [2]]
    # 2 embeddings, 2 GRU cells, the projection: created by the first bucket only
    names = [v.op.name for v in tf.trainable_variables()]
    assert len(names) == 12 and all(n.startswith("embedding_rnn_seq2seq/") for n in names)
    assert losses[1].op.name.startswith("model_with_buckets/")


def test_argument_errors():
    x = [tf.zeros([2, 3])]
    states = tf.zeros([2, 4, 3])
    with pytest.raises(ValueError, match="Must provide at least 1 input to attention decoder."):
        S.attention_decoder([], x[0], states, rc.GRUCell(3))
    with pytest.raises(ValueError, match="With less than 1 heads, use a non-attention decoder."):
        S.attention_decoder(x, x[0], states, rc.GRUCell(3), num_heads=0)
    unknown = tf.placeholder(tf.float32, [2, 4, None])
    with pytest.raises(ValueError, match=r"Shape\[2\] of attention_states must be known"):
        S.attention_decoder(x, x[0], unknown, rc.GRUCell(3))
    with pytest.raises(ValueError, match="Could not infer input size from input"):
        S.attention_decoder([tf.placeholder(tf.float32, [2, None])], x[0], states, rc.GRUCell(3))
    with pytest.raises(
        ValueError, match="Lengths of logits, weights, and targets must be the same 1, 2, 1."
    ):
        S.sequence_loss_by_example(x, _ids(1), [tf.ones([2])] * 2)
    with pytest.raises(ValueError, match=r"Length of encoder_inputs \(1\) must be at least that"):
        S.model_with_buckets(_ids(1), _ids(2), _ids(2), _ids(2), [(2, 2)], None)
    with pytest.raises(
        ValueError, match=r"Length of targets \(1\) must be at least that of lastbucket \(2\)."
    ):
        S.model_with_buckets(_ids(2), _ids(2), _ids(1), _ids(2), [(2, 2)], None)
    with pytest.raises(
        ValueError, match=r"Length of weights \(1\) must be at least that of lastbucket"
    ):
        S.model_with_buckets(_ids(2), _ids(2), _ids(2), _ids(1), [(2, 2)], None)
    with pytest.raises(TypeError, match="enc_cell is not an RNNCell"):
        S.one2many_rnn_seq2seq(_ids(1), {}, object(), {}, 3, {}, 2)
    with pytest.raises(ValueError, match="keys of dec_cells_dict != keys of decodre_inputs_dict"):
        S.one2many_rnn_seq2seq(_ids(1), {"a": _ids(1)}, rc.GRUCell(2), {}, 3, {}, 2)
    with pytest.raises(TypeError, match="dec_cell is not an RNNCell"):
        S.one2many_rnn_seq2seq(_ids(1), {"a": _ids(1)}, rc.GRUCell(2), {"a": 1}, 3, {}, 2)
    bad = (tf.zeros([3, 5]), tf.zeros([5]))
    with pytest.raises(ValueError, match="are incompatible"):
        S.embedding_rnn_seq2seq(_ids(1), _ids(1), rc.GRUCell(3), 4, 6, 2, output_projection=bad)
    with pytest.raises(ValueError, match="are incompatible"):
        S.embedding_attention_seq2seq(
            _ids(1), _ids(1), rc.GRUCell(3), 4, 6, 2, output_projection=bad, scope="other"
        )
