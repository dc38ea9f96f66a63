"""TF 1.15's `tf.contrib.losses`: the TF 1.0 loss functions (deprecated there in favour
of `tf.losses`), with their argument order (`predictions, labels` / `logits, labels`)
and their reduction: the weighted sum divided by the number of elements with a nonzero
weight (0 when there are none). Every loss but `hinge_loss` is added to the LOSSES
collection.
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collection, get_collection, name_scope
from tfgraph.legacy_contrib.arg_scope import add_arg_scope
from tfgraph.ops import array_ops, math_ops, nn_ops

__all__ = [
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]


def _to_float(x):
    return array_ops.cast(x, dtypes.float32)


def _scale_losses(losses, weights):
    """Sum of `losses` reduced to `weights`' rank, times `weights`, summed."""
    start = max(0, weights.get_shape().ndims)
    axes = list(range(start, losses.get_shape().ndims))
    reduced = math_ops.reduce_sum(losses, axis=axes)
    return math_ops.reduce_sum(math_ops.multiply(reduced, weights))


def _safe_div(numerator, denominator, name="value"):
    """numerator / denominator where denominator > 0, else 0 (no NaN gradients)."""
    safe_denominator = array_ops.where(
        math_ops.equal(denominator, 0), array_ops.ones_like(denominator), denominator
    )
    return array_ops.where(
        math_ops.greater(denominator, 0),
        math_ops.divide(numerator, safe_denominator),
        array_ops.zeros_like(numerator),
        name=name,
    )


def _safe_mean(losses, num_present):
    return _safe_div(math_ops.reduce_sum(losses), num_present)


def _num_present(losses, weights, per_batch=False):
    """The number of elements of `losses` with a nonzero weight once `weights` is
    broadcast (per batch entry when `per_batch`)."""
    if weights.get_shape().ndims == 0:
        batch_size = array_ops.reshape(array_ops.slice(array_ops.shape(losses), [0], [1]), [])
        per = math_ops.divide(_to_float(array_ops.size(losses)), _to_float(batch_size))
        per = array_ops.where(math_ops.equal(weights, 0), 0.0, per)
        per = math_ops.multiply(array_ops.ones(array_ops.reshape(batch_size, [1])), per)
        return per if per_batch else math_ops.reduce_sum(per)
    axes = list(range(1, weights.get_shape().ndims))
    nonzero = math_ops.reduce_sum(_to_float(math_ops.not_equal(weights, 0)), axis=axes)
    broadcast_dims = array_ops.slice(array_ops.shape(losses), [weights.get_shape().ndims], [-1])
    per = math_ops.multiply(nonzero, _to_float(math_ops.reduce_prod(broadcast_dims)))
    return per if per_batch else math_ops.reduce_sum(per)


@add_arg_scope
def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Adds `loss` to `loss_collection` (nothing when it is None or empty)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """The losses in `loss_collection` (filtered by `scope`)."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """The REGULARIZATION_LOSSES collection (filtered by `scope`)."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_total_loss(add_regularization_losses=True, name="total_loss"):
    """`add_n` of the losses (and the regularization losses)."""
    losses = get_losses()
    if add_regularization_losses:
        losses += get_regularization_losses()
    return math_ops.add_n(losses, name=name)


def compute_weighted_loss(losses, weights=1.0, scope=None):
    """The weighted sum of `losses` over the number of nonzero-weighted elements;
    `weights` is a scalar or [batch_size, d1, ... dK] (K < rank of `losses`; a last
    dimension of 1 is squeezed). Added to the LOSSES collection.

    Raises:
      ValueError: if the rank of `losses` or of `weights` is unknown.
    """
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = _to_float(losses)
        weights = _to_float(convert_to_tensor(weights))
        if losses.get_shape().ndims is None:
            raise ValueError("losses.get_shape().ndims cannot be None")
        weights_shape = weights.get_shape()
        if weights_shape.ndims is None:
            raise ValueError("weights.get_shape().ndims cannot be None")
        if weights_shape.ndims > 1 and weights_shape.dims[-1].is_compatible_with(1):
            weights = array_ops.squeeze(weights, [-1])
        total_loss = _scale_losses(losses, weights)
        num_present = _num_present(losses, weights)
        mean_loss = array_ops.cast(_safe_mean(total_loss, num_present), input_dtype)
        add_loss(mean_loss)
        return mean_loss


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean of |predictions - labels|."""
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        losses = math_ops.abs(math_ops.subtract(_to_float(predictions), _to_float(labels)))
        return compute_weighted_loss(losses, weights, scope=scope)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0, label_smoothing=0, scope=None):
    """Weighted mean of the sigmoid cross-entropy; labels smoothed towards 1/2 by
    `label_smoothing`."""
    with name_scope(
        scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]
    ) as scope:
        logits.get_shape().assert_is_compatible_with(multi_class_labels.get_shape())
        multi_class_labels = array_ops.cast(multi_class_labels, logits.dtype)
        if label_smoothing > 0:
            multi_class_labels = multi_class_labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_ops.sigmoid_cross_entropy_with_logits(
            labels=multi_class_labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    """Weighted mean of the softmax cross-entropy; labels smoothed towards
    1/num_classes by `label_smoothing`."""
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as scope:
        logits.get_shape().assert_is_compatible_with(onehot_labels.get_shape())
        onehot_labels = array_ops.cast(onehot_labels, logits.dtype)
        if label_smoothing > 0:
            num_classes = array_ops.cast(array_ops.shape(onehot_labels)[1], logits.dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = label_smoothing / num_classes
            onehot_labels = onehot_labels * smooth_positives + smooth_negatives
        losses = nn_ops.softmax_cross_entropy_with_logits(
            labels=onehot_labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    """Weighted mean of the sparse softmax cross-entropy (`labels` [batch] or
    [batch, 1])."""
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as scope:
        labels = array_ops.reshape(labels, shape=[array_ops.shape(labels)[0]])
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None):
    """Weighted mean of -y log(p + eps) - (1 - y) log(1 - p + eps)."""
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        predictions = _to_float(predictions)
        labels = _to_float(labels)
        losses = -math_ops.multiply(
            labels, math_ops.log(predictions + epsilon)
        ) - math_ops.multiply((1 - labels), math_ops.log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope=scope)


def hinge_loss(logits, labels=None, scope=None):
    """The unreduced hinge loss max(0, 1 - (2 labels - 1) logits) (not added to
    LOSSES)."""
    with name_scope(scope, "hinge_loss", [logits, labels]) as scope:
        logits.get_shape().assert_is_compatible_with(labels.get_shape())
        labels = _to_float(labels)
        all_ones = array_ops.ones_like(labels)
        labels = math_ops.subtract(2 * labels, all_ones)
        return nn_ops.relu(math_ops.subtract(all_ones, math_ops.multiply(labels, logits)))


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean of (predictions - labels)^2."""
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        losses = math_ops.square(math_ops.subtract(_to_float(predictions), _to_float(labels)))
        return compute_weighted_loss(losses, weights, scope=scope)


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """Mean over each batch entry's pairs (i, j) of ((p_i - p_j) - (l_i - l_j))^2,
    weighted per batch entry (as TF 1.0: 2 * mean(d^2) - 2 * mean(d)^2)."""
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]) as scope:
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        predictions = _to_float(predictions)
        labels = _to_float(labels)
        weights = _to_float(convert_to_tensor(weights))
        diffs = math_ops.subtract(predictions, labels)
        if diffs.get_shape().ndims is None:
            raise ValueError("diffs.get_shape().ndims cannot be None")
        if weights.get_shape().ndims is None:
            raise ValueError("weights.get_shape().ndims cannot be None")
        axes = list(range(1, diffs.get_shape().ndims))
        sum_squares = math_ops.reduce_sum(math_ops.square(diffs), axis=axes)
        num_present = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * _safe_div(sum_squares, num_present)
        sum_diff = math_ops.reduce_sum(diffs, axis=axes)
        term2 = 2.0 * _safe_div(math_ops.square(sum_diff), math_ops.square(num_present))
        loss = _scale_losses(term1 - term2, weights)
        mean_loss = array_ops.where(
            math_ops.reduce_sum(num_present) > 0, loss, array_ops.zeros_like(loss), name="value"
        )
        add_loss(mean_loss)
        return mean_loss


def cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None):
    """Weighted mean of 1 - sum(predictions * labels, axis) (inputs assumed
    unit-normalized; `dim` is the deprecated name of `axis`).

    Raises:
      ValueError: if both or neither of `axis` and `dim` are given.
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None and dim is None:
        raise ValueError("`axis` and `dim` cannot both be None.")
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        radial = math_ops.multiply(_to_float(predictions), _to_float(labels))
        losses = 1 - math_ops.reduce_sum(radial, axis=[axis])
        return compute_weighted_loss(losses, weights, scope=scope)
