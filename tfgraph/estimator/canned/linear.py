"""`tf.estimator.LinearClassifier` and `LinearRegressor` (TF 1.15's v1 classes): TF1's
`linear_model` of the feature columns under `linear/` (weights
`linear/linear_model/<column>/weights`, `linear/linear_model/bias_weights`), trained
with FTRL (learning rate min(0.2, 1/sqrt(#columns))) by default, loss summed over the
batch (v1 heads)."""

from __future__ import annotations

import math

from tfgraph.estimator.canned import head as head_lib
from tfgraph.estimator.canned.optimizers import get_optimizer_instance
from tfgraph.estimator.estimator import Estimator

__all__ = ["LinearClassifier", "LinearRegressor"]

_LEARNING_RATE = 0.2


def _parts(variables):
    """The partitions of a list of (possibly partitioned) variables."""
    out = []
    for v in variables:
        out.extend(v._get_variable_list() if hasattr(v, "_get_variable_list") else [v])
    return out


def _fraction_of_zero(variables):
    import tfgraph as tf

    all_weights = [tf.reshape(v, [-1]) for var_list in variables for v in _parts(var_list)]
    if not all_weights:
        return tf.constant(0.0)
    return tf.nn.zero_fraction(tf.concat(all_weights, 0))


def _linear_logits(features, units, feature_columns, sparse_combiner):
    import tfgraph as tf

    cols_to_vars = {}
    logits = tf.feature_column.linear_model(
        features,
        feature_columns,
        units=units,
        sparse_combiner=sparse_combiner,
        cols_to_vars=cols_to_vars,
    )
    bias = _parts(cols_to_vars.pop("bias"))
    if units > 1:
        tf.summary.histogram("bias", bias)
    else:
        tf.summary.scalar("bias", bias[0][0])
    tf.summary.scalar("fraction_of_zero_weights", _fraction_of_zero(cols_to_vars.values()))
    return logits


def _linear_model_fn(
    features,
    labels,
    mode,
    head,
    feature_columns,
    optimizer,
    sparse_combiner,
    partitioner=None,
    config=None,
):
    import tfgraph as tf

    if not isinstance(features, dict):
        raise ValueError(
            f"features should be a dictionary of `Tensor`s. Given type: {type(features)}"
        )
    if optimizer is None:
        optimizer = tf.train.FtrlOptimizer(
            learning_rate=min(_LEARNING_RATE, 1.0 / math.sqrt(len(feature_columns)))
        )
    optimizer = get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
    num_ps_replicas = config.num_ps_replicas if config else 0
    partitioner = partitioner or tf.min_max_variable_partitioner(
        max_partitions=num_ps_replicas, min_slice_size=64 << 20
    )
    with tf.variable_scope("linear", values=tuple(features.values()), partitioner=partitioner):
        logits = _linear_logits(features, head.logits_dimension, feature_columns, sparse_combiner)
        return head.create_estimator_spec(
            features=features, mode=mode, labels=labels, optimizer=optimizer, logits=logits
        )


class LinearClassifier(Estimator):
    """A linear classifier over feature columns (logistic for 2 classes, softmax
    otherwise)."""

    def __init__(
        self,
        feature_columns,
        model_dir=None,
        n_classes=2,
        weight_column=None,
        label_vocabulary=None,
        optimizer="Ftrl",
        config=None,
        partitioner=None,
        warm_start_from=None,
        loss_reduction="weighted_sum",
        sparse_combiner="sum",
    ):
        head = head_lib.classification_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )
        feature_columns = tuple(feature_columns or [])
        opt = None if optimizer == "Ftrl" else optimizer

        def _model_fn(features, labels, mode, config):
            return _linear_model_fn(
                features,
                labels,
                mode,
                head,
                feature_columns,
                opt,
                sparse_combiner,
                partitioner,
                config,
            )

        super().__init__(
            model_fn=_model_fn,
            model_dir=model_dir,
            config=config,
            warm_start_from=warm_start_from,
        )


class LinearRegressor(Estimator):
    """A linear regressor over feature columns (mean squared error)."""

    def __init__(
        self,
        feature_columns,
        model_dir=None,
        label_dimension=1,
        weight_column=None,
        optimizer="Ftrl",
        config=None,
        partitioner=None,
        warm_start_from=None,
        loss_reduction="weighted_sum",
        sparse_combiner="sum",
    ):
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)
        feature_columns = tuple(feature_columns or [])
        opt = None if optimizer == "Ftrl" else optimizer

        def _model_fn(features, labels, mode, config):
            return _linear_model_fn(
                features,
                labels,
                mode,
                head,
                feature_columns,
                opt,
                sparse_combiner,
                partitioner,
                config,
            )

        super().__init__(
            model_fn=_model_fn,
            model_dir=model_dir,
            config=config,
            warm_start_from=warm_start_from,
        )
