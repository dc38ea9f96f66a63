"""Global step helpers."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tfgraph.training import training_util


def test_get_or_create_global_step():
    assert tf.train.get_global_step() is None
    with tf.name_scope("inner"):  # created at the root name scope
        gs = tf.train.get_or_create_global_step()
    assert gs.name == "global_step:0" and gs.dtype.base_dtype == tf.int64
    assert not gs.trainable and gs.shape.as_list() == []
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [gs]
    assert gs in tf.global_variables()
    assert gs.aggregation == tf.VariableAggregation.ONLY_FIRST_REPLICA
    assert tf.train.get_or_create_global_step() is gs
    assert tf.train.get_global_step() is gs
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == [
        "global_step/Initializer/zeros",
        "global_step",
        "global_step/Assign",
        "global_step/read",
    ]
    with pytest.raises(ValueError, match='"global_step" already exists.'):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(gs.initializer)
        assert tf.train.global_step(sess, gs) == 0


def test_global_step_in_a_variable_scope():
    with tf.name_scope("inner"), tf.variable_scope("vs"):  # as TF: get_variable's scope
        gs = tf.train.get_or_create_global_step()
    assert gs.name == "vs/global_step:0"
    assert tf.train.get_global_step() is gs


def test_global_step_found_by_name_and_checked():
    v = tf.Variable(0, name="global_step")
    assert tf.train.get_global_step() is not None
    with tf.Graph().as_default():
        tf.Variable(0.0, name="global_step")
        with pytest.raises(TypeError, match="does not have integer type"):
            tf.train.get_global_step()
    with tf.Graph().as_default():
        tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable([1, 2]))
        with pytest.raises(TypeError, match="is not scalar"):
            tf.train.get_global_step()
    with pytest.raises(TypeError, match="must be a Variable or Tensor"):
        tf.train.assert_global_step("step")
    assert v.op.name == "global_step"


def test_increment_global_step():
    with pytest.raises(ValueError, match="should be created"):
        training_util._increment_global_step(1)
    gs = tf.train.get_or_create_global_step()
    inc = training_util._increment_global_step(2)
    assert inc.op.name == "global_step/AssignAdd"
    with tf.Session() as sess:
        sess.run(gs.initializer)
        sess.run(inc)
        sess.run(inc)
        assert sess.run(gs) == 4
