"""`tf.io.RaggedFeature`: the configuration of a feature parsed into a RaggedTensor (its
values from `value_key`, its row partitions from other int64 features), checked as TF
checks it. Parsing is in parsing_ops.py; the RaggedTensors are built by
tfgraph/ragged/ragged_parsing.py."""

from __future__ import annotations

import collections

from tfgraph.framework import dtypes

__all__ = ["RaggedFeature"]


class RaggedFeature(
    collections.namedtuple(
        "RaggedFeature", ["dtype", "value_key", "partitions", "row_splits_dtype", "validate"]
    )
):
    """A feature parsed into a RaggedTensor: one (ragged) row per example, optionally
    partitioned further by `partitions` (RowSplits, RowLengths, RowStarts, RowLimits,
    ValueRowIds: keys of int64 features; UniformRowLength: a fixed length), outermost
    first."""

    RowSplits = collections.namedtuple("RowSplits", ["key"])
    RowLengths = collections.namedtuple("RowLengths", ["key"])
    RowStarts = collections.namedtuple("RowStarts", ["key"])
    RowLimits = collections.namedtuple("RowLimits", ["key"])
    ValueRowIds = collections.namedtuple("ValueRowIds", ["key"])
    UniformRowLength = collections.namedtuple("UniformRowLength", ["length"])

    _PARTITION_TYPES = (RowSplits, RowLengths, RowStarts, RowLimits, ValueRowIds, UniformRowLength)

    def __new__(
        cls, dtype, value_key=None, partitions=(), row_splits_dtype=dtypes.int32, validate=False
    ):
        if value_key is not None:
            if not isinstance(value_key, str):
                raise ValueError(f"Argument `value_key` must be a string; got {value_key}")
            if not value_key:
                raise ValueError("Argument `value_key` must not be empty")
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.int64, dtypes.float32, dtypes.string):
            raise ValueError(f"Argument `dtype` must be int64, float32, or bytes; got {dtype!r}")
        row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if row_splits_dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(
                f"Argument `row_splits_dtype` must be int32 or int64; got{row_splits_dtype!r}"
            )
        if not isinstance(partitions, (list, tuple)):
            raise TypeError(
                "Argument `partitions` must be a list or tuple. Received"
                f"partitions={partitions} of type {type(partitions).__name__}."
            )
        for partition in partitions:
            if not isinstance(partition, cls._PARTITION_TYPES):
                raise TypeError(
                    "Argument `partitions` must be a list of partition objects "
                    f"{cls._PARTITION_TYPES}; got: {partition!r}"
                )
        if not isinstance(validate, bool):
            raise TypeError(f"Argument `validate` must be a bool; got {validate!r}")
        return super().__new__(cls, dtype, value_key, tuple(partitions), row_splits_dtype, validate)
