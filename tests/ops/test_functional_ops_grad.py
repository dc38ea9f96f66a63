"""Gradients THROUGH map_fn, scan, foldl, foldr and TensorArray while loops: TF's grad
loop runs the TensorArray gradients once per iteration (TensorArrayGradV3 with the
forward array's handle as a loop invariant). Each program's gradient is checked against
a numerical gradient (forward runs only) and against real TF's values.

They go through gradients of while loops (ops/control_flow_state.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun

# Each program defines `xs` (placeholders), `loss` and `feed`.
PROGRAMS = {
    "map_fn": """
x = tf.placeholder(tf.float64, [3, 2])
y = tf.map_fn(lambda r: tf.sin(r) * r, x)
loss = tf.reduce_sum(y * [[1., 2.], [3., 4.], [5., 6.]])
xs = [x]
feed = {x: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]}
""",
    "map_fn_nested_with_captured_tensor": """
x = tf.placeholder(tf.float64, [3, 2])
w = tf.placeholder(tf.float64, [2])
y = tf.map_fn(lambda e: (tf.reduce_sum(e[0] * w), e[1] * e[1]), (x, x * 2.),
              dtype=(tf.float64, tf.float64))
loss = tf.reduce_sum(y[0] * [1., -1., 2.]) + tf.reduce_sum(y[1])
xs = [x, w]
feed = {x: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], w: [0.7, -1.1]}
""",
    "scan_with_initializer": """
x = tf.placeholder(tf.float64, [4, 2])
a0 = tf.placeholder(tf.float64, [2])
y = tf.scan(lambda a, v: tf.tanh(a * 0.9 + v), x, initializer=a0)
loss = tf.reduce_sum(y * tf.reshape(tf.range(8, dtype=tf.float64), [4, 2]))
xs = [x, a0]
feed = {x: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.2, 0.1]], a0: [0.5, -0.5]}
""",
    "scan_reverse": """
x = tf.placeholder(tf.float64, [4])
y = tf.scan(lambda a, v: a * v + 1., x, reverse=True)
loss = tf.reduce_sum(y * [1., 2., 3., 4.])
xs = [x]
feed = {x: [0.5, -1.5, 2.0, 0.25]}
""",
    "foldl": """
x = tf.placeholder(tf.float64, [4])
loss = tf.foldl(lambda a, v: a * v + tf.sin(v), x, initializer=tf.constant(1., tf.float64))
xs = [x]
feed = {x: [0.5, -1.5, 2.0, 0.25]}
""",
    "foldr": """
x = tf.placeholder(tf.float64, [4])
loss = tf.foldr(lambda a, v: a * v + v * v, x)
xs = [x]
feed = {x: [0.5, -1.5, 2.0, 0.25]}
""",
    "while_loop_with_tensor_arrays": """
x = tf.placeholder(tf.float64, [3, 2])
src = tf.TensorArray(tf.float64, 3).unstack(x)
acc = tf.TensorArray(tf.float64, 3)
def body(i, h, acc):
    h = tf.tanh(h * 0.5 + src.read(i))
    return i + 1, h, acc.write(i, h)
_, h, acc = tf.while_loop(lambda i, h, a: i < 3, body, [0, tf.zeros([2], tf.float64), acc])
loss = tf.reduce_sum(acc.stack() * [[1., 2.], [3., 4.], [5., 6.]]) + tf.reduce_sum(h)
xs = [x]
feed = {x: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]}
""",
}

_TF_RUNNER = """
results = {}
for name, code in PROGRAMS.items():
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np}
        exec(code, ns)
        grads = tf.gradients(ns["loss"], ns["xs"])
        with tf.Session() as sess:
            values = sess.run(grads, ns["feed"])
    results[name] = [np.asarray(v).tolist() for v in values]
print(json.dumps(results))
"""


def _gradients(code: str):
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np}
        exec(code, ns)
        grads = tf.gradients(ns["loss"], ns["xs"])
        with tf.Session() as sess:
            return sess.run(grads, ns["feed"])


def _numerical(code: str, eps: float = 1e-6) -> list:
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np}
        exec(code, ns)
        loss, feed = ns["loss"], ns["feed"]
        base = {k: np.asarray(v, np.float64) for k, v in feed.items()}
        out = []
        with tf.Session() as sess:
            for x in ns["xs"]:
                grad = np.zeros_like(base[x])
                for idx in np.ndindex(grad.shape):
                    up, down = dict(base), dict(base)
                    up[x], down[x] = base[x].copy(), base[x].copy()
                    up[x][idx] += eps
                    down[x][idx] -= eps
                    grad[idx] = (sess.run(loss, up) - sess.run(loss, down)) / (2 * eps)
                out.append(grad)
    return out


@pytest.fixture(scope="module")
def tf_results():
    return tfrun.run_tf_json(f"PROGRAMS = {PROGRAMS!r}\n" + _TF_RUNNER)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradient_matches_numerical(name):
    ours = _gradients(PROGRAMS[name])
    for mine, numeric in zip(ours, _numerical(PROGRAMS[name]), strict=True):
        np.testing.assert_allclose(mine, numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradient_equals_tf(name, tf_results):
    ours = _gradients(PROGRAMS[name])
    for mine, theirs in zip(ours, tf_results[name], strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=1e-6, atol=1e-9)


def test_forward_values_of_the_programs_run_now():
    """The forward programs themselves already run (only their gradients wait)."""
    for code in PROGRAMS.values():
        g = tf.Graph()
        with g.as_default():
            ns = {"tf": tf, "np": np}
            exec(code, ns)
            with tf.Session() as sess:
                assert np.isfinite(sess.run(ns["loss"], ns["feed"]))
