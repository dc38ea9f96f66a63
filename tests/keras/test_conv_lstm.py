"""Keras 2's ConvLSTM1D/2D/3D against TensorFlow: weight names and shapes, the default
unit-forget bias, values from the same weights (sequences, last output, states,
backwards) and one gradient step."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(8)
K = tf.keras
L = tf.keras.layers
result = {}
x1 = tf.placeholder(tf.float32, [None, 3, 6, 2])
x2 = tf.placeholder(tf.float32, [None, 3, 5, 4, 2])
x3 = tf.placeholder(tf.float32, [None, 2, 4, 3, 3, 1])
feed = {x1: rng.standard_normal((2, 3, 6, 2)), x2: rng.standard_normal((2, 3, 5, 4, 2)),
        x3: rng.standard_normal((2, 2, 4, 3, 3, 1))}
layers = {
    "c1": (L.ConvLSTM1D(3, 3), x1),
    "c1_seq": (L.ConvLSTM1D(2, 2, strides=2, padding="same", return_sequences=True), x1),
    "c2": (L.ConvLSTM2D(2, (2, 3), activation="relu"), x2),
    "c2_state": (L.ConvLSTM2D(3, 2, padding="same", return_state=True, go_backwards=True), x2),
    "c2_dil": (L.ConvLSTM2D(2, 2, dilation_rate=2, use_bias=False, return_sequences=True), x2),
    "c2_drop": (L.ConvLSTM2D(2, 2, dropout=0.3, recurrent_dropout=0.2), x2),
    "c3": (L.ConvLSTM3D(2, 2, return_sequences=True, unit_forget_bias=False), x3),
}
outs = {k: la(t) for k, (la, t) in layers.items()}
sess = K.backend.get_session()
result["biases"] = {k: sess.run(la.weights[-1]).tolist() for k, (la, _) in layers.items()
                    if la.use_bias}
for la, _ in layers.values():
    la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.3
                    for w in la.weights])
result["names"] = {k: [w.name for w in la.weights] for k, (la, _) in layers.items()}
result["shapes"] = {k: str([t.shape for t in v] if isinstance(v, list) else v.shape)
                    for k, v in outs.items()}
result["values"] = sess.run(outs, feed)
flat = [outs[k] for k in outs if k != "c2_state"] + list(outs["c2_state"])
loss = tf.add_n([tf.reduce_sum(tf.square(t)) for t in flat])
weights = [w for la, _ in layers.values() for w in la.weights]
sess.run(tf.train.GradientDescentOptimizer(0.01).minimize(loss, var_list=weights), feed)
result["stepped"] = {k: sess.run(la.weights) for k, (la, _) in layers.items()}
KEYS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
        "return_sequences", "return_state", "go_backwards", "stateful", "dropout",
        "recurrent_dropout")
result["configs"] = {
    k: {key: json.loads(json.dumps(v)) for key, v in la.get_config().items() if key in KEYS}
    for k, (la, _) in layers.items()
}
again = L.deserialize(L.serialize(layers["c2"][0]))
result["again"] = [type(again).__name__, str(again(x2).shape)]
"""


@pytest.mark.tf
@requires_tf
def test_conv_lstm_matches_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_conv_lstm_refusals():
    with pytest.raises(NotImplementedError, match="not stateful"):
        L.ConvLSTM2D(2, 2, stateful=True)


def test_conv_lstm_dropout_in_training_only():
    x = tf.placeholder(tf.float32, [None, 3, 4, 4, 2])
    layer = L.ConvLSTM2D(4, 2, dropout=0.5, recurrent_dropout=0.5)
    train, test = layer(x, training=True), layer(x, training=False)
    plain = L.ConvLSTM2D(4, 2)
    ref = plain(x)
    sess = tf.keras.backend.get_session()
    plain.set_weights(layer.get_weights())
    v = np.random.RandomState(0).standard_normal((8, 3, 4, 4, 2))
    got_train, got_test, want = sess.run([train, test, ref], {x: v})
    np.testing.assert_allclose(got_test, want, rtol=1e-5, atol=1e-6)
    assert np.abs(got_train - want).max() > 1e-3
