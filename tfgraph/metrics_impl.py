"""`tf.metrics`: streaming metrics kept in local variables (`<name>/total`,
`<name>/count`) that an `update_op` accumulates batch by batch; the value tensor reads
them. Initialize them with `tf.local_variables_initializer()`."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collections, get_default_graph
from tfgraph.ops import (
    array_ops,
    confusion_matrix,
    control_flow_ops,
    math_ops,
    state_ops,
    weights_broadcast_ops,
)
from tfgraph.variable_scope import variable_scope
from tfgraph.variables import Variable, VariableAggregation, VariableSynchronization

__all__ = ["accuracy", "mean", "metric_variable"]


def metric_variable(shape, dtype, validate_shape=True, name=None):
    """A local variable of zeros (LOCAL_VARIABLES and METRIC_VARIABLES collections)."""
    return Variable(
        lambda: array_ops.zeros(shape, dtype),
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
        validate_shape=validate_shape,
        synchronization=VariableSynchronization.ON_READ,
        aggregation=VariableAggregation.SUM,
        name=name,
    )


def _remove_squeezable_dimensions(predictions, labels, weights):
    """Aligns the ranks of predictions, labels and weights (squeezing a last dimension
    of size 1, or expanding weights), as TF's metrics do."""
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels, predictions = confusion_matrix.remove_squeezable_dimensions(labels, predictions)
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    weights_shape = weights.get_shape()
    weights_rank = weights_shape.ndims
    if weights_rank == 0:
        return predictions, labels, weights
    predictions_shape = predictions.get_shape()
    predictions_rank = predictions_shape.ndims
    if predictions_rank is not None and weights_rank is not None:
        if weights_rank - predictions_rank == 1:
            weights = array_ops.squeeze(weights, [-1])
        elif predictions_rank - weights_rank == 1:
            weights = array_ops.expand_dims(weights, [-1])
    else:
        weights_rank_tensor = array_ops.rank(weights)
        rank_diff = weights_rank_tensor - array_ops.rank(predictions)
        w = weights

        def _maybe_expand_weights():
            return control_flow_ops.cond(
                math_ops.equal(rank_diff, -1), lambda: array_ops.expand_dims(w, [-1]), lambda: w
            )

        if weights_rank is not None and not weights_shape.dims[-1].is_compatible_with(1):

            def maybe_squeeze_weights():
                return w

        else:

            def maybe_squeeze_weights():
                return array_ops.squeeze(w, [-1])

        def _maybe_adjust_weights():
            return control_flow_ops.cond(
                math_ops.equal(rank_diff, 1), maybe_squeeze_weights, _maybe_expand_weights
            )

        weights = control_flow_ops.cond(
            math_ops.equal(weights_rank_tensor, 0), lambda: w, _maybe_adjust_weights
        )
    return predictions, labels, weights


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of `values` over all batches seen.

    Returns:
        (mean, update_op): the current mean, and an op that adds a batch and returns the
        updated mean.
    """
    with variable_scope(name, "mean", (values, weights)):
        values = array_ops.cast(values, dtypes.float32)
        total = metric_variable([], dtypes.float32, name="total")
        count = metric_variable([], dtypes.float32, name="count")
        if weights is None:
            num_values = array_ops.cast(array_ops.size(values), dtypes.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions(
                predictions=values, labels=None, weights=weights
            )
            weights = weights_broadcast_ops.broadcast_weights(
                array_ops.cast(weights, dtypes.float32), values
            )
            values = math_ops.multiply(values, weights)
            num_values = math_ops.reduce_sum(weights)
        update_total_op = state_ops.assign_add(total, math_ops.reduce_sum(values))
        with get_default_graph().control_dependencies([values]):
            update_count_op = state_ops.assign_add(count, num_values)
        mean_t = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
        if metrics_collections:
            add_to_collections(metrics_collections, mean_t)
        update_op = math_ops.div_no_nan(
            update_total_op, math_ops.maximum(update_count_op, 0), name="update_op"
        )
        if updates_collections:
            add_to_collections(updates_collections, update_op)
        return mean_t, update_op


def accuracy(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """How often `predictions` equals `labels` (weighted), over all batches seen.

    Returns:
        (accuracy, update_op) as `mean` returns them.
    """
    predictions, labels, weights = _remove_squeezable_dimensions(
        predictions=predictions, labels=labels, weights=weights
    )
    predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    if labels.dtype != predictions.dtype:
        predictions = array_ops.cast(predictions, labels.dtype)
    is_correct = array_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")
