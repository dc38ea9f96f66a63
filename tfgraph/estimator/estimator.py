"""`tf.estimator.Estimator` (TF 1.15's, single process): each of train, evaluate,
predict and export builds a fresh graph from `input_fn` and `model_fn`, then runs it
in a monitored session; `model_dir` holds what TF writes there (model.ckpt-N.*,
checkpoint, graph.pbtxt, events files; eval/ or eval_<name>/ for evaluations)."""

from __future__ import annotations

import collections
import copy
import functools
import inspect
import os
import tempfile
import time

import numpy as np

from tfgraph.estimator import run_config as run_config_lib
from tfgraph.estimator.mode_keys import ModeKeys
from tfgraph.estimator.model_fn import LOSS_METRIC_KEY, EstimatorSpec
from tfgraph.framework.graph import Graph, GraphKeys
from tfgraph.platform import tf_logging as logging

__all__ = ["Estimator", "VocabInfo", "WarmStartSettings"]

_VALID_MODEL_FN_ARGS = {"features", "labels", "mode", "params", "self", "config"}


def fn_args(fn) -> tuple:
    """The names of `fn`'s arguments (of a partial: those still unbound; of a bound
    method or a callable object: without `self`)."""
    if isinstance(fn, functools.partial):
        args = fn_args(fn.func)
        keywords = fn.keywords or {}
        return tuple(a for a in args[len(fn.args) :] if a not in keywords)
    if not (inspect.isfunction(fn) or inspect.ismethod(fn)) and callable(fn):
        fn = fn.__call__
    params = inspect.signature(fn).parameters.values()
    return tuple(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def verify_model_fn_args(model_fn, params) -> None:
    args = set(fn_args(model_fn))
    if "features" not in args:
        raise ValueError(f"model_fn ({model_fn}) must include features argument.")
    if params is not None and "params" not in args:
        raise ValueError(
            f"model_fn ({model_fn}) does not include params argument, but params "
            f"({params}) is passed to Estimator."
        )
    if params is None and "params" in args:
        logging.warning(
            "Estimator's model_fn (%s) includes params argument, but params are not "
            "passed to Estimator.",
            model_fn,
        )
    extra = list(args - _VALID_MODEL_FN_ARGS)
    if extra:
        raise ValueError(f"model_fn ({model_fn}) has following not expected args: {extra}")


# -- warm starting ---------------------------------------------------------------------------------
def _vocab_info():
    from tfgraph.training.warm_starting import VocabInfo

    return VocabInfo


VocabInfo = _vocab_info()


class WarmStartSettings(
    collections.namedtuple(
        "WarmStartSettings",
        [
            "ckpt_to_initialize_from",
            "vars_to_warm_start",
            "var_name_to_vocab_info",
            "var_name_to_prev_var_name",
        ],
    )
):
    """Which variables to initialize from which checkpoint (or SavedModel) when an
    Estimator starts training without a checkpoint of its own."""

    def __new__(
        cls,
        ckpt_to_initialize_from,
        vars_to_warm_start=".*",
        var_name_to_vocab_info=None,
        var_name_to_prev_var_name=None,
    ):
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        return super().__new__(
            cls,
            ckpt_to_initialize_from,
            vars_to_warm_start,
            var_name_to_vocab_info or {},
            var_name_to_prev_var_name or {},
        )


def _saved_model_ckpt(path: str):
    variables = os.path.join(path, "variables", "variables")
    if os.path.exists(variables + ".index"):
        return variables
    return None


def _default_warm_start_settings(warm_start_from):
    if warm_start_from is None:
        return None
    if isinstance(warm_start_from, (str, bytes, os.PathLike)):
        path = os.fsdecode(warm_start_from)
        saved = _saved_model_ckpt(path) if os.path.isdir(path) else None
        if saved:
            return WarmStartSettings(ckpt_to_initialize_from=saved)
        return WarmStartSettings(ckpt_to_initialize_from=path)
    if isinstance(warm_start_from, WarmStartSettings):
        path = warm_start_from.ckpt_to_initialize_from
        saved = _saved_model_ckpt(path) if os.path.isdir(path) else None
        if saved:
            return warm_start_from._replace(ckpt_to_initialize_from=saved)
        return warm_start_from
    raise ValueError(
        "warm_start_from must be a string or a WarmStartSettings, instead got "
        f"{type(warm_start_from)}"
    )


# -- config --------------------------------------------------------------------------------------
def maybe_overwrite_model_dir_and_session_config(config, model_dir):
    if config is None:
        config = run_config_lib.RunConfig()
        logging.info("Using default config.")
    if not isinstance(config, run_config_lib.RunConfig):
        raise ValueError(f"config must be an instance of `RunConfig`, but provided {config}.")
    if config.session_config is None:
        config = run_config_lib.RunConfig._replace(
            copy.deepcopy(config), session_config=run_config_lib.get_default_session_config()
        )
    if model_dir is not None:
        model_dir = os.fspath(model_dir)
        if config.model_dir is not None and config.model_dir != model_dir:
            raise ValueError(
                "`model_dir` are set both in constructor and `RunConfig`, but with different "
                f"values. In constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}' "
            )
    if model_dir:
        config = run_config_lib.RunConfig._replace(copy.deepcopy(config), model_dir=model_dir)
    elif config.model_dir is None:
        model_dir = tempfile.mkdtemp()
        logging.warning("Using temporary folder as model directory: %s", model_dir)
        config = run_config_lib.RunConfig._replace(copy.deepcopy(config), model_dir=model_dir)
    return config


def _check_hooks_type(hooks):
    from tfgraph.training.session_run_hook import SessionRunHook

    hooks = list(hooks or [])
    for h in hooks:
        if not isinstance(h, SessionRunHook):
            raise TypeError(f"Hooks must be a SessionRunHook, given: {h}")
    return hooks


def _check_listeners_type(saving_listeners):
    from tfgraph.training.basic_session_run_hooks import CheckpointSaverListener

    listeners = list(saving_listeners or [])
    for listener in listeners:
        if not isinstance(listener, CheckpointSaverListener):
            raise TypeError(
                f"saving_listeners must be a list of CheckpointSaverListener, given: {listener}"
            )
    return listeners


def _check_checkpoint_available(model_dir) -> None:
    from tfgraph.training.checkpoint_management import latest_checkpoint

    if not latest_checkpoint(model_dir):
        raise ValueError(f"Could not find trained model in model_dir: {model_dir}.")


def _load_global_step_from_checkpoint_dir(checkpoint_dir) -> int:
    from tfgraph.training.checkpoint_management import latest_checkpoint
    from tfgraph.training.checkpoint_utils import NewCheckpointReader

    try:
        reader = NewCheckpointReader(latest_checkpoint(checkpoint_dir))
        return int(reader.get_tensor(GraphKeys.GLOBAL_STEP))
    except Exception:
        return 0


# -- input_fn results --------------------------------------------------------------------------
def _dataset_initializer_hook(iterator):
    from tfgraph.training.session_run_hook import SessionRunHook

    class DatasetInitializerHook(SessionRunHook):
        def begin(self) -> None:
            self._initializer = iterator.initializer

        def after_create_session(self, session, coord) -> None:
            session.run(self._initializer)

    return DatasetInitializerHook()


def _is_dataset(result) -> bool:
    from tfgraph.data.dataset_ops import Dataset

    return isinstance(result, Dataset)


def parse_input_fn_result(result):
    """(features, labels, input_hooks) from what an input_fn returned: a Dataset (read
    through an initializable iterator), a (features, labels) pair or features alone."""
    input_hooks = []
    if _is_dataset(result):
        from tfgraph.data.iterator_ops import make_initializable_iterator

        iterator = make_initializable_iterator(result)
        input_hooks.append(_dataset_initializer_hook(iterator))
        result = iterator.get_next()
    if isinstance(result, (list, tuple)):
        if len(result) != 2:
            raise ValueError("input_fn should return (features, labels) as a len 2 tuple.")
        return result[0], result[1], input_hooks
    return result, None, input_hooks


def _has_dataset_or_queue_runner(maybe_tensor) -> bool:
    from tfgraph.framework import nest
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.framework.ops import Tensor

    tensors = [x for x in nest.flatten(maybe_tensor) if isinstance(x, Tensor)]
    if any(t.op.type == "IteratorGetNext" for t in tensors):
        return True
    return bool(get_default_graph().get_collection(GraphKeys.QUEUE_RUNNERS))


# -- evaluation ----------------------------------------------------------------------------------
def _get_or_create_eval_step():
    import tfgraph as tf
    from tfgraph.framework import dtypes
    from tfgraph.framework.graph import get_default_graph

    steps = get_default_graph().get_collection(GraphKeys.EVAL_STEP)
    if len(steps) == 1:
        return steps[0]
    if len(steps) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    return tf.get_variable(
        "eval_step",
        shape=[],
        dtype=dtypes.int64,
        initializer=tf.zeros_initializer(),
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP],
    )


def _stop_after_n_evals_hook(num_evals):
    from tfgraph.training.session_run_hook import SessionRunArgs, SessionRunHook

    class StopAfterNEvalsHook(SessionRunHook):
        """Stops an evaluation after `num_evals` batches (None: at the input's end)."""

        def __init__(self) -> None:
            self._num_evals = num_evals
            self._evals_completed = None
            self._log_frequency = (
                1 if (num_evals is None or num_evals < 20) else int(num_evals / 10.0)
            )

        def _set_evals_completed_tensor(self, tensor) -> None:
            self._evals_completed = tensor

        def before_run(self, run_context):
            return SessionRunArgs({"evals_completed": self._evals_completed})

        def after_run(self, run_context, run_values) -> None:
            done = run_values.results["evals_completed"]
            if self._num_evals is None:
                logging.info("Evaluation [%d]", done)
            elif done % self._log_frequency == 0 or done == self._num_evals:
                logging.info("Evaluation [%d/%d]", done, self._num_evals)
            if self._num_evals is not None and done >= self._num_evals:
                run_context.request_stop()

    return StopAfterNEvalsHook()


def _evaluate_once(checkpoint_path, scaffold, eval_ops, final_ops, hooks, config):
    import tfgraph as tf
    from tfgraph.framework.graph import control_dependencies
    from tfgraph.training import basic_session_run_hooks as hooks_lib
    from tfgraph.training import monitored_session

    eval_step = _get_or_create_eval_step()
    hooks = list(hooks or [])
    if eval_ops is not None:
        update_eval_step = tf.assign_add(eval_step, 1, use_locking=True)
        eval_ops = [eval_ops, update_eval_step]
        with control_dependencies(eval_ops):
            eval_step_value = tf.identity(eval_step.read_value())
        for h in hooks:
            if hasattr(h, "_set_evals_completed_tensor"):
                h._set_evals_completed_tensor(eval_step_value)
    logging.info("Starting evaluation at " + time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime()))
    start = time.time()
    creator = monitored_session.ChiefSessionCreator(
        scaffold=scaffold, checkpoint_filename_with_path=checkpoint_path, config=config
    )
    final_ops_hook = hooks_lib.FinalOpsHook(final_ops)
    hooks.append(final_ops_hook)
    with monitored_session.MonitoredSession(session_creator=creator, hooks=hooks) as session:
        if eval_ops is not None:
            while not session.should_stop():
                session.run(eval_ops)
    logging.info(f"Inference Time : {time.time() - start:0.5f}s")
    logging.info("Finished evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime()))
    return final_ops_hook.final_ops_values


def _extract_metric_update_ops(eval_dict):
    import tfgraph as tf

    update_ops = []
    value_ops = {}
    for name, value in sorted(eval_dict.items()):
        value_ops[name] = value[0]
        update_ops.append(value[1])
    update_op = tf.group(*update_ops) if update_ops else None
    return update_op, value_ops


def _dict_to_str(dictionary) -> str:
    return ", ".join(
        f"{k} = {v}" for k, v in sorted(dictionary.items()) if not isinstance(v, bytes)
    )


def _write_dict_to_summary(output_dir, dictionary, current_global_step) -> None:
    from tfgraph import proto
    from tfgraph.io.tensor_proto import make_tensor_proto
    from tfgraph.summary_writer import FileWriterCache

    logging.info(
        "Saving dict for global step %d: %s", current_global_step, _dict_to_str(dictionary)
    )
    writer = FileWriterCache.get(output_dir)
    summary = proto.Summary()
    for key in dictionary:
        value = dictionary[key]
        if value is None or key == "global_step":
            continue
        if isinstance(value, (np.float32, float)):
            summary.value.add(tag=key, simple_value=float(value))
        elif isinstance(value, (np.int64, np.int32, int)):
            summary.value.add(tag=key, simple_value=int(value))
        elif isinstance(value, bytes):
            try:
                parsed = proto.Summary.FromString(value)
                for i, _ in enumerate(parsed.value):
                    parsed.value[i].tag = f"{key}/{i}"
                summary.value.extend(parsed.value)
            except Exception:
                logging.warning("Skipping summary for %s, cannot parse string to Summary.", key)
                continue
        elif isinstance(value, np.ndarray):
            entry = summary.value.add()
            entry.tag = key
            entry.node_name = key
            entry.tensor.CopyFrom(make_tensor_proto(value))
        else:
            logging.warning(
                "Skipping summary for %s, must be a float, np.float32, np.int64, np.int32 or "
                "int or np.ndarray or a serialized string of Summary.",
                key,
            )
    writer.add_summary(summary, current_global_step)
    writer.flush()


def _write_checkpoint_path_to_summary(output_dir, checkpoint_path, current_global_step) -> None:
    from tfgraph import proto
    from tfgraph.framework import dtypes
    from tfgraph.io.tensor_proto import make_tensor_proto
    from tfgraph.summary_writer import FileWriterCache

    logging.info(
        "Saving 'checkpoint_path' summary for global step %d: %s",
        current_global_step,
        checkpoint_path,
    )
    summary = proto.Summary()
    summary.value.add(
        tag="checkpoint_path", tensor=make_tensor_proto(checkpoint_path, dtype=dtypes.string)
    )
    writer = FileWriterCache.get(output_dir)
    writer.add_summary(summary, current_global_step)
    writer.flush()


# -- training hooks ------------------------------------------------------------------------------
def _summary_hooks(model_dir, scaffold, save_summary_steps, log_step_count_steps):
    """The StepCounterHook and SummarySaverHook MonitoredTrainingSession would add (they
    read the global step before each run's update, so summaries land on steps 1, 1 + N,
    1 + 2N, ...)."""
    from tfgraph.training import basic_session_run_hooks as hooks_lib

    hooks = []
    if log_step_count_steps and log_step_count_steps > 0:
        hooks.append(
            hooks_lib.StepCounterHook(output_dir=model_dir, every_n_steps=log_step_count_steps)
        )
    if save_summary_steps and save_summary_steps > 0:
        hooks.append(
            hooks_lib.SummarySaverHook(
                scaffold=scaffold, save_steps=save_summary_steps, output_dir=model_dir
            )
        )
    return hooks


_ALLOWED_OVERRIDES = {"model_fn", "_create_and_assert_global_step", "_export_all_saved_models"}


def _assert_members_are_not_overridden(cls, obj) -> None:
    """Subclasses may add members but not replace Estimator's (as TF checks)."""
    members = {m for m in dir(cls) if not m.startswith("__")}
    common = members & set(type(obj).__dict__) - _ALLOWED_OVERRIDES
    overridden = sorted(m for m in common if getattr(cls, m) != getattr(type(obj), m))
    if overridden:
        raise ValueError(
            "Subclasses of Estimator cannot override members of Estimator. "
            f"{type(obj)} does override {overridden}"
        )


# -- the Estimator -------------------------------------------------------------------------------
class Estimator:
    """Trains, evaluates, predicts with and exports the model `model_fn` builds.

    `model_fn(features, labels, mode, params, config)` (only `features` is required;
    `labels`, `mode`, `params` and `config` are passed when named) returns an
    EstimatorSpec. `input_fn()` (optionally taking `mode`, `params`, `config`) returns
    (features, labels), features alone, or a `tf.data.Dataset` of either."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        _assert_members_are_not_overridden(Estimator, self)
        self._config = maybe_overwrite_model_dir_and_session_config(config, model_dir)
        self._model_dir = self._config.model_dir
        self._session_config = self._config.session_config
        logging.info("Using config: %s", str(vars(self._config)))
        self._device_fn = self._config.device_fn
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        verify_model_fn_args(model_fn, params)
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        self._warm_start_settings = _default_warm_start_settings(warm_start_from)

    @property
    def model_dir(self):
        return self._model_dir

    @property
    def config(self):
        return copy.deepcopy(self._config)

    @property
    def params(self):
        return copy.deepcopy(self._params)

    @property
    def model_fn(self):
        """The `model_fn` bound to `params`: `fn(features, labels, mode, config)`."""

        def public_model_fn(features, labels, mode, config):
            return self._call_model_fn(features, labels, mode, config)

        return public_model_fn

    # -- checkpoints ---------------------------------------------------------------------------
    def get_variable_value(self, name):
        """The value of variable `name` in the latest checkpoint."""
        from tfgraph.training.checkpoint_utils import load_variable

        _check_checkpoint_available(self.model_dir)
        return load_variable(self.model_dir, name)

    def get_variable_names(self):
        """The names of the variables in the latest checkpoint."""
        from tfgraph.training.checkpoint_utils import list_variables

        _check_checkpoint_available(self.model_dir)
        return [name for name, _ in list_variables(self.model_dir)]

    def latest_checkpoint(self):
        """The path of the latest checkpoint of `model_dir`, or None."""
        from tfgraph.training.checkpoint_management import latest_checkpoint

        return latest_checkpoint(self.model_dir)

    def eval_dir(self, name=None):
        """Where evaluation summaries go: model_dir/eval or model_dir/eval_<name>."""
        return os.path.join(self._model_dir, "eval" if not name else "eval_" + name)

    # -- calling the user's functions --------------------------------------------------------
    def _call_input_fn(self, input_fn, mode):
        from tfgraph.framework.graph import device

        args = fn_args(input_fn)
        kwargs = {}
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self.config
        with device("/cpu:0"):
            return input_fn(**kwargs)

    def _call_model_fn(self, features, labels, mode, config):
        args = fn_args(self._model_fn)
        kwargs = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = config
        logging.info("Calling model_fn.")
        results = self._model_fn(features=features, **kwargs)
        logging.info("Done calling model_fn.")
        if not isinstance(results, EstimatorSpec):
            raise ValueError("model_fn should return an EstimatorSpec.")
        return results

    def _create_and_assert_global_step(self, graph):
        from tfgraph.training import training_util

        step = training_util.create_global_step(graph)
        assert step is training_util.get_global_step()
        assert step.dtype.is_integer
        return step

    def _maybe_warm_start(self, checkpoint_path) -> None:
        if not checkpoint_path and self._warm_start_settings:
            self._warm_start()

    def _warm_start(self) -> None:
        from tfgraph.training.warm_starting import warm_start

        logging.info("Warm-starting with WarmStartSettings: %s", self._warm_start_settings)
        warm_start(*self._warm_start_settings)

    # -- train ---------------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Trains on `input_fn`'s batches: `steps` more steps, or up to global step
        `max_steps`, or until the input ends (OutOfRangeError). Returns self."""
        from tfgraph.training.basic_session_run_hooks import StopAtStepHook

        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        if max_steps is not None:
            start_step = _load_global_step_from_checkpoint_dir(self._model_dir)
            if max_steps <= start_step:
                logging.info("Skipping training since max_steps has already saved.")
                return self
        hooks = _check_hooks_type(hooks)
        if steps is not None or max_steps is not None:
            hooks.append(StopAtStepHook(steps, max_steps))
        saving_listeners = _check_listeners_type(saving_listeners)
        loss = self._train_model(input_fn, hooks, saving_listeners)
        logging.info("Loss for final step: %s.", loss)
        return self

    def _train_model(self, input_fn, hooks, saving_listeners):
        import contextlib

        from tfgraph.framework import random_seed
        from tfgraph.training import training_util

        worker_hooks = []
        graph = Graph()
        with (
            graph.as_default(),
            graph.device(self._device_fn) if self._device_fn else contextlib.nullcontext(),
        ):
            random_seed.set_random_seed(self._config.tf_random_seed)
            global_step_tensor = self._create_and_assert_global_step(graph)
            training_util._get_or_create_global_step_read(graph)
            features, labels, input_hooks = parse_input_fn_result(
                self._call_input_fn(input_fn, ModeKeys.TRAIN)
            )
            worker_hooks.extend(input_hooks)
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN, self.config)
            global_step_tensor = training_util.get_global_step(graph)
            return self._train_with_estimator_spec(
                spec, worker_hooks, hooks, global_step_tensor, saving_listeners
            )

    def _train_with_estimator_spec(self, spec, worker_hooks, hooks, global_step, listeners):
        import tfgraph as tf
        from tfgraph.framework.graph import add_to_collection, get_collection
        from tfgraph.training import basic_session_run_hooks as hooks_lib
        from tfgraph.training.monitored_session import MonitoredTrainingSession
        from tfgraph.training.saver import Saver

        if self._warm_start_settings:
            self._warm_start()
        if not any(x.op.name == "loss" for x in get_collection(GraphKeys.SUMMARIES)):
            tf.summary.scalar("loss", spec.loss)
        add_to_collection(GraphKeys.LOSSES, spec.loss)
        worker_hooks.extend(hooks)
        worker_hooks.append(hooks_lib.NanTensorHook(spec.loss))
        if self._config.log_step_count_steps is not None:
            worker_hooks.append(
                hooks_lib.LoggingTensorHook(
                    {"loss": spec.loss, "step": global_step},
                    every_n_iter=self._config.log_step_count_steps,
                )
            )
        worker_hooks.extend(spec.training_hooks)
        if not (spec.scaffold.saver or get_collection(GraphKeys.SAVERS)):
            add_to_collection(
                GraphKeys.SAVERS,
                Saver(
                    sharded=True,
                    max_to_keep=self._config.keep_checkpoint_max,
                    keep_checkpoint_every_n_hours=self._config.keep_checkpoint_every_n_hours,
                    defer_build=True,
                    save_relative_paths=True,
                ),
            )
        chief_hooks = []
        all_hooks = worker_hooks + list(spec.training_chief_hooks)
        saver_hooks = [h for h in all_hooks if isinstance(h, hooks_lib.CheckpointSaverHook)]
        if self._config.save_checkpoints_secs or self._config.save_checkpoints_steps:
            if not saver_hooks:
                chief_hooks = [
                    hooks_lib.CheckpointSaverHook(
                        self._model_dir,
                        save_secs=self._config.save_checkpoints_secs,
                        save_steps=self._config.save_checkpoints_steps,
                        scaffold=spec.scaffold,
                    )
                ]
                saver_hooks = [chief_hooks[0]]
        if listeners:
            if not saver_hooks:
                raise ValueError(
                    "There should be a CheckpointSaverHook to use saving_listeners. Please set "
                    "one of the RunConfig.save_checkpoints_steps or "
                    "RunConfig.save_checkpoints_secs."
                )
            for listener in listeners:
                if listener not in saver_hooks[0]._listeners:
                    saver_hooks[0]._listeners.append(listener)
        summary_hooks = _summary_hooks(
            self._model_dir,
            spec.scaffold,
            self._config.save_summary_steps,
            self._config.log_step_count_steps,
        )
        loss = None
        any_step_done = False
        with MonitoredTrainingSession(
            master=self._config.master,
            is_chief=self._config.is_chief,
            checkpoint_dir=self._model_dir,
            scaffold=spec.scaffold,
            hooks=worker_hooks,
            chief_only_hooks=tuple(chief_hooks)
            + tuple(spec.training_chief_hooks)
            + tuple(summary_hooks),
            save_checkpoint_secs=0,
            save_summaries_steps=0,
            config=self._session_config,
            max_wait_secs=self._config.session_creation_timeout_secs,
            log_step_count_steps=None,
        ) as mon_sess:
            while not mon_sess.should_stop():
                _, loss = mon_sess.run([spec.train_op, spec.loss])
                any_step_done = True
        if not any_step_done:
            logging.warning(
                "Training with estimator made no steps. Perhaps input is empty or misspecified."
            )
        return loss

    # -- evaluate ------------------------------------------------------------------------------
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Evaluates on `input_fn` (`steps` batches, or until the input ends) with the
        latest (or the given) checkpoint; returns {metric: value, 'loss': mean loss,
        'global_step': step} and writes them to `eval_dir(name)`."""
        from tfgraph.training.checkpoint_management import latest_checkpoint

        hooks = _check_hooks_type(hooks)
        if steps is not None:
            if steps <= 0:
                raise ValueError(f"Must specify steps > 0, given: {steps}")
            hooks.append(_stop_after_n_evals_hook(steps))
        if not checkpoint_path:
            latest = latest_checkpoint(self._model_dir)
            if not latest:
                logging.info(
                    f"Could not find trained model in model_dir: {self._model_dir}, running "
                    "initialization to evaluate."
                )
            checkpoint_path = latest
        with Graph().as_default():
            scaffold, update_op, eval_dict, all_hooks = self._evaluate_build_graph(
                input_fn, hooks, checkpoint_path
            )
            results = _evaluate_once(
                checkpoint_path,
                scaffold,
                update_op,
                eval_dict,
                all_hooks,
                self._session_config,
            )
            output_dir = self.eval_dir(name)
            step = results[GraphKeys.GLOBAL_STEP]
            _write_dict_to_summary(output_dir, results, step)
            if checkpoint_path:
                _write_checkpoint_path_to_summary(output_dir, checkpoint_path, step)
            return results

    def _evaluate_build_graph(self, input_fn, hooks, checkpoint_path):
        import tfgraph as tf
        from tfgraph.framework import random_seed
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.training import training_util
        from tfgraph.training.monitored_session import Scaffold

        random_seed.set_random_seed(self._config.tf_random_seed)
        self._create_and_assert_global_step(get_default_graph())
        features, labels, input_hooks = parse_input_fn_result(
            self._call_input_fn(input_fn, ModeKeys.EVAL)
        )
        spec = self._call_model_fn(features, labels, ModeKeys.EVAL, self.config)
        eval_metric_ops = dict(spec.eval_metric_ops)
        if LOSS_METRIC_KEY in eval_metric_ops:
            raise ValueError(
                f'Metric with name "{LOSS_METRIC_KEY}" is not allowed, because Estimator '
                "already defines a default metric with the same name."
            )
        eval_metric_ops[LOSS_METRIC_KEY] = tf.metrics.mean(spec.loss)
        update_op, eval_dict = _extract_metric_update_ops(eval_metric_ops)
        global_step_tensor = training_util.get_global_step(get_default_graph())
        self._maybe_warm_start(checkpoint_path)
        if GraphKeys.GLOBAL_STEP in eval_dict:
            raise ValueError(
                "Metric with name `global_step` is not allowed, because Estimator already "
                "defines a default metric with the same name."
            )
        eval_dict[GraphKeys.GLOBAL_STEP] = global_step_tensor
        all_hooks = list(input_hooks) + list(hooks) + list(spec.evaluation_hooks or [])
        scaffold = spec.scaffold
        if scaffold and scaffold.local_init_op:
            _get_or_create_eval_step()
            scaffold = Scaffold(
                local_init_op=tf.group(scaffold.local_init_op, Scaffold.default_local_init_op()),
                copy_from_scaffold=scaffold,
            )
        return scaffold, update_op, eval_dict, all_hooks

    # -- predict -------------------------------------------------------------------------------
    def predict(
        self,
        input_fn,
        predict_keys=None,
        hooks=None,
        checkpoint_path=None,
        yield_single_examples=True,
    ):
        """Yields the predictions of the latest (or the given) checkpoint on
        `input_fn`'s features, one example at a time (a dict when `predictions` is one,
        filtered by `predict_keys`), or whole batches with `yield_single_examples=False`."""
        from tfgraph.framework import random_seed
        from tfgraph.training import monitored_session
        from tfgraph.training.checkpoint_management import latest_checkpoint

        hooks = _check_hooks_type(hooks)
        if not checkpoint_path:
            checkpoint_path = latest_checkpoint(self._model_dir)
        if not checkpoint_path:
            logging.info(
                f"Could not find trained model in model_dir: {self._model_dir}, running "
                "initialization to predict."
            )
        graph = Graph()
        with graph.as_default():
            random_seed.set_random_seed(self._config.tf_random_seed)
            self._create_and_assert_global_step(graph)
            features, _, input_hooks = parse_input_fn_result(
                self._call_input_fn(input_fn, ModeKeys.PREDICT)
            )
            if not _has_dataset_or_queue_runner(features):
                logging.warning(
                    "Input graph does not use tf.data.Dataset or contain a QueueRunner. That "
                    "means predict yields forever. This is probably a mistake."
                )
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT, self.config)
            self._maybe_warm_start(checkpoint_path)
            predictions = self._extract_keys(spec.predictions, predict_keys)
            all_hooks = list(input_hooks) + list(hooks) + list(spec.prediction_hooks or [])
            with monitored_session.MonitoredSession(
                session_creator=monitored_session.ChiefSessionCreator(
                    checkpoint_filename_with_path=checkpoint_path,
                    scaffold=spec.scaffold,
                    config=self._session_config,
                ),
                hooks=all_hooks,
            ) as mon_sess:
                while not mon_sess.should_stop():
                    values = mon_sess.run(predictions)
                    if not yield_single_examples:
                        yield values
                    elif not isinstance(predictions, dict):
                        yield from values
                    else:
                        for i in range(self._extract_batch_length(values)):
                            yield {key: value[i] for key, value in values.items()}

    @staticmethod
    def _extract_batch_length(values):
        batch_length = None
        for key, value in values.items():
            batch_length = batch_length or value.shape[0]
            if value.shape[0] != batch_length:
                raise ValueError(
                    f"Batch length of predictions should be same. {key} has different batch "
                    "length than others."
                )
        return batch_length

    @staticmethod
    def _extract_keys(predictions, predict_keys):
        if not predict_keys:
            return predictions
        if not isinstance(predictions, dict):
            raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
        existing_keys = predictions.keys()
        predictions = {k: v for k, v in predictions.items() if k in predict_keys}
        if not predictions:
            raise ValueError(
                f"Expected to run at least one output from {existing_keys}, provided "
                f"{predict_keys}."
            )
        return predictions

    # -- export --------------------------------------------------------------------------------
    def export_saved_model(
        self,
        export_dir_base,
        serving_input_receiver_fn,
        assets_extra=None,
        as_text=False,
        checkpoint_path=None,
        experimental_mode=ModeKeys.PREDICT,
    ):
        """Writes a SavedModel (tag `serve`) of the PREDICT graph fed by
        `serving_input_receiver_fn()`, with the variables of the latest (or given)
        checkpoint, into `export_dir_base/<timestamp>`; returns that path (bytes)."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        from tfgraph.estimator.export._export import export_all_saved_models

        return export_all_saved_models(
            self,
            export_dir_base,
            {experimental_mode: serving_input_receiver_fn},
            assets_extra=assets_extra,
            as_text=as_text,
            checkpoint_path=checkpoint_path,
            strip_default_attrs=True,
        )

    def experimental_export_all_saved_models(
        self,
        export_dir_base,
        input_receiver_fn_map,
        assets_extra=None,
        as_text=False,
        checkpoint_path=None,
    ):
        from tfgraph.estimator.export._export import export_all_saved_models

        return export_all_saved_models(
            self,
            export_dir_base,
            input_receiver_fn_map,
            assets_extra=assets_extra,
            as_text=as_text,
            checkpoint_path=checkpoint_path,
            strip_default_attrs=True,
        )

    def export_savedmodel(
        self,
        export_dir_base,
        serving_input_receiver_fn,
        assets_extra=None,
        as_text=False,
        checkpoint_path=None,
        strip_default_attrs=False,
    ):
        """TF 1.x's name of `export_saved_model` (deprecated there)."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        from tfgraph.estimator.export._export import export_all_saved_models

        return export_all_saved_models(
            self,
            export_dir_base,
            {ModeKeys.PREDICT: serving_input_receiver_fn},
            assets_extra=assets_extra,
            as_text=as_text,
            checkpoint_path=checkpoint_path,
            strip_default_attrs=strip_default_attrs,
        )
