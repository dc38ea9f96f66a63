"""Keras 2's 3-D layers, Conv1DTranspose, SeparableConv1D, DepthwiseConv1D,
LocallyConnected1D/2D and the small layers (Identity, AlphaDropout, SpatialDropout3D,
dot, serialize/deserialize) against TensorFlow: values, weight names, static shapes
and one gradient step from the same weights."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(3)
K = tf.keras
L = tf.keras.layers
result = {}
x5 = tf.placeholder(tf.float32, [None, 6, 5, 4, 2])
x3 = tf.placeholder(tf.float32, [None, 5, 3])
v5 = rng.standard_normal((2, 6, 5, 4, 2)).astype("float32")
v3 = rng.standard_normal((2, 5, 3)).astype("float32")
layers = {
    "conv3d": (L.Conv3D(3, 2, activation="relu"), x5),
    "conv3d_same": (L.Convolution3D(2, (3, 2, 2), strides=(2, 1, 2), padding="same"), x5),
    "conv3d_dil": (L.Conv3D(2, 2, dilation_rate=2, use_bias=False), x5),
    "conv3dt": (L.Conv3DTranspose(2, 2, strides=2), x5),
    "conv3dt_same": (L.Convolution3DTranspose(3, (3, 2, 2), strides=(1, 2, 1), padding="same"), x5),
    "conv1dt": (L.Conv1DTranspose(4, 3, strides=2), x3),
    "conv1dt_same": (L.Convolution1DTranspose(2, 2, strides=3, padding="same"), x3),
    "conv1d_alias": (L.Convolution1D(2, 2), x3),
    "maxpool3d": (L.MaxPooling3D(), x5),
    "maxpool3d_same": (L.MaxPool3D((3, 2, 2), strides=(2, 2, 1), padding="same"), x5),
    "avgpool3d": (L.AveragePooling3D((2, 2, 1)), x5),
    "avgpool3d_same": (L.AvgPool3D(3, strides=2, padding="same"), x5),
    "gap3d": (L.GlobalAveragePooling3D(), x5),
    "gap3d_keep": (L.GlobalAvgPool3D(keepdims=True), x5),
    "gmp3d": (L.GlobalMaxPooling3D(), x5),
    "gmp3d_alias": (L.GlobalMaxPool3D(), x5),
    "gap1d_alias": (L.GlobalAvgPool1D(), x3),
    "gmp1d_alias": (L.GlobalMaxPool1D(), x3),
    "crop3d": (L.Cropping3D(((1, 2), (0, 1), (1, 1))), x5),
    "crop3d_int": (L.Cropping3D(1), x5),
    "pad3d": (L.ZeroPadding3D((1, 0, 2)), x5),
    "pad3d_pairs": (L.ZeroPadding3D(((0, 1), (2, 0), (1, 1))), x5),
    "up3d": (L.UpSampling3D((2, 1, 3)), x5),
    "sep1d": (L.SeparableConv1D(4, 2, depth_multiplier=2, activation="tanh"), x3),
    "sep1d_causal": (L.SeparableConvolution1D(2, 3, padding="causal", dilation_rate=2), x3),
    "sep1d_same": (L.SeparableConv1D(3, 3, strides=2, padding="same", use_bias=False), x3),
    "dw1d": (L.DepthwiseConv1D(2, depth_multiplier=3), x3),
    "dw1d_same": (L.DepthwiseConv1D(3, strides=2, padding="same"), x3),
    "dw1d_dil": (L.DepthwiseConv1D(2, dilation_rate=2, activation="relu"), x3),
    "local1d": (L.LocallyConnected1D(3, 2, activation="relu"), x3),
    "local1d_stride": (L.LocallyConnected1D(2, 3, strides=2, use_bias=False), x3),
    "local2d": (L.LocallyConnected2D(2, (2, 3), strides=(2, 1)), x5[:, :, :, 0]),
    "identity": (L.Identity(), x3),
    "alpha_dropout": (L.AlphaDropout(0.3), x3),
    "spatial3d": (L.SpatialDropout3D(0.5), x5),
}
outs = {k: la(t) for k, (la, t) in layers.items()}
for la, _ in layers.values():
    if la.weights:
        la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32")
                        for w in la.weights])
outs["dot"] = L.dot([x3[:, 0], x3[:, 1]], axes=1)
sess = K.backend.get_session()
feed = {x5: v5, x3: v3}
result["values"] = sess.run(outs, feed)
result["names"] = {k: [w.name for w in la.weights] for k, (la, _) in layers.items()}
result["shapes"] = {k: str(v.shape) for k, v in outs.items()}
trained = [k for k, (la, _) in layers.items() if la.weights]
loss = tf.add_n([tf.reduce_sum(tf.square(outs[k])) for k in trained])
weights = [w for k in trained for w in layers[k][0].weights]
step = tf.train.GradientDescentOptimizer(0.01).minimize(loss, var_list=weights)
sess.run(step, feed)
result["stepped"] = {k: sess.run(layers[k][0].weights) for k in trained}
STRUCT = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
          "pool_size", "cropping", "size", "depth_multiplier", "output_padding", "rate",
          "use_bias", "activation", "keepdims", "implementation", "groups", "seed",
          "noise_shape")
result["struct"] = {
    k: {key: json.loads(json.dumps(v)) for key, v in sorted(la.get_config().items())
        if key in STRUCT}
    for k, (la, _) in layers.items()
}
result["configs"] = {}
for k, (la, _) in layers.items():
    config = L.serialize(la)
    again = L.deserialize(config)
    result["configs"][k] = [config["class_name"], type(again).__name__,
                            str(again(tf.placeholder(tf.float32, layers[k][1].shape)).shape)]
"""


@pytest.mark.tf
@requires_tf
def test_layers_3d_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_layers_3d_by_hand():
    out = ours(PROGRAM)
    v3 = np.random.RandomState(3)
    v3.standard_normal((2, 6, 5, 4, 2))
    x = v3.standard_normal((2, 5, 3)).astype("float32")
    np.testing.assert_array_equal(out["values"]["identity"], x)
    np.testing.assert_array_equal(out["values"]["alpha_dropout"], x)  # test phase
    assert out["names"]["conv3dt"] == ["conv3d_transpose/kernel:0", "conv3d_transpose/bias:0"]
    assert out["shapes"]["up3d"] == "(?, 12, 5, 12, 2)"


def test_alpha_dropout_keeps_selu_statistics():
    x = tf.placeholder(tf.float32, [None, 50])
    y = L.AlphaDropout(0.2)(x, training=True)
    got = tf.keras.backend.get_session().run(
        y, {x: np.random.RandomState(0).standard_normal((400, 50))}
    )
    assert abs(got.mean()) < 0.05 and abs(got.std() - 1.0) < 0.05


def test_deserialize_unknown_layer():
    with pytest.raises(ValueError, match="Unknown layer: 'Nope'"):
        L.deserialize({"class_name": "Nope", "config": {}})


def test_locally_connected_refusals():
    with pytest.raises(ValueError, match='only "valid" is supported'):
        L.LocallyConnected1D(2, 2, padding="same")
    with pytest.raises(NotImplementedError, match="implementation=1 only"):
        L.LocallyConnected2D(2, 2, implementation=2)


def test_channels_first_3d_is_refused():
    with pytest.raises(NotImplementedError, match="channels_last"):
        L.Conv3D(2, 2, data_format="channels_first")
