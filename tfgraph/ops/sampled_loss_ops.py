"""Sampled losses for many classes: `tf.nn.nce_loss` and `tf.nn.sampled_softmax_loss`,
built as TF builds them (a logit for each true class and each sampled class, the log
of their expected counts subtracted; accidental hits of a sampled class on a true one
pushed to -FLT_MAX)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, math_ops, nn_ops, sparse_ops
from tfgraph.ops.candidate_sampling_ops import (
    compute_accidental_hits,
    log_uniform_candidate_sampler,
)

__all__ = ["nce_loss", "sampled_softmax_loss"]


def _sum_rows(x):
    """The sum of each row of the matrix `x`, as a product with ones (TF's way: its
    gradient is cheaper than reduce_sum's)."""
    cols = array_ops.shape(x)[1]
    ones = array_ops.ones(array_ops.stack([cols, 1]), x.dtype)
    return array_ops.reshape(math_ops.matmul(x, ones), [-1])


def _compute_sampled_logits(
    weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
    subtract_log_q, remove_accidental_hits, partition_strategy, name, seed=None,
):  # fmt: skip
    if hasattr(weights, "_get_variable_list"):
        weights = list(weights)  # (a PartitionedVariable)
    if not isinstance(weights, list):
        weights = [weights]
    g = get_default_graph()
    with g.name_scope(name or "compute_sampled_logits"):
        labels = convert_to_tensor(labels)
        if labels.dtype != dtypes.int64:
            labels = array_ops.cast(labels, dtypes.int64)
        labels_flat = array_ops.reshape(labels, [-1])
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                true_classes=labels, num_true=num_true, num_sampled=num_sampled, unique=True,
                range_max=num_classes, seed=seed,
            )  # fmt: skip
        sampled, true_expected, sampled_expected = (
            array_ops.stop_gradient(s) for s in sampled_values
        )
        sampled = array_ops.cast(sampled, dtypes.int64)
        all_ids = array_ops.concat([labels_flat, sampled], 0)
        all_w = nn_ops.embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
        inputs = convert_to_tensor(inputs)
        if all_w.dtype != inputs.dtype:
            all_w = array_ops.cast(all_w, inputs.dtype)
        n_true = array_ops.shape(labels_flat)[0]
        true_w = array_ops.slice(all_w, [0, 0], array_ops.stack([n_true, -1]))
        sampled_w = array_ops.slice(
            all_w, array_ops.stack([array_ops.shape(labels_flat)[0], 0]), [-1, -1]
        )
        sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True)
        all_b = nn_ops.embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        if all_b.dtype != inputs.dtype:
            all_b = array_ops.cast(all_b, inputs.dtype)
        true_b = array_ops.slice(all_b, [0], array_ops.shape(labels_flat))
        sampled_b = array_ops.slice(all_b, array_ops.shape(labels_flat), [-1])
        dim = array_ops.shape(true_w)[1:2]
        new_true_w_shape = array_ops.concat([[-1, num_true], dim], 0)
        row_wise_dots = math_ops.multiply(
            array_ops.expand_dims(inputs, 1), array_ops.reshape(true_w, new_true_w_shape)
        )
        dots_as_matrix = array_ops.reshape(row_wise_dots, array_ops.concat([[-1], dim], 0))
        true_logits = array_ops.reshape(_sum_rows(dots_as_matrix), [-1, num_true])
        true_b = array_ops.reshape(true_b, [-1, num_true])
        true_logits += true_b
        sampled_logits += sampled_b
        if remove_accidental_hits:
            acc_indices, acc_ids, acc_weights = compute_accidental_hits(
                labels, sampled, num_true=num_true
            )
            acc_indices_2d = array_ops.reshape(acc_indices, [-1, 1])
            acc_ids_2d_int32 = array_ops.reshape(array_ops.cast(acc_ids, dtypes.int32), [-1, 1])
            sparse_indices = array_ops.concat(
                [acc_indices_2d, acc_ids_2d_int32], 1, "sparse_indices"
            )
            sampled_logits_shape = array_ops.concat(
                [array_ops.shape(labels)[:1], array_ops.expand_dims(num_sampled, 0)], 0
            )
            if sampled_logits.dtype != acc_weights.dtype:
                acc_weights = array_ops.cast(acc_weights, sampled_logits.dtype)
            sampled_logits += sparse_ops.sparse_to_dense(
                sparse_indices, sampled_logits_shape, acc_weights, default_value=0.0,
                validate_indices=False,
            )  # fmt: skip
        if subtract_log_q:
            true_logits -= math_ops.log(true_expected)
            sampled_logits -= math_ops.log(sampled_expected)
        out_logits = array_ops.concat([true_logits, sampled_logits], 1)
        out_labels = array_ops.concat(
            [array_ops.ones_like(true_logits) / num_true, array_ops.zeros_like(sampled_logits)], 1
        )
        return out_logits, out_labels


def nce_loss(
    weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
    remove_accidental_hits=False, partition_strategy="mod", name="nce_loss",
):  # fmt: skip
    """Noise-contrastive estimation loss per example ([batch]): logistic regression of
    the true classes against `num_sampled` classes drawn by the log-uniform sampler (or
    given as `sampled_values`). `weights` [num_classes, dim] (or a list of partitions),
    `biases` [num_classes], `labels` [batch, num_true], `inputs` [batch, dim]."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
        True, remove_accidental_hits, partition_strategy, name,
    )  # fmt: skip
    losses = nn_ops.sigmoid_cross_entropy_with_logits(
        labels=labels, logits=logits, name="sampled_losses"
    )
    return _sum_rows(losses)


def sampled_softmax_loss(
    weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
    remove_accidental_hits=True, partition_strategy="mod", name="sampled_softmax_loss",
    seed=None,
):  # fmt: skip
    """Sampled softmax loss per example ([batch]): softmax cross-entropy over the true
    classes and `num_sampled` sampled ones; arguments as `nce_loss`."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
        True, remove_accidental_hits, partition_strategy, name, seed,
    )  # fmt: skip
    labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def nce_loss_v2(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=False,
    name="nce_loss",
):
    """TF2's `tf.nn.nce_loss`: sharded weights are split "div"-wise."""
    return nce_loss(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true=num_true,
        sampled_values=sampled_values, remove_accidental_hits=remove_accidental_hits,
        partition_strategy="div", name=name,
    )  # fmt: skip


def sampled_softmax_loss_v2(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=True,
    seed=None,
    name="sampled_softmax_loss",
):
    """TF2's `tf.nn.sampled_softmax_loss`: sharded weights are split "div"-wise."""
    return sampled_softmax_loss(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true=num_true,
        sampled_values=sampled_values, remove_accidental_hits=remove_accidental_hits,
        partition_strategy="div", name=name, seed=seed,
    )  # fmt: skip
