"""`tf.keras.utils`: numpy helpers (`to_categorical`, `normalize`)."""

from __future__ import annotations

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from tfgraph.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = [
    "CustomObjectScope",
    "Sequence",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "normalize",
    "register_keras_serializable",
    "serialize_keras_object",
    "to_categorical",
]


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels `y` (a trailing axis of 1 is dropped)."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return np.reshape(categorical, (*input_shape, num_classes))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms left as they are)."""
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


class Sequence:
    """Base of indexable batch sources for `fit_generator`: define `__getitem__(index)`
    (a batch) and `__len__` (batches per epoch); `on_epoch_end` runs after each epoch."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after each epoch (e.g. to shuffle)."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]
