"""tf.keras.layers.LSTM and GRU in graph mode (Keras 2's v1 layers: hard_sigmoid gates,
a while loop over time), Bidirectional and TimeDistributed, against TensorFlow with the
same weights."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(5)
K = tf.keras
L = tf.keras.layers
result = {}
x = tf.placeholder(tf.float32, [None, 5, 3])
xv = rng.standard_normal((2, 5, 3)).astype("float32")
layers = {
    "lstm": L.LSTM(4),
    "lstm_seq": L.LSTM(3, return_sequences=True, go_backwards=True),
    "lstm_state": L.LSTM(2, return_state=True, activation="relu", recurrent_activation="sigmoid"),
    "gru": L.GRU(4),
    "gru_seq": L.GRU(2, return_sequences=True),
    "gru_after": L.GRU(3, reset_after=True, recurrent_activation="sigmoid"),
    "lstm_dropout": L.LSTM(3, dropout=0.3, recurrent_dropout=0.2),  # (test phase: no-op)
    "gru_dropout": L.GRU(3, dropout=0.5, return_sequences=True),
}
outs = {k: la(x) for k, la in layers.items()}
for la in layers.values():
    la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                    for w in la.weights])
sess = K.backend.get_session()
result["values"] = sess.run(outs, {x: xv})
result["names"] = {k: [w.name for w in la.weights] for k, la in layers.items()}
result["shapes"] = {k: str(v.shape) if not isinstance(v, list) else [str(t.shape) for t in v]
                    for k, v in outs.items()}

# the default bias of an LSTM (unit forget bias) and a training step through the loop
fresh = L.LSTM(2)
y = fresh(x)
sess = K.backend.get_session()
result["lstm_bias"] = sess.run(fresh.cell.bias)
model = K.Sequential([L.GRU(3, input_shape=(5, 3)), L.Dense(1)])
model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                   for w in model.weights])
model.compile(K.optimizers.SGD(0.1), "mse")
hist = model.fit(xv, np.array([[1.0], [-1.0]], "float32"), epochs=2, verbose=0, shuffle=False)
result["fit"] = [hist.history["loss"], model.get_weights()]

wrapped = {
    "bi_concat": L.Bidirectional(L.LSTM(2, return_sequences=True)),
    "bi_sum": L.Bidirectional(L.GRU(2), merge_mode="sum"),
    "bi_ave_state": L.Bidirectional(L.GRU(2, return_state=True), merge_mode="ave"),
    "td_dense": L.TimeDistributed(L.Dense(4, activation="relu")),
}
wouts = {k: la(x) for k, la in wrapped.items()}
for la in wrapped.values():
    la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                    for w in la.weights])
sess = K.backend.get_session()
result["wrapped"] = sess.run(wouts, {x: xv})
result["wrapped_names"] = {k: [la.name, [w.name for w in la.weights]] for k, la in wrapped.items()}
result["wrapped_shapes"] = {k: str(v.shape) if not isinstance(v, list) else
                            [str(t.shape) for t in v] for k, v in wouts.items()}
"""


@pytest.mark.tf
@requires_tf
def test_recurrent_layers_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_lstm_by_hand():
    lstm = L.LSTM(2, return_sequences=True)
    x = tf.placeholder(tf.float32, [None, 3, 1])
    y = lstm(x)
    assert [w.name for w in lstm.weights] == [
        "lstm/lstm_cell/kernel:0",
        "lstm/lstm_cell/recurrent_kernel:0",
        "lstm/lstm_cell/bias:0",
    ]
    rng = np.random.RandomState(0)
    kernel, rec, bias = (rng.standard_normal(s).astype("float32") for s in [(1, 8), (2, 8), 8])
    lstm.set_weights([kernel, rec, bias])
    xv = rng.standard_normal((2, 3, 1)).astype("float32")
    got = K.backend.get_session().run(y, {x: xv})

    def hard_sigmoid(v):
        return np.clip(0.2 * v + 0.5, 0, 1)

    h = c = np.zeros((2, 2))
    for t in range(3):
        z = xv[:, t] @ kernel + h @ rec + bias
        i, f, g, o = np.split(z, 4, axis=1)
        c = hard_sigmoid(f) * c + hard_sigmoid(i) * np.tanh(g)
        h = hard_sigmoid(o) * np.tanh(c)
        np.testing.assert_allclose(got[:, t], h, rtol=1e-5, atol=1e-6)
    assert str(y.shape) == "(?, 3, 2)"


def test_lstm_default_bias_has_unit_forget_bias():
    lstm = L.LSTM(2)
    lstm(tf.placeholder(tf.float32, [None, 4, 3]))
    np.testing.assert_array_equal(lstm.get_weights()[2], [0, 0, 1, 1, 0, 0, 0, 0])


def test_recurrent_layers_need_rank_3():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.GRU(2)(tf.placeholder(tf.float32, [None, 3]))
    lstm = L.LSTM(2)
    lstm(tf.placeholder(tf.float32, [None, 5, 3]))
    with pytest.raises(ValueError, match='Input 0 of layer "lstm" is incompatible'):
        lstm(tf.placeholder(tf.float32, [None, 5, 4]))


def test_wrapper_names():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    bi = L.Bidirectional(L.LSTM(2))
    td = L.TimeDistributed(L.Dense(5))
    assert str(bi(x).shape) == "(?, 4)"
    assert str(td(x).shape) == "(?, 4, 5)"
    assert [w.name for w in bi.weights][::3] == [
        "bidirectional/forward_lstm/lstm_cell/kernel:0",
        "bidirectional/backward_lstm/lstm_cell/kernel:0",
    ]
    assert [w.name for w in td.weights] == ["time_distributed/kernel:0", "time_distributed/bias:0"]
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")


def test_recurrent_dropout_in_training_only():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    plain, dropped = L.LSTM(3), L.LSTM(3, dropout=0.5, recurrent_dropout=0.5)
    y_plain, y_test = plain(x), dropped(x)
    y_train = dropped(x, training=True)
    dropped.set_weights(plain.get_weights())
    xv = np.random.RandomState(0).standard_normal((50, 4, 3)).astype("float32")
    sess = K.backend.get_session()
    a, b, c = sess.run([y_plain, y_test, y_train], {x: xv})
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert np.abs(a - c).max() > 1e-3


SIMPLE_PROGRAM = """
rng = np.random.RandomState(11)
K = tf.keras
L = tf.keras.layers
result = {}
x = tf.placeholder(tf.float32, [None, 5, 3])
xv = rng.standard_normal((2, 5, 3)).astype("float32")
mv = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
layers = {
    "simple": L.SimpleRNN(4),
    "simple_seq_back": L.SimpleRNN(3, return_sequences=True, go_backwards=True,
                                   activation="relu"),
    "simple_state": L.SimpleRNN(2, return_state=True, use_bias=False),
    "simple_dropout": L.SimpleRNN(3, dropout=0.4, recurrent_dropout=0.3),  # (inference)
    "rnn_cell": L.RNN(L.SimpleRNNCell(3), return_sequences=True),
    "stacked": L.RNN(L.StackedRNNCells([L.SimpleRNNCell(4), L.LSTMCell(2), L.GRUCell(3)]),
                     return_state=True),
    "stacked_list": L.RNN([L.SimpleRNNCell(2), L.SimpleRNNCell(3)], return_sequences=True),
    "bi_simple": L.Bidirectional(L.SimpleRNN(2, return_sequences=True)),
    "stacked_dropout": L.RNN([L.SimpleRNNCell(2, dropout=0.5), L.GRUCell(2, dropout=0.3)]),
}
outs = {k: la(x) for k, la in layers.items()}
masked_layer = L.SimpleRNN(3, return_sequences=True)
outs["masked"] = masked_layer(x, mask=tf.constant(mv))
layers["masked"] = masked_layer
for la in layers.values():
    la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                    for w in la.weights])
sess = K.backend.get_session()
result["values"] = sess.run(outs, {x: xv})
result["names"] = {k: [la.name, [w.name for w in la.weights]] for k, la in layers.items()}
result["shapes"] = {k: str(tf.nest.map_structure(lambda t: t.shape.as_list(), v))
                    for k, v in outs.items()}
grads = tf.gradients(tf.reduce_sum(outs["stacked"][0]) + tf.reduce_sum(outs["simple"]),
                     [x] + layers["stacked"].weights)
result["gradients"] = sess.run(grads, {x: xv})
cell = L.StackedRNNCells([L.SimpleRNNCell(4), L.LSTMCell(2)])
result["stacked_sizes"] = [cell.state_size[0], list(cell.state_size[1]), cell.output_size]
result["cell_units"] = [L.SimpleRNNCell(5).state_size, L.SimpleRNNCell(5).output_size]

model = K.Sequential([L.SimpleRNN(3, input_shape=(5, 3)), L.Dense(1)])
model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                   for w in model.weights])
model.compile(K.optimizers.SGD(0.1), "mse")
hist = model.fit(xv, np.array([[1.0], [-1.0]], "float32"), epochs=2, verbose=0, shuffle=False)
result["fit"] = [hist.history["loss"], model.get_weights()]
"""


@pytest.mark.tf
@requires_tf
def test_simple_rnn_and_stacked_cells_match_tensorflow():
    expected = theirs(SIMPLE_PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(SIMPLE_PROGRAM), expected)


def test_simple_rnn_cell_by_hand():
    cell = L.SimpleRNNCell(2, kernel_initializer="ones", recurrent_initializer="ones")
    layer = L.RNN(cell, return_sequences=True)
    x = np.array([[[0.1], [0.2]]], "float32")
    out = layer(tf.constant(x))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(out)
    h1 = np.tanh(0.1)
    h2 = np.tanh(0.2 + 2 * h1)
    np.testing.assert_allclose(got[0], [[h1, h1], [h2, h2]], rtol=1e-6)


def test_simple_rnn_refuses_recurrent_activation():
    with pytest.raises(TypeError, match="recurrent_activation"):
        L.SimpleRNN(2, recurrent_activation="sigmoid")
    with pytest.raises(ValueError, match="`call` method and a `state_size`"):
        L.StackedRNNCells([object()])


def test_stacked_cells_config_round_trip():
    layer = L.RNN([L.SimpleRNNCell(2), L.LSTMCell(3)], return_sequences=True)
    config = layer.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in config["cell"]["config"]["cells"]] == [
        "SimpleRNNCell",
        "LSTMCell",
    ]
    again = L.RNN.from_config(config)
    out = again(tf.zeros([2, 4, 5]))
    assert out.shape.as_list() == [2, 4, 3]
    assert [w.shape.as_list() for w in again.weights] == [
        [5, 2],
        [2, 2],
        [2],
        [2, 12],
        [3, 12],
        [12],
    ]
    simple = L.SimpleRNN.from_config(L.SimpleRNN(3, activation="relu").get_config())
    assert simple.cell.activation is K.activations.relu


def test_stacked_cells_dropout_in_training_only():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    plain = L.RNN([L.SimpleRNNCell(3), L.LSTMCell(2)])
    dropped = L.RNN(
        [L.SimpleRNNCell(3, dropout=0.5), L.LSTMCell(2, dropout=0.5, recurrent_dropout=0.5)]
    )
    y_plain, y_test = plain(x), dropped(x)
    y_train = dropped(x, training=True)
    dropped.set_weights(plain.get_weights())
    xv = np.random.RandomState(0).standard_normal((50, 4, 3)).astype("float32")
    sess = K.backend.get_session()
    a, b, c = sess.run([y_plain, y_test, y_train], {x: xv})
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert np.abs(a - c).max() > 1e-3
