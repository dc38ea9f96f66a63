"""The Rescaling and Normalization layers the EfficientNets start with, against
tf_keras's `layers.Rescaling` / `layers.Normalization` (before `adapt`, and with a
given mean and variance)."""

from __future__ import annotations

import pytest

from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
if hasattr(tf.keras.layers, "Normalization"):
    Rescaling, Normalization = tf.keras.layers.Rescaling, tf.keras.layers.Normalization
else:
    from tfgraph.keras.applications._preprocessing import Normalization, Rescaling
rng = np.random.RandomState(0)
xv = (rng.rand(2, 3, 4, 3) * 255).astype("float32")
x = tf.placeholder(tf.float32, (None, 3, 4, 3))
resc = Rescaling(1.0 / 127.5, offset=-1.0)
norm = Normalization(axis=-1)
given = Normalization(axis=(1, 3), mean=2.0, variance=4.0)
outs = [resc(x), norm(resc(x)), given(x)]
result = {"weights": [[w.name, w.shape.as_list(), w.dtype.name] for w in norm.weights],
          "trainable": len(norm.trainable_weights), "params": norm.count_params()}
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    result["values"] = s.run(outs, {x: xv})
"""


@pytest.mark.tf
@requires_tf
def test_rescaling_and_normalization_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM), rtol=1e-6, atol=1e-5)
