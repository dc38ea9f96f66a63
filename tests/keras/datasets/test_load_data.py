"""`tf.keras.datasets.*.load_data` on small fake files placed in the Keras cache in the
formats Keras reads (npz, gzipped IDX, pickled CIFAR batches in a tar.gz), against
tf_keras reading the same files. Neither side touches the network: the expected
hashes of the real files are switched off on both sides (a fake file would otherwise
be fetched again)."""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import tarfile

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

D = tf.keras.datasets


@pytest.fixture(autouse=True)
def _no_hashes(monkeypatch):
    from tfgraph.keras.datasets import (
        boston_housing,
        cifar10,
        cifar100,
        imdb,
        mnist,
        reuters,
    )

    for module in (boston_housing, cifar10, cifar100, imdb, mnist, reuters):
        monkeypatch.setattr(module, "FILE_HASH", None)


def _ragged(rng, n, vocab=30):
    out = np.empty(n, dtype="object")
    for i in range(n):
        out[i] = list(rng.randint(1, vocab, size=rng.randint(2, 9)))
    return out


def _write_cache(root) -> str:
    rng = np.random.RandomState(3)
    data = os.path.join(root, "datasets")
    os.makedirs(os.path.join(data, "fashion-mnist"))
    np.savez(
        os.path.join(data, "mnist.npz"),
        x_train=rng.randint(0, 255, (5, 28, 28)).astype("uint8"),
        y_train=rng.randint(0, 10, 5).astype("uint8"),
        x_test=rng.randint(0, 255, (3, 28, 28)).astype("uint8"),
        y_test=rng.randint(0, 10, 3).astype("uint8"),
    )
    np.savez(os.path.join(data, "boston_housing.npz"), x=rng.rand(11, 13), y=rng.rand(11))
    np.savez(
        os.path.join(data, "imdb.npz"),
        x_train=_ragged(rng, 6),
        y_train=rng.randint(0, 2, 6),
        x_test=_ragged(rng, 4),
        y_test=rng.randint(0, 2, 4),
    )
    np.savez(os.path.join(data, "reuters.npz"), x=_ragged(rng, 9), y=rng.randint(0, 46, 9))
    for name, n in (("train", 4), ("t10k", 2)):
        labels = b"\0" * 8 + rng.randint(0, 10, n).astype("uint8").tobytes()
        images = b"\0" * 16 + rng.randint(0, 255, (n, 28, 28)).astype("uint8").tobytes()
        for kind, payload in (("labels-idx1", labels), ("images-idx3", images)):
            with gzip.open(
                os.path.join(data, "fashion-mnist", f"{name}-{kind}-ubyte.gz"), "wb"
            ) as f:
                f.write(payload)
    _write_cifar100(rng, os.path.join(data, "cifar-100-python.tar.gz"))
    return root


def _pickled(d: dict) -> bytes:
    return pickle.dumps({k.encode(): v for k, v in d.items()}, protocol=2)


def _add(tar, name, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))


def _write_cifar100(rng, path) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for part, n in (("train", 4), ("test", 2)):
            batch = {
                "data": rng.randint(0, 255, (n, 3072)).astype("uint8"),
                "fine_labels": list(rng.randint(0, 100, n)),
                "coarse_labels": list(rng.randint(0, 20, n)),
            }
            _add(tar, f"cifar-100-python/{part}", _pickled(batch))


CALLS = {
    "mnist": "D.mnist.load_data(cache_dir=C)",
    "fashion": "D.fashion_mnist.load_data(cache_dir=C)",
    "boston": "D.boston_housing.load_data(cache_dir=C)",
    "boston_split": "D.boston_housing.load_data(test_split=0.5, seed=4, cache_dir=C)",
    "imdb": "D.imdb.load_data(cache_dir=C)",
    "imdb_opts": "D.imdb.load_data(num_words=12, skip_top=2, maxlen=7, seed=1, cache_dir=C)",
    "imdb_nooov": "D.imdb.load_data(num_words=10, oov_char=None, start_char=None, cache_dir=C)",
    "reuters": "D.reuters.load_data(cache_dir=C)",
    "reuters_opts": "D.reuters.load_data(num_words=15, test_split=0.3, index_from=0, cache_dir=C)",
    "cifar100": "D.cifar100.load_data(cache_dir=C)",
    "cifar100_coarse": "D.cifar100.load_data('coarse', cache_dir=C)",
}


def _describe(value):
    """Arrays as [dtype, shape, values] (object arrays of lists as nested lists)."""
    if isinstance(value, tuple):
        return [_describe(v) for v in value]
    if value.dtype == object:
        return ["object", list(value.shape), [[int(w) for w in row] for row in value]]
    return [str(value.dtype), list(value.shape), value.tolist()]


TF_PROGRAM = """
import importlib
import tf_keras
D = tf_keras.datasets
for mod in ("mnist", "boston_housing", "imdb", "reuters", "cifar100"):
    m = importlib.import_module("tf_keras.src.datasets." + mod)
    real = m.get_file
    m.get_file = (lambda real: lambda *a, **k: real(*a, **{{**k, "file_hash": None}}))(real)
C = {cache!r}
calls = {calls!r}
{describe}
print(json.dumps({{k: _describe(eval(v)) for k, v in calls.items()}}))
"""


@pytest.mark.tf
@requires_tf
def test_load_data_matches_tf_keras(tmp_path):
    import inspect

    cache = _write_cache(str(tmp_path))
    program = TF_PROGRAM.format(cache=cache, calls=CALLS, describe=inspect.getsource(_describe))
    expected = run_tf_json(program)
    got = {k: _describe(eval(v, {"D": D, "C": cache})) for k, v in CALLS.items()}
    assert json.loads(json.dumps(got)) == expected


def test_cifar10_reads_five_train_batches_and_the_test_batch(tmp_path):
    rng = np.random.RandomState(0)
    data = tmp_path / "datasets"
    data.mkdir()
    with tarfile.open(data / "cifar-10-batches-py.tar.gz", "w:gz") as tar:
        parts = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        batches = {
            p: {"data": rng.randint(0, 255, (2, 3072)).astype("uint8"), "labels": [1, 7]}
            for p in parts
        }
        for p in parts:
            _add(tar, f"cifar-10-batches-py/{p}", _pickled(batches[p]))
    (x, y), (xt, yt) = D.cifar10.load_data(cache_dir=str(tmp_path))
    assert x.shape == (10, 32, 32, 3) and x.dtype == np.uint8
    assert y.shape == (10, 1) and y.dtype == np.uint8 and yt.shape == (2, 1)
    first = batches["data_batch_1"]["data"][0].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(x[0], first)
    np.testing.assert_array_equal(y[:, 0], [1, 7] * 5)
    assert xt.shape == (2, 32, 32, 3)


def test_default_cache_is_home_keras_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    _write_cache(str(tmp_path / ".keras"))
    (x, _), _ = D.mnist.load_data()
    assert x.shape == (5, 28, 28)


def test_word_index_and_label_names(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    data = tmp_path / ".keras" / "datasets"
    data.mkdir(parents=True)
    payload = json.dumps({"the": 1, "film": 19}).encode()
    (data / "imdb_word_index.json").write_bytes(payload)
    import hashlib

    from tfgraph.keras.datasets import imdb

    monkeypatch.setattr(imdb, "INDEX_HASH", hashlib.md5(payload).hexdigest())
    assert D.imdb.get_word_index() == {"the": 1, "film": 19}
    names = D.reuters.get_label_names()
    assert len(names) == 46 and names[:3] == ("cocoa", "grain", "veg-oil")


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="label_mode"):
        D.cifar100.load_data("medium")
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        D.imdb.load_data(cache_dir=str(tmp_path), bogus=1)
