"""`tf.feature_column.linear_model` (TF1): a linear model over feature columns, with
TF's _LinearModel graph and names: variables `<model>/<column>/weights` and
`<model>/bias_weights` (zeros), ops under the layer's `<model>_1/<model>/` scope."""

from __future__ import annotations

from tfgraph.feature_column._input_layer import _LazyBuilder, _normalize_feature_columns
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.ops import array_ops, conv_ops, math_ops, sparse_ops

__all__ = ["linear_model"]


def _weights(name, shape, trainable, collections):
    from tfgraph.ops.init_ops import zeros_initializer
    from tfgraph.variable_scope import get_variable

    return get_variable(
        name=name,
        shape=shape,
        initializer=zeros_initializer(),
        trainable=trainable,
        collections=collections,
    )


def _sparse_shape(sp):
    """TF's array_ops.shape of a SparseTensor: its dense shape cast to int32."""
    from tfgraph.framework import dtypes

    with get_default_graph().name_scope("Shape"):
        return array_ops.cast(sp.dense_shape, dtypes.int32)


def _weighted_sum(column, builder, units, sparse_combiner, collections, trainable):
    """A column's [batch, units] contribution: its weights (made first, as TF's layer
    builds before it calls) times its dense tensor or summed over its ids."""
    from tfgraph.ops.embedding_ops import safe_embedding_lookup_sparse

    if column._categorical:
        weight = _weights("weights", (column._num_buckets, units), trainable, collections)
        pair = column._get_sparse_tensors(
            builder, weight_collections=collections, trainable=trainable
        )
        ids = sparse_ops.sparse_reshape(pair.id_tensor, [_sparse_shape(pair.id_tensor)[0], -1])
        weights = pair.weight_tensor
        if weights is not None:
            weights = sparse_ops.sparse_reshape(weights, [_sparse_shape(weights)[0], -1])
        return safe_embedding_lookup_sparse(
            weight, ids, sparse_weights=weights, combiner=sparse_combiner, name="weighted_sum"
        )
    num_elements = column._variable_shape.num_elements()
    weight = _weights("weights", [num_elements, units], trainable, collections)
    tensor = column._get_dense_tensor(builder, weight_collections=collections, trainable=trainable)
    batch_size = array_ops.shape(tensor)[0]
    tensor = array_ops.reshape(tensor, shape=(batch_size, num_elements))
    return math_ops.matmul(tensor, weight, name="weighted_sum")


def _check_batch_sizes(tensors, columns) -> None:
    expected, expected_name = None, None
    for tensor, column in zip(tensors, columns):
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


def linear_model(
    features, feature_columns, units=1, sparse_combiner="sum", weight_collections=None,
    trainable=True, cols_to_vars=None,
):  # fmt: skip
    """[batch, units] predictions: the sum over `feature_columns` of each column's
    weighted sum (dense columns: matmul; categorical ones: `sparse_combiner` of the
    weights of their ids) plus a bias. `cols_to_vars` gets each column's variables
    and "bias"."""
    from tfgraph.variable_scope import get_variable_scope, variable_scope

    with variable_scope(None, default_name="linear_model") as vs:
        # (the scope's own name: under an enclosing scope, vs.name is the full path)
        model_name = vs.name.strip("/").rsplit("/", 1)[-1]
    feature_columns = _normalize_feature_columns(feature_columns)
    collections = list(weight_collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in collections:
            collections.append(key)
    layers = []  # (the column layers' scopes, named at construction as TF's)
    for column in sorted(feature_columns, key=lambda c: c.name):
        with variable_scope(None, default_name=column._var_scope_name) as vs:
            layers.append((vs.name.strip("/").rsplit("/", 1)[-1], column))
    for column in feature_columns:
        if not (column._dense or column._categorical):
            raise ValueError(
                "Items of feature_columns must be either a _DenseColumn or _CategoricalColumn. "
                f"Given: {column}"
            )
    found: dict = {}
    g = get_default_graph()
    with g.name_scope(model_name), variable_scope(model_name):
        builder = _LazyBuilder(features)
        sums, ordered = [], []
        for layer_name, column in sorted(layers, key=lambda x: x[0]):
            ordered.append(column)
            with variable_scope(layer_name) as scope:
                sums.append(
                    _weighted_sum(column, builder, units, sparse_combiner, collections, trainable)
                )
                found[column] = g.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope.name)
        _check_batch_sizes(sums, ordered)
        no_bias = math_ops.add_n(sums, name="weighted_sum_no_bias")
        with variable_scope(get_variable_scope(), auxiliary_name_scope=False):
            bias = _weights("bias_weights", [units], trainable, collections)
        predictions = conv_ops.bias_add(no_bias, bias, name="weighted_sum")
        found["bias"] = [bias]
    if cols_to_vars is not None:
        cols_to_vars.update(found)
    return predictions
