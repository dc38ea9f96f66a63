"""More Keras 2 layers (PReLU, ELU, ThresholdedReLU, LayerNormalization, noise and
spatial dropout at test time, Dot, 1-D padding/cropping/upsampling,
ActivityRegularization, DepthwiseConv2D, SeparableConv2D) against TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(12)
K = tf.keras
L = tf.keras.layers
result = {}
x2 = tf.placeholder(tf.float32, [None, 4])
x3 = tf.placeholder(tf.float32, [None, 5, 3])
x4 = tf.placeholder(tf.float32, [None, 6, 6, 3])
v2 = rng.standard_normal((3, 4)).astype("float32")
v3 = rng.standard_normal((2, 5, 3)).astype("float32")
v4 = rng.standard_normal((2, 6, 6, 3)).astype("float32")
layers = {
    "prelu": (L.PReLU(), x2),
    "prelu_shared": (L.PReLU(shared_axes=[1, 2]), x4),
    "elu": (L.ELU(alpha=0.5), x2),
    "thresholded": (L.ThresholdedReLU(theta=0.3), x2),
    "layer_norm": (L.LayerNormalization(), x3),
    "layer_norm_axes": (L.LayerNormalization(axis=[1, 2]), x3),
    "gaussian_noise": (L.GaussianNoise(0.5), x2),
    "gaussian_dropout": (L.GaussianDropout(0.3), x2),
    "spatial1d": (L.SpatialDropout1D(0.5), x3),
    "spatial2d": (L.SpatialDropout2D(0.5), x4),
    "zeropad1d": (L.ZeroPadding1D((1, 2)), x3),
    "crop1d": (L.Cropping1D((1, 2)), x3),
    "upsample1d": (L.UpSampling1D(3), x3),
    "activity_reg": (L.ActivityRegularization(l1=0.1, l2=0.2), x2),
    "depthwise": (L.DepthwiseConv2D(3, depth_multiplier=2), x4),
    "depthwise_same": (L.DepthwiseConv2D((2, 3), strides=2, padding="same"), x4),
    "separable": (L.SeparableConv2D(4, 3, activation="relu"), x4),
}
outs = {k: la(t) for k, (la, t) in layers.items()}
for la, _ in layers.values():
    if la.weights:
        la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32")
                        for w in la.weights])
d = L.Dot(axes=1)
dn = L.Dot(axes=1, normalize=True)
outs["dot"] = d([x2, x2 * 2.0])
outs["dot_norm"] = dn([x2, x2 + 1.0])
sess = K.backend.get_session()
result["values"] = sess.run(outs, {x2: v2, x3: v3, x4: v4})
result["names"] = {k: [w.name for w in la.weights] for k, (la, _) in layers.items()}
result["shapes"] = {k: str(v.shape) for k, v in outs.items()}
result["activity_loss"] = sess.run(layers["activity_reg"][0].losses, {x2: v2})
"""


@pytest.mark.tf
@requires_tf
def test_extra_layers_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_extra_layers_by_hand():
    out = ours(PROGRAM)
    v2 = np.random.RandomState(12).standard_normal((3, 4)).astype("float32")
    np.testing.assert_array_equal(out["values"]["gaussian_noise"], v2)  # test phase
    np.testing.assert_allclose(out["values"]["thresholded"], np.where(v2 > 0.3, v2, 0))
    assert out["names"]["separable"] == [
        "separable_conv2d/depthwise_kernel:0",
        "separable_conv2d/pointwise_kernel:0",
        "separable_conv2d/bias:0",
    ]
    x = tf.placeholder(tf.float32, [None, 3])
    noisy = L.GaussianNoise(1.0)(x, training=True)
    got = K.backend.get_session().run(noisy, {x: np.zeros((200, 3))})
    assert 0.8 < got.std() < 1.2
