"""Check ops: Assert/Print, tf.debugging.assert_*, assert_variables_initialized."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors
from tfgraph.ops.check_ops import summarize_value


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def test_assert_passes_and_fails_with_summarized_data():
    c = tf.placeholder(tf.bool, [])
    y = tf.placeholder(tf.int32, [None])
    a = tf.Assert(c, ["bad", y], summarize=2)
    assert a.type == "Assert" and a.name == "Assert/Assert"
    assert run(a, {c: True, y: [1, 2, 3]}) is None
    with pytest.raises(
        errors.InvalidArgumentError, match=r"assertion failed: \[bad\] \[1 -2\.\.\.\]"
    ):
        run(a, {c: False, y: [1, -2, 3]})


def test_assert_with_float_data_is_guarded_by_a_cond():
    c = tf.placeholder(tf.bool, [])
    v = tf.placeholder(tf.float32, [2])
    a = tf.Assert(c, [v], name="A")
    assert a.type == "Merge" and a.name == "A/AssertGuard/Merge"
    run(a, {c: True, v: [1.5, 2.0]})
    with pytest.raises(errors.InvalidArgumentError, match=r"assertion failed: \[1\.5 2\]"):
        run(a, {c: False, v: [1.5, 2.0]})


@pytest.mark.parametrize(
    ("value", "limit", "text"),
    [
        ([True, False], 3, "1 0"),
        (np.array([[1.5, 2.0], [1e-10, 1e20]], np.float32), 4, "[1.5 2][1e-10 1e+20]"),
        (np.float64(0.1), 3, "0.1"),
        (np.arange(1, 6), 4, "1 2 3 4..."),
        (np.arange(6).reshape(2, 3), 4, "[0 1 2][3...]..."),
        (np.array([], np.float32), 3, ""),
        ([b"a", b"b"], 3, "a b"),
        (np.float32(1) / 3, 3, "0.333333343"),
        (np.float64(1) / 3, 3, "0.33333333333333331"),
        (np.array([1e-5, 123456789.0, 0.1], np.float32), 3, "1e-05 123456792 0.1"),
        (np.float16(0.1), 3, "0.0999755859"),
    ],
)
def test_summarize_value_matches_tf_runtime(value, limit, text):
    assert summarize_value(value, limit) == text


def test_binary_asserts():
    x = tf.placeholder(tf.float32, [3], name="x")
    ok = [
        tf.debugging.assert_equal(x, x + 0),
        tf.debugging.assert_less(x, x + 1),
        tf.debugging.assert_greater(x + 1, x, message="msg"),
        tf.assert_less_equal(x, x),
        tf.assert_greater_equal(x, x),
    ]
    run(ok, {x: [1.0, 2.0, 3.0]})
    bad = tf.debugging.assert_equal(x, x + 1)
    # As in TF, each assert_equal first opens a scope for its x-is-y check, then another.
    assert bad.name.startswith("assert_equal_3/")
    with pytest.raises(errors.InvalidArgumentError, match="Condition x == y did not hold"):
        run(bad, {x: [1.0, 2.0, 3.0]})
    same = tf.constant(1)
    assert tf.assert_equal(same, same).type == "NoOp"


def test_static_assert_fails_at_build_time():
    with pytest.raises(errors.InvalidArgumentError, match="Condition x == y did not hold"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))


def test_sign_asserts():
    i = tf.placeholder(tf.int32, [2], name="i")
    pos = tf.debugging.assert_positive(i)
    nonneg = tf.debugging.assert_non_negative(i, message="careful")
    assert pos.name.startswith("assert_positive/assert_less/")
    run([pos, nonneg], {i: [1, 2]})
    with pytest.raises(errors.InvalidArgumentError, match="Condition x > 0 did not hold"):
        run(pos, {i: [1, 0]})
    with pytest.raises(errors.InvalidArgumentError, match=r"\[careful\.  \]"):
        run(nonneg, {i: [1, -1]})
    with pytest.raises(errors.InvalidArgumentError, match="assertion failed"):
        run(tf.assert_negative(i), {i: [-1, 1]})


def test_assert_rank():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    assert tf.assert_rank(x, 2).name == "assert_rank/static_checks_determined_all_ok"
    with pytest.raises(ValueError, match=r"Tensor x:0 must have rank 3\.  Received rank 2"):
        tf.assert_rank(x, 3)
    u = tf.placeholder(tf.float32, name="u")
    a = tf.assert_rank(u, 2)
    run(a, {u: np.ones((2, 2), np.float32)})
    with pytest.raises(errors.InvalidArgumentError, match="must have rank"):
        run(a, {u: np.ones(3, np.float32)})


def test_assert_type():
    with pytest.raises(TypeError, match="must be of type"):
        tf.assert_type(tf.constant(1.0), tf.int32)
    assert tf.assert_type(tf.constant(1), tf.int32).type == "NoOp"


def test_print_passes_its_input_through(capfd):
    x = tf.constant([1.0, 2.0])
    y = tf.Print(x, [x, "tail"], message="value: ", first_n=1)
    assert y.op.type == "Print"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [1.0, 2.0])
        sess.run(y)
    err = capfd.readouterr().err
    assert err.count("value: [1 2][tail]") == 1


def test_assert_variables_initialized_raises_failed_precondition():
    v = tf.Variable(1.0, name="v")
    u = tf.Variable([1.0, 2.0], name="u")
    check = tf.assert_variables_initialized()
    assert check.op.type == "Pack"
    assert [t.op.type for t in check.op.inputs] == ["Rank", "Rank"]
    assert check.op.inputs[0].op.colocation_groups() == [b"loc:@v"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value u"):
            sess.run(check)
        sess.run(u.initializer)
        assert sess.run(check).tolist() == [0, 1]
    assert tf.assert_variables_initialized([v]).op.type == "Rank"


def test_debugging_namespace():
    assert tf.debugging.assert_equal is tf.assert_equal
    assert tf.debugging.Assert is tf.Assert


# -- CheckNumerics ----------------------------------------------------------------------
def test_check_numerics_passes_finite_values_through():
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.check_numerics(x, "bad x")
    assert y.op.type == "CheckNumerics" and y.op.name == "CheckNumerics"
    assert y.op.get_attr("message") == b"bad x" and y.shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, -2.5]}), [1.0, -2.5])


@pytest.mark.parametrize(
    "values, what",
    [
        ([1.0, np.nan], "NaN"),
        ([np.inf, 0.0], "Inf"),
        ([-np.inf, 0.0], "Inf"),
        ([np.nan, np.inf], "Inf and NaN"),
    ],
)
def test_check_numerics_fails_as_tf_does(values, what):
    x = tf.placeholder(tf.float64, [2], name="x")
    y = tf.debugging.check_numerics(x, "bad x", name="check")
    with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError) as info:
        sess.run(y, {x: values})
    assert info.value.message.startswith(f"bad x : Tensor had {what} values")
    assert info.value.op.name == "check"


def test_check_numerics_always_runs_and_is_never_folded():
    y = tf.check_numerics(tf.constant([1.0, np.inf]), "constant")  # stateful: not folded
    with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError, match="had Inf"):
        sess.run(y)


def test_check_numerics_gradient_checks_the_gradient():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.check_numerics(x, "bad x")
    (g,) = tf.gradients(y * tf.constant([1.0, np.inf]), x)
    assert (
        g.op.type == "CheckNumerics" and g.op.name == "gradients/CheckNumerics_grad/CheckNumerics"
    )
    assert g.op.get_attr("message") == (
        b"Not a number (NaN) or infinity (Inf) values detected in gradient. b'bad x'"
    )
    with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError, match="in gradient"):
        sess.run(g, {x: [1.0, 2.0]})


def test_check_numerics_rejects_integer_tensors():
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.check_numerics(tf.constant([1, 2]), "ints")


# -- assert_near, assert_none_equal, rank/dtype checks, monotonicity, verify_tensor_all_finite --
def test_assert_near_and_none_equal_at_run_time():
    x = tf.placeholder(tf.float32, [2])
    near = tf.assert_near(x, x + 1e-7)
    far = tf.assert_near(x, x + 1.0, message="too far")
    none_eq = tf.assert_none_equal(x, [5.0, 6.0])
    with tf.Session() as sess:
        sess.run([near, none_eq], {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
            sess.run(far, {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x != y"):
            sess.run(none_eq, {x: [5.0, 2.0]})


def test_static_rank_and_dtype_checks():
    assert tf.assert_rank_at_least(tf.ones([2, 3]), 1).type == "NoOp"
    with pytest.raises(ValueError, match="must have rank at least 3.  Received rank 2"):
        tf.assert_rank_at_least(tf.ones([2, 3]), 3)
    assert tf.assert_rank_in(tf.ones([2]), [1, 2]).type == "NoOp"
    with pytest.raises(ValueError, match=r"must have rank in \(0, 2\)"):
        tf.assert_rank_in(tf.ones([2]), [0, 2])
    assert tf.assert_integer(tf.constant([1])).type == "NoOp"
    with pytest.raises(TypeError, match="to be integer"):
        tf.assert_integer(tf.constant([1.0]))
    s = tf.constant(2.0)
    assert tf.assert_scalar(s) is s
    with pytest.raises(ValueError, match="Expected scalar shape"):
        tf.assert_scalar(tf.ones([2]))
    assert tf.assert_same_float_dtype([tf.ones([1]), tf.zeros([2])]) == tf.float32
    assert tf.assert_same_float_dtype(None, tf.float64) == tf.float64
    with pytest.raises(ValueError, match="must be"):
        tf.assert_same_float_dtype([tf.ones([1]), tf.ones([1], tf.float64)])


def test_monotonicity_and_verify_finite():
    x = tf.placeholder(tf.float32, [None])
    nd, si = tf.is_non_decreasing(x), tf.is_strictly_increasing(x)
    v = tf.verify_tensor_all_finite(x, "bad x")
    with tf.Session() as sess:
        assert sess.run([nd, si], {x: [1.0, 2.0, 2.0]}) == [True, False]
        assert sess.run([nd, si], {x: [3.0]}) == [True, True]
        assert sess.run([nd, si], {x: [2.0, 1.0]}) == [False, False]
        np.testing.assert_array_equal(sess.run(v, {x: [1.0]}), [1.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad x : Tensor had NaN"):
            sess.run(v, {x: [np.nan]})
