"""`preprocess_input` (numpy and symbolic, each mode and data format) against tf_keras,
`decode_predictions` on a class index placed in the Keras cache, and the checks the
builders run on their arguments."""

from __future__ import annotations

import hashlib
import json
import urllib.error

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

A = tf.keras.applications

PREPROCESS = """
A = tf.keras.applications
rng = np.random.RandomState(0)
img4 = (rng.rand(2, 4, 5, 3) * 255).astype("float32")
img3 = (rng.rand(3, 4, 5) * 255).astype("float32")
ints = rng.randint(0, 255, (1, 2, 2, 3)).astype("uint8")
result = {}
for mod in ["resnet50", "resnet_v2", "vgg16", "mobilenet", "densenet", "inception_v3",
            "xception", "mobilenet_v2", "vgg19", "resnet"]:
    fn = getattr(A, mod).preprocess_input
    result[mod] = [fn(img4.copy()), fn(ints.copy()).tolist()]
for mode in ["caffe", "tf", "torch"]:
    for fmt in ["channels_first", "channels_last"]:
        f = A.imagenet_utils.preprocess_input
        result[mode + fmt] = [f(img4.copy(), data_format=fmt, mode=mode),
                              f(img3.copy(), data_format=fmt, mode=mode)]
        shape = (None, 3, 4, 5) if fmt == "channels_first" else (None, 4, 5, 3)
        x = tf.placeholder(tf.float32, shape)
        y = f(x, data_format=fmt, mode=mode)
        feed = img4.transpose(0, 3, 1, 2) if fmt == "channels_first" else img4
        with tf.Session() as s:
            result["sym" + mode + fmt] = s.run(y, {x: feed})
"""


@pytest.mark.tf
@requires_tf
def test_preprocess_input_matches_tf_keras():
    assert_same(ours(PREPROCESS), theirs(PREPROCESS), rtol=1e-6, atol=1e-4)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(A.imagenet_utils, "CLASS_INDEX", None)
    models = tmp_path / ".keras" / "models"
    models.mkdir(parents=True)
    return models


def test_decode_predictions_reads_the_cached_class_index(keras_home, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    payload = json.dumps(index).encode()
    (keras_home / "imagenet_class_index.json").write_bytes(payload)
    monkeypatch.setattr(A.imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(payload).hexdigest())
    preds = np.zeros((2, 1000), "float32")
    preds[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    preds[1, 42] = 1.0
    out = A.resnet50.decode_predictions(preds, top=3)
    assert [r[:2] for r in out[0]] == [("n00000007", "class_7"), ("n00000003", "class_3"),
                                       ("n00000999", "class_999")]  # fmt: skip
    assert out[0][0][2] == pytest.approx(0.5)
    assert out[1][0][:2] == ("n00000042", "class_42") and len(out[1]) == 3


def test_decode_predictions_offline_names_the_url(keras_home, monkeypatch):
    def offline(url, path, *args):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr("urllib.request.urlretrieve", offline)
    with pytest.raises(Exception, match="URL fetch failure on https://storage.googleapis"):
        A.vgg16.decode_predictions(np.zeros((1, 1000)))
    assert not (keras_home / "imagenet_class_index.json").exists()


def test_decode_predictions_shape_error():
    with pytest.raises(ValueError, match=r"expects a batch of predictions.*\(samples, 1000\)"):
        A.imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_imagenet_weights_come_from_the_keras_cache(keras_home, monkeypatch):
    pytest.importorskip("h5py")
    fname = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    from tfgraph.keras.applications import resnet

    source = A.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
    source.save_weights(str(keras_home / fname))  # (Keras's layout: the file's by layer)
    x = np.random.RandomState(0).rand(1, 32, 32, 3).astype(np.float32)
    expected = source.predict(x)
    monkeypatch.setattr(resnet, "WEIGHTS_HASHES", {"resnet50": (None, None)})
    calls = []
    monkeypatch.setattr("urllib.request.urlretrieve", lambda *a: calls.append(a))
    model = A.ResNet50(include_top=False, input_shape=(32, 32, 3))
    assert calls == []
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-5)


def test_imagenet_weights_download_url(keras_home, monkeypatch):
    seen = []

    def fake(url, path, *args):
        seen.append(url)
        raise urllib.error.URLError("offline")

    monkeypatch.setattr("urllib.request.urlretrieve", fake)
    with pytest.raises(Exception, match="URL fetch failure"):
        A.VGG16(include_top=False)
    with pytest.raises(Exception, match="URL fetch failure"):
        A.MobileNetV2(input_shape=(128, 128, 3), alpha=0.5)
    assert seen == [
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_128.h5",
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: A.ResNet50(weights="nowhere.h5"), "The `weights` argument should be"),
        (lambda: A.VGG16(classes=10), "`classes` should be 1000"),
        (lambda: A.DenseNet121(weights=None, input_shape=(16, 16, 3), include_top=False),
         "Input size must be at least 32x32"),
        (lambda: A.Xception(weights=None, input_shape=(None, None, 3)),
         "you should specify a static `input_shape`"),
        (lambda: A.MobileNet(alpha=0.3), "alpha can be one of"),
        (lambda: A.ResNet50(weights=None, bogus=1), "Unknown argument"),
        (lambda: A.imagenet_utils.preprocess_input(np.zeros(3), mode="bgr"),
         "Expected mode to be one of"),
    ],
)  # fmt: skip
def test_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


TF_WEIGHTS = """
import tf_keras as keras
model = keras.applications.{call}
rng = np.random.RandomState(0)
values = []
for w, v in zip(model.weights, model.get_weights()):
    if "variance" in w.name:
        v = rng.uniform(0.5, 1.5, v.shape).astype(v.dtype)
    elif v.dtype.kind == "f":
        v = (v + rng.normal(0.0, 0.05, v.shape)).astype(v.dtype)
    values.append(v)
model.set_weights(values)
model.save_weights({path!r})
x = rng.uniform(0, 255, (2,) + tuple(model.input_shape[1:])).astype(np.float32)
print(json.dumps({{"x": x.tolist(), "y": model.predict(x).tolist()}}))
"""


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize(
    "call",
    [
        "MobileNet(weights={w}, alpha=0.25, include_top=False, input_shape=(32, 32, 3))",
        "MobileNetV2(weights={w}, alpha=0.35, include_top=False, input_shape=(32, 32, 3))",
        "EfficientNetB0(weights={w}, include_top=False, input_shape=(32, 32, 3))",
    ],
)
def test_weights_path_reads_a_tf_keras_weights_file(tmp_path, call):
    pytest.importorskip("h5py")
    from tests.tfrun import run_tf_json

    path = str(tmp_path / "weights.h5")
    theirs = run_tf_json(TF_WEIGHTS.format(call=call.format(w="None"), path=path))
    model = eval("A." + call.format(w=repr(path)))
    x = np.asarray(theirs["x"], np.float32)
    np.testing.assert_allclose(model.predict(x), theirs["y"], rtol=1e-4, atol=1e-4)
