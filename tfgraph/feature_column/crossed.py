"""`tf.feature_column.crossed_column` (TF1): the hashed cross of string features and
categorical columns, through `tf.sparse.cross_hashed` as TF's CrossedColumn."""

from __future__ import annotations

import collections

from tfgraph.feature_column._columns import HashedCategoricalColumn, IdWeightPair, _Column
from tfgraph.framework import dtypes
from tfgraph.ops.sparse_cross_ops import sparse_cross_hashed

__all__ = ["crossed_column"]


def _leaf_keys(cross) -> list:
    """The cross's keys with nested crosses expanded (strings or categorical columns)."""
    keys = []
    for key in cross.keys:
        keys.extend(_leaf_keys(key) if isinstance(key, CrossedColumn) else [key])
    return keys


class CrossedColumn(
    _Column, collections.namedtuple("CrossedColumn", ("keys", "hash_bucket_size", "hash_key"))
):
    _categorical = True

    @property
    def name(self) -> str:
        names = [key if isinstance(key, str) else key.name for key in _leaf_keys(self)]
        return "_X_".join(sorted(names))

    @property
    def parse_example_spec(self) -> dict:
        from tfgraph.ops.parsing_ops import VarLenFeature

        config: dict = {}
        for key in self.keys:
            if isinstance(key, str):
                config[key] = VarLenFeature(dtypes.string)
            else:
                config.update(key.parse_example_spec)
        return config

    def _transform_feature(self, inputs):
        tensors = []
        for key in _leaf_keys(self):
            if isinstance(key, str):
                tensors.append(inputs.get(key))
                continue
            pair = key._get_sparse_tensors(inputs)
            if pair.weight_tensor is not None:
                raise ValueError(
                    "crossed_column does not support weight_tensor, but the given column "
                    f"populates weight_tensor. Given column: {key.name}"
                )
            tensors.append(pair.id_tensor)
        return sparse_cross_hashed(
            inputs=tensors, num_buckets=self.hash_bucket_size, hash_key=self.hash_key
        )

    @property
    def _num_buckets(self) -> int:
        return self.hash_bucket_size

    def _get_sparse_tensors(self, inputs, weight_collections=None, trainable=None):
        return IdWeightPair(inputs.get(self), None)


def crossed_column(keys, hash_bucket_size, hash_key=None):
    """The cross of `keys` (feature names or categorical columns, not hash-bucket
    ones): each combination of their values hashed into `hash_bucket_size` buckets."""
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if not isinstance(key, str) and not getattr(key, "_categorical", False):
            raise ValueError(
                "Unsupported key type. All keys must be either string, or categorical column "
                f"except HashedCategoricalColumn. Given: {key}"
            )
        if isinstance(key, HashedCategoricalColumn):
            raise ValueError(
                "categorical_column_with_hash_bucket is not supported for crossing. Hashing "
                "before crossing will increase probability of collision. Instead, use the "
                f"feature name as a string. Given: {key}"
            )
    return CrossedColumn(tuple(keys), hash_bucket_size, hash_key)
