"""tf.metrics.mean_tensor, mean_per_class_accuracy and mean_iou against TF: values and
update results over three batches (with and without weights), local variables and
their collections, graph ops, and errors for mismatched shapes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(1)
batches = []
for _ in range(3):
    labels = rng.randint(0, 4, size=(2, 6)).astype(np.int64)
    preds = rng.randint(0, 4, size=(2, 6)).astype(np.int64)
    weights = rng.uniform(0.0, 2.0, size=(2, 6)).astype(np.float32)
    values = rng.standard_normal((2, 3)).astype(np.float32)
    vweights = rng.uniform(0.0, 2.0, size=(2, 1)).astype(np.float32)
    batches.append((labels, preds, weights, values, vweights))
out = {}
with tf.Graph().as_default():
    l = tf.placeholder(tf.int64, [2, 6])
    p = tf.placeholder(tf.int64, [2, 6])
    w = tf.placeholder(tf.float32, [2, 6])
    v = tf.placeholder(tf.float32, [2, 3])
    vw = tf.placeholder(tf.float32, [2, 1])
    m = tf.metrics
    metrics = {
        "mean_tensor": m.mean_tensor(v),
        "mean_tensor_w": m.mean_tensor(v, weights=vw, metrics_collections=["mc"],
                                       updates_collections=["uc"]),
        "pca": m.mean_per_class_accuracy(l, p, 5),
        "pca_w": m.mean_per_class_accuracy(l, p, 4, weights=w, name="pcaw",
                                           metrics_collections=["mc"]),
        "iou": m.mean_iou(l, p, 5),
        "iou_w": m.mean_iou(l, p, 4, weights=w, updates_collections=["uc"]),
        "iou_i32": m.mean_iou(tf.cast(l, tf.int32), tf.cast(p, tf.int32), 4),
    }
    out["locals"] = [v.name for v in tf.local_variables()]
    out["metric_vars"] = [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)]
    out["shapes"] = [v.shape.as_list() for v in tf.local_variables()]
    out["dtypes"] = [v.dtype.name for v in tf.local_variables()]
    out["mc"] = [t.name for t in tf.get_collection("mc")]
    out["uc"] = [t.name for t in tf.get_collection("uc")]
    out["results"] = {k: [t.name for t in metrics[k]] for k in metrics}
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    names = sorted(metrics)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        steps = [[np.asarray(x).tolist() for x in sess.run([metrics[k][0] for k in names])]]
        for labels, preds, weights, values, vweights in batches:
            feed = {l: labels, p: preds, w: weights, v: values, vw: vweights}
            updates = sess.run([metrics[k][1] for k in names], feed)
            values = sess.run([metrics[k][0] for k in names])
            steps.append([np.asarray(u).tolist() for u in updates + values])
    out["names"] = names
    out["steps"] = steps
    errors = []
    for fn in (
        lambda: m.mean_iou(tf.zeros([3], tf.int64), tf.zeros([4], tf.int64), 3),
        lambda: m.mean_per_class_accuracy(tf.zeros([3], tf.int64), tf.zeros([4], tf.int64), 3),
        lambda: m.mean_tensor(tf.zeros([3, 2]), weights=tf.ones([4])),
    ):
        try:
            fn()
            errors.append(None)
        except Exception as e:
            errors.append(type(e).__name__)
    out["errors"] = errors
"""


def _here() -> dict:
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values_are_consistent():
    out = _here()
    assert "mean_iou/total_confusion_matrix:0" in out["locals"]
    assert out["locals"] == out["metric_vars"]
    assert out["errors"] == ["ValueError"] * 3


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    for key in ("locals", "metric_vars", "shapes", "dtypes", "mc", "uc", "results", "names"):
        assert ours[key] == theirs[key], key
    assert ours["errors"] == theirs["errors"]
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        for k, (a, b) in enumerate(zip(step_ours, step_theirs)):
            name = ours["names"][k % len(ours["names"])]
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=name)
    missing = sorted(set(theirs["ops"]) - set(ours["ops"]))
    extra = sorted(set(ours["ops"]) - set(theirs["ops"]))
    assert (missing, extra) == ([], [])


EDGE_PROGRAM = """
out = {}
with tf.Graph().as_default():
    l = tf.constant([[0, 1, 2], [2, 2, 1]], tf.int64)
    p = tf.constant([[0, 2, 2], [2, 1, 1]], tf.int32)
    s = tf.constant([[.1, .9, .4], [.6, .3, .8]])
    ms = {
      "pca": tf.metrics.mean_per_class_accuracy(l, p, 3),
      "mt_scalar_w": tf.metrics.mean_tensor(s, weights=3.0),
      "sens2d": tf.metrics.sensitivity_at_specificity(
          l > 1, s, 0.5, weights=tf.constant([[1.], [2.]])),
      "pk_3d": tf.metrics.precision_at_k(
          tf.constant([[[1], [2]]], tf.int64), tf.reshape(tf.tile(s, [1, 2]), [1, 2, 6]), 2),
      "rk_top": tf.metrics.recall_at_top_k(
          tf.constant([[1, 2], [0, -1]], tf.int64), tf.constant([[1, 0], [0, 2]])),
    }
    try:
        tf.metrics.mean_iou(l, tf.cast(p, tf.int64), 3, weights=tf.constant(2.0))
    except Exception as e:
        out["err"] = [type(e).__name__, str(e)]
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    out["locals"] = [v.name for v in tf.local_variables()]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        out["u"] = {k: np.asarray(sess.run(v[1])).tolist() for k, v in ms.items()}
        out["u2"] = {k: np.asarray(sess.run(v[1])).tolist() for k, v in ms.items()}
        out["v"] = {k: np.asarray(sess.run(v[0])).tolist() for k, v in ms.items()}
"""


@pytest.mark.tf
@requires_tf
def test_edge_cases_match_tf():
    """Mixed label/prediction dtypes, scalar and 2-D weights, rank-3 predictions,
    -1 padded labels, and mean_iou's error for scalar weights."""
    scope = {"tf": tf, "np": np}
    exec(EDGE_PROGRAM, scope)
    ours = json.loads(json.dumps(scope["out"]))
    theirs = run_tf_json(EDGE_PROGRAM + "\nprint(json.dumps(out))\n")
    assert ours["err"] == theirs["err"]
    assert ours["locals"] == theirs["locals"]
    assert ours["ops"] == theirs["ops"]
    for key in ("u", "u2", "v"):
        for name in theirs[key]:
            np.testing.assert_allclose(ours[key][name], theirs[key][name], rtol=1e-6, err_msg=name)
