"""CTC: tf.nn.ctc_loss (CTCLoss: values, gradients through its gradient output, graphs
and errors), against TF."""

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
