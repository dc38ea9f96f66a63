"""Constant folding in execution plans: values that are the same at every run (constants,
static shapes, pure ops on them) are computed once when the plan is built, as TF's graph
optimizer folds them, without changing what a run computes or which effects happen."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import array_ops


def _plan(sess):
    return list(sess._cache.values())[-1].plan


def _step_op_list(sess) -> list:
    """The ops the plan's steps run (each op of a fused chain, see passes/fuse.py)."""
    plan = _plan(sess)
    ops = []
    for step, op in zip(plan.steps, plan.step_ops):
        ops.extend(getattr(step, "fused_ops", None) or ([op] if op is not None else []))
    return ops


def _step_types(sess) -> set[str]:
    return {op.type for op in _step_op_list(sess)}


def _step_names(sess) -> set[str]:
    return {op.name for op in _step_op_list(sess)}


def _shape_op(x):
    """A Shape op even where `tf.shape` would give a constant (as tf.raw_ops.Shape)."""
    return array_ops._shape_internal(x, optimize=False)


def test_pure_ops_on_constants_and_static_shapes_run_once():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    c = tf.constant([[1.0, 2.0, 3.0]])
    ones = tf.fill(_shape_op(c), 2.0) * 3.0  # Shape, Fill, Mul: all foldable
    y = x * ones
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: np.ones((2, 3))}), np.full((2, 3), 6.0))
        assert _step_names(sess) == {"mul_1"}  # only y's Mul, which reads the feed


def test_the_mean_gradient_folds_its_static_part():
    # grad_ys (Fill of the loss's static shape) and the reduction indices arithmetic fold;
    # what depends on the fed batch size still runs.
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    loss = tf.reduce_mean(tf.reduce_sum(x * x, axis=1))
    (grad,) = tf.gradients(loss, [x])
    xv = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grad, {x: xv}), xv)  # 2x / batch of 2
        names = _step_names(sess)
        assert "gradients/grad_ys_0" not in names  # Fill(Shape(loss)): loss is a scalar
        assert "gradients/Mean_grad/Reshape" not in names
        assert "gradients/Mean_grad/Shape" in names  # the batch size is known at run time
        np.testing.assert_allclose(sess.run(grad, {x: xv[:1]}), 2 * xv[:1])


def test_a_folded_shape_still_runs_the_op_it_shapes():
    # As in TF, where a materialized shape keeps a control dependency on its input.
    v = tf.Variable(0.0, name="v")
    s = _shape_op(tf.identity(v.assign_add(1.0)))
    f = tf.fill(s, 2.0) + 1.0
    u = tf.Variable([1.0, 2.0], name="u")
    su = _shape_op(u.value())
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(s).tolist() == [] and sess.run(v) == 1.0
        assert sess.run(f) == 3.0 and sess.run(v) == 2.0
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value u"):
            sess.run(su)


def test_constants_with_control_inputs_are_not_folded():
    v = tf.Variable(0.0, name="v")
    with tf.control_dependencies([v.assign_add(1.0)]):
        out = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(out) == 2.0
        assert sess.run(out) == 2.0
        assert sess.run(v) == 2.0


def test_folded_values_fetched_are_private_copies():
    c = tf.constant([1.0, 2.0])
    doubled = c * 2.0
    with tf.Session() as sess:
        first = sess.run(doubled)
        first[0] = 99.0
        np.testing.assert_array_equal(sess.run(doubled), [2.0, 4.0])
        assert sess.run(doubled).flags.writeable


def test_stateful_ops_and_their_users_still_run_every_time():
    r = tf.random_uniform([4], seed=1) + 1.0
    with tf.Session() as sess:
        a, b = sess.run(r), sess.run(r)
        assert not np.array_equal(a, b)
        assert "RandomUniform" in _step_types(sess)


def test_failing_kernels_fail_at_run_time():
    bad = tf.gather(tf.constant([1.0, 2.0, 3.0]), tf.constant([1]) + 4)
    with tf.Session() as sess:
        for _ in range(2):
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 5"):
                sess.run(bad)


def test_large_values_are_computed_at_each_run():
    big = tf.zeros([2048, 2048]) + 1.0  # 16 MiB: over TF's 10 MiB folding limit
    with tf.Session() as sess:
        assert sess.run(big).sum() == 2048 * 2048
        assert "AddV2" in _step_types(sess)


def test_multi_output_ops_fold_and_fed_values_win():
    # (TF agrees: a fed output keeps its fed value even when its op runs)
    x = tf.placeholder(tf.float32, [2], name="x")
    left, right = tf.split(tf.constant([1.0, 2.0, 3.0, 4.0]), 2)
    doubled = left * 2.0
    y = x + doubled + right
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [0.0, 0.0]}), [5.0, 8.0])
        assert _step_names(sess) == {"add", "add_1"}
        # a fed tensor is not folded, nor is anything computed from it
        np.testing.assert_array_equal(sess.run(y, {x: [0.0, 0.0], left: [10.0, 10.0]}), [23, 24])
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 1.0], doubled: [0.0, 0.0]}), [4, 5])
        c = tf.reduce_sum(x)  # runs for the control dependency; its fed value stays
        a = tf.Variable(1.0)
        with tf.control_dependencies([c.op]):
            z = tf.identity(x) * a
        sess.run(a.initializer)
        assert sess.run([z, c], {x: [1.0, 2.0], c: 7.0})[1] == 7.0


def test_identities_of_values_and_noops_are_not_steps_but_still_order():
    v = tf.Variable(0.0, name="v")
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.control_dependencies([v.assign(5.0)]):
        y = tf.identity(x)  # orders the read below after the assign (TF agrees: 6.0)
    z = tf.add(y, v._ref())
    done = tf.group(z)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([z, y], {x: 1.0}) == [6.0, 1.0]
        assert _step_names(sess) == {"Assign", "Add"}
        sess.run(v.assign(0.0))
        sess.run(done, {x: 1.0})
        assert sess.run(v) == 5.0


def test_identity_of_a_variable_is_a_step_reading_it():
    v = tf.Variable([1.0, 2.0], name="v")
    r = tf.identity(v)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
            sess.run(r)
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(r), [1.0, 2.0])
        assert "Identity" in _step_types(sess)


def test_values_are_freed_after_their_last_use():
    x = tf.placeholder(tf.float32, [None], name="x")
    c = tf.constant([1.0, 2.0])
    a = x * 2.0
    b = a + c  # a binary op whose inputs both end here (c stays: the template holds it)
    out = tf.reduce_sum(b * b)
    with tf.Session() as sess:
        assert sess.run(out, {x: [1.0, 1.0]}) == 9.0 + 16.0
        plan = _plan(sess)
        vals = plan.template.copy()
        vals[plan.feed_slots[0]] = np.array([1.0, 1.0], np.float32)
        for step in plan.steps:
            step(vals)
        live = {k for k, value in enumerate(vals) if value is not None}
        const_slots = {k for k, value in enumerate(plan.template) if value is not None}
        assert live == {plan.feed_slots[0], plan.fetch_slots[0]} | const_slots
        assert len(plan.steps) == 4  # Mul, AddV2, Mul, Sum: frees are part of the steps


# -- folding never changes what a run computes (random programs, folding on vs off) --------
_UNARY = ("neg", "square", "shape_fill", "shape_sum", "identity", "reshape_flat", "reduce_sum")
_BINARY = ("add", "mul", "sub", "maximum")


def _random_program(draw_op, draw_pick, n_ops: int):
    """Builds a random graph over a placeholder, constants and a variable; returns
    (placeholder, variable, the tensors built)."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    v = tf.Variable(np.array([0.5, -1.0, 2.0], np.float32), name="v")
    pool = [x, tf.constant([[1.0, 2.0, 3.0]]), tf.constant([-2.0, 0.5, 1.5]), v.value()]
    for _ in range(n_ops):
        kind = draw_op()
        a = pool[draw_pick(len(pool))]
        if kind in _BINARY:
            b = pool[draw_pick(len(pool))]
            out = {"add": tf.add, "mul": tf.multiply, "sub": tf.subtract,
                   "maximum": tf.maximum}[kind](a, b)  # fmt: skip
        elif kind == "neg":
            out = tf.negative(a)
        elif kind == "square":
            out = tf.square(a)
        elif kind == "shape_fill":
            out = tf.fill(_shape_op(a), 0.25)
        elif kind == "shape_sum":
            out = tf.cast(tf.reduce_sum(_shape_op(a)) + tf.size(a), tf.float32)
        elif kind == "identity":
            out = tf.identity(a)
        elif kind == "reshape_flat":
            out = tf.reshape(a, [-1])
        else:
            out = tf.reduce_sum(a, axis=-1, keepdims=True)
        pool.append(out)
    return x, v, pool[4:]


def test_folding_never_changes_results():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    from tfgraph.client import passes

    fewer_steps = []

    def run_program(fetches, v, feed):
        with tf.Session() as sess:
            sess.run(v.initializer)
            values = sess.run(fetches, feed)
            return values, len(_plan(sess).steps)

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(st.data(), st.integers(1, 10))
    def check(data, n_ops):
        def draw_op():
            return data.draw(st.sampled_from(_UNARY + _BINARY))

        def draw_pick(n):
            return data.draw(st.integers(0, n - 1))

        with tf.Graph().as_default():
            try:
                x, v, outs = _random_program(draw_op, draw_pick, n_ops)
            except ValueError:
                return  # (shapes a random program combines may not fit: TF says so too)
            fetches = [outs[-1], *outs[:-1][:3]]
            feed = {x: np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], np.float32)}
            try:
                folded, n_folded = run_program(fetches, v, feed)
            except tf.errors.InvalidArgumentError:
                return  # (a random program may not broadcast at run time)
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(passes, "fold_constants", lambda *args, **kwargs: ({}, {}))
                plain, n_plain = run_program(fetches, v, feed)
        for a, b in zip(folded, plain):
            np.testing.assert_array_equal(a, b)
        assert n_folded <= n_plain
        fewer_steps.append(n_folded < n_plain)

    check()
    assert any(fewer_steps)  # the programs do exercise folding
