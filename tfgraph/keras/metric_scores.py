"""Keras 2's `FBetaScore`, `F1Score` and `R2Score` in TF1 graph mode.

Their variables are made by the first update, from the shape of the (batch, classes)
inputs. Unlike tf_keras in graph mode, whose `update_state` op runs only the last of
the variable updates (so their results never move there), the op returned here runs
all of them.
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.keras.metric_classes import Metric
from tfgraph.ops import array_ops, control_flow_ops, math_ops

__all__ = ["F1Score", "FBetaScore", "R2Score"]


def _check_2d(name, y_true_shape, y_pred_shape) -> None:
    if y_pred_shape.ndims != 2 or y_true_shape.ndims != 2:
        raise ValueError(
            f"{name} expects 2D inputs with shape (batch_size, output_dim). Received input "
            f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
        )
    if y_pred_shape[-1] is None or y_true_shape[-1] is None:
        raise ValueError(
            f"{name} expects 2D inputs with shape (batch_size, output_dim), with "
            "output_dim fully defined (not None). Received input shapes: "
            f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
        )


def _check_fbeta(average, beta, threshold) -> None:
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(
            "Invalid `average` argument value. Expected one of: "
            f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}"
        )
    if not isinstance(beta, float):
        raise ValueError(
            "Invalid `beta` argument value. It should be a Python float. "
            f"Received: beta={beta} of type '{type(beta)}'"
        )
    if beta <= 0.0:
        raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
    if threshold is not None:
        if not isinstance(threshold, float):
            raise ValueError(
                "Invalid `threshold` argument value. It should be a Python float. "
                f"Received: threshold={threshold} of type '{type(threshold)}'"
            )
        if threshold > 1.0 or threshold <= 0.0:
            raise ValueError(
                "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                f"Received: threshold={threshold}"
            )


class FBetaScore(Metric):
    """The F-beta score per class (`average=None`) or averaged ('micro', 'macro',
    'weighted'); predictions are positive above `threshold`, or where they are the
    row's maximum when it is None."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        _check_fbeta(average, beta, threshold)
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self.built = False

    def build(self, y_true_shape, y_pred_shape) -> None:  # type: ignore[override]
        _check_2d("FBetaScore", y_true_shape, y_pred_shape)
        shape = [] if self.average == "micro" else [int(y_pred_shape[-1])]
        self.true_positives = self.add_weight("true_positives", shape=shape)
        self.false_positives = self.add_weight("false_positives", shape=shape)
        self.false_negatives = self.add_weight("false_negatives", shape=shape)
        self.intermediate_weights = self.add_weight("intermediate_weights", shape=shape)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array_ops.cast(convert_to_tensor(y_true), self._dtype)
        y_pred = array_ops.cast(convert_to_tensor(y_pred), self._dtype)
        if not self.built:
            self.build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = math_ops.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = math_ops.logical_and(
                math_ops.greater_equal(y_pred, top), math_ops.greater(math_ops.abs(y_pred), 1e-9)
            )
        else:
            y_pred = math_ops.greater(y_pred, self.threshold)
        y_pred = array_ops.cast(y_pred, self._dtype)
        if sample_weight is not None:
            sample_weight = array_ops.cast(convert_to_tensor(sample_weight), self._dtype)
            sample_weight = array_ops.expand_dims(sample_weight, 1)

        def weighted_sum(value):
            if sample_weight is not None:
                value = math_ops.multiply(value, sample_weight)
            return math_ops.reduce_sum(value, axis=self.axis)

        return control_flow_ops.group(
            self.true_positives.assign_add(weighted_sum(y_pred * y_true)),
            self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true))),
            self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true)),
            self.intermediate_weights.assign_add(weighted_sum(y_true)),
        )

    def result(self):
        tp = self.true_positives.read_value()
        precision = math_ops.div_no_nan(tp, tp + self.false_positives.read_value())
        recall = math_ops.div_no_nan(tp, tp + self.false_negatives.read_value())
        beta_sq = self.beta * self.beta
        score = math_ops.div_no_nan(precision * recall, beta_sq * precision + recall)
        score = score * (1 + beta_sq)
        if self.average == "weighted":
            weights = self.intermediate_weights.read_value()
            weights = math_ops.div_no_nan(weights, math_ops.reduce_sum(weights))
            return math_ops.reduce_sum(score * weights)
        if self.average is not None:
            return math_ops.reduce_mean(score)
        return score

    def reset_state(self) -> None:
        if self.built:
            super().reset_state()

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta": self.beta,
            "average": self.average,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score (F-beta with beta 1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """The coefficient of determination per output, averaged ('uniform_average'),
    weighted by the outputs' variance ('variance_weighted_average') or not (None);
    adjusted for `num_regressors` when that is possible."""

    def __init__(
        self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{valid}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight("num_samples", dtype="int32")
        self.built = False

    def build(self, y_true_shape, y_pred_shape) -> None:  # type: ignore[override]
        _check_2d("R2Score", y_true_shape, y_pred_shape)
        shape = [int(y_pred_shape[-1])]
        self.squared_sum = self.add_weight("squared_sum", shape=shape)
        self.sum = self.add_weight("sum", shape=shape)
        self.total_mse = self.add_weight("residual", shape=shape)
        self.count = self.add_weight("count", shape=shape)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array_ops.cast(convert_to_tensor(y_true), self._dtype)
        y_pred = array_ops.cast(convert_to_tensor(y_pred), self._dtype)
        if not self.built:
            self.build(y_true.shape, y_pred.shape)
        weight = array_ops.cast(convert_to_tensor(1 if sample_weight is None else sample_weight),
                                self._dtype)  # fmt: skip
        if weight.shape.ndims == 1:
            weight = array_ops.expand_dims(weight, axis=1)
        weight = weight * array_ops.ones_like(y_true)
        weighted = y_true * weight
        return control_flow_ops.group(
            self.sum.assign_add(math_ops.reduce_sum(weighted, axis=0)),
            self.squared_sum.assign_add(math_ops.reduce_sum(y_true * weighted, axis=0)),
            self.total_mse.assign_add(
                math_ops.reduce_sum(math_ops.square(y_true - y_pred) * weight, axis=0)
            ),
            self.count.assign_add(math_ops.reduce_sum(weight, axis=0)),
            self.num_samples.assign_add(array_ops.size(y_true, out_type=dtypes.int32)),
        )

    def result(self):
        total_sum, count = self.sum.read_value(), self.count.read_value()
        mean = total_sum / count
        total = self.squared_sum.read_value() - total_sum * mean
        raw = 1 - self.total_mse.read_value() / total
        raw = array_ops.where(math_ops.is_inf(raw), array_ops.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = math_ops.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = math_ops.reduce_sum(total * raw) / math_ops.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        n = array_ops.cast(self.num_samples.read_value(), dtypes.float32)
        p = float(self.num_regressors)
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        usable = math_ops.less(p, n - 1.0)  # (else the standard score, as Keras warns)
        return array_ops.where_v2(usable, adjusted, score)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
