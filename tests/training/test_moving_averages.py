"""`tf.train.ExponentialMovingAverage` and `assign_moving_average`
(tfgraph/training/moving_averages.py)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph.training.moving_averages import assign_moving_average

PROGRAM = (Path(__file__).parent / "ema_program.txt").read_text()  # (run on both sides)


@pytest.mark.tf
@requires_tf
def test_averages_graphs_and_names_equal_tfs():
    """Averages of variables after control dependencies (num_updates capping the decay),
    a zero-debiased average of a tensor, names, restore maps, op for op."""
    theirs = run_tf_json(PROGRAM)
    ns = {"tf": tf, "np": np, "json": json}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(PROGRAM, ns)
    ours = json.loads(out.getvalue().strip().splitlines()[-1])
    assert ours["nodes"] == theirs["nodes"]
    for key in ("names", "restore", "mav", "globals"):
        assert ours[key] == theirs[key], key
    for mine, tf_vals in zip(ours["vals"], theirs["vals"]):
        np.testing.assert_allclose(mine[0], tf_vals[0], rtol=1e-6)
        assert mine[1:] == pytest.approx(tf_vals[1:], rel=1e-6)


def test_the_canonical_idiom_averages_after_the_training_step():
    w = tf.Variable([0.0, 4.0], name="w")
    opt = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(w * w) / 2)
    ema = tf.train.ExponentialMovingAverage(decay=0.75)
    with tf.control_dependencies([opt]):
        train = ema.apply([w])
    assert ema.average_name(w) == "w/ExponentialMovingAverage"
    assert ema.variables_to_restore() == {"w/ExponentialMovingAverage": w}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)  # w: [0, 2]; average: [0, 4] + ([0, 2] - [0, 4]) / 4
        np.testing.assert_allclose(sess.run(ema.average(w)), [0.0, 3.5])
    with pytest.raises(TypeError, match="must be half, float, or double"):
        ema.apply([tf.Variable(1, name="i")])


def test_zero_debiased_average_of_a_constant_is_the_constant():
    v = tf.Variable(0.0, name="v")
    update = assign_moving_average(v, tf.constant(5.0), 0.9)
    names = {x.op.name for x in tf.global_variables()}
    assert names == {"v", "v/biased", "v/local_step"}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            assert sess.run(update) == pytest.approx(5.0)
    plain = tf.Variable(0.0, name="plain")
    step = assign_moving_average(plain, 5.0, 0.9, zero_debias=False)
    with tf.Session() as sess:
        sess.run(plain.initializer)
        assert sess.run(step) == pytest.approx(0.5)
