"""SpaceToBatchND / BatchToSpaceND and their TF1 wrappers, compared with TF."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
def run(s, t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
x = tf.reshape(tf.range(2 * 5 * 4 * 3, dtype=tf.float32), [2, 5, 4, 3])
a = tf.space_to_batch_nd(x, [2, 2], [[1, 0], [0, 2]])
b = tf.batch_to_space_nd(a, [2, 2], [[1, 0], [0, 2]])
c = tf.space_to_batch(tf.reshape(tf.range(16.), [1, 4, 4, 1]), [[0, 0], [0, 0]], 2)
d = tf.batch_to_space(tf.reshape(tf.range(16.), [4, 2, 2, 1]), [[0, 1], [1, 0]], 2)
e = tf.space_to_batch_nd(tf.reshape(tf.range(12), [1, 6, 2]), [3], [[0, 0]])
pads, crops = tf.required_space_to_batch_paddings([5, 4], [2, 3], [[1, 0], [0, 0]])
ph = tf.placeholder_with_default(x, [None, None, None, 3])
f = tf.space_to_batch_nd(ph, [2, 2], [[0, 0], [0, 0]])
w = tf.reshape(tf.range(2 * 5 * 4 * 3, dtype=tf.float32), [2, 5, 4, 3]) * 0.01
g = tf.gradients(tf.reduce_sum(tf.batch_to_space_nd(a * a, [2, 2], [[1, 0], [0, 2]]) * w), [x])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(t.shape) for t in (a, b, c, d, e, pads, crops, f)],
}
try:
    tf.space_to_batch_nd(x, [2, 2], [[0, 0], [0, 0]])
except ValueError as err:
    result["build_error"] = str(err).split(" for '")[0]
with tf.Session() as s:
    result["values"] = s.run([a, b, c, d, e, pads, crops, g])
    result["errors"] = [run(s, f)]
"""


@pytest.mark.tf
@requires_tf
def test_batch_space_ops_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_batch_space_round_trip():
    r = run_here(PROGRAM)
    x = np.arange(2 * 5 * 4 * 3, dtype=np.float32).reshape(2, 5, 4, 3).tolist()
    assert r["values"][1] == x
    assert r["shapes"][0] == "(8, 3, 3, 3)"


def test_space_to_batch_numerical_gradient():
    x0 = np.random.RandomState(0).randn(1, 3, 4, 2)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x0.shape)
        y = tf.space_to_batch_nd(x, [2, 2], [[1, 0], [0, 0]])
        loss = tf.reduce_sum(y * y * tf.constant(np.arange(32.0).reshape(4, 2, 2, 2)))
        (g,) = tf.gradients(loss, [x])
        with tf.Session() as s:
            got = s.run(g, {x: x0})
            num = np.zeros_like(x0)
            for i in np.ndindex(*x0.shape):
                e = np.zeros_like(x0)
                e[i] = 1e-6
                num[i] = (s.run(loss, {x: x0 + e}) - s.run(loss, {x: x0 - e})) / 2e-6
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)
