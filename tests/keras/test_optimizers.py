"""tf.keras.optimizers (Keras 2 as in TF 2.21): trajectories equal TF's, with a tape,
inside tf.function, and in a graph-mode session."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

PROGRAM = """
out = {}
for name, make in [("SGD", lambda: tf.keras.optimizers.SGD(0.1)),
                   ("SGDm", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9)),
                   ("SGDn", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
                   ("Adam", lambda: tf.keras.optimizers.Adam(0.1)),
                   ("RMSprop", lambda: tf.keras.optimizers.RMSprop(0.1)),
                   ("RMSpropc", lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5,
                                                                    centered=True)),
                   ("Adagrad", lambda: tf.keras.optimizers.Adagrad(0.1))]:
    w = tf.Variable([1.0, -2.0, 3.0])
    opt = make()
    for i in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0])
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
    out[name] = [w.numpy().tolist(), int(opt.iterations.numpy())]
v = tf.Variable(2.0)
opt = tf.keras.optimizers.Adam(0.5)
opt.minimize(lambda: v * v, var_list=[v])
out["minimize"] = float(v.numpy())
out["names"] = [x.name for x in opt.variables]
result = out
"""


def _ours():
    tf.enable_v2_behavior()
    scope = {"tf": tf}
    exec(PROGRAM, scope)
    return scope["result"]


def test_sgd_by_hand():
    out = _ours()
    w = np.array([1.0, -2.0, 3.0])
    for _ in range(3):
        w = w - 0.1 * 2 * w * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(out["SGD"][0], w, rtol=1e-6)
    assert out["SGD"][1] == 3
    assert out["names"] == ["iteration:0", "Adam/m/Variable:0", "Adam/v/Variable:0"]


@pytest.mark.tf
@requires_tf
def test_trajectories_match_tensorflow():
    theirs = json.loads(run_tf(PROGRAM + "print(json.dumps(result))\n", v1=False))
    ours = _ours()
    assert ours.keys() == theirs.keys()
    for key in ours:
        if key == "names":
            assert ours[key] == theirs[key]
        elif key == "minimize":
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5)
        else:
            np.testing.assert_allclose(ours[key][0], theirs[key][0], rtol=1e-5, atol=1e-6)
            assert ours[key][1] == theirs[key][1]


def test_in_a_tf_function_equals_eager():
    tf.enable_v2_behavior()
    results = []
    for wrap in (lambda f: f, tf.function):
        w = tf.Variable([1.0, -2.0])
        opt = tf.keras.optimizers.Adam(0.1)

        def step(w=w, opt=opt):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(w * w)
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
            return loss

        run = wrap(step)
        for _ in range(3):
            run()
        results.append(w.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_graph_mode_minimize_in_a_session():
    w = tf.Variable([1.0, -2.0], use_resource=True)
    opt = tf.keras.optimizers.SGD(0.1)
    train = opt.minimize(tf.reduce_sum(w * w), var_list=[w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([v.initializer for v in opt.variables])
        sess.run(train)
        assert np.allclose(sess.run(w), [0.8, -1.6])
        assert sess.run(opt.iterations) == 1


GRAPH_PROGRAM = """
result = {}
for name, make in [("SGD", lambda: tf.keras.optimizers.SGD(0.1)),
                   ("SGDm", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9)),
                   ("SGDn", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
                   ("Adam", lambda: tf.keras.optimizers.Adam(0.1)),
                   ("RMSprop", lambda: tf.keras.optimizers.RMSprop(0.1)),
                   ("RMSpropm", lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5)),
                   ("RMSpropc", lambda: tf.keras.optimizers.RMSprop(0.1, centered=True)),
                   ("Adagrad", lambda: tf.keras.optimizers.Adagrad(0.1)),
                   ("SGD_lr", lambda: tf.keras.optimizers.SGD(lr=0.2)),
                   ("Adam_decay", lambda: tf.keras.optimizers.Adam(0.1, decay=0.5))]:
    with tf.Graph().as_default():
        w = tf.Variable([1.0, -2.0, 3.0], use_resource=True)
        loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0])
        opt = make()
        step = opt.apply_gradients(zip(tf.gradients(loss, [w]), [w]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(step)
            result[name] = sess.run(w).tolist()
"""


def test_graph_mode_slots_feed_the_update():
    """In a session, the slot updates (momentum, Adam's moments) run before the
    variable's update reads them."""
    from tests.keras.dual import ours

    out = ours(GRAPH_PROGRAM)
    w, m = np.array([1.0, -2.0, 3.0]), np.zeros(3)
    for _ in range(3):
        m = 0.9 * m - 0.1 * 2 * w * [1.0, 2.0, 3.0]
        w = w + m
    np.testing.assert_allclose(out["SGDm"], w, rtol=1e-5)
    w = np.array([1.0, -2.0, 3.0])
    for _ in range(3):
        w = w - 0.2 * 2 * w * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(out["SGD_lr"], w, rtol=1e-5)


def test_unknown_optimizer_argument():
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer"):
        tf.keras.optimizers.SGD(0.1, bogus=1)


@pytest.mark.tf
@requires_tf
def test_graph_mode_trajectories_match_tensorflow():
    """TF1 graph mode: Keras 2's legacy optimizers (RMSprop without momentum and Adagrad
    add epsilon after the square root)."""
    from tests.keras.dual import assert_same, ours, theirs

    expected = theirs(GRAPH_PROGRAM)
    assert_same(ours(GRAPH_PROGRAM), expected)
