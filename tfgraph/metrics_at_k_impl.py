"""`tf.metrics` over the top k predictions (precision/recall at k, average precision at
k), built as TF's metrics_impl.py builds them: sets of predicted and true class ids
compared with `tf.sets`, counts kept in float64 local variables."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.graph import add_to_collections, get_default_graph, name_scope
from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue
from tfgraph.metrics_impl import metric_variable
from tfgraph.ops import (
    array_ops,
    control_flow_ops,
    math_ops,
    nn_ops,
    set_ops,
    sparse_ops,
    state_ops,
    weights_broadcast_ops,
)

__all__ = [
    "average_precision_at_k",
    "precision_at_k",
    "precision_at_top_k",
    "recall_at_k",
    "recall_at_top_k",
    "sparse_average_precision_at_k",
    "sparse_precision_at_k",
]


def _at_k_name(name, k=None, class_id=None):
    name = f"{name}_at_{k:d}" if k is not None else f"{name}_at_k"
    return f"{name}_class{class_id:d}" if class_id is not None else name


def _maybe_expand_labels(labels, predictions):
    """`labels` with a last dimension of 1 added when `predictions` has one more rank."""
    with name_scope(None, "expand_labels", (labels, predictions)) as scope:
        labels = sparse_ops.convert_to_tensor_or_sparse_tensor(labels)
        if isinstance(labels, SparseTensor):
            return control_flow_ops.cond(
                math_ops.equal(array_ops.rank(predictions), array_ops.size(labels.dense_shape) + 1),
                lambda: sparse_ops.sparse_reshape(
                    labels, shape=array_ops.concat((labels.dense_shape, (1,)), 0), name=scope
                ),
                lambda: labels,
            )
        labels_rank = labels.get_shape().ndims
        if labels_rank is not None:
            predictions_rank = predictions.get_shape().ndims
            if predictions_rank is not None:
                if predictions_rank == labels_rank:
                    return labels
                if predictions_rank == labels_rank + 1:
                    return array_ops.expand_dims(labels, -1, name=scope)
                raise ValueError(
                    f"Unexpected labels shape {labels.get_shape()} for predictions "
                    f"shape {predictions.get_shape()}. Predictions rank should be the "
                    "same rank as labels rank or labels rank plus one ."
                )
        return control_flow_ops.cond(
            math_ops.equal(array_ops.rank(predictions), array_ops.rank(labels) + 1),
            lambda: array_ops.expand_dims(labels, -1, name=scope),
            lambda: labels,
        )


def _select_class_id(ids, selected_id):
    """The entries of `ids` equal to `selected_id`, as a SparseTensor."""
    ids = sparse_ops.convert_to_tensor_or_sparse_tensor(ids)
    if isinstance(ids, SparseTensor):
        return sparse_ops.sparse_retain(ids, math_ops.equal(ids.values, selected_id))
    ids_shape = array_ops.shape(ids, out_type=dtypes.int64)
    ids_last_dim = array_ops.size(ids_shape) - 1
    # TF's reduced_shape folds only when Python's constant_value sees through the axes
    # (a Reshape it does not): the shape is always stitched in the graph.
    axes = array_ops.reshape(ids_last_dim, [1])
    input_rank = array_ops.size(ids_shape, out_type=axes.dtype)
    axes = (axes + input_rank) % input_rank
    filled_shape = array_ops.dynamic_stitch(
        [math_ops.range(input_rank), axes],
        [ids_shape, array_ops.ones(array_ops.shape(axes), dtype=ids_shape.dtype)],
    )
    filled = array_ops.fill(filled_shape, array_ops.cast(selected_id, dtypes.int64))
    result = set_ops.set_intersection(filled, ids)
    return SparseTensor(indices=result.indices, values=result.values, dense_shape=ids_shape)


def _maybe_select_class_id(labels, predictions_idx, selected_id=None):
    if selected_id is None:
        return labels, predictions_idx
    return _select_class_id(labels, selected_id), _select_class_id(predictions_idx, selected_id)


def _weighted(counts, weights):
    counts = array_ops.cast(counts, dtypes.float64)
    if weights is None:
        return counts
    check = weights_broadcast_ops.assert_broadcastable(weights, counts)
    with get_default_graph().control_dependencies((check,)):
        weights = array_ops.cast(weights, dtypes.float64)
        return math_ops.multiply(counts, weights)


def _sparse_true_positive_at_k(labels, predictions_idx, class_id=None, weights=None, name=None):
    with name_scope(name, "true_positives", (predictions_idx, labels, weights)):
        labels, predictions_idx = _maybe_select_class_id(labels, predictions_idx, class_id)
        tp = set_ops.set_size(set_ops.set_intersection(predictions_idx, labels))
        return _weighted(tp, weights)


def _sparse_false_at_k(kind, labels, predictions_idx, class_id=None, weights=None):
    """Per-row (weighted) false positives (`kind` "positives") or false negatives."""
    with name_scope(None, f"false_{kind}", (predictions_idx, labels, weights)):
        labels, predictions_idx = _maybe_select_class_id(labels, predictions_idx, class_id)
        difference = set_ops.set_difference(predictions_idx, labels, aminusb=kind == "positives")
        return _weighted(set_ops.set_size(difference), weights)


def _streaming_count_at_k(kind, labels, predictions_idx, k, class_id, weights):
    """A float64 variable named like its scope (e.g. `true_positive_at_5`) and the op
    adding the batch's total count to it."""
    with name_scope(
        None, _at_k_name(kind, k, class_id=class_id), (predictions_idx, labels, weights)
    ) as scope:
        if kind == "true_positive":
            counts = _sparse_true_positive_at_k(
                labels, predictions_idx, class_id=class_id, weights=weights
            )
        else:
            counts = _sparse_false_at_k(
                kind.split("_")[1] + "s", labels, predictions_idx, class_id, weights
            )
        batch_total = array_ops.cast(math_ops.reduce_sum(counts), dtypes.float64)
        var = metric_variable([], dtypes.float64, name=scope)
        return var, state_ops.assign_add(var, batch_total, name="update")


def _ratio_at_top_k(default_name, other_kind):
    def metric(
        labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
        updates_collections=None, name=None,
    ):  # fmt: skip
        with name_scope(
            name, _at_k_name(default_name, k, class_id=class_id), (predictions_idx, labels, weights)
        ) as scope:
            labels = _maybe_expand_labels(labels, predictions_idx)
            top_k_idx = array_ops.cast(predictions_idx, dtypes.int64)
            tp, tp_update = _streaming_count_at_k(
                "true_positive", labels, top_k_idx, k, class_id, weights
            )
            o, o_update = _streaming_count_at_k(other_kind, labels, top_k_idx, k, class_id, weights)
            value = math_ops.divide(tp, math_ops.add(tp, o), name=scope)
            if metrics_collections:
                add_to_collections(metrics_collections, value)
            update = math_ops.divide(tp_update, math_ops.add(tp_update, o_update), name="update")
            if updates_collections:
                add_to_collections(updates_collections, update)
            return value, update

    metric.__name__ = f"{default_name}_at_top_k"
    metric.__doc__ = (
        f"The {default_name} of the top-k class ids `predictions_idx` ([..., k]) against "
        "`labels` (class ids, dense or sparse), over all batches (only `class_id` "
        "counted when given): (value, update_op)."
    )
    return metric


precision_at_top_k = _ratio_at_top_k("precision", "false_positive")
recall_at_top_k = _ratio_at_top_k("recall", "false_negative")


def _ratio_at_k(default_name, at_top_k):
    def metric(
        labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
        updates_collections=None, name=None,
    ):  # fmt: skip
        with name_scope(
            name, _at_k_name(default_name, k, class_id=class_id), (predictions, labels, weights)
        ) as scope:
            _, top_k_idx = nn_ops.top_k(predictions, k)
            return at_top_k(
                labels=labels, predictions_idx=top_k_idx, k=k, class_id=class_id,
                weights=weights, metrics_collections=metrics_collections,
                updates_collections=updates_collections, name=scope,
            )  # fmt: skip

    metric.__name__ = f"{default_name}_at_k"
    metric.__doc__ = (
        f"The {default_name} of the `k` highest-scored classes of `predictions` "
        "([..., num_classes]) against `labels`, over all batches: (value, update_op)."
    )
    return metric


precision_at_k = _ratio_at_k("precision", precision_at_top_k)
recall_at_k = _ratio_at_k("recall", recall_at_top_k)


def sparse_precision_at_k(
    labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """Deprecated alias of `precision_at_k`."""
    return precision_at_k(
        labels=labels, predictions=predictions, k=k, class_id=class_id, weights=weights,
        metrics_collections=metrics_collections, updates_collections=updates_collections,
        name=name,
    )  # fmt: skip


def _expand_and_tile(tensor, multiple, dim=0, name=None):
    """`tensor` with a new dimension at `dim` (counted before the new one when negative)
    repeated `multiple` times (dense or sparse)."""
    if multiple < 1:
        raise ValueError(
            f"Invalid argument multiple={multiple} for expand_and_tile  call. `multiple` "
            "must be an integer > 0"
        )
    with name_scope(name, "expand_and_tile", (tensor, multiple, dim)) as scope:
        tensor = sparse_ops.convert_to_tensor_or_sparse_tensor(tensor)
        if isinstance(tensor, SparseTensor):
            if dim < 0:
                expand_dims = array_ops.reshape(array_ops.size(tensor.dense_shape) + dim, [1])
            else:
                expand_dims = [dim]
            expanded_shape = array_ops.concat(
                (
                    array_ops.slice(tensor.dense_shape, [0], expand_dims),
                    [1],
                    array_ops.slice(tensor.dense_shape, expand_dims, [-1]),
                ),
                0,
                name="expanded_shape",
            )
            expanded = sparse_ops.sparse_reshape(tensor, shape=expanded_shape, name="expand")
            if multiple == 1:
                return expanded
            return sparse_ops.sparse_concat(
                dim - 1 if dim < 0 else dim, [expanded] * multiple, name=scope
            )
        expanded = array_ops.expand_dims(tensor, dim if dim >= 0 else dim - 1, name="expand")
        if multiple == 1:
            return expanded
        ones = array_ops.ones_like(array_ops.shape(tensor))
        tile_multiples = array_ops.concat(
            (ones[:dim], (multiple,), ones[dim:]), 0, name="multiples"
        )
        return array_ops.tile(expanded, tile_multiples, name=scope)


def _num_relevant(labels, k):
    """Per row, min(number of labels, k)."""
    if k < 1:
        raise ValueError(f"Invalid k={k}")
    with name_scope(None, "num_relevant", (labels,)) as scope:
        labels = sparse_ops.convert_to_tensor_or_sparse_tensor(labels)
        if isinstance(labels, SparseTensor):
            return math_ops.minimum(set_ops.set_size(labels), k, name=scope)
        num_labels = math_ops.reduce_sum(
            array_ops.where_v2(
                math_ops.greater_equal(labels, 0),
                array_ops.ones_like(labels),
                array_ops.zeros_like(labels),
            ),
            axis=-1,
        )
        return math_ops.minimum(num_labels, k, name=scope)


def _sparse_average_precision_at_top_k(labels, predictions_idx):
    """Per row, the average precision of the ranked ids `predictions_idx` ([..., k])."""
    with name_scope(None, "average_precision", (predictions_idx, labels)) as scope:
        predictions_idx = array_ops.cast(predictions_idx, dtypes.int64, name="predictions_idx")
        if predictions_idx.get_shape().ndims == 0:
            raise ValueError("The rank of `predictions_idx` must be at least 1.")
        k = predictions_idx.get_shape().as_list()[-1]
        if k is None:
            raise ValueError(
                "The last dimension of predictions_idx must be set. Currently, it is None."
            )
        labels = _maybe_expand_labels(labels, predictions_idx)
        predictions_idx_per_k = array_ops.expand_dims(
            predictions_idx, -1, name="predictions_idx_per_k"
        )
        labels_per_k = _expand_and_tile(labels, multiple=k, dim=-1, name="labels_per_k")
        relevant_per_k = _sparse_true_positive_at_k(
            labels_per_k, predictions_idx_per_k, name="relevant_per_k"
        )
        tp_per_k = math_ops.cumsum(relevant_per_k, axis=-1, name="tp_per_k")
        retrieved_per_k = math_ops.cumsum(
            array_ops.ones_like(relevant_per_k), axis=-1, name="retrieved_per_k"
        )
        precision_per_k = math_ops.divide(
            array_ops.cast(tp_per_k, dtypes.float64),
            array_ops.cast(retrieved_per_k, dtypes.float64),
            name="precision_per_k",
        )
        relevant_precision_per_k = math_ops.multiply(
            precision_per_k,
            array_ops.cast(relevant_per_k, dtypes.float64),
            name="relevant_precision_per_k",
        )
        precision_sum = math_ops.reduce_sum(
            relevant_precision_per_k, axis=(-1,), name="precision_sum"
        )
        num_relevant_items = array_ops.cast(_num_relevant(labels, k), dtypes.float64)
        return math_ops.divide(precision_sum, num_relevant_items, name=scope)


def _streaming_sparse_average_precision_at_top_k(
    labels, predictions_idx, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    with name_scope(
        name, "average_precision_at_top_k", (predictions_idx, labels, weights)
    ) as scope:
        average_precision = _sparse_average_precision_at_top_k(
            predictions_idx=predictions_idx, labels=labels
        )
        if weights is not None:
            weights = weights_broadcast_ops.broadcast_weights(
                array_ops.cast(weights, dtypes.float64), average_precision
            )
            average_precision = math_ops.multiply(average_precision, weights)
        with name_scope(None, "max", (average_precision,)) as max_scope:
            max_var = metric_variable([], dtypes.float64, name=max_scope)
            if weights is None:
                batch_max = array_ops.cast(
                    array_ops.size(average_precision, name="batch_max"), dtypes.float64
                )
            else:
                batch_max = math_ops.reduce_sum(weights, name="batch_max")
            max_update = state_ops.assign_add(max_var, batch_max, name="update")
        with name_scope(None, "total", (average_precision,)) as total_scope:
            total_var = metric_variable([], dtypes.float64, name=total_scope)
            batch_total = math_ops.reduce_sum(average_precision, name="batch_total")
            total_update = state_ops.assign_add(total_var, batch_total, name="update")
        value = math_ops.div_no_nan(total_var, max_var, name="mean")
        if metrics_collections:
            add_to_collections(metrics_collections, value)
        update = math_ops.div_no_nan(total_update, max_update, name=scope)
        if updates_collections:
            add_to_collections(updates_collections, update)
        return value, update


def _clean_out_of_range_indices(labels, num_classes):
    """`labels` with ids >= num_classes replaced by -1 (when any are)."""
    if isinstance(labels, SparseTensorValue):
        labels = SparseTensor.from_value(labels)
    is_sparse = isinstance(labels, SparseTensor)

    def _clean(values):
        return array_ops.where_v2(
            math_ops.greater_equal(values, num_classes), -1 * array_ops.ones_like(values), values
        )

    def _clean_labels():
        if is_sparse:
            return SparseTensor(labels.indices, _clean(labels.values), labels.dense_shape)
        return _clean(labels)

    max_labels = math_ops.reduce_max(labels.values if is_sparse else labels)
    return control_flow_ops.cond(
        math_ops.greater_equal(max_labels, num_classes), _clean_labels, lambda: labels
    )


def average_precision_at_k(
    labels, predictions, k, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """The mean over rows (weighted) of the average precision of the `k`
    highest-scored classes of `predictions` against `labels`, over all batches:
    (value, update_op)."""
    if k < 1:
        raise ValueError(f"Invalid k={k}. `k` should be >= 1.")
    with name_scope(
        name, _at_k_name("average_precision", k), (predictions, labels, weights)
    ) as scope:
        _, predictions_idx = nn_ops.top_k(predictions, k)
        labels = _clean_out_of_range_indices(
            labels, array_ops.cast(array_ops.shape(predictions)[-1], dtypes.int64)
        )
        return _streaming_sparse_average_precision_at_top_k(
            labels=labels, predictions_idx=predictions_idx, weights=weights,
            metrics_collections=metrics_collections,
            updates_collections=updates_collections, name=scope,
        )  # fmt: skip


def sparse_average_precision_at_k(
    labels, predictions, k, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """Deprecated alias of `average_precision_at_k`."""
    return average_precision_at_k(
        labels=labels, predictions=predictions, k=k, weights=weights,
        metrics_collections=metrics_collections, updates_collections=updates_collections,
        name=name,
    )  # fmt: skip
