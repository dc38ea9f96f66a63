"""`tf.estimator.DNNLinearCombinedClassifier` and `DNNLinearCombinedRegressor` (TF 1.15's
v1 classes, "wide & deep"): the logits are the sum of a linear model of
`linear_feature_columns` (under `linear/`, as `LinearClassifier` names it) and a
feed-forward network over `dnn_feature_columns` (under `dnn/`, as `DNNClassifier` names
it). Each part is trained by its own optimizer on its own variables (by default FTRL
with learning rate min(0.005, 1/sqrt(#linear columns)) and Adagrad with learning rate
0.001, TF's historical defaults), then the global step is incremented once; the loss is
summed over the batch (v1 heads)."""

from __future__ import annotations

import functools
import math

from tfgraph.estimator.canned import head as head_lib
from tfgraph.estimator.canned.dnn import _dnn_logits
from tfgraph.estimator.canned.linear import _linear_logits
from tfgraph.estimator.canned.optimizers import get_optimizer_instance
from tfgraph.estimator.estimator import Estimator
from tfgraph.nn import relu

__all__ = ["DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor"]

# TF's defaults for the combined model (not those of the DNN and Linear estimators).
_DNN_LEARNING_RATE = 0.001
_LINEAR_LEARNING_RATE = 0.005


def _linear_learning_rate(num_linear_feature_columns):
    return min(_LINEAR_LEARNING_RATE, 1.0 / math.sqrt(num_linear_feature_columns))


def _check_no_sync_replicas_optimizer(optimizer):
    import tfgraph as tf

    if isinstance(optimizer, tf.train.SyncReplicasOptimizer):
        raise ValueError(
            "SyncReplicasOptimizer does not support multi optimizers case. Therefore, it is "
            "not supported in DNNLinearCombined model. If you want to use this optimizer, "
            "please use either DNN or Linear model."
        )


def _add_layer_summary(value, tag):
    import tfgraph as tf

    tf.summary.scalar(f"{tag}/fraction_of_zero_values", tf.nn.zero_fraction(value))
    tf.summary.histogram(f"{tag}/activation", value)


def _validate_feature_columns(linear_feature_columns, dnn_feature_columns):
    feature_columns = list(linear_feature_columns or []) + list(dnn_feature_columns or [])
    if not feature_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
    return feature_columns


def _dnn_linear_combined_model_fn(
    features,
    labels,
    mode,
    head,
    linear_feature_columns=None,
    linear_optimizer="Ftrl",
    dnn_feature_columns=None,
    dnn_optimizer="Adagrad",
    dnn_hidden_units=None,
    dnn_activation_fn=relu,
    dnn_dropout=None,
    input_layer_partitioner=None,
    config=None,
    batch_norm=False,
    linear_sparse_combiner="sum",
):
    import tfgraph as tf

    if not isinstance(features, dict):
        raise ValueError(
            f"features should be a dictionary of `Tensor`s. Given type: {type(features)}"
        )
    if not linear_feature_columns and not dnn_feature_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
    num_ps_replicas = config.num_ps_replicas if config else 0
    input_layer_partitioner = input_layer_partitioner or tf.min_max_variable_partitioner(
        max_partitions=num_ps_replicas, min_slice_size=64 << 20
    )

    dnn_logits = None
    if dnn_feature_columns:
        dnn_optimizer = get_optimizer_instance(dnn_optimizer, learning_rate=_DNN_LEARNING_RATE)
        _check_no_sync_replicas_optimizer(dnn_optimizer)
        if not dnn_hidden_units:
            raise ValueError(
                "dnn_hidden_units must be defined when dnn_feature_columns is specified."
            )
        dnn_partitioner = tf.min_max_variable_partitioner(max_partitions=num_ps_replicas)
        with tf.variable_scope(
            "dnn", values=tuple(features.values()), partitioner=dnn_partitioner
        ) as scope:
            dnn_absolute_scope = scope.name
            dnn_logits = _dnn_logits(
                features,
                mode,
                head.logits_dimension,
                dnn_hidden_units,
                dnn_feature_columns,
                dnn_activation_fn,
                dnn_dropout,
                batch_norm,
                input_layer_partitioner,
            )

    linear_logits = None
    if linear_feature_columns:
        linear_optimizer = get_optimizer_instance(
            linear_optimizer, learning_rate=_linear_learning_rate(len(linear_feature_columns))
        )
        _check_no_sync_replicas_optimizer(linear_optimizer)
        with tf.variable_scope(
            "linear", values=tuple(features.values()), partitioner=input_layer_partitioner
        ) as scope:
            linear_absolute_scope = scope.name
            linear_logits = _linear_logits(
                features, head.logits_dimension, linear_feature_columns, linear_sparse_combiner
            )
            _add_layer_summary(linear_logits, scope.name)

    if dnn_logits is not None and linear_logits is not None:
        logits = dnn_logits + linear_logits
    elif dnn_logits is not None:
        logits = dnn_logits
    else:
        logits = linear_logits

    def _train_op_fn(loss):
        """Each part's optimizer on its own trainable variables, then the global step
        incremented once after both."""
        train_ops = []
        global_step = tf.train.get_global_step()
        if dnn_logits is not None:
            dnn_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=dnn_absolute_scope)
            train_ops.append(dnn_optimizer.minimize(loss, var_list=dnn_vars))
        if linear_logits is not None:
            linear_vars = tf.get_collection(
                tf.GraphKeys.TRAINABLE_VARIABLES, scope=linear_absolute_scope
            )
            train_ops.append(linear_optimizer.minimize(loss, var_list=linear_vars))
        train_op = tf.group(*train_ops)
        with tf.control_dependencies([train_op]):
            return tf.assign_add(global_step, 1).op

    return head.create_estimator_spec(
        features=features, mode=mode, labels=labels, train_op_fn=_train_op_fn, logits=logits
    )


# (the model function's arguments the estimators take as they are)
_MODEL_ARGS = (
    "linear_feature_columns",
    "linear_optimizer",
    "dnn_feature_columns",
    "dnn_optimizer",
    "dnn_hidden_units",
    "dnn_activation_fn",
    "dnn_dropout",
    "input_layer_partitioner",
    "batch_norm",
    "linear_sparse_combiner",
)


class _Combined(Estimator):
    """What the wide & deep classifier and regressor share."""

    _feature_columns: list

    def _init_combined(self, head, args: dict) -> None:
        """`Estimator.__init__` with `head` and the constructor's arguments `args`."""
        self._feature_columns = _validate_feature_columns(
            args["linear_feature_columns"], args["dnn_feature_columns"]
        )
        model_fn = functools.partial(
            _dnn_linear_combined_model_fn, head=head, **{k: args[k] for k in _MODEL_ARGS}
        )
        Estimator.__init__(
            self,
            model_fn=model_fn,
            model_dir=args["model_dir"],
            config=args["config"],
            warm_start_from=args["warm_start_from"],
        )


class DNNLinearCombinedClassifier(_Combined):
    """Wide & deep classification: a linear model plus a DNN, summed into the logits
    of a logistic (n_classes == 2) or softmax head."""

    def __init__(
        self,
        model_dir=None,
        linear_feature_columns=None,
        linear_optimizer="Ftrl",
        dnn_feature_columns=None,
        dnn_optimizer="Adagrad",
        dnn_hidden_units=None,
        dnn_activation_fn=relu,
        dnn_dropout=None,
        n_classes=2,
        weight_column=None,
        label_vocabulary=None,
        input_layer_partitioner=None,
        config=None,
        warm_start_from=None,
        loss_reduction="weighted_sum",
        batch_norm=False,
        linear_sparse_combiner="sum",
    ):
        args = locals()
        head = head_lib.classification_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )

        self._init_combined(head, args)


class DNNLinearCombinedRegressor(_Combined):
    """Wide & deep regression: a linear model plus a DNN, summed into
    `label_dimension` outputs (mean squared error)."""

    def __init__(
        self,
        model_dir=None,
        linear_feature_columns=None,
        linear_optimizer="Ftrl",
        dnn_feature_columns=None,
        dnn_optimizer="Adagrad",
        dnn_hidden_units=None,
        dnn_activation_fn=relu,
        dnn_dropout=None,
        label_dimension=1,
        weight_column=None,
        input_layer_partitioner=None,
        config=None,
        warm_start_from=None,
        loss_reduction="weighted_sum",
        batch_norm=False,
        linear_sparse_combiner="sum",
    ):
        args = locals()
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)

        self._init_combined(head, args)
