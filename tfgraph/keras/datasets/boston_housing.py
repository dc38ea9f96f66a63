"""`tf.keras.datasets.boston_housing`: 13 features and a price per house
(`boston_housing.npz`), shuffled with `seed` and split."""

from __future__ import annotations

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.datasets._common import ORIGIN, cache_dir_arg

__all__ = ["load_data"]

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113, cache_dir=None):
    """`(x_train, y_train), (x_test, y_test)`: the first `1 - test_split` of the
    shuffled rows train, the rest test."""
    assert 0 <= test_split < 1
    path = get_file(
        path,
        origin=ORIGIN + "boston_housing.npz",
        file_hash=FILE_HASH,
        cache_dir=cache_dir_arg(cache_dir),
    )
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
