"""`tf.contrib.seq2seq.sequence_loss`: weighted softmax cross-entropy over a batch of
sequences, averaged or summed over time steps and batch entries as TF1's contrib
builds it."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = ["sequence_loss"]


def _check_options(avg_time, avg_batch, sum_time, sum_batch) -> None:
    for a, b, what in (
        (avg_time, sum_time, "average_across_timesteps and sum_over_timesteps"),
        (avg_batch, sum_batch, "average_across_batch and sum_over_batch"),
    ):
        if a and b:
            raise ValueError(f"{what} cannot be set to True at same time.")
    if avg_batch and sum_time:
        raise ValueError(
            "average_across_batch and sum_over_timesteps cannot be set to True at same time "
            "because of ambiguous order."
        )
    if sum_batch and avg_time:
        raise ValueError(
            "sum_over_batch and average_across_timesteps cannot be set to True at same time "
            "because of ambiguous order."
        )


def sequence_loss(
    logits,
    targets,
    weights,
    average_across_timesteps=True,
    average_across_batch=True,
    sum_over_timesteps=False,
    sum_over_batch=False,
    softmax_loss_function=None,
    name=None,
):
    """Cross-entropy of `logits` [batch, time, classes] against integer `targets`
    [batch, time], weighted by `weights` [batch, time]."""
    logits = convert_to_tensor(logits, name="logits")
    targets = convert_to_tensor(targets, name="targets")
    weights = convert_to_tensor(weights, name="weights")
    if logits.shape.ndims != 3:
        raise ValueError(
            "Logits must be a [batch_size x sequence_length x logits_num_classes] tensor"
        )
    if targets.shape.ndims != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if weights.shape.ndims != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    _check_options(
        average_across_timesteps, average_across_batch, sum_over_timesteps, sum_over_batch
    )
    with get_default_graph().name_scope(name or "sequence_loss"):
        num_classes = array_ops.shape(logits)[2]
        logits_flat = array_ops.reshape(logits, [-1, num_classes])
        targets = array_ops.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = nn_ops.sparse_softmax_cross_entropy_with_logits(
                labels=targets, logits=logits_flat
            )
        else:
            crossent = softmax_loss_function(labels=targets, logits=logits_flat)
        crossent *= array_ops.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            crossent = math_ops.reduce_sum(crossent)
            total_size = math_ops.reduce_sum(weights)
            return math_ops.div_no_nan(crossent, total_size)
        if sum_over_timesteps and sum_over_batch:
            crossent = math_ops.reduce_sum(crossent)
            total_count = array_ops.cast(math_ops.count_nonzero(weights), dtypes.float32)
            return math_ops.div_no_nan(crossent, total_count)
        crossent = array_ops.reshape(crossent, array_ops.shape(logits)[0:2])
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            crossent = math_ops.reduce_sum(crossent, axis=axis)
            total_size = math_ops.reduce_sum(weights, axis=axis)
            crossent = math_ops.div_no_nan(crossent, total_size)
        elif sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            crossent = math_ops.reduce_sum(crossent, axis=axis)
            total_count = array_ops.cast(
                math_ops.count_nonzero(weights, axis=axis), dtype=dtypes.float32
            )
            crossent = math_ops.div_no_nan(crossent, total_count)
        return crossent
