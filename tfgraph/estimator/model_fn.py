"""`tf.estimator.EstimatorSpec`: what a `model_fn` returns, checked as TF 1.15 checks it."""

from __future__ import annotations

import collections

from tfgraph.estimator.mode_keys import ModeKeys

__all__ = ["AVERAGE_LOSS_METRIC_KEY", "LOSS_METRIC_KEY", "EstimatorSpec"]

LOSS_METRIC_KEY = "loss"
AVERAGE_LOSS_METRIC_KEY = "average_loss"

_NOT_DEFAULT_GRAPH = (
    '{0} with "{1}" must be from the default graph. '
    "Possible causes of this error include: \n\n"
    "1) {0} was created outside the context of the default graph."
    "\n\n"
    "2) The object passed through to EstimatorSpec was not created "
    'in the most recent call to "model_fn".'
)


def _graph():
    from tfgraph.framework.graph import get_default_graph

    return get_default_graph()


def _is_tensor(x) -> bool:
    from tfgraph.framework.ops import Tensor
    from tfgraph.variables import Variable

    return isinstance(x, (Tensor, Variable))


def _check_tensor(x, name):
    if not _is_tensor(x):
        raise TypeError(f"{name} must be Tensor, given: {x}")
    from tfgraph.variables import Variable

    return x.value() if isinstance(x, Variable) else x


def _train_op(train_op, mode):
    from tfgraph.framework.ops import Operation
    from tfgraph.variables import Variable

    if train_op is None:
        if mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        return None
    if not (isinstance(train_op, Operation) or _is_tensor(train_op)):
        raise TypeError(f"train_op must be Operation or Tensor, given: {train_op}")
    if isinstance(train_op, Variable):
        train_op = train_op.op
    if train_op.graph is not _graph():
        raise ValueError(_NOT_DEFAULT_GRAPH.format("train_op", train_op.name))
    return train_op


def _loss(loss, mode):
    import tfgraph as tf
    from tfgraph.framework.tensor_shape import TensorShape

    if loss is None:
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        return None
    loss = _check_tensor(loss, "loss")
    shape = loss.get_shape()
    if shape.num_elements() not in (None, 1):
        raise ValueError(f"Loss must be scalar, given: {loss}")
    if not shape.is_compatible_with(TensorShape([])):
        loss = tf.reshape(loss, [])
    if loss.graph is not _graph():
        raise ValueError(_NOT_DEFAULT_GRAPH.format("loss", loss.name))
    return loss


def _predictions(predictions, mode):
    if predictions is None:
        if mode == ModeKeys.PREDICT:
            raise ValueError("Missing predictions.")
        return {}
    if isinstance(predictions, dict):
        predictions = {k: _check_tensor(v, f"predictions[{k}]") for k, v in predictions.items()}
        for key, value in predictions.items():
            if value.graph is not _graph():
                raise ValueError(
                    _NOT_DEFAULT_GRAPH.format("prediction values", f"{key}: {value.name}")
                )
        return predictions
    predictions = _check_tensor(predictions, "predictions")
    if predictions.graph is not _graph():
        raise ValueError(_NOT_DEFAULT_GRAPH.format("prediction values", predictions.name))
    return predictions


def _hooks(hooks):
    from tfgraph.training.session_run_hook import SessionRunHook

    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook}")
    return hooks


def _eval_metric_ops(eval_metric_ops):
    from tfgraph.framework import nest

    if eval_metric_ops is None:
        return {}
    if not isinstance(eval_metric_ops, dict):
        raise TypeError(f"eval_metric_ops must be a dict, given: {eval_metric_ops}")
    for key, value in eval_metric_ops.items():
        if not isinstance(value, tuple) or len(value) != 2:
            raise TypeError(
                "Values of eval_metric_ops must be (metric_value, update_op) tuples, "
                f"given: {value} for key: {key}"
            )
    for key, value in eval_metric_ops.items():
        for val in nest.flatten(value):
            if val.graph is not _graph():
                raise ValueError(_NOT_DEFAULT_GRAPH.format("eval_metric_ops", f"{key}: {val.name}"))
    return eval_metric_ops


def _scaffold(scaffold):
    from tfgraph.training.monitored_session import Scaffold

    scaffold = scaffold or Scaffold()
    if not isinstance(scaffold, Scaffold):
        raise TypeError(f"scaffold must be tf.train.Scaffold. Given: {scaffold}")
    return scaffold


class EstimatorSpec(
    collections.namedtuple(
        "EstimatorSpec",
        [
            "mode",
            "predictions",
            "loss",
            "train_op",
            "eval_metric_ops",
            "export_outputs",
            "training_chief_hooks",
            "training_hooks",
            "scaffold",
            "evaluation_hooks",
            "prediction_hooks",
        ],
    )
):
    """The ops and objects of one mode of a model: TRAIN needs `loss` and `train_op`,
    EVAL `loss` (and `eval_metric_ops`: name -> (value, update_op)), PREDICT
    `predictions` (and `export_outputs` for serving)."""

    def __new__(
        cls,
        mode,
        predictions=None,
        loss=None,
        train_op=None,
        eval_metric_ops=None,
        export_outputs=None,
        training_chief_hooks=None,
        training_hooks=None,
        scaffold=None,
        evaluation_hooks=None,
        prediction_hooks=None,
    ):
        train_op = _train_op(train_op, mode)
        loss = _loss(loss, mode)
        predictions = _predictions(predictions, mode)
        if mode == ModeKeys.PREDICT:
            from tfgraph.estimator.export._receivers import get_export_outputs

            export_outputs = get_export_outputs(export_outputs, predictions)
        return super().__new__(
            cls,
            mode=mode,
            predictions=predictions,
            loss=loss,
            train_op=train_op,
            eval_metric_ops=_eval_metric_ops(eval_metric_ops),
            export_outputs=export_outputs,
            training_chief_hooks=_hooks(training_chief_hooks),
            training_hooks=_hooks(training_hooks),
            scaffold=_scaffold(scaffold),
            evaluation_hooks=_hooks(evaluation_hooks),
            prediction_hooks=_hooks(prediction_hooks),
        )

    def _replace(self, **kwds):
        if "mode" in kwds and self.mode != kwds["mode"]:
            raise ValueError("mode of EstimatorSpec cannot be changed.")
        new_fields = map(kwds.pop, self._fields, list(self))
        return EstimatorSpec(*new_fields)
