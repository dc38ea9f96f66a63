"""Keras 2's HDF5 files: models and weights saved by tf_keras (tests/data/keras_h5, made by
make_files.py there) load in tfgraph with the same predictions and optimizer state, files
tfgraph writes load in tf_keras, and weights load by name, skipping mismatches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

h5py = pytest.importorskip("h5py")

DATA = Path(__file__).resolve().parents[2] / "data" / "keras_h5"
EXPECTED = json.loads((DATA / "expected.json").read_text())
K = tf.keras
L = tf.keras.layers


def _inputs(case: dict) -> list:
    return [np.asarray(x, np.float32) for x in case["x"]]


def _texts(values) -> list:
    return [v.decode() if isinstance(v, bytes) else v for v in values]


def _close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def _outputs_close(got, expected, several: bool) -> None:
    if several:  # (one array per output)
        for a, b in zip(got, expected, strict=True):
            _close(a, b)
    else:
        _close(got, expected)


@pytest.mark.parametrize("name", ["sequential", "functional", "rmsprop", "adagrad", "multi"])
def test_tf_keras_model_loads_with_its_predictions_and_optimizer_state(name):
    case = EXPECTED[name]
    several = name == "multi"
    xs = _inputs(case)
    y = [np.asarray(v, np.float32) for v in case["y"]] if several else np.asarray(case["y"])
    model = K.models.load_model(str(DATA / f"{name}.h5"))
    _outputs_close(model.predict(xs), case["predictions"], several)
    # one more step from the saved optimizer state (Adam's moments, SGD's momentum)
    _close(model.train_on_batch(xs, y), case["loss_after"])
    _outputs_close(model.predict(xs), case["predictions_after"], several)


@pytest.mark.parametrize("name", ["sequential", "functional"])
def test_tf_keras_weights_file_loads_into_the_same_architecture(name):
    case = EXPECTED[name]
    source = K.models.load_model(str(DATA / f"{name}.h5"), compile=False)
    model = K.models.model_from_json(source.to_json())
    model.load_weights(str(DATA / f"{name}_weights.h5"))
    _close(model.predict(_inputs(case)), case["predictions"])
    by_name = K.models.model_from_json(source.to_json())
    by_name.load_weights(str(DATA / f"{name}_weights.h5"), by_name=True)
    _close(by_name.predict(_inputs(case)), case["predictions"])


@pytest.mark.parametrize("name", ["nested", "wrappers"])
def test_nested_shared_and_wrapped_layers_load(name):
    case = EXPECTED[name]
    model = K.models.load_model(str(DATA / f"{name}.h5"))
    _close(model.predict(_inputs(case)), case["predictions"])


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", ["nested", "wrappers"])
def test_nested_shared_and_wrapped_layers_load_back_in_tf_keras(tmp_path, name):
    path = str(tmp_path / f"{name}.h5")
    K.models.load_model(str(DATA / f"{name}.h5")).save(path)
    theirs = run_tf_json(
        f"""
import tf_keras as keras
m = keras.models.load_model({path!r})
xs = [np.asarray(x, np.float32) for x in {EXPECTED[name]["x"]!r}]
print(json.dumps(m.predict(xs).tolist()))
"""
    )
    _close(theirs, EXPECTED[name]["predictions"])


def test_uncompiled_load_and_file_layout():
    model = K.models.load_model(str(DATA / "sequential.h5"), compile=False)
    assert model.optimizer is None
    with h5py.File(DATA / "sequential.h5", "r") as f:
        names = _texts(f["model_weights"].attrs["layer_names"])
    assert names == [layer.name for layer in model.layers]


def _model():
    image = K.Input((6, 6, 2), name="image")
    h = L.Conv2D(3, 3, activation="relu", name="conv")(image)
    h = L.BatchNormalization(name="bn")(h)
    h = L.Flatten(name="flat")(h)
    return K.Model(image, L.Dense(2, name="out")(h))


def test_tfgraph_file_layout(tmp_path):
    model = _model()
    model.compile(K.optimizers.Adam(0.01), loss="mse")
    x = np.random.RandomState(0).rand(4, 6, 6, 2).astype(np.float32)
    model.fit(x, np.ones((4, 2), np.float32), verbose=0)
    model.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert set(f.attrs) == {"keras_version", "backend", "model_config", "training_config"}
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Functional"
        train = json.loads(f.attrs["training_config"])
        assert train["loss"] == "mse"
        assert train["optimizer_config"]["class_name"] == "Adam"
        group = f["model_weights"]
        weights = _texts(group["bn"].attrs["weight_names"])
        assert weights == ["bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0"]
        assert group["conv/conv/kernel:0"].shape == (3, 3, 2, 3)
        opt = _texts(f["optimizer_weights"].attrs["weight_names"])
        assert opt[0].endswith("iter:0") and len(opt) == 1 + 2 * 6
        assert opt[1].endswith("conv/kernel/m:0") and opt[7].endswith("conv/kernel/v:0")


def test_an_optimizer_that_has_not_stepped_saves_no_state(tmp_path):
    model = _model()
    model.compile("adam", "mse")  # (tf_keras makes its slots at the first step)
    model.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert list(f) == ["model_weights"] and "training_config" in f.attrs
    assert isinstance(K.models.load_model(str(tmp_path / "m.h5")).optimizer, K.optimizers.Adam)


SAVE_HERE = """
def build_and_save(path, kind):
    K, L = tf.keras, tf.keras.layers
    tf.set_random_seed(0)  # (Adam's steps on near-zero gradients amplify rounding)
    rng = np.random.RandomState(1)
    model = K.Sequential([L.Embedding(10, 4, input_length=5, input_shape=(5,)),
                          L.LSTM(3), L.Dense(6, activation="relu"), L.BatchNormalization(),
                          L.Dense(2)])
    x = rng.randint(0, 10, size=(8, 5)).astype("float32")
    y = (rng.rand(8, 2) > 0.5).astype("float32")
    if kind == "Adam":
        model.compile(K.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    elif kind != "RMSprop":  # (Nadam's momentum_cache, Ftrl's slots per variable)
        model.compile(getattr(K.optimizers, kind)(0.01), loss="mse")
    else:
        opt = K.optimizers.RMSprop(0.01, momentum=0.5, centered=True)
        loss = K.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
        model.compile(opt, loss, metrics=["binary_accuracy"])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)  # (deterministic)
    model.save(path)
    before = model.predict(x)
    loss = model.train_on_batch(x, y)
    return x, y, before, loss, model.predict(x)
"""


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("kind", ["Adam", "RMSprop", "Nadam", "Ftrl", "Adadelta"])
def test_tfgraph_model_loads_in_tf_keras(tmp_path, kind):
    path = str(tmp_path / "ours.h5")
    scope: dict = {"tf": tf, "np": np}
    exec(SAVE_HERE, scope)
    x, y, before, loss, after = scope["build_and_save"](path, kind)
    theirs = run_tf_json(
        f"""
import tf_keras as keras
m = keras.models.load_model({path!r})
x = np.asarray({x.tolist()!r}, np.float32); y = np.asarray({y.tolist()!r}, np.float32)
before = m.predict(x)
loss = m.train_on_batch(x, y)
print(json.dumps({{"before": before.tolist(), "loss": np.asarray(loss).tolist(),
                   "after": m.predict(x).tolist(), "opt": type(m.optimizer).__name__}}))
"""
    )
    assert theirs["opt"] == kind
    _close(theirs["before"], before)
    _close(theirs["loss"], loss)
    _close(theirs["after"], after)


def test_save_and_load_round_trip_keeps_the_optimizer_state(tmp_path):
    model = _model()
    model.compile(K.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    x = np.random.RandomState(0).rand(4, 6, 6, 2).astype(np.float32)
    y = np.random.RandomState(1).rand(4, 2).astype(np.float32)
    model.fit(x, y, epochs=2, verbose=0)
    K.models.save_model(model, str(tmp_path / "m.hdf5"))
    loaded = K.models.load_model(str(tmp_path / "m.hdf5"))
    _close(loaded.predict(x), model.predict(x))
    _close(loaded.train_on_batch(x, y), model.train_on_batch(x, y))
    _close(loaded.predict(x), model.predict(x))


def test_save_weights_h5_by_order_and_by_name(tmp_path):
    model = _model()
    x = np.random.RandomState(0).rand(2, 6, 6, 2).astype(np.float32)
    model.save_weights(str(tmp_path / "w.h5"))
    other = _model()
    other.load_weights(str(tmp_path / "w.h5"))
    _close(other.predict(x), model.predict(x))
    # by name: a different head ("out" with 3 units) is skipped, the rest loads
    image = K.Input((6, 6, 2))
    h = L.Flatten()(L.BatchNormalization(name="bn")(L.Conv2D(3, 3, name="conv")(image)))
    partial = K.Model(image, L.Dense(3, name="out")(h))
    with pytest.raises(ValueError, match=r"Shape mismatch in layer #\d+ \(named out\)"):
        partial.load_weights(str(tmp_path / "w.h5"), by_name=True)
    partial.load_weights(str(tmp_path / "w.h5"), by_name=True, skip_mismatch=True)
    conv = model.get_layer("conv").get_weights()
    _close(partial.get_layer("conv").get_weights()[0], conv[0])


def test_weight_loading_errors(tmp_path):
    _model().save_weights(str(tmp_path / "w.h5"))
    small = K.Sequential([L.Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match="Layer count mismatch when loading weights from file"):
        small.load_weights(str(tmp_path / "w.h5"))
    with pytest.raises(ValueError, match="skip_mismatch can only be set to True when by_name"):
        small.load_weights(str(tmp_path / "w.h5"), skip_mismatch=True)


def test_lambda_bytecode_never_runs():
    """A Lambda layer saved as Python bytecode (as Keras 2 saves every Lambda) is never
    rebuilt from the file, not even with safe_mode=False: its function comes from
    custom_objects under the layer's name."""
    case = EXPECTED["lambda"]
    for safe_mode in (True, False):
        with pytest.raises(ValueError, match="never runs code read from a file"):
            K.models.load_model(str(DATA / "lambda.h5"), safe_mode=safe_mode)
    model = K.models.load_model(
        str(DATA / "lambda.h5"), custom_objects={"lambda": lambda t: t * 2.0 + 1.0}
    )
    _close(model.predict(_inputs(case)), case["predictions"])


_SCALE = 3.0


def test_lambda_round_trip(tmp_path):
    model = K.Sequential([L.Dense(2, input_shape=(3,)), L.Lambda(lambda t: t * _SCALE)])
    x = np.ones((1, 3), np.float32)
    model.save(str(tmp_path / "lam.h5"))
    with pytest.raises(ValueError, match="custom_objects"):
        K.models.load_model(str(tmp_path / "lam.h5"))
    name = model.layers[1].name
    loaded = K.models.load_model(
        str(tmp_path / "lam.h5"), custom_objects={name: lambda t: t * _SCALE}
    )
    _close(loaded.predict(x), model.predict(x))


def test_other_formats_name_the_h5_alternative(tmp_path):
    model = _model()
    with pytest.raises(NotImplementedError, match="HDF5 instead"):
        model.save(str(tmp_path / "saved"), save_format="tf")
    with pytest.raises(NotImplementedError, match="HDF5 instead"):
        model.save(str(tmp_path / "m.keras"))
    with pytest.raises(NotImplementedError, match="save_format='h5'"):
        K.models.load_model(str(tmp_path))


def test_a_path_without_extension_is_hdf5_in_graph_mode(tmp_path):
    # (tf_keras with v2 behaviour disabled defaults to "h5" too)
    model = _model()
    model.save(str(tmp_path / "plain"))
    assert h5py.is_hdf5(str(tmp_path / "plain"))
    x = np.ones((1, 6, 6, 2), np.float32)
    _close(K.models.load_model(str(tmp_path / "plain")).predict(x), model.predict(x))


def test_subclassed_models_save_weights_only(tmp_path):
    class Net(K.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    net = Net()
    x = np.ones((1, 3), np.float32)
    expected = net.predict(x)
    with pytest.raises(NotImplementedError, match="requires the model to be a Functional"):
        net.save(str(tmp_path / "net.h5"))
    net.save_weights(str(tmp_path / "net_weights.h5"))
    other = Net()
    other.predict(x)  # (builds its layers)
    other.load_weights(str(tmp_path / "net_weights.h5"))
    _close(other.predict(x), expected)


def test_open_h5py_files_are_read_and_written(tmp_path):
    model = _model()
    x = np.ones((1, 6, 6, 2), np.float32)
    with h5py.File(tmp_path / "m.h5", "w") as f:
        K.models.save_model(model, f)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        _close(K.models.load_model(f).predict(x), model.predict(x))


def test_h5py_is_imported_only_to_read_or_write_a_file(tmp_path, monkeypatch):
    import subprocess
    import sys

    code = "import sys, tfgraph; tfgraph.keras.models.load_model; print('h5py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    monkeypatch.setitem(sys.modules, "h5py", None)  # (as if it were not installed)
    with pytest.raises(ImportError, match=r"requires h5py.*tfgraph-numpy\[h5\]"):
        _model().save(str(tmp_path / "m.h5"))


ZOO = """
import tf_keras as keras
L = keras.layers
CASES = {
    "conv": ((8, 8, 3), lambda: [
        L.Conv2D(4, 3, strides=2, padding="same", activation="relu", use_bias=False),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), L.SeparableConv2D(3, 2),
        L.MaxPooling2D(), L.Conv2DTranspose(2, 2, strides=2), L.AveragePooling2D(),
        L.GlobalMaxPooling2D(), L.Dense(3, activation="softmax")]),
    "norm": ((6,), lambda: [
        L.Dense(5), L.LayerNormalization(), L.Dropout(0.3), L.Activation("tanh"),
        L.BatchNormalization(momentum=0.9, epsilon=1e-2, center=False),
        L.Dense(2, kernel_regularizer="l2")]),
    "rnn": ((5, 3), lambda: [
        L.Masking(0.0), L.GRU(4, return_sequences=True, reset_after=True),
        L.LSTM(2, go_backwards=True)]),
    "reshape": ((12,), lambda: [
        L.Reshape((3, 4)), L.Permute((2, 1)), L.Conv1D(2, 2, padding="causal", dilation_rate=2),
        L.UpSampling1D(2), L.Flatten(), L.RepeatVector(2), L.Flatten(), L.LeakyReLU(0.2),
        L.ReLU(max_value=1.0), L.Dense(2)]),
    "pad": ((6, 6, 2), lambda: [
        L.ZeroPadding2D(1), L.Conv2D(2, 3, dilation_rate=2), L.UpSampling2D(2),
        L.Cropping2D(1), L.SpatialDropout2D(0.2), L.GlobalAveragePooling2D(), L.Softmax()]),
}
"""

ZOO_WRITE = """
tf.set_random_seed(0)
rng = np.random.RandomState(0)
out = {}
for name, (shape, make) in CASES.items():
    model = keras.Sequential([keras.Input(shape)] + make())
    model.set_weights([v + (0.5 if "variance" in w.name else rng.normal(0, 0.1, v.shape))
                       for w, v in zip(model.weights, model.get_weights())])
    model.save(os.path.join(DIR, name + ".h5"))
    x = rng.rand(2, *shape).astype("float32")
    if name == "rnn":
        x[0, 3:] = 0  # (masked steps)
    out[name] = {"x": x.tolist(), "y": model.predict(x).tolist()}
print(json.dumps(out))
"""

ZOO_READ = """
out = {}
for name in CASES:
    model = keras.models.load_model(os.path.join(DIR, name + "_ours.h5"))
    out[name] = model.predict(np.asarray(EXPECTED[name]["x"], np.float32)).tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_layer_zoo_files_pass_both_ways(tmp_path):
    prelude = f"DIR = {str(tmp_path)!r}\n" + ZOO
    expected = run_tf_json(prelude + ZOO_WRITE)
    for name, case in expected.items():
        model = K.models.load_model(str(tmp_path / f"{name}.h5"))
        _close(model.predict(np.asarray(case["x"], np.float32)), case["y"])
        model.save(str(tmp_path / f"{name}_ours.h5"))
    theirs = run_tf_json(prelude + f"EXPECTED = {expected!r}\n" + ZOO_READ)
    for name, case in expected.items():
        _close(theirs[name], case["y"])


def test_signatures_and_include_optimizer(tmp_path):
    model = _model()
    model.compile("sgd", "mse")
    with pytest.raises(NotImplementedError, match="HDF5 instead"):
        model.save(str(tmp_path / "saved"), True, "tf")  # (TF's order: overwrite, save_format)
    K.models.save_model(model, str(tmp_path / "m.h5"), include_optimizer=False)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert "training_config" not in f.attrs
    assert K.models.load_model(str(tmp_path / "m.h5")).optimizer is None
    model.save_weights(str(tmp_path / "w.h5"))
    model.load_weights(str(tmp_path / "w.h5"), False, True)  # (skip_mismatch, by_name)
