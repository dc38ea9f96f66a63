"""Training ops: formulas, in-place updates of exclusively owned cells (and copies
otherwise), run-time checks, sparse rows, concurrency."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf
from tfgraph import errors
from tfgraph.ops import training_ops


def _session_with(*variables):
    sess = tf.Session()
    sess.run(tf.variables_initializer(list(variables)))
    return sess


def _cell(sess, var):
    return sess._resources.cells[("", var.op.name)]


@pytest.fixture(params=[True, False], ids=["in_place", "copy"])
def in_place(request, monkeypatch):
    monkeypatch.setattr(training_ops, "IN_PLACE", request.param)
    return request.param


def test_gradient_descent_formula(in_place):
    v = tf.Variable([1.0, 2.0, 3.0], name="v")
    out = training_ops.apply_gradient_descent(v, 0.5, tf.constant([2.0, 2.0, -4.0]))
    assert out.dtype.is_ref_dtype and out.dtype.base_dtype == tf.float32
    assert out.shape.as_list() == [3]
    with _session_with(v) as sess:
        np.testing.assert_array_equal(sess.run(out), [0.0, 1.0, 5.0])
        np.testing.assert_array_equal(sess.run(v), [0.0, 1.0, 5.0])


def test_adam_formula_matches_numpy(in_place):
    rng = np.random.RandomState(0)
    var0, m0, v0, g = (rng.rand(3, 2).astype(np.float32) for _ in range(4))
    var, m, v = tf.Variable(var0), tf.Variable(m0), tf.Variable(v0)
    b1p, b2p, lr, b1, b2, eps = (np.float32(x) for x in (0.81, 0.998, 0.01, 0.9, 0.999, 1e-8))
    op = training_ops.apply_adam(var, m, v, b1p, b2p, lr, b1, b2, eps, g)
    with _session_with(var, m, v) as sess:
        sess.run(op.op)
        new_var, new_m, new_v = sess.run([var, m, v])
    alpha = lr * np.sqrt(1 - b2p) / (1 - b1p)
    exp_m = m0 + (g - m0) * (1 - b1)
    exp_v = v0 + (g * g - v0) * (1 - b2)
    np.testing.assert_allclose(new_m, exp_m, rtol=1e-6)
    np.testing.assert_allclose(new_v, exp_v, rtol=1e-6)
    np.testing.assert_allclose(new_var, var0 - exp_m * alpha / (np.sqrt(exp_v) + eps), rtol=1e-6)


def test_update_is_in_place_only_when_the_cell_owns_the_array(monkeypatch):
    monkeypatch.setattr(training_ops, "IN_PLACE", True)
    v = tf.Variable(np.zeros((4, 4), np.float32), name="v")
    step = training_ops.apply_gradient_descent(v, 1.0, tf.ones([4, 4])).op
    with _session_with(v) as sess:
        cell = _cell(sess, v)
        before = cell.value
        held = before  # someone else holds the array: the update must copy
        sess.run(step)
        assert cell.value is not held
        np.testing.assert_array_equal(held, 0.0)  # a value handed out never changes
        assert not held.flags.writeable
        del held, before
        owned = id(cell.value)
        sess.run(step)
        assert id(cell.value) == owned  # exclusively owned: updated in place...
        assert not cell.value.flags.writeable  # ...and frozen again
        np.testing.assert_array_equal(sess.run(v), -2.0)


def test_fetched_values_do_not_change_after_later_updates(in_place):
    v = tf.Variable([1.0, 1.0], name="v")
    step = training_ops.apply_gradient_descent(v, 1.0, tf.constant([1.0, 1.0])).op
    with _session_with(v) as sess:
        first = sess.run(v)
        read = sess.run(v.value())
        sess.run(step)
        sess.run(step)
        np.testing.assert_array_equal(first, [1.0, 1.0])
        np.testing.assert_array_equal(read, [1.0, 1.0])
        np.testing.assert_array_equal(sess.run(v), [-1.0, -1.0])


def test_a_view_of_the_variable_blocks_the_in_place_update(monkeypatch):
    monkeypatch.setattr(training_ops, "IN_PLACE", True)
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="v")
    step = training_ops.apply_gradient_descent(v, 1.0, tf.ones([2, 3])).op
    with _session_with(v) as sess:
        view = _cell(sess, v).value[0]  # a view references its base array
        sess.run(step)
        np.testing.assert_array_equal(view, [0.0, 1.0, 2.0])


def test_uninitialized_slot_is_reported():
    v = tf.Variable([1.0], name="v")
    acc = tf.Variable([1.0], name="acc")
    op = training_ops.apply_adagrad(v, acc, 0.1, tf.constant([1.0]))
    with (
        _session_with(v) as sess,
        pytest.raises(
            errors.FailedPreconditionError, match="Attempting to use uninitialized value acc"
        ),
    ):
        sess.run(op)


def test_run_time_shape_checks():
    v = tf.Variable(tf.zeros([2, 3]), validate_shape=False, name="v")
    g = tf.placeholder(tf.float32, name="g")
    lr = tf.placeholder(tf.float32, name="lr")
    op = training_ops.apply_gradient_descent(v, lr, g)
    with _session_with(v) as sess:
        with pytest.raises(errors.InvalidArgumentError, match=r"var and grad do not have the same"):
            sess.run(op, {g: np.zeros((2, 4)), lr: 0.1})
        with pytest.raises(errors.InvalidArgumentError, match=r"alpha is not a scalar: \[2\]"):
            sess.run(op, {g: np.zeros((2, 3)), lr: [0.1, 0.2]})
        sess.run(op, {g: np.ones((2, 3)), lr: [0.5]})  # a 1-element vector is a scalar
        np.testing.assert_array_equal(sess.run(v), -0.5)


def test_slot_shape_mismatch_at_run_time():
    v = tf.Variable(tf.zeros([2]), validate_shape=False, name="v")
    m = tf.Variable(tf.zeros([3]), validate_shape=False, name="m")
    op = training_ops.apply_momentum(v, m, 0.1, tf.placeholder(tf.float32, name="g"), 0.9)
    with (
        _session_with(v, m) as sess,
        pytest.raises(
            errors.InvalidArgumentError,
            match=r"var and accum do not have the same shape\[2\] \[3\]",
        ),
    ):
        sess.run(op, {"g:0": [1.0, 1.0]})


def test_build_time_shape_errors():
    v = tf.Variable(tf.zeros([2, 3]), name="v")
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        training_ops.apply_gradient_descent(v, [0.1], tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal"):
        training_ops.apply_gradient_descent(v, 0.1, tf.zeros([2, 4]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        training_ops.sparse_apply_adagrad(v, v, 0.1, tf.zeros([1, 3]), [[0]])


def test_integer_variables_have_no_kernel():
    v = tf.Variable([1, 2], name="v")
    op = training_ops.apply_gradient_descent(v, 1, tf.constant([1, 1]))
    with (
        _session_with(v) as sess,
        pytest.raises(
            errors.InvalidArgumentError, match="No OpKernel was registered to support Op"
        ),
    ):
        sess.run(op)


def test_sparse_updates_only_touch_their_rows(in_place):
    v = tf.Variable(np.ones((4, 2), np.float32), name="v")
    acc = tf.Variable(np.ones((4, 2), np.float32), name="acc")
    op = training_ops.sparse_apply_adagrad(v, acc, 1.0, tf.constant([[3.0, 0.0]]), [2])
    with _session_with(v, acc) as sess:
        sess.run(op)
        new_v, new_acc = sess.run([v, acc])
    np.testing.assert_array_equal(new_acc[[0, 1, 3]], 1.0)
    np.testing.assert_allclose(new_acc[2], [10.0, 1.0])
    np.testing.assert_allclose(new_v[2], [1 - 3 / np.sqrt(10), 1.0], rtol=1e-6)
    np.testing.assert_array_equal(new_v[[0, 1, 3]], 1.0)


def test_sparse_duplicate_indices_apply_one_after_another():
    v = tf.Variable(np.zeros((2, 1), np.float32), name="v")
    acc = tf.Variable(np.zeros((2, 1), np.float32), name="acc")
    op = training_ops.sparse_apply_momentum(v, acc, 1.0, tf.constant([[1.0], [1.0]]), [0, 0], 0.5)
    with _session_with(v, acc) as sess:
        sess.run(op)
        # accum: 0*0.5+1 = 1 then 1*0.5+1 = 1.5; var: -1 then -1-1.5
        np.testing.assert_allclose(sess.run([v, acc]), [[[-2.5], [0.0]], [[1.5], [0.0]]])


def test_sparse_index_out_of_range():
    v = tf.Variable(np.zeros((2, 1), np.float32), name="v")
    op = training_ops.sparse_apply_proximal_gradient_descent(v, 0.1, 0.0, 0.0, [[1.0]], [7])
    with (
        _session_with(v) as sess,
        pytest.raises(
            errors.InvalidArgumentError, match="Index 7 at offset 0 in indices is out of range"
        ),
    ):
        sess.run(op)


def test_same_variable_as_var_and_slot_does_not_deadlock():
    v = tf.Variable([1.0, 2.0], name="v")
    op = training_ops.apply_momentum(v, v, 0.1, tf.constant([1.0, 1.0]), 0.0)
    with _session_with(v) as sess:
        sess.run(op)  # lr * (0 * accum + grad) with accum == var: just runs


def test_concurrent_training_steps_lose_no_update(in_place):
    v = tf.Variable(np.zeros(1000, np.float32), name="v")
    step = training_ops.apply_gradient_descent(v, 1.0, tf.fill([1000], -1.0)).op
    with _session_with(v) as sess:
        sess.run(step)

        def work():
            for _ in range(200):
                sess.run(step)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        np.testing.assert_array_equal(sess.run(v), 801.0)


def test_fetches_made_while_another_thread_trains_stay_the_callers_own():
    # Issue 10, bug 1: an in-place update must never write into an array a fetch returned,
    # even when the fetch lands while the update is under way (TF copies on fetch).
    n = 1 << 18
    v = tf.Variable(np.zeros(n, np.float32), name="v")
    m = tf.Variable(np.zeros(n, np.float32), name="m")
    s = tf.Variable(np.zeros(n, np.float32), name="s")
    grad = tf.fill([n], 1.0)
    step = training_ops.apply_adam(v, m, s, 0.5, 0.5, 0.01, 0.9, 0.999, 1e-8, grad).op
    with _session_with(v, m, s) as sess:
        stop = threading.Event()

        def train():
            while not stop.is_set():
                sess.run(step)

        trainer = threading.Thread(target=train)
        trainer.start()
        fetched = []
        try:
            for _ in range(60):
                for value in sess.run([v, v.value(), m]):
                    fetched.append((value, value.copy()))
        finally:
            stop.set()
            trainer.join()
        sess.run(step)  # one more update after every fetch returned
        changed = sum(not np.array_equal(a, snapshot) for a, snapshot in fetched)
        assert changed == 0, f"{changed} of {len(fetched)} fetched arrays changed afterwards"


def test_the_variables_own_array_is_never_writeable(monkeypatch):
    monkeypatch.setattr(training_ops, "IN_PLACE", True)
    v = tf.Variable(np.zeros((4, 4), np.float32), name="v")
    writable = training_ops._writable
    seen = []

    def spy(cell, op_name):  # the array the update will write, and the cell's meanwhile
        array = writable(cell, op_name)
        seen.append(cell.value.flags.writeable)
        return array

    monkeypatch.setattr(training_ops, "_writable", spy)
    step = training_ops.apply_gradient_descent(v, 1.0, tf.ones([4, 4])).op
    with _session_with(v) as sess:
        sess.run(step)
        address = _cell(sess, v).value.__array_interface__["data"][0]
        sess.run(step)  # the cell owns its array now: this update is in place
        assert _cell(sess, v).value.__array_interface__["data"][0] == address
        assert seen == [False, False]
        np.testing.assert_array_equal(sess.run(v), -2.0)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_an_optimizer_step_updates_its_variables_in_place(optimizer):
    # The speed property behind IN_PLACE: a session's training step, with the variable
    # read for the forward pass, still writes the same buffers once nothing else holds them.
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
    opt = (
        tf.train.GradientDescentOptimizer(0.01)
        if optimizer == "sgd"
        else tf.train.AdamOptimizer(0.01)
    )
    train = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {x: np.ones((4, 3), np.float32)}
        sess.run(train, feed)
        sess.run(train, feed)
        address = _cell(sess, w).value.__array_interface__["data"][0]
        sess.run(train, feed)
        assert _cell(sess, w).value.__array_interface__["data"][0] == address


# -- Keras 2's fused kernels: AdagradV2, AdaMax, KerasMomentum --------------------------
KERAS_KERNELS = """
import json
rng = np.random.RandomState(3)
var0, s0, s1, g = (rng.randn(4, 3).astype(np.float32) for _ in range(4))
s1 = np.abs(s1)
result = {}
cases = {
    "adagrad_v2": (2, lambda v, a, b: APPLY["adagrad_v2"](v, a, 0.1, 1e-3, g)),
    "adagrad_v2_frozen": (2, lambda v, a, b: APPLY["adagrad_v2"](
        v, a, 0.1, 1e-3, g, update_slots=False)),
    "ada_max": (3, lambda v, a, b: APPLY["ada_max"](v, a, b, 0.729, 0.05, 0.9, 0.99, 1e-7, g)),
    "keras_momentum": (2, lambda v, a, b: APPLY["keras_momentum"](v, a, 0.1, g, 0.9)),
    "keras_nesterov": (2, lambda v, a, b: APPLY["keras_momentum"](
        v, a, 0.1, g, 0.9, use_nesterov=True)),
}
for name, (n, apply) in cases.items():
    with tf.Graph().as_default():
        cells = [tf.Variable(x, use_resource=True) for x in (var0, np.abs(s0), s1)[:n]]
        op = apply(*cells, *([None] * (3 - n)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(op)
            result[name] = [sess.run(c).tolist() for c in cells]
print(json.dumps(result))
"""

TF_APPLY = """
R = tf.raw_ops
APPLY = {
    "adagrad_v2": lambda v, a, lr, eps, g, update_slots=True: R.ResourceApplyAdagradV2(
        var=v.handle, accum=a.handle, lr=lr, epsilon=eps, grad=g, update_slots=update_slots),
    "ada_max": lambda v, m, u, b1p, lr, b1, b2, eps, g: R.ResourceApplyAdaMax(
        var=v.handle, m=m.handle, v=u.handle, beta1_power=b1p, lr=lr, beta1=b1, beta2=b2,
        epsilon=eps, grad=g),
    "keras_momentum": lambda v, a, lr, g, mom, use_nesterov=False: R.ResourceApplyKerasMomentum(
        var=v.handle, accum=a.handle, lr=lr, grad=g, momentum=mom, use_nesterov=use_nesterov),
}
"""

OUR_APPLY = """
from tfgraph.ops import training_ops as T
APPLY = {
    "adagrad_v2": T.apply_adagrad_v2,
    "ada_max": T.apply_ada_max,
    "keras_momentum": T.resource_apply_keras_momentum,
}
"""


def _keras_kernels(prelude: str, run):
    return run(prelude + KERAS_KERNELS)


def test_keras_fused_kernels_formulas():
    from tests.tfrun import run_here_json

    got = _keras_kernels(OUR_APPLY, run_here_json)
    rng = np.random.RandomState(3)
    var, s0, s1, g = (rng.randn(4, 3).astype(np.float32) for _ in range(4))
    f32 = np.float32
    lr, eps = f32(0.1), f32(1e-3)
    adagrad, accum, frozen = var.copy(), np.abs(s0), var.copy()
    adamax, m, u = var.copy(), np.abs(s0), np.abs(s1)
    momentum, nesterov = var.copy(), var.copy()
    mom_accum, nest_accum = np.abs(s0), np.abs(s0)
    for _ in range(3):
        accum = accum + g * g
        adagrad = adagrad - g * lr / (np.sqrt(accum) + eps)
        frozen = frozen - g * lr / (np.sqrt(np.abs(s0)) + eps)
        m = m + (g - m) * f32(0.1)
        u = np.maximum(u * f32(0.99), np.abs(g))
        adamax = adamax - f32(0.05) / (f32(1) - f32(0.729)) * (m / (u + f32(1e-7)))
        mom_accum = mom_accum * f32(0.9) - g * lr
        momentum = momentum + mom_accum
        nest_accum = nest_accum * f32(0.9) - g * lr
        nesterov = nesterov + (nest_accum * f32(0.9) - g * lr)
    expected = {
        "adagrad_v2": [adagrad, accum],
        "adagrad_v2_frozen": [frozen, np.abs(s0)],
        "ada_max": [adamax, m, u],
        "keras_momentum": [momentum, mom_accum],
        "keras_nesterov": [nesterov, nest_accum],
    }
    for name, values in expected.items():
        for ours, value in zip(got[name], values, strict=True):
            np.testing.assert_allclose(ours, value, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.tf
@requires_tf
def test_keras_fused_kernels_equal_tfs():
    from tests.tfrun import run_here_json, run_tf_json

    got = _keras_kernels(OUR_APPLY, run_here_json)
    expected = _keras_kernels(TF_APPLY, run_tf_json)
    assert got.keys() == expected.keys()
    for name in got:
        for ours, theirs in zip(got[name], expected[name], strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=2e-7, atol=1e-7, err_msg=name)


def test_keras_momentum_has_no_ref_variable_op():
    from tfgraph.framework import registry

    assert registry.lookup("ResourceApplyKerasMomentum") is not None
    assert registry.lookup("ApplyKerasMomentum") is None  # (as in TF)
