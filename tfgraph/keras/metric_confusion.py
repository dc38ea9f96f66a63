"""Keras 2's confusion-matrix metrics in TF1 graph mode: counts at thresholds
(`TruePositives`, ...), `Precision`, `Recall`, `AUC`, the metrics at an operating
point (`SensitivityAtSpecificity`, ...) and the IoU family (a confusion matrix of
classes).

Predictions count as positive at a threshold when they are strictly greater than it;
the counts are weighted by `sample_weight` and accumulated in resource variables named
as Keras names them (`true_positives:0`, `accumulator:0`, `total_confusion_matrix:0`).
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.keras import backend, losses
from tfgraph.keras.metric_classes import Metric
from tfgraph.ops import array_ops, control_flow_ops, linalg_ops, math_ops, nn_ops

__all__ = [
    "AUC",
    "BinaryIoU",
    "FalseNegatives",
    "FalsePositives",
    "IoU",
    "MeanIoU",
    "OneHotIoU",
    "OneHotMeanIoU",
    "Precision",
    "PrecisionAtRecall",
    "Recall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "TrueNegatives",
    "TruePositives",
]

NEG_INF = -1e10
_KEYS = ("tp", "fp", "tn", "fn")


def _to_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _parse_thresholds(thresholds, default):
    if thresholds is not None:
        for t in _to_list(thresholds):
            if t is None or t < 0 or t > 1:
                raise ValueError(
                    f"Threshold values must be in [0, 1]. Received: {_to_list(thresholds)}"
                )
    return [float(t) for t in _to_list(default if thresholds is None else thresholds)]


def _filter_top_k(x, k):
    """`x` with all but the `k` largest values of the last axis set to -1e10."""
    _, top_idx = nn_ops.top_k(x, k, sorted=False)
    mask = math_ops.reduce_sum(
        array_ops.one_hot(top_idx, array_ops.shape(x)[-1], axis=-1, dtype=x.dtype), axis=-2
    )
    return x * mask + NEG_INF * (1 - mask)


def _prepare(y_true, y_pred, sample_weight, dtype, top_k, class_id):
    """Labels, predictions and weights cast, ranks matched, filtered (top_k, class_id)."""
    y_true = array_ops.cast(convert_to_tensor(y_true), dtype)
    y_pred = array_ops.cast(convert_to_tensor(y_pred), dtype)
    y_pred, y_true = losses._squeeze_or_expand(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = array_ops.cast(convert_to_tensor(sample_weight), dtype)
        sample_weight = losses._match_weight_rank(sample_weight, y_pred)
    if not y_pred.shape.is_compatible_with(y_true.shape):
        raise ValueError(f"Shapes {y_pred.shape} and {y_true.shape} are incompatible")
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = array_ops.expand_dims(y_true[..., class_id], -1)
        y_pred = array_ops.expand_dims(y_pred[..., class_id], -1)
    return y_true, y_pred, sample_weight


def update_confusion(variables, y_true, y_pred, thresholds, top_k=None, class_id=None,
                     sample_weight=None):  # fmt: skip
    """The op adding the batch's weighted counts at each threshold to `variables`
    (a dict with keys among 'tp', 'fp', 'tn', 'fn')."""
    dtype = next(iter(variables.values())).dtype.base_dtype
    y_true, y_pred, sample_weight = _prepare(y_true, y_pred, sample_weight, dtype, top_k, class_id)
    n = len(thresholds)
    thresh = array_ops.reshape(convert_to_tensor(thresholds, dtype=dtype), [n, 1])
    preds = array_ops.reshape(y_pred, [1, -1])
    pred_pos = math_ops.greater(preds, thresh)  # [thresholds, predictions]
    label_pos = array_ops.reshape(array_ops.cast(y_true, dtypes.bool), [1, -1])
    weights = None
    if sample_weight is not None:
        weights = array_ops.reshape(sample_weight * array_ops.ones_like(y_pred), [1, -1])
    pred_neg, label_neg = math_ops.logical_not(pred_pos), math_ops.logical_not(label_pos)
    conditions = {
        "tp": (label_pos, pred_pos),
        "fn": (label_pos, pred_neg),
        "fp": (label_neg, pred_pos),
        "tn": (label_neg, pred_neg),
    }
    updates = []
    for key in ("tp", "fn", "fp", "tn"):
        if key not in variables:
            continue
        label, pred = conditions[key]
        both = array_ops.cast(math_ops.logical_and(label, pred), dtype)
        if weights is not None:
            both = both * weights
        updates.append(variables[key].assign_add(math_ops.reduce_sum(both, 1)))
    return control_flow_ops.group(*updates)


class _ConditionCount(Metric):
    """The weighted count of one confusion-matrix cell at each threshold."""

    _key = "tp"

    def __init__(self, thresholds=None, name=None, dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return update_confusion(
            {self._key: self.accumulator}, y_true, y_pred, self.thresholds,
            sample_weight=sample_weight,
        )  # fmt: skip

    def result(self):
        value = self.accumulator.read_value()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The weighted number of true positives (at each threshold)."""

    _key = "tp"

    def __init__(self, thresholds=None, name=None, dtype=None) -> None:
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class FalsePositives(_ConditionCount):
    """The weighted number of false positives (at each threshold)."""

    _key = "fp"

    def __init__(self, thresholds=None, name=None, dtype=None) -> None:
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class TrueNegatives(_ConditionCount):
    """The weighted number of true negatives (at each threshold)."""

    _key = "tn"

    def __init__(self, thresholds=None, name=None, dtype=None) -> None:
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class FalseNegatives(_ConditionCount):
    """The weighted number of false negatives (at each threshold)."""

    _key = "fn"

    def __init__(self, thresholds=None, name=None, dtype=None) -> None:
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class _PrecisionRecall(Metric):
    _other = "fp"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _parse_thresholds(thresholds, default)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        other = "false_positives" if self._other == "fp" else "false_negatives"
        setattr(self, other, self.add_weight(other, shape=(n,)))
        self._other_variable = getattr(self, other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        return update_confusion(
            {"tp": self.true_positives, self._other: self._other_variable},
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self):
        tp = self.true_positives.read_value()
        value = math_ops.div_no_nan(tp, tp + self._other_variable.read_value())
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        config = {"thresholds": self.init_thresholds, "top_k": self.top_k}
        return {**super().get_config(), **config, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at each threshold (of the top-k, of one class)."""

    _other = "fp"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at each threshold (of the top-k, of one class)."""

    _other = "fn"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)


def _four_counts(metric, n: int) -> None:
    metric.true_positives = metric.add_weight("true_positives", shape=(n,))
    metric.true_negatives = metric.add_weight("true_negatives", shape=(n,))
    metric.false_positives = metric.add_weight("false_positives", shape=(n,))
    metric.false_negatives = metric.add_weight("false_negatives", shape=(n,))


def _counts_dict(metric) -> dict:
    return {
        "tp": metric.true_positives,
        "tn": metric.true_negatives,
        "fp": metric.false_positives,
        "fn": metric.false_negatives,
    }


def _evenly_clipped(y_pred):
    """Predictions clipped to [0, 1], as Keras' bucketed counting at evenly spaced
    thresholds sees them."""
    return math_ops.minimum(math_ops.maximum(y_pred, 0.0), 1.0)


class _AtOperatingPoint(Metric):
    """The four counts at `num_thresholds` evenly spaced thresholds in [0, 1]; the
    result is the best `_DEPENDENT` rate where the `_CONSTRAINED` rate reaches the
    value given as the subclass's argument `_ARG`."""

    _ARG = _CONSTRAINED = _DEPENDENT = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(
                f"Argument `{self._ARG}` must be in the range [0, 1]. Received: {self._ARG}={value}"
            )
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        self.num_thresholds = num_thresholds
        _four_counts(self, num_thresholds)
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0, *inner, 1.0]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.num_thresholds > 1:
            y_pred = _evenly_clipped(array_ops.cast(convert_to_tensor(y_pred), self._dtype))
        return update_confusion(
            _counts_dict(self), y_true, y_pred, self.thresholds, class_id=self.class_id,
            sample_weight=sample_weight,
        )  # fmt: skip

    def _rates(self):
        tp, tn = self.true_positives.read_value(), self.true_negatives.read_value()
        fp, fn = self.false_positives.read_value(), self.false_negatives.read_value()
        return {
            "sensitivity": math_ops.div_no_nan(tp, tp + fn),
            "specificity": math_ops.div_no_nan(tn, tn + fp),
            "precision": math_ops.div_no_nan(tp, tp + fp),
        }

    def result(self):
        rates = self._rates()
        constrained, dependent = rates[self._CONSTRAINED], rates[self._DEPENDENT]
        feasible = math_ops.greater_equal(constrained, self.value)
        masked = array_ops.where(feasible, dependent, array_ops.zeros_like(dependent) - 1.0)
        best = math_ops.reduce_max(masked)
        return math_ops.maximum(best, 0.0)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._ARG: self.value,
        }


class SensitivityAtSpecificity(_AtOperatingPoint):
    """The best sensitivity where the specificity is at least `specificity`."""

    _ARG, _CONSTRAINED, _DEPENDENT = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name=name, dtype=dtype)
        self.specificity = specificity


class SpecificityAtSensitivity(_AtOperatingPoint):
    """The best specificity where the sensitivity is at least `sensitivity`."""

    _ARG, _CONSTRAINED, _DEPENDENT = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name=name, dtype=dtype)
        self.sensitivity = sensitivity


class PrecisionAtRecall(_AtOperatingPoint):
    """The best precision where the recall is at least `recall`."""

    _ARG, _CONSTRAINED, _DEPENDENT = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name=name, dtype=dtype)
        self.recall = recall


class RecallAtPrecision(_AtOperatingPoint):
    """The best recall where the precision is at least `precision`."""

    _ARG, _CONSTRAINED, _DEPENDENT = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name=name, dtype=dtype)
        self.precision = precision


_CURVES = {
    "pr": "PR", "PR": "PR", "roc": "ROC", "ROC": "ROC",
    "pr_gain": "PR_GAIN", "prgain": "PR_GAIN", "PR_GAIN": "PR_GAIN", "PRGAIN": "PR_GAIN",
}  # fmt: skip
_SUMMATIONS = {
    "interpolation": "interpolation", "Interpolation": "interpolation",
    "majoring": "majoring", "Majoring": "majoring",
    "minoring": "minoring", "Minoring": "minoring",
}  # fmt: skip


def _parse_curve(curve) -> str:
    if curve not in _CURVES:
        raise ValueError(
            f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PR_GAIN"]'
        )
    return _CURVES[curve]


def _parse_summation(method) -> str:
    if method not in _SUMMATIONS:
        raise ValueError(
            f'Invalid AUC summation method value: "{method}". '
            'Expected values are ["interpolation", "majoring", "minoring"]'
        )
    return _SUMMATIONS[method]


def _auc_thresholds(num_thresholds, thresholds):
    eps = backend.epsilon()
    if thresholds is not None:
        inner = sorted(float(t) for t in thresholds)
        return len(inner) + 2, [0.0 - eps, *inner, 1.0 + eps]
    if num_thresholds <= 1:
        raise ValueError(
            "Argument `num_thresholds` must be an integer > 1. "
            f"Received: num_thresholds={num_thresholds}"
        )
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return num_thresholds, [0.0 - eps, *inner, 1.0 + eps]


def _interpolate_pr_auc(tp, fp, fn, n: int):
    """The PR AUC's terms with precision interpolated between thresholds (Davis &
    Goadrich): one per pair of successive thresholds (and label)."""
    dtp = tp[: n - 1] - tp[1:]
    p = tp + fp
    dp = p[: n - 1] - p[1:]
    slope = math_ops.div_no_nan(dtp, math_ops.maximum(dp, 0.0))
    intercept = tp[1:] - slope * p[1:]
    both = math_ops.logical_and(math_ops.greater(p[: n - 1], 0.0), math_ops.greater(p[1:], 0.0))
    ratio = array_ops.where(
        both,
        math_ops.div_no_nan(p[: n - 1], math_ops.maximum(p[1:], 0.0)),
        array_ops.ones_like(p[1:]),
    )
    return math_ops.div_no_nan(
        slope * (dtp + intercept * math_ops.log(ratio)), math_ops.maximum(tp[1:] + fn[1:], 0.0)
    )


class AUC(Metric):
    """The area under the ROC, PR or PR-gain curve, a Riemann sum over the counts at
    `num_thresholds` thresholds (or the given `thresholds` plus -eps and 1 + eps); with
    `multi_label` one area per label (the last axis), averaged (by `label_weights`)."""

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ) -> None:
        self.curve = _parse_curve(curve)
        self.summation_method = _parse_summation(summation_method)
        self._init_from_thresholds = thresholds is not None
        self.num_thresholds, self._thresholds = _auc_thresholds(num_thresholds, thresholds)
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self._label_weights_value = None if label_weights is None else list(label_weights)
        self.label_weights = None
        if label_weights is not None:
            if min(list(label_weights)) < 0:
                from tfgraph.errors import InvalidArgumentError

                raise InvalidArgumentError(
                    None, None, "All values of `label_weights` must be non-negative."
                )
            self.label_weights = convert_to_tensor(label_weights, dtype=self._dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build(num_labels)
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    def _build(self, num_labels) -> None:
        n = self.num_thresholds
        shape = (n,) if num_labels is None else (n, int(num_labels))
        for attr in ("true_positives", "true_negatives", "false_positives", "false_negatives"):
            setattr(self, attr, self.add_weight(attr, shape=shape))
        self._num_labels = num_labels
        self._built = True

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = array_ops.cast(convert_to_tensor(y_pred), self._dtype)
        if not self._built:
            if y_pred.shape.ndims != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{y_pred.shape.ndims}. Full shape received for `y_pred`: {y_pred.shape}"
                )
            self._build(y_pred.shape[1])
        if self._from_logits:
            y_pred = math_ops.sigmoid(y_pred)
        if not self._init_from_thresholds:  # (bucketed counting clips to [0, 1])
            y_pred = _evenly_clipped(y_pred)
        if sample_weight is not None:
            sample_weight = array_ops.cast(convert_to_tensor(sample_weight), self._dtype)
        if self.multi_label:
            return _update_by_label(_counts_dict(self), y_true, y_pred, self._thresholds,
                                    sample_weight)  # fmt: skip
        if self.label_weights is not None:
            weights = array_ops.ones_like(y_pred) * self.label_weights
            if sample_weight is not None:
                weights = weights * losses._match_weight_rank(sample_weight, y_pred)
            sample_weight = weights
        return update_confusion(
            _counts_dict(self), y_true, y_pred, self._thresholds, sample_weight=sample_weight
        )

    def _reduce(self, terms):
        if not self.multi_label:
            return math_ops.reduce_sum(terms)
        by_label = math_ops.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return math_ops.reduce_mean(by_label)
        return math_ops.div_no_nan(
            math_ops.reduce_sum(by_label * self.label_weights),
            math_ops.reduce_sum(self.label_weights),
        )

    def result(self):
        n = self.num_thresholds
        tp, tn = self.true_positives.read_value(), self.true_negatives.read_value()
        fp, fn = self.false_positives.read_value(), self.false_negatives.read_value()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._reduce(_interpolate_pr_auc(tp, fp, fn, n))
        x, y = _curve(self.curve, tp, tn, fp, fn)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = math_ops.minimum(y[: n - 1], y[1:])
        else:
            heights = math_ops.maximum(y[: n - 1], y[1:])
        return self._reduce(math_ops.multiply(x[: n - 1] - x[1:], heights))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self._label_weights_value,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}


def _curve(curve, tp, tn, fp, fn):
    """The curve's (x, y) points at the thresholds."""
    recall = math_ops.div_no_nan(tp, tp + fn)
    if curve == "ROC":
        return math_ops.div_no_nan(fp, fp + tn), recall
    if curve == "PR":
        return recall, math_ops.div_no_nan(tp, tp + fp)
    scaling = math_ops.div_no_nan(tp + fn, fp + tn)
    recall_gain = 1.0 - scaling * math_ops.div_no_nan(fn, tp)
    precision_gain = 1.0 - scaling * math_ops.div_no_nan(fp, tp)
    no_tp = math_ops.equal(tp, 0.0)
    recall_gain = array_ops.where(no_tp, array_ops.zeros_like(recall_gain), recall_gain)
    precision_gain = array_ops.where(no_tp, array_ops.ones_like(precision_gain), precision_gain)
    return math_ops.maximum(recall_gain, 0.0), precision_gain


def _update_by_label(variables, y_true, y_pred, thresholds, sample_weight):
    """The op adding the batch's weighted counts per threshold and label (the last
    axis of the [batch, labels] inputs) to the [thresholds, labels] `variables`."""
    dtype = next(iter(variables.values())).dtype.base_dtype
    y_true, y_pred, sample_weight = _prepare(y_true, y_pred, sample_weight, dtype, None, None)
    n = len(thresholds)
    thresh = array_ops.reshape(convert_to_tensor(thresholds, dtype=dtype), [n, 1, 1])
    pred_pos = math_ops.greater(array_ops.expand_dims(y_pred, 0), thresh)  # [T, N, L]
    label_pos = array_ops.expand_dims(array_ops.cast(y_true, dtypes.bool), 0)
    weights = None
    if sample_weight is not None:
        weights = array_ops.expand_dims(sample_weight * array_ops.ones_like(y_pred), 0)
    pred_neg, label_neg = math_ops.logical_not(pred_pos), math_ops.logical_not(label_pos)
    conditions = {
        "tp": (label_pos, pred_pos),
        "fn": (label_pos, pred_neg),
        "fp": (label_neg, pred_pos),
        "tn": (label_neg, pred_neg),
    }
    updates = []
    for key, variable in variables.items():
        label, pred = conditions[key]
        both = array_ops.cast(math_ops.logical_and(label, pred), dtype)
        if weights is not None:
            both = both * weights
        updates.append(variable.assign_add(math_ops.reduce_sum(both, 1)))
    return control_flow_ops.group(*updates)


class _IoUBase(Metric):
    """A [num_classes, num_classes] confusion matrix `total_confusion_matrix` of
    (label, prediction) pairs weighted by `sample_weight`."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):  # fmt: skip
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight(
            "total_confusion_matrix", shape=(num_classes, num_classes), initializer="zeros"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        from tfgraph.ops.confusion_matrix import confusion_matrix

        y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = math_ops.argmax(y_true, self.axis)
        if not self.sparse_y_pred:
            y_pred = math_ops.argmax(y_pred, self.axis)
        y_true = array_ops.reshape(array_ops.cast(y_true, self._dtype), [-1])
        y_pred = array_ops.reshape(self._predicted_class(y_pred), [-1])
        if sample_weight is not None:
            sample_weight = array_ops.cast(convert_to_tensor(sample_weight), self._dtype)
            if sample_weight.shape.ndims is None or sample_weight.shape.ndims > 1:
                sample_weight = array_ops.reshape(sample_weight, [-1])
        if self.ignore_class is not None:
            valid = math_ops.not_equal(y_true, array_ops.cast(self.ignore_class, y_true.dtype))
            y_true = array_ops.boolean_mask(y_true, valid)
            y_pred = array_ops.boolean_mask(y_pred, valid)
            if sample_weight is not None:
                sample_weight = array_ops.boolean_mask(sample_weight, valid)
        current = confusion_matrix(
            array_ops.cast(y_true, dtypes.int64),
            array_ops.cast(y_pred, dtypes.int64),
            self.num_classes,
            weights=sample_weight,
            dtype=self._dtype,
        )
        return self.total_cm.assign_add(current)

    def _predicted_class(self, y_pred):
        return array_ops.cast(y_pred, self._dtype)

    def _iou(self, target_class_ids):
        cm = self.total_cm.read_value()
        sum_over_row = math_ops.reduce_sum(cm, axis=0)
        sum_over_col = math_ops.reduce_sum(cm, axis=1)
        true_positives = linalg_ops.diag_part(cm)
        denominator = sum_over_row + sum_over_col - true_positives
        true_positives = array_ops.gather(true_positives, target_class_ids)
        denominator = array_ops.gather(denominator, target_class_ids)
        num_valid = math_ops.reduce_sum(
            array_ops.cast(math_ops.not_equal(denominator, 0.0), self._dtype)
        )
        iou = math_ops.div_no_nan(true_positives, denominator)
        return math_ops.div_no_nan(math_ops.reduce_sum(iou, name="mean_iou"), num_valid)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


def _check_targets(target_class_ids, num_classes) -> list:
    if max(target_class_ids) >= num_classes:
        raise ValueError(
            f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes})."
        )
    return list(target_class_ids)


class IoU(_IoUBase):
    """The mean intersection-over-union of the classes `target_class_ids`."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):  # fmt: skip
        super().__init__(num_classes, name, dtype, ignore_class, sparse_y_true,
                         sparse_y_pred, axis)  # fmt: skip
        self.target_class_ids = _check_targets(target_class_ids, num_classes)

    def result(self):
        return self._iou(self.target_class_ids)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class BinaryIoU(IoU):
    """IoU of two classes, predictions >= `threshold` being class 1."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def _predicted_class(self, y_pred):
        y_pred = array_ops.cast(y_pred, self._dtype)
        return array_ops.cast(math_ops.greater_equal(y_pred, self.threshold), self._dtype)

    def get_config(self) -> dict:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(_IoUBase):
    """The mean intersection-over-union over all `num_classes` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):  # fmt: skip
        super().__init__(num_classes, name, dtype, ignore_class, sparse_y_true,
                         sparse_y_pred, axis)  # fmt: skip

    def result(self):
        return self._iou(list(range(self.num_classes)))


class OneHotIoU(IoU):
    """IoU of `target_class_ids` with one-hot labels (and predictions scored per class)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):  # fmt: skip
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)  # fmt: skip

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotMeanIoU(MeanIoU):
    """The mean IoU of all classes with one-hot labels (and per-class predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):  # fmt: skip
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)  # fmt: skip

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
