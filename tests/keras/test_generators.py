"""Model.fit_generator / evaluate_generator / predict_generator (Keras 2's generator
loops: an epoch's loss over the samples, evaluation's over the steps) against TF."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(14)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((10, 3)).astype("float32")
yv = np.eye(2, dtype="float32")[rng.randint(0, 2, 10)]


def gen():
    while True:
        for start in (0, 4, 8):
            yield xv[start:start + 4], yv[start:start + 4]


model = K.Sequential([L.Dense(2, activation="softmax", input_shape=(3,))])
model.set_weights([rng.standard_normal((3, 2)).astype("float32"), np.zeros(2, "float32")])
model.compile(K.optimizers.SGD(0.3), "categorical_crossentropy", metrics=["acc"])
h = model.fit_generator(gen(), steps_per_epoch=3, epochs=2, verbose=0,
                        validation_data=gen(), validation_steps=3)
result["history"] = h.history
result["evaluate"] = model.evaluate_generator(gen(), steps=3)
result["predict"] = model.predict_generator(gen(), steps=2)
result["weights"] = model.get_weights()
seen = []
cb = K.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(logs.get("loss")))
model2 = K.Sequential([L.Dense(2, activation="softmax", input_shape=(3,))])
model2.set_weights([np.ones((3, 2), "float32") * 0.1, np.zeros(2, "float32")])
model2.compile(K.optimizers.SGD(0.3), "categorical_crossentropy")
h2 = model2.fit_generator(gen(), steps_per_epoch=3, epochs=1, verbose=0, callbacks=[cb])
result["probe"] = [seen, h2.history["loss"]]
"""


@pytest.mark.tf
@requires_tf
def test_generators_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_generator_epoch_loss_by_hand():
    out = ours(PROGRAM)
    batch_losses, (epoch_loss,) = out["probe"]
    np.testing.assert_allclose(epoch_loss, np.dot(batch_losses, [4, 4, 2]) / 10, rtol=1e-6)
    model = K.Sequential([L.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="only valid for a generator based on"):
        model.fit_generator(iter([]), verbose=0)


def test_sequence_epochs():
    class Batches(K.utils.Sequence):
        def __init__(self):
            self.epochs_ended = 0

        def __len__(self):
            return 2

        def __getitem__(self, i):
            x = np.full((3, 2), float(i), "float32")
            return x, x.sum(1, keepdims=True)

        def on_epoch_end(self):
            self.epochs_ended += 1

    batches = Batches()
    model = K.Sequential([L.Dense(1, input_shape=(2,))])
    model.compile(K.optimizers.SGD(0.05), "mse")
    history = model.fit_generator(batches, epochs=3, verbose=0)
    assert batches.epochs_ended == 3
    assert len(history.history["loss"]) == 3
    assert model.predict_generator(batches).shape == (6, 1)
