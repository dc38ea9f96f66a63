"""Learning-rate schedules: values over the global step, names, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tfgraph as tf


def _values(make, steps):
    step = tf.placeholder(tf.int64, [], name="step")
    lr = make(step)
    with tf.Session() as sess:
        return [float(sess.run(lr, {step: s})) for s in steps]


STEPS = [0, 1, 5, 10, 15, 25, 40]


@pytest.mark.parametrize(
    ("make", "formula"),
    [
        (
            lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5),
            lambda t: 0.1 * 0.5 ** (t / 10),
        ),
        (
            lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5, staircase=True),
            lambda t: 0.1 * 0.5 ** (t // 10),
        ),
        (
            lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5),
            lambda t: 0.1 * math.exp(-0.5 * t / 10),
        ),
        (
            lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5, staircase=True),
            lambda t: 0.1 / (1 + 0.5 * (t // 10)),
        ),
        (
            lambda s: tf.train.polynomial_decay(0.1, s, 20, 0.01, power=2.0),
            lambda t: (0.1 - 0.01) * (1 - min(t, 20) / 20) ** 2 + 0.01,
        ),
        (
            lambda s: tf.train.polynomial_decay(0.1, s, 20, 0.01, cycle=True),
            lambda t: (0.1 - 0.01) * (1 - t / (20 * max(1, math.ceil(t / 20)))) + 0.01,
        ),
        (
            lambda s: tf.train.cosine_decay(0.1, s, 20, alpha=0.2),
            lambda t: 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(t, 20) / 20)) + 0.2),
        ),
        (
            lambda s: tf.train.piecewise_constant(s, [5, 15], [1.0, 0.5, 0.1]),
            lambda t: 1.0 if t <= 5 else (0.5 if t <= 15 else 0.1),
        ),
    ],
)
def test_schedule_values(make, formula):
    np.testing.assert_allclose(_values(make, STEPS), [formula(t) for t in STEPS], rtol=1e-5)


def test_schedules_with_the_global_step_and_names():
    gs = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, gs, 100, 0.96, name="lr")
    assert lr.name == "lr:0" and lr.dtype == tf.float32
    pc = tf.train.piecewise_constant(gs, [10], [0.1, 0.01])
    assert pc.op.type == "Merge" and pc.name.startswith("PiecewiseConstant/case/")
    assert tf.train.piecewise_constant_decay is tf.train.piecewise_constant
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run([lr, pc]), [0.1, 0.1])


def test_piecewise_constant_errors():
    x = tf.placeholder(tf.float32, [], name="x")
    with pytest.raises(ValueError, match="must have the same dtype as x"):
        tf.train.piecewise_constant(x, [10, 20], [1.0, 0.5, 0.1])
    i = tf.placeholder(tf.int32, [], name="i")
    with pytest.raises(ValueError, match="Values must have elements all with the same dtype"):
        tf.train.piecewise_constant(i, [10], [1.0, 2])
    with pytest.raises(ValueError, match="should be 1 less than"):
        tf.train.piecewise_constant(i, [10, 20], [1.0, 0.5])


def test_cosine_decay_restarts_and_linear_cosine():
    vals = _values(lambda s: tf.train.cosine_decay_restarts(1.0, s, 10), [0, 5, 10, 20])
    np.testing.assert_allclose(vals, [1.0, 0.5, 1.0, 0.5], atol=1e-6)  # periods 10, 20, ...
    lc = _values(lambda s: tf.train.linear_cosine_decay(1.0, s, 10), [0, 10])
    np.testing.assert_allclose(lc, [1.001, 0.001], rtol=1e-5)


def test_tf_case():
    x = tf.placeholder(tf.int32, [], name="x")
    out = tf.case(
        [(x < 0, lambda: tf.constant(-1)), (x > 10, lambda: tf.constant(1))],
        default=lambda: tf.constant(0),
    )
    exclusive = tf.case([(x < 5, lambda: tf.constant(1)), (x < 8, lambda: tf.constant(2))],
                        exclusive=True)  # fmt: skip
    with tf.Session() as sess:
        assert [sess.run(out, {x: v}) for v in (-3, 4, 11)] == [-1, 0, 1]
        assert sess.run(exclusive, {x: 6}) == 2
        # TF 2.21 returns the first branch here too: the exclusivity Assert is a control
        # input only of ops the branch functions create, and constants take none.
        assert sess.run(exclusive, {x: 1}) == 1
    with pytest.raises(TypeError, match="must be a Tensor"):
        tf.case([(True, lambda: tf.constant(1))])
