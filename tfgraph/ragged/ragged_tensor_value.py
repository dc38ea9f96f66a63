"""`tf.ragged.RaggedTensorValue`: what Session.run gives for a fetched RaggedTensor."""

from __future__ import annotations

import numpy as np

__all__ = ["RaggedTensorValue"]


class RaggedTensorValue:
    """The numpy value of a RaggedTensor: `values` (an array or another value) split
    into rows by the 1-D int32/int64 array `row_splits`."""

    def __init__(self, values, row_splits) -> None:
        if not (
            isinstance(row_splits, (np.ndarray, np.generic))
            and row_splits.dtype in (np.int64, np.int32)
            and row_splits.ndim == 1
        ):
            raise TypeError("row_splits must be a 1D int32 or int64 numpy array")
        if not isinstance(values, (np.ndarray, np.generic, RaggedTensorValue)):
            raise TypeError("values must be a numpy array or a RaggedTensorValue")
        if isinstance(values, RaggedTensorValue) and row_splits.dtype != values.row_splits.dtype:
            raise ValueError("row_splits and values.row_splits must have the same dtype")
        self._values = values
        self._row_splits = row_splits

    @property
    def row_splits(self):
        return self._row_splits

    @property
    def values(self):
        return self._values

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def flat_values(self):
        v = self._values
        while isinstance(v, RaggedTensorValue):
            v = v.values
        return v

    @property
    def nested_row_splits(self) -> tuple:
        splits = [self._row_splits]
        v = self._values
        while isinstance(v, RaggedTensorValue):
            splits.append(v.row_splits)
            v = v.values
        return tuple(splits)

    @property
    def ragged_rank(self) -> int:
        if isinstance(self._values, RaggedTensorValue):
            return self._values.ragged_rank + 1
        return 1

    @property
    def shape(self) -> tuple:
        values_shape: tuple = tuple(self._values.shape)
        inner = values_shape[1:]
        return (int(np.size(self._row_splits)) - 1, None, *inner)

    def to_list(self) -> list:
        """The value as nested Python lists."""
        if isinstance(self._values, RaggedTensorValue):
            inner = self._values.to_list()
        else:
            inner = self._values.tolist()
        s = np.asarray(self._row_splits).tolist()
        return [inner[s[i] : s[i + 1]] for i in range(len(s) - 1)]

    def __str__(self) -> str:
        return f"<tf.RaggedTensorValue {self.to_list()}>"

    def __repr__(self) -> str:
        return f"tf.RaggedTensorValue(values={self._values!r}, row_splits={self._row_splits!r})"
