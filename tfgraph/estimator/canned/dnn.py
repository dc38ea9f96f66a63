"""`tf.estimator.DNNClassifier` and `DNNRegressor` (TF 1.15's v1 classes): hidden
layers `dnn/hiddenlayer_<i>` and `dnn/logits` over `input_layer` of the feature
columns, trained with Adagrad (learning rate 0.05) by default, loss summed over the
batch (v1 heads)."""

from __future__ import annotations

from tfgraph.estimator.canned import head as head_lib
from tfgraph.estimator.canned.optimizers import get_optimizer_instance
from tfgraph.estimator.estimator import Estimator
from tfgraph.estimator.mode_keys import ModeKeys
from tfgraph.nn import relu

__all__ = ["DNNClassifier", "DNNRegressor"]

_LEARNING_RATE = 0.05


def _add_hidden_layer_summary(value, tag):
    import tfgraph as tf

    tf.summary.scalar(f"{tag}/fraction_of_zero_values", tf.nn.zero_fraction(value))
    tf.summary.histogram(f"{tag}/activation", value)


def _dnn_logits(
    features,
    mode,
    units,
    hidden_units,
    feature_columns,
    activation_fn,
    dropout,
    batch_norm,
    input_layer_partitioner,
):
    import tfgraph as tf

    with tf.variable_scope("input_from_feature_columns", partitioner=input_layer_partitioner):
        net = tf.feature_column.input_layer(features, feature_columns)
    for layer_id, num_units in enumerate(hidden_units):
        with tf.variable_scope(f"hiddenlayer_{layer_id}") as scope:
            net = tf.layers.dense(
                net,
                num_units,
                activation=activation_fn,
                kernel_initializer=tf.glorot_uniform_initializer(),
                name=scope,
            )
            if dropout is not None and mode == ModeKeys.TRAIN:
                net = tf.layers.dropout(net, rate=dropout, training=True)
            if batch_norm:
                net = tf.layers.batch_normalization(
                    net,
                    momentum=0.999,
                    training=mode == ModeKeys.TRAIN,
                    name=f"batchnorm_{layer_id}",
                )
        _add_hidden_layer_summary(net, scope.name)
    with tf.variable_scope("logits") as scope:
        logits = tf.layers.dense(
            net,
            units,
            activation=None,
            kernel_initializer=tf.glorot_uniform_initializer(),
            name=scope,
        )
    _add_hidden_layer_summary(logits, scope.name)
    return logits


def _dnn_model_fn(
    features,
    labels,
    mode,
    head,
    hidden_units,
    feature_columns,
    optimizer,
    activation_fn,
    dropout,
    batch_norm,
    input_layer_partitioner=None,
    config=None,
):
    import tfgraph as tf

    if not isinstance(features, dict):
        raise ValueError(
            f"features should be a dictionary of `Tensor`s. Given type: {type(features)}"
        )
    optimizer = get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
    num_ps_replicas = config.num_ps_replicas if config else 0
    partitioner = tf.min_max_variable_partitioner(max_partitions=num_ps_replicas)
    input_layer_partitioner = input_layer_partitioner or tf.min_max_variable_partitioner(
        max_partitions=num_ps_replicas, min_slice_size=64 << 20
    )
    with tf.variable_scope("dnn", values=tuple(features.values()), partitioner=partitioner):
        logits = _dnn_logits(
            features,
            mode,
            head.logits_dimension,
            hidden_units,
            feature_columns,
            activation_fn,
            dropout,
            batch_norm,
            input_layer_partitioner,
        )
        return head.create_estimator_spec(
            features=features, mode=mode, labels=labels, optimizer=optimizer, logits=logits
        )


class DNNClassifier(Estimator):
    """A feed-forward classifier: `hidden_units` ReLU layers over the feature columns;
    n_classes == 2 uses a logistic head (one logit), more classes a softmax head."""

    def __init__(
        self,
        hidden_units,
        feature_columns,
        model_dir=None,
        n_classes=2,
        weight_column=None,
        label_vocabulary=None,
        optimizer="Adagrad",
        activation_fn=relu,
        dropout=None,
        input_layer_partitioner=None,
        config=None,
        warm_start_from=None,
        loss_reduction="weighted_sum",
        batch_norm=False,
    ):
        head = head_lib.classification_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )
        feature_columns = tuple(feature_columns or [])

        def _model_fn(features, labels, mode, config):
            return _dnn_model_fn(
                features,
                labels,
                mode,
                head,
                hidden_units,
                feature_columns,
                optimizer,
                activation_fn,
                dropout,
                batch_norm,
                input_layer_partitioner,
                config,
            )

        super().__init__(
            model_fn=_model_fn,
            model_dir=model_dir,
            config=config,
            warm_start_from=warm_start_from,
        )


class DNNRegressor(Estimator):
    """A feed-forward regressor of `label_dimension` outputs (mean squared error)."""

    def __init__(
        self,
        hidden_units,
        feature_columns,
        model_dir=None,
        label_dimension=1,
        weight_column=None,
        optimizer="Adagrad",
        activation_fn=relu,
        dropout=None,
        input_layer_partitioner=None,
        config=None,
        warm_start_from=None,
        loss_reduction="weighted_sum",
        batch_norm=False,
    ):
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)
        feature_columns = tuple(feature_columns or [])

        def _model_fn(features, labels, mode, config):
            return _dnn_model_fn(
                features,
                labels,
                mode,
                head,
                hidden_units,
                feature_columns,
                optimizer,
                activation_fn,
                dropout,
                batch_norm,
                input_layer_partitioner,
                config,
            )

        super().__init__(
            model_fn=_model_fn,
            model_dir=model_dir,
            config=config,
            warm_start_from=warm_start_from,
        )
