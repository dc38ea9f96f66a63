"""`tf.keras.datasets.mnist`: 28x28 grey digit images (`mnist.npz` in the cache)."""

from __future__ import annotations

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.datasets._common import ORIGIN, cache_dir_arg

__all__ = ["load_data"]

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz", cache_dir=None):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and labels 0-9,
    from `~/.keras/datasets/<path>` (downloaded on first use)."""
    path = get_file(
        path, origin=ORIGIN + "mnist.npz", file_hash=FILE_HASH, cache_dir=cache_dir_arg(cache_dir)
    )
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
