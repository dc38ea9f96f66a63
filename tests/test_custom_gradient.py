"""tf.custom_gradient (graph mode: IdentityN with an overridden gradient, as TF1 builds
it), tf.hessians and tf.recompute_grad, compared with TF 2.21."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun

_PROGRAM = """
import json
out = {}
g = tf.Graph()
with g.as_default():
    @tf.custom_gradient
    def clip_grad(x):
        def grad(dy):
            return tf.clip_by_value(dy, -0.5, 0.5)
        return tf.square(x), grad

    @tf.custom_gradient
    def two(a, b):
        def grad(dy1, dy2):
            return dy1 * 2.0, tf.reduce_sum(dy2 * b)
        return [a * b, a + b], grad

    x = tf.placeholder(tf.float32, [3], name="x")
    y = clip_grad(x)
    gx = tf.gradients(y, x)
    p, q = two(x, tf.constant(3.0))
    gpq = tf.gradients([p, q], x)
    out["ops"] = [[op.name, op.type, [t.name for t in op.inputs]] for op in g.get_operations()]
    h = tf.hessians(tf.reduce_sum(tf.sin(x) * x * x), x)
    f = tf.recompute_grad(lambda v: tf.tanh(v) * 2.0)
    r = f(x)
    gr = tf.gradients(r, x)
    with tf.Session() as s:
        vals = s.run([y, gx, p, q, gpq, h, r, gr], {x: [0.5, -1.0, 2.0]})
    out["values"] = [np.asarray(v).tolist() for v in vals]
print(json.dumps(out))
"""


def _ours() -> dict:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(_PROGRAM, {"tf": tf, "np": np})
    return json.loads(buf.getvalue())


def test_custom_gradient_overrides_the_gradient():
    out = _ours()
    types = [t for _, t, _ in out["ops"]]
    assert types[:4] == ["Placeholder", "Square", "Identity", "IdentityN"]
    np.testing.assert_allclose(out["values"][0], [0.25, 1.0, 4.0])
    np.testing.assert_allclose(out["values"][1], [[0.5, 0.5, 0.5]])  # clipped, not 2x
    h = np.asarray(out["values"][5][0])
    x = np.array([0.5, -1.0, 2.0])
    want = np.diag(2 * np.sin(x) + 4 * x * np.cos(x) - x * x * np.sin(x))
    np.testing.assert_allclose(h, want, atol=1e-5)


def test_custom_gradient_errors():
    g = tf.Graph()
    with g.as_default():

        @tf.custom_gradient
        def bad(a):
            return a * 2.0, lambda dy: (dy, dy)

        y = bad(tf.constant(1.0))
        with pytest.raises(ValueError, match="expected to return 1 gradients, but returned 2"):
            tf.gradients(y, y.op.inputs[1])
        p = tf.placeholder(tf.float32, [None])
        with pytest.raises(ValueError, match="fully known shape"):
            tf.hessians(tf.reduce_sum(p**2), p)


@pytest.mark.tf
@tfrun.requires_tf
def test_against_tf():
    want = json.loads(tfrun.run_tf(_PROGRAM))
    got = _ours()
    # custom_gradient's ops (recorded before the hessians, which TF builds as a while
    # loop and tfgraph unrolls): the same graph
    assert got["ops"] == want["ops"]
    assert len(got["values"]) == len(want["values"])
    for a, b in zip(got["values"], want["values"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
