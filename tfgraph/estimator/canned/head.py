"""The v1 heads of TF 1.15's canned estimators: binary logistic (sigmoid cross-entropy),
multi-class (softmax cross-entropy) and regression (mean squared error). A head turns
logits into predictions, a loss (reduced with `loss_reduction`, SUM by default in v1),
eval metrics, export outputs and the train op."""

from __future__ import annotations

from tfgraph.estimator.export.export_output import (
    ClassificationOutput,
    PredictOutput,
    RegressionOutput,
)
from tfgraph.estimator.mode_keys import ModeKeys
from tfgraph.estimator.model_fn import EstimatorSpec

_DEFAULT_SERVING_KEY = "serving_default"
_CLASSIFY_SERVING_KEY = "classification"
_REGRESS_SERVING_KEY = "regression"
_PREDICT_SERVING_KEY = "predict"


class MetricKeys:
    LOSS = "loss"
    LOSS_MEAN = "average_loss"
    LOSS_REGULARIZATION = "regularization_loss"
    ACCURACY = "accuracy"
    PRECISION = "precision"
    RECALL = "recall"
    ACCURACY_BASELINE = "accuracy_baseline"
    AUC = "auc"
    AUC_PR = "auc_precision_recall"
    LABEL_MEAN = "label/mean"
    PREDICTION_MEAN = "prediction/mean"


class PredictionKeys:
    CLASSES = "classes"
    CLASS_IDS = "class_ids"
    ALL_CLASSES = "all_classes"
    ALL_CLASS_IDS = "all_class_ids"
    LOGISTIC = "logistic"
    LOGITS = "logits"
    PREDICTIONS = "predictions"
    PROBABILITIES = "probabilities"


def _tf():
    import tfgraph as tf

    return tf


def _weights(features, weight_column, logits):
    tf = _tf()
    if weight_column is None:
        return 1.0
    if isinstance(weight_column, str):
        weights = features[weight_column]
    else:
        weights = features[weight_column.key]
        if getattr(weight_column, "normalizer_fn", None) is not None:
            weights = weight_column.normalizer_fn(weights)
    weights = tf.cast(weights, tf.float32)
    if weights.shape.ndims == 1:
        weights = tf.expand_dims(weights, -1)
    return weights


def _labels_2d(labels, dimension):
    tf = _tf()
    if labels is None:
        raise ValueError(
            "You must provide a labels Tensor. Given: None. Suggested troubleshooting "
            "steps: Check that your data contain your label feature. Check that your input "
            "function properly parses and returns labels."
        )
    labels = tf.convert_to_tensor(labels)
    if labels.shape.ndims == 1:
        labels = tf.expand_dims(labels, -1)
    if labels.shape.ndims is not None and labels.shape[-1] is not None:
        if labels.shape[-1] != dimension:
            raise ValueError(
                f"Mismatched label shape. Expected labels dimension={dimension}.  Received "
                f"{labels.shape[-1]}"
            )
    return labels


def _all_classes(logits, n_classes, label_vocabulary):
    tf = _tf()
    if label_vocabulary:
        class_list = tf.constant(list(label_vocabulary))
    else:
        class_list = tf.as_string(tf.range(n_classes))
    batch_size = tf.shape(logits)[0]
    return tf.tile(tf.expand_dims(class_list, 0), [batch_size, 1])


def _all_class_ids(logits, n_classes):
    tf = _tf()
    batch_size = tf.shape(logits)[0]
    return tf.tile(tf.expand_dims(tf.range(n_classes), 0), [batch_size, 1])


def _mean_of(values, weights, name):
    tf = _tf()
    with tf.name_scope(name) as scope:
        values = tf.cast(values, tf.float32)
        w = None if isinstance(weights, float) else tf.broadcast_to(weights, tf.shape(values))
        return tf.metrics.mean(values, weights=w, name=scope)


class _Head:
    """The common part: the TRAIN/EVAL/PREDICT spec around a head's predictions,
    loss and metrics."""

    def __init__(self, weight_column, label_vocabulary, loss_reduction, name=None):
        tf = _tf()
        if loss_reduction not in (
            tf.losses.Reduction.SUM,
            tf.losses.Reduction.SUM_OVER_BATCH_SIZE,
            tf.losses.Reduction.MEAN,
            tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS,
        ):
            raise ValueError(f"Invalid loss_reduction: {loss_reduction}")
        self._weight_column = weight_column
        self._label_vocabulary = label_vocabulary
        self._loss_reduction = loss_reduction
        self._name = name

    @property
    def name(self):
        return self._name

    def create_estimator_spec(
        self, features, mode, logits, labels=None, optimizer=None, train_op_fn=None
    ):
        """The EstimatorSpec of `mode`; in TRAIN the train op minimizes the loss with
        `optimizer` (incrementing the global step) or is `train_op_fn(loss)`."""
        tf = _tf()
        with tf.name_scope(self._name, "head"):
            logits = tf.convert_to_tensor(logits)
            predictions, extra = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(
                    mode, predictions=predictions, export_outputs=self._export_outputs(extra)
                )
            weights = _weights(features, self._weight_column, logits)
            unreduced, processed = self._unreduced_loss(labels, logits)
            training_loss = tf.losses.compute_weighted_loss(
                unreduced, weights=weights, reduction=self._loss_reduction
            )
            if mode == ModeKeys.EVAL:
                with tf.name_scope("metrics"):
                    metrics = self._eval_metric_ops(processed, extra, weights, unreduced)
                return EstimatorSpec(
                    mode, predictions=predictions, loss=training_loss, eval_metric_ops=metrics
                )
            if optimizer is not None:
                if train_op_fn is not None:
                    raise ValueError("train_op_fn and optimizer cannot both be set.")
                train_op = optimizer.minimize(training_loss, global_step=tf.train.get_global_step())
            elif train_op_fn is not None:
                train_op = train_op_fn(training_loss)
            else:
                raise ValueError("train_op_fn and optimizer cannot both be None.")
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            if update_ops:
                train_op = tf.group(train_op, *update_ops)
            mean_loss = None
            if self._loss_reduction == tf.losses.Reduction.SUM:
                mean_loss = training_loss / tf.reduce_sum(weights * tf.ones_like(unreduced))
        with tf.name_scope(""):
            tf.summary.scalar(MetricKeys.LOSS, training_loss)
            if mean_loss is not None:
                tf.summary.scalar(MetricKeys.LOSS_MEAN, mean_loss)
        return EstimatorSpec(mode, predictions=predictions, loss=training_loss, train_op=train_op)


class _ClassificationHead(_Head):
    def __init__(self, n_classes, weight_column, label_vocabulary, loss_reduction, name=None):
        super().__init__(weight_column, label_vocabulary, loss_reduction, name)
        if n_classes is None or n_classes <= 1:
            raise ValueError(f"n_classes must be > 1: {n_classes}")
        if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
            raise ValueError(
                f"label_vocabulary should be a list or a tuple. Given type: "
                f"{type(label_vocabulary)}"
            )
        self._n_classes = n_classes

    def _label_ids(self, labels):
        tf = _tf()
        if self._label_vocabulary is None:
            if not labels.dtype.is_integer and self._n_classes > 2:
                raise ValueError(f"Labels dtype should be integer. Instead got {labels.dtype}.")
            return labels
        if labels.dtype != tf.string:
            raise ValueError(
                "Labels dtype should be string if there is a vocabulary. Instead got "
                f"{labels.dtype}"
            )
        table = tf.contrib.lookup.index_table_from_tensor(
            tuple(self._label_vocabulary), name="class_id_lookup"
        )
        return table.lookup(labels)

    def _classes(self, class_ids):
        tf = _tf()
        if self._label_vocabulary:
            table = tf.contrib.lookup.index_to_string_table_from_tensor(
                list(self._label_vocabulary), name="class_string_lookup"
            )
            return table.lookup(class_ids)
        return tf.as_string(class_ids, name="str_classes")

    def _export_outputs(self, extra):
        logits, probabilities, predictions = extra["logits"], extra["probs"], extra["all"]
        classes = _all_classes(logits, self._n_classes, self._label_vocabulary)
        classifier = ClassificationOutput(scores=probabilities, classes=classes)
        outputs = {_DEFAULT_SERVING_KEY: classifier, _CLASSIFY_SERVING_KEY: classifier}
        if "logistic" in extra:
            outputs[_REGRESS_SERVING_KEY] = RegressionOutput(value=extra["logistic"])
        outputs[_PREDICT_SERVING_KEY] = PredictOutput(predictions)
        return outputs


class _BinaryLogisticHead(_ClassificationHead):
    """n_classes == 2: one logit; sigmoid cross-entropy."""

    def __init__(self, weight_column=None, label_vocabulary=None, loss_reduction="weighted_sum"):
        super().__init__(2, weight_column, label_vocabulary, loss_reduction)

    logits_dimension = 1

    def _predictions(self, logits):
        tf = _tf()
        k = PredictionKeys
        with tf.name_scope("predictions"):
            logistic = tf.sigmoid(logits, name=k.LOGISTIC)
            two_class_logits = tf.concat(
                (tf.zeros_like(logits), logits), axis=-1, name="two_class_logits"
            )
            probabilities = tf.nn.softmax(two_class_logits, name=k.PROBABILITIES)
            class_ids = tf.expand_dims(tf.argmax(two_class_logits, axis=-1, name=k.CLASS_IDS), -1)
            predictions = {
                k.LOGITS: logits,
                k.LOGISTIC: logistic,
                k.PROBABILITIES: probabilities,
                k.CLASS_IDS: class_ids,
                k.CLASSES: self._classes(class_ids),
                k.ALL_CLASS_IDS: _all_class_ids(logits, 2),
                k.ALL_CLASSES: _all_classes(logits, 2, self._label_vocabulary),
            }
        extra = {
            "logits": logits,
            "probs": probabilities,
            "logistic": logistic,
            "class_ids": class_ids,
            "all": predictions,
        }
        return predictions, extra

    def _unreduced_loss(self, labels, logits):
        tf = _tf()
        labels = self._label_ids(_labels_2d(labels, 1))
        labels = tf.cast(labels, tf.float32)
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), labels

    def _eval_metric_ops(self, labels, extra, weights, unreduced):
        tf = _tf()
        keys = MetricKeys
        w = None if isinstance(weights, float) else weights
        labels_mean = _mean_of(labels, weights, keys.LABEL_MEAN)
        with tf.name_scope("accuracy_baseline"):
            value, update = labels_mean
            baseline = (
                tf.maximum(value, 1.0 - value, name="value"),
                tf.maximum(update, 1 - update, name="update_op"),
            )
        logistic = extra["logistic"]
        return {
            keys.LOSS_MEAN: tf.metrics.mean(unreduced, weights=w, name=keys.LOSS_MEAN),
            keys.ACCURACY: tf.metrics.accuracy(
                labels, extra["class_ids"], weights=w, name=keys.ACCURACY
            ),
            keys.PRECISION: tf.metrics.precision(
                labels, extra["class_ids"], weights=w, name=keys.PRECISION
            ),
            keys.RECALL: tf.metrics.recall(labels, extra["class_ids"], weights=w, name=keys.RECALL),
            keys.PREDICTION_MEAN: _mean_of(logistic, weights, keys.PREDICTION_MEAN),
            keys.LABEL_MEAN: labels_mean,
            keys.ACCURACY_BASELINE: baseline,
            keys.AUC: tf.metrics.auc(labels, logistic, weights=w, name=keys.AUC),
            keys.AUC_PR: tf.metrics.auc(labels, logistic, weights=w, curve="PR", name=keys.AUC_PR),
        }


class _MultiClassHead(_ClassificationHead):
    """n_classes > 2: n_classes logits; softmax cross-entropy."""

    @property
    def logits_dimension(self):
        return self._n_classes

    def _predictions(self, logits):
        tf = _tf()
        k = PredictionKeys
        with tf.name_scope("predictions"):
            class_ids = tf.expand_dims(tf.argmax(logits, axis=-1, name=k.CLASS_IDS), -1)
            probabilities = tf.nn.softmax(logits, name=k.PROBABILITIES)
            predictions = {
                k.LOGITS: logits,
                k.PROBABILITIES: probabilities,
                k.CLASS_IDS: class_ids,
                k.CLASSES: self._classes(class_ids),
                k.ALL_CLASS_IDS: _all_class_ids(logits, self._n_classes),
                k.ALL_CLASSES: _all_classes(logits, self._n_classes, self._label_vocabulary),
            }
        extra = {"logits": logits, "probs": probabilities, "class_ids": class_ids}
        extra["all"] = predictions
        return predictions, extra

    def _unreduced_loss(self, labels, logits):
        tf = _tf()
        label_ids = self._label_ids(_labels_2d(labels, 1))
        loss = tf.losses.sparse_softmax_cross_entropy(
            labels=label_ids, logits=logits, reduction=tf.losses.Reduction.NONE
        )
        return tf.expand_dims(loss, -1), label_ids

    def _eval_metric_ops(self, labels, extra, weights, unreduced):
        tf = _tf()
        w = None if isinstance(weights, float) else weights
        return {
            MetricKeys.LOSS_MEAN: tf.metrics.mean(unreduced, weights=w, name="average_loss"),
            MetricKeys.ACCURACY: tf.metrics.accuracy(
                labels, extra["class_ids"], weights=w, name="accuracy"
            ),
        }


class _RegressionHead(_Head):
    """Mean squared error on `label_dimension` outputs."""

    def __init__(self, label_dimension=1, weight_column=None, loss_reduction="weighted_sum"):
        super().__init__(weight_column, None, loss_reduction)
        if label_dimension < 1:
            raise ValueError(f"Invalid label_dimension {label_dimension}.")
        self._label_dimension = label_dimension

    @property
    def logits_dimension(self):
        return self._label_dimension

    def _predictions(self, logits):
        tf = _tf()
        with tf.name_scope("predictions"):
            predicted = tf.identity(logits, name=PredictionKeys.PREDICTIONS)
        predictions = {PredictionKeys.PREDICTIONS: predicted}
        return predictions, {"value": predicted, "all": predictions}

    def _export_outputs(self, extra):
        regression = RegressionOutput(value=extra["value"])
        return {
            _DEFAULT_SERVING_KEY: regression,
            _REGRESS_SERVING_KEY: regression,
            _PREDICT_SERVING_KEY: PredictOutput(extra["all"]),
        }

    def _unreduced_loss(self, labels, logits):
        tf = _tf()
        labels = tf.cast(_labels_2d(labels, self._label_dimension), tf.float32)
        loss = tf.losses.mean_squared_error(
            labels=labels, predictions=logits, reduction=tf.losses.Reduction.NONE
        )
        return loss, labels

    def _eval_metric_ops(self, labels, extra, weights, unreduced):
        tf = _tf()
        w = None if isinstance(weights, float) else weights
        return {
            MetricKeys.LOSS_MEAN: tf.metrics.mean(unreduced, weights=w, name="average_loss"),
            MetricKeys.PREDICTION_MEAN: _mean_of(
                extra["value"], weights, MetricKeys.PREDICTION_MEAN
            ),
            MetricKeys.LABEL_MEAN: _mean_of(labels, weights, MetricKeys.LABEL_MEAN),
        }


def classification_head(n_classes, weight_column, label_vocabulary, loss_reduction):
    if n_classes == 2:
        return _BinaryLogisticHead(weight_column, label_vocabulary, loss_reduction)
    return _MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)


def regression_head(label_dimension, weight_column, loss_reduction):
    return _RegressionHead(label_dimension, weight_column, loss_reduction)
