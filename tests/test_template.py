"""tf.make_template (tfgraph/template.py): variables created once and reused; graph
parity with TF is in tests/compat/test_math_apis_vs_tf.py (case make_template)."""

from __future__ import annotations

import pytest

import tfgraph as tf


def test_variables_are_shared_and_listed():
    with tf.Graph().as_default():

        def f(x):
            return x * tf.get_variable("v", [], initializer=tf.ones_initializer())

        t = tf.make_template("scale", f)
        assert t.variables == [] and t.name == "scale"
        t(1.0)
        t(2.0)
        assert [v.name for v in tf.global_variables()] == ["scale/v:0"]
        assert [v.name for v in t.trainable_variables] == ["scale/v:0"]
        assert t.variable_scope_name == "scale"
        t_again = tf.make_template("scale", f)
        t_again(3.0)
        assert [v.name for v in tf.global_variables()] == ["scale/v:0", "scale_1/v:0"]


def test_new_trainable_variable_after_the_first_call_is_an_error():
    with tf.Graph().as_default():
        t = tf.make_template("bad", lambda: tf.Variable(1.0))
        t()
        with pytest.raises(ValueError, match="Trainable variable created when calling a template"):
            t()


def test_name_is_required():
    with pytest.raises(ValueError, match="name cannot be None"):
        tf.make_template(None, lambda: None)
