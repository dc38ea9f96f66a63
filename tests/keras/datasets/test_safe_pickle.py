"""Dataset files are read without running code from them (keras/datasets/_safe_pickle.py)."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from tfgraph.keras.datasets import _safe_pickle


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_object_arrays_of_lists_load(tmp_path):
    words = np.empty(3, object)
    words[:] = [[1, 2, 3], [4], []]
    path = str(tmp_path / "words.npz")
    np.savez(path, x=words, y=np.arange(3))
    data = _safe_pickle.load_npz(path)
    assert [list(w) for w in data["x"]] == [[1, 2, 3], [4], []]
    np.testing.assert_array_equal(data["y"], np.arange(3))


def test_a_pickle_naming_other_code_is_refused(tmp_path):
    evil = np.empty(1, object)
    evil[0] = _Evil()
    path = str(tmp_path / "evil.npz")
    np.savez(path, x=evil)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load posix.system"):
        _safe_pickle.load_npz(path)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        _safe_pickle.load(io.BytesIO(pickle.dumps({"data": _Evil()})))
    assert zipfile.is_zipfile(path)


def test_cifar_style_batches_load():
    batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]}
    loaded = _safe_pickle.load(io.BytesIO(pickle.dumps(batch, protocol=2)), encoding="bytes")
    assert loaded[b"labels"] == [1, 2]
    assert loaded[b"data"].shape == (2, 3072)
