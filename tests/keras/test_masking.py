"""Keras masks in graph mode: Embedding(mask_zero=True) and Masking, propagation
through Dense / TimeDistributed / merges, recurrent layers that skip masked steps
(Bidirectional with zeros there), masked pooling, and fit weighing the loss and
accuracy by the mask; against TensorFlow's Keras 2 with the same weights."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(8)
K = tf.keras
L = tf.keras.layers
result = {}
ids = np.array([[3, 1, 4, 0, 0], [2, 0, 0, 0, 0], [5, 9, 2, 6, 5]], "int32")
x = tf.placeholder(tf.int32, [None, 5])


def fill(layers):
    for la in layers:
        la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                        for w in la.weights])


emb = L.Embedding(10, 3, mask_zero=True)
e = emb(x)
lstm = L.LSTM(4)
gru_seq = L.GRU(2, return_sequences=True)
back = L.LSTM(2, return_sequences=True, go_backwards=True)
bi = L.Bidirectional(L.GRU(2, return_sequences=True))
gap = L.GlobalAveragePooling1D()
td = L.TimeDistributed(L.Dense(2))
dense = L.Dense(3)
outs = {
    "lstm": lstm(e),
    "gru_seq": gru_seq(e),
    "back": back(e),
    "bi": bi(e),
    "gap": gap(e),
    "td_then_gap": gap(td(e)),
    "dense_then_lstm": lstm(dense(e)),
}
fill([emb, lstm, gru_seq, back, bi, td, dense])
sess = K.backend.get_session()
result["values"] = sess.run(outs, {x: ids})
result["mask"] = sess.run(emb.compute_mask(x), {x: ids})

mk_in = tf.placeholder(tf.float32, [None, 4, 2])
mk = L.Masking(mask_value=-1.0)
m_out = mk(mk_in)
g2 = L.GRU(3)
g2_out = g2(m_out)
fill([g2])
mv = rng.standard_normal((2, 4, 2)).astype("float32")
mv[0, 2:] = -1.0
sess = K.backend.get_session()
result["masking"] = sess.run([m_out, g2_out], {mk_in: mv})

# a sequence model trained with masked steps: the loss and accuracy ignore them
inp = K.Input((5,), dtype="int32")
h = L.Embedding(10, 4, mask_zero=True)(inp)
h = L.LSTM(3, return_sequences=True)(h)
out = L.TimeDistributed(L.Dense(2, activation="softmax"))(h)
model = K.Model(inp, out)
fill([la for la in model.layers if la.weights])
model.compile(K.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["acc"])
labels = (ids % 2).astype("int32")[..., None]
hist = model.fit(ids, labels, epochs=2, batch_size=2, verbose=0, shuffle=False)
result["fit"] = [hist.history, model.evaluate(ids, labels, verbose=0), model.get_weights()]

result["flatten_drops_the_mask"] = str(L.Flatten()(e).shape)  # (no error, as Keras 2)
"""


@pytest.mark.tf
@requires_tf
def test_masks_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_masked_steps_are_skipped():
    x = tf.placeholder(tf.int32, [None, 4])
    e = L.Embedding(5, 2, mask_zero=True)(x)
    seq = L.GRU(2, return_sequences=True)(e)
    last = L.GRU(2)(e)
    pooled = L.GlobalAveragePooling1D()(e)
    sess = K.backend.get_session()
    ids = np.array([[1, 2, 0, 0]], "int32")
    s, la, p, emb = sess.run([seq, last, pooled, e], {x: ids})
    np.testing.assert_allclose(s[0, 2], s[0, 1])  # masked steps repeat the last output
    np.testing.assert_allclose(s[0, 3], s[0, 1])
    np.testing.assert_allclose(p[0], emb[0, :2].mean(0), rtol=1e-6)
    assert la.shape == (1, 2)


def test_layers_without_masking_drop_the_mask():
    e = L.Embedding(5, 2, mask_zero=True)(tf.placeholder(tf.int32, [None, 4]))
    flat = L.Flatten()(e)
    from tfgraph.keras.engine import keras_tensor

    assert keras_tensor.mask(e) is not None
    assert keras_tensor.mask(flat) is None
    with pytest.raises(TypeError, match="does not support masking"):
        L.Flatten().compute_mask(e, keras_tensor.mask(e))
