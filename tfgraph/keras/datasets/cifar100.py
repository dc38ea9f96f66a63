"""`tf.keras.datasets.cifar100`: 32x32 colour images in 100 fine (or 20 coarse) classes
(`cifar-100-python.tar.gz`, unpacked in `~/.keras/datasets/cifar-100-python`)."""

from __future__ import annotations

import os

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.datasets._common import cache_dir_arg, channels_last, load_cifar_batch

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine", cache_dir=None):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images (N, 32, 32, 3) in
    channels_last and labels (N, 1) of `label_mode` "fine" (0-99) or "coarse" (0-19)."""
    if label_mode not in ["fine", "coarse"]:
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.'
        )
    path = get_file(
        "cifar-100-python",
        origin=ORIGIN,
        untar=True,
        file_hash=FILE_HASH,
        cache_dir=cache_dir_arg(cache_dir),
    )
    key = label_mode + "_labels"
    x_train, y_train = load_cifar_batch(os.path.join(path, "train"), label_key=key)
    x_test, y_test = load_cifar_batch(os.path.join(path, "test"), label_key=key)
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (channels_last(x_train), y_train), (channels_last(x_test), y_test)
