"""tf.keras.metrics functions, metric names in compile/fit, and
tf.keras.preprocessing.sequence.pad_sequences, against TensorFlow's Keras 2."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras

PROGRAM = """
rng = np.random.RandomState(9)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((12, 4)).astype("float32")
yv = np.eye(3, dtype="float32")[rng.randint(0, 3, 12)]
model = K.Sequential([L.Dense(3, activation="softmax", input_shape=(4,))])
model.set_weights([rng.standard_normal((4, 3)).astype("float32"), np.zeros(3, "float32")])
model.compile("sgd", "categorical_crossentropy",
              metrics=["categorical_accuracy", "top_k_categorical_accuracy", "mse",
                       K.metrics.categorical_accuracy])
hist = model.fit(xv, yv, epochs=2, batch_size=5, verbose=0, shuffle=False)
result["history"] = hist.history
result["metrics_names"] = model.metrics_names
sess = K.backend.get_session()
yp = tf.constant(rng.uniform(size=(6, 4)).astype("float32"))
labels = tf.constant(np.array([0, 1, 2, 3, 1, 0], "int64"))
result["fns"] = sess.run({
    "sparse": K.metrics.sparse_categorical_accuracy(labels, yp),
    "sparse_top2": K.metrics.sparse_top_k_categorical_accuracy(labels, yp, k=2),
    "binary": K.metrics.binary_accuracy(tf.constant([[1.0, 0.0], [0.0, 0.0]]),
                                        tf.constant([[0.7, 0.2], [0.6, 0.4]])),
})
pad = K.preprocessing.sequence.pad_sequences
seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9]]
result["pad"] = [pad(seqs), pad(seqs, maxlen=4, padding="post", truncating="post", value=-1),
                 pad(seqs, maxlen=2, dtype="float32")]
"""


@pytest.mark.tf
@requires_tf
def test_metrics_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_pad_sequences_by_hand():
    pad = K.preprocessing.sequence.pad_sequences
    np.testing.assert_array_equal(pad([[1, 2], [3]]), [[1, 2], [0, 3]])
    np.testing.assert_array_equal(
        pad([[1, 2, 3]], maxlen=2, truncating="post", padding="post"), [[1, 2]]
    )
    with pytest.raises(ValueError, match="Padding type"):
        pad([[1]], padding="middle")


def test_metric_names():
    out = ours(PROGRAM)
    assert out["metrics_names"] == [
        "loss",
        "categorical_accuracy",
        "top_k_categorical_accuracy",
        "mean_squared_error",
    ]
    with pytest.raises(ValueError, match="Unknown metric function: 'nope'"):
        K.metrics.get("nope")
