"""CTC: tf.nn.ctc_loss (CTCLoss: values, gradients through its gradient output, graphs
and errors), the greedy and beam search decoders, collapse_repeated and ctc_unique_labels,
against TF."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

LOSS_PROGRAM = """
def _sparse(labels):
    idx = [[b, i] for b, lab in enumerate(labels) for i in range(len(lab))]
    vals = [v for lab in labels for v in lab]
    return tf.SparseTensor(np.array(idx, np.int64).reshape(-1, 2), np.array(vals, np.int32),
                           [len(labels), max(map(len, labels))])

CASES = {
    "basic": dict(T=6, B=3, C=5, labels=[[0, 1, 2], [1, 1], [3, 0, 3, 3]], seq=[6, 4, 6]),
    "collapse": dict(T=7, B=2, C=4, labels=[[0, 0, 1], [2]], seq=[5, 7], collapse=True),
    "no_merge": dict(T=7, B=2, C=4, labels=[[0, 0, 1], [2, 2]], seq=[7, 3], merge=False),
    "ignore_longer": dict(T=5, B=2, C=4, labels=[[0, 1, 2, 0, 1, 2], [2]], seq=[5, 5],
                          ignore=True),
    "ignore_zero_len": dict(T=4, B=2, C=3, labels=[[1], [0, 1]], seq=[0, 4], ignore=True),
    "batch_major": dict(T=6, B=3, C=5, labels=[[0, 1, 2], [1, 1], [3, 0, 3, 3]],
                        seq=[6, 4, 6], time_major=False),
    "no_path": dict(T=4, B=2, C=3, labels=[[1, 1, 1], [0]], seq=[3, 2]),
    "trailing_blanks": dict(T=6, B=2, C=5, labels=[[0, 4, 4], [1, 2]], seq=[6, 6]),
    "float64": dict(T=8, B=2, C=5, labels=[[0, 1], [1, 2]], seq=[8, 6], dtype="float64",
                    collapse=True, merge=False),
    "too_long": dict(T=5, B=2, C=4, labels=[[0, 1, 2, 0, 1, 2], [2]], seq=[5, 5]),
    "blank_then_label": dict(T=6, B=2, C=5, labels=[[0, 4, 1], [1, 2]], seq=[6, 6]),
    "seq_too_long": dict(T=3, B=1, C=3, labels=[[0]], seq=[4]),
    "empty_labels": dict(T=3, B=2, C=3, labels=[[0], []], seq=[3, 3]),
    "negative_label": dict(T=3, B=1, C=3, labels=[[-1]], seq=[3]),
}
out = {}
for key, c in CASES.items():
    with tf.Graph().as_default():
        rng = np.random.RandomState(len(key))
        x = rng.randn(c["T"], c["B"], c["C"]).astype(c.get("dtype", "float32"))
        tm = c.get("time_major", True)
        xt = tf.constant(x if tm else x.transpose(1, 0, 2))
        labels = c["labels"]
        if any(not lab for lab in labels):
            idx = [[b, i] for b, lab in enumerate(labels) for i in range(len(lab))]
            sp = tf.SparseTensor(np.array(idx, np.int64), np.array(
                [v for lab in labels for v in lab], np.int32), [len(labels), 1])
        else:
            sp = _sparse(labels)
        loss = tf.nn.ctc_loss(sp, xt, c["seq"],
                              preprocess_collapse_repeated=c.get("collapse", False),
                              ctc_merge_repeated=c.get("merge", True),
                              ignore_longer_outputs_than_inputs=c.get("ignore", False),
                              time_major=tm)
        g = tf.gradients(loss * np.arange(1, c["B"] + 1, dtype=x.dtype), xt)[0]
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            try:
                lv, gv = sess.run([loss, g])
                out[key] = {"loss": lv.tolist(), "grad": gv.tolist(), "ops": ops,
                            "dtype": loss.dtype.name, "shape": str(loss.shape)}
            except tf.errors.OpError as e:
                out[key] = {"error": type(e).__name__, "message": e.message}
print(json.dumps(out))
"""

DEC_PROGRAM = """
rng = np.random.RandomState(3)
x = rng.randn(7, 4, 5).astype(np.float32)
x[2, 1] = x[1, 1]  # a repeat
x[:, 3] *= 0.3
big = rng.randn(20, 6, 8).astype(np.float32)
cases = {
    "greedy": lambda: tf.nn.ctc_greedy_decoder(x, [7, 5, 0, 6]),
    "greedy_nomerge": lambda: tf.nn.ctc_greedy_decoder(x, [7, 5, 3, 6], merge_repeated=False),
    "greedy_blank0": lambda: tf.nn.ctc_greedy_decoder(x, [7, 5, 3, 6], blank_index=0),
    "greedy_blankneg": lambda: tf.nn.ctc_greedy_decoder(x.astype(np.float64), [7, 5, 3, 6],
                                                        blank_index=-3),
    "beam": lambda: tf.nn.ctc_beam_search_decoder(x, [7, 5, 1, 6]),
    "beam_top3": lambda: tf.nn.ctc_beam_search_decoder(x, [7, 5, 2, 6], beam_width=4, top_paths=3),
    "beam_nomerge": lambda: tf.nn.ctc_beam_search_decoder(x, [7, 5, 3, 6], beam_width=3,
                                                          top_paths=2, merge_repeated=False),
    "beam_w1": lambda: tf.nn.ctc_beam_search_decoder(x.astype(np.float64), [7, 5, 3, 6],
                                                     beam_width=1),
    "beam_v2": lambda: tf.nn.ctc_beam_search_decoder_v2(x, [7, 4, 3, 6], beam_width=5, top_paths=2),
    "beam_too_many": lambda: tf.nn.ctc_beam_search_decoder(x, [7, 5, 0, 6], beam_width=4,
                                                           top_paths=2),
    "greedy_bad_blank": lambda: tf.nn.ctc_greedy_decoder(x, [7, 5, 3, 6], blank_index=5),
    "greedy_long_seq": lambda: tf.nn.ctc_greedy_decoder(x, [8, 5, 3, 6]),
    "beam_long": lambda: tf.nn.ctc_beam_search_decoder(
        big, [20, 17, 9, 20, 1, 12], beam_width=6, top_paths=4),
    "beam_long_nomerge": lambda: tf.nn.ctc_beam_search_decoder(
        big, [20, 17, 9, 20, 1, 12], beam_width=10, top_paths=2, merge_repeated=False),
    "beam_peaked": lambda: tf.nn.ctc_beam_search_decoder(big * 4, [20, 17, 9, 20, 1, 12],
                                                        beam_width=3, top_paths=3),
    "greedy_long": lambda: tf.nn.ctc_greedy_decoder(big, [20, 17, 9, 20, 1, 12]),
}
out = {}
for key, f in cases.items():
    with tf.Graph().as_default():
        decoded, logp = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            try:
                d, l = sess.run([decoded, logp])
                dec = [[s.indices.tolist(), s.values.tolist(), s.dense_shape.tolist()] for s in d]
                out[key] = {"decoded": dec, "logp": l.tolist(), "ops": ops,
                            "shapes": [str(s.indices.shape) for s in decoded] + [str(logp.shape)]}
            except tf.errors.OpError as e:
                out[key] = {"error": type(e).__name__, "message": e.message}
print(json.dumps(out))
"""

COL_PROGRAM = """
out = {}
cases = {
    "basic": lambda: tf.nn.collapse_repeated([[1, 1, 2, 2, 1], [1, 2, 3, 4, 5], [3, 3, 3, 0, 0]],
                                             [5, 4, 2]),
    "placeholder": lambda: tf.nn.collapse_repeated(
        tf.placeholder_with_default(np.array([[4, 4, 4, 1], [2, 2, 3, 3]], np.int64), [None, None]),
        tf.constant([4, 3], tf.int64), name="col"),
}
for key, f in cases.items():
    with tf.Graph().as_default():
        a, b = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            va, vb = sess.run([a, b])
        out[key] = {"labels": va.tolist(), "len": vb.tolist(), "ops": ops,
                    "shapes": [str(a.shape), str(b.shape)], "dtypes": [a.dtype.name, b.dtype.name]}
print(json.dumps(out))
"""

UNIQUE_PROGRAM = """
out = {}
cases = {
    "basic": lambda: tf.nn.ctc_unique_labels([[3, 4, 4, 3], [1, 1, 1, 1], [5, 6, 7, 0]]),
    "int64": lambda: tf.nn.ctc_unique_labels(np.array([[2, 0, 2, 0, 9]], np.int64), name="u"),
}
for key, f in cases.items():
    with tf.Graph().as_default():
        a, b = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            va, vb = sess.run([a, b])
        out[key] = {"y": va.tolist(), "idx": vb.tolist(), "ops": ops,
                    "shapes": [str(a.shape), str(b.shape)], "dtypes": [a.dtype.name, b.dtype.name]}
print(json.dumps(out))
"""

V2_PROGRAM = """
rng = np.random.RandomState(5)
x = rng.randn(8, 3, 6).astype(np.float32)
dense = np.array([[1, 2, 2, 0], [3, 4, 0, 0], [5, 1, 3, 2]], np.int32)
lens = np.array([3, 2, 4], np.int32)
sp_idx = [[b, i] for b in range(3) for i in range(lens[b])]
sp_val = [dense[b, i] for b in range(3) for i in range(lens[b])]
out = {}
cases = {
    "sparse_last": lambda xt: tf.nn.ctc_loss_v2(
        tf.SparseTensor(sp_idx, np.array(sp_val, np.int32) - 1, [3, 4]), xt, None, [8, 6, 7],
        blank_index=-1),
    "sparse_blank2": lambda xt: tf.nn.ctc_loss_v2(
        tf.SparseTensor(sp_idx, np.array(sp_val, np.int32), [3, 4]), xt, None, [8, 6, 7],
        blank_index=2),
    "sparse_batch_major": lambda xt: tf.nn.ctc_loss_v2(
        tf.SparseTensor(sp_idx, np.array(sp_val, np.int32), [3, 4]),
        tf.transpose(xt, [1, 0, 2]), None, [8, 6, 7], logits_time_major=False, blank_index=0),
    "dense": lambda xt: tf.nn.ctc_loss_v2(dense, xt, lens, [8, 6, 7]),
    "dense_blank3": lambda xt: tf.nn.ctc_loss_v2(np.where(dense >= 3, dense - 1, dense), xt,
                                                 lens, [8, 8, 5], blank_index=3),
}
for key, f in cases.items():
    with tf.Graph().as_default():
        xt = tf.constant(x)
        loss = f(xt)
        g = tf.gradients(loss * np.array([1.0, 2.0, 3.0], np.float32), xt)[0]
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            lv, gv = sess.run([loss, g])
        out[key] = {"loss": lv.tolist(), "grad": gv.tolist(), "ops": ops, "shape": str(loss.shape)}
print(json.dumps(out))
"""


def _run_here(program):
    scope = {"tf": tf, "np": np, "json": json}
    out = {}
    scope["print"] = lambda s: out.update(json.loads(s))
    exec(program, scope)
    return out


def _compare(ours, theirs, rtol=1e-5, atol=1e-5):
    assert ours.keys() == theirs.keys()
    for key, want in theirs.items():
        got = ours[key]
        if "error" in want:
            assert got.get("error") == want["error"], (key, got)
            msg = [line for line in want["message"].split("\n") if line.strip()]
            msg = next(line for line in reversed(msg) if not line.startswith("\t"))
            assert msg in got["message"], (key, got["message"], msg)
            continue
        assert "error" not in got, (key, got)
        assert got["ops"] == want["ops"], key
        assert (got["dtype"], got["shape"]) == (want["dtype"], want["shape"]), key
        np.testing.assert_allclose(got["loss"], want["loss"], rtol=rtol, atol=atol, err_msg=key)
        np.testing.assert_allclose(got["grad"], want["grad"], rtol=rtol, atol=atol, err_msg=key)


@pytest.mark.tf
@requires_tf
def test_ctc_loss_against_tf():
    _compare(_run_here(LOSS_PROGRAM), run_tf_json(LOSS_PROGRAM))


def test_ctc_loss_known_values():
    out = _run_here(LOSS_PROGRAM)
    assert out["ignore_longer"]["loss"][0] == 0.0
    assert not np.any(np.asarray(out["ignore_longer"]["grad"])[:, 0])
    assert out["no_path"]["loss"][0] == np.inf
    assert out["too_long"]["error"] == "InvalidArgumentError"
    assert "Not enough time for target transition sequence" in out["too_long"]["message"]


def test_ctc_loss_second_derivative_prevented():
    x = tf.constant(np.zeros((3, 1, 3), np.float32))
    labels = tf.SparseTensor([[0, 0]], tf.constant([1], tf.int32), [1, 1])
    loss = tf.nn.ctc_loss(labels, x, [3])
    (g,) = tf.gradients(loss, x)
    with pytest.raises(LookupError, match="Gradient explicitly disabled"):
        tf.gradients(g, x)


def test_ctc_loss_labels_must_be_sparse():
    with pytest.raises(TypeError, match="Expected argument `labels` to be a SparseTensor"):
        tf.nn.ctc_loss(np.zeros((1, 1), np.int32), np.zeros((2, 1, 3), np.float32), [2])


def _compare_decoded(ours, theirs):
    assert ours.keys() == theirs.keys()
    for key, want in theirs.items():
        got = ours[key]
        if "error" in want:
            assert got.get("error") == want["error"], (key, got)
            msg = [line for line in want["message"].split("\n") if line.strip()]
            msg = next(line for line in reversed(msg) if not line.startswith("\t"))
            assert msg in got["message"], (key, got["message"], msg)
            continue
        assert "error" not in got, (key, got)
        assert got["ops"] == want["ops"], key
        assert got["shapes"] == want["shapes"], key
        assert got["decoded"] == want["decoded"], key
        np.testing.assert_allclose(got["logp"], want["logp"], rtol=1e-5, atol=1e-5, err_msg=key)


@pytest.mark.tf
@requires_tf
def test_ctc_decoders_against_tf():
    _compare_decoded(_run_here(DEC_PROGRAM), run_tf_json(DEC_PROGRAM))


def test_ctc_greedy_decoder_known_values():
    inf = float("inf")
    logits = np.array(
        [
            [[0.0, -inf, -inf], [-2.3, -inf, -0.1]],
            [[-inf, -0.5, -inf], [-inf, -inf, -0.1]],
            [[-inf, -inf, -inf], [-0.1, -inf, -2.3]],
        ],
        np.float32,
    )
    (decoded,), neg = tf.nn.ctc_greedy_decoder(logits, [2, 3], blank_index=1)
    with tf.Session() as sess:
        d, n = sess.run([decoded, neg])
    np.testing.assert_array_equal(d.indices, [[0, 0], [1, 0], [1, 1]])
    np.testing.assert_array_equal(d.values, [0, 2, 0])
    np.testing.assert_array_equal(d.dense_shape, [2, 2])
    np.testing.assert_allclose(n, [[0.5], [0.3]], rtol=1e-6)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("program", ["COL_PROGRAM", "UNIQUE_PROGRAM"])
def test_label_helpers_against_tf(program):
    program = globals()[program]
    assert _run_here(program) == run_tf_json(program)


def test_collapse_repeated_known_values():
    labels, lengths = tf.nn.collapse_repeated([[1, 1, 2, 2, 1], [1, 2, 3, 4, 5]], [5, 5])
    with tf.Session() as sess:
        a, b = sess.run([labels, lengths])
    np.testing.assert_array_equal(a, [[1, 2, 1, 0, 0], [1, 2, 3, 4, 5]])
    np.testing.assert_array_equal(b, [3, 5])


def test_ctc_unique_labels_known_values():
    y, idx = tf.nn.ctc_unique_labels([[3, 4, 4, 3]])
    with tf.Session() as sess:
        a, b = sess.run([y, idx])
    np.testing.assert_array_equal(a, [[3, 4, 0, 0]])
    np.testing.assert_array_equal(b, [[0, 1, 1, 0]])


@pytest.mark.tf
@requires_tf
def test_ctc_loss_v2_against_tf():
    """Sparse labels: TF's graph; dense labels (TF: its own forward-backward graph, here
    through CTCLoss): values and gradients."""
    ours, theirs = _run_here(V2_PROGRAM), run_tf_json(V2_PROGRAM)
    assert ours.keys() == theirs.keys()
    for key, want in theirs.items():
        got = ours[key]
        if key.startswith("sparse"):
            assert got["ops"] == want["ops"], key
        assert got["shape"] == want["shape"], key
        np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5, err_msg=key)
        np.testing.assert_allclose(got["grad"], want["grad"], rtol=1e-5, atol=1e-5, err_msg=key)


def test_ctc_loss_v2_sparse_needs_blank_index():
    labels = tf.SparseTensor([[0, 0]], tf.constant([1], tf.int32), [1, 1])
    with pytest.raises(ValueError, match="`blank_index` must be provided"):
        tf.nn.ctc_loss_v2(labels, np.zeros((2, 1, 3), np.float32), None, [2])
