"""TF 1.15's tf.contrib.opt (tfgraph/legacy_contrib/contrib_opt.py). TF 2.21 has no
contrib: the TensorFlow side runs a stand-in (contrib_opt_reference.txt) made of TF's
compat.v1 optimizers, the fused kernels contrib uses (ApplyAdam with use_nesterov,
ApplyAddSign, ApplyPowerSign) and contrib's sparse formulas; variable and slot names and
three steps of dense and sparse updates must agree."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

HERE = Path(__file__).parent
PROGRAM = (HERE / "contrib_opt_program.txt").read_text()
REFERENCE = (HERE / "contrib_opt_reference.txt").read_text()
O = tf.contrib.opt


@pytest.mark.tf
@requires_tf
def test_updates_and_slot_names_equal_tensorflows():
    theirs = run_tf_json(REFERENCE + "\n" + PROGRAM)
    ours = run_here_json("OPT = tf.contrib.opt\n" + PROGRAM)
    assert ours.keys() == theirs.keys()
    for case, t in theirs.items():
        assert ours[case]["names"] == t["names"], case
        for step, (o, e) in enumerate(zip(ours[case]["values"], t["values"])):
            for name, a, b in zip(("w", "emb"), o, e):
                np.testing.assert_allclose(a, b, atol=1e-6, err_msg=f"{case} {step} {name}")
    assert ours["adamw"]["names"][3:5] == ["emb/AdamW", "emb/AdamW_1"]
    # decay_var_list=[w] through apply_gradients leaves emb undecayed; through minimize
    # (TF 1.15's reset) emb is decayed too
    assert ours["adamw"]["values"][-1][1] != ours["adamw_apply"]["values"][-1][1]


def _lazy_adam_numpy(var, m, v, rows, grads, t, lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
    for r, g in zip(rows, grads):
        m[r] = b1 * m[r] + (1 - b1) * g
        v[r] = b2 * v[r] + (1 - b2) * g * g
        var[r] -= lr_t * m[r] / (np.sqrt(v[r]) + eps)


def test_lazy_adam_touches_only_the_gradient_rows():
    emb = tf.Variable(np.ones([4, 2], np.float32), name="emb")
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(tf.gather(emb, ids) * [[1.0, -2.0]])
    opt = O.LazyAdamOptimizer(0.1)
    step = opt.minimize(loss)
    var, m, v = np.ones([4, 2]), np.zeros([4, 2]), np.zeros([4, 2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for t, rows in enumerate(([0, 2], [2], [3]), start=1):
            sess.run(step, {ids: rows})
            _lazy_adam_numpy(var, m, v, rows, [np.array([1.0, -2.0])] * len(rows), t)
        np.testing.assert_allclose(sess.run(emb), var, rtol=1e-5)
        np.testing.assert_allclose(sess.run(opt.get_slot(emb, "m")), m, rtol=1e-5)
        np.testing.assert_array_equal(sess.run(opt.get_slot(emb, "v"))[1], [0.0, 0.0])


def test_extend_with_decoupled_weight_decay_and_sign_decay_fn():
    SGDW = O.extend_with_decoupled_weight_decay(tf.train.GradientDescentOptimizer)
    assert issubclass(SGDW, O.DecoupledWeightDecayExtension)
    w = tf.Variable([1.0, -2.0])
    loss = tf.reduce_sum(w * [0.5, 0.5])
    step = SGDW(0.1, learning_rate=0.2).minimize(loss)
    with pytest.raises(TypeError):
        SGDW(0.1, 0.2)  # TF 1.15 takes the base optimizer's arguments by keyword only
    gs = tf.train.get_or_create_global_step()
    add = O.AddSignOptimizer(
        0.1, sign_decay_fn=lambda step: 0.5 / (1.0 + tf.cast(step, tf.float32))
    )
    u = tf.Variable([1.0, 1.0])
    add_step = add.minimize(tf.reduce_sum(u * [1.0, -1.0]), global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        # decay first (w -= 0.1 w), then w -= 0.2 * 0.5
        np.testing.assert_allclose(sess.run(w), [0.9 - 0.1, -1.8 - 0.1], rtol=1e-6)
        sess.run(add_step)
        # m = 0.1 g, sign(g m) = 1, decay 0.5 at step 0: u -= 0.1 (1 + 0.5) g
        np.testing.assert_allclose(sess.run(u), [1 - 0.15, 1 + 0.15], rtol=1e-6)
        assert sess.run(gs) == 1


def test_scipy_optimizer_interface_unconstrained_bounds_and_constraints():
    vector = tf.Variable([7.0, 7.0], name="vector")
    loss = tf.reduce_sum(tf.square(vector))
    seen = []
    plain = O.ScipyOptimizerInterface(loss, options={"maxiter": 100})
    bounded = O.ScipyOptimizerInterface(loss, var_to_bounds={vector: ([1, 2], np.inf)})
    constrained = O.ScipyOptimizerInterface(
        loss, equalities=[vector[1] - 1.0], inequalities=[vector[0] - 1.0], method="SLSQP"
    )
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        plain.minimize(sess, fetches=[loss], loss_callback=seen.append)
        np.testing.assert_allclose(sess.run(vector), [0.0, 0.0], atol=1e-4)
        assert seen[0] == 98.0 and len(seen) > 1
        sess.run(tf.global_variables_initializer())
        bounded.minimize(sess)
        np.testing.assert_allclose(sess.run(vector), [1.0, 2.0], atol=1e-5)
        sess.run(tf.global_variables_initializer())
        constrained.minimize(sess)
        np.testing.assert_allclose(sess.run(vector), [1.0, 1.0], atol=1e-5)
    with pytest.raises(ValueError, match="Bounds must be set using the var_to_bounds argument"):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            O.ScipyOptimizerInterface(loss, bounds=[(0, 1)] * 2).minimize(sess)
    with pytest.raises(ValueError, match="Optimizer keyword arg 'jac' is set automatically"):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            O.ScipyOptimizerInterface(loss, jac=False).minimize(sess)


def test_scipy_optimizer_interface_var_list_and_feeds():
    a = tf.Variable(3.0, name="a")
    b = tf.Variable([[2.0, 2.0]], name="b")
    target = tf.placeholder(tf.float32, [])
    loss = tf.square(a - target) + tf.reduce_sum(tf.square(b))
    opt = O.ScipyOptimizerInterface(loss, var_list=[a])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        opt.minimize(sess, feed_dict={target: -1.5})
        np.testing.assert_allclose(sess.run(a), -1.5, atol=1e-4)
        np.testing.assert_array_equal(sess.run(b), [[2.0, 2.0]])  # not in var_list


def test_moving_average_optimizer_and_swapping_saver(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    opt = O.MovingAverageOptimizer(tf.train.GradientDescentOptimizer(0.1), average_decay=0.5)
    with pytest.raises(RuntimeError, match="Must call apply_gradients or minimize before"):
        opt.swapping_saver()
    step = opt.minimize(loss)
    assert step.name == "train_with_avg"
    avg = opt._ema.average(w)
    assert avg.op.name == "w/ExponentialMovingAverage"
    saver = opt.swapping_saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = [np.array([1.0, 2.0])]
        for _ in range(3):
            sess.run(step)
            values.append(values[-1] * 0.8)
        np.testing.assert_allclose(sess.run(w), values[-1], rtol=1e-6)
        # EMA (decay 0.5) from the initial value: zero_debias=True affects only
        # averages of tensors, not of variables (as in TF)
        expected = values[0]
        for x in values[1:]:
            expected = 0.5 * expected + 0.5 * x
        np.testing.assert_allclose(sess.run(avg), expected, rtol=1e-5)
        path = saver.save(sess, str(tmp_path / "model"))
    reader = tf.train.load_checkpoint(path)
    np.testing.assert_allclose(reader.get_tensor("w"), expected, rtol=1e-5)
    np.testing.assert_allclose(
        reader.get_tensor("w/ExponentialMovingAverage"), values[-1], rtol=1e-6
    )
