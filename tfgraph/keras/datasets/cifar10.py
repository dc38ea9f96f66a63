"""`tf.keras.datasets.cifar10`: 32x32 colour images in 10 classes (the pickled batches
of `cifar-10-python.tar.gz`, unpacked in `~/.keras/datasets/cifar-10-batches-py`)."""

from __future__ import annotations

import os

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.datasets._common import cache_dir_arg, channels_last, load_cifar_batch

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data(cache_dir=None):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images (N, 32, 32, 3) in
    channels_last (else (N, 3, 32, 32)) and uint8 labels (N, 1)."""
    path = get_file(
        "cifar-10-batches-py",
        origin=ORIGIN,
        untar=True,
        file_hash=FILE_HASH,
        cache_dir=cache_dir_arg(cache_dir),
    )
    batches = [load_cifar_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([b[0] for b in batches]).astype("uint8")
    y_train = np.concatenate([np.asarray(b[1]) for b in batches]).astype("uint8")
    x_test, y_test = load_cifar_batch(os.path.join(path, "test_batch"))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    x_train, x_test = channels_last(x_train), channels_last(x_test)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test.astype(y_train.dtype))
