"""`tf.train.MonitoredSession`, `SingularMonitoredSession`, `MonitoredTrainingSession`,
`Scaffold` and the session creators.

A monitored session finalizes the graph (through its Scaffold: init, ready and
local-init ops, the summary op and a Saver), creates a Session restoring the latest
checkpoint of `checkpoint_dir` when there is one (else running the init ops), starts
the queue runners under a Coordinator, and calls its hooks around every run. Leaving
its `with` block on OutOfRangeError (an input exhausted) is a normal end; closing it
calls the hooks' `end`, stops the coordinator and joins the queue-runner threads.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from tfgraph import errors
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.platform import tf_logging as logging
from tfgraph.training import basic_session_run_hooks as hooks_lib
from tfgraph.training.coordinator import Coordinator
from tfgraph.training.queue_runner import start_queue_runners
from tfgraph.training.session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

__all__ = [
    "ChiefSessionCreator",
    "MonitoredSession",
    "MonitoredTrainingSession",
    "Scaffold",
    "SessionCreator",
    "SingularMonitoredSession",
    "WorkerSessionCreator",
]

USE_DEFAULT = object()
_PREEMPTION_ERRORS = (errors.AbortedError, errors.UnavailableError)


class Scaffold:
    """The ops and objects a monitored session needs to create and run a session; what is
    not given is taken from the graph's collections or made by `finalize()`."""

    def __init__(
        self,
        init_op=None,
        init_feed_dict=None,
        init_fn=None,
        ready_op=None,
        ready_for_local_init_op=None,
        local_init_op=None,
        summary_op=None,
        saver=None,
        copy_from_scaffold=None,
        local_init_feed_dict=None,
    ) -> None:
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            init_op = init_op or copy_from_scaffold.init_op
            init_feed_dict = init_feed_dict or copy_from_scaffold.init_feed_dict
            init_fn = init_fn or getattr(copy_from_scaffold, "_user_init_fn", None)
            ready_op = ready_op or copy_from_scaffold.ready_op
            ready_for_local_init_op = (
                ready_for_local_init_op or copy_from_scaffold.ready_for_local_init_op
            )
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            local_init_feed_dict = local_init_feed_dict or copy_from_scaffold.local_init_feed_dict
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._local_init_feed_dict = local_init_feed_dict
        self._summary_op = summary_op
        self._saver = saver

    def finalize(self):
        """Creates the missing ops (once) and finalizes the default graph."""
        from tfgraph import variables
        from tfgraph.ops import array_ops, control_flow_ops, summary_ops

        if self._init_op is None:

            def default_init_op():
                return control_flow_ops.group(variables.global_variables_initializer())

            self._init_op = Scaffold.get_or_default("init_op", GraphKeys.INIT_OP, default_init_op)
        if self._ready_op is None:

            def default_ready_op():
                return array_ops.concat([variables.report_uninitialized_variables()], 0)

            self._ready_op = Scaffold.get_or_default(
                "ready_op", GraphKeys.READY_OP, default_ready_op
            )
        if self._ready_for_local_init_op is None:

            def default_ready_for_local_init_op():
                return variables.report_uninitialized_variables(variables.global_variables())

            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op",
                GraphKeys.READY_FOR_LOCAL_INIT_OP,
                default_ready_for_local_init_op,
            )
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default(
                "local_init_op", GraphKeys.LOCAL_INIT_OP, Scaffold.default_local_init_op
            )
        if self._summary_op is None:
            self._summary_op = Scaffold.get_or_default(
                "summary_op", GraphKeys.SUMMARY_OP, summary_ops.merge_all
            )
        if self._saver is None:
            self._saver = _get_saver_or_default()
        self._saver.build()
        get_default_graph().finalize()
        logging.info("Graph was finalized.")
        return self

    @property
    def init_fn(self):
        return self._init_fn

    @property
    def init_op(self):
        return self._init_op

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def ready_for_local_init_op(self):
        return self._ready_for_local_init_op

    @property
    def local_init_op(self):
        return self._local_init_op

    @property
    def local_init_feed_dict(self):
        return self._local_init_feed_dict

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def saver(self):
        return self._saver

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        """The single item of `collection_key`, else `default_constructor()` (added to
        the collection)."""
        elements = get_default_graph().get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError(
                    f"More than one item in the collection {collection_key}. Please indicate "
                    f"which one to use by passing it to the tf.Scaffold constructor as:  "
                    f"tf.Scaffold({arg_name}=item to use)"
                )
            return elements[0]
        op = default_constructor()
        if op is not None:
            get_default_graph().add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        """Initializes the local variables (and tables)."""
        from tfgraph import variables
        from tfgraph.ops import control_flow_ops

        return control_flow_ops.group(
            variables.local_variables_initializer(),
            *get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS),
        )


def _get_saver_or_default():
    from tfgraph.training.saver import Saver

    savers = get_default_graph().get_collection(GraphKeys.SAVERS)
    if savers:
        if len(savers) > 1:
            raise RuntimeError(
                f"More than one item in collection {GraphKeys.SAVERS}. Please indicate which "
                "one to use by passing it to the constructor."
            )
        return savers[0]
    saver = Saver(sharded=True, allow_empty=True)
    get_default_graph().add_to_collection(GraphKeys.SAVERS, saver)
    return saver


# -- creating sessions ---------------------------------------------------------------------------
def _ready(sess, op, feed_dict=None):
    """(True, None) when `op` (a report of uninitialized variables) is empty."""
    if op is None:
        return True, None
    names = sess.run(op, feed_dict=feed_dict)
    if names is None or len(names) == 0:
        return True, None
    listed = ", ".join(n.decode() if isinstance(n, bytes) else str(n) for n in names)
    return False, f"Variables not initialized: {listed}"


def _restore_latest(sess, saver, checkpoint_dir, checkpoint_filename_with_path) -> bool:
    from tfgraph.training import checkpoint_management

    if checkpoint_filename_with_path:
        saver.restore(sess, checkpoint_filename_with_path)
        return True
    if not checkpoint_dir or saver is None:
        return False
    path = checkpoint_management.latest_checkpoint(checkpoint_dir)
    if not path:
        return False
    logging.info("Restoring parameters from %s", path)
    saver.restore(sess, path)
    saver.recover_last_checkpoints(
        checkpoint_management.get_checkpoint_state(checkpoint_dir).all_model_checkpoint_paths
    )
    return True


def _local_init(sess, scaffold) -> None:
    ready, msg = _ready(sess, scaffold.ready_for_local_init_op)
    if not ready:
        raise RuntimeError(f"Init operations did not make model ready for local_init. {msg}")
    if scaffold.local_init_op is not None:
        logging.info("Running local_init_op.")
        sess.run(scaffold.local_init_op, feed_dict=scaffold.local_init_feed_dict)
        logging.info("Done running local_init_op.")


class SessionCreator:
    """Makes a `tf.Session` for a monitored session."""

    def create_session(self):
        raise NotImplementedError("create_session is not implemented for {self}.")


class ChiefSessionCreator(SessionCreator):
    """Restores from the latest checkpoint of `checkpoint_dir` or initializes."""

    def __init__(
        self,
        scaffold=None,
        master="",
        config=None,
        checkpoint_dir=None,
        checkpoint_filename_with_path=None,
    ) -> None:
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config

    def create_session(self):
        from tfgraph.client.session import Session

        self._scaffold.finalize()
        sess = Session(self._master, graph=get_default_graph(), config=self._config)
        restored = _restore_latest(
            sess,
            self._scaffold.saver,
            self._checkpoint_dir,
            self._checkpoint_filename_with_path,
        )
        if not restored:
            if self._scaffold.init_op is not None:
                sess.run(self._scaffold.init_op, feed_dict=self._scaffold.init_feed_dict)
            if self._scaffold.init_fn:
                self._scaffold.init_fn(sess)
        _local_init(sess, self._scaffold)
        ready, msg = _ready(sess, self._scaffold.ready_op)
        if not ready:
            raise RuntimeError(
                "Init operations did not make model ready.  Init op: "
                f"{self._scaffold.init_op.name if self._scaffold.init_op is not None else None}"
                f", init fn: {self._scaffold.init_fn}, error: {msg}"
            )
        return sess


class WorkerSessionCreator(SessionCreator):
    """A session for a non-chief worker: waits (up to `max_wait_secs`) for the model to
    be initialized by the chief, then runs the local init op. In one process a chief
    shares no state with it, so this only suits graphs whose variables the worker's own
    session restores or needs not initialize."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60) -> None:
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs

    def create_session(self):
        from tfgraph.client.session import Session

        self._scaffold.finalize()
        sess = Session(self._master, graph=get_default_graph(), config=self._config)
        deadline = time.time() + self._max_wait_secs
        while True:
            ready, msg = _ready(sess, self._scaffold.ready_for_local_init_op)
            if ready:
                break
            if time.time() >= deadline:
                sess.close()
                raise errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {self._max_wait_secs} secs."
                )
            logging.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s", msg)
            time.sleep(min(30, max(0.0, deadline - time.time())))
        _local_init(sess, self._scaffold)
        return sess


# -- the layers of a monitored session -------------------------------------------------------------
class _WrappedSession:
    """Forwards to a session; `should_stop` asks the wrapped session too."""

    def __init__(self, sess) -> None:
        self._sess = sess
        self._wrapped_is_stoppable = isinstance(sess, _WrappedSession)

    @property
    def graph(self):
        return self._sess.graph

    @property
    def sess_str(self):
        return self._sess.sess_str

    def should_stop(self) -> bool:
        if self._check_stop():
            return True
        if self._sess is not None and self._wrapped_is_stoppable:
            return self._sess.should_stop()
        return False

    def _check_stop(self) -> bool:
        return False

    def close(self) -> None:
        if self._sess is not None:
            try:
                self._sess.close()
            except _PREEMPTION_ERRORS as e:
                logging.error(
                    "An error occurred when attempting to close the session. This may be due "
                    "to a preemption in a connected worker or parameter server. Error: %s",
                    e,
                )
            finally:
                self._sess = None

    def run(self, *args, **kwargs):
        return self._sess.run(*args, **kwargs)

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        run_with_hooks = run_with_hooks or self.run
        return step_fn(_StepContext(raw_session, run_with_hooks))


class _RecoverableSession(_WrappedSession):
    """Creates a new session (restoring the latest checkpoint) when a run fails with an
    AbortedError or UnavailableError."""

    def __init__(self, sess_creator) -> None:
        self._sess_creator = sess_creator
        super().__init__(self._create_session())

    def _create_session(self):
        while True:
            try:
                return self._sess_creator.create_session()
            except _PREEMPTION_ERRORS as e:
                logging.info(
                    "An error was raised while a session was being created. This may be due "
                    "to a preemption of a connected worker or parameter server. A new session "
                    "will be created. This error may also occur due to a gRPC failure caused by "
                    "high memory or network bandwidth usage in the parameter servers. If this "
                    "error occurs repeatedly, try increasing the number of parameter servers "
                    "assigned to the job. Error: %s",
                    e,
                )

    def _check_stop(self) -> bool:
        try:
            if self._sess:
                return self._sess._check_stop()
            return True
        except _PREEMPTION_ERRORS as e:
            logging.info(
                "An error was raised while considering whether the session is complete. This "
                "may be due to a preemption in a connected worker or parameter server. The "
                "current session will be closed and a new session will be created. Error: %s",
                e,
            )
            self.close()
            self._sess = self._create_session()
            return False

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run_step_fn(step_fn, raw_session, self._sess.run)
            except _PREEMPTION_ERRORS as e:
                logging.info("An error was raised. A new session will be created. Error: %s", e)
                self.close()
                self._sess = None

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run(
                    fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
                )
            except _PREEMPTION_ERRORS as e:
                logging.info(
                    "An error was raised. This may be due to a preemption in a connected worker "
                    "or parameter server. The current session will be closed and a new session "
                    "will be created. Error: %s",
                    e,
                )
                self.close()
                self._sess = None


class _CoordinatedSession(_WrappedSession):
    """Stops the coordinator (and joins its threads) when closed; stops when it does."""

    def __init__(self, sess, coord, stop_grace_period_secs=120) -> None:
        super().__init__(sess)
        self._coord = coord
        self._stop_grace_period_secs = stop_grace_period_secs

    def _check_stop(self) -> bool:
        self._coord.raise_requested_exception()
        return self._coord.should_stop()

    def close(self) -> None:
        self._coord.request_stop()
        try:
            self._coord.join(
                stop_grace_period_secs=self._stop_grace_period_secs, ignore_live_threads=True
            )
        finally:
            try:
                _WrappedSession.close(self)
            except Exception:
                pass

    def run(self, *args, **kwargs):
        try:
            return self._sess.run(*args, **kwargs)
        except _PREEMPTION_ERRORS:
            raise
        except Exception:
            # A queue runner's error explains this one better: raise that if there is one.
            original_exc_info = sys.exc_info()
            try:
                self._coord.raise_requested_exception()
            except _PREEMPTION_ERRORS as e:
                raise e from None
            except Exception:
                raise original_exc_info[1].with_traceback(original_exc_info[2]) from None
            raise


class _HookedSession(_WrappedSession):
    """Calls the hooks' before_run/after_run around each run, merging their fetches,
    feeds and options with the caller's."""

    def __init__(self, sess, hooks) -> None:
        super().__init__(sess)
        self._hooks = hooks
        self._should_stop = False

    def _check_stop(self) -> bool:
        return self._should_stop

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self.should_stop():
            raise RuntimeError("Run called even after should_stop requested.")
        actual_fetches = {"caller": fetches}
        run_context = SessionRunContext(
            original_args=SessionRunArgs(fetches, feed_dict), session=self._sess
        )
        feed_dict, options = self._call_hook_before_run(
            run_context, actual_fetches, feed_dict, options
        )
        outputs = self._sess.run(
            actual_fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
        )
        for hook in self._hooks:
            hook.after_run(
                run_context,
                SessionRunValues(
                    results=outputs.get(hook),
                    options=options,
                    run_metadata=run_metadata,
                ),
            )
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs["caller"]

    def _call_hook_before_run(self, run_context, fetch_dict, user_feed_dict, options):
        hook_feeds: dict = {}
        timeout = getattr(options, "timeout_in_ms", 0) if options is not None else 0
        for hook in self._hooks:
            request = hook.before_run(run_context)
            if request is None:
                continue
            if request.fetches is not None:
                fetch_dict[hook] = request.fetches
            if request.feed_dict:
                if set(hook_feeds).intersection(request.feed_dict):
                    raise RuntimeError("Same tensor is fed by two hooks.")
                hook_feeds.update(request.feed_dict)
            if request.options is not None:
                timeout = max(timeout, getattr(request.options, "timeout_in_ms", 0))
        if timeout and (options is None or options.timeout_in_ms != timeout):
            from tfgraph import proto

            options = proto.RunOptions(timeout_in_ms=timeout)
        if not hook_feeds:
            return user_feed_dict, options
        if not user_feed_dict:
            return hook_feeds, options
        if set(hook_feeds).intersection(user_feed_dict):
            raise RuntimeError("Same tensor is fed by a SessionRunHook and user.")
        merged = dict(user_feed_dict)
        merged.update(hook_feeds)
        return merged, options


class _StepContext:
    """What `run_step_fn`'s function receives: the raw session and a hooked run."""

    def __init__(self, session, run_with_hooks_fn) -> None:
        self._session = session
        self._run_with_hooks_fn = run_with_hooks_fn

    @property
    def session(self):
        return self._session

    def run_with_hooks(self, *args, **kwargs):
        return self._run_with_hooks_fn(*args, **kwargs)

    def request_stop(self):
        raise StopIteration("step_fn has requested the iterations to stop.")


class _CoordinatedSessionCreator(SessionCreator):
    """Creates the session, starts the queue runners and calls after_create_session."""

    def __init__(self, session_creator, hooks, stop_grace_period_secs) -> None:
        self._session_creator = session_creator
        self._hooks = hooks
        self.coord = None
        self.tf_sess = None
        self._stop_grace_period_secs = stop_grace_period_secs

    def create_session(self):
        self.tf_sess = self._session_creator.create_session()
        # (a coordinator suppressing no exception, as TF's)
        self.coord = Coordinator(clean_stop_exception_types=[])
        if get_default_graph().get_collection(GraphKeys.QUEUE_RUNNERS):
            start_queue_runners(sess=self.tf_sess, coord=self.coord)
        for hook in self._hooks:
            hook.after_create_session(self.tf_sess, self.coord)
        return _CoordinatedSession(
            _HookedSession(self.tf_sess, self._hooks), self.coord, self._stop_grace_period_secs
        )


class _MonitoredSession:
    """The common part of MonitoredSession and SingularMonitoredSession."""

    def __init__(self, session_creator, hooks, should_recover, stop_grace_period_secs=120) -> None:
        self._graph_was_finalized = get_default_graph().finalized
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._coordinated_creator = _CoordinatedSessionCreator(
            session_creator=session_creator or ChiefSessionCreator(),
            hooks=self._hooks,
            stop_grace_period_secs=stop_grace_period_secs,
        )
        self._sess: Any
        if should_recover:
            self._sess = _RecoverableSession(self._coordinated_creator)
        else:
            self._sess = self._coordinated_creator.create_session()

    @property
    def graph(self):
        return get_default_graph() if self._sess is None else self._sess.graph

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` with the hooks (see `tf.Session.run`)."""
        return self._sess.run(
            fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
        )

    def run_step_fn(self, step_fn):
        """Calls `step_fn(step_context)`; `step_context.request_stop()` ends the loop."""
        step_fn_arguments = step_fn.__code__.co_varnames[: step_fn.__code__.co_argcount]
        if step_fn_arguments not in (("step_context",), ("self", "step_context")):
            raise ValueError(
                "`step_fn` may either have one `step_context` argument, or `self` and "
                f"`step_context` arguments if it's an instance method. Got {step_fn_arguments} "
                "instead."
            )
        # (StopIteration from `request_stop()` propagates: `with` ends on it)
        return self._sess.run_step_fn(step_fn, self._tf_sess(), run_with_hooks=None)

    def should_stop(self) -> bool:
        return self._sess is None or self._sess.should_stop()

    def close(self) -> None:
        self._close_internal()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None

    def _close_internal(self, exception_type=None) -> None:
        try:
            if not exception_type:
                for h in self._hooks:
                    h.end(self._coordinated_creator.tf_sess)
        finally:
            try:
                if self._sess is None:
                    raise RuntimeError("Session is already closed.")
                self._sess.close()
            finally:
                self._sess = None
                self._coordinated_creator.tf_sess = None
                self._coordinated_creator.coord = None
                if not self._graph_was_finalized:
                    get_default_graph()._unsafe_unfinalize()

    def _tf_sess(self):
        return self._coordinated_creator.tf_sess


class MonitoredSession(_MonitoredSession):
    """A session that creates itself (restoring checkpoints), runs queue runners and
    hooks, and recovers from AbortedError/UnavailableError by creating a new session."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120) -> None:
        super().__init__(
            session_creator,
            hooks,
            should_recover=True,
            stop_grace_period_secs=stop_grace_period_secs,
        )


class SingularMonitoredSession(_MonitoredSession):
    """A MonitoredSession without recovery, giving access to the raw session
    (`raw_session()`)."""

    def __init__(
        self,
        hooks=None,
        scaffold=None,
        master="",
        config=None,
        checkpoint_dir=None,
        stop_grace_period_secs=120,
        checkpoint_filename_with_path=None,
    ) -> None:
        session_creator = ChiefSessionCreator(
            scaffold=scaffold,
            master=master,
            config=config,
            checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path,
        )
        super().__init__(
            session_creator,
            hooks,
            should_recover=False,
            stop_grace_period_secs=stop_grace_period_secs,
        )

    def raw_session(self):
        return self._tf_sess()


def MonitoredTrainingSession(
    master="",
    is_chief=True,
    checkpoint_dir=None,
    scaffold=None,
    hooks=None,
    chief_only_hooks=None,
    save_checkpoint_secs=USE_DEFAULT,
    save_summaries_steps=USE_DEFAULT,
    save_summaries_secs=USE_DEFAULT,
    config=None,
    stop_grace_period_secs=120,
    log_step_count_steps=100,
    max_wait_secs=7200,
    save_checkpoint_steps=USE_DEFAULT,
    summary_dir=None,
    save_graph_def=True,
):
    """A MonitoredSession for training: on the chief, restores from or initializes in
    `checkpoint_dir` and adds the StepCounterHook, SummarySaverHook and
    CheckpointSaverHook the arguments ask for (defaults: summaries every 100 steps, a
    checkpoint every 600 seconds), then `chief_only_hooks` and `hooks`."""
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    if not is_chief:
        session_creator = WorkerSessionCreator(
            scaffold=scaffold, master=master, config=config, max_wait_secs=max_wait_secs
        )
        return MonitoredSession(
            session_creator=session_creator,
            hooks=hooks or [],
            stop_grace_period_secs=stop_grace_period_secs,
        )
    all_hooks = list(chief_only_hooks or [])
    session_creator = ChiefSessionCreator(
        scaffold=scaffold, checkpoint_dir=checkpoint_dir, master=master, config=config
    )
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(
                hooks_lib.StepCounterHook(
                    output_dir=summary_dir, every_n_steps=log_step_count_steps
                )
            )
        if (save_summaries_steps and save_summaries_steps > 0) or (
            save_summaries_secs and save_summaries_secs > 0
        ):
            all_hooks.append(
                hooks_lib.SummarySaverHook(
                    scaffold=scaffold,
                    save_steps=save_summaries_steps,
                    save_secs=save_summaries_secs,
                    output_dir=summary_dir,
                )
            )
    if checkpoint_dir:
        if (save_checkpoint_secs and save_checkpoint_secs > 0) or (
            save_checkpoint_steps and save_checkpoint_steps > 0
        ):
            all_hooks.append(
                hooks_lib.CheckpointSaverHook(
                    checkpoint_dir,
                    save_steps=save_checkpoint_steps,
                    save_secs=save_checkpoint_secs,
                    scaffold=scaffold,
                    save_graph_def=save_graph_def,
                )
            )
    if hooks:
        all_hooks.extend(hooks)
    return MonitoredSession(
        session_creator=session_creator,
        hooks=all_hooks,
        stop_grace_period_secs=stop_grace_period_secs,
    )
