"""`remove_squeezable_dimensions`: align the ranks of labels and predictions (used by
losses and metrics)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, control_flow_ops, math_ops

__all__ = ["confusion_matrix", "remove_squeezable_dimensions"]


def remove_squeezable_dimensions(labels, predictions, expected_rank_diff=0, name=None):
    """Squeezes the last dimension (of size 1) of `predictions` or `labels` when their
    ranks differ from `expected_rank_diff` by exactly one (static ranks when known,
    else `cond`s on the run-time ranks)."""
    with get_default_graph().name_scope(name or "remove_squeezable_dimensions"):
        predictions = convert_to_tensor(predictions)
        labels = convert_to_tensor(labels)
        predictions_shape = predictions.get_shape()
        predictions_rank = predictions_shape.ndims
        labels_shape = labels.get_shape()
        labels_rank = labels_shape.ndims
        if labels_rank is not None and predictions_rank is not None:
            rank_diff = predictions_rank - labels_rank
            if rank_diff == expected_rank_diff + 1 and predictions_shape.dims[
                -1
            ].is_compatible_with(1):
                predictions = array_ops.squeeze(predictions, [-1])
            elif rank_diff == expected_rank_diff - 1 and labels_shape.dims[-1].is_compatible_with(
                1
            ):
                labels = array_ops.squeeze(labels, [-1])
            return labels, predictions
        rank_diff = array_ops.rank(predictions) - array_ops.rank(labels)
        if predictions_rank is None or predictions_shape.dims[-1].is_compatible_with(1):
            p = predictions
            predictions = control_flow_ops.cond(
                math_ops.equal(expected_rank_diff + 1, rank_diff),
                lambda: array_ops.squeeze(p, [-1]),
                lambda: p,
            )
        if labels_rank is None or labels_shape.dims[-1].is_compatible_with(1):
            lab = labels
            labels = control_flow_ops.cond(
                math_ops.equal(expected_rank_diff - 1, rank_diff),
                lambda: array_ops.squeeze(lab, [-1]),
                lambda: lab,
            )
        return labels, predictions


def confusion_matrix(
    labels, predictions, num_classes=None, dtype=dtypes.int32, name=None, weights=None
):
    """The [num_classes, num_classes] matrix counting (or summing `weights` of) each
    (label, prediction) pair; `num_classes` defaults to the largest value + 1."""
    from tfgraph.ops import check_ops

    # (dtype None: as TF, the counts keep the int64 of the cast predictions)
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    with get_default_graph().name_scope(name or "confusion_matrix"):
        labels, predictions = remove_squeezable_dimensions(
            convert_to_tensor(labels, name="labels"),
            convert_to_tensor(predictions, name="predictions"),
        )
        predictions = array_ops.cast(predictions, dtypes.int64)
        labels = array_ops.cast(labels, dtypes.int64)
        labels = control_flow_ops.with_dependencies(
            [check_ops.assert_non_negative(labels, message="`labels` contains negative values")],
            labels,
        )
        predictions = control_flow_ops.with_dependencies(
            [
                check_ops.assert_non_negative(
                    predictions, message="`predictions` contains negative values"
                )
            ],
            predictions,
        )
        if num_classes is None:
            num_classes = (
                math_ops.maximum(math_ops.reduce_max(predictions), math_ops.reduce_max(labels)) + 1
            )
        else:
            num_classes_int64 = array_ops.cast(num_classes, dtypes.int64)
            labels = control_flow_ops.with_dependencies(
                [check_ops.assert_less(labels, num_classes_int64, message="`labels` out of bound")],
                labels,
            )
            predictions = control_flow_ops.with_dependencies(
                [
                    check_ops.assert_less(
                        predictions, num_classes_int64, message="`predictions` out of bound"
                    )
                ],
                predictions,
            )
        if weights is not None:
            weights = convert_to_tensor(weights, name="weights")
            predictions.shape.assert_is_compatible_with(weights.shape)
            weights = weights if dtype is None else array_ops.cast(weights, dtype)
        shape = array_ops.stack([num_classes, num_classes])
        indices = array_ops.stack([labels, predictions], axis=1)
        values = array_ops.ones_like(predictions, dtype) if weights is None else weights
        return array_ops.scatter_nd(
            indices=indices, updates=values, shape=array_ops.cast(shape, dtypes.int64)
        )


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def confusion_matrix_v2(
    labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32, name=None
):
    """TF2's `tf.math.confusion_matrix` (weights before dtype)."""
    return confusion_matrix(
        labels, predictions, num_classes=num_classes, dtype=dtype, name=name, weights=weights
    )
