"""tf.matrix_solve_ls / tf.linalg.lstsq against TF: over- and underdetermined systems,
l2 regularization, fast=False, gradients and the composite's graph."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
out = {}
cases = [
    ("over", (5, 3), (5, 2), 0.0, True),
    ("under", (2, 4), (2, 1), 0.0, True),
    ("over l2", (5, 3), (5, 2), 0.5, True),
    ("under l2", (2, 4), (2, 3), 0.25, True),
    ("slow", (6, 3), (6, 2), 0.0, False),
]
for title, a_shape, b_shape, l2, fast in cases:
    with tf.Graph().as_default():
        a = tf.constant(rng.standard_normal(a_shape))
        b = tf.constant(rng.standard_normal(b_shape))
        x = tf.linalg.lstsq(a, b, l2_regularizer=l2, fast=fast)
        fetches = [x]
        if fast:
            fetches += tf.gradients(tf.reduce_sum(x * x), [a, b])
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                     if not o.name.startswith("gradients"))
        with tf.Session() as sess:
            out[title] = {"values": [v.tolist() for v in sess.run(fetches)], "ops": ops,
                          "shape": str(x.shape)}
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_least_squares_solutions():
    out = _here()
    rng = np.random.RandomState(0)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    np.testing.assert_allclose(out["over"]["values"][0], np.linalg.lstsq(a, b, rcond=None)[0])
    assert out["slow"]["shape"] == "(3, 2)"


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    for key in theirs:
        assert ours[key]["shape"] == theirs[key]["shape"], key
        if key in ("over", "under"):  # (with l2, TF adds a batched eye: other ops)
            assert ours[key]["ops"] == theirs[key]["ops"], key
        for a, b in zip(ours[key]["values"], theirs[key]["values"]):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8, err_msg=key)
