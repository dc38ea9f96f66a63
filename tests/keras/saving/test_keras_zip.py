"""`.keras` files (Keras's TF2 zip: config.json + model.weights.h5), written by tf_keras
eagerly (tests/data/keras_h5/make_keras_zip.py), load in tfgraph with the same
predictions; a compiled one comes back compiled."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf

pytest.importorskip("h5py")

DATA = Path(__file__).resolve().parents[2] / "data" / "keras_h5"
EXPECTED = json.loads((DATA / "expected_keras.json").read_text())


@pytest.mark.parametrize("name", ["functional", "sequential"])
def test_keras_zip_loads_with_its_predictions(name):
    case = EXPECTED[name]
    model = tf.keras.models.load_model(str(DATA / f"{name}.keras"))
    x = np.asarray(case["x"], np.float32)
    np.testing.assert_allclose(model.predict(x), case["predictions"], rtol=1e-4, atol=1e-5)


def test_compiled_keras_zip_comes_back_compiled():
    model = tf.keras.models.load_model(str(DATA / "functional.keras"))
    assert isinstance(model.optimizer, tf.keras.optimizers.Adam)
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    x = np.asarray(EXPECTED["functional"]["x"], np.float32)
    model.fit(x, np.ones((len(x), 2), np.float32), verbose=0)
    assert (
        tf.keras.models.load_model(str(DATA / "functional.keras"), compile=False).optimizer is None
    )


def test_keras_zip_with_other_weights_is_refused(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {}}))
        z.writestr("model.weights.npz", b"")
    with pytest.raises(NotImplementedError, match="model.weights.h5"):
        tf.keras.models.load_model(str(path))
