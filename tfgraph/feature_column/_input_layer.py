"""`tf.feature_column.input_layer` and `make_parse_example_spec` (TF1), with TF's
lazy, cached transformation of features (`_LazyBuilder`)."""

from __future__ import annotations

from typing import Any

from tfgraph.feature_column._columns import _Column
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.ops import array_ops, sparse_ops


class _LazyBuilder:
    """Feature tensors by key, and column transformations computed once each."""

    def __init__(self, features) -> None:
        self._features = dict(features)
        self._feature_tensors: dict = {}

    def get(self, key):
        if key in self._feature_tensors:
            return self._feature_tensors[key]
        if key in self._features:
            tensor = self._raw_feature_as_tensor(key)
            self._feature_tensors[key] = tensor
            return tensor
        if isinstance(key, str):
            raise ValueError(f"Feature {key} is not in features dictionary.")
        if not isinstance(key, _Column):
            raise TypeError(f'"key" must be either a "str" or "_FeatureColumn". Provided: {key}')
        transformed = key._transform_feature(self)
        if transformed is None:
            raise ValueError(f"Column {key.name} is not supported.")
        self._feature_tensors[key] = transformed
        return transformed

    def _raw_feature_as_tensor(self, key):
        tensor = sparse_ops.convert_to_tensor_or_sparse_tensor(self._features[key])
        rank = tensor.get_shape().ndims
        if rank == 0:
            raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {tensor}")
        if rank != 1:
            return tensor
        if isinstance(tensor, SparseTensor):
            return sparse_ops.sparse_reshape(tensor, [array_ops.shape(tensor)[0], 1])
        return array_ops.expand_dims(tensor, -1)


def _normalize_feature_columns(feature_columns) -> list[Any]:
    if isinstance(feature_columns, _Column):
        feature_columns = [feature_columns]
    if isinstance(feature_columns, dict):
        raise ValueError("Expected feature_columns to be iterable, found dict.")
    feature_columns = list(feature_columns)
    if not feature_columns:
        raise ValueError("feature_columns must not be empty.")
    names = set()
    column: Any
    for column in feature_columns:
        if not isinstance(column, _Column):
            raise ValueError(
                "Items of feature_columns must be a _FeatureColumn. Given (type "
                f"{type(column)}): {column}."
            )
        name = column.name  # type: ignore[attr-defined]  # (every column has one)
        if name in names:
            raise ValueError(f"Duplicate feature column name found for columns: {name}.")
        names.add(name)
    return feature_columns


def input_layer(
    features, feature_columns, weight_collections=None, trainable=True, cols_to_vars=None,
    cols_to_output_tensors=None,
):  # fmt: skip
    """The dense [batch, sum of the columns' sizes] input of a model: each dense column's
    tensor (in the order of the columns' names), flattened and concatenated."""
    from tfgraph.variable_scope import get_variable_scope, variable_scope

    feature_columns = _normalize_feature_columns(feature_columns)
    for column in feature_columns:
        if not column._dense:
            raise ValueError(
                "Items of feature_columns must be a _DenseColumn. You can wrap a categorical "
                f"column with an embedding_column or indicator_column. Given: {column}"
            )
    weight_collections = list(weight_collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in weight_collections:
            weight_collections.append(key)
    with variable_scope(None, default_name="input_layer", values=list(features.values())):
        builder = _LazyBuilder(features)
        outputs = []
        for column in sorted(feature_columns, key=lambda c: c.name):
            with variable_scope(None, default_name=column._var_scope_name):
                tensor = column._get_dense_tensor(
                    builder, weight_collections=weight_collections, trainable=trainable
                )
                num_elements = column._variable_shape.num_elements()
                batch_size = array_ops.shape(tensor)[0]
                output = array_ops.reshape(tensor, shape=(batch_size, num_elements))
                outputs.append(output)
                if cols_to_vars is not None:
                    cols_to_vars[column] = get_default_graph().get_collection(
                        GraphKeys.GLOBAL_VARIABLES, scope=get_variable_scope().name
                    )
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = output
        _check_batch_sizes(outputs, feature_columns)
        return array_ops.concat(outputs, 1)


def _check_batch_sizes(tensors, columns) -> None:
    expected, expected_name = None, None
    for tensor, column in zip(tensors, sorted(columns, key=lambda c: c.name)):
        size = tensor.shape.as_list()[0] if tensor.shape.rank else None
        if size is None:
            continue
        if expected is None:
            expected, expected_name = size, column.name
        elif size != expected:
            raise ValueError(
                "Batch size (first dimension) of each feature must be same. Batch size of "
                f"columns ({expected_name}, {column.name}): ({expected}, {size})"
            )


def make_parse_example_spec(feature_columns) -> dict:
    """The dict of features (FixedLenFeature / VarLenFeature) `tf.parse_example` needs
    for these columns."""
    result: dict = {}
    column: Any
    for column in feature_columns:
        if not isinstance(column, _Column):
            raise ValueError(
                f"All feature_columns must be _FeatureColumn instances. Given: {column}"
            )
        spec = column.parse_example_spec  # type: ignore[attr-defined]
        for key, value in spec.items():
            if key in result and value != result[key]:
                raise ValueError(
                    f"feature_columns contain different parse_spec for key {key}. Given "
                    f"{value} and {result[key]}"
                )
        result.update(spec)
    return result
