"""`tf.train.SessionManager` (TF1): sessions that restore from a checkpoint or
initialize, and wait until the model is ready; and `tf.train.basic_train_loop`."""

from __future__ import annotations

import logging
import time

import numpy as np

from tfgraph import errors
from tfgraph.framework.graph import get_default_graph

__all__ = ["SessionManager", "basic_train_loop"]

_log = logging.getLogger("tfgraph")


def _maybe_name(obj) -> str:
    if obj is None:
        return "None"
    return getattr(obj, "name", f"<no name for {type(obj).__name__}>")


def _ready(op, sess, msg: str):
    """(ready, message): ready when `op` is None or reports no uninitialized variable."""
    if op is None:
        return True, None
    try:
        value = sess.run(op)
    except errors.FailedPreconditionError as e:
        if "uninitialized" not in str(e):
            _log.warning("%s : error [%s]", msg, str(e))
            raise
        return False, str(e)
    value = np.asarray(value)
    if value is None or value.dtype == np.int32 or value.size == 0:
        return True, None
    names = ", ".join(v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in value)
    return False, "Variables not initialized: " + names


class SessionManager:
    """Creates sessions whose model is restored from a checkpoint, or initialized, and
    checked ready (`ready_op` reports no uninitialized variables)."""

    def __init__(
        self,
        local_init_op=None,
        ready_op=None,
        ready_for_local_init_op=None,
        graph=None,
        recovery_wait_secs=30,
        local_init_run_options=None,
        local_init_feed_dict=None,
    ) -> None:
        self._local_init_op = local_init_op
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._target = None
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError(
                "If you pass a ready_for_local_init_op you must also pass a local_init_op , "
                f"ready_for_local_init_op [{ready_for_local_init_op}]"
            )

    def _new_session(self, master, config):
        from tfgraph.client.session import Session

        self._target = master
        return Session(master, graph=self._graph, config=config)

    def _restore_checkpoint(
        self, master, saver=None, checkpoint_dir=None, checkpoint_filename_with_path=None,
        wait_for_checkpoint=False, max_wait_secs=7200, config=None,
    ):  # fmt: skip
        from tfgraph.training.checkpoint_management import get_checkpoint_state

        sess = self._new_session(master, config)
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError(
                "Can not provide both checkpoint_dir and checkpoint_filename_with_path."
            )
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return sess, False
        if checkpoint_filename_with_path:
            saver.restore(sess, checkpoint_filename_with_path)
            return sess, True
        wait_time = 0
        ckpt = get_checkpoint_state(checkpoint_dir)
        while not ckpt or not ckpt.model_checkpoint_path:
            if wait_for_checkpoint and wait_time < max_wait_secs:
                _log.info("Waiting for checkpoint to be available.")
                time.sleep(self._recovery_wait_secs)
                wait_time += self._recovery_wait_secs
                ckpt = get_checkpoint_state(checkpoint_dir)
            else:
                return sess, False
        saver.restore(sess, ckpt.model_checkpoint_path)
        saver.recover_last_checkpoints(list(ckpt.all_model_checkpoint_paths))
        return sess, True

    def prepare_session(
        self, master, init_op=None, saver=None, checkpoint_dir=None,
        checkpoint_filename_with_path=None, wait_for_checkpoint=False, max_wait_secs=7200,
        config=None, init_feed_dict=None, init_fn=None,
    ):  # fmt: skip
        """A session with the model restored from the latest checkpoint, or initialized
        by `init_op` / `init_fn`; then local init, and a readiness check.

        Raises:
            RuntimeError: when nothing initializes the model or it is not ready after.
        """
        sess, loaded = self._restore_checkpoint(
            master, saver, checkpoint_dir, checkpoint_filename_with_path,
            wait_for_checkpoint, max_wait_secs, config,
        )  # fmt: skip
        if not loaded:
            if init_op is None and not init_fn and self._local_init_op is None:
                raise RuntimeError(
                    "Model is not initialized and no init_op or init_fn or local_init_op was given"
                )
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(sess)
        ok, msg = self._try_run_local_init_op(sess)
        if not ok:
            raise RuntimeError(
                "Init operations did not make model ready for local_init.  Init op: "
                f"{_maybe_name(init_op)}, init fn: {init_fn}, error: {msg}"
            )
        ready, msg = _ready(self._ready_op, sess, "Model not ready")
        if not ready:
            raise RuntimeError(
                f"Init operations did not make model ready.  Init op: {_maybe_name(init_op)}, "
                f"init fn: {init_fn}, local_init_op: {self._local_init_op}, error: {msg}"
            )
        return sess

    def recover_session(
        self, master, saver=None, checkpoint_dir=None, checkpoint_filename_with_path=None,
        wait_for_checkpoint=False, max_wait_secs=7200, config=None,
    ):  # fmt: skip
        """(session, whether its model was restored and is ready)."""
        sess, loaded = self._restore_checkpoint(
            master, saver, checkpoint_dir, checkpoint_filename_with_path,
            wait_for_checkpoint, max_wait_secs, config,
        )  # fmt: skip
        ok, msg = self._try_run_local_init_op(sess)
        if not loaded:
            return sess, False
        source = checkpoint_dir or checkpoint_filename_with_path
        if not ok:
            _log.info("Restoring model from %s did not make model ready for local init: %s",
                      source, msg)  # fmt: skip
            return sess, False
        ready, msg = _ready(self._ready_op, sess, "Model not ready")
        if not ready:
            _log.info("Restoring model from %s did not make model ready: %s", source, msg)
            return sess, False
        _log.info("Restored model from %s", source)
        return sess, True

    def wait_for_session(self, master, config=None, max_wait_secs=float("Inf")):
        """A session once the model is ready (initialized by another task).

        Raises:
            DeadlineExceededError: if it is not ready within `max_wait_secs`.
        """
        if max_wait_secs is None:
            max_wait_secs = float("Inf")
        deadline = time.time() + max_wait_secs
        while True:
            sess = self._new_session(master, config)
            ok, local_msg = self._try_run_local_init_op(sess)
            msg = None
            if ok:
                ready, msg = _ready(self._ready_op, sess, "Model not ready")
                if ready:
                    return sess
            try:
                sess.close()
            except Exception:  # (a failing close must not hide the wait)
                pass
            if max(0.0, deadline - time.time()) - self._recovery_wait_secs < 0:
                raise errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {max_wait_secs} secs."
                )
            _log.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s, ready: %s",
                      local_msg, msg)  # fmt: skip
            time.sleep(self._recovery_wait_secs)

    def _try_run_local_init_op(self, sess):
        if self._local_init_op is None:
            return True, None
        ready, msg = _ready(self._ready_for_local_init_op, sess, "Model not ready for local init")
        if not ready:
            return False, msg
        _log.info("Running local_init_op.")
        sess.run(
            self._local_init_op,
            feed_dict=self._local_init_feed_dict,
            options=self._local_init_run_options,
        )
        _log.info("Done running local_init_op.")
        return True, None


def basic_train_loop(supervisor, train_step_fn, args=None, kwargs=None, master=""):
    """Calls train_step_fn(sess, *args, **kwargs) until the supervisor says stop,
    starting over in a new managed session after an AbortedError."""
    args = [] if args is None else args
    kwargs = {} if kwargs is None else kwargs
    should_retry = True
    while should_retry:
        try:
            should_retry = False
            with supervisor.managed_session(master) as sess:
                while not supervisor.should_stop():
                    train_step_fn(sess, *args, **kwargs)
        except errors.AbortedError:
            should_retry = True
