"""The sequence feature columns of `tf.feature_column` (TF1 names, TF 2.21 classes):
`sequence_categorical_column_with_*` (categorical columns whose ids keep a sequence
axis: [batch, steps, n]) and `sequence_numeric_column`. As in TF, `input_layer`
rejects them (indicator/embedding views raise); `linear_model` takes the categorical
ones."""

from __future__ import annotations

import collections

from tfgraph.feature_column._columns import (
    IdWeightPair,
    _check_shape,
    _Column,
    categorical_column_with_hash_bucket,
    categorical_column_with_identity,
    categorical_column_with_vocabulary_list,
)
from tfgraph.feature_column.vocab_file import categorical_column_with_vocabulary_file
from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import math_ops, sparse_ops

__all__ = [
    "sequence_categorical_column_with_hash_bucket",
    "sequence_categorical_column_with_identity",
    "sequence_categorical_column_with_vocabulary_file",
    "sequence_categorical_column_with_vocabulary_list",
    "sequence_numeric_column",
]


class SequenceCategoricalColumn(
    _Column, collections.namedtuple("SequenceCategoricalColumn", ("categorical_column",))
):
    _categorical = True
    _sequence = True

    @property
    def name(self) -> str:
        return self.categorical_column.name

    @property
    def parse_example_spec(self) -> dict:
        return self.categorical_column.parse_example_spec

    def _transform_feature(self, inputs):
        return self.categorical_column._transform_feature(inputs)

    @property
    def _num_buckets(self) -> int:
        return self.categorical_column._num_buckets

    def _get_sparse_tensors(self, inputs, weight_collections=None, trainable=None):
        from tfgraph.feature_column.linear import _sparse_shape

        pair = self.categorical_column._get_sparse_tensors(inputs)
        shape = _sparse_shape(pair.id_tensor)
        target = [shape[0], shape[1], math_ops.reduce_prod(shape[2:])]
        ids = sparse_ops.sparse_reshape(pair.id_tensor, target)
        weights = pair.weight_tensor
        if weights is not None:
            weights = sparse_ops.sparse_reshape(weights, target)
        return IdWeightPair(ids, weights)


class SequenceNumericColumn(
    collections.namedtuple(
        "SequenceNumericColumn", ("key", "shape", "default_value", "dtype", "normalizer_fn")
    ),
):
    """A TF2-only column (not a TF1 `_FeatureColumn`): TF1's input_layer, linear_model and
    make_parse_example_spec reject it, as TF's do."""

    _sequence = True

    @property
    def name(self) -> str:
        return self.key

    @property
    def parse_example_spec(self) -> dict:
        from tfgraph.ops.parsing_ops import VarLenFeature

        return {self.key: VarLenFeature(self.dtype)}

    def _transform_feature(self, inputs):
        tensor = inputs.get(self.key)
        if self.normalizer_fn is not None:
            tensor = self.normalizer_fn(tensor)
        return tensor

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape(self.shape)


def sequence_categorical_column_with_identity(key, num_buckets, default_value=None):
    """`categorical_column_with_identity` over a sequence feature."""
    return SequenceCategoricalColumn(
        categorical_column_with_identity(key, num_buckets, default_value=default_value)
    )


def sequence_categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """`categorical_column_with_hash_bucket` over a sequence feature."""
    return SequenceCategoricalColumn(
        categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtype)
    )


def sequence_categorical_column_with_vocabulary_file(
    key, vocabulary_file, vocabulary_size=None, num_oov_buckets=0, default_value=None,
    dtype=dtypes.string,
):  # fmt: skip
    """`categorical_column_with_vocabulary_file` over a sequence feature."""
    return SequenceCategoricalColumn(
        categorical_column_with_vocabulary_file(
            key,
            vocabulary_file,
            vocabulary_size=vocabulary_size,
            num_oov_buckets=num_oov_buckets,
            default_value=default_value,
            dtype=dtype,
        )
    )


def sequence_categorical_column_with_vocabulary_list(
    key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0
):
    """`categorical_column_with_vocabulary_list` over a sequence feature."""
    return SequenceCategoricalColumn(
        categorical_column_with_vocabulary_list(
            key,
            vocabulary_list,
            dtype=dtype,
            default_value=default_value,
            num_oov_buckets=num_oov_buckets,
        )
    )


def sequence_numeric_column(
    key, shape=(1,), default_value=0.0, dtype=dtypes.float32, normalizer_fn=None
):
    """A sequence of `shape`-sized real values per example (its parse spec is a
    VarLenFeature)."""
    shape = _check_shape(shape, key)
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return SequenceNumericColumn(key, shape, default_value, dtype, normalizer_fn)
