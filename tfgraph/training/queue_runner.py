"""`tf.train.QueueRunner`: threads running a queue's enqueue ops, and
`tf.train.add_queue_runner` / `tf.train.start_queue_runners` (the QUEUE_RUNNERS
collection)."""

from __future__ import annotations

import threading
import time
import weakref

from tfgraph import errors
from tfgraph.client.record_batches import grouped_enqueue
from tfgraph.framework.default_session import get_default_session
from tfgraph.framework.graph import GraphKeys, add_to_collection
from tfgraph.platform import tf_logging as logging

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]


class _Gate:
    """Runs of one enqueue op by the threads of one session. When its runs are short
    (Python-bound: parsing one record, a few small ops), threads take turns, each turn
    running the op again and again for up to SLICE seconds: under the GIL they cannot
    overlap such work, and every hand-over between threads costs two thread switches
    (measured, MNIST-style records through shuffle_batch: handing over after each run,
    two threads enqueued 19-20K records/s against 30-40K for one thread alone). Runs
    long enough to be dominated by kernels that release the GIL (big numpy ops, image
    decoding) go concurrently."""

    SHORT = 1e-3  # CPU seconds per run
    SLICE = 2e-3  # wall seconds of one thread's turn

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mean = 0.0  # (moving average of a run's seconds; 0: none measured yet)

    def _timed(self, fn) -> None:
        # (CPU time of this thread: a run blocked on a full queue is not a long run)
        start = time.thread_time()
        fn()
        elapsed = time.thread_time() - start
        self._mean = elapsed if self._mean == 0.0 else 0.9 * self._mean + 0.1 * elapsed

    def run(self, fn, stopping) -> None:
        """Runs `fn` once, or (short runs) for one turn, until `stopping()`."""
        if self._mean >= self.SHORT:
            self._timed(fn)
            return
        with self._lock:
            end = time.monotonic() + self.SLICE
            self._timed(fn)  # (the turn's first run keeps the average current)
            while self._mean < self.SHORT and time.monotonic() < end and not stopping():
                fn()


class QueueRunner:
    """Holds a queue and the ops enqueuing into it; `create_threads` runs each enqueue op
    in its own thread until the coordinator stops or an input is exhausted (the queue
    is then closed, once every thread of the session has ended)."""

    def __init__(
        self,
        queue=None,
        enqueue_ops=None,
        close_op=None,
        cancel_op=None,
        queue_closed_exception_types=None,
        queue_runner_def=None,
        import_scope=None,
    ) -> None:
        if queue_runner_def is not None:
            if queue or enqueue_ops:
                raise ValueError("queue_runner_def and queue are mutually exclusive.")
            self._init_from_proto(queue_runner_def, import_scope)
            return
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = (
            cancel_op if cancel_op is not None else queue.close(cancel_pending_enqueues=True)
        )
        if not queue_closed_exception_types:
            queue_closed_exception_types = (errors.OutOfRangeError,)
        else:
            queue_closed_exception_types = tuple(queue_closed_exception_types)
            for t in queue_closed_exception_types:
                if not issubclass(t, errors.OpError):
                    raise TypeError(
                        "queue_closed_exception_types, when provided, must contain tf.error "
                        f"types, but saw: {queue_closed_exception_types}"
                    )
        self._queue_closed_exception_types = queue_closed_exception_types
        self._init_run_state()

    def _init_run_state(self) -> None:
        self._lock = threading.Lock()
        self._runs_per_session: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._exceptions_raised: list = []
        self._gates: dict = {}

    def _init_from_proto(self, queue_runner_def, import_scope=None) -> None:
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.framework.meta_graph import prepend_name_scope

        g = get_default_graph()

        def element(name):
            return g.as_graph_element(prepend_name_scope(name, import_scope))

        self._queue = _QueueFromProto(element(queue_runner_def.queue_name))
        self._enqueue_ops = [element(op) for op in queue_runner_def.enqueue_op_name]
        self._close_op = element(queue_runner_def.close_op_name)
        self._cancel_op = element(queue_runner_def.cancel_op_name)
        self._queue_closed_exception_types = tuple(
            errors.exception_type_from_error_code(code)
            for code in queue_runner_def.queue_closed_exception_types
        ) or (errors.OutOfRangeError,)
        self._init_run_state()

    def to_proto(self, export_scope=None):
        """This runner as a `QueueRunnerDef` (None if outside `export_scope`)."""
        from tfgraph import proto
        from tfgraph.framework.meta_graph import strip_name_scope

        if export_scope is not None and not self.queue.name.startswith(export_scope):
            return None
        return proto.QueueRunnerDef(
            queue_name=strip_name_scope(self.queue.name, export_scope),
            enqueue_op_name=[strip_name_scope(op.name, export_scope) for op in self.enqueue_ops],
            close_op_name=strip_name_scope(self.close_op.name, export_scope),
            cancel_op_name=strip_name_scope(self.cancel_op.name, export_scope),
            queue_closed_exception_types=[
                errors.error_code_from_exception_type(t) for t in self._queue_closed_exception_types
            ],
        )

    @staticmethod
    def from_proto(queue_runner_def, import_scope=None):
        return QueueRunner(queue_runner_def=queue_runner_def, import_scope=import_scope)

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self):
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self) -> list:
        """Exceptions the threads raised when no coordinator was given."""
        return self._exceptions_raised

    @property
    def name(self) -> str:
        return self._queue.name

    def _run(self, sess, enqueue_op, coord=None) -> None:
        decremented = False
        try:
            enqueue_callable = grouped_enqueue(sess, enqueue_op) or sess.make_callable(enqueue_op)
            with self._lock:
                gate = self._gates.setdefault((id(sess), enqueue_op), _Gate())
            stopping = coord.should_stop if coord else (lambda: False)
            while True:
                if stopping():
                    break
                try:
                    gate.run(enqueue_callable, stopping)
                except self._queue_closed_exception_types:
                    # The input is exhausted (or its queue closed): the last thread of this
                    # session closes the queue, so readers of it end with OutOfRangeError.
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:
                                logging.vlog(1, "Ignored exception: %s", str(e))
                        return
        except Exception as e:
            if coord:
                coord.request_stop(e)
            else:
                logging.error("Exception in QueueRunner: %s", str(e))
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess, cancel_op, coord) -> None:
        coord.wait_for_stop()
        try:
            sess.run(cancel_op)
        except Exception as e:
            logging.vlog(1, "Ignored exception: %s", str(e))

    def create_threads(self, sess, coord=None, daemon: bool = False, start: bool = False):
        """Threads running the enqueue ops in `sess` (and, with a coordinator, one that
        cancels the queue when it stops); none if they already run for `sess`."""
        with self._lock:
            try:
                if self._runs_per_session[sess] > 0:
                    return []  # (already running in this session)
            except KeyError:
                pass
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        ret_threads = [
            threading.Thread(target=self._run, args=(sess, op, coord)) for op in self._enqueue_ops
        ]
        if coord:
            name = f"QueueRunnerThread-{self.name}"
            ret_threads.append(
                threading.Thread(
                    target=self._close_on_stop, args=(sess, self._cancel_op, coord), name=name
                )
            )
        for t in ret_threads:
            if coord:
                coord.register_thread(t)
            if daemon:
                t.daemon = True
            if start:
                t.start()
        return ret_threads


def add_queue_runner(qr, collection: str = GraphKeys.QUEUE_RUNNERS) -> None:
    """Adds `qr` to the graph collection `collection` (QUEUE_RUNNERS by default)."""
    add_to_collection(collection, qr)


def start_queue_runners(
    sess=None,
    coord=None,
    daemon: bool = True,
    start: bool = True,
    collection=GraphKeys.QUEUE_RUNNERS,
):
    """Starts the threads of every queue runner in `collection` in `sess` (the default
    session if None); returns the threads."""
    from tfgraph.client.session import BaseSession

    if sess is None:
        sess = get_default_session()
        if not sess:
            raise ValueError(
                "Cannot start queue runners: No default session is registered. Use "
                "`with sess.as_default()` or pass an explicit session to "
                "tf.start_queue_runners(sess=sess)"
            )
    if not isinstance(sess, BaseSession):
        # A monitored session starts its queue runners itself.
        if sess.__class__.__name__ in ("MonitoredSession", "SingularMonitoredSession"):
            return []
        raise TypeError(f"sess must be a `tf.Session` object. Given class: {sess.__class__}")
    queue_runners = sess.graph.get_collection(collection)
    if not queue_runners:
        logging.warning(
            "`tf.train.start_queue_runners()` was called when no queue runners were defined. "
            "You can safely remove the call to this deprecated function."
        )
    with sess.graph.as_default():
        threads = []
        for qr in queue_runners:
            threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads


class _QueueFromProto:
    """The queue of a runner read from a MetaGraphDef: its handle op, by name."""

    def __init__(self, queue_op) -> None:
        self.queue_ref = queue_op.outputs[0] if hasattr(queue_op, "outputs") else queue_op
        self.name = self.queue_ref.op.name


def _register_proto_functions() -> None:
    from tfgraph.framework import meta_graph

    def proto_type():
        from tfgraph import proto

        return proto.QueueRunnerDef

    meta_graph.register_proto_function(
        GraphKeys.QUEUE_RUNNERS,
        proto_type=proto_type,
        to_proto=QueueRunner.to_proto,
        from_proto=QueueRunner.from_proto,
    )


_register_proto_functions()
