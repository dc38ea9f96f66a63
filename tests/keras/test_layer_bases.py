"""Keras 2's layer base classes for user code, Wrapper and AbstractRNNCell, subclassed
as their documentation shows, against TensorFlow."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(4)
K = tf.keras
L = tf.keras.layers
result = {}

class MinimalRNNCell(L.AbstractRNNCell):
    def __init__(self, units, **kwargs):
        self.units = units
        super().__init__(**kwargs)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        h = K.backend.dot(inputs, self.kernel)
        output = tf.tanh(h + K.backend.dot(states[0], self.recurrent_kernel))
        return output, [output]

class Doubled(L.Wrapper):
    def call(self, inputs):
        return 2.0 * self.layer(inputs)

x = tf.placeholder(tf.float32, [None, 4, 3])
vx = rng.standard_normal((2, 4, 3)).astype("float32")
cell = MinimalRNNCell(5)
rnn = L.RNN(cell, return_sequences=True)
wrapped = Doubled(L.Dense(2, kernel_regularizer="l2"))
outs = {"rnn": rnn(x), "wrapped": wrapped(x)}
for la in (rnn, wrapped):
    la.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                    for w in la.weights])
init = cell.get_initial_state(inputs=x[:, 0])
sess = K.backend.get_session()
result["values"] = sess.run(outs, {x: vx})
result["init"] = sess.run(init, {x: vx})
result["names"] = [w.name for w in rnn.weights + wrapped.weights]
result["losses"] = len(wrapped.losses)
config = wrapped.get_config()
result["config_layer"] = [config["layer"]["class_name"], config["layer"]["config"]["units"]]
again = Doubled.from_config(config)
result["again"] = [type(again.layer).__name__, again.layer.units]
"""


@pytest.mark.tf
@requires_tf
def test_layer_bases_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_abstract_members_raise():
    cell = L.AbstractRNNCell()
    with pytest.raises(NotImplementedError):
        cell.state_size  # noqa: B018
    with pytest.raises(ValueError, match="not a supported layer type"):
        L.Wrapper("dense")
