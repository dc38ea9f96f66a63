"""`tf.train.Supervisor` (basics): a Coordinator, a Saver and a summary writer around
a session, with `managed_session()` restoring the latest checkpoint of `logdir` (or
initializing), starting the queue runners and the standard services (a checkpoint
every `save_model_secs`, summaries every `save_summaries_secs`, a steps/sec log), and
stopping them all when the block ends."""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.platform import tf_logging as logging
from tfgraph.training.coordinator import Coordinator, LooperThread

__all__ = ["Supervisor"]


class Supervisor:
    """A training helper: init/restore, queue runners, checkpoints and summaries."""

    USE_DEFAULT = 0

    def __init__(
        self,
        graph=None,
        ready_op=USE_DEFAULT,
        ready_for_local_init_op=USE_DEFAULT,
        is_chief=True,
        init_op=USE_DEFAULT,
        init_feed_dict=None,
        local_init_op=USE_DEFAULT,
        logdir=None,
        summary_op=USE_DEFAULT,
        saver=USE_DEFAULT,
        global_step=USE_DEFAULT,
        save_summaries_secs=120,
        save_model_secs=600,
        recovery_wait_secs=30,
        stop_grace_secs=120,
        checkpoint_basename="model.ckpt",
        session_manager=None,
        summary_writer=USE_DEFAULT,
        init_fn=None,
        local_init_run_options=None,
    ) -> None:
        if graph is None:
            graph = get_default_graph()
        self._graph = graph
        with graph.as_default():
            self._init_ready_op(ready_op, ready_for_local_init_op)
            self._init_init_op(init_op, init_feed_dict)
            self._init_local_init_op(local_init_op)
            self._init_saver(saver)
            self._init_summary_op(summary_op)
            self._init_global_step(global_step)
        self._is_chief = is_chief
        self._coord = Coordinator()
        self._recovery_wait_secs = recovery_wait_secs
        self._stop_grace_secs = stop_grace_secs
        self._init_fn = init_fn
        self._logdir = logdir
        self._save_summaries_secs = save_summaries_secs
        self._save_model_secs = save_model_secs
        self._save_path = os.path.join(logdir, checkpoint_basename) if logdir else None
        if summary_writer is Supervisor.USE_DEFAULT and logdir and is_chief:
            from tfgraph.summary_writer import FileWriter

            summary_writer = FileWriter(logdir)
        self._summary_writer: Any = (
            None if summary_writer is Supervisor.USE_DEFAULT else summary_writer
        )
        self._graph_added_to_summary = False
        self._started_threads: list = []
        graph.finalize()

    # -- defaults ----------------------------------------------------------------------
    def _init_ready_op(self, ready_op, ready_for_local_init_op) -> None:
        from tfgraph import variables
        from tfgraph.ops import array_ops

        if ready_op is Supervisor.USE_DEFAULT:
            ready_op = self._get_first_op_from_collection(GraphKeys.READY_OP)
            if ready_op is None:
                ready_op = array_ops.concat([variables.report_uninitialized_variables()], 0)
                self._graph.add_to_collection(GraphKeys.READY_OP, ready_op)
        self._ready_op = ready_op
        if ready_for_local_init_op is Supervisor.USE_DEFAULT:
            ready_for_local_init_op = self._get_first_op_from_collection(
                GraphKeys.READY_FOR_LOCAL_INIT_OP
            )
        self._ready_for_local_init_op = ready_for_local_init_op

    def _init_init_op(self, init_op, init_feed_dict) -> None:
        from tfgraph import variables

        if init_op is Supervisor.USE_DEFAULT:
            init_op = self._get_first_op_from_collection(GraphKeys.INIT_OP)
            if init_op is None:
                init_op = variables.global_variables_initializer()
                self._graph.add_to_collection(GraphKeys.INIT_OP, init_op)
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict

    def _init_local_init_op(self, local_init_op) -> None:
        from tfgraph import variables
        from tfgraph.ops import control_flow_ops

        if local_init_op is Supervisor.USE_DEFAULT:
            local_init_op = self._get_first_op_from_collection(GraphKeys.LOCAL_INIT_OP)
            if local_init_op is None:
                local_init_op = control_flow_ops.group(
                    variables.local_variables_initializer(),
                    *self._graph.get_collection(GraphKeys.TABLE_INITIALIZERS),
                )
                self._graph.add_to_collection(GraphKeys.LOCAL_INIT_OP, local_init_op)
        self._local_init_op = local_init_op

    def _init_saver(self, saver) -> None:
        from tfgraph.training.saver import Saver

        if saver is Supervisor.USE_DEFAULT:
            saver = self._get_first_op_from_collection(GraphKeys.SAVERS)
            if saver is None and self._graph.get_collection(GraphKeys.GLOBAL_VARIABLES):
                saver = Saver()
                self._graph.add_to_collection(GraphKeys.SAVERS, saver)
        self._saver = saver

    def _init_summary_op(self, summary_op) -> None:
        from tfgraph.ops import summary_ops

        if summary_op is Supervisor.USE_DEFAULT:
            summary_op = self._get_first_op_from_collection(GraphKeys.SUMMARY_OP)
            if summary_op is None:
                summary_op = summary_ops.merge_all()
                if summary_op is not None:
                    self._graph.add_to_collection(GraphKeys.SUMMARY_OP, summary_op)
        self._summary_op = summary_op

    def _init_global_step(self, global_step) -> None:
        if global_step is Supervisor.USE_DEFAULT:
            from tfgraph.training import training_util

            global_step = training_util.get_global_step(self._graph)
        self._global_step = global_step

    def _get_first_op_from_collection(self, key):
        items = self._graph.get_collection(key)
        if items:
            if len(items) > 1:
                logging.info(
                    "Found %d items in collection %s. Using only the first one.", len(items), key
                )
            return items[0]
        return None

    # -- properties ----------------------------------------------------------------------
    @property
    def coord(self):
        return self._coord

    @property
    def saver(self):
        return self._saver

    @property
    def summary_writer(self):
        return self._summary_writer

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def global_step(self):
        return self._global_step

    @property
    def is_chief(self) -> bool:
        return self._is_chief

    @property
    def init_op(self):
        return self._init_op

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def save_path(self):
        return self._save_path

    @property
    def save_model_secs(self):
        return self._save_model_secs

    @property
    def save_summaries_secs(self):
        return self._save_summaries_secs

    # -- sessions --------------------------------------------------------------------------
    def prepare_or_wait_for_session(
        self,
        master="",
        config=None,
        wait_for_checkpoint=False,
        max_wait_secs=7200,
        start_standard_services=True,
    ):
        """A session with the model restored from `logdir`'s latest checkpoint (or
        initialized), its queue runners and (chief) standard services started."""
        from tfgraph.client.session import Session
        from tfgraph.training.monitored_session import _ready, _restore_latest

        self._coord.clear_stop()
        sess = Session(master, graph=self._graph, config=config)
        restored = (
            _restore_latest(sess, self._saver, self._logdir, None) if self._is_chief else False
        )
        if not restored:
            if self._init_op is not None:
                sess.run(self._init_op, feed_dict=self._init_feed_dict)
            if self._init_fn:
                self._init_fn(sess)
        if self._local_init_op is not None:
            sess.run(self._local_init_op)
        ready, msg = _ready(sess, self._ready_op)
        if not ready:
            raise RuntimeError(f"Init operations did not make model ready. {msg}")
        if self._is_chief and start_standard_services:
            self.start_standard_services(sess)
        self.start_queue_runners(sess)
        return sess

    def start_standard_services(self, sess):
        """Writes the graph, then starts the checkpoint, summary and step-counter
        threads (those that `logdir` and the periods allow)."""
        from tfgraph import proto

        if not self._is_chief:
            raise RuntimeError(
                "Only chief supervisor can start standard services. Because only chief "
                "supervisors can write events."
            )
        threads = []
        if self._logdir and self._summary_writer is not None and not self._graph_added_to_summary:
            from tfgraph.framework.graph_io import write_graph

            write_graph(self._graph.as_graph_def(add_shapes=True), self._logdir, "graph.pbtxt")
            self._summary_writer.add_graph(self._graph)
            self._graph_added_to_summary = True
            step = sess.run(self._global_step) if self._global_step is not None else None
            self._summary_writer.add_session_log(
                proto.SessionLog(status=proto.SessionLog.START), step
            )
        if self._save_summaries_secs and self._summary_writer is not None:
            if self._summary_op is not None:
                threads.append(
                    LooperThread(
                        self._coord,
                        self._save_summaries_secs,
                        target=self._write_summaries,
                        args=(sess,),
                    )
                )
            if self._global_step is not None:
                threads.append(_StepCounter(self, sess))
        if self._save_path and self._save_model_secs and self._saver is not None:
            threads.append(
                LooperThread(
                    self._coord, self._save_model_secs, target=self._save_checkpoint, args=(sess,)
                )
            )
        for t in threads:
            t.start()
        self._started_threads.extend(threads)
        return threads

    def _write_summaries(self, sess) -> None:
        if self._global_step is not None:
            summary_strs, step = sess.run([self._summary_op, self._global_step])
        else:
            summary_strs, step = sess.run(self._summary_op), None
        self._summary_writer.add_summary(summary_strs, step)

    def _save_checkpoint(self, sess) -> None:
        from tfgraph import proto

        logging.info("Saving checkpoint to path %s", self._save_path)
        self._saver.save(sess, self._save_path, global_step=self._global_step)
        if self._summary_writer is not None and self._global_step is not None:
            step = sess.run(self._global_step)
            self._summary_writer.add_session_log(
                proto.SessionLog(
                    status=proto.SessionLog.CHECKPOINT, checkpoint_path=self._save_path
                ),
                step,
            )

    def start_queue_runners(self, sess, queue_runners=None):
        """Starts the queue runners' threads under this supervisor's coordinator."""
        if queue_runners is None:
            queue_runners = self._graph.get_collection(GraphKeys.QUEUE_RUNNERS)
        threads = []
        for qr in queue_runners:
            threads.extend(qr.create_threads(sess, coord=self._coord, daemon=True, start=True))
        return threads

    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Calls `target` every `timer_interval_secs` seconds in a thread until stopped."""
        looper = LooperThread(
            self._coord, timer_interval_secs, target=target, args=args, kwargs=kwargs
        )
        looper.start()
        return looper

    def summary_computed(self, sess, summary, global_step=None) -> None:
        if self._summary_writer is None:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = sess.run(self._global_step)
        self._summary_writer.add_summary(summary, global_step)

    def should_stop(self) -> bool:
        return self._coord.should_stop()

    def request_stop(self, ex=None) -> None:
        self._coord.request_stop(ex=ex)

    def stop_on_exception(self):
        return self._coord.stop_on_exception()

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False) -> None:
        """Stops the services and queue runners (re-raising an error one reported)."""
        self._coord.request_stop()
        try:
            self._coord.join(
                threads,
                stop_grace_period_secs=self._stop_grace_secs,
                ignore_live_threads=ignore_live_threads,
            )
        finally:
            if close_summary_writer and self._summary_writer is not None:
                # (closed last: a service thread may have been using it)
                self._summary_writer.close()
                self._graph_added_to_summary = False
            self._started_threads = []

    @contextlib.contextmanager
    def managed_session(
        self, master="", config=None, start_standard_services=True, close_summary_writer=True
    ):
        """A context manager yielding a prepared session; leaving it stops the services
        and closes the session (OutOfRangeError ends it cleanly)."""
        sess = self.prepare_or_wait_for_session(
            master=master, config=config, start_standard_services=start_standard_services
        )
        try:
            yield sess
        except Exception as e:
            self.request_stop(e)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                try:
                    sess.close()
                except Exception:
                    pass


class _StepCounter(LooperThread):
    """Logs the global step's speed (`global_step/sec`) every save_summaries_secs."""

    def __init__(self, sv, sess) -> None:
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv = sv
        self._sess = sess
        self._last_time = 0.0
        self._last_step = 0
        self._summary_tag = f"{sv.global_step.op.name}/sec"

    def start_loop(self) -> None:
        self._last_time = time.time()
        self._last_step = int(self._sess.run(self._sv.global_step))

    def run_loop(self) -> None:
        from tfgraph import proto

        current_step = int(self._sess.run(self._sv.global_step))
        added_steps = current_step - self._last_step
        self._last_step = current_step
        current_time = time.time()
        elapsed_time = current_time - self._last_time
        self._last_time = current_time
        steps_per_sec = added_steps / elapsed_time if elapsed_time > 0 else float("inf")
        summary = proto.Summary(
            value=[proto.Summary.Value(tag=self._summary_tag, simple_value=steps_per_sec)]
        )
        if self._sv.summary_writer is not None:
            self._sv.summary_writer.add_summary(summary, current_step)
        logging.log_first_n(logging.INFO, "%s: %g", 10, self._summary_tag, steps_per_sec)
