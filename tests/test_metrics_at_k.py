"""tf.metrics precision/recall at k and at top k, average precision at k (and the
sparse_* aliases) against TF: values and update results over three batches (dense and
sparse labels, class_id, weights), local variables, collections, graph ops, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(3)
batches = []
for _ in range(3):
    scores = rng.uniform(size=(6, 5)).astype(np.float32)
    labels = rng.randint(0, 5, size=(6,)).astype(np.int64)
    multi = rng.randint(0, 6, size=(6, 2)).astype(np.int64)
    weights = rng.uniform(0.5, 2.0, size=(6,)).astype(np.float32)
    batches.append((scores, labels, multi, weights))
out = {}
with tf.Graph().as_default():
    s = tf.placeholder(tf.float32, [6, 5])
    l = tf.placeholder(tf.int64, [6])
    ml = tf.placeholder(tf.int64, [6, 2])
    w = tf.placeholder(tf.float32, [6])
    sp = tf.SparseTensor([[0, 0], [1, 0], [1, 1], [2, 1], [3, 0], [4, 0], [5, 1]],
                         tf.gather(tf.reshape(tf.minimum(ml, 4), [-1]), [0, 2, 3, 5, 6, 8, 11]),
                         [6, 2])
    sp_gap = tf.SparseTensor([[0, 0], [1, 0], [3, 1]], tf.gather(l, [0, 1, 3]), [6, 2])
    _, idx = tf.nn.top_k(s, 3)
    m = tf.metrics
    metrics = {
        "p_at_1": m.precision_at_k(l, s, 1),
        "p_at_3_multi": m.precision_at_k(ml, s, 3, metrics_collections=["mc"]),
        "p_at_2_class": m.precision_at_k(l, s, 2, class_id=3, weights=w),
        "p_top_k": m.precision_at_top_k(ml, idx, updates_collections=["uc"]),
        "p_top_k_sparse": m.precision_at_top_k(sp, idx, k=3, class_id=2),
        "r_at_2": m.recall_at_k(l, s, 2, name="rk"),
        "r_at_3_w": m.recall_at_k(ml, s, 3, weights=w),
        "r_at_3_sparse": m.recall_at_k(sp, s, 3),
        "r_top_k_class": m.recall_at_top_k(ml, idx, class_id=1),
        "ap_at_3": m.average_precision_at_k(ml, s, 3, metrics_collections=["mc"]),
        "ap_at_3_in_range": m.average_precision_at_k(tf.minimum(ml, 4), s, 3),
        "ap_at_2_gap": m.average_precision_at_k(sp_gap, s, 2),
        "r_at_2_gap": m.recall_at_k(sp_gap, s, 2),
        "ap_at_2_w": m.average_precision_at_k(l, s, 2, weights=w),
        "ap_at_4_sparse": m.average_precision_at_k(sp, s, 4),
        "sp_at_2": m.sparse_precision_at_k(l, s, 2),
        "sap_at_1": m.sparse_average_precision_at_k(ml, s, 1),
    }
    out["locals"] = [v.name for v in tf.local_variables()]
    out["metric_vars"] = [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)]
    out["dtypes"] = [v.dtype.name for v in tf.local_variables()]
    out["mc"] = [t.name for t in tf.get_collection("mc")]
    out["uc"] = [t.name for t in tf.get_collection("uc")]
    out["results"] = {k: [t.name for t in metrics[k]] for k in metrics}
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    names = sorted(metrics)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        steps = []
        for scores, labels, multi, weights in batches:
            feed = {s: scores, l: labels, ml: multi, w: weights}
            updates = sess.run([metrics[k][1] for k in names], feed)
            values = sess.run([metrics[k][0] for k in names])
            steps.append([np.asarray(u).tolist() for u in updates + values])
    out["names"] = names
    out["steps"] = steps
    errors = []
    for fn in (
        lambda: m.average_precision_at_k(l, s, 0),
        lambda: m.precision_at_top_k(tf.zeros([6, 2, 2], tf.int64), tf.zeros([6], tf.int64)),
        lambda: m.recall_at_k(l, s, 2, weights=tf.ones([4])),
    ):
        try:
            fn()
            errors.append(None)
        except Exception as e:
            errors.append([type(e).__name__, str(e) if "k=" in str(e) else ""])
    out["errors"] = errors
"""


def _here() -> dict:
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values_are_consistent():
    out = _here()
    assert "precision_at_1/true_positive_at_1:0" in out["locals"]
    assert out["locals"] == out["metric_vars"]
    assert set(out["dtypes"]) == {"float64_ref"}


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    for key in ("locals", "metric_vars", "dtypes", "mc", "uc", "results", "names", "errors"):
        assert ours[key] == theirs[key], key
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        for k, (a, b) in enumerate(zip(step_ours, step_theirs)):
            name = ours["names"][k % len(ours["names"])]
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, err_msg=name)
    missing = sorted(set(theirs["ops"]) - set(ours["ops"]))
    extra = sorted(set(ours["ops"]) - set(theirs["ops"]))
    assert (missing, extra) == ([], [])


COND_PROGRAM = """
out = {}
with tf.Graph().as_default():
    x = tf.placeholder(tf.bool, [])
    a = tf.SparseTensor([[0, 1], [2, 0]], tf.constant([5, 7], tf.int64), [3, 2])
    b = tf.SparseTensor([[1, 1]], tf.constant([9], tf.int64), [3, 2])
    r = tf.cond(x, lambda: a, lambda: b)
    out["type"] = type(r).__name__
    out["names"] = [r.indices.name, r.values.name, r.dense_shape.name]
    with tf.Session() as sess:
        out["values"] = [
            [np.asarray(v).tolist() for v in sess.run([r.indices, r.values, r.dense_shape], {x: f})]
            for f in (True, False)
        ]
"""


@pytest.mark.tf
@requires_tf
def test_cond_returns_sparse_tensor_as_tf():
    scope = {"tf": tf, "np": np}
    exec(COND_PROGRAM, scope)
    ours = json.loads(json.dumps(scope["out"]))
    assert ours == run_tf_json(COND_PROGRAM + "\nprint(json.dumps(out))\n")
