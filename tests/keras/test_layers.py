"""tf.keras.layers in graph mode: outputs, weight and op names, BatchNormalization's
updates and the learning phase, compared with TensorFlow's Keras 2 (same weights set
from numpy on both sides); errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(0)
K = tf.keras
L = tf.keras.layers
result = {}


def run(layer, x_value, name, extra=None, training=None):
    x = tf.placeholder(tf.float32 if x_value.dtype.kind == "f" else tf.int32,
                       [None, *x_value.shape[1:]])
    y = layer(x) if training is None else layer(x, training=training)
    weights = [rng.standard_normal(w.shape.as_list()).astype("float32") for w in layer.weights]
    if weights:
        layer.set_weights(weights)
    sess = K.backend.get_session()
    result[name] = {
        "out": sess.run(y, {x: x_value}),
        "out_name": y.name,
        "out_shape": str(y.shape),
        "weights": [w.name for w in layer.weights],
        "trainable": [w.name for w in layer.trainable_weights],
        "layer": layer.name,
    }
    return x, y


x2 = rng.standard_normal((3, 4)).astype("float32")
x3 = rng.standard_normal((2, 6, 3)).astype("float32")
x4 = rng.standard_normal((2, 6, 6, 3)).astype("float32")
run(L.Dense(5), x2, "dense")
run(L.Dense(5, activation="relu", use_bias=False), x2, "dense_relu")
run(L.Dense(2, activation="softmax"), x2, "dense_softmax")
run(L.Dense(2), x3, "dense_rank3")
run(L.Conv2D(4, 3), x4, "conv2d")
run(L.Conv2D(2, (3, 2), strides=2, padding="same", activation="tanh"), x4, "conv2d_same")
run(L.MaxPooling2D(), x4, "maxpool")
run(L.AveragePooling2D(3, strides=1, padding="same"), x4, "avgpool")
run(L.GlobalAveragePooling2D(), x4, "gap")
run(L.Conv1D(4, 3), x3, "conv1d")
run(L.MaxPooling1D(2), x3, "maxpool1d")
run(L.Flatten(), x4, "flatten")
run(L.Reshape((3, -1)), x3, "reshape")
run(L.Activation("sigmoid"), x2, "activation")
run(L.Dropout(0.5), x2, "dropout_test")
run(L.Embedding(10, 3), np.array([[1, 2], [9, 0]], "int32"), "embedding")
run(L.BatchNormalization(), x2, "bn_inference")
run(L.BatchNormalization(), x2, "bn_training", training=True)
run(L.BatchNormalization(axis=1), x4, "bn_axis1", training=True)
run(L.BatchNormalization(), x4, "bn_4d", training=True)

a = tf.placeholder(tf.float32, [None, 4])
b = tf.placeholder(tf.float32, [None, 2])
c = L.Concatenate()([a, b])
s = L.Add()([a, a])
sess = K.backend.get_session()
result["merge"] = sess.run([c, s], {a: x2, b: x2[:, :2]})
result["merge_names"] = [c.name, s.name]

# updates of batch normalization, run with the learning phase fed
bn = L.BatchNormalization(momentum=0.9)
xb = tf.placeholder(tf.float32, [None, 3])
yb = bn(xb)
sess = K.backend.get_session()
xv = rng.standard_normal((5, 3)).astype("float32")
result["bn_updates"] = [op.name for op in bn.updates]
result["bn_update_ops_collection"] = len(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
result["bn_phase_false"] = sess.run([yb, bn.updates], {xb: xv})[0]
result["bn_after_test_run"] = sess.run(bn.moving_mean)
out, _ = sess.run([yb, bn.updates], {xb: xv, K.backend.learning_phase(): True})
result["bn_phase_true"] = out
result["bn_moving"] = sess.run([bn.moving_mean, bn.moving_variance])

# dropout in training: each value is 0 or x / (1 - rate)
d = L.Dropout(0.25)
xd = tf.placeholder(tf.float32, [None, 8])
yd = d(xd)
ones = np.ones((50, 8), "float32")
sess = K.backend.get_session()
vals = sess.run(yd, {xd: ones, K.backend.learning_phase(): 1})
result["dropout_values"] = sorted({round(float(v), 5) for v in vals.ravel()})
test_vals = sess.run(yd, {xd: ones})
result["dropout_test_values"] = sorted({round(float(v), 5) for v in test_vals.ravel()})
result["learning_phase"] = [K.backend.learning_phase().name, str(K.backend.learning_phase().dtype)]

bn4 = L.BatchNormalization(momentum=0.5)
x4p = tf.placeholder(tf.float32, [None, 3, 3, 2])
y4 = bn4(x4p)
sess = K.backend.get_session()
x4v = (np.arange(36, dtype="float32").reshape(2, 3, 3, 2) ** 1.5).astype("float32")
result["bn4_test"] = sess.run([y4, bn4.updates], {x4p: x4v})[0]
result["bn4_moving_after_test"] = sess.run([bn4.moving_mean, bn4.moving_variance])
result["bn4_train"] = sess.run([y4, bn4.updates], {x4p: x4v, K.backend.learning_phase(): 1})[0]
result["bn4_moving"] = sess.run([bn4.moving_mean, bn4.moving_variance])
result["bn4_updates"] = [op.name for op in bn4.updates]
bn4b = L.BatchNormalization(axis=1, momentum=0.5, center=False)
y4b = bn4b(x4p, training=True)
sess = K.backend.get_session()
sess.run(bn4b.updates, {x4p: x4v})
result["bn4b"] = [sess.run(y4b, {x4p: x4v}), sess.run(bn4b.moving_variance),
                  [w.name for w in bn4b.weights]]

run(L.Conv2DTranspose(2, 3), x4, "conv2d_transpose")
run(L.Conv2DTranspose(3, (2, 3), strides=2, padding="same", activation="relu"), x4,
    "conv2d_transpose_same")
run(L.Cropping2D(((1, 0), (2, 1))), x4, "cropping")
"""


@pytest.mark.tf
@requires_tf
def test_layers_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_dense_by_hand():
    out = ours(PROGRAM)
    rng = np.random.RandomState(0)
    x = rng.standard_normal((3, 4)).astype("float32")
    rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 6, 3))
    kernel = rng.standard_normal((4, 5)).astype("float32")
    bias = rng.standard_normal(5).astype("float32")
    np.testing.assert_allclose(out["dense"]["out"], x @ kernel + bias, rtol=1e-5)
    assert out["dense"]["weights"] == ["dense/kernel:0", "dense/bias:0"]
    assert out["dense"]["out_name"] == "dense/BiasAdd:0"
    assert out["dense_relu"]["weights"] == ["dense_1/kernel:0"]
    assert out["bn_inference"]["weights"] == [
        "batch_normalization/gamma:0",
        "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0",
    ]
    assert out["bn_inference"]["trainable"] == out["bn_inference"]["weights"][:2]
    assert out["dropout_values"] == [0.0, 1.33333]
    assert out["dropout_test_values"] == [1.0]
    assert out["learning_phase"] == ["keras_learning_phase:0", "<dtype: 'bool'>"]
    assert out["bn_update_ops_collection"] == 0


def test_batch_norm_moving_averages_by_hand():
    bn = L.BatchNormalization(momentum=0.9)
    x = tf.placeholder(tf.float32, [None, 2])
    bn(x)
    xv = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 1.0]], "float32")
    sess = K.backend.get_session()
    sess.run(bn.updates, {x: xv})  # learning phase False: no change
    np.testing.assert_allclose(sess.run(bn.moving_mean), [0.0, 0.0])
    sess.run(bn.updates, {x: xv, K.backend.learning_phase(): True})
    np.testing.assert_allclose(sess.run(bn.moving_mean), 0.1 * xv.mean(0), rtol=1e-6)
    np.testing.assert_allclose(sess.run(bn.moving_variance), 0.9 + 0.1 * xv.var(0), rtol=1e-6)


def test_set_learning_phase_fixes_training():
    K.backend.set_learning_phase(1)
    d = L.Dropout(0.5)
    y = d(tf.ones([100, 10]))
    values = set(np.unique(K.backend.get_session().run(y)))
    assert values <= {0.0, 2.0} and len(values) == 2


def test_dense_on_rank_1_input_is_refused():
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        L.Dense(2)(tf.placeholder(tf.float32, [4]))


def test_dense_on_another_input_size_is_refused():
    d = L.Dense(2)
    d(tf.placeholder(tf.float32, [None, 4]))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        d(tf.placeholder(tf.float32, [None, 5]))


def test_conv2d_needs_rank_4():
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=2"):
        L.Conv2D(2, 3)(tf.placeholder(tf.float32, [None, 4]))


def test_concatenate_shapes_must_match():
    a = tf.placeholder(tf.float32, [None, 2, 2])
    b = tf.placeholder(tf.float32, [None, 3, 3])
    with pytest.raises(ValueError, match="requires inputs with matching shapes except for"):
        L.Concatenate()([a, b])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        L.Add()(tf.placeholder(tf.float32, [None, 2]))


def test_set_weights_checks_count_and_shapes():
    d = L.Dense(2)
    d(tf.placeholder(tf.float32, [None, 3]))
    with pytest.raises(ValueError, match="was expecting 2 weights"):
        d.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"weight shape \(3, 2\) is not compatible"):
        d.set_weights([np.zeros((2, 2)), np.zeros(2)])


def test_unknown_activation_and_initializer():
    with pytest.raises(ValueError, match="Unknown activation function: 'nope'"):
        L.Dense(2, activation="nope")
    with pytest.raises(ValueError, match="Unknown initializer: 'nope'"):
        L.Dense(2, kernel_initializer="nope")(tf.placeholder(tf.float32, [None, 2]))


def test_unknown_keyword_argument():
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        L.Dense(2, bogus=1)


def test_layers_run_eagerly_in_test_mode():
    """With TF2 behaviour the layers run eagerly; the learning phase is 0 (no
    placeholder), so Dropout is the identity unless `training=True`."""
    tf.enable_v2_behavior()
    dense = L.Dense(2, kernel_initializer="ones")
    np.testing.assert_array_equal(dense(np.ones((1, 3), "float32")).numpy(), [[3.0, 3.0]])
    dropout = L.Dropout(0.5)
    np.testing.assert_array_equal(dropout(np.ones((1, 4), "float32")).numpy(), np.ones((1, 4)))
    dropped = dropout(np.ones((1, 100), "float32"), training=True).numpy()
    assert set(np.unique(dropped)) <= {0.0, 2.0}
