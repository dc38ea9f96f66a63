"""`slim.evaluation` (tf-slim's evaluation module): evaluating a model from a checkpoint
once or each time a new one appears, with a MonitoredSession that runs the eval ops
`num_evals` times, then the final ops and a summary at the end."""

from __future__ import annotations

import math
import time

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, control_dependencies, get_collection
from tfgraph.ops import array_ops, init_ops, state_ops
from tfgraph.platform import tf_logging as logging
from tfgraph.training import basic_session_run_hooks, monitored_session, training_util
from tfgraph.training.checkpoint_utils import checkpoints_iterator, wait_for_new_checkpoint
from tfgraph.training.saver import Saver
from tfgraph.training.session_run_hook import SessionRunArgs, SessionRunHook
from tfgraph.variable_scope import get_variable

__all__ = [
    "StopAfterNEvalsHook",
    "SummaryAtEndHook",
    "checkpoints_iterator",
    "evaluate_once",
    "evaluate_repeatedly",
    "evaluation_loop",
    "get_or_create_eval_step",
    "wait_for_new_checkpoint",
]

_USE_DEFAULT = 0


def get_or_create_eval_step():
    """The graph's eval step: the int64 local variable `eval_step` (also in the
    EVAL_STEP collection), made at 0 when missing.

    Raises:
        ValueError: if the EVAL_STEP collection holds more than one tensor.
    """
    found = get_collection(GraphKeys.EVAL_STEP)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    return get_variable(
        GraphKeys.EVAL_STEP,
        shape=[],
        dtype=dtypes.int64,
        initializer=init_ops.zeros_initializer(),
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP],
    )


class StopAfterNEvalsHook(SessionRunHook):
    """Requests a stop once the eval step reaches `num_evals` (never with None)."""

    def __init__(self, num_evals, log_progress=True) -> None:
        self._num_evals = num_evals
        self._evals_completed = None
        self._log_progress = log_progress
        self._log_frequency = (
            1 if (num_evals is None or num_evals < 20) else math.floor(num_evals / 10.0)
        )

    def _set_evals_completed_tensor(self, updated_eval_step) -> None:
        self._evals_completed = updated_eval_step

    def before_run(self, run_context):
        return SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context, run_values) -> None:
        done = run_values.results["evals_completed"]
        if self._log_progress:
            if self._num_evals is None:
                logging.info("Evaluation [%d]", done)
            elif done % self._log_frequency == 0 or self._num_evals == done:
                logging.info("Evaluation [%d/%d]", done, self._num_evals)
        if self._num_evals is not None and done >= self._num_evals:
            run_context.request_stop()


class SummaryAtEndHook(SessionRunHook):
    """Runs `summary_op` (default: all summaries merged) once the evaluation ends and
    writes it at the global step, to `summary_writer` or a writer on `log_dir`.

    Raises:
        ValueError: if both `log_dir` and `summary_writer` are None.
    """

    def __init__(self, log_dir=None, summary_writer=None, summary_op=None, feed_dict=None):
        self._summary_op = summary_op
        self._replace_summary_op = summary_op is None
        self._feed_dict = feed_dict
        self._summary_writer = summary_writer
        self._log_dir = log_dir
        if self._log_dir is None and self._summary_writer is None:
            raise ValueError("One of log_dir or summary_writer should be used.")

    def begin(self) -> None:
        if self._replace_summary_op:
            self._summary_op = _summary().merge_all()
        self._global_step = training_util.get_or_create_global_step()

    def after_create_session(self, session, coord) -> None:
        if self._summary_writer is None and self._log_dir:
            self._summary_writer = _summary().FileWriterCache.get(self._log_dir)

    def end(self, session) -> None:
        if self._summary_op is not None:
            step = training_util.global_step(session, self._global_step)
            summary_str = session.run(self._summary_op, self._feed_dict)
            if self._summary_writer:
                self._summary_writer.add_summary(summary_str, step)
        if self._summary_writer:
            self._summary_writer.flush()


def _summary():
    from tfgraph import summary

    return summary


def _with_eval_step(eval_ops, hooks):
    update_eval_step = state_ops.assign_add(get_or_create_eval_step(), 1, use_locking=True)
    if isinstance(eval_ops, dict):
        eval_ops["update_eval_step"] = update_eval_step
        deps = list(eval_ops.values())
    elif isinstance(eval_ops, (tuple, list)):
        eval_ops = list(eval_ops) + [update_eval_step]
        deps = eval_ops
    else:
        eval_ops = [eval_ops, update_eval_step]
        deps = eval_ops
    with control_dependencies(deps):
        value = array_ops.identity(get_or_create_eval_step().read_value())
    for hook in hooks:
        if isinstance(hook, StopAfterNEvalsHook):
            hook._set_evals_completed_tensor(value)
    return eval_ops


def _evaluate_once(checkpoint_path, master="", scaffold=None, eval_ops=None, feed_dict=None,
                   final_ops=None, final_ops_feed_dict=None, hooks=None, config=None):  # fmt: skip
    get_or_create_eval_step()
    hooks = list(hooks or [])
    if eval_ops is not None:
        eval_ops = _with_eval_step(eval_ops, hooks)
    logging.info("Starting evaluation at " + time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime()))
    start = time.time()
    creator = monitored_session.ChiefSessionCreator(
        scaffold=scaffold,
        checkpoint_filename_with_path=checkpoint_path,
        master=master,
        config=config,
    )
    final_ops_hook = basic_session_run_hooks.FinalOpsHook(final_ops, final_ops_feed_dict)
    hooks.append(final_ops_hook)
    with monitored_session.MonitoredSession(session_creator=creator, hooks=hooks) as session:
        if eval_ops is not None:
            while not session.should_stop():
                session.run(eval_ops, feed_dict)
    logging.info(f"Inference Time : {time.time() - start:0.5f}s")
    logging.info("Finished evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime()))
    return final_ops_hook.final_ops_values


def evaluate_repeatedly(checkpoint_dir, master="", scaffold=None, eval_ops=None,
                        feed_dict=None, final_ops=None, final_ops_feed_dict=None,
                        eval_interval_secs=60, hooks=None, config=None,
                        max_number_of_evaluations=None, timeout=None,
                        timeout_fn=None):  # fmt: skip
    """Evaluates each new checkpoint of `checkpoint_dir` (at most every
    `eval_interval_secs`) until `max_number_of_evaluations` or the timeout; returns the
    last evaluation's final ops' values."""
    get_or_create_eval_step()
    hooks = hooks or []
    if eval_ops is not None:
        eval_ops = _with_eval_step(eval_ops, hooks)
    final_ops_hook = basic_session_run_hooks.FinalOpsHook(final_ops, final_ops_feed_dict)
    hooks.append(final_ops_hook)
    checkpoints = checkpoints_iterator(
        checkpoint_dir,
        min_interval_secs=eval_interval_secs,
        timeout=timeout,
        timeout_fn=timeout_fn,
    )
    for done, checkpoint_path in enumerate(checkpoints, 1):
        creator = monitored_session.ChiefSessionCreator(
            scaffold=scaffold,
            checkpoint_filename_with_path=checkpoint_path,
            master=master,
            config=config,
        )
        with monitored_session.MonitoredSession(session_creator=creator, hooks=hooks) as sess:
            logging.info(
                "Starting evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S", time.gmtime())
            )
            if eval_ops is not None:
                while not sess.should_stop():
                    sess.run(eval_ops, feed_dict)
            logging.info(
                "Finished evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S", time.gmtime())
            )
        if max_number_of_evaluations is not None and done >= max_number_of_evaluations:
            return final_ops_hook.final_ops_values
    return final_ops_hook.final_ops_values


def _hooks(num_evals, summary_op, logdir, summary_op_feed_dict, hooks):
    if summary_op == _USE_DEFAULT:
        summary_op = _summary().merge_all()
    all_hooks = [StopAfterNEvalsHook(num_evals)]
    if summary_op is not None:
        all_hooks.append(
            SummaryAtEndHook(log_dir=logdir, summary_op=summary_op, feed_dict=summary_op_feed_dict)
        )
    if hooks is not None:
        all_hooks.extend(hooks)
    return all_hooks


def evaluate_once(master, checkpoint_path, logdir, num_evals=1, initial_op=None,
                  initial_op_feed_dict=None, eval_op=None, eval_op_feed_dict=None,
                  final_op=None, final_op_feed_dict=None, summary_op=_USE_DEFAULT,
                  summary_op_feed_dict=None, variables_to_restore=None,
                  session_config=None, hooks=None):  # fmt: skip
    """Restores `checkpoint_path`, runs `eval_op` `num_evals` times, then `final_op`
    (returned) and the summaries (written to `logdir`)."""
    all_hooks = _hooks(num_evals, summary_op, logdir, summary_op_feed_dict, hooks)
    saver = Saver(variables_to_restore) if variables_to_restore is not None else None
    return _evaluate_once(
        checkpoint_path,
        master=master,
        scaffold=monitored_session.Scaffold(
            init_op=initial_op, init_feed_dict=initial_op_feed_dict, saver=saver
        ),
        eval_ops=eval_op,
        feed_dict=eval_op_feed_dict,
        final_ops=final_op,
        final_ops_feed_dict=final_op_feed_dict,
        hooks=all_hooks,
        config=session_config,
    )


def evaluation_loop(master, checkpoint_dir, logdir, num_evals=1, initial_op=None,
                    initial_op_feed_dict=None, init_fn=None, eval_op=None,
                    eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                    summary_op=_USE_DEFAULT, summary_op_feed_dict=None,
                    variables_to_restore=None, eval_interval_secs=60,
                    max_number_of_evaluations=None, session_config=None, timeout=None,
                    timeout_fn=None, hooks=None):  # fmt: skip
    """`evaluate_once` on each new checkpoint of `checkpoint_dir` (see
    `evaluate_repeatedly`)."""
    all_hooks = _hooks(num_evals, summary_op, logdir, summary_op_feed_dict, hooks)
    saver = Saver(variables_to_restore) if variables_to_restore is not None else None
    return evaluate_repeatedly(
        checkpoint_dir,
        master=master,
        scaffold=monitored_session.Scaffold(
            init_op=initial_op, init_feed_dict=initial_op_feed_dict, init_fn=init_fn, saver=saver
        ),
        eval_ops=eval_op,
        feed_dict=eval_op_feed_dict,
        final_ops=final_op,
        final_ops_feed_dict=final_op_feed_dict,
        eval_interval_secs=eval_interval_secs,
        hooks=all_hooks,
        config=session_config,
        max_number_of_evaluations=max_number_of_evaluations,
        timeout=timeout,
        timeout_fn=timeout_fn,
    )
