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
    # (the bound, to 0.1: a uniform draw can be minval itself, -0.05 for random_uniform,
    # once in 2**23 samples: 0.7% of runs here, so the maximum is shrunk a little first)
    peak = round(float(np.abs(v).max()) * 0.999, 1)
    stats[name] = [round(float(v.std()), 2), peak if bounded else 0]
vs = K.initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform")
v = sess.run(vs([200, 300], dtype=tf.float32))
stats["variance_scaling"] = [round(float(v.std()), 2), round(float(np.abs(v).max()) * 0.999, 1)]
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


ALL_LOSSES = """
K = tf.keras
L = K.losses
result = {}
rng = np.random.RandomState(7)
logits = rng.standard_normal((4, 3)).astype("float32") * 2
probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
onehot = np.eye(3, dtype="float32")[[0, 2, 1, 1]]
binary = (rng.uniform(size=(4, 3)) > 0.5).astype("float32")
signs = 2 * binary - 1
reg_true = rng.uniform(0.1, 3, (4, 3)).astype("float32")
reg_pred = (reg_true + rng.standard_normal((4, 3)) * 1.5).astype("float32")
counts = rng.poisson(2, (4, 3)).astype("float32")
weights = np.array([1.0, 0.5, 0.0, 2.0], "float32")
lg = tf.placeholder(tf.float32, [None, 3])
feed = {lg: logits}
p = tf.nn.softmax(lg)
sg = tf.sigmoid(lg)
rp = tf.constant(reg_pred)
fns = {
    "huber": L.get("huber")(reg_true, rp),
    "huber_d": L.get("huber")(reg_true, rp, delta=0.5),
    "hinge": L.hinge(binary, lg),
    "hinge_signs": L.hinge(signs, lg),
    "squared_hinge": L.squared_hinge(binary, lg),
    "categorical_hinge": L.categorical_hinge(onehot, lg),
    "log_cosh": L.log_cosh(reg_true, rp),
    "logcosh": L.logcosh(reg_true, rp),
    "kld": L.kld(onehot, p),
    "kl_divergence": L.kl_divergence(probs[::-1].copy(), p),
    "kullback": L.kullback_leibler_divergence(onehot, p),
    "KLD": L.KLD(onehot, p),
    "poisson": L.poisson(counts, tf.exp(lg)),
    "cosine_similarity": L.cosine_similarity(reg_true, rp),
    "cosine_axis0": L.cosine_similarity(reg_true, rp, axis=0),
    "cosine": L.cosine(reg_true, rp),
    "cosine_proximity": L.cosine_proximity(reg_true, rp),
    "mape": L.mape(reg_true, rp),
    "MAPE": L.MAPE(np.zeros((4, 3), "float32"), rp),
    "msle": L.msle(reg_true, rp),
    "MSLE": L.MSLE(reg_true, rp),
    "bfce": L.binary_focal_crossentropy(binary, sg),
    "bfce_logits": L.binary_focal_crossentropy(binary, lg, from_logits=True, gamma=1.5),
    "bfce_balanced": L.binary_focal_crossentropy(binary, tf.constant(1 / (1 + np.exp(-logits))),
                                                 apply_class_balancing=True, alpha=0.3,
                                                 label_smoothing=0.1),
    "cfce": L.categorical_focal_crossentropy(onehot, tf.constant(probs)),
    "cfce_softmax": L.categorical_focal_crossentropy(onehot, p, alpha=0.5, gamma=1.0),
    "cfce_logits": L.categorical_focal_crossentropy(onehot, lg, from_logits=True,
                                                    label_smoothing=0.2),
    "scce_ignore": L.sparse_categorical_crossentropy([0, 2, -1, 1], p, ignore_class=-1),
    "cls_huber": L.Huber()(reg_true, rp),
    "cls_huber_d_w": L.Huber(delta=0.3)(reg_true, rp, sample_weight=weights),
    "cls_hinge_sum": L.Hinge(reduction="sum")(binary, lg),
    "cls_squared_hinge_none": L.SquaredHinge(reduction="none")(binary, lg),
    "cls_categorical_hinge_w": L.CategoricalHinge()(onehot, lg, sample_weight=weights),
    "cls_logcosh": L.LogCosh()(reg_true, rp),
    "cls_kld_w": L.KLDivergence()(onehot, p, sample_weight=weights),
    "cls_poisson_none": L.Poisson(reduction="none")(counts, tf.exp(lg)),
    "cls_cosine": L.CosineSimilarity()(reg_true, rp),
    "cls_cosine_axis0": L.CosineSimilarity(axis=0, reduction="sum")(reg_true, rp),
    "cls_mape_w": L.MeanAbsolutePercentageError()(reg_true, rp, sample_weight=weights),
    "cls_msle": L.MeanSquaredLogarithmicError()(reg_true, rp),
    "cls_bfce": L.BinaryFocalCrossentropy()(binary, sg),
    "cls_bfce_args": L.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=3.0,
                                               from_logits=True, label_smoothing=0.05)(
        binary, lg, sample_weight=weights),
    "cls_cfce": L.CategoricalFocalCrossentropy()(onehot, p),
    "cls_cfce_args": L.CategoricalFocalCrossentropy(alpha=0.7, gamma=0.5, from_logits=True,
                                                    reduction="sum")(onehot, lg),
    "cls_scce_ignore": L.SparseCategoricalCrossentropy(ignore_class=1)([0, 2, 1, 1], p),
    "cls_scce_ignore_w": L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1)(
        [0, 2, 1, 1], lg, sample_weight=weights),
    "cls_scce_ignore_sum": L.SparseCategoricalCrossentropy(ignore_class=2, reduction="sum")(
        [0, 2, 1, 1], p),
    "cls_huber_squeeze": L.Huber()(np.arange(4, dtype="float32"),
                                   tf.constant(np.ones((4, 1), "float32"))),
}
y3 = rng.standard_normal((4, 4, 2)).astype("float32")
p3 = tf.constant(rng.standard_normal((4, 4, 2)).astype("float32"))
fns["cls_mse_3d_w"] = L.MeanSquaredError()(y3, p3, sample_weight=weights)
fns["cls_mse_3d_w2"] = L.MeanSquaredError(reduction="sum")(y3, p3, sample_weight=weights[:, None])
fns["cls_named_w"] = L.LogCosh(name="named")(reg_true, rp, sample_weight=weights[:, None])
result["op_names"] = sorted(o.name for o in tf.get_default_graph().get_operations()
                            if o.name.startswith("named/"))
sess = tf.Session()
result["values"] = sess.run(fns, feed)
grads = {k: tf.gradients(v, lg)[0] for k, v in fns.items() if k.startswith("cls_")}
result["gradients"] = sess.run({k: g for k, g in grads.items() if g is not None}, feed)
classes = [L.Huber(delta=2.0), L.Hinge(), L.SquaredHinge(), L.CategoricalHinge(), L.LogCosh(),
           L.KLDivergence(), L.Poisson(), L.CosineSimilarity(axis=0),
           L.MeanAbsolutePercentageError(), L.MeanSquaredLogarithmicError(reduction="sum"),
           L.BinaryFocalCrossentropy(alpha=0.1), L.CategoricalFocalCrossentropy(gamma=1.0),
           L.SparseCategoricalCrossentropy(ignore_class=3)]
result["configs"] = {type(c).__name__: c.get_config() for c in classes}
result["serialized"] = [L.serialize(c) for c in classes]
result["round_trip"] = [L.deserialize(L.serialize(c)).get_config() for c in classes]
result["from_config"] = [type(c).from_config(c.get_config()).get_config() for c in classes]
names = ["huber", "huber_loss", "logcosh", "log_cosh", "kld", "KLD", "kl_divergence",
         "kullback_leibler_divergence", "cosine_similarity", "mape", "MAPE", "msle", "MSLE",
         "poisson", "hinge", "squared_hinge", "categorical_hinge", "binary_focal_crossentropy",
         "categorical_focal_crossentropy", "bce", "BCE", "mean_absolute_percentage_error",
         "mean_squared_logarithmic_error"]
result["get_functions"] = {n: L.get(n).__name__ for n in names}
cls_names = ["Huber", "Hinge", "SquaredHinge", "CategoricalHinge", "LogCosh", "KLDivergence",
             "Poisson", "CosineSimilarity", "MeanAbsolutePercentageError",
             "MeanSquaredLogarithmicError", "BinaryFocalCrossentropy",
             "CategoricalFocalCrossentropy"]
result["get_classes"] = {n: L.get(n).get_config() for n in cls_names}
result["get_dict"] = L.get({"class_name": "Huber", "config": {"delta": 3.0}}).get_config()
errors = {}
for bad in ["cosine", "cosine_proximity", "nope", {"class_name": "Nope", "config": {}}]:
    try:
        L.get(bad)
        errors[str(bad)] = "no error"
    except ValueError as e:
        errors[str(bad)] = str(e).split(".")[0]
result["errors"] = errors
metric_names = ["binary_focal_crossentropy", "categorical_focal_crossentropy", "cosine",
                "cosine_proximity", "hinge", "kl_divergence", "kld", "kullback_leibler_divergence",
                "log_cosh", "logcosh", "mape", "mean_absolute_percentage_error",
                "mean_squared_logarithmic_error", "msle", "poisson", "squared_hinge"]
result["metric_functions"] = {n: getattr(K.metrics, n).__name__ for n in metric_names}

compiled = {}
x = rng.uniform(0.1, 1, (6, 3)).astype("float32")
y = rng.uniform(0.1, 1, (6, 2)).astype("float32")
for loss in ["huber", "logcosh", "kld", "poisson", "mape", "msle", "hinge", "squared_hinge",
             "categorical_hinge", "cosine_similarity", "binary_focal_crossentropy",
             "categorical_focal_crossentropy"]:
    model = K.Sequential([K.layers.Dense(2, activation="softmax", kernel_initializer="ones",
                                         input_shape=(3,))])
    model.compile(optimizer="sgd", loss=loss)
    compiled[loss] = model.evaluate(x, y, verbose=0)
labels = np.array([0, 2, 1, 2, 1, 0], "float32")[:, None]
for key, loss in [("scce_ignore", L.SparseCategoricalCrossentropy(ignore_class=2)),
                  ("huber_object", L.Huber(delta=0.2)),
                  ("bfce_object", L.BinaryFocalCrossentropy(apply_class_balancing=True))]:
    width = 3 if key == "scce_ignore" else 2
    model = K.Sequential([K.layers.Dense(width, activation="softmax", input_shape=(3,),
                                         kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss=loss)
    compiled[key] = model.evaluate(x, labels if key == "scce_ignore" else y, verbose=0)
result["compiled"] = compiled
"""


@pytest.mark.tf
@requires_tf
def test_all_keras_losses_match_tensorflow():
    expected = theirs(ALL_LOSSES)
    tf.reset_default_graph()
    assert_same(ours(ALL_LOSSES), expected, rtol=2e-5)


def test_loss_name_scopes_as_keras():
    wrapper = K.losses.LossFunctionWrapper(lambda a, b: a - b, name="<lambda>")
    assert wrapper(tf.ones([2]), tf.zeros([2])).name.startswith("lambda/")
    stripped = K.losses.LossFunctionWrapper(K.losses.mse, name="_x_")
    assert stripped(tf.ones([2]), tf.zeros([2])).name.startswith("x/")
    assert K.losses.Huber()(tf.ones([2, 1]), tf.zeros([2, 1])).name.startswith("huber_loss/")
