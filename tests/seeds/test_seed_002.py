"""Seed 002: the TF1 `tf.Variable` reference. Every example, run as written (graph mode).

The seed text is TensorFlow's own documentation of `class tf.Variable`; each test below
is one of its code samples with the `<placeholders>` filled in, asserting what the
seed says happens.
"""

import numpy as np
import pytest

import tfgraph as tf


def test_create_use_and_assign():
    # Create a variable.
    w = tf.Variable(tf.constant([[1.0, 2.0], [3.0, 4.0]]), name="w")
    # Use the variable in the graph like any Tensor.
    y = tf.matmul(w, tf.constant([[1.0], [1.0]]))
    # The overloaded operators are available too.
    z = tf.sigmoid(w + y)
    # Assign a new value to the variable with `assign()` or a related method.
    plus_one = w.assign(w + 1.0)
    add = w.assign_add(tf.ones([2, 2]))
    with tf.Session() as sess:
        # Run the variable initializer.
        sess.run(w.initializer)
        # ...you now can run ops that use the value of 'w'...
        np.testing.assert_allclose(sess.run(y), [[3.0], [7.0]])
        expected = 1 / (1 + np.exp(-(np.array([[1.0, 2.0], [3.0, 4.0]]) + [[3.0], [7.0]])))
        np.testing.assert_allclose(sess.run(z), expected, rtol=1e-6)
        np.testing.assert_allclose(sess.run(plus_one), [[2.0, 3.0], [4.0, 5.0]])
        np.testing.assert_allclose(sess.run(add), [[3.0, 4.0], [5.0, 6.0]])


def test_initialize_all_variables():
    w = tf.Variable(tf.zeros([3]), name="w")
    # Add an Op to initialize all variables.
    init_op = tf.initialize_all_variables()
    # Launch the graph in a session.
    with tf.Session() as sess:
        # Run the Op that initializes all variables.
        sess.run(init_op)
        # ...you can now run any Op that uses variable values...
        np.testing.assert_array_equal(sess.run(w), [0.0, 0.0, 0.0])


def test_collections_described_in_the_seed():
    v = tf.Variable(1.0)
    step = tf.Variable(0, trainable=False, name="global_step")
    # GraphKeys.VARIABLES holds all variables; all_variables() returns it.
    assert tf.get_collection(tf.GraphKeys.VARIABLES) == [v, step]
    assert tf.all_variables() == [v, step]
    # trainable=True (the default) also adds to TRAINABLE_VARIABLES.
    assert tf.trainable_variables() == [v]


def test_constructor_errors_listed_in_the_seed():
    with pytest.raises(ValueError):  # both variable_def and initial_value
        tf.Variable(1.0, variable_def=object())
    with pytest.raises(ValueError):  # no initial value
        tf.Variable()
    with pytest.raises(ValueError):  # no shape and validate_shape=True
        tf.Variable(tf.placeholder(tf.float32))


def test_initialized_value():
    # Initialize 'v' with a random tensor.
    v = tf.Variable(tf.truncated_normal([10, 40]))
    # Use `initialized_value` to guarantee that `v` has been
    # initialized before its value is used to initialize `w`.
    # The random values are picked only once.
    w = tf.Variable(v.initialized_value() * 2.0)
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        v_value, w_value = sess.run([v, w])
    np.testing.assert_allclose(w_value, 2.0 * v_value)
    assert np.abs(v_value).max() <= 2.0  # truncated at two standard deviations


def test_assign_family_returns_the_new_value():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v.assign([3.0, 4.0])), [3.0, 4.0])
        np.testing.assert_array_equal(sess.run(v.assign_add([1.0, 1.0])), [4.0, 5.0])
        np.testing.assert_array_equal(sess.run(v.assign_sub([2.0, 2.0])), [2.0, 3.0])
        np.testing.assert_array_equal(
            sess.run(v.scatter_sub(tf.IndexedSlices(tf.constant([1.0]), tf.constant([1])))),
            [2.0, 2.0],
        )


def test_count_up_to():
    v = tf.Variable(0)
    up = v.count_up_to(3)
    with tf.Session() as sess:
        sess.run(v.initializer)
        # The values produced are all distinct: the value before each increment.
        assert [sess.run(up) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(up)


def test_eval():
    v = tf.Variable([1, 2])
    init = tf.initialize_all_variables()
    with tf.Session() as sess:
        sess.run(init)
        # Usage passing the session explicitly.
        np.testing.assert_array_equal(v.eval(sess), [1, 2])
        # Usage with the default session.  The 'with' block
        # above makes 'sess' the default session.
        np.testing.assert_array_equal(v.eval(), [1, 2])


def test_properties():
    v = tf.Variable([1.0, 2.0], name="prop")
    assert v.name == "prop:0"
    assert v.dtype == tf.float32._as_ref
    assert v.get_shape() == tf.TensorShape([2])
    assert v.device == ""
    assert v.initializer.name == "prop/Assign"
    assert v.graph is tf.get_default_graph()
    assert v.op.type == "VariableV2"
    assert v.initial_value.name == "prop/initial_value:0"
    assert v.ref().name == "prop:0"
    assert v.value().name == "prop/read:0"


def test_to_proto_and_from_proto():
    v = tf.Variable([1.0, 2.0], name="v")
    proto = v.to_proto()
    assert proto.variable_name == "v:0"
    assert proto.initializer_name == "v/Assign"
    assert proto.snapshot_name == "v/read:0"
    assert proto.initial_value_name == "v/initial_value:0"
    assert proto.trainable
    again = tf.Variable.from_proto(proto)
    assert again.name == v.name and again.initializer is v.initializer
    assert again.to_proto().SerializeToString() == proto.SerializeToString()
