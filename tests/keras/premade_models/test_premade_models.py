"""`tf.keras.experimental.LinearModel` and `WideDeepModel` against tf_keras: weights
(names, shapes), outputs, training with `fit`, configs."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
K = tf.keras
E = tf.keras.experimental
rng = np.random.RandomState(1)
xa = rng.rand(8, 3).astype("float32")
xb = rng.rand(8, 2).astype("float32")
y = rng.rand(8, 1).astype("float32")
result = {}

lin = E.LinearModel(kernel_initializer="ones", bias_initializer="ones")
lin.compile(K.optimizers.SGD(0.1), "mse")
h = lin.fit(xa, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
result["linear"] = [[w.name for w in lin.weights], [w.shape.as_list() for w in lin.weights],
                    h.history["loss"], lin.get_weights(), lin.predict(xa)]

multi = E.LinearModel(units=2, activation="sigmoid", kernel_initializer="ones")
out = multi([tf.constant(xa), tf.constant(xb)])
dmodel = E.LinearModel(kernel_initializer="ones", use_bias=False)
dout = dmodel({"b": tf.constant(xb), "a": tf.constant(xa)})
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    result["multi"] = [s.run(out), [w.name for w in multi.weights]]
    result["dict"] = [s.run(dout), [w.name for w in dmodel.weights],
                      [l.name for l in dmodel.dense_layers]]
cfg = E.LinearModel(units=3, activation="relu", use_bias=False).get_config()
result["config"] = {k: cfg[k] for k in ("units", "activation", "use_bias")}

wl = E.LinearModel(kernel_initializer="ones")
dnn = K.Sequential([K.layers.Dense(4, activation="relu", kernel_initializer="ones"),
                    K.layers.Dense(1, kernel_initializer="ones")])
wide = E.WideDeepModel(wl, dnn, activation="sigmoid")
wide.compile(K.optimizers.SGD(0.05), "mse")
h = wide.fit([xa, xb], y, batch_size=4, epochs=2, verbose=0, shuffle=False)
result["wide"] = [[w.name for w in wide.weights], h.history["loss"], wide.get_weights(),
                  wide.predict([xa, xb])]
"""


@pytest.mark.tf
@requires_tf
def test_premade_models_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM), rtol=1e-5, atol=1e-6)


def test_dict_inputs_must_have_the_built_keys():
    model = tf.keras.experimental.LinearModel()
    model({"a": tf.zeros([2, 1]), "b": tf.zeros([2, 1])})
    with pytest.raises(ValueError, match="Missing keys: {'b'}"):
        model({"a": tf.zeros([2, 1])})
