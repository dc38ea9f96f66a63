"""tf.metrics.sensitivity_at_specificity and specificity_at_sensitivity against TF:
values and update results over three batches (with and without weights), local
variables, collections, graph ops and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(2)
batches = []
for _ in range(3):
    labels = rng.randint(0, 2, size=(10,)).astype(np.int64)
    scores = rng.uniform(size=(10,)).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, size=(10,)).astype(np.float32)
    batches.append((labels, scores, weights))
out = {}
with tf.Graph().as_default():
    l = tf.placeholder(tf.int64, [10])
    s = tf.placeholder(tf.float32, [10])
    w = tf.placeholder(tf.float32, [10])
    m = tf.metrics
    metrics = {
        "sens": m.sensitivity_at_specificity(l, s, 0.7),
        "sens_w": m.sensitivity_at_specificity(l, s, 0.4, weights=w, num_thresholds=20,
                                               metrics_collections=["mc"]),
        "spec": m.specificity_at_sensitivity(l, s, 0.6, updates_collections=["uc"]),
        "spec_w": m.specificity_at_sensitivity(l, s, 0.3, weights=w, num_thresholds=11,
                                               name="sw"),
    }
    out["locals"] = [v.name for v in tf.local_variables()]
    out["metric_vars"] = [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)]
    out["mc"] = [t.name for t in tf.get_collection("mc")]
    out["uc"] = [t.name for t in tf.get_collection("uc")]
    out["results"] = {k: [t.name for t in metrics[k]] for k in metrics}
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    names = sorted(metrics)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        steps = []
        for labels, scores, weights in batches:
            feed = {l: labels, s: scores, w: weights}
            updates = sess.run([metrics[k][1] for k in names], feed)
            values = sess.run([metrics[k][0] for k in names])
            steps.append([np.asarray(u).tolist() for u in updates + values])
    out["names"] = names
    out["steps"] = steps
    errors = []
    for fn in (
        lambda: m.sensitivity_at_specificity(l, s, 1.5),
        lambda: m.specificity_at_sensitivity(l, s, -0.1),
        lambda: m.sensitivity_at_specificity(l, tf.zeros([4]), 0.5),
    ):
        try:
            fn()
            errors.append(None)
        except Exception as e:
            errors.append([type(e).__name__, str(e) if "range" in str(e) else ""])
    out["errors"] = errors
"""


def _here() -> dict:
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values_are_consistent():
    out = _here()
    assert "sensitivity_at_specificity/true_positives:0" in out["locals"]
    assert out["locals"] == out["metric_vars"]
    assert [e[0] for e in out["errors"]] == ["ValueError"] * 3


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    for key in ("locals", "metric_vars", "mc", "uc", "results", "names", "errors"):
        assert ours[key] == theirs[key], key
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        for k, (a, b) in enumerate(zip(step_ours, step_theirs)):
            name = ours["names"][k % len(ours["names"])]
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=name)
    missing = sorted(set(theirs["ops"]) - set(ours["ops"]))
    extra = sorted(set(ours["ops"]) - set(theirs["ops"]))
    assert (missing, extra) == ([], [])
