"""TF 1.15's `tf.contrib.metrics`: the `streaming_*` metrics and helpers.

Most are TF 1.15's thin wrappers around `tf.metrics` with contrib's argument order
(`predictions, labels`, ...); `streaming_covariance`, `streaming_pearson_correlation`,
`streaming_concat`, `f1_score`, `streaming_false_positive_rate` /
`streaming_false_negative_rate` and the `*_at_k` shims are contrib's own, with its local
variable names (`count`, `mean_prediction`, `mean_label`, `comoment`; `array`, `size`).
"""

from __future__ import annotations

from tfgraph import metrics_at_k_impl
from tfgraph import metrics_impl as metrics
from tfgraph.framework import dtypes
from tfgraph.framework.graph import add_to_collections, get_default_graph
from tfgraph.metrics_impl import metric_variable
from tfgraph.ops import array_ops, math_ops, nn_ops, state_ops, weights_broadcast_ops
from tfgraph.ops import confusion_matrix as _confusion_matrix
from tfgraph.variable_scope import variable_scope

__all__ = [
    "aggregate_metric_map",
    "aggregate_metrics",
    "confusion_matrix",
    "f1_score",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_concat",
    "streaming_covariance",
    "streaming_false_negative_rate",
    "streaming_false_negatives",
    "streaming_false_negatives_at_thresholds",
    "streaming_false_positive_rate",
    "streaming_false_positives",
    "streaming_false_positives_at_thresholds",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_cosine_distance",
    "streaming_mean_iou",
    "streaming_mean_relative_error",
    "streaming_mean_squared_error",
    "streaming_mean_tensor",
    "streaming_pearson_correlation",
    "streaming_percentage_less",
    "streaming_precision",
    "streaming_precision_at_thresholds",
    "streaming_recall",
    "streaming_recall_at_k",
    "streaming_recall_at_thresholds",
    "streaming_root_mean_squared_error",
    "streaming_sensitivity_at_specificity",
    "streaming_sparse_average_precision_at_k",
    "streaming_sparse_precision_at_k",
    "streaming_sparse_recall_at_k",
    "streaming_specificity_at_sensitivity",
    "streaming_true_negatives",
    "streaming_true_negatives_at_thresholds",
    "streaming_true_positives",
    "streaming_true_positives_at_thresholds",
]

confusion_matrix = _confusion_matrix.confusion_matrix


def _collect(value, update_op, metrics_collections, updates_collections):
    if metrics_collections:
        add_to_collections(metrics_collections, value)
    if updates_collections:
        add_to_collections(updates_collections, update_op)
    return value, update_op


# -- wrappers of tf.metrics (predictions first) ----------------------------------------------
def _pl_wrapper(metric, doc):
    def wrapper(
        predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
        name=None,
    ):  # fmt: skip
        return metric(
            predictions=predictions,
            labels=labels,
            weights=weights,
            metrics_collections=metrics_collections,
            updates_collections=updates_collections,
            name=name,
        )

    wrapper.__doc__ = doc
    return wrapper


streaming_true_positives = _pl_wrapper(metrics.true_positives, "`tf.metrics.true_positives`.")
streaming_true_negatives = _pl_wrapper(metrics.true_negatives, "`tf.metrics.true_negatives`.")
streaming_false_positives = _pl_wrapper(metrics.false_positives, "`tf.metrics.false_positives`.")
streaming_false_negatives = _pl_wrapper(metrics.false_negatives, "`tf.metrics.false_negatives`.")
streaming_accuracy = _pl_wrapper(metrics.accuracy, "`tf.metrics.accuracy`.")
streaming_precision = _pl_wrapper(metrics.precision, "`tf.metrics.precision`.")
streaming_recall = _pl_wrapper(metrics.recall, "`tf.metrics.recall`.")
streaming_mean_absolute_error = _pl_wrapper(
    metrics.mean_absolute_error, "`tf.metrics.mean_absolute_error`."
)
streaming_mean_squared_error = _pl_wrapper(
    metrics.mean_squared_error, "`tf.metrics.mean_squared_error`."
)
streaming_root_mean_squared_error = _pl_wrapper(
    metrics.root_mean_squared_error, "`tf.metrics.root_mean_squared_error`."
)
for _f in (
    "streaming_true_positives",
    "streaming_true_negatives",
    "streaming_false_positives",
    "streaming_false_negatives",
    "streaming_accuracy",
    "streaming_precision",
    "streaming_recall",
    "streaming_mean_absolute_error",
    "streaming_mean_squared_error",
    "streaming_root_mean_squared_error",
):
    globals()[_f].__name__ = globals()[_f].__qualname__ = _f
del _f


def _thresholds_wrapper(metric, name):
    def wrapper(
        predictions, labels, thresholds, weights=None, metrics_collections=None,
        updates_collections=None, name=None,
    ):  # fmt: skip
        return metric(
            labels=labels,
            predictions=predictions,
            thresholds=thresholds,
            weights=weights,
            metrics_collections=metrics_collections,
            updates_collections=updates_collections,
            name=name,
        )

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = f"`tf.metrics.{metric.__name__}` with predictions first."
    return wrapper


streaming_precision_at_thresholds = _thresholds_wrapper(
    metrics.precision_at_thresholds, "streaming_precision_at_thresholds"
)
streaming_recall_at_thresholds = _thresholds_wrapper(
    metrics.recall_at_thresholds, "streaming_recall_at_thresholds"
)


def _counts_at_thresholds(metric, name):
    def wrapper(predictions, labels, thresholds, weights=None):
        return metric(
            labels=labels, predictions=predictions, thresholds=thresholds, weights=weights
        )

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = f"`tf.metrics.{metric.__name__}` with predictions first."
    return wrapper


streaming_true_positives_at_thresholds = _counts_at_thresholds(
    metrics.true_positives_at_thresholds, "streaming_true_positives_at_thresholds"
)
streaming_true_negatives_at_thresholds = _counts_at_thresholds(
    metrics.true_negatives_at_thresholds, "streaming_true_negatives_at_thresholds"
)
streaming_false_positives_at_thresholds = _counts_at_thresholds(
    metrics.false_positives_at_thresholds, "streaming_false_positives_at_thresholds"
)
streaming_false_negatives_at_thresholds = _counts_at_thresholds(
    metrics.false_negatives_at_thresholds, "streaming_false_negatives_at_thresholds"
)


def streaming_mean(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """`tf.metrics.mean` (local variables `total`, `count`)."""
    return metrics.mean(
        values=values,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_mean_tensor(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """`tf.metrics.mean_tensor`: the element-wise mean."""
    return metrics.mean_tensor(
        values=values,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_auc(
    predictions, labels, weights=None, num_thresholds=200, metrics_collections=None,
    updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
):  # fmt: skip
    """`tf.metrics.auc` with predictions first."""
    return metrics.auc(
        labels=labels,
        predictions=predictions,
        weights=weights,
        num_thresholds=num_thresholds,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        curve=curve,
        name=name,
        summation_method=summation_method,
    )


def streaming_specificity_at_sensitivity(
    predictions, labels, sensitivity, weights=None, num_thresholds=200,
    metrics_collections=None, updates_collections=None, name=None,
):  # fmt: skip
    """`tf.metrics.specificity_at_sensitivity` with predictions first."""
    return metrics.specificity_at_sensitivity(
        labels=labels,
        predictions=predictions,
        sensitivity=sensitivity,
        weights=weights,
        num_thresholds=num_thresholds,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_sensitivity_at_specificity(
    predictions, labels, specificity, weights=None, num_thresholds=200,
    metrics_collections=None, updates_collections=None, name=None,
):  # fmt: skip
    """`tf.metrics.sensitivity_at_specificity` with predictions first."""
    return metrics.sensitivity_at_specificity(
        labels=labels,
        predictions=predictions,
        specificity=specificity,
        weights=weights,
        num_thresholds=num_thresholds,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_mean_iou(
    predictions, labels, num_classes, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """`tf.metrics.mean_iou` with predictions first (local `total_confusion_matrix`)."""
    return metrics.mean_iou(
        labels=labels,
        predictions=predictions,
        num_classes=num_classes,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_mean_relative_error(
    predictions, labels, normalizer, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """`tf.metrics.mean_relative_error` with predictions first."""
    return metrics.mean_relative_error(
        labels=labels,
        predictions=predictions,
        normalizer=normalizer,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_mean_cosine_distance(
    predictions, labels, dim, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """`tf.metrics.mean_cosine_distance` with predictions first."""
    return metrics.mean_cosine_distance(
        labels=labels,
        predictions=predictions,
        dim=dim,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_percentage_less(
    values, threshold, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """`tf.metrics.percentage_below`."""
    return metrics.percentage_below(
        values=values,
        threshold=threshold,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_recall_at_k(
    predictions, labels, k, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """The mean of `in_top_k(predictions, labels, k)` (variable scope `recall_at_<k>`)."""
    in_top_k = array_ops.cast(nn_ops.in_top_k(predictions, labels, k), dtypes.float32)
    return streaming_mean(
        in_top_k, weights, metrics_collections, updates_collections, name or f"recall_at_{k}"
    )


def streaming_sparse_recall_at_k(
    predictions, labels, k, class_id=None, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """`tf.metrics.recall_at_k` with predictions first."""
    return metrics_at_k_impl.recall_at_k(
        k=k,
        class_id=class_id,
        predictions=predictions,
        labels=labels,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_sparse_precision_at_k(
    predictions, labels, k, class_id=None, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """`tf.metrics.precision_at_k` with predictions first."""
    return metrics_at_k_impl.precision_at_k(
        k=k,
        class_id=class_id,
        predictions=predictions,
        labels=labels,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def streaming_sparse_average_precision_at_k(
    predictions, labels, k, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """`tf.metrics.average_precision_at_k` with predictions first."""
    return metrics_at_k_impl.average_precision_at_k(
        k=k,
        predictions=predictions,
        labels=labels,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


# -- contrib's own metrics -------------------------------------------------------------------
def _rate(default_name, numerator_fn, other_fn):
    def metric(
        predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
        name=None,
    ):  # fmt: skip
        with variable_scope(name, default_name, (predictions, labels, weights)):
            predictions, labels, weights = metrics._remove_squeezable_dimensions(
                predictions=array_ops.cast(predictions, dtypes.bool),
                labels=array_ops.cast(labels, dtypes.bool),
                weights=weights,
            )
            num, num_update = numerator_fn(
                predictions, labels, weights, metrics_collections=None,
                updates_collections=None, name=None,
            )  # fmt: skip
            other, other_update = other_fn(
                predictions, labels, weights, metrics_collections=None,
                updates_collections=None, name=None,
            )  # fmt: skip

            def compute(a, b, name):
                return array_ops.where(
                    math_ops.greater(a + b, 0), math_ops.divide(a, a + b), 0, name
                )

            value = compute(num, other, "value")
            update_op = compute(num_update, other_update, "update_op")
            return _collect(value, update_op, metrics_collections, updates_collections)

    return metric


streaming_false_positive_rate = _rate(
    "false_positive_rate", streaming_false_positives, streaming_true_negatives
)
streaming_false_positive_rate.__name__ = "streaming_false_positive_rate"
streaming_false_positive_rate.__doc__ = "fp / (fp + tn) over the batches seen (0 when none)."
streaming_false_negative_rate = _rate(
    "false_negative_rate", streaming_false_negatives, streaming_true_positives
)
streaming_false_negative_rate.__name__ = "streaming_false_negative_rate"
streaming_false_negative_rate.__doc__ = "fn / (fn + tp) over the batches seen (0 when none)."


def streaming_covariance(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """The unbiased (weighted) covariance of predictions and labels over all batches
    seen, updated by merging each batch's co-moment (NaN while the count is <= 1).

    Local variables (scope `covariance`): `count`, `mean_prediction`, `mean_label`,
    `comoment`.
    """
    with variable_scope(name, "covariance", (predictions, labels, weights)):
        predictions, labels, weights = metrics._remove_squeezable_dimensions(
            predictions, labels, weights
        )
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        count = metric_variable([], dtypes.float32, name="count")
        mean_prediction = metric_variable([], dtypes.float32, name="mean_prediction")
        mean_label = metric_variable([], dtypes.float32, name="mean_label")
        comoment = metric_variable([], dtypes.float32, name="comoment")
        if weights is None:
            batch_count = array_ops.cast(array_ops.size(labels), dtypes.float32)
            weighted_predictions, weighted_labels = predictions, labels
        else:
            weights = weights_broadcast_ops.broadcast_weights(weights, labels)
            batch_count = math_ops.reduce_sum(weights)
            weighted_predictions = math_ops.multiply(predictions, weights)
            weighted_labels = math_ops.multiply(labels, weights)
        update_count = state_ops.assign_add(count, batch_count)
        prev_count = update_count - batch_count

        batch_mean_prediction = math_ops.div_no_nan(
            math_ops.reduce_sum(weighted_predictions), batch_count
        )
        delta_mean_prediction = math_ops.div_no_nan(
            (batch_mean_prediction - mean_prediction) * batch_count, update_count
        )
        update_mean_prediction = state_ops.assign_add(mean_prediction, delta_mean_prediction)
        prev_mean_prediction = update_mean_prediction - delta_mean_prediction

        batch_mean_label = math_ops.div_no_nan(math_ops.reduce_sum(weighted_labels), batch_count)
        delta_mean_label = math_ops.div_no_nan(
            (batch_mean_label - mean_label) * batch_count, update_count
        )
        update_mean_label = state_ops.assign_add(mean_label, delta_mean_label)
        prev_mean_label = update_mean_label - delta_mean_label

        coresiduals = (predictions - batch_mean_prediction) * (labels - batch_mean_label)
        if weights is None:
            batch_comoment = math_ops.reduce_sum(coresiduals)
        else:
            batch_comoment = math_ops.reduce_sum(coresiduals * weights)
        delta_comoment = batch_comoment + (prev_mean_prediction - batch_mean_prediction) * (
            prev_mean_label - batch_mean_label
        ) * (prev_count * batch_count / update_count)
        update_comoment = state_ops.assign_add(comoment, delta_comoment)

        covariance = array_ops.where(
            math_ops.less_equal(count, 1.0),
            float("nan"),
            math_ops.truediv(comoment, count - 1),
            name="covariance",
        )
        with get_default_graph().control_dependencies([update_comoment]):
            update_op = array_ops.where(
                math_ops.less_equal(count, 1.0),
                float("nan"),
                math_ops.truediv(comoment, count - 1),
                name="update_op",
            )
    return _collect(covariance, update_op, metrics_collections, updates_collections)


def streaming_pearson_correlation(
    predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """Pearson's r of predictions and labels over all batches seen: three
    `streaming_covariance`s (scopes `covariance`, `variance_predictions`,
    `variance_labels` under `pearson_r`)."""
    with variable_scope(name, "pearson_r", (predictions, labels, weights)):
        predictions, labels, weights = metrics._remove_squeezable_dimensions(
            predictions, labels, weights
        )
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        if weights is not None:
            weights = weights_broadcast_ops.broadcast_weights(weights, labels)
        cov, update_cov = streaming_covariance(
            predictions, labels, weights=weights, name="covariance"
        )
        var_p, update_var_p = streaming_covariance(
            predictions, predictions, weights=weights, name="variance_predictions"
        )
        var_l, update_var_l = streaming_covariance(
            labels, labels, weights=weights, name="variance_labels"
        )
        pearson_r = math_ops.truediv(
            cov, math_ops.multiply(math_ops.sqrt(var_p), math_ops.sqrt(var_l)), name="pearson_r"
        )
        update_op = math_ops.truediv(
            update_cov,
            math_ops.multiply(math_ops.sqrt(update_var_p), math_ops.sqrt(update_var_l)),
            name="update_op",
        )
    return _collect(pearson_r, update_op, metrics_collections, updates_collections)


def streaming_concat(
    values, axis=0, max_size=None, metrics_collections=None, updates_collections=None, name=None
):
    """All `values` seen so far, concatenated along `axis` (at most `max_size` entries
    along it). Local variables `array` (the data, `axis` first) and `size`.

    Raises:
      ValueError: if `values`' rank is unknown, `axis` is out of range, or a dimension
        other than `axis` is unknown.
    """
    with variable_scope(name, "streaming_concat", (values,)):
        values_shape = values.get_shape()
        if values_shape.dims is None:
            raise ValueError("`values` must have known statically known rank")
        ndim = len(values_shape)
        if axis < 0:
            axis += ndim
        if not 0 <= axis < ndim:
            raise ValueError(f"axis = {axis!r} not in [0, {ndim!r})")
        fixed_shape = [dim.value for n, dim in enumerate(values_shape.dims) if n != axis]
        if any(value is None for value in fixed_shape):
            raise ValueError(
                "all dimensions of `values` other than the dimension to concatenate along "
                "must have statically known size"
            )
        init_size = 0 if max_size is None else max_size
        array = metric_variable(
            [init_size, *fixed_shape], values.dtype, validate_shape=False, name="array"
        )
        size = metric_variable([], dtypes.int32, name="size")
        perm = [0 if n == axis else n + 1 if n < axis else n for n in range(ndim)]
        valid = array_ops.slice(array, array_ops.stack([0] * ndim), _lead_size(size, ndim))
        valid.set_shape([None, *fixed_shape])
        value = array_ops.transpose(valid, perm, name="concat")

        values_size = array_ops.shape(values)[axis]
        if max_size is None:
            batch_size = values_size
        else:
            batch_size = math_ops.minimum(values_size, max_size - size)
        to_front = [axis] + [n for n in range(ndim) if n != axis]
        front = array_ops.transpose(values, to_front)
        batch_values = array_ops.slice(
            front, array_ops.stack([0] * ndim), _lead_size(batch_size, ndim)
        )
        new_size = size + batch_size
        # the array becomes exactly the kept entries and the batch (TF 1.15 grows a
        # preallocated buffer by 1.5x; only its first `size` entries are ever read)
        kept = array_ops.slice(array, array_ops.stack([0] * ndim), _lead_size(size, ndim))
        grown = array_ops.concat([kept, batch_values], 0)
        append = state_ops.assign(array, grown, validate_shape=False)
        with get_default_graph().control_dependencies([append]):
            update_op = state_ops.assign(size, new_size)
    return _collect(value, update_op, metrics_collections, updates_collections)


def _lead_size(n, ndim):
    """A slice size taking `n` entries along the first dimension and all of the rest."""
    return array_ops.stack([n] + [-1] * (ndim - 1))


def f1_score(
    labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """The best F1 score over `num_thresholds` thresholds in [0, 1] (predictions are
    probabilities); local `true_positives`, `false_positives`, `false_negatives`."""
    with variable_scope(name, "f1", (labels, predictions, weights)):
        predictions, labels, weights = metrics._remove_squeezable_dimensions(
            predictions=predictions, labels=labels, weights=weights
        )
        epsilon = 1e-7
        thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - epsilon, *thresholds, 1.0 + epsilon]
        values, updates = metrics._confusion_matrix_at_thresholds(
            labels, predictions, thresholds, weights, includes=("tp", "fp", "fn")
        )

        def best_f1(tp, fp, fn, name):
            precision = math_ops.divide(tp, epsilon + tp + fp, name="precision_" + name)
            recall = math_ops.divide(tp, epsilon + tp + fn, name="recall_" + name)
            f1 = 2.0 * precision * recall / (precision + recall + epsilon)
            return math_ops.reduce_max(f1)

        value = best_f1(values["tp"], values["fp"], values["fn"], "value")
        update_op = best_f1(updates["tp"], updates["fp"], updates["fn"], "update")
    return _collect(value, update_op, metrics_collections, updates_collections)


def aggregate_metrics(*value_update_tuples):
    """`([values], [update ops])` from `(value, update_op)` pairs.

    Raises:
      ValueError: if no pair is given.
    """
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    value_ops, update_ops = zip(*value_update_tuples)
    return list(value_ops), list(update_ops)


def aggregate_metric_map(names_to_tuples):
    """`({name: value}, {name: update_op})` from `{name: (value, update_op)}`."""
    names = names_to_tuples.keys()
    value_ops, update_ops = zip(*names_to_tuples.values())
    return dict(zip(names, value_ops)), dict(zip(names, update_ops))
