"""Plan behaviour training scripts rely on: fetched variables read after the run's
updates, control dependencies on fed placeholders, unused pure ops not run, constants
placed once."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf


def _plan(sess):
    return list(sess._cache.values())[-1].plan


def test_fetched_variables_show_the_runs_updates():
    w = tf.Variable(1.0, name="w")
    gs = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(w * w, global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _, step, loss, value = sess.run([train, gs, w * 1.0, w])
        assert step == 1 and value == pytest.approx(0.8) and loss == 1.0  # as TF
        assert sess.run([tf.assign_add(w, 1.0), w]) == [pytest.approx(1.8)] * 2


def test_fetching_an_uninitialized_variable_fails_where_tf_fails():
    v = tf.Variable(1.0, name="v")
    with (
        tf.Session() as sess,
        pytest.raises(
            tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value v"
        ),
    ):
        sess.run([v, v.initializer])


def test_control_dependency_on_a_fed_placeholder():
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(0.0, name="v")
    with tf.control_dependencies([x]):
        inc = v.assign_add(1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(inc, {x: 3.0}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="You must feed a value"):
            sess.run(inc)


def test_unused_gradient_wrt_a_placeholder_is_not_computed():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(tf.matmul(x, w)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: np.ones((4, 3), np.float32)})
        names = {op.name for op in _plan(sess).ops}
        assert "gradients/MatMul_grad/MatMul_1" in names  # d/dw: used by the update
        assert "gradients/MatMul_grad/MatMul" not in names  # d/dx: only grouped, as in TF
        np.testing.assert_allclose(sess.run(w), 0.6)


def test_effects_reached_only_through_control_dependencies_still_run():
    v = tf.Variable(0.0, name="v")
    with tf.control_dependencies([v.assign_add(1.0)]):
        marker = tf.identity(tf.constant(5.0), name="marker")
    with tf.control_dependencies([marker]):
        out = tf.constant(1.0) + 1.0  # pure, reached through a pure op, then an update
    noop = tf.group(tf.identity(tf.constant(2.0)))
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(out)
        assert sess.run(v) == 1.0
        sess.run(noop)  # a target grouping only pure ops: nothing to do, no error


def test_constants_and_variable_cells_are_not_steps():
    a = tf.constant([1.0, 2.0], name="a")
    v = tf.Variable(3.0, name="v")
    y = a * v
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(y), [3.0, 6.0])
        plan = _plan(sess)
        kinds = {op.type for op in plan.step_ops if op is not None}
        assert kinds == {"Identity", "Mul"}
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
        assert sess.run(v) == 3.0
