"""tf.nn.nce_loss, sampled_softmax_loss, the candidate samplers and
compute_accidental_hits: against TF (losses, gradients, graphs with the same
`sampled_values`) and against the samplers' definitions (their draws are tfgraph's
own)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

LOSSES = """
rng = np.random.RandomState(0)
out = {}
W = rng.standard_normal((20, 4)).astype(np.float32) * 0.5
B = rng.standard_normal(20).astype(np.float32) * 0.1
X = rng.standard_normal((3, 4)).astype(np.float32)
for title, num_true, labels_v, kwargs in [
    ("nce", 1, [[2], [7], [11]], {}),
    ("nce hits", 1, [[2], [5], [11]], {"remove_accidental_hits": True}),
    ("nce 2 true", 2, [[2, 3], [7, 5], [11, 0]], {}),
    ("softmax", 1, [[2], [5], [11]], {}),
    ("softmax no hits", 1, [[2], [5], [11]], {"remove_accidental_hits": False}),
    ("softmax partitioned", 1, [[2], [7], [11]], {"partition_strategy": "div"}),
]:
    with tf.Graph().as_default():
        if "partitioned" in title:
            w = [tf.Variable(W[:10]), tf.Variable(W[10:])]
        else:
            w = tf.Variable(W)
        b = tf.Variable(B)
        x = tf.constant(X)
        labels = tf.constant(labels_v, tf.int64)
        sampled = (tf.constant([5, 1, 13, 0, 17], tf.int64),
                   tf.constant(rng.uniform(0.1, 0.9, (3, num_true)).astype(np.float32)),
                   tf.constant(rng.uniform(0.1, 0.9, 5).astype(np.float32)))
        fn = tf.nn.sampled_softmax_loss if title.startswith("softmax") else tf.nn.nce_loss
        loss = fn(w, b, labels, x, num_sampled=5, num_classes=20, num_true=num_true,
                  sampled_values=sampled, **kwargs)
        params = w if isinstance(w, list) else [w]
        grads = tf.gradients(tf.reduce_sum(loss * tf.constant([1.0, 2.0, 0.5])), params + [b, x])
        grads = [tf.convert_to_tensor(g) for g in grads]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run([loss] + grads)
        ops = tf.get_default_graph().get_operations()
        out[title] = {"values": [v.tolist() for v in values], "name": loss.name,
                      "ops": sorted(o.name + ":" + o.type for o in ops)}
"""

HITS = """
t = tf.constant([[1, 2], [3, 4], [5, 5]], tf.int64)
hits = tf.nn.compute_accidental_hits(t, tf.constant([1, 5, 4, 2, 9], tf.int64), 2)
with tf.Session() as sess:
    out = [v.tolist() for v in sess.run(hits)]
"""


def _here(code: str):
    scope = {"tf": tf, "np": np}
    with tf.Graph().as_default():
        exec(code, scope)
    return json.loads(json.dumps(scope["out"]))


def test_accidental_hits_are_row_then_true_class_then_position():
    indices, ids, weights = _here(HITS)
    assert (indices, ids) == ([0, 0, 1, 2, 2], [0, 3, 2, 1, 1])
    assert weights == [-float(np.finfo(np.float32).max)] * 5


@pytest.mark.parametrize("sampler", ["log_uniform", "uniform"])
@pytest.mark.parametrize("unique", [True, False])
def test_samplers_draw_in_range_with_their_expected_counts(sampler, unique):
    fn = getattr(tf.nn, f"{sampler}_candidate_sampler")
    true = np.array([[0, 3], [7, 49]], np.int64)
    with tf.Graph().as_default():
        out = fn(tf.constant(true), 2, 20, unique, 50, seed=7)
        with tf.Session() as sess:
            runs = [sess.run(out) for _ in range(5)]
    assert out.sampled_candidates.shape.as_list() == [20]
    assert out.true_expected_count.shape.as_list() == [2, 2]
    for sampled, true_count, sampled_count in runs:
        assert sampled.dtype == np.int64 and ((sampled >= 0) & (sampled < 50)).all()
        if unique:
            assert len(set(sampled.tolist())) == 20
        if sampler == "log_uniform":
            p = lambda k: np.log((k + 2.0) / (k + 1.0)) / np.log(51.0)  # noqa: E731
        else:
            p = lambda k: np.full(np.shape(k), 1 / 50)  # noqa: E731
        if not unique:
            np.testing.assert_allclose(true_count, p(true) * 20, rtol=1e-5)
            np.testing.assert_allclose(sampled_count, p(sampled) * 20, rtol=1e-5)
        else:  # 1 - (1 - p)**tries, one `tries` (>= 20) for the whole batch
            tries = np.log1p(-sampled_count[0]) / np.log1p(-p(sampled[0]))
            assert tries >= 20 - 1e-3
            np.testing.assert_allclose(
                sampled_count, -np.expm1(tries * np.log1p(-p(sampled))), rtol=1e-4
            )
            np.testing.assert_allclose(true_count, -np.expm1(tries * np.log1p(-p(true))), rtol=1e-4)
    assert not all(np.array_equal(runs[0][0], r[0]) for r in runs[1:])  # (a stream)


def test_nce_loss_without_sampled_values_runs_and_trains():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        w = tf.Variable(tf.random_normal([100, 8], stddev=0.1))
        b = tf.Variable(tf.zeros([100]))
        x = tf.random_normal([16, 8])
        labels = tf.random_uniform([16, 1], 0, 100, dtype=tf.int64)
        loss = tf.reduce_mean(tf.nn.nce_loss(w, b, labels, x, 10, 100))
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                value, _ = sess.run([loss, step])
    assert np.isfinite(value) and value > 0


def test_losses_name_and_shape():
    out = _here(LOSSES)
    assert out["nce"]["name"] == "Reshape:0"
    assert np.asarray(out["softmax"]["values"][0]).shape == (3,)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("code", [LOSSES, HITS], ids=["losses", "accidental_hits"])
def test_matches_tf(code):
    theirs = run_tf_json(code + "\nprint(json.dumps(out))\n")
    ours = _here(code)
    if code is HITS:
        assert ours == theirs
        return
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key]["name"] == theirs[key]["name"]
        assert ours[key]["ops"] == theirs[key]["ops"], key
        for a, b in zip(ours[key]["values"], theirs[key]["values"]):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=key)
