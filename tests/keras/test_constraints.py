"""tf.keras.constraints applied after each optimizer step (Keras and TF1 optimizers),
against TensorFlow's Keras 2."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(13)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((8, 3)).astype("float32")
yv = rng.standard_normal((8, 2)).astype("float32")
for name, make in [("keras_sgd", lambda: K.optimizers.SGD(0.5)),
                   ("keras_adam", lambda: K.optimizers.Adam(0.1)),
                   ("tf_gd", lambda: tf.train.GradientDescentOptimizer(0.5))]:
    model = K.Sequential([L.Dense(2, input_shape=(3,), kernel_constraint=K.constraints.MaxNorm(0.7),
                                  bias_constraint=K.constraints.NonNeg())])
    model.set_weights([rng.standard_normal((3, 2)).astype("float32"),
                       rng.standard_normal(2).astype("float32")])
    model.compile(make(), "mse")
    model.fit(xv, yv, epochs=2, batch_size=4, verbose=0, shuffle=False)
    result[name] = model.get_weights()
sess = K.backend.get_session()
w = tf.constant(rng.standard_normal((3, 4)).astype("float32"))
result["fns"] = sess.run([K.constraints.UnitNorm()(w), K.constraints.MinMaxNorm(0.5, 1.0, 0.5)(w),
                          K.constraints.max_norm(1.0, axis=1)(w)])
"""


@pytest.mark.tf
@requires_tf
def test_constraints_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_constraints_hold_after_training():
    out = ours(PROGRAM)
    for key in ("keras_sgd", "keras_adam", "tf_gd"):
        kernel, bias = (np.asarray(v) for v in out[key])
        assert np.all(np.linalg.norm(kernel, axis=0) <= 0.7 + 1e-5)
        assert np.all(bias >= 0)
