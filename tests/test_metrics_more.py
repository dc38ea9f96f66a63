"""tf.metrics: counts, precision/recall, errors, *_at_thresholds and auc, against TF
(values after several batches, with and without weights; local variables; graphs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
batches = []
for _ in range(3):
    labels = rng.randint(0, 2, size=(8,)).astype(np.int64)
    scores = rng.uniform(size=(8,)).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, size=(8,)).astype(np.float32)
    real = rng.standard_normal((8, 3)).astype(np.float32)
    guess = rng.standard_normal((8, 3)).astype(np.float32)
    batches.append((labels, scores, weights, real, guess))
out = {}
with tf.Graph().as_default():
    l = tf.placeholder(tf.int64, [8])
    s = tf.placeholder(tf.float32, [8])
    w = tf.placeholder(tf.float32, [8])
    r = tf.placeholder(tf.float32, [8, 3])
    q = tf.placeholder(tf.float32, [8, 3])
    m = tf.metrics
    metrics = {
        "tp": m.true_positives(l, s > 0.5),
        "fp_w": m.false_positives(l, s > 0.5, weights=w),
        "tn": m.true_negatives(l, s > 0.5),
        "fn_w": m.false_negatives(l, s > 0.5, weights=w),
        "precision": m.precision(l, s > 0.5),
        "recall_w": m.recall(l, s > 0.5, weights=w),
        "mse": m.mean_squared_error(r, q),
        "mae_w": m.mean_absolute_error(r, q, weights=tf.expand_dims(w, 1)),
        "rmse": m.root_mean_squared_error(r, q),
        "mre": m.mean_relative_error(r, q, normalizer=tf.abs(r) + 1.0),
        "below": m.percentage_below(q, 0.25),
        "cosine": m.mean_cosine_distance(tf.nn.l2_normalize(r, 1), tf.nn.l2_normalize(q, 1), 1),
        "tp_t": m.true_positives_at_thresholds(l, s, [0.25, 0.5, 0.75]),
        "fp_t_w": m.false_positives_at_thresholds(l, s, [0.25, 0.5, 0.75], weights=w),
        "tn_t": m.true_negatives_at_thresholds(l, s, [0.3, 0.6]),
        "fn_t": m.false_negatives_at_thresholds(l, s, [0.3, 0.6]),
        "prec_t": m.precision_at_thresholds(l, s, [0.2, 0.5, 0.8]),
        "rec_t_w": m.recall_at_thresholds(l, s, [0.2, 0.5, 0.8], weights=w),
        "auc": m.auc(l, s),
        "auc_w_pr": m.auc(l, s, weights=w, curve="PR", num_thresholds=50),
        "auc_pr_careful": m.auc(l, s, curve="PR", summation_method="careful_interpolation"),
        "auc_minoring": m.auc(l, s, summation_method="minoring", num_thresholds=20),
        "auc_majoring": m.auc(l, s, summation_method="majoring", thresholds=[0.3, 0.5, 0.7]),
    }
    out["locals"] = [v.name for v in tf.local_variables()]
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    names = sorted(metrics)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        steps = []
        for labels, scores, weights, real, guess in batches:
            feed = {l: labels, s: scores, w: weights, r: real, q: guess}
            updates = sess.run([metrics[k][1] for k in names], feed)
            values = sess.run([metrics[k][0] for k in names])
            steps.append([np.asarray(u).tolist() for u in updates + values])
    out["names"] = names
    out["steps"] = steps
    errors = []
    for kwargs in ({"curve": "XY"}, {"summation_method": "nope"}):
        try:
            m.auc(l, s, **kwargs)
        except ValueError as e:
            errors.append(str(e))
    out["errors"] = errors
"""


def _here() -> dict:
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values_are_consistent():
    out = _here()
    names = out["names"]
    last = dict(zip(names, out["steps"][-1][len(names) :]))
    assert 0.0 <= last["auc"] <= 1.0 and 0.0 <= last["precision"] <= 1.0
    assert last["tp_t"][0] >= last["tp_t"][1] >= last["tp_t"][2]
    assert "auc/true_positives:0" in out["locals"]
    assert out["errors"][0] == "Curve must be either ROC or PR. Curve XY is unknown."
    assert out["errors"][1].startswith("Invalid summation_method: nope summation_method")


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    assert ours["locals"] == theirs["locals"]
    assert ours["names"] == theirs["names"]
    assert ours["errors"] == theirs["errors"]
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        for k, (a, b) in enumerate(zip(step_ours, step_theirs)):
            name = ours["names"][k % len(ours["names"])]
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=name)
    missing = sorted(set(theirs["ops"]) - set(ours["ops"]))
    extra = sorted(set(ours["ops"]) - set(theirs["ops"]))
    assert (missing, extra) == ([], [])
