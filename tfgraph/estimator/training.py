"""`tf.estimator.train_and_evaluate` with TrainSpec and EvalSpec, run locally as TF
1.15's executor runs a single process: train to `max_steps`; evaluate (and call the
EvalSpec's exporters) after checkpoints, at most once per `throttle_secs`, and after the
last checkpoint. Returns (eval metrics, export results)."""

from __future__ import annotations

import collections
import os

from tfgraph.framework.graph import GraphKeys
from tfgraph.platform import tf_logging as logging

__all__ = ["EvalSpec", "TrainSpec", "train_and_evaluate"]


def _validate_input_fn(input_fn) -> None:
    if not callable(input_fn):
        raise TypeError(f"`input_fn` must be callable, given: {input_fn}")


def _validate_hooks(hooks):
    from tfgraph.training.session_run_hook import SessionRunHook

    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be `SessionRunHook` instances, given: {hook}")
    return hooks


def _validate_exporters(exporters):
    if exporters is None:
        return ()
    if not isinstance(exporters, (list, tuple)):
        exporters = [exporters]
    names = []
    for exporter in exporters:
        if not hasattr(exporter, "export") or not hasattr(exporter, "name"):
            raise TypeError(f"`exporters` must be an Exporter, given {exporter}")
        if not exporter.name:
            full = [e.name for e in exporters]
            raise ValueError(
                f"An Exporter cannot have a name that is `None` or empty. All exporter names: "
                f"{full}"
            )
        if not isinstance(exporter.name, str):
            raise ValueError(f"An Exporter must have a string name. Given: {type(exporter.name)}")
        if exporter.name in names:
            full = [e.name for e in exporters]
            raise ValueError(
                f"`exporters` must have unique names. Such a name cannot be `None`. All "
                f"exporter names: {full}"
            )
        names.append(exporter.name)
    return tuple(exporters)


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks"])):
    """The training half of train_and_evaluate: input_fn, max_steps and hooks."""

    def __new__(cls, input_fn, max_steps=None, hooks=None):
        _validate_input_fn(input_fn)
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(
            cls, input_fn=input_fn, max_steps=max_steps, hooks=_validate_hooks(hooks)
        )


class EvalSpec(
    collections.namedtuple(
        "EvalSpec",
        ["input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs", "throttle_secs"],
    )
):
    """The evaluation half of train_and_evaluate: input_fn, steps, name, hooks,
    exporters, start_delay_secs (unused locally) and throttle_secs."""

    def __new__(
        cls,
        input_fn,
        steps=100,
        name=None,
        hooks=None,
        exporters=None,
        start_delay_secs=120,
        throttle_secs=600,
    ):
        _validate_input_fn(input_fn)
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be string, given: {name}")
        hooks = _validate_hooks(hooks)
        exporters = _validate_exporters(exporters)
        if start_delay_secs < 0:
            raise ValueError(f"Must specify start_delay_secs >= 0, given: {start_delay_secs}")
        if throttle_secs < 0:
            raise ValueError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        return super().__new__(
            cls,
            input_fn=input_fn,
            steps=steps,
            name=name,
            hooks=hooks,
            exporters=exporters,
            start_delay_secs=start_delay_secs,
            throttle_secs=throttle_secs,
        )


class _Evaluator:
    def __init__(self, estimator, eval_spec, max_training_steps) -> None:
        self._estimator = estimator
        self._eval_spec = eval_spec
        self._max_training_steps = max_training_steps
        self._previous_ckpt_path = None

    def evaluate_and_export(self):
        latest = self._estimator.latest_checkpoint()
        if not latest:
            logging.warning(
                "Estimator is not trained yet. Will start an evaluation when a checkpoint is ready."
            )
            return None, []
        if latest == self._previous_ckpt_path:
            logging.warning(
                "No new checkpoint ready for evaluation. Skip the current evaluation pass as "
                "evaluation results are expected to be same for the same checkpoint."
            )
            return None, []
        metrics = self._estimator.evaluate(
            input_fn=self._eval_spec.input_fn,
            steps=self._eval_spec.steps,
            name=self._eval_spec.name,
            checkpoint_path=latest,
            hooks=self._eval_spec.hooks,
        )
        is_final = (
            metrics[GraphKeys.GLOBAL_STEP] >= self._max_training_steps
            if self._max_training_steps
            else False
        )
        export_dir_base = os.path.join(self._estimator.model_dir, "export")
        export_results = [
            exporter.export(
                estimator=self._estimator,
                export_path=os.path.join(export_dir_base, exporter.name),
                checkpoint_path=latest,
                eval_result=metrics,
                is_the_final_export=is_final,
            )
            for exporter in self._eval_spec.exporters
        ]
        self._previous_ckpt_path = latest
        return metrics, export_results


def _listener_for_eval(evaluator, throttle_secs):
    from tfgraph.training.basic_session_run_hooks import (
        CheckpointSaverListener,
        SecondOrStepTimer,
    )

    class NewCheckpointListenerForEvaluate(CheckpointSaverListener):
        """Evaluates after each new checkpoint (throttled) and after the last one."""

        def __init__(self) -> None:
            self.eval_result, self.export_results = None, None

        def begin(self) -> None:
            self._timer = SecondOrStepTimer(every_secs=throttle_secs)
            self._is_first_run = True

        def after_save(self, session, global_step_value):
            if self._is_first_run:
                self._is_first_run = False
                return
            if self._timer.should_trigger_for_step(global_step_value):
                self._evaluate(global_step_value)
            else:
                logging.info(
                    f"Skip the current checkpoint eval due to throttle secs ({throttle_secs} secs)."
                )

        def end(self, session, global_step_value) -> None:
            if global_step_value != self._timer.last_triggered_step():
                self._evaluate(global_step_value)

        def _evaluate(self, global_step_value) -> None:
            self._timer.update_last_triggered_step(global_step_value)
            self.eval_result, self.export_results = evaluator.evaluate_and_export()
            if self.eval_result is None:
                raise RuntimeError(
                    "There was no new checkpoint after the training. Eval status: missing "
                    "checkpoint"
                )

    return NewCheckpointListenerForEvaluate()


def train_and_evaluate(estimator, train_spec, eval_spec):
    """Trains `estimator` as `train_spec` says and evaluates it as `eval_spec` says
    after its checkpoints (locally, one process). Returns (metrics of the last
    evaluation, export results of the last evaluation)."""
    from tfgraph.estimator.estimator import Estimator

    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(
            f"`eval_spec` must have type `tf.estimator.EvalSpec`. Got: {type(eval_spec)}"
        )
    if not isinstance(estimator, Estimator):
        raise TypeError(
            f"`estimator` must have type `tf.estimator.Estimator`. Got: {type(estimator)}"
        )
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(
            f"`train_spec` must have type `tf.estimator.TrainSpec`. Got: {type(train_spec)}"
        )
    config = estimator.config
    logging.info(
        "Start train and evaluate loop. The evaluate will happen after every checkpoint. "
        "Checkpoint frequency is determined based on RunConfig arguments: "
        f"save_checkpoints_steps {config.save_checkpoints_steps} or save_checkpoints_secs "
        f"{config.save_checkpoints_secs}."
    )
    evaluator = _Evaluator(estimator, eval_spec, train_spec.max_steps)
    listener = _listener_for_eval(evaluator, eval_spec.throttle_secs)
    estimator.train(
        input_fn=train_spec.input_fn,
        max_steps=train_spec.max_steps,
        hooks=list(train_spec.hooks),
        saving_listeners=[listener],
    )
    return listener.eval_result, listener.export_results
