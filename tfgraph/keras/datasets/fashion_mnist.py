"""`tf.keras.datasets.fashion_mnist`: 28x28 grey clothing images (four gzipped IDX files
in `~/.keras/datasets/fashion-mnist`)."""

from __future__ import annotations

import gzip
import os

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.datasets._common import ORIGIN, cache_dir_arg

__all__ = ["load_data"]

FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def _read(path: str, offset: int):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data(cache_dir=None):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and labels 0-9."""
    cache_dir = cache_dir_arg(cache_dir)
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [
        get_file(name, origin=ORIGIN + name, cache_dir=cache_dir, cache_subdir=subdir)
        for name in FILES
    ]
    y_train = _read(paths[0], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read(paths[2], 8)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
