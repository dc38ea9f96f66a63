"""`tf.estimator.BaselineClassifier` and `BaselineRegressor` (TF 1.15's v1 classes): a
model that ignores the feature values and learns one bias per output (variable
`baseline/bias`), so it predicts the label mean (regression) or the class distribution
of the labels (classification); trained with FTRL (learning rate 0.3) by default, loss
summed over the batch (v1 heads)."""

from __future__ import annotations

import functools

from tfgraph.estimator.canned import head as head_lib
from tfgraph.estimator.canned.optimizers import get_optimizer_instance
from tfgraph.estimator.estimator import Estimator

__all__ = ["BaselineClassifier", "BaselineRegressor"]

_LEARNING_RATE = 0.3


def _get_weight_column_key(weight_column):
    from tfgraph.feature_column._columns import NumericColumn

    if weight_column is None:
        return None
    if isinstance(weight_column, str):
        return weight_column
    if not isinstance(weight_column, NumericColumn):
        raise TypeError(
            "Weight column must be either a string or _NumericColumn. Given type: "
            f"{type(weight_column)}."
        )
    return weight_column.key


def _batch_size_and_size_checks(features, weight_column_key):
    """The batch size (the first dimension of the first feature other than the
    weights) and assertions that the other features have the same."""
    import tfgraph as tf

    size_checks = []
    batch_size = None
    for key, feature in features.items():
        if key == weight_column_key:
            continue
        first_dim = tf.shape(feature)[0]
        if batch_size is None:
            batch_size = first_dim
        else:
            size_checks.append(tf.assert_equal(batch_size, first_dim))
    return size_checks, batch_size


def _baseline_logits(features, num_outputs, weight_column=None):
    import tfgraph as tf

    size_checks, batch_size = _batch_size_and_size_checks(
        features, _get_weight_column_key(weight_column)
    )
    with tf.control_dependencies(size_checks):
        with tf.variable_scope("baseline"):
            bias = tf.get_variable("bias", shape=[num_outputs], initializer=tf.zeros_initializer())
            return tf.multiply(bias, tf.ones([batch_size, num_outputs]))


def _baseline_model_fn(features, labels, mode, head, optimizer, weight_column=None, config=None):
    import tfgraph as tf

    del config
    logits = _baseline_logits(features, head.logits_dimension, weight_column)

    def train_op_fn(loss):
        opt = get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
        return opt.minimize(loss, global_step=tf.train.get_global_step())

    return head.create_estimator_spec(
        features=features, mode=mode, logits=logits, labels=labels, train_op_fn=train_op_fn
    )


class BaselineClassifier(Estimator):
    """Predicts the class distribution seen in the labels, ignoring the features."""

    def __init__(
        self,
        model_dir=None,
        n_classes=2,
        weight_column=None,
        label_vocabulary=None,
        optimizer="Ftrl",
        config=None,
        loss_reduction="weighted_sum",
    ):
        head = head_lib.classification_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )

        model_fn = functools.partial(
            _baseline_model_fn, head=head, optimizer=optimizer, weight_column=weight_column
        )
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)


class BaselineRegressor(Estimator):
    """Predicts the mean of the labels, ignoring the features."""

    def __init__(
        self,
        model_dir=None,
        label_dimension=1,
        weight_column=None,
        optimizer="Ftrl",
        config=None,
        loss_reduction="weighted_sum",
    ):
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)

        # As TF 1.15: the regressor does not tell the model the weight column, so the
        # weights' first dimension is checked against the features' too.
        model_fn = functools.partial(
            _baseline_model_fn, head=head, optimizer=optimizer, weight_column=None
        )
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)
