"""Seed 001: the TF1 "Variables" guide (get_variable, collections, devices, initializing,
using and sharing variables). Every example runs as written, in graph mode, and gives
the names, devices, collections and values TensorFlow 2.21 gives.

Where TF 2.21 differs from what the guide's text implies, the test follows TF and says
so: the first conv_relu call works (conv2d treats a filter with 1 input channel over a
32-channel input as a grouped convolution), and only the second call "fails", with TF's
"already exists" error; `assignment.run()` on the Tensor `assign_add` returns raises
AttributeError in TF 2.21 as it does here.
"""

import numpy as np
import pytest

import tfgraph as tf


# -- Creating a variable ----------------------------------------------------------------------
def test_creating_variables():
    my_variable = tf.get_variable("my_variable", [1, 2, 3])
    my_int_variable = tf.get_variable(
        "my_int_variable", [1, 2, 3], dtype=tf.int32, initializer=tf.zeros_initializer
    )
    other_variable = tf.get_variable(
        "other_variable", dtype=tf.int32, initializer=tf.constant([23, 42])
    )
    assert (my_variable.name, my_variable.shape.as_list()) == ("my_variable:0", [1, 2, 3])
    assert my_variable.dtype.name == "float32_ref"
    # "its initial value will be randomized via tf.glorot_uniform_initializer"
    assert my_variable.initial_value.op.name == "my_variable/Initializer/random_uniform"
    assert my_int_variable.dtype.name == "int32_ref"
    assert other_variable.shape.as_list() == [2] and other_variable.dtype.name == "int32_ref"
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        mv, iv, ov = session.run([my_variable, my_int_variable, other_variable])
    limit = np.sqrt(6.0 / (2 + 3))  # glorot: fan_in 2, fan_out 3 (receptive field 1)
    assert np.all(np.abs(mv) <= limit)
    assert iv.tolist() == [[[0, 0, 0], [0, 0, 0]]]
    assert ov.tolist() == [23, 42]


# -- Variable collections ---------------------------------------------------------------------
def test_variable_collections():
    my_local = tf.get_variable("my_local", shape=(), collections=[tf.GraphKeys.LOCAL_VARIABLES])
    my_non_trainable = tf.get_variable("my_non_trainable", shape=(), trainable=False)
    tf.add_to_collection("my_collection_name", my_local)
    assert tf.get_collection("my_collection_name") == [my_local]
    assert tf.get_collection(tf.GraphKeys.LOCAL_VARIABLES) == [my_local]
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [my_non_trainable]
    # TF: `collections=` replaces GLOBAL_VARIABLES, but trainable stays True, so my_local
    # is also in TRAINABLE_VARIABLES (the guide's "instead" only holds for trainable=False).
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [my_local]
    assert my_non_trainable not in tf.trainable_variables()


# -- Device placement ---------------------------------------------------------------------------
def test_device_placement():
    with tf.device("/gpu:1"):
        v = tf.get_variable("v", [1])
    assert v.device == "/device:GPU:1"
    g = tf.get_default_graph()
    assert g.get_operation_by_name("v/Assign").device == "/device:GPU:1"
    assert g.get_operation_by_name("v/read").device == "/device:GPU:1"
    assert g.get_operation_by_name("v/Initializer/random_uniform").device == ""


def test_replica_device_setter():
    cluster_spec = {
        "ps": ["ps0:2222", "ps1:2222"],
        "worker": ["worker0:2222", "worker1:2222", "worker2:2222"],
    }
    with tf.device(tf.train.replica_device_setter(cluster=cluster_spec)):
        v = tf.get_variable("v", shape=[20, 20])  # this variable is placed
        # in the parameter server
        # by the replica_device_setter
    assert v.device == "/job:ps/task:0"
    assert v.op.colocation_groups() == [b"loc:@v"]


# -- Initializing variables ---------------------------------------------------------------------
def test_initializing_variables():
    my_variable = tf.get_variable("my_variable", [1, 2, 3])
    other = tf.get_variable("other", [2])
    with tf.Session() as session:
        session.run(my_variable.initializer)
        assert session.run(my_variable).shape == (1, 2, 3)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value other"):
            session.run(other)
        session.run(tf.global_variables_initializer())
        # Now all variables are initialized.
        assert session.run(other).shape == (2,)


def test_report_uninitialized_variables():
    tf.get_variable("my_variable", [1, 2, 3])
    other = tf.get_variable("other", [2])
    with tf.Session() as session:
        session.run(other.initializer)
        print(session.run(tf.report_uninitialized_variables()))
        assert session.run(tf.report_uninitialized_variables()).tolist() == [b"my_variable"]


def test_initialized_value_dependency():
    v = tf.get_variable("v", shape=(), initializer=tf.zeros_initializer())
    w = tf.get_variable("w", initializer=v.initialized_value() + 1)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        assert session.run([v, w]) == [0.0, 1.0]


# -- Using variables ----------------------------------------------------------------------------
def test_using_variables():
    v = tf.get_variable("v", shape=(), initializer=tf.zeros_initializer())
    w = v + 1  # w is a tf.Tensor which is computed based on the value of v.
    assert isinstance(w, tf.Tensor) and w.name == "add:0"
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        assert session.run(w) == 1.0


def test_assign_add():
    v = tf.get_variable("v", shape=(), initializer=tf.zeros_initializer())
    assignment = v.assign_add(1)
    with tf.Session().as_default():  # the guide's `.run()` calls need a default session
        tf.global_variables_initializer().run()
        # TF 2.21 differs from the guide here: assign_add returns a Tensor, which has no
        # `run` method ("'SymbolicTensor' object has no attribute 'run'"); tfgraph raises
        # the same AttributeError. Evaluating it (or running its op) does the update.
        with pytest.raises(AttributeError, match="has no attribute 'run'"):
            assignment.run()
        assignment.op.run()
        assert v.eval() == 1.0
        assert assignment.eval() == 2.0


def test_read_value_after_assignment():
    v = tf.get_variable("v", shape=(), initializer=tf.zeros_initializer())
    assignment = v.assign_add(1)
    with tf.control_dependencies([assignment]):
        w = v.read_value()  # w is guaranteed to reflect v's value after the
        # assign_add operation.
    assert w.op.control_inputs == [assignment.op]
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        assert session.run(w) == 1.0
        assert session.run(w) == 2.0


# -- Sharing variables --------------------------------------------------------------------------
def conv_relu(input, kernel_shape, bias_shape):
    # Create variable named "weights".
    weights = tf.get_variable("weights", kernel_shape, initializer=tf.random_normal_initializer())
    # Create variable named "biases".
    biases = tf.get_variable("biases", bias_shape, initializer=tf.constant_initializer(0.0))
    conv = tf.nn.conv2d(input, weights, strides=[1, 1, 1, 1], padding="SAME")
    return tf.nn.relu(conv + biases)


def my_image_filter(input_images):
    with tf.variable_scope("conv1"):
        # Variables created here will be named "conv1/weights", "conv1/biases".
        relu1 = conv_relu(input_images, [5, 5, 1, 32], [32])
    with tf.variable_scope("conv2"):
        # Variables created here will be named "conv2/weights", "conv2/biases".
        return conv_relu(relu1, [5, 5, 32, 32], [32])


MODEL_VARIABLES = [
    "model/conv1/weights:0",
    "model/conv1/biases:0",
    "model/conv2/weights:0",
    "model/conv2/biases:0",
]


def test_conv_relu_twice_fails():
    input1 = tf.random_normal([1, 10, 10, 32])
    tf.random_normal([1, 20, 20, 32])
    # TF 2.21 builds this (grouped convolution: 32 input channels, filter depth 1).
    x = conv_relu(input1, kernel_shape=[5, 5, 1, 32], bias_shape=[32])
    assert x.shape.as_list() == [1, 10, 10, 32]
    with pytest.raises(ValueError, match="Variable weights already exists, disallowed"):
        x = conv_relu(x, kernel_shape=[5, 5, 32, 32], bias_shape=[32])  # This fails.
    assert [v.name for v in tf.global_variables()] == ["weights:0", "biases:0"]


def test_my_image_filter_in_separate_scopes():
    input1 = tf.random_normal([1, 10, 10, 32])
    out = my_image_filter(input1)
    assert [v.name for v in tf.global_variables()] == [
        "conv1/weights:0",
        "conv1/biases:0",
        "conv2/weights:0",
        "conv2/biases:0",
    ]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(out).shape == (1, 10, 10, 32)


def _check_shared(output1, output2):
    assert [v.name for v in tf.global_variables()] == MODEL_VARIABLES
    assert output1.shape.as_list() == [1, 10, 10, 32]
    assert output2.shape.as_list() == [1, 20, 20, 32]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o1, o2 = sess.run([output1, output2])
    assert np.all(o1 >= 0) and np.all(o2 >= 0)


def test_share_with_reuse_true():
    input1 = tf.random_normal([1, 10, 10, 32])
    input2 = tf.random_normal([1, 20, 20, 32])
    with tf.variable_scope("model"):
        output1 = my_image_filter(input1)
    with tf.variable_scope("model", reuse=True):
        output2 = my_image_filter(input2)
    _check_shared(output1, output2)
    assert output2.op.name.startswith("model_1/conv2/")


def test_share_with_reuse_variables():
    input1 = tf.random_normal([1, 10, 10, 32])
    input2 = tf.random_normal([1, 20, 20, 32])
    with tf.variable_scope("model") as scope:
        output1 = my_image_filter(input1)
        scope.reuse_variables()
        output2 = my_image_filter(input2)
    _check_shared(output1, output2)
    assert output2.op.name.startswith("model/conv2_1/")


def test_share_with_scope_object():
    input1 = tf.random_normal([1, 10, 10, 32])
    input2 = tf.random_normal([1, 20, 20, 32])
    with tf.variable_scope("model") as scope:
        output1 = my_image_filter(input1)
    with tf.variable_scope(scope, reuse=True):
        output2 = my_image_filter(input2)
    _check_shared(output1, output2)
    assert output2.op.name.startswith("model_1/conv2/")


def test_sharing_variable_names_without_relu():
    """The sharing examples' variable names, with the convolution part only (runs on this
    branch even without tf.nn.relu)."""

    def conv(input, kernel_shape, bias_shape):
        weights = tf.get_variable(
            "weights", kernel_shape, initializer=tf.random_normal_initializer()
        )
        biases = tf.get_variable("biases", bias_shape, initializer=tf.constant_initializer(0.0))
        return tf.nn.conv2d(input, weights, strides=[1, 1, 1, 1], padding="SAME") + biases

    def image_filter(images):
        with tf.variable_scope("conv1"):
            out = conv(images, [5, 5, 1, 32], [32])
        with tf.variable_scope("conv2"):
            return conv(out, [5, 5, 32, 32], [32])

    input1 = tf.random_normal([1, 10, 10, 32])
    input2 = tf.random_normal([1, 20, 20, 32])
    with tf.variable_scope("model") as scope:
        output1 = image_filter(input1)
    with tf.variable_scope(scope, reuse=True):
        output2 = image_filter(input2)
    assert [v.name for v in tf.global_variables()] == MODEL_VARIABLES
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o1, o2 = sess.run([output1, output2])
    assert o1.shape == (1, 10, 10, 32) and o2.shape == (1, 20, 20, 32)
