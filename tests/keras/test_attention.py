"""Keras 2's Attention, AdditiveAttention, EinsumDense and MultiHeadAttention against
TensorFlow: values, weight names, static shapes, masks and one gradient step."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(5)
K = tf.keras
L = tf.keras.layers
result = {}
q = tf.placeholder(tf.float32, [None, 4, 3])
v = tf.placeholder(tf.float32, [None, 5, 3])
x4 = tf.placeholder(tf.float32, [None, 3, 4, 2])
vq = rng.standard_normal((2, 4, 3)).astype("float32")
vv = rng.standard_normal((2, 5, 3)).astype("float32")
vv[1, 3:] = 0.0
vx = rng.standard_normal((2, 3, 4, 2)).astype("float32")
vm = (rng.uniform(size=(2, 4, 5)) > 0.3)
am = tf.placeholder(tf.bool, [None, 4, 5])
vmask = L.Masking()(v)
layers = {
    "att": (L.Attention(), [q, v]),
    "att_scale": (L.Attention(use_scale=True), [q, v, v * 2.0]),
    "att_concat": (L.Attention(score_mode="concat", use_scale=True), [q, v]),
    "att_masked": (L.Attention(), [q, vmask]),
    "add_att": (L.AdditiveAttention(), [q, v]),
    "add_att_noscale": (L.AdditiveAttention(use_scale=False), [q, v]),
    "add_att_masked": (L.AdditiveAttention(), [q, vmask]),
    "einsum": (L.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"), q[:, 0]),
    "einsum_3d": (L.EinsumDense("abc,cde->abde", output_shape=(None, 2, 5), bias_axes="de",
                                activation="relu"), q),
    "einsum_left": (L.experimental.EinsumDense("...b,bc->...c", output_shape=6), x4),
    "einsum_right": (L.EinsumDense("abc...,cd->abd...", output_shape=(3, 5),
                                   bias_axes="d"), x4[:, :, :, 0:2]),
}
outs = {k: la(t) for k, (la, t) in layers.items()}
outs["att_causal"] = L.Attention()([q, q], use_causal_mask=True)
outs["att_scores"] = L.Attention()([q, v], return_attention_scores=True)[1]
mha = L.MultiHeadAttention(num_heads=2, key_dim=3)
mha_v = L.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=5,
                             use_bias=False)
mha_axes = L.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2))
mha_mask = L.MultiHeadAttention(num_heads=1, key_dim=2)
outs["mha"], outs["mha_scores"] = mha(q, v, return_attention_scores=True)
outs["mha_v"] = mha_v(q, v, key=v * 0.5, attention_mask=am)
outs["mha_axes"] = mha_axes(x4, x4)
outs["mha_mask"] = mha_mask(q, vmask, use_causal_mask=True)
for name, m in [("mha", mha), ("mha_v", mha_v), ("mha_axes", mha_axes), ("mha_mask", mha_mask)]:
    layers[name] = (m, None)
for la, _ in layers.values():
    if la.weights:
        la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                        for w in la.weights])
sess = K.backend.get_session()
feed = {q: vq, v: vv, x4: vx, am: vm}
result["values"] = sess.run(outs, feed)
result["names"] = {k: [w.name for w in la.weights] for k, (la, _) in layers.items()}
result["shapes"] = {k: str(t.shape) for k, t in outs.items()}
trained = [k for k, (la, _) in layers.items() if la.weights]
loss = tf.add_n([tf.reduce_sum(tf.square(outs[k])) for k in trained])
weights = [w for k in trained for w in layers[k][0].weights]
sess.run(tf.train.GradientDescentOptimizer(0.01).minimize(loss, var_list=weights), feed)
result["stepped"] = {k: sess.run(layers[k][0].weights) for k in trained}
configs = {}
for k, (la, _) in layers.items():
    config = la.get_config()
    configs[k] = {key: config[key] for key in sorted(config) if key in (
        "use_scale", "score_mode", "dropout", "equation", "output_shape", "bias_axes",
        "num_heads", "key_dim", "value_dim", "use_bias", "attention_axes")}
    configs[k]["class"] = L.deserialize(L.serialize(la)).__class__.__name__
result["configs"] = configs
"""


@pytest.mark.tf
@requires_tf
def test_attention_layers_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_attention_errors():
    with pytest.raises(ValueError, match="Acceptable values are"):
        L.Attention(score_mode="nope")
    x = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        L.EinsumDense("ab->c", output_shape=2)(x)
    with pytest.raises(ValueError, match="Weight dimension 'z' did not have a match"):
        L.EinsumDense("ab,bz->ab", output_shape=3)(x)
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        L.Attention()(x)
