"""`remove_squeezable_dimensions`: align the ranks of labels and predictions (used by
losses and metrics)."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, control_flow_ops, math_ops

__all__ = ["remove_squeezable_dimensions"]


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
