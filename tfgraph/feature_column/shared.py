"""`tf.feature_column.shared_embedding_columns` (TF1): embedding columns of several
categorical columns sharing one `embedding_weights` variable, found through the graph
collection named after the columns (as TF's _SharedEmbeddingColumn)."""

from __future__ import annotations

import collections
import math

from tfgraph.feature_column._columns import WeightedCategoricalColumn, _Column
from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape

__all__ = ["shared_embedding_columns"]


class SharedEmbeddingColumn(
    _Column,
    collections.namedtuple(
        "SharedEmbeddingColumn",
        ("categorical_column", "dimension", "combiner", "initializer",
         "shared_embedding_collection_name", "ckpt_to_load_from", "tensor_name_in_ckpt",
         "max_norm", "trainable", "use_safe_embedding_lookup"),
    ),
):  # fmt: skip
    _dense = True

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_shared_embedding"

    @property
    def _var_scope_name(self) -> str:
        return self.shared_embedding_collection_name

    @property
    def parse_example_spec(self) -> dict:
        return self.categorical_column.parse_example_spec

    def _transform_feature(self, inputs):
        return inputs.get(self.categorical_column)

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape([self.dimension])

    def _shared_weights(self, weight_collections, trainable):
        from tfgraph.variable_scope import get_variable

        g = get_default_graph()
        shape = (self.categorical_column._num_buckets, self.dimension)
        found = g.get_collection(self.shared_embedding_collection_name)
        if not found:
            weights = get_variable(
                name="embedding_weights",
                shape=shape,
                dtype=dtypes.float32,
                initializer=self.initializer,
                trainable=self.trainable and trainable,
                collections=weight_collections,
            )
            g.add_to_collection(self.shared_embedding_collection_name, weights)
            return weights
        if len(found) > 1:
            raise ValueError(
                f"Collection {found} can only contain one variable. Suggested fix A: Choose a "
                "unique name for this collection. Suggested fix B: Do not add any variables to "
                "this collection. The feature_column library already adds a variable under "
                "the hood."
            )
        if found[0].get_shape() != TensorShape(shape):
            raise ValueError(
                f"Shared embedding collection {self.shared_embedding_collection_name} contains "
                f"variable {found[0].name} of unexpected shape {found[0].get_shape()}. "
                f"Expected shape is {shape}. Suggested fix A: Choose a unique name for this "
                "collection. Suggested fix B: Do not add any variables to this collection. The "
                "feature_column library already adds a variable under the hood."
            )
        return found[0]

    def _get_dense_tensor(self, inputs, weight_collections=None, trainable=None):
        from tfgraph.ops.embedding_ops import (
            embedding_lookup_sparse,
            safe_embedding_lookup_sparse,
        )

        g = get_default_graph()
        with g.name_scope(self.name):
            pair = self.categorical_column._get_sparse_tensors(
                inputs, weight_collections=weight_collections, trainable=trainable
            )
            weights = self._shared_weights(weight_collections, trainable)
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


def _base(column):
    while isinstance(column, WeightedCategoricalColumn):
        column = column.categorical_column
    return column


def _check_columns(columns) -> None:
    c0 = columns[0]
    num_buckets = c0._num_buckets
    if not getattr(c0, "_categorical", False):
        raise ValueError(
            f"All categorical_columns must be subclasses of _CategoricalColumn. Given: {c0}, "
            f"of type: {type(c0)}"
        )
    c0 = _base(c0)
    for c in columns[1:]:
        c = _base(c)
        if not isinstance(c, type(c0)):
            raise ValueError(
                "To use shared_embedding_column, all categorical_columns must have the same "
                "type, or be weighted_categorical_column or sequence column of the same type. "
                f"Given column: {c0} of type: {type(c0)} does not match given column: {c} of "
                f"type: {type(c)}"
            )
        if num_buckets != c._num_buckets:
            raise ValueError(
                "To use shared_embedding_column, all categorical_columns must have the same "
                f"number of buckets. ven column: {c0} with buckets: {num_buckets} does  not "
                f"match column: {c} with buckets: {c._num_buckets}"
            )


def shared_embedding_columns(
    categorical_columns, dimension, combiner="mean", initializer=None,
    shared_embedding_collection_name=None, ckpt_to_load_from=None, tensor_name_in_ckpt=None,
    max_norm=None, trainable=True, use_safe_embedding_lookup=True,
):  # fmt: skip
    """One embedding column per categorical column, all reading one shared variable
    (truncated normal stddev 1/sqrt(dimension) unless `initializer`)."""
    from tfgraph.ops.init_ops import truncated_normal_initializer

    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError(
            "Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or none of them."
        )
    if initializer is not None and not callable(initializer):
        raise ValueError("initializer must be callable if specified.")
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1.0 / math.sqrt(dimension))
    sorted_columns = sorted(categorical_columns, key=lambda c: c.name)
    _check_columns(sorted_columns)
    if not shared_embedding_collection_name:
        shared_embedding_collection_name = "_".join(c.name for c in sorted_columns)
        shared_embedding_collection_name += "_shared_embedding"
    return [
        SharedEmbeddingColumn(
            column,
            dimension,
            combiner,
            initializer,
            shared_embedding_collection_name,
            ckpt_to_load_from,
            tensor_name_in_ckpt,
            max_norm,
            trainable,
            use_safe_embedding_lookup,
        )
        for column in categorical_columns
    ]
