"""tf.keras.activations' `mish`, `get`, `serialize` and `deserialize` against tf_keras
(TF1 graph mode)."""

from __future__ import annotations

import pytest

from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
A = tf.keras.activations
x = tf.constant([[-3.0, -0.5, 0.0, 0.7, 2.5]])
result = {}
with tf.Session() as s:
    y = A.mish(x)
    result["mish"] = s.run(y)
    result["grad"] = s.run(tf.gradients(tf.reduce_sum(y), [x])[0])
    dense = tf.keras.layers.Dense(2, activation="mish", kernel_initializer="ones")(x)
    s.run(tf.global_variables_initializer())
    result["layer"] = s.run(dense)
result["names"] = [A.serialize(A.get(n)) for n in ["mish", "relu", "softmax", "tanh"]]
result["deserialized"] = [A.deserialize(n).__name__ for n in ["mish", "relu", "selu", "linear"]]
result["same"] = A.deserialize("mish") is A.mish
layer = A.deserialize("LeakyReLU")
result["layer_class"] = [type(layer).__name__, float(layer.get_config()["alpha"])]
try:
    A.deserialize("nope")
except ValueError as e:
    result["unknown"] = str(e)
"""


@pytest.mark.tf
@requires_tf
def test_activations_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM), rtol=1e-6, atol=1e-6)
