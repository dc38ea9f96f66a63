"""TF1 feature columns (`tf.feature_column`), as TF 2.21's compat.v1 builds them:
numeric, bucketized, categorical (vocabulary list, identity, hash bucket), weighted
categorical, indicator and embedding columns; `input_layer` and
`make_parse_example_spec`. Graphs, variable names (`input_layer/<column>/...`) and
values follow TF's feature_column(_v2).py op for op.
"""

from __future__ import annotations

import collections
import math

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, hash_ops, math_ops, sparse_ops, string_ops

IdWeightPair = collections.namedtuple("IdWeightPair", ("id_tensor", "weight_tensor"))


def _assert_key_is_string(key) -> None:
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Got: type {type(key)}. Given key: {key}.")


def _assert_string_or_int(dtype, prefix: str) -> None:
    if dtype != dtypes.string and not dtype.is_integer:
        raise ValueError(f"{prefix} dtype must be string or integer. dtype: {dtype}.")


class _Column:
    """What every column has: a name, its parse spec and its cached transformation."""

    _dense = False
    _categorical = False
    _sequence = False

    @property
    def _var_scope_name(self) -> str:
        return self.name  # type: ignore[attr-defined]  # (each column's namedtuple)


# -- dense columns ---------------------------------------------------------------------
class NumericColumn(
    _Column,
    collections.namedtuple(
        "NumericColumn", ("key", "shape", "default_value", "dtype", "normalizer_fn")
    ),
):
    _dense = True

    @property
    def name(self) -> str:
        return self.key

    @property
    def parse_example_spec(self) -> dict:
        from tfgraph.ops.parsing_ops import FixedLenFeature

        return {self.key: FixedLenFeature(self.shape, self.dtype, self.default_value)}

    def _transform_feature(self, inputs):
        tensor = inputs.get(self.key)
        if isinstance(tensor, SparseTensor):
            raise ValueError(
                "The corresponding Tensor of numerical column must be a Tensor. SparseTensor "
                f"is not supported. key: {self.key}"
            )
        if self.normalizer_fn is not None:
            tensor = self.normalizer_fn(tensor)
        return array_ops.cast(tensor, dtypes.float32)

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape(self.shape)

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        return inputs.get(self)


class BucketizedColumn(
    _Column, collections.namedtuple("BucketizedColumn", ("source_column", "boundaries"))
):
    _dense = True
    _categorical = True

    @property
    def name(self) -> str:
        return f"{self.source_column.name}_bucketized"

    @property
    def parse_example_spec(self) -> dict:
        return self.source_column.parse_example_spec

    def _transform_feature(self, inputs):
        from tfgraph.ops.math_more_ops import bucketize

        return bucketize(inputs.get(self.source_column), boundaries=self.boundaries)

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape(tuple(self.source_column.shape) + (len(self.boundaries) + 1,))

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        return array_ops.one_hot(
            indices=array_ops.cast(inputs.get(self), dtypes.int64),
            depth=len(self.boundaries) + 1,
            on_value=1.0,
            off_value=0.0,
        )

    @property
    def _num_buckets(self) -> int:
        return (len(self.boundaries) + 1) * self.source_column.shape[0]

    def _get_sparse_tensors(self, inputs, weight_collections=None, trainable=None):
        tensor = inputs.get(self)
        batch_size = array_ops.shape(tensor)[0]
        source_dimension = self.source_column.shape[0]
        i1 = array_ops.reshape(
            array_ops.tile(
                array_ops.expand_dims(math_ops.range(0, batch_size), 1), [1, source_dimension]
            ),
            (-1,),
        )
        i2 = array_ops.tile(math_ops.range(0, source_dimension), [batch_size])
        bucket_indices = array_ops.reshape(tensor, (-1,)) + (len(self.boundaries) + 1) * i2
        indices = array_ops.cast(array_ops.transpose(array_ops.stack((i1, i2))), dtypes.int64)
        dense_shape = array_ops.cast(array_ops.stack([batch_size, source_dimension]), dtypes.int64)
        return IdWeightPair(SparseTensor(indices, bucket_indices, dense_shape), None)


# -- categorical columns -----------------------------------------------------------------
def to_sparse_input_and_drop_ignore_values(input_tensor, ignore_value=None):
    """`input_tensor` as a SparseTensor without its `ignore_value` entries ("" for
    strings, -1 for integers, 0 otherwise), as TF converts dense categorical input."""
    input_tensor = sparse_ops.convert_to_tensor_or_sparse_tensor(input_tensor)
    if isinstance(input_tensor, SparseTensor):
        return input_tensor
    with get_default_graph().name_scope("to_sparse_input"):
        dtype = input_tensor.dtype._base
        if ignore_value is None:
            if dtype == dtypes.string:
                ignore_value = ""
            elif dtype.is_integer:
                ignore_value = -1
            else:
                ignore_value = dtype.np_dtype.type()
        ignore_value = array_ops.cast(ignore_value, dtype, name="ignore_value")
        indices = array_ops.where(math_ops.not_equal(input_tensor, ignore_value), name="indices")
        return SparseTensor(
            indices=indices,
            values=array_ops.gather_nd(input_tensor, indices, name="values"),
            dense_shape=array_ops.shape(input_tensor, out_type=dtypes.int64, name="dense_shape"),
        )


def _cast(tensor, dtype):
    """TF's math_ops.cast, SparseTensors included (their values cast, op "Cast")."""
    if not isinstance(tensor, SparseTensor):
        return array_ops.cast(tensor, dtype)
    if tensor.dtype._base == dtype:
        return tensor
    with get_default_graph().name_scope("Cast") as scope:
        values = array_ops.cast(tensor.values, dtype, name=scope)
    return SparseTensor(tensor.indices, values, tensor.dense_shape)


class _CategoricalColumn(_Column):
    _categorical = True

    @property
    def parse_example_spec(self) -> dict:
        from tfgraph.ops.parsing_ops import VarLenFeature

        return {self.key: VarLenFeature(self.dtype)}  # type: ignore[attr-defined]

    def _transform_feature(self, inputs):
        return self._transform_input_tensor(
            to_sparse_input_and_drop_ignore_values(inputs.get(self.key))
        )

    def _get_sparse_tensors(self, inputs, weight_collections=None, trainable=None):
        return IdWeightPair(inputs.get(self), None)


class VocabularyListCategoricalColumn(
    _CategoricalColumn,
    collections.namedtuple(
        "VocabularyListCategoricalColumn",
        ("key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"),
    ),
):
    @property
    def name(self) -> str:
        return self.key

    def _transform_input_tensor(self, input_tensor):
        from tfgraph.ops.lookup_ops import index_table_from_tensor

        if self.dtype.is_integer != input_tensor.dtype.is_integer:
            raise ValueError(
                "Column dtype and SparseTensors dtype must be compatible. key: "
                f"{self.key}, column dtype: {self.dtype}, tensor dtype: {input_tensor.dtype}"
            )
        key_dtype = self.dtype
        if input_tensor.dtype.is_integer:
            key_dtype = dtypes.int64
            input_tensor = _cast(input_tensor, dtypes.int64)
        table = index_table_from_tensor(
            vocabulary_list=tuple(self.vocabulary_list),
            default_value=self.default_value,
            num_oov_buckets=self.num_oov_buckets,
            dtype=key_dtype,
            name=f"{self.key}_lookup",
        )
        return table.lookup(input_tensor)

    @property
    def _num_buckets(self) -> int:
        return len(self.vocabulary_list) + self.num_oov_buckets


class IdentityCategoricalColumn(
    _CategoricalColumn,
    collections.namedtuple("IdentityCategoricalColumn", ("key", "number_buckets", "default_value")),
):
    dtype = dtypes.int64

    @property
    def name(self) -> str:
        return self.key

    def _transform_input_tensor(self, input_tensor):
        if not input_tensor.dtype.is_integer:
            raise ValueError(
                f"Invalid input, not integer. key: {self.key} dtype: {input_tensor.dtype}"
            )
        values = input_tensor.values
        if values.dtype != dtypes.int64:
            values = array_ops.cast(values, dtypes.int64, name="values")
        if self.default_value is not None:
            values = array_ops.cast(input_tensor.values, dtypes.int64, name="values")
            num_buckets = array_ops.cast(self.number_buckets, dtypes.int64, name="num_buckets")
            zero = array_ops.cast(0, dtypes.int64, name="zero")
            values = array_ops.where_v2(
                math_ops.logical_or(values < zero, values >= num_buckets, name="out_of_range"),
                array_ops.fill(
                    dims=array_ops.shape(values),
                    value=array_ops.cast(self.default_value, dtypes.int64),
                    name="default_values",
                ),
                values,
            )
        return SparseTensor(input_tensor.indices, values, input_tensor.dense_shape)

    @property
    def _num_buckets(self) -> int:
        return self.number_buckets


class HashedCategoricalColumn(
    _CategoricalColumn,
    collections.namedtuple("HashedCategoricalColumn", ("key", "hash_bucket_size", "dtype")),
):
    @property
    def name(self) -> str:
        return self.key

    def _transform_input_tensor(self, input_tensor):
        if self.dtype.is_integer != input_tensor.dtype.is_integer:
            raise ValueError(
                "Column dtype and SparseTensors dtype must be compatible. key: "
                f"{self.key}, column dtype: {self.dtype}, tensor dtype: {input_tensor.dtype}"
            )
        values = input_tensor.values
        if self.dtype != dtypes.string:
            values = string_ops.as_string(values)
        ids = hash_ops.string_to_hash_bucket_fast(values, self.hash_bucket_size, name="lookup")
        return SparseTensor(input_tensor.indices, ids, input_tensor.dense_shape)

    @property
    def _num_buckets(self) -> int:
        return self.hash_bucket_size


class WeightedCategoricalColumn(
    _Column,
    collections.namedtuple(
        "WeightedCategoricalColumn", ("categorical_column", "weight_feature_key", "dtype")
    ),
):
    _categorical = True

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}"

    @property
    def parse_example_spec(self) -> dict:
        from tfgraph.ops.parsing_ops import VarLenFeature

        config = dict(self.categorical_column.parse_example_spec)
        if self.weight_feature_key in config:
            raise ValueError(
                f"Parse config {config[self.weight_feature_key]} already exists for "
                f"{self.weight_feature_key}."
            )
        config[self.weight_feature_key] = VarLenFeature(self.dtype)
        return config

    @property
    def _num_buckets(self) -> int:
        return self.categorical_column._num_buckets

    def _transform_feature(self, inputs):
        weight_tensor = inputs.get(self.weight_feature_key)
        if weight_tensor is None:
            raise ValueError(f"Missing weights {self.weight_feature_key}.")
        weight_tensor = to_sparse_input_and_drop_ignore_values(weight_tensor)
        if self.dtype != weight_tensor.dtype._base:
            raise ValueError(f"Bad dtype, expected {self.dtype}, but got {weight_tensor.dtype}.")
        if not isinstance(weight_tensor, SparseTensor):
            weight_tensor = to_sparse_input_and_drop_ignore_values(weight_tensor, ignore_value=0.0)
        if not weight_tensor.dtype.is_floating:
            weight_tensor = array_ops.cast(weight_tensor, dtypes.float32)
        return (inputs.get(self.categorical_column), weight_tensor)

    def _get_sparse_tensors(self, inputs, weight_collections=None, trainable=None):
        tensors = inputs.get(self)
        return IdWeightPair(tensors[0], tensors[1])


# -- indicator and embedding columns (dense views of categorical ones) ------------------
def _reject_sequence(kind: str, column) -> None:
    inner = column.categorical_column
    if inner._sequence:
        raise ValueError(
            f"In {kind}: {column.name}. categorical_column must not be of type "
            "SequenceCategoricalColumn. Suggested fix A: If you wish to use DenseFeatures, use "
            "a non-sequence categorical_column_with_*. Suggested fix B: If you wish to create "
            "sequence input, use SequenceFeatures instead of DenseFeatures. Given (type "
            f"{type(inner)}): {inner}"
        )


class IndicatorColumn(_Column, collections.namedtuple("IndicatorColumn", ("categorical_column",))):
    _dense = True

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_indicator"

    @property
    def parse_example_spec(self) -> dict:
        return self.categorical_column.parse_example_spec

    def _transform_feature(self, inputs):
        pair = self.categorical_column._get_sparse_tensors(inputs)
        size = self.categorical_column._num_buckets
        if pair.weight_tensor is not None:
            weighted = sparse_ops.sparse_merge(
                sp_ids=pair.id_tensor, sp_values=pair.weight_tensor, vocab_size=int(size)
            )
            # (drops the (?, -1) indices; scatter_nd sums duplicated ones)
            weighted = sparse_ops.sparse_slice(weighted, [0, 0], weighted.dense_shape)
            return array_ops.scatter_nd(weighted.indices, weighted.values, weighted.dense_shape)
        dense_ids = sparse_ops.sparse_tensor_to_dense(pair.id_tensor, default_value=-1)
        one_hot = array_ops.one_hot(dense_ids, depth=size, on_value=1.0, off_value=0.0)
        return math_ops.reduce_sum(one_hot, axis=[-2])

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape([1, self.categorical_column._num_buckets])

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        _reject_sequence("indicator_column", self)
        return inputs.get(self)


class EmbeddingColumn(
    _Column,
    collections.namedtuple(
        "EmbeddingColumn",
        ("categorical_column", "dimension", "combiner", "initializer", "ckpt_to_load_from",
         "tensor_name_in_ckpt", "max_norm", "trainable", "use_safe_embedding_lookup"),
    ),
):  # fmt: skip
    _dense = True

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_embedding"

    @property
    def parse_example_spec(self) -> dict:
        return self.categorical_column.parse_example_spec

    def _transform_feature(self, inputs):
        return inputs.get(self.categorical_column)

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape([self.dimension])

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        from tfgraph.ops.embedding_ops import embedding_lookup_sparse, safe_embedding_lookup_sparse
        from tfgraph.variable_scope import get_variable

        _reject_sequence("embedding_column", self)
        pair = self.categorical_column._get_sparse_tensors(inputs, weight_collections, trainable)
        if weight_collections and GraphKeys.GLOBAL_VARIABLES not in weight_collections:
            weight_collections.append(GraphKeys.GLOBAL_VARIABLES)
        weights = get_variable(
            name="embedding_weights",
            shape=(self.categorical_column._num_buckets, self.dimension),
            dtype=dtypes.float32,
            initializer=self.initializer,
            trainable=self.trainable and trainable,
            collections=weight_collections,
        )
        if self.ckpt_to_load_from is not None:
            from tfgraph.training.checkpoint_utils import init_from_checkpoint

            init_from_checkpoint(self.ckpt_to_load_from, {self.tensor_name_in_ckpt: weights})
        rank = pair.id_tensor.dense_shape.get_shape().as_list()[0]
        lookup = safe_embedding_lookup_sparse
        if not self.use_safe_embedding_lookup and rank is not None and rank <= 2:
            lookup = embedding_lookup_sparse
        return lookup(
            weights,
            pair.id_tensor,
            pair.weight_tensor,
            combiner=self.combiner,
            name=f"{self.name}_weights",
            max_norm=self.max_norm,
        )


# -- constructors -------------------------------------------------------------------------
def _check_shape(shape, key) -> tuple:
    if isinstance(shape, int):
        shape = [shape]
    shape = tuple(shape)
    for dim in shape:
        if not isinstance(dim, int):
            raise TypeError(f"shape dimensions must be integer. shape: {shape}, key: {key}")
        if dim < 1:
            raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, key: {key}")
    return shape


def _check_default_value(shape, default_value, dtype, key):
    if default_value is None:
        return None
    if isinstance(default_value, (int, float)):
        value = np.full(shape, default_value, dtype=dtype.np_dtype)
    else:
        value = np.asarray(default_value, dtype=dtype.np_dtype)
        if value.shape != tuple(shape):
            raise ValueError(
                f"The shape of default_value must be equal to given shape. default_value: "
                f"{default_value}, shape: {shape}, key: {key}"
            )
    return tuple(value.reshape(-1).tolist()) if len(shape) else value.item()


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """A dense column of real values (`shape` per example), cast to float32."""
    shape = _check_shape(shape, key)
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    default_value = _check_default_value(shape, default_value, dtype, key)
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    _assert_key_is_string(key)
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def bucketized_column(source_column, boundaries):
    """`source_column`'s values as one-hot buckets between sorted `boundaries`."""
    if not isinstance(source_column, NumericColumn):
        raise ValueError(
            f"source_column must be a column generated with numeric_column(). Given: "
            f"{source_column}"
        )
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: {source_column}")
    if not boundaries:
        raise ValueError("boundaries must not be empty.")
    if not isinstance(boundaries, (list, tuple)):
        raise ValueError("boundaries must be a sorted list.")
    for i in range(len(boundaries) - 1):
        if boundaries[i] >= boundaries[i + 1]:
            raise ValueError("boundaries must be a sorted list.")
    return BucketizedColumn(source_column, tuple(boundaries))


def categorical_column_with_vocabulary_list(
    key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0
):
    """Ids of values by their position in `vocabulary_list` (others: `default_value`
    or one of `num_oov_buckets` hash buckets)."""
    if vocabulary_list is None or len(vocabulary_list) < 1:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: {key}")
    vocabulary_dtype = dtypes.as_dtype(np.array(vocabulary_list).dtype)
    if num_oov_buckets:
        if default_value != -1:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    _assert_string_or_int(vocabulary_dtype, prefix=f"column_name: {key} vocabulary")
    if dtype is None:
        dtype = vocabulary_dtype
    elif dtypes.as_dtype(dtype).is_integer != vocabulary_dtype.is_integer:
        raise ValueError(
            f"dtype {dtype} and vocabulary dtype {vocabulary_dtype} do not match, column_name: "
            f"{key}"
        )
    dtype = dtypes.as_dtype(dtype)
    _assert_string_or_int(dtype, prefix=f"column_name: {key}")
    _assert_key_is_string(key)
    return VocabularyListCategoricalColumn(
        key, tuple(vocabulary_list), dtype, default_value, num_oov_buckets
    )


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """Integer ids used as they are (out of [0, num_buckets): `default_value`)."""
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError(
            f"default_value {default_value} not in range [0, {num_buckets}), column_name {key}"
        )
    _assert_key_is_string(key)
    return IdentityCategoricalColumn(key, num_buckets, default_value)


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """Ids by hashing each value (as a string) into `hash_bucket_size` buckets."""
    if hash_bucket_size is None:
        raise ValueError(f"hash_bucket_size must be set. key: {key}")
    if hash_bucket_size < 1:
        raise ValueError(
            f"hash_bucket_size must be at least 1. hash_bucket_size: {hash_bucket_size}, key: {key}"
        )
    _assert_key_is_string(key)
    dtype = dtypes.as_dtype(dtype)
    _assert_string_or_int(dtype, prefix=f"column_name: {key}")
    return HashedCategoricalColumn(key, hash_bucket_size, dtype)


def weighted_categorical_column(categorical_column, weight_feature_key, dtype=dtypes.float32):
    """`categorical_column` with a weight per id from the feature `weight_feature_key`."""
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    if dtype is None or not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype {dtype} is not convertible to float.")
    return WeightedCategoricalColumn(categorical_column, weight_feature_key, dtype)


def indicator_column(categorical_column):
    """A multi-hot dense view of a categorical column."""
    if not getattr(categorical_column, "_categorical", False):
        raise ValueError(
            "Unsupported input type. Input must be a CategoricalColumn. Given: "
            f"{categorical_column}"
        )
    return IndicatorColumn(categorical_column)


def embedding_column(
    categorical_column, dimension, combiner="mean", initializer=None, ckpt_to_load_from=None,
    tensor_name_in_ckpt=None, max_norm=None, trainable=True, use_safe_embedding_lookup=True,
):  # fmt: skip
    """A dense `dimension`-vector per example: the `combiner` of the embeddings of its
    ids (variable `embedding_weights`, truncated normal stddev 1/sqrt(dimension))."""
    from tfgraph.ops.init_ops import truncated_normal_initializer

    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError(
            "Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or none of them."
        )
    if initializer is not None and not callable(initializer):
        raise ValueError(
            "initializer must be callable if specified. Embedding of column_name: "
            f"{categorical_column.name}"
        )
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return EmbeddingColumn(
        categorical_column, dimension, combiner, initializer, ckpt_to_load_from,
        tensor_name_in_ckpt, max_norm, trainable, use_safe_embedding_lookup,
    )  # fmt: skip
