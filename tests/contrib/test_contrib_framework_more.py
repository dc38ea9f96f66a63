"""The rest of TF 1.15's tf.contrib.framework (tfgraph/legacy_contrib/framework_more.py
and re-exports): static-or-dynamic conditionals, shape checks, reduce_sum_n,
get_placeholders, contrib's argument order of remove_squeezable_dimensions."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

F = tf.contrib.framework


def test_reexports_are_the_core_functions():
    assert F.nest is tf.nest and F.sort is tf.sort and F.argsort is tf.argsort
    assert F.py_func is tf.py_func and F.is_tensor is tf.is_tensor
    assert F.init_from_checkpoint is tf.train.init_from_checkpoint
    assert F.load_variable is tf.train.load_variable
    assert F.local_variable is tf.contrib.slim.local_variable
    assert F.VariableDeviceChooser is tf.contrib.slim.VariableDeviceChooser


SMART = r"""
import json
out = []
with tf.Graph().as_default():
    p = tf.placeholder(tf.bool, [])
    for pred in (True, 0, tf.constant(True), tf.constant(False) & tf.constant(True), p):
        v = S.smart_constant_value(pred)
        out.append(None if v is None else bool(v))
    a = S.smart_cond(tf.constant(1) > 0, lambda: tf.constant(1), lambda: tf.constant(2))
    b = S.smart_cond(p, lambda: tf.constant(1), lambda: tf.constant(2))
    out.append([a.op.type, b.op.type])
    with tf.Session() as sess:
        out.append([int(sess.run(a)), int(sess.run(b, {p: False}))])
    for bad in (lambda: S.smart_constant_value("yes"), lambda: S.smart_cond(True, 1, 2)):
        try:
            bad()
        except TypeError as e:
            out.append(str(e))
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_smart_cond_equals_tfs():
    theirs = run_tf_json("from tensorflow.python.framework import smart_cond as S\n" + SMART)
    ours = run_here_json("S = tf.contrib.framework\n" + SMART)
    assert ours == theirs


def test_smart_case_decides_static_predicates_while_building():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.int32, [])
        picked = F.smart_case([(False, lambda: tf.constant(1)), (True, lambda: tf.constant(2))])
        assert picked.op.type == "Const"
        dynamic = F.smart_case(
            [(x > 5, lambda: tf.constant(10)), (tf.constant(True), lambda: tf.constant(20))]
        )
        with tf.Session() as sess:
            assert sess.run(picked) == 2
            assert [sess.run(dynamic, {x: v}) for v in (9, 1)] == [10, 20]
        with pytest.raises(ValueError, match="More than one condition"):
            F.smart_case([(True, lambda: 1), (True, lambda: 2)], exclusive=True)


def test_with_shape_checks_statically_or_at_run_time():
    with tf.Graph().as_default():
        fixed = tf.zeros([2, 3])
        assert F.with_shape([2, 3], fixed) is fixed
        with pytest.raises(ValueError, match=r"Invalid shape for tensor zeros:0, expected"):
            F.with_shape([3, 2], fixed)
        x = tf.placeholder(tf.float32, [None, 3])
        checked = F.with_same_shape(fixed, x)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(checked, {x: np.ones((2, 3))}), np.ones((2, 3)))
            with pytest.raises(tf.errors.InvalidArgumentError, match="Wrong shape for"):
                sess.run(checked, {x: np.ones((4, 3))})


def test_reduce_sum_n_placeholders_and_squeezing():
    with tf.Graph().as_default() as g:
        a = tf.placeholder(tf.float32, [2], name="a")
        b = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="b")
        total = F.reduce_sum_n([a, b])
        assert total.op.type == "AddN" and total.op.name == "reduce_sum_n"
        assert [t.name for t in F.get_placeholders(g)] == ["a:0"]
        predictions, labels = F.remove_squeezable_dimensions(
            tf.zeros([4, 1]), tf.zeros([4], tf.int32)
        )
        assert predictions.shape.as_list() == [4] and labels.shape.as_list() == [4]
        assert labels.dtype == tf.int32
        with tf.Session() as sess:
            assert sess.run(total, {a: [0.5, 0.5]}) == 11.0
    with pytest.raises(ValueError, match="No tensors provided"):
        F.reduce_sum_n([])
