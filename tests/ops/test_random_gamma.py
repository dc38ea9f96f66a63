"""tf.random_gamma / tf.random.gamma: TF's graph, TF's seeded values (its RandomGamma
kernel on its Philox stream), the RandomGammaGrad gradient, and the distribution."""

from __future__ import annotations

import json

import numpy as np

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

_PROGRAM = """
g = tf.Graph()
with g.as_default():
    tf.set_random_seed(3)
    a = tf.constant([0.3, 1.0, 2.5, 7.0])
    x = tf.random_gamma([5], a, beta=[2.0, 1.0, 0.5, 1.0], seed=7)
    y = tf.random.gamma([3, 2], 0.7, dtype=tf.float64, seed=1)
    z = tf.random_gamma([2], [[1.5], [0.2]], beta=[1.0, 3.0], seed=2, name="gam")
    gr = tf.gradients(tf.reduce_sum(x * x), a)[0]
    with tf.Session() as s:
        first = s.run([x, y, z, gr])
        again = s.run(x)
    names = [(o.name, o.type) for o in g.get_operations() if "gradients" not in o.name]
    shapes = [t.shape.as_list() for t in (x, y, z)]
out = [v.tolist() for v in first] + [again.tolist(), names, shapes, x.name, z.name]
print(json.dumps(out))
"""


def _ours():
    ns = {"tf": tf, "json": json}
    lines = _PROGRAM.replace("print(json.dumps(out))", "result = out")
    exec(lines, ns)
    return json.loads(json.dumps(ns["result"]))


@requires_tf
def test_random_gamma_values_graph_and_gradient_equal_tf():
    ours, theirs = _ours(), run_tf_json(_PROGRAM)
    for i in (0, 1, 4):  # seeded draws: TF's values exactly
        np.testing.assert_array_equal(np.array(ours[i]), np.array(theirs[i]))
    # (alpha < 1 raises a uniform to 1 / alpha: libm's pow may differ by one ulp)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=3e-7)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=2e-5)  # d loss / d alpha
    assert ours[5:] == theirs[5:]


def test_random_gamma_distribution_moments():
    alpha = np.array([0.25, 1.0, 3.0, 20.0], np.float32)
    x = tf.random_gamma([20000], alpha, beta=2.0, seed=11)
    with tf.Session() as sess:
        v = sess.run(x)
    assert v.shape == (20000, 4) and v.dtype == np.float32 and (v > 0).all()
    np.testing.assert_allclose(v.mean(0), alpha / 2, rtol=0.05)
    np.testing.assert_allclose(v.var(0), alpha / 4, rtol=0.1)


def test_random_gamma_grad_op_is_implicit_derivative():
    # d sample / d alpha at a fixed CDF value: central differences of the inverse CDF.
    from scipy import special

    a, x = 2.5, 1.7
    q = special.gammainc(a, x)
    h = 1e-5
    want = (special.gammaincinv(a + h, q) - special.gammaincinv(a - h, q)) / (2 * h)
    from tfgraph.ops.apply import op_output

    out = op_output("RandomGammaGrad", None, [tf.constant([a]), tf.constant([x])])
    got = tf.Session().run(out)
    np.testing.assert_allclose(got, [want], rtol=1e-5)
