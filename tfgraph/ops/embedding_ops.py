"""`tf.nn.embedding_lookup_sparse` and `tf.nn.safe_embedding_lookup_sparse`, built op
for op as TF's embedding_ops.py builds them (`tf.nn.embedding_lookup` itself lives in
nn_ops)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops, nn_ops, segment_ops, sparse_ops

__all__ = ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]

_COMBINERS = ("mean", "sqrtn", "sum")


def _as_param_list(params) -> list:
    if hasattr(params, "_get_variable_list"):  # a PartitionedVariable
        return list(params)
    return params if isinstance(params, list) else [params]


def _weighted_combine(embeddings, idx, segment_ids, weights, combiner, scope):
    """Combines the looked-up rows `embeddings[idx]` per segment, weighted."""
    if segment_ids.dtype != dtypes.int32:
        segment_ids = array_ops.cast(segment_ids, dtypes.int32)
    embeddings = array_ops.gather(embeddings, idx)
    original_dtype = embeddings.dtype
    if embeddings.dtype in (dtypes.float16, dtypes.bfloat16):
        embeddings = array_ops.cast(embeddings, dtypes.float32)
    if weights.dtype != embeddings.dtype:
        weights = array_ops.cast(weights, embeddings.dtype)
    # Reshape the weights to [n, 1, ..., 1] to broadcast over the embedding dims.
    ones_shape = array_ops.expand_dims(array_ops.rank(embeddings) - 1, 0)
    weights_shape = array_ops.shape(weights)
    ones = array_ops.ones(ones_shape, dtype=weights_shape.dtype)
    bcast_weights_shape = array_ops.concat([weights_shape, ones], 0)
    orig_weights_shape = weights.get_shape()
    weights = array_ops.reshape(weights, bcast_weights_shape)
    if embeddings.get_shape().ndims is not None:
        weights.set_shape(orig_weights_shape.concatenate([1] * (embeddings.get_shape().ndims - 1)))
    embeddings *= weights
    if combiner == "sum":
        embeddings = segment_ops.segment_sum(embeddings, segment_ids, name=scope)
    elif combiner == "mean":
        embeddings = segment_ops.segment_sum(embeddings, segment_ids)
        weight_sum = segment_ops.segment_sum(weights, segment_ids)
        embeddings = math_ops.div_no_nan(embeddings, weight_sum, name=scope)
    else:
        embeddings = segment_ops.segment_sum(embeddings, segment_ids)
        weight_sum = segment_ops.segment_sum(math_ops.pow(weights, 2), segment_ids)
        embeddings = math_ops.div_no_nan(embeddings, math_ops.sqrt(weight_sum), name=scope)
    if embeddings.dtype != original_dtype:
        embeddings = array_ops.cast(embeddings, original_dtype)
    return embeddings


def embedding_lookup_sparse(
    params,
    sp_ids,
    sp_weights,
    partition_strategy="mod",
    name=None,
    combiner=None,
    max_norm=None,
    allow_fast_lookup=False,
):
    """Per row of the SparseTensor `sp_ids`, the `combiner` ("mean" by default,
    "sqrtn" or "sum") of the embeddings of its ids, weighted by `sp_weights` when given.

    Raises:
        ValueError: for an unknown combiner.
        TypeError: if `sp_ids` (or a given `sp_weights`) is not a SparseTensor.
    """
    if combiner is None:
        combiner = "mean"
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    params = _as_param_list(params)
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    ignore_weights = sp_weights is None
    if not ignore_weights and not isinstance(sp_weights, SparseTensor):
        raise TypeError(f"sp_weights must be either None or SparseTensor,got {type(sp_weights)}")
    with get_default_graph().name_scope(name or "embedding_lookup_sparse") as scope:
        segment_ids = convert_to_tensor(sp_ids.indices[:, 0], name="segment_ids")
        ids = sp_ids.values
        if len(params) == 1:
            params = [convert_to_tensor(params[0], name="params")]
        sparse_gradient = False
        if len(params) == 1 and max_norm is None and (allow_fast_lookup or ignore_weights):
            idx, embeddings = ids, params[0]
            sparse_gradient = not allow_fast_lookup
        else:
            ids, idx = array_ops.unique(ids)
            embeddings = nn_ops.embedding_lookup(
                params, ids, partition_strategy=partition_strategy, max_norm=max_norm
            )
        if not ignore_weights:
            return _weighted_combine(
                embeddings, idx, segment_ids, sp_weights.values, combiner, scope
            )
        if segment_ids.dtype not in (dtypes.int32, dtypes.int64):
            segment_ids = array_ops.cast(segment_ids, dtypes.int32)
        reduce = {
            "sum": segment_ops.sparse_segment_sum,
            "mean": segment_ops.sparse_segment_mean,
            "sqrtn": segment_ops.sparse_segment_sqrt_n,
        }[combiner]
        return reduce(embeddings, idx, segment_ids, name=scope, sparse_gradient=sparse_gradient)


def _prune_invalid_ids(sparse_ids, sparse_weights):
    is_id_valid = math_ops.greater_equal(sparse_ids.values, 0)
    if sparse_weights is not None:
        is_id_valid = math_ops.logical_and(
            is_id_valid, array_ops.ones_like(sparse_weights.values, dtype=dtypes.bool)
        )
    sparse_ids = sparse_ops.sparse_retain(sparse_ids, is_id_valid)
    if sparse_weights is not None:
        sparse_weights = sparse_ops.sparse_retain(sparse_weights, is_id_valid)
    return sparse_ids, sparse_weights


def _prune_invalid_weights(sparse_ids, sparse_weights):
    if sparse_weights is not None:
        is_weights_valid = math_ops.greater(sparse_weights.values, 0)
        sparse_ids = sparse_ops.sparse_retain(sparse_ids, is_weights_valid)
        sparse_weights = sparse_ops.sparse_retain(sparse_weights, is_weights_valid)
    return sparse_ids, sparse_weights


def _converted_weights(embedding_weights, dtype) -> list:
    from tfgraph.resource_variables import ResourceVariable

    if embedding_weights is None:
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    weights = _as_param_list(embedding_weights)
    if len(weights) < 1:
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    return [
        w
        if isinstance(w, ResourceVariable) and dtype in (None, w.dtype)
        else convert_to_tensor(w, dtype=dtype)
        for w in weights
    ]


def safe_embedding_lookup_sparse(
    embedding_weights,
    sparse_ids,
    sparse_weights=None,
    combiner="mean",
    default_id=None,
    name=None,
    partition_strategy="div",
    max_norm=None,
    allow_fast_lookup=False,
):
    """`embedding_lookup_sparse` over the last dimension of `sparse_ids` (any rank):
    negative ids (and, unless summing, non-positive weights) are dropped, and empty rows
    give zeros (or the embedding of `default_id`). The result has shape
    `dense_shape[:-1] + embedding shape`."""
    dtype = sparse_weights.dtype if sparse_weights is not None else None
    embedding_weights = _converted_weights(embedding_weights, dtype)
    with get_default_graph().name_scope(name or "embedding_lookup") as scope:
        original_shape = sparse_ids.dense_shape
        original_rank_dim = original_shape.get_shape().as_list()[0]
        original_rank = (
            array_ops.size(original_shape) if original_rank_dim is None else original_rank_dim
        )
        sparse_ids = sparse_ops.sparse_reshape(
            sparse_ids,
            [
                math_ops.reduce_prod(array_ops.slice(original_shape, [0], [original_rank - 1])),
                array_ops.gather(original_shape, original_rank - 1),
            ],
        )
        if sparse_weights is not None:
            sparse_weights = sparse_ops._make_sparse(
                sparse_ids.indices, sparse_weights.values, sparse_ids.dense_shape
            )
        sparse_ids, sparse_weights = _prune_invalid_ids(sparse_ids, sparse_weights)
        if combiner != "sum":
            sparse_ids, sparse_weights = _prune_invalid_weights(sparse_ids, sparse_weights)
        sparse_ids, is_row_empty = sparse_ops.sparse_fill_empty_rows(sparse_ids, default_id or 0)
        if sparse_weights is not None:
            sparse_weights, _ = sparse_ops.sparse_fill_empty_rows(sparse_weights, 1.0)
        result = embedding_lookup_sparse(
            embedding_weights,
            sparse_ids,
            sparse_weights,
            combiner=combiner,
            partition_strategy=partition_strategy,
            name=None if default_id is None else scope,
            max_norm=max_norm,
            allow_fast_lookup=allow_fast_lookup,
        )
        if default_id is None:
            # Rows that were empty get zeros.
            is_row_empty = array_ops.tile(
                array_ops.reshape(is_row_empty, [-1, 1]),
                array_ops.stack([1, array_ops.shape(result)[1]]),
            )
            result = array_ops.where(is_row_empty, array_ops.zeros_like(result), result, name=scope)
        final_result = array_ops.reshape(
            result,
            array_ops.concat(
                [
                    array_ops.slice(
                        array_ops.cast(original_shape, dtypes.int32), [0], [original_rank - 1]
                    ),
                    array_ops.slice(array_ops.shape(result), [1], [-1]),
                ],
                0,
            ),
        )
        final_result.set_shape(
            TensorShape(
                None if original_rank_dim is None else [None] * (original_rank_dim - 1)
            ).concatenate(result.get_shape()[1:])
        )
        return final_result


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def embedding_lookup_sparse_v2(
    params, sp_ids, sp_weights, combiner=None, max_norm=None, name=None, allow_fast_lookup=False
):
    """TF2's `tf.nn.embedding_lookup_sparse`: sharded params are split "div"-wise."""
    return embedding_lookup_sparse(
        params, sp_ids, sp_weights, partition_strategy="div", name=name, combiner=combiner,
        max_norm=max_norm, allow_fast_lookup=allow_fast_lookup,
    )  # fmt: skip


def safe_embedding_lookup_sparse_v2(
    embedding_weights,
    sparse_ids,
    sparse_weights=None,
    combiner="mean",
    default_id=None,
    max_norm=None,
    name=None,
    allow_fast_lookup=False,
):
    """TF2's `tf.nn.safe_embedding_lookup_sparse`: sharded weights split "div"-wise."""
    return safe_embedding_lookup_sparse(
        embedding_weights, sparse_ids, sparse_weights=sparse_weights, combiner=combiner,
        default_id=default_id, name=name, partition_strategy="div", max_norm=max_norm,
        allow_fast_lookup=allow_fast_lookup,
    )  # fmt: skip
