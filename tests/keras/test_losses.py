"""tf.keras.losses, activations, initializers and backend basics against TensorFlow's
Keras 2 (graph mode)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras

PROGRAM = """
K = tf.keras
result = {}
rng = np.random.RandomState(4)
logits = rng.standard_normal((5, 3)).astype("float32") * 3
probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
onehot = np.eye(3, dtype="float32")[[0, 2, 1, 1, 0]]
sparse = np.array([0, 2, 1, 1, 0], "int32")
binary = (rng.uniform(size=(5, 3)) > 0.5).astype("float32")
weights = np.array([1.0, 0.5, 0.0, 2.0, 1.0], "float32")
lg = tf.placeholder(tf.float32, [None, 3])
feed = {lg: logits}
p = tf.constant(probs)
sm = tf.nn.softmax(lg)
sg = tf.sigmoid(lg)
ks = K.activations.softmax(lg)
fns = {
    "cce": K.losses.categorical_crossentropy(onehot, p),
    "cce_softmax_op": K.losses.categorical_crossentropy(onehot, sm),
    "cce_keras_softmax": K.losses.categorical_crossentropy(onehot, ks),
    "cce_logits": K.losses.categorical_crossentropy(onehot, lg, from_logits=True),
    "cce_smooth": K.losses.categorical_crossentropy(onehot, p, label_smoothing=0.1),
    "scce": K.losses.sparse_categorical_crossentropy(sparse, p),
    "scce_logits": K.losses.sparse_categorical_crossentropy(sparse, lg, from_logits=True),
    "scce_2d_labels": K.losses.sparse_categorical_crossentropy(sparse[:, None], p),
    "bce": K.losses.binary_crossentropy(binary, tf.constant(1 / (1 + np.exp(-logits)))),
    "bce_sigmoid_op": K.losses.binary_crossentropy(binary, sg),
    "bce_logits": K.losses.binary_crossentropy(binary, lg, from_logits=True),
    "mse": K.losses.mean_squared_error(onehot, p),
    "mae": K.losses.mae(onehot, p),
    "MSE_alias": K.losses.MSE(onehot, p),
    "cls_cce": K.losses.CategoricalCrossentropy()(onehot, p),
    "cls_cce_logits_w": K.losses.CategoricalCrossentropy(from_logits=True)(onehot, lg,
                                                                         sample_weight=weights),
    "cls_scce": K.losses.SparseCategoricalCrossentropy(from_logits=True)(sparse, lg),
    "cls_bce_sum": K.losses.BinaryCrossentropy(reduction="sum")(binary, sg),
    "cls_mse_none": K.losses.MeanSquaredError(reduction="none")(onehot, p),
    "cls_mae": K.losses.MeanAbsoluteError()(onehot, p),
    "cls_mse_1d": K.losses.MeanSquaredError()(np.arange(5, dtype="float32"),
                                              tf.constant(np.ones((5, 1), "float32"))),
}
sess = tf.Session()
result["values"] = sess.run(fns, feed)
extreme = tf.constant([[0.0, 1.0, 0.0]])
result["clipped"] = sess.run(K.losses.categorical_crossentropy([[1.0, 0.0, 0.0]], extreme))

acts = {}
x = tf.constant(np.linspace(-3, 3, 12).reshape(2, 6).astype("float32"))
for name in ["relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign",
             "linear", "exponential", "swish", "hard_sigmoid"]:
    acts[name] = K.activations.get(name)(x)
acts["relu_alpha"] = K.activations.relu(x, alpha=0.1, max_value=2.0)
acts["relu_threshold"] = K.activations.relu(x, threshold=1.0)
acts["relu6"] = K.activations.relu(x, max_value=6.0)
result["activations"] = sess.run(acts)

inits = {}
for name, init in [("zeros", "zeros"), ("ones", "ones"),
                   ("constant", K.initializers.Constant(2.5)),
                   ("identity", K.initializers.Identity(gain=2.0))]:
    inits[name] = K.initializers.get(init)([3, 3], dtype=tf.float32)
result["initializers"] = sess.run(inits)
stats = {}
for name in ["glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
             "lecun_uniform", "random_normal", "random_uniform", "truncated_normal",
             "orthogonal"]:
    v = sess.run(K.initializers.get(name)([200, 300], dtype=tf.float32))
    bounded = "uniform" in name or "truncated" in name or name == "he_normal"
    stats[name] = [round(float(v.std()), 2), round(float(np.abs(v).max()), 1) if bounded else 0]
vs = K.initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform")
v = sess.run(vs([200, 300], dtype=tf.float32))
stats["variance_scaling"] = [round(float(v.std()), 2), round(float(np.abs(v).max()), 1)]
result["init_stats"] = stats
result["backend"] = [K.backend.floatx(), K.backend.epsilon(), K.backend.image_data_format(),
                     K.backend.get_uid("x"), K.backend.get_uid("x")]
"""


@pytest.mark.tf
@requires_tf
def test_losses_activations_initializers_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=2e-5)


def test_losses_by_hand():
    out = ours(PROGRAM)["values"]
    rng = np.random.RandomState(4)
    logits = rng.standard_normal((5, 3)) * 3
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    labels = [0, 2, 1, 1, 0]
    expected = -logp[np.arange(5), labels]
    for key in ("cce_logits", "cce_softmax_op", "cce_keras_softmax", "scce_logits"):
        np.testing.assert_allclose(out[key], expected, rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(out["cls_scce"], expected.mean(), rtol=1e-5)
    weights = np.array([1.0, 0.5, 0.0, 2.0, 1.0])
    np.testing.assert_allclose(out["cls_cce_logits_w"], (expected * weights).sum() / 5, rtol=1e-5)


def test_clipping_keeps_the_loss_finite():
    out = ours(PROGRAM)
    np.testing.assert_allclose(out["clipped"], [-np.log(1e-7)], rtol=1e-4)


def test_backend_constants():
    assert K.backend.floatx() == "float32"
    assert K.backend.epsilon() == 1e-7
    assert K.backend.learning_phase().name == "keras_learning_phase:0"
    assert K.backend.learning_phase() is K.backend.learning_phase()
    with pytest.raises(ValueError, match="Expected learning phase to be 0 or 1"):
        K.backend.set_learning_phase(2)


def test_set_value_and_get_value():
    v = tf.Variable(np.zeros((2, 2), "float32"), use_resource=True)
    K.backend.set_value(v, np.ones((2, 2)))
    np.testing.assert_array_equal(K.backend.get_value(v), np.ones((2, 2)))
    K.backend.batch_set_value([(v, np.full((2, 2), 3.0))])
    assert K.backend.batch_get_value([v])[0][0, 0] == 3.0


def test_unknown_names():
    with pytest.raises(ValueError, match="Unknown loss function: 'nope'"):
        K.losses.get("nope")
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        K.losses.MeanSquaredError(reduction="bad")
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        K.activations.softmax(tf.constant([1.0, 2.0]))


def test_incompatible_shapes_are_refused():
    with pytest.raises(ValueError):
        K.losses.categorical_crossentropy(np.zeros((2, 3), "float32"), tf.zeros([2, 4]))
