"""`tf.feature_column.categorical_column_with_vocabulary_file` (TF1): ids by each value's
line in a vocabulary file, through a table filled by a TextFileInitializer as TF's
`index_table_from_file` builds it (ops/lookup_ops.py)."""

from __future__ import annotations

import collections

from tfgraph.feature_column._columns import (
    _assert_key_is_string,
    _assert_string_or_int,
    _cast,
    _CategoricalColumn,
)
from tfgraph.framework import dtypes
from tfgraph.ops.lookup_ops import index_table_from_file

__all__ = ["categorical_column_with_vocabulary_file"]


class VocabularyFileCategoricalColumn(
    _CategoricalColumn,
    collections.namedtuple(
        "VocabularyFileCategoricalColumn",
        ("key", "vocabulary_file", "vocabulary_size", "num_oov_buckets", "dtype",
         "default_value", "file_format"),
    ),
):  # fmt: skip
    @property
    def name(self) -> str:
        return self.key

    def _transform_input_tensor(self, input_tensor):
        if self.dtype.is_integer != input_tensor.dtype.is_integer:
            raise ValueError(
                "Column dtype and SparseTensors dtype must be compatible. key: "
                f"{self.key}, column dtype: {self.dtype}, tensor dtype: {input_tensor.dtype}"
            )
        _assert_string_or_int(input_tensor.dtype, prefix=f"column_name: {self.key} input_tensor")
        key_dtype = self.dtype
        if input_tensor.dtype.is_integer:
            key_dtype = dtypes.int64
            input_tensor = _cast(input_tensor, dtypes.int64)
        table = index_table_from_file(
            vocabulary_file=self.vocabulary_file,
            num_oov_buckets=self.num_oov_buckets,
            vocab_size=self.vocabulary_size,
            default_value=self.default_value,
            key_dtype=key_dtype,
            name=f"{self.key}_lookup",
        )
        return table.lookup(input_tensor)

    @property
    def _num_buckets(self) -> int:
        return self.vocabulary_size + self.num_oov_buckets


def categorical_column_with_vocabulary_file(
    key, vocabulary_file, vocabulary_size=None, num_oov_buckets=0, default_value=None,
    dtype=dtypes.string,
):  # fmt: skip
    """Ids of values by their line in `vocabulary_file` (others: `default_value` or one
    of `num_oov_buckets` hash buckets after the vocabulary)."""
    from tfgraph.io.gfile import GFile, exists

    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    if vocabulary_size is None:
        if not exists(vocabulary_file):
            raise ValueError(f"vocabulary_file in {key} does not exist.")
        with GFile(vocabulary_file, mode="rb") as f:
            vocabulary_size = sum(1 for _ in f)
    if vocabulary_size < 1:
        raise ValueError(f"Invalid vocabulary_size in {key}.")
    if num_oov_buckets:
        if default_value is not None:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    dtype = dtypes.as_dtype(dtype)
    _assert_string_or_int(dtype, prefix=f"column_name: {key}")
    _assert_key_is_string(key)
    return VocabularyFileCategoricalColumn(
        key, vocabulary_file, vocabulary_size, 0 if num_oov_buckets is None else num_oov_buckets,
        dtype, -1 if default_value is None else default_value, None,
    )  # fmt: skip


def categorical_column_with_vocabulary_file_v2(
    key, vocabulary_file, vocabulary_size=None, dtype=dtypes.string, default_value=None,
    num_oov_buckets=0, file_format=None,
):  # fmt: skip
    """TF2's `tf.feature_column.categorical_column_with_vocabulary_file` (dtype third;
    `file_format` other than a text file is not implemented)."""
    if file_format not in (None, "text"):
        raise NotImplementedError(
            "categorical_column_with_vocabulary_file: tfgraph reads text vocabulary files "
            f"only, got file_format={file_format!r}; pass file_format=None"
        )
    return categorical_column_with_vocabulary_file(
        key, vocabulary_file, vocabulary_size=vocabulary_size, num_oov_buckets=num_oov_buckets,
        default_value=default_value, dtype=dtype,
    )  # fmt: skip
