"""`tf.contrib.slim.learning` (tf-slim's `learning`): `create_train_op` and the
Supervisor-driven `train` loop, with gradient clipping, multipliers and summaries."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

from tfgraph import errors
from tfgraph.framework.convert import constant as _constant
from tfgraph.framework.graph import GraphKeys, get_collection, get_collection_ref, get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.ops import check_ops, clip_ops, control_flow_ops, math_ops
from tfgraph.summary import histogram, merge_all, scalar
from tfgraph.training import training_util
from tfgraph.training.saver import Saver
from tfgraph.training.supervisor import Supervisor
from tfgraph.variables import (
    global_variables_initializer,
    local_variables_initializer,
    report_uninitialized_variables,
    trainable_variables,
)

__all__ = [
    "add_gradients_summaries",
    "clip_gradient_norms",
    "create_train_op",
    "multiply_gradients",
    "train",
    "train_step",
]

_log = logging.getLogger("tensorflow")
_USE_GLOBAL_STEP = 0
_USE_DEFAULT = 0


def _values(grad):
    return grad.values if isinstance(grad, IndexedSlices) else grad


def _with_values(grad, values):
    if isinstance(grad, IndexedSlices):
        return IndexedSlices(values, grad.indices, grad.dense_shape)
    return values


def clip_gradient_norms(gradients_to_variables, max_norm):
    """Each gradient clipped to norm `max_norm` (by itself, not globally)."""
    return [
        (None if g is None else _with_values(g, clip_ops.clip_by_norm(_values(g), max_norm)), v)
        for g, v in gradients_to_variables
    ]


def multiply_gradients(grads_and_vars, gradient_multipliers):
    """The gradients of the variables in `gradient_multipliers` (keyed by variable or
    op name) scaled by their multipliers."""
    if not isinstance(grads_and_vars, list):
        raise ValueError("`grads_and_vars` must be a list.")
    if not gradient_multipliers:
        raise ValueError("`gradient_multipliers` is empty.")
    if not isinstance(gradient_multipliers, dict):
        raise ValueError("`gradient_multipliers` must be a dict.")
    out = []
    for grad, var in grads_and_vars:
        if var in gradient_multipliers or var.op.name in gradient_multipliers:
            key = var if var in gradient_multipliers else var.op.name
            if grad is None:
                raise ValueError("Requested multiple of `None` gradient.")
            factor = gradient_multipliers[key]
            if not isinstance(factor, Tensor):
                factor = _constant(factor, dtype=grad.dtype)
            grad = _with_values(grad, _values(grad) * factor)
        out.append((grad, var))
    return out


def add_gradients_summaries(grads_and_vars):
    """A histogram and a norm summary per gradient (`VAR/gradient`, `VAR/gradient_norm`);
    returns the summaries."""
    return _gradient_summaries(grads_and_vars, "/")


def _gradient_summaries(grads_and_vars, separator: str) -> list:
    # (create_train_op names them `VAR_gradient`: tf-slim's training module does)
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            _log.info("Var %s has no gradient", var.op.name)
            continue
        values = _values(grad)
        name = var.op.name + separator + "gradient"
        summaries.append(histogram(name, values))
        summaries.append(scalar(name + "_norm", clip_ops.global_norm([values])))
    return summaries


def create_train_op(
    total_loss,
    optimizer,
    global_step=_USE_GLOBAL_STEP,
    update_ops=None,
    variables_to_train=None,
    clip_gradient_norm=0,
    summarize_gradients=False,
    gate_gradients=1,
    aggregation_method=None,
    colocate_gradients_with_ops=False,
    gradient_multipliers=None,
    check_numerics=True,
):
    """A tensor that applies one gradient step and evaluates to the loss (after the
    update ops: batch-norm statistics and the like)."""
    if global_step is _USE_GLOBAL_STEP:
        global_step = training_util.get_or_create_global_step()
    graph_updates = set(get_collection(GraphKeys.UPDATE_OPS))
    update_ops = graph_updates if update_ops is None else set(update_ops)
    if not graph_updates.issubset(update_ops):
        _log.warning(
            "update_ops in create_train_op does not contain all the update_ops in "
            "GraphKeys.UPDATE_OPS"
        )
    g = get_default_graph()
    if update_ops:
        with g.control_dependencies(update_ops):
            barrier = control_flow_ops.no_op(name="update_barrier")
        total_loss = control_flow_ops.with_dependencies([barrier], total_loss)
    if variables_to_train is None:
        variables_to_train = trainable_variables()
    if not variables_to_train:
        raise ValueError("create_train_op: no variables to train.")
    grads = optimizer.compute_gradients(
        total_loss,
        variables_to_train,
        gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops,
    )
    if gradient_multipliers:
        with g.name_scope("multiply_grads"):
            grads = multiply_gradients(grads, gradient_multipliers)
    if clip_gradient_norm > 0:
        with g.name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    if summarize_gradients:
        with g.name_scope("summarize_grads"):
            _gradient_summaries(grads, "_")
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with g.name_scope("train_op"):
        if check_numerics:
            total_loss = check_ops.check_numerics(total_loss, "LossTensor is inf or nan")
        train_op = control_flow_ops.with_dependencies([grad_updates], total_loss)
    train_ops = get_collection_ref(GraphKeys.TRAIN_OP)
    if train_op not in train_ops:
        train_ops.append(train_op)
    return train_op


def _chrome_trace(step_stats) -> str:
    """A step's stats in Chrome's trace-event format (what TF's timeline writes)."""
    events = []
    for pid, dev in enumerate(step_stats.dev_stats):
        events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": dev.device}})
        for node in dev.node_stats:
            events.append(
                {
                    "name": node.node_name,
                    "ph": "X",
                    "pid": pid,
                    "tid": 0,
                    "ts": node.all_start_micros,
                    "dur": node.all_end_rel_micros,
                    "args": {"name": node.node_name, "label": node.timeline_label},
                }
            )
    return json.dumps({"traceEvents": events})


def train_step(sess, train_op, global_step, train_step_kwargs):
    """Runs `train_op` once; returns (total loss, whether to stop). Logs, traces and
    stops as the `should_log`, `should_trace` and `should_stop` tensors say."""
    from tfgraph.proto import RunMetadata, RunOptions

    start = time.time()
    options = run_metadata = None
    if "should_trace" in train_step_kwargs:
        if "logdir" not in train_step_kwargs:
            raise ValueError(
                "logdir must be present in train_step_kwargs when should_trace is present"
            )
        if sess.run(train_step_kwargs["should_trace"]):
            options = RunOptions(trace_level=RunOptions.FULL_TRACE)
            run_metadata = RunMetadata()
    total_loss, step = sess.run([train_op, global_step], options=options, run_metadata=run_metadata)
    elapsed = time.time() - start
    if run_metadata is not None:
        path = os.path.join(train_step_kwargs["logdir"], f"tf_trace-{step}.json")
        _log.info("Writing trace to %s", path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(_chrome_trace(run_metadata.step_stats))
        if "summary_writer" in train_step_kwargs:
            train_step_kwargs["summary_writer"].add_run_metadata(
                run_metadata, f"run_metadata-{step}"
            )
    if "should_log" in train_step_kwargs and sess.run(train_step_kwargs["should_log"]):
        _log.info("global step %d: loss = %.4f (%.3f sec/step)", step, total_loss, elapsed)
    should_stop = False
    if "should_stop" in train_step_kwargs:
        should_stop = bool(sess.run(train_step_kwargs["should_stop"]))
    return total_loss, should_stop


def _check_train_arguments(logdir, summary_op, saver, trace_every_n_steps, number_of_steps):
    if logdir is None:
        if summary_op is not _USE_DEFAULT:
            raise ValueError("Cannot provide summary_op because logdir=None")
        if saver is not None:
            raise ValueError("Cannot provide saver because logdir=None")
        if trace_every_n_steps is not None:
            raise ValueError("Cannot provide trace_every_n_steps because logdir=None")
    if number_of_steps is not None and number_of_steps <= 0:
        raise ValueError("`number_of_steps` must be either None or a positive number.")


def _default_step_kwargs(global_step, number_of_steps, log_every_n_steps, trace, logdir):
    kwargs: dict = {}
    with get_default_graph().name_scope("train_step"):
        if number_of_steps:
            kwargs["should_stop"] = math_ops.greater_equal(global_step, number_of_steps)
        else:
            kwargs["should_stop"] = _constant(False)
        if log_every_n_steps > 0:
            kwargs["should_log"] = math_ops.equal(math_ops.mod(global_step, log_every_n_steps), 0)
        if trace is not None:
            kwargs["should_trace"] = math_ops.equal(math_ops.mod(global_step, trace), 0)
            kwargs["logdir"] = logdir
    return kwargs


def train(
    train_op,
    logdir,
    train_step_fn=train_step,
    train_step_kwargs=_USE_DEFAULT,
    log_every_n_steps=1,
    graph=None,
    master="",
    is_chief=True,
    global_step=None,
    number_of_steps=None,
    init_op=_USE_DEFAULT,
    init_feed_dict=None,
    local_init_op=_USE_DEFAULT,
    init_fn=None,
    ready_op=_USE_DEFAULT,
    summary_op=_USE_DEFAULT,
    save_summaries_secs=600,
    summary_writer=_USE_DEFAULT,
    startup_delay_steps=0,
    saver=None,
    save_interval_secs=600,
    sync_optimizer=None,
    session_config=None,
    session_wrapper=None,
    trace_every_n_steps=None,
    ignore_live_threads=False,
):
    """Trains with a `Supervisor`: initialises or restores from `logdir`, runs
    `train_step_fn` until it says stop (`number_of_steps`) or the input ends, saves
    summaries and checkpoints as configured and a final checkpoint; returns the last
    loss. (`sync_optimizer` is not supported.)"""
    if train_op is None:
        raise ValueError("train_op cannot be None.")
    _check_train_arguments(logdir, summary_op, saver, trace_every_n_steps, number_of_steps)
    if sync_optimizer is not None:
        raise errors.UnimplementedError(
            None, None, "slim.learning.train: sync_optimizer is not supported by tfgraph."
        )
    graph = graph or get_default_graph()
    with graph.as_default():
        if global_step is None:
            global_step = training_util.get_or_create_global_step()
        saver = saver or Saver()
        with graph.name_scope("init_ops"):
            if init_op is _USE_DEFAULT:
                init_op = global_variables_initializer()
            if ready_op is _USE_DEFAULT:
                ready_op = report_uninitialized_variables()
            if local_init_op is _USE_DEFAULT:
                local_init_op = control_flow_ops.group(local_variables_initializer())
        if summary_op is _USE_DEFAULT:
            summary_op = merge_all()
        if summary_writer is _USE_DEFAULT:
            summary_writer = Supervisor.USE_DEFAULT
        if train_step_kwargs is _USE_DEFAULT:
            trace = trace_every_n_steps if is_chief else None
            train_step_kwargs = _default_step_kwargs(
                global_step, number_of_steps, log_every_n_steps, trace, logdir
            )
    sv = Supervisor(
        graph=graph,
        is_chief=is_chief,
        logdir=logdir,
        init_op=init_op,
        init_feed_dict=init_feed_dict,
        local_init_op=local_init_op,
        ready_op=ready_op,
        summary_op=summary_op,
        summary_writer=summary_writer,
        global_step=global_step,
        saver=saver,
        save_summaries_secs=save_summaries_secs,
        save_model_secs=save_interval_secs,
        init_fn=init_fn,
    )
    if summary_writer is not None and sv.summary_writer is not None:
        train_step_kwargs["summary_writer"] = sv.summary_writer
    total_loss = None
    with sv.managed_session(master, start_standard_services=False, config=session_config) as sess:
        _log.info("Starting Session.")
        if session_wrapper is not None:
            sess = session_wrapper(sess)
        if is_chief:
            if logdir:
                sv.start_standard_services(sess)
        elif startup_delay_steps > 0:
            target = min(startup_delay_steps, number_of_steps or sys.maxsize)
            while training_util.global_step(sess, global_step) < target:
                time.sleep(1.0)
        threads = sv.start_queue_runners(sess)
        _log.info("Starting Queues.")
        try:
            while not sv.should_stop():
                total_loss, should_stop = train_step_fn(
                    sess, train_op, global_step, train_step_kwargs
                )
                if should_stop:
                    _log.info("Stopping Training.")
                    sv.request_stop()
                    break
        except errors.OutOfRangeError as e:
            _log.info("Caught OutOfRangeError. Stopping Training. %s", e)
        if logdir and sv.is_chief:
            _log.info("Finished training! Saving model to disk.")
            sv.saver.save(sess, sv.save_path, global_step=sv.global_step)
            sv.stop(threads, close_summary_writer=True, ignore_live_threads=ignore_live_threads)
    return total_loss
