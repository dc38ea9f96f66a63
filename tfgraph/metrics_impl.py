"""`tf.metrics`: streaming metrics kept in local variables (`<name>/total`,
`<name>/count`) that an `update_op` accumulates batch by batch; the value tensor reads
them. Initialize them with `tf.local_variables_initializer()`."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collections, get_default_graph
from tfgraph.ops import (
    array_ops,
    check_ops,
    confusion_matrix,
    control_flow_ops,
    linalg_ops,
    math_ops,
    state_ops,
    weights_broadcast_ops,
)
from tfgraph.variable_scope import variable_scope
from tfgraph.variables import Variable, VariableAggregation, VariableSynchronization

__all__ = [
    "accuracy",
    "auc",
    "false_negatives",
    "false_negatives_at_thresholds",
    "false_positives",
    "false_positives_at_thresholds",
    "mean",
    "mean_absolute_error",
    "mean_cosine_distance",
    "mean_iou",
    "mean_per_class_accuracy",
    "mean_relative_error",
    "mean_squared_error",
    "mean_tensor",
    "metric_variable",
    "percentage_below",
    "precision",
    "precision_at_thresholds",
    "recall",
    "recall_at_thresholds",
    "root_mean_squared_error",
    "sensitivity_at_specificity",
    "specificity_at_sensitivity",
    "true_negatives",
    "true_negatives_at_thresholds",
    "true_positives",
    "true_positives_at_thresholds",
]


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


# -- counts, precision and recall --------------------------------------------------------------
def _read(variable, collections):
    """The value tensor of a metric variable (TF reads it through an Identity)."""
    value = array_ops.identity(variable)
    if collections:
        add_to_collections(collections, value)
    return value


def _finish(value, update_op, metrics_collections, updates_collections):
    if metrics_collections:
        add_to_collections(metrics_collections, value)
    if updates_collections:
        add_to_collections(updates_collections, update_op)
    return value, update_op


def _count_condition(values, weights, metrics_collections, updates_collections):
    """The (weighted) number of True `values` over all batches: variable `count`."""
    check_ops.assert_type(values, dtypes.bool)
    count = metric_variable([], dtypes.float32, name="count")
    values = array_ops.cast(values, dtypes.float32)
    if weights is not None:
        rank = check_ops.assert_rank_in(weights, (0, array_ops.rank(values)))
        with get_default_graph().control_dependencies((rank,)):
            weights = array_ops.cast(weights, dtypes.float32)
            values = math_ops.multiply(values, weights)
    value = _read(count, metrics_collections)
    update_op = state_ops.assign_add(count, math_ops.reduce_sum(values))
    if updates_collections:
        add_to_collections(updates_collections, update_op)
    return value, update_op


def _as_bools(labels, predictions, weights):
    return _remove_squeezable_dimensions(
        predictions=array_ops.cast(predictions, dtypes.bool),
        labels=array_ops.cast(labels, dtypes.bool),
        weights=weights,
    )


def _counter(default_name: str, label_value: bool, prediction_value: bool):
    def metric(
        labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
        name=None,
    ):  # fmt: skip
        with variable_scope(name, default_name, (predictions, labels, weights)):
            predictions, labels, weights = _as_bools(labels, predictions, weights)
            condition = math_ops.logical_and(
                math_ops.equal(labels, label_value), math_ops.equal(predictions, prediction_value)
            )
            return _count_condition(condition, weights, metrics_collections, updates_collections)

    metric.__name__ = default_name
    metric.__doc__ = (
        f"The (weighted) number of {default_name.replace('_', ' ')} over all batches "
        "seen (`labels` and `predictions` cast to bool): (value, update_op)."
    )
    return metric


true_positives = _counter("true_positives", True, True)
false_positives = _counter("false_positives", False, True)
true_negatives = _counter("true_negatives", False, False)
false_negatives = _counter("false_negatives", True, False)


def _ratio(default_name: str, other):
    """precision (tp / (tp + fp)) or recall (tp / (tp + fn)), 0 while nothing counted."""

    def metric(
        labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
        name=None,
    ):  # fmt: skip
        with variable_scope(name, default_name, (predictions, labels, weights)):
            predictions, labels, weights = _as_bools(labels, predictions, weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            o, o_update = other(labels, predictions, weights)

            def compute(a, b, op_name):
                return array_ops.where(
                    math_ops.greater(a + b, 0), math_ops.truediv(a, a + b), 0, op_name
                )

            value = compute(tp, o, "value")
            update_op = compute(tp_update, o_update, "update_op")
            return _finish(value, update_op, metrics_collections, updates_collections)

    metric.__name__ = default_name
    metric.__doc__ = f"The {default_name} of `predictions` (bools) over all batches seen."
    return metric


precision = _ratio("precision", false_positives)
recall = _ratio("recall", false_negatives)


# -- errors ------------------------------------------------------------------------------------
def mean_squared_error(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """The (weighted) mean of (labels - predictions)**2 over all batches seen."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    squared = math_ops.squared_difference(labels, predictions)
    return mean(
        squared, weights, metrics_collections, updates_collections, name or "mean_squared_error"
    )


def mean_absolute_error(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """The (weighted) mean of |predictions - labels| over all batches seen."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    errors = math_ops.abs(predictions - labels)
    return mean(
        errors, weights, metrics_collections, updates_collections, name or "mean_absolute_error"
    )


def root_mean_squared_error(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """The square root of `mean_squared_error`."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    mse, update_mse = mean_squared_error(
        labels, predictions, weights, None, None, name or "root_mean_squared_error"
    )
    value = math_ops.sqrt(mse)
    return _finish(value, math_ops.sqrt(update_mse), metrics_collections, updates_collections)


def mean_relative_error(
    labels, predictions, normalizer, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """The (weighted) mean of |labels - predictions| / normalizer (0 where the
    normalizer is 0) over all batches seen."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    predictions, normalizer = confusion_matrix.remove_squeezable_dimensions(predictions, normalizer)
    predictions.get_shape().assert_is_compatible_with(normalizer.get_shape())
    relative = array_ops.where(
        math_ops.equal(normalizer, 0.0),
        array_ops.zeros_like(labels),
        math_ops.divide(math_ops.abs(labels - predictions), normalizer),
    )
    return mean(
        relative, weights, metrics_collections, updates_collections, name or "mean_relative_error"
    )


def percentage_below(
    values, threshold, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """The (weighted) fraction of `values` below `threshold` over all batches seen."""
    below = array_ops.cast(math_ops.less(values, threshold), dtypes.float32)
    return mean(
        below,
        weights,
        metrics_collections,
        updates_collections,
        name or "percentage_below_threshold",
    )


def mean_cosine_distance(
    labels, predictions, dim, weights=None, metrics_collections=None, updates_collections=None,
    name=None,
):  # fmt: skip
    """1 - the (weighted) mean of the dot products of unit-normalized `labels` and
    `predictions` along `dim`, over all batches seen."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    radial = math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis=[dim], keepdims=True)
    mean_distance, update_op = mean(radial, weights, None, None, name or "mean_cosine_distance")
    value = math_ops.subtract(1.0, mean_distance)
    return _finish(
        value, math_ops.subtract(1.0, update_op), metrics_collections, updates_collections
    )


# -- at thresholds, and AUC ------------------------------------------------------------------
def _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights, includes=None):
    """Variables `true_positives`, `false_negatives`, `true_negatives`,
    `false_positives` (those in `includes`), each [len(thresholds)], counting the
    (weighted) predictions above each threshold; ({key: variable}, {key: update op})."""
    includes = ("tp", "fn", "tn", "fp") if includes is None else includes
    for include in includes:
        if include not in ("tp", "fn", "tn", "fp"):
            raise ValueError(f"Invalid key: {include}")
    g = get_default_graph()
    predictions = convert_to_tensor(predictions)
    checks = [
        check_ops.assert_greater_equal(
            predictions, array_ops.cast(0.0, predictions.dtype),
            message="predictions must be in [0, 1]",
        ),
        check_ops.assert_less_equal(
            predictions, array_ops.cast(1.0, predictions.dtype),
            message="predictions must be in [0, 1]",
        ),
    ]  # fmt: skip
    with g.control_dependencies(checks):
        predictions, labels, weights = _remove_squeezable_dimensions(
            predictions=array_ops.cast(predictions, dtypes.float32),
            labels=array_ops.cast(labels, dtypes.bool),
            weights=weights,
        )
    n = len(thresholds)
    predictions_2d = array_ops.reshape(predictions, [-1, 1])
    labels_2d = array_ops.reshape(array_ops.cast(labels, dtypes.bool), [1, -1])
    num_predictions = predictions_2d.get_shape().as_list()[0]
    if num_predictions is None:
        num_predictions = array_ops.shape(predictions_2d)[0]
    thresh_tiled = array_ops.tile(
        array_ops.expand_dims(array_ops.constant(thresholds), [1]),
        array_ops.stack([1, num_predictions]),
    )
    pred_is_pos = math_ops.greater(
        array_ops.tile(array_ops.transpose(predictions_2d), [n, 1]), thresh_tiled
    )
    pred_is_neg = math_ops.logical_not(pred_is_pos) if {"fn", "tn"} & set(includes) else None
    label_is_pos = array_ops.tile(labels_2d, [n, 1])
    label_is_neg = math_ops.logical_not(label_is_pos) if {"fp", "tn"} & set(includes) else None
    weights_tiled = None
    if weights is not None:
        weights = weights_broadcast_ops.broadcast_weights(
            array_ops.cast(weights, dtypes.float32), predictions
        )
        weights_tiled = array_ops.tile(array_ops.reshape(weights, [1, -1]), [n, 1])
        thresh_tiled.get_shape().assert_is_compatible_with(weights_tiled.get_shape())
    values, updates = {}, {}
    for key, var_name, label, pred in (
        ("tp", "true_positives", label_is_pos, pred_is_pos),
        ("fn", "false_negatives", label_is_pos, pred_is_neg),
        ("tn", "true_negatives", label_is_neg, pred_is_neg),
        ("fp", "false_positives", label_is_neg, pred_is_pos),
    ):
        if key not in includes:
            continue
        variable = metric_variable([n], dtypes.float32, name=var_name)
        hits = array_ops.cast(math_ops.logical_and(label, pred), dtypes.float32)
        if weights_tiled is not None:
            hits *= weights_tiled
        updates[key] = state_ops.assign_add(variable, math_ops.reduce_sum(hits, 1))
        values[key] = variable
    return values, updates


def _count_at_thresholds(default_name: str, key: str):
    def metric(
        labels, predictions, thresholds, weights=None, metrics_collections=None,
        updates_collections=None, name=None,
    ):  # fmt: skip
        with variable_scope(name, default_name, (predictions, labels, weights)):
            values, updates = _confusion_matrix_at_thresholds(
                labels, predictions, thresholds, weights, includes=(key,)
            )
            value = _read(values[key], metrics_collections)
            if updates_collections:
                add_to_collections(updates_collections, updates[key])
            return value, updates[key]

    metric.__name__ = f"{default_name}_at_thresholds"
    metric.__doc__ = (
        f"The (weighted) {default_name.replace('_', ' ')} at each of `thresholds` (a "
        "prediction above a threshold counts as positive): (value, update_op)."
    )
    return metric


true_positives_at_thresholds = _count_at_thresholds("true_positives", "tp")
false_positives_at_thresholds = _count_at_thresholds("false_positives", "fp")
true_negatives_at_thresholds = _count_at_thresholds("true_negatives", "tn")
false_negatives_at_thresholds = _count_at_thresholds("false_negatives", "fn")


def _ratio_at_thresholds(default_name: str, other: str):
    def metric(
        labels, predictions, thresholds, weights=None, metrics_collections=None,
        updates_collections=None, name=None,
    ):  # fmt: skip
        with variable_scope(name, f"{default_name}_at_thresholds", (predictions, labels, weights)):
            values, updates = _confusion_matrix_at_thresholds(
                labels, predictions, thresholds, weights, includes=("tp", other)
            )

            def compute(tp, o, suffix):
                return math_ops.divide(tp, 1e-7 + tp + o, name=f"{default_name}_{suffix}")

            value = compute(values["tp"], values[other], "value")
            update_op = compute(updates["tp"], updates[other], "update_op")
            return _finish(value, update_op, metrics_collections, updates_collections)

    metric.__name__ = f"{default_name}_at_thresholds"
    metric.__doc__ = f"The {default_name} at each of `thresholds`: (value, update_op)."
    return metric


precision_at_thresholds = _ratio_at_thresholds("precision", "fp")
recall_at_thresholds = _ratio_at_thresholds("recall", "fn")


def _interpolate_pr_auc(tp, fp, fn, n: int):
    """PR-AUC with careful interpolation (Davis & Goadrich) between thresholds."""
    dtp = tp[: n - 1] - tp[1:]
    p = tp + fp
    prec_slope = math_ops.div_no_nan(
        dtp, math_ops.maximum(p[: n - 1] - p[1:], 0), name="prec_slope"
    )
    intercept = tp[1:] - math_ops.multiply(prec_slope, p[1:])
    safe_p_ratio = array_ops.where(
        math_ops.logical_and(p[: n - 1] > 0, p[1:] > 0),
        math_ops.div_no_nan(p[: n - 1], math_ops.maximum(p[1:], 0), name="recall_relative_ratio"),
        array_ops.ones_like(p[1:]),
    )
    return math_ops.reduce_sum(
        math_ops.div_no_nan(
            prec_slope * (dtp + intercept * math_ops.log(safe_p_ratio)),
            math_ops.maximum(tp[1:] + fn[1:], 0),
            name="pr_auc_increment",
        ),
        name="interpolate_pr_auc",
    )


def auc(
    labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
    updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
    thresholds=None,
):  # fmt: skip
    """The area under the ROC or PR curve, by a Riemann sum over `num_thresholds`
    thresholds in [0, 1] (or the given `thresholds`), from the confusion-matrix counts
    accumulated over all batches: (auc, update_op)."""
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"Curve must be either ROC or PR. Curve {curve} is unknown.")
        kepsilon = 1e-7
        if thresholds is not None:
            thresholds = sorted(thresholds)
            num_thresholds = len(thresholds) + 2
        else:
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - kepsilon, *thresholds, 1.0 + kepsilon]
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)
        epsilon = 1.0e-6
        n = num_thresholds

        def compute(tp, fn, tn, fp, op_name):
            if curve == "PR" and summation_method == "careful_interpolation":
                return _interpolate_pr_auc(tp, fp, fn, n)  # (named as TF: not `op_name`)
            rec = math_ops.divide(tp + epsilon, tp + fn + epsilon)
            if curve == "ROC":
                x, y = math_ops.divide(fp, fp + tn + epsilon), rec
            else:
                x, y = rec, math_ops.divide(tp + epsilon, tp + fp + epsilon)
            if summation_method in ("trapezoidal", "careful_interpolation"):
                heights = (y[: n - 1] + y[1:]) / 2.0
            elif summation_method == "minoring":
                heights = math_ops.minimum(y[: n - 1], y[1:])
            elif summation_method == "majoring":
                heights = math_ops.maximum(y[: n - 1], y[1:])
            else:
                raise ValueError(
                    f"Invalid summation_method: {summation_method} summation_method should be "
                    "'trapezoidal', 'careful_interpolation', 'minoring', or 'majoring'."
                )
            return math_ops.reduce_sum(math_ops.multiply(x[: n - 1] - x[1:], heights), name=op_name)

        value = compute(values["tp"], values["fn"], values["tn"], values["fp"], "value")
        update_op = compute(updates["tp"], updates["fn"], updates["tn"], updates["fp"], "update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


# -- element-wise mean, per-class accuracy and IoU -------------------------------------------
def mean_tensor(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """The element-wise (weighted) mean of `values` over all batches seen, kept in
    variables `total_tensor` and `count_tensor` of `values`' shape: (mean, update_op)."""
    with variable_scope(name, "mean", (values, weights)):
        values = array_ops.cast(values, dtypes.float32)
        total = metric_variable(values.get_shape(), dtypes.float32, name="total_tensor")
        count = metric_variable(values.get_shape(), dtypes.float32, name="count_tensor")
        num_values = array_ops.ones_like(values)
        if weights is not None:
            values, _, weights = _remove_squeezable_dimensions(
                predictions=values, labels=None, weights=weights
            )
            weights = weights_broadcast_ops.broadcast_weights(
                array_ops.cast(weights, dtypes.float32), values
            )
            values = math_ops.multiply(values, weights)
            num_values = math_ops.multiply(num_values, weights)
        update_total_op = state_ops.assign_add(total, values)
        with get_default_graph().control_dependencies([values]):
            update_count_op = state_ops.assign_add(count, num_values)
        mean_t = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
        update_op = math_ops.div_no_nan(
            update_total_op, math_ops.maximum(update_count_op, 0), name="update_op"
        )
        return _finish(mean_t, update_op, metrics_collections, updates_collections)


def _flat(tensor):
    return array_ops.reshape(tensor, [-1]) if tensor.get_shape().ndims > 1 else tensor


def mean_per_class_accuracy(
    labels, predictions, num_classes, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """The mean over classes of each class's (weighted) accuracy, from variables
    `total` and `count` ([num_classes]) accumulated over all batches: (value, update_op)."""
    with variable_scope(name, "mean_accuracy", (predictions, labels, weights)):
        labels = _flat(array_ops.cast(labels, dtypes.int64))
        predictions = _flat(convert_to_tensor(predictions))
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        total = metric_variable([num_classes], dtypes.float32, name="total")
        count = metric_variable([num_classes], dtypes.float32, name="count")
        ones = array_ops.ones([array_ops.size(labels)], dtypes.float32)
        if labels.dtype != predictions.dtype:
            predictions = array_ops.cast(predictions, labels.dtype)
        is_correct = array_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
        if weights is not None:
            weights = array_ops.cast(_flat(convert_to_tensor(weights)), dtypes.float32)
            is_correct *= weights
            ones *= weights
        update_total_op = state_ops.scatter_add(total, labels, ones)
        update_count_op = state_ops.scatter_add(count, labels, is_correct)
        per_class = math_ops.div_no_nan(count, math_ops.maximum(total, 0))
        value = math_ops.reduce_mean(per_class, name="mean_accuracy")
        update_op = math_ops.div_no_nan(
            update_count_op, math_ops.maximum(update_total_op, 0), name="update_op"
        )
        return _finish(value, update_op, metrics_collections, updates_collections)


def _streaming_confusion_matrix(labels, predictions, num_classes, weights=None):
    """Variable `total_confusion_matrix` (float64 [num_classes, num_classes]) and the op
    adding a batch's (weighted) confusion matrix to it."""
    total_cm = metric_variable(
        [num_classes, num_classes], dtypes.float64, name="total_confusion_matrix"
    )
    predictions = _flat(array_ops.cast(predictions, dtypes.int64))
    labels = _flat(array_ops.cast(labels, dtypes.int64))
    num_classes = array_ops.cast(num_classes, dtypes.int64)
    if weights is not None and weights.get_shape().ndims > 1:
        weights = array_ops.reshape(weights, [-1])
    current_cm = confusion_matrix.confusion_matrix(
        labels, predictions, num_classes, weights=weights, dtype=dtypes.float64
    )
    return total_cm, state_ops.assign_add(total_cm, current_cm)


def mean_iou(
    labels, predictions, num_classes, weights=None, metrics_collections=None,
    updates_collections=None, name=None,
):  # fmt: skip
    """The mean over classes (those seen) of intersection-over-union, from the
    confusion matrix accumulated over all batches: (mean_iou, update_op); the update
    op returns the matrix."""
    with variable_scope(name, "mean_iou", (predictions, labels, weights)):
        labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        if weights is not None:
            weights = convert_to_tensor(weights)
        total_cm, update_op = _streaming_confusion_matrix(labels, predictions, num_classes, weights)
        sum_over_row = array_ops.cast(math_ops.reduce_sum(total_cm, 0), dtypes.float32)
        sum_over_col = array_ops.cast(math_ops.reduce_sum(total_cm, 1), dtypes.float32)
        cm_diag = array_ops.cast(linalg_ops.diag_part(total_cm), dtypes.float32)
        denominator = sum_over_row + sum_over_col - cm_diag
        num_valid_entries = math_ops.reduce_sum(
            array_ops.cast(math_ops.not_equal(denominator, 0), dtype=dtypes.float32)
        )
        denominator = array_ops.where(
            math_ops.greater(denominator, 0), denominator, array_ops.ones_like(denominator)
        )
        iou = math_ops.divide(cm_diag, denominator)
        value = array_ops.where(
            math_ops.greater(num_valid_entries, 0),
            math_ops.reduce_sum(iou, name="mean_iou") / num_valid_entries,
            0,
        )
        return _finish(value, update_op, metrics_collections, updates_collections)


# -- sensitivity and specificity -------------------------------------------------------------
def _at_operating_point(default_name, target_name, target, last_threshold, pick):
    """Shared body of sensitivity_at_specificity / specificity_at_sensitivity."""

    def build(labels, predictions, weights, num_thresholds, name):
        if target < 0 or target > 1:
            verb = "got" if target_name == "specificity" else "is"
            raise ValueError(
                f"`{target_name}` must be in the range [0, 1]. Currently, "
                f"`{target_name}` {verb} {target}."
            )
        with variable_scope(name, default_name, (predictions, labels, weights)):
            kepsilon = 1e-7
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds = [0.0 - kepsilon, *thresholds, last_threshold]
            values, updates = _confusion_matrix_at_thresholds(
                labels, predictions, thresholds, weights
            )
            value = pick(values["tp"], values["tn"], values["fp"], values["fn"], "value")
            update_op = pick(
                updates["tp"], updates["tn"], updates["fp"], updates["fn"], "update_op"
            )
            return value, update_op

    return build


def sensitivity_at_specificity(
    labels, predictions, specificity, weights=None, num_thresholds=200,
    metrics_collections=None, updates_collections=None, name=None,
):  # fmt: skip
    """The sensitivity at the threshold (of `num_thresholds`) whose specificity is
    nearest `specificity`, from counts over all batches: (sensitivity, update_op)."""
    kepsilon = 1e-7

    def pick(tp, tn, fp, fn, op_name):
        specificities = math_ops.divide(tn, tn + fp + kepsilon)
        index = math_ops.argmin(math_ops.abs(specificities - specificity), 0)
        index = array_ops.cast(index, dtypes.int32)
        return math_ops.divide(tp[index], tp[index] + fn[index] + kepsilon, op_name)

    build = _at_operating_point(
        "sensitivity_at_specificity", "specificity", specificity, 1.0 + kepsilon, pick
    )
    value, update_op = build(labels, predictions, weights, num_thresholds, name)
    return _finish(value, update_op, metrics_collections, updates_collections)


def specificity_at_sensitivity(
    labels, predictions, sensitivity, weights=None, num_thresholds=200,
    metrics_collections=None, updates_collections=None, name=None,
):  # fmt: skip
    """The specificity at the (last) threshold whose sensitivity is nearest
    `sensitivity`, from counts over all batches: (specificity, update_op)."""
    kepsilon = 1e-7

    def pick(tp, tn, fp, fn, op_name):
        sensitivities = math_ops.divide(tp, tp + fn + kepsilon)
        min_val = math_ops.reduce_min(math_ops.abs(sensitivities - sensitivity))
        at_min = math_ops.equal(math_ops.abs(sensitivities - sensitivity), min_val)
        at_min = math_ops.cumsum(array_ops.cast(at_min, dtypes.int64))
        index = array_ops.cast(math_ops.argmax(at_min, 0), dtypes.int32)
        return math_ops.divide(tn[index], tn[index] + fp[index] + kepsilon, op_name)

    build = _at_operating_point(
        "specificity_at_sensitivity", "sensitivity", sensitivity, 1.0 - kepsilon, pick
    )
    value, update_op = build(labels, predictions, weights, num_thresholds, name)
    return _finish(value, update_op, metrics_collections, updates_collections)
