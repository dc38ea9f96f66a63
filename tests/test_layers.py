"""tf.layers: variables, names, reuse, shapes, training flags, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_dense_computes_x_kernel_plus_bias():
    x = tf.constant([[1.0, 2.0]])
    y = tf.layers.dense(
        x, 3, activation=tf.nn.relu,
        kernel_initializer=tf.constant_initializer([[1, -1, 0], [0.5, 0, 1]]),
        bias_initializer=tf.constant_initializer([0.0, 0.5, -3.0]),
    )  # fmt: skip
    assert y.op.name == "dense/Relu" and y.shape.as_list() == [1, 3]
    np.testing.assert_allclose(_run(y), [[2.0, 0.0, 0.0]])
    assert [v.name for v in tf.trainable_variables()] == ["dense/kernel:0", "dense/bias:0"]


def test_dense_naming_and_reuse():
    x = tf.placeholder(tf.float32, [None, 4])
    a = tf.layers.dense(x, 2)
    b = tf.layers.dense(x, 2)
    c = tf.layers.dense(x, 2, name="head")
    d = tf.layers.dense(x, 2, name="head", reuse=True)
    with tf.variable_scope("tower", reuse=tf.AUTO_REUSE):
        e = tf.layers.dense(x, 2, name="fc")
    with tf.variable_scope("tower", reuse=tf.AUTO_REUSE):
        f = tf.layers.dense(x, 2, name="fc")
    assert [t.op.name for t in (a, b, c, d, e, f)] == [
        "dense/BiasAdd", "dense_1/BiasAdd", "head/BiasAdd", "head_1/BiasAdd",
        "tower/fc/BiasAdd", "tower_1/fc/BiasAdd",
    ]  # fmt: skip
    assert [v.op.name for v in tf.global_variables()] == [
        "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "head/kernel",
        "head/bias", "tower/fc/kernel", "tower/fc/bias",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="already exists, disallowed"):
        tf.layers.dense(x, 2, name="head")


def test_layer_object_is_built_once():
    layer = tf.layers.Dense(3, use_bias=False, name="proj")
    y1 = layer(tf.placeholder(tf.float32, [None, 5]))
    y2 = layer.apply(tf.placeholder(tf.float32, [2, 5]))
    assert layer.built and layer.name == "proj" and layer.scope_name == "proj"
    assert [w.name for w in layer.weights] == ["proj/kernel:0"]
    assert layer.trainable_weights == layer.trainable_variables == layer.weights
    assert y2.shape.as_list() == [2, 3] and y1.op.name == "proj/MatMul"
    assert y2.op.name == "proj/MatMul_1"  # the same name scope again, as in TF
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 5"):
        layer(tf.placeholder(tf.float32, [None, 4]))


def test_regularizers_go_to_the_collection():
    x = tf.ones([2, 3])
    layer = tf.layers.Dense(
        2, kernel_regularizer=tf.nn.l2_loss, bias_regularizer=lambda b: tf.reduce_sum(b),
        activity_regularizer=tf.reduce_sum, name="reg",
    )  # fmt: skip
    layer(x)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.op.name for t in losses] == [
        "reg/kernel/Regularizer/L2Loss",
        "reg/bias/Regularizer/Sum",
        "reg/ActivityRegularizer/truediv",
    ]
    assert layer.losses == losses
    assert tf.losses.get_regularization_loss().op.name == "total_regularization_loss"


def test_non_trainable_layer():
    tf.layers.dense(tf.ones([1, 2]), 2, trainable=False)
    assert tf.trainable_variables() == []
    assert len(tf.global_variables()) == 2


def test_conv_pool_flatten_shapes_and_values():
    img = tf.placeholder(tf.float32, [None, 8, 8, 3], name="img")
    c = tf.layers.conv2d(img, 4, 3, kernel_initializer=tf.ones_initializer())
    s = tf.layers.conv2d(img, 2, (3, 3), strides=2, padding="same", name="strided")
    p = tf.layers.max_pooling2d(c, 2, 2)
    a = tf.layers.average_pooling2d(c, 3, 1, padding="same")
    f = tf.layers.flatten(p)
    assert [t.shape.as_list() for t in (c, s, p, a, f)] == [
        [None, 6, 6, 4], [None, 4, 4, 2], [None, 3, 3, 4], [None, 6, 6, 4], [None, 36],
    ]  # fmt: skip
    assert [t.op.name for t in (c, p, a, f)] == [
        "conv2d/BiasAdd", "max_pooling2d/MaxPool", "average_pooling2d/AvgPool", "flatten/Reshape",
    ]  # fmt: skip
    assert tf.get_default_graph().get_operation_by_name("conv2d/Conv2D").type == "Conv2D"
    value = _run(f, {img: np.ones((2, 8, 8, 3), np.float32)})
    np.testing.assert_allclose(value, 27.0)
    assert tf.get_default_graph().get_tensor_by_name("conv2d/kernel:0").shape.as_list() == [
        3, 3, 3, 4,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="Argument `strides` must not be None."):
        tf.layers.MaxPooling2D(2, None)
    with pytest.raises(ValueError, match="The `padding` argument must be"):
        tf.layers.conv2d(img, 1, 3, padding="full")


def test_dropout_training_flag():
    x = tf.ones([100, 100])
    training = tf.placeholder_with_default(False, [], name="training")
    d = tf.layers.dropout(x, rate=0.5, training=training, seed=1)
    off = tf.layers.dropout(x, rate=0.5)
    on = tf.layers.dropout(x, rate=0.5, training=True)
    assert off.op.type == "Identity" and off.op.name == "dropout_1/Identity"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(d), 1.0)
        kept = sess.run(d, {training: True})
        assert set(np.unique(kept)) <= {0.0, 2.0} and 0.4 < (kept > 0).mean() < 0.6
        assert set(np.unique(sess.run(on))) <= {0.0, 2.0}


def test_dense_errors():
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        tf.layers.dense(tf.ones([3]), 2)
    with pytest.raises(ValueError, match="should be defined. Found None."):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 2)
    with pytest.raises(TypeError, match="Unable to build `Dense` layer with non-floating"):
        tf.layers.dense(tf.ones([2, 2], tf.int32), 2)
    with pytest.raises(ValueError, match="Unknown activation function"):
        tf.layers.dense(tf.ones([2, 2]), 2, activation="swishy")
    with pytest.raises(ValueError, match="has not been used yet"):
        _ = tf.layers.Dense(2).scope_name


def test_a_layer_takes_a_tuple_of_inputs():
    """TF's legacy layers take nested inputs (PhasedLSTMCell's `(time, features)`):
    `build` gets the structure of shapes, `call` the tensors."""
    seen = {}

    class Pair(tf.layers.Layer):
        def build(self, input_shape):
            seen["shapes"] = [s.as_list() for s in input_shape]
            self.w = self.add_weight("w", [3])

        def call(self, inputs):
            a, b = inputs
            return a * self.w + b

    out = Pair()((tf.ones([2, 3]), tf.zeros([2, 3])))
    assert seen["shapes"] == [[2, 3], [2, 3]] and out.shape.as_list() == [2, 3]
    assert [v.op.name for v in tf.global_variables()] == ["pair/w"]
