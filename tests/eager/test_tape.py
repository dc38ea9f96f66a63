"""tf.GradientTape: recorded eager ops differentiated with the registry's gradients."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf
from tfgraph.eager.tape import GradientTape

W = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
X = [[1.0, 2.0], [-3.0, 0.5], [0.1, 0.2], [2.0, -1.0]]

# (name, body): `w`, `x` are tensors; the body computes scalar `y` from them.
PROGRAMS = {
    "mlp": "y = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w)) ** 2)",
    "softmax_xent": (
        "y = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2("
        "labels=tf.one_hot([0, 1, 2, 0], 3), logits=tf.matmul(x, w)))"
    ),
    "tanh_sigmoid": "y = tf.reduce_sum(tf.tanh(tf.matmul(x, w)) * tf.sigmoid(w[0]))",
    "slicing_concat": "y = tf.reduce_sum(tf.concat([w[:, :2] * 3.0, tf.exp(w[:, 2:])], 1))",
    "reused": "h = tf.matmul(x, w)\ny = tf.reduce_sum(h * h + h)",
}


def _run(body):
    w, x = tf.constant(W), tf.constant(X)
    with GradientTape() as tape:
        tape.watch([w, x])
        scope = {"tf": tf, "w": w, "x": x}
        exec(body, scope)
    dw, dx = tape.gradient(scope["y"], [w, x])
    return scope["y"].numpy(), dw.numpy(), None if dx is None else dx.numpy()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradients_equal_numerical_differences(name):
    _y, dw, _ = _run(PROGRAMS[name])
    w0 = np.array(W, np.float64)
    numeric = np.zeros_like(w0)
    eps = 1e-3
    for idx in np.ndindex(*w0.shape):
        for sign in (1, -1):
            w = w0.copy()
            w[idx] += sign * eps
            scope = {"tf": tf, "w": tf.constant(w), "x": tf.constant(np.array(X, np.float64))}
            exec(PROGRAMS[name], scope)
            numeric[idx] += sign * float(scope["y"].numpy()) / (2 * eps)
    np.testing.assert_allclose(dw, numeric, rtol=2e-3, atol=2e-3)


@pytest.mark.tf
@requires_tf
def test_gradients_match_tensorflow():
    code = (
        f"W, X, PROGRAMS = {W!r}, {X!r}, {PROGRAMS!r}\n"
        "out = {}\n"
        "for name, body in sorted(PROGRAMS.items()):\n"
        "    w, x = tf.constant(W), tf.constant(X)\n"
        "    with tf.GradientTape() as tape:\n"
        "        tape.watch([w, x])\n"
        "        scope = {'tf': tf.compat.v1, 'w': w, 'x': x}\n"
        "        exec(body, scope)\n"
        "    dw, dx = tape.gradient(scope['y'], [w, x])\n"
        "    out[name] = [float(scope['y']), dw.numpy().tolist(),\n"
        "                 None if dx is None else dx.numpy().tolist()]\n"
        "print(json.dumps(out))\n"
    )
    theirs = json.loads(run_tf(code, v1=False))
    for name in sorted(PROGRAMS):
        y, dw, dx = _run(PROGRAMS[name])
        np.testing.assert_allclose(y, theirs[name][0], rtol=1e-5)
        np.testing.assert_allclose(dw, theirs[name][1], rtol=1e-5, atol=1e-6)
        if theirs[name][2] is None:
            assert dx is None
        else:
            np.testing.assert_allclose(dx, theirs[name][2], rtol=1e-5, atol=1e-6)


def test_second_order_with_nested_tapes():
    x = tf.constant(3.0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert dy.numpy() == 27.0 and d2y.numpy() == 18.0


def test_persistent_tapes_answer_twice_and_others_once():
    x = tf.constant(2.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x
    assert tape.gradient(y, x).numpy() == 4.0
    assert tape.gradient(z, x).numpy() == 12.0
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used"):
        tape.gradient(y, x)


def test_stop_recording_and_unwatched_values():
    x = tf.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
        with tape.stop_recording():
            z = y * x  # not recorded
        w = y + 1.0
    assert tape.gradient([z, w], x) is not None
    with GradientTape() as tape:
        y = x * x  # x is not watched
    assert tape.gradient(y, x) is None
    with GradientTape() as tape:
        tape.watch(x)
        y = tf.constant(1.0) * 2.0
    assert tape.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy() == 0


def test_output_gradients_and_jacobian():
    x = tf.constant([1.0, 2.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([1.0, 10.0]))
    assert g.numpy().tolist() == [2.0, 40.0]
    jac = tape.jacobian(y, x)
    assert jac.numpy().tolist() == [[2.0, 0.0], [0.0, 4.0]]


SECOND_ORDER = """
x = tf.constant([0.5, -1.5, 2.0])
with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        y = tf.reduce_sum(tf.tanh(x) * x * x + tf.exp(0.3 * x))
    dy = inner.gradient(y, x)
d2y = outer.gradient(dy, x)
w = tf.Variable([[0.5, -1.0], [2.0, 0.25]])
with tf.GradientTape(persistent=True) as t2:
    with tf.GradientTape() as t1:
        z = tf.reduce_sum(tf.nn.softmax(tf.matmul(w, w)) ** 2)
    g = t1.gradient(z, w)
    s = tf.reduce_sum(g * g)
h = t2.gradient(s, w)
result = [dy.numpy().tolist(), d2y.numpy().tolist(), g.numpy().tolist(), h.numpy().tolist()]
"""


@pytest.mark.tf
@requires_tf
def test_second_order_matches_tensorflow():
    tf.enable_v2_behavior()
    theirs = json.loads(run_tf(SECOND_ORDER + "print(json.dumps(result))\n", v1=False))
    scope = {"tf": tf}
    exec(SECOND_ORDER, scope)
    for a, b in zip(scope["result"], theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
