"""TF1 Keras's TensorBoard callback with `histogram_freq` (`write_grads`, `write_images`),
against tf_keras's v1 callback: the event files' tags, steps, histograms (bucket
counts), images and scalars, read back with summary_iterator."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras

SEQUENTIAL = """
import glob, os
K = tf.keras
L = tf.keras.layers
result = {}
rng = np.random.RandomState(4)
xv = rng.standard_normal((12, 3)).astype("float32")
yv = (xv[:, 0] > 0).astype("float32")
m = K.Sequential(
    [L.Dense(4, activation="relu", input_shape=(3,)), L.Dense(1, activation="sigmoid")]
)
m.set_weights([rng.standard_normal((3, 4)).astype("float32"), np.full(4, 0.1, "float32"),
               rng.standard_normal((4, 1)).astype("float32"), np.zeros(1, "float32")])
m.compile(K.optimizers.SGD(0.3), "binary_crossentropy", metrics=["acc"])
np.random.seed(1)
board = K.callbacks.TensorBoard(DIR, histogram_freq=2, write_graph=False, write_grads=True,
                                write_images=True)
m.fit(xv[:8], yv[:8], batch_size=3, epochs=3, verbose=0, shuffle=False,
      validation_data=(xv[8:], yv[8:]), callbacks=[board])
events = []
result["subdirs"] = sorted(  # (TF's profiler adds "plugins")
    f for f in os.listdir(DIR) if f != "plugins" and os.path.isdir(os.path.join(DIR, f))
)
result["event_files"] = len(glob.glob(os.path.join(DIR, "events.out.tfevents.*")))
for path in sorted(glob.glob(os.path.join(DIR, "events.out.tfevents.*"))):
    for event in tf.train.summary_iterator(path):
        for value in event.summary.value:
            kind = value.WhichOneof("value")
            if kind == "histo":
                h = value.histo
                info = [h.min, h.max, h.num, h.sum, h.sum_squares]
                info += [list(h.bucket_limit), list(h.bucket)]
            elif kind == "image":
                info = [value.image.height, value.image.width, value.image.colorspace]
            else:
                info = [value.simple_value]
            events.append([event.step, value.tag, kind, info])
result["events"] = events
"""

FUNCTIONAL = """
import glob, os
K = tf.keras
L = tf.keras.layers
result = {}
rng = np.random.RandomState(5)
xv = rng.standard_normal((10, 4, 4, 1)).astype("float32")
yv = rng.standard_normal((10, 1)).astype("float32")
inp = K.Input((4, 4, 1))
hidden = L.Flatten()(L.Conv2D(2, 3, kernel_initializer=K.initializers.Constant(0.2))(inp))
m = K.Model(inp, L.Dense(1, kernel_initializer="ones")(hidden))
m.compile(K.optimizers.SGD(0.01), "mse")
np.random.seed(2)
for sub, kwargs in [("split", dict(validation_split=0.3)), ("none", {})]:
    board = K.callbacks.TensorBoard(os.path.join(DIR, sub), histogram_freq=1, write_images=True)
    m.fit(xv, yv, batch_size=2, epochs=2, verbose=0, callbacks=[board], **kwargs)
    events = []
    result[sub + "_subdirs"] = sorted(
        f for f in os.listdir(os.path.join(DIR, sub)) if f != "plugins"
        and os.path.isdir(os.path.join(DIR, sub, f))
    )
    for path in sorted(glob.glob(os.path.join(DIR, sub, "events.out.tfevents.*"))):
        for event in tf.train.summary_iterator(path):
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                if kind == "histo":
                    h = value.histo
                    info = [h.min, h.max, h.num, h.sum, list(h.bucket_limit), list(h.bucket)]
                elif kind == "image":
                    info = [value.image.height, value.image.width]
                else:
                    info = [value.simple_value]
                events.append([event.step, value.tag, kind, info])
    result[sub] = events
"""


def _program(program, directory) -> str:
    return f"import os\nDIR = {str(directory)!r}\n" + program


def _both(program, tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_program(program, tmp_path / "tf"))
    tf.reset_default_graph()
    return ours(_program(program, tmp_path / "ours")), expected


@pytest.mark.tf
@requires_tf
def test_histograms_grads_and_images_match_tensorflow(tmp_path):
    got, expected = _both(SEQUENTIAL, tmp_path)
    assert_same(got, expected, atol=1e-4)


@pytest.mark.tf
@requires_tf
def test_functional_model_histograms_match_tensorflow(tmp_path):
    got, expected = _both(FUNCTIONAL, tmp_path)
    assert_same(got, expected, atol=1e-4)


def test_histograms_by_hand(tmp_path):
    out = ours(_program(SEQUENTIAL, tmp_path))
    assert out["subdirs"] == [] and out["event_files"] == 1
    tags = [e[1] for e in out["events"] if e[0] == 0 and e[2] != "simple_value"]
    assert tags == [
        "dense/kernel_0",
        "dense/kernel_0_1/image/0",
        "dense/bias_0",
        "dense/bias_0_1/image/0",
        "dense/kernel_0_grad",
        "dense/bias_0_grad",
        "dense_out",
        "dense_1/kernel_0",
        "dense_1/kernel_0_1/image/0",  # (a [4, 1] kernel squeezes to a column)
        "dense_1/bias_0",  # (a [1] bias squeezes to a scalar: no image)
        "dense_1/kernel_0_grad",
        "dense_1/bias_0_grad",
        "dense_1_out",
    ]
    # histograms in epochs 0 and 2 (histogram_freq=2), one step per validation batch
    steps = sorted({e[0] for e in out["events"] if e[1] == "dense_out"})
    assert steps == [0, 1, 2, 3]
    sizes = [e[3][2] for e in out["events"] if e[1] == "dense_1_out"]
    assert sizes == [3.0, 1.0, 3.0, 1.0]  # 4 validation samples in batches of 3


def test_no_validation_data_writes_no_histograms(tmp_path):
    out = ours(_program(FUNCTIONAL, tmp_path))
    assert [e[1] for e in out["none"]] == ["epoch_loss", "epoch_loss"]
    assert out["split"][0][1] == "input_1_out"  # (a functional model's InputLayer too)


def test_embeddings_are_not_implemented(tmp_path):
    with pytest.raises(NotImplementedError, match="embeddings_freq=0"):
        K.callbacks.TensorBoard(str(tmp_path), embeddings_freq=1)
