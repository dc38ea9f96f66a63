"""tf.keras.callbacks (LearningRateScheduler, ReduceLROnPlateau, ModelCheckpoint with
weights only) and fit's class_weight, against TensorFlow's Keras 2."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
import os
rng = np.random.RandomState(10)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((20, 3)).astype("float32")
yv = (xv[:, 0] > 0.3).astype("float32")


def make():
    m = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(3,))])
    m.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32")])
    m.compile(K.optimizers.SGD(0.5), "binary_crossentropy", metrics=["acc"])
    return m


m = make()
h = m.fit(xv, yv, epochs=2, batch_size=6, verbose=0, shuffle=False, class_weight={0: 1.0, 1: 3.0})
result["class_weight"] = [h.history, m.get_weights()]
m = make()
sched = K.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
h = m.fit(xv, yv, epochs=3, batch_size=20, verbose=0, shuffle=False, callbacks=[sched])
result["scheduler"] = [h.history, m.get_weights()]
m = make()
plateau = K.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
h = m.fit(xv, yv, epochs=4, batch_size=20, verbose=0, shuffle=False, callbacks=[plateau])
result["plateau"] = [h.history, m.get_weights()]
m = make()
ckpt = K.callbacks.ModelCheckpoint(os.path.join(DIR, "w-{epoch:02d}"), save_weights_only=True)
m.fit(xv, yv, epochs=2, batch_size=20, verbose=0, shuffle=False, callbacks=[ckpt])
result["checkpoint_files"] = sorted(os.listdir(DIR))
"""


def _program(directory) -> str:
    return f"DIR = {str(directory)!r}\n" + PROGRAM


@pytest.mark.tf
@requires_tf
def test_callbacks_and_class_weight_match_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_program(tmp_path / "tf"))
    tf.reset_default_graph()
    assert_same(ours(_program(tmp_path / "ours")), expected)


def test_callbacks_by_hand(tmp_path):
    out = ours(_program(tmp_path))
    assert out["scheduler"][0]["lr"] == [0.25, 0.125, 0.0625]
    assert out["plateau"][0]["lr"] == [0.5, 0.5, 0.25, 0.125]  # (logged before reducing)
    assert out["checkpoint_files"] == [
        "checkpoint",
        "w-01.data-00000-of-00001",
        "w-01.index",
        "w-02.data-00000-of-00001",
        "w-02.index",
    ]


def test_unsupported_callback_arguments():
    with pytest.raises(NotImplementedError, match="save_weights_only=True"):
        K.callbacks.ModelCheckpoint("x")
    with pytest.raises(ValueError, match="factor >= 1.0"):
        K.callbacks.ReduceLROnPlateau(factor=2.0)
    model = K.Sequential([L.Dense(1, input_shape=(1,))])
    model.compile("sgd", "mse")
    import numpy as np

    with pytest.raises(ValueError, match="must contain all classes"):
        model.fit(np.zeros((2, 1)), np.array([0.0, 1.0]), class_weight={0: 1.0}, verbose=0)
