"""Keras 2's RandomFourierFeatures (tf.keras.layers.experimental) against TensorFlow:
weight names and trainability, values from the same weights, the kernel scale's
gradient step and its non-negativity constraint."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

E = tf.keras.layers.experimental

PROGRAM = """
rng = np.random.RandomState(2)
K = tf.keras
E = tf.keras.layers.experimental
result = {}
x = tf.placeholder(tf.float32, [None, 4])
vx = rng.standard_normal((3, 4)).astype("float32")
layers = {
    "gauss": E.RandomFourierFeatures(6),
    "laplace": E.RandomFourierFeatures(5, kernel_initializer="laplacian", scale=2.0),
    "trained": E.RandomFourierFeatures(3, trainable=True),
}
outs = {k: la(x) for k, la in layers.items()}
sess = K.backend.get_session()
result["scales"] = {k: sess.run(la.kernel_scale).tolist() for k, la in layers.items()}
for la in layers.values():
    la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") for w in la.weights])
result["names"] = {k: [w.name for w in la.weights] for k, la in layers.items()}
result["trainable"] = {k: [w.name for w in la.trainable_weights] for k, la in layers.items()}
result["values"] = sess.run(outs, {x: vx})
result["shapes"] = {k: str(v.shape) for k, v in outs.items()}
la = layers["trained"]
loss = tf.reduce_sum(outs["trained"])
opt = tf.train.GradientDescentOptimizer(0.5)
step = opt.minimize(loss, var_list=la.trainable_weights)
sess.run(step, {x: vx})
result["stepped"] = sess.run(la.weights)
cfg = la.get_config()
result["config"] = [cfg["output_dim"], cfg["kernel_initializer"], cfg["scale"], cfg["trainable"]]
"""


@pytest.mark.tf
@requires_tf
def test_random_fourier_features_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_random_fourier_features_errors():
    with pytest.raises(ValueError, match="Unsupported `kernel_initializer`"):
        E.RandomFourierFeatures(3, kernel_initializer="cosine")
    with pytest.raises(ValueError, match="should be a positive integer"):
        E.RandomFourierFeatures(0)
    x = tf.placeholder(tf.float32, [None, 2, 3])
    with pytest.raises(ValueError, match="rank of the input tensor should be 2"):
        E.RandomFourierFeatures(3)(x)


def test_random_fourier_features_draws():
    x = tf.placeholder(tf.float32, [None, 50])
    layer = E.RandomFourierFeatures(400)
    layer(x)
    kernel, bias = tf.keras.backend.get_session().run([layer.unscaled_kernel, layer.bias])
    assert abs(kernel.std() - 1.0) < 0.05 and bias.min() >= 0 and bias.max() < 2 * np.pi
