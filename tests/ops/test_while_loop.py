"""`tf.while_loop` (TF1 graph form): values, structures, shapes, errors. The graphs are
compared op for op with real TF's in tests/compat/test_op_names.py (while_loop_*)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf


def _run(fetches, feed=None, init=False):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_a_counting_loop_with_a_captured_tensor():
    x = tf.placeholder(tf.float32, [2], name="x")
    i, a = tf.while_loop(
        lambda i, a: i < 3, lambda i, a: (i + 1, a * 2.0 + x), [tf.constant(0), tf.zeros([2])]
    )
    assert i.op.type == "Exit" and i.op.name == "while/Exit" and a.shape.as_list() == [2]
    enter = tf.get_default_graph().get_operation_by_name("while/add_1/Enter")
    assert enter.get_attr("is_constant") and enter.inputs[0] is x
    values = _run([i, a], {x: [1.0, 2.0]})
    assert values[0] == 3
    np.testing.assert_array_equal(values[1], [7.0, 14.0])


def test_results_follow_the_bodys_structure():
    one = tf.while_loop(lambda i: i < 10, lambda i: i * 2 + 1, [tf.constant(1)])
    assert isinstance(one, tf.Tensor) and _run(one) == 15
    same = tf.while_loop(
        lambda i: i < 10, lambda i: [i + 1], [tf.constant(1)], return_same_structure=True
    )
    assert isinstance(same, list) and len(same) == 1
    pair = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s + 2.0), (0, 0.0))
    assert isinstance(pair, tuple) and _run(list(pair)) == [4, 8.0]


def test_nested_loops_and_conds():
    n = tf.placeholder(tf.int32, [], name="n")

    def outer_body(i, total):
        _, inner = tf.while_loop(
            lambda j, s: j < i, lambda j, s: (j + 1, s + j), [tf.constant(0), tf.constant(0)]
        )
        return i + 1, tf.cond(inner > 3, lambda: total + inner, lambda: total)

    result = tf.while_loop(lambda i, t: i < n, outer_body, [tf.constant(0), tf.constant(0)])
    assert _run(list(result), {n: 5}) == [5, 6]  # (TF: [5, 6])


def test_maximum_iterations_and_shape_invariants():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    _, grown = tf.while_loop(
        lambda i, m: tf.constant(True),
        lambda i, m: (i + 1, tf.concat([m, m[-1:] + 1.0], 0)),
        (tf.constant(0), x),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None, 2])),
        maximum_iterations=3,
    )
    assert grown.shape.as_list() == [None, 2]
    assert _run(grown, {x: [[0.0, 1.0]]}).tolist() == [[0, 1], [1, 2], [2, 3], [3, 4]]


def test_a_loop_reads_variables_and_saves_with_its_graph(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    _, s = tf.while_loop(
        lambda i, s: i < 3, lambda i, s: (i + 1, s + tf.reduce_sum(v)), [0, tf.constant(0.0)]
    )
    assert tf.get_collection(tf.GraphKeys.WHILE_CONTEXT)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(s) == 9.0
        tf.train.Saver().save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default():
        tf.train.import_meta_graph(str(tmp_path / "model.meta"))
        with tf.Session() as sess:
            sess.run("v/Assign")
            assert sess.run(s.name) == 9.0


def test_a_shape_that_changes_needs_a_shape_invariant():
    with pytest.raises(ValueError, match="enters the loop with shape \\(1,\\), but has shape"):
        tf.while_loop(
            lambda i, m: i < 3, lambda i, m: (i + 1, tf.concat([m, m], 0)), [0, tf.ones([1])]
        )


def test_bad_arguments_fail_as_in_tf():
    with pytest.raises(TypeError, match="cond must be callable"):
        tf.while_loop(True, lambda i: i, [0])
    with pytest.raises(TypeError, match="body must be callable"):
        tf.while_loop(lambda i: i < 1, None, [0])
    with pytest.raises(ValueError, match="No loop variables provided"):
        tf.while_loop(lambda: True, lambda: (), [])


def test_gradients_through_a_loop():
    # (1.5 doubles three times before reaching 10: dy/dx = 2**3)
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.while_loop(lambda i: i < 10.0, lambda i: i * 2.0, [x])
    (g,) = tf.gradients(y, x)
    with tf.Session() as sess:
        assert sess.run([y, g], {x: 1.5}) == [12.0, 8.0]


def test_a_loop_variables_initial_value_used_inside_comes_through_a_constant_enter():
    n = tf.constant(3, name="n")
    r = tf.while_loop(lambda i: i > 0, lambda i: i - 1 + n * 0, [n])
    enters = {
        op.name: [t.name for t in op.inputs]
        for op in tf.get_default_graph().get_operations()
        if op.type == "Enter"
    }
    assert enters == {"while/Enter": ["n:0"], "while/mul/Enter": ["n:0"]}  # (as TF)
    assert tf.get_default_graph().get_operation_by_name("while/mul/Enter").get_attr("is_constant")
    assert _run(r) == 0
