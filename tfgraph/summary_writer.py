"""`tf.summary.FileWriter`: writes summaries, graphs and other events for TensorBoard.

`FileWriter(logdir, graph)` creates `logdir`, then writes events to an event file in
it (see `tfgraph.io.events_writer` for the file's name and first event), as TF1's
FileWriter does: the graph as a `graph_def` event (with `_output_shapes`) followed by
a `meta_graph_def` event, and one event per `add_summary`, `add_session_log`,
`add_run_metadata` or `add_event`.

Events are serialized when they are added and written to the file by a background
thread, in batches, straight to the OS (no buffering in this process, so readers
such as TensorBoard see them at once and a crash of the process loses none that the
thread wrote). The thread syncs the file to disk after the first event, then at
most every `flush_secs` seconds while events arrive, and also when events have been
waiting `flush_secs` with nothing new (TF waits for the next event). `flush()` and
`close()` return only once every event added before them is written and synced, and
every writer still open when the interpreter exits is closed by an `atexit` hook, so
no added event is lost. At most `max_queue` events wait for the thread; `add_*`
blocks when that many are pending. In a forked child, the copies of open writers
are closed: adding to them does nothing.

`FileWriterCache.get(logdir)` shares one writer per directory. `summary_iterator`
reads event files back (TF's and ours), checking the record CRCs.
"""

from __future__ import annotations

import atexit
import collections
import logging
import os
import struct
import threading
import time
import warnings
from collections.abc import Iterator

from tfgraph.framework.graph import Graph, get_default_graph
from tfgraph.io.events_writer import EventsWriter, read_events

__all__ = ["EventFileWriter", "FileWriter", "FileWriterCache", "summary_iterator"]

_logger = logging.getLogger("tfgraph")


def _proto():
    from tfgraph import proto

    return proto


# -- the writer thread --------------------------------------------------------------------
_open_writers: set[EventFileWriter] = set()
_open_writers_lock = threading.Lock()


def _close_open_writers() -> None:
    """atexit: closes (so flushes) every writer the program left open."""
    with _open_writers_lock:
        writers = list(_open_writers)
    for writer in writers:
        try:
            writer.close()
        except Exception as e:
            _logger.error(
                "Could not close the event file writer for %s: %s", writer.get_logdir(), e
            )


atexit.register(_close_open_writers)


def _after_fork_in_child() -> None:
    """A forked child has no writer threads: its copies of open writers become closed
    (adding is a no-op) and are not closed again at its exit."""
    with _open_writers_lock:
        writers = list(_open_writers)
        _open_writers.clear()
    for writer in writers:
        writer._closed = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class EventFileWriter:
    """Writes serialized `Event`s to an event file in `logdir` from a background thread.

    Args:
        logdir: the directory (created if needed).
        max_queue: how many events may wait for the thread before `add_event` blocks
            (0 or less: no limit).
        flush_secs: how often, in seconds, written events are flushed to disk.
        filename_suffix: appended to the event file's name; with a suffix the file is
            created at once, without one at the first event (as TF does).
    """

    def __init__(
        self,
        logdir,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str | None = None,
    ) -> None:
        from tfgraph.io.gfile import local_path

        self._logdir = local_path(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        self._writer = EventsWriter(os.path.join(self._logdir, "events"), filename_suffix or "")
        if filename_suffix:
            self._writer.init()
        self._cond = threading.Condition()
        self._closed = True
        self._start()

    # Counters (guarded by _cond): events added, written by the thread, and flushed.
    def _start(self) -> None:
        self._queue: collections.deque[bytes] = collections.deque()
        self._added = 0
        self._written = 0
        self._flushed = 0
        self._flush_wanted = 0
        self._stopping = False
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="EventLoggerThread", daemon=True)
        with _open_writers_lock:
            _open_writers.add(self)
        self._thread.start()

    def get_logdir(self) -> str:
        """The directory events are written to."""
        return self._logdir

    @property
    def filename(self) -> str | None:
        """The current event file's path (None until it is created)."""
        return self._writer.filename

    def add_event(self, event) -> None:
        """Adds an `Event` proto (or its serialized bytes); a no-op once closed."""
        data = event if isinstance(event, bytes) else event.SerializeToString()
        with self._cond:
            if self._closed:
                return
            self._raise_error()
            if self._max_queue > 0:
                while len(self._queue) >= self._max_queue and self._error is None:
                    self._cond.wait()
                self._raise_error()
            self._queue.append(data)
            self._added += 1
            self._cond.notify_all()

    def flush(self) -> None:
        """Returns once every event added so far is written and flushed to disk."""
        with self._cond:
            if self._closed:
                return
            target = self._added
            self._flush_wanted = max(self._flush_wanted, target)
            self._cond.notify_all()
            while self._flushed < target and self._error is None:
                self._cond.wait()
            self._raise_error()

    def close(self) -> None:
        """Writes and flushes every pending event, stops the thread, closes the file."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._stopping = True
            self._cond.notify_all()
        self._thread.join()
        with _open_writers_lock:
            _open_writers.discard(self)
        with self._cond:
            self._raise_error()

    def reopen(self) -> None:
        """After `close()`: accepts events again; they go to a new event file."""
        with self._cond:
            if not self._closed:
                return
        self._start()

    def _raise_error(self) -> None:
        if self._error is not None:
            self._closed = True
            with _open_writers_lock:
                _open_writers.discard(self)
            raise self._error

    def _run(self) -> None:
        next_flush = 0.0  # the first event is flushed at once, as TF's thread does
        writer = self._writer
        cond = self._cond
        try:
            while True:
                with cond:
                    while not (self._queue or self._stopping or self._flush_wanted > self._flushed):
                        if self._written > self._flushed:
                            timeout = next_flush - time.monotonic()
                            if timeout <= 0:
                                break
                            cond.wait(timeout)
                        else:
                            cond.wait()
                    batch = list(self._queue)
                    self._queue.clear()
                    stopping = self._stopping
                    flush_wanted = self._flush_wanted > self._flushed
                    cond.notify_all()  # room in the queue
                if batch:
                    writer.write_events(batch)
                now = time.monotonic()
                with cond:
                    self._written += len(batch)
                    written = self._written
                    due = written > self._flushed and now >= next_flush
                if stopping or flush_wanted or due:
                    writer.flush()
                    if written > self._flushed:
                        next_flush = now + self._flush_secs
                    with cond:
                        self._flushed = written
                        cond.notify_all()
                if stopping:
                    writer.close()
                    return
        except BaseException as e:  # reported to the adding thread
            _logger.error("EventFileWriter writer thread error: %s", e)
            with cond:
                self._error = e
                cond.notify_all()
            try:
                writer.close()
            except OSError:
                pass


# -- FileWriter ---------------------------------------------------------------------------
def _event_bytes(wall_time: float, step, field_key: int, payload: bytes) -> bytes:
    """A serialized Event: wall_time, optional step and one length-delimited field."""
    out = bytearray(b"\x09")
    out += struct.pack("<d", wall_time)
    if step:
        n = int(step)
        if n < 0:
            n += 1 << 64
        out.append(0x10)
        while n > 0x7F:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
    out.append(field_key)
    n = len(payload)
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    out += payload
    return bytes(out)


class FileWriter:
    """Writes `Summary` protocol buffers and other events to event files (TF1 API).

    Args:
        logdir: the directory for the event file (created if needed).
        graph: a `Graph` to write at once (`sess.graph`).
        max_queue: how many events may be pending before `add_*` blocks.
        flush_secs: how often, in seconds, pending events are flushed to disk.
        graph_def: deprecated; a `GraphDef` (or `Graph`) to write instead of `graph`.
        filename_suffix: appended to the event file's name.
        session: accepted for compatibility; events are written the same way.

    Example:
        writer = tf.summary.FileWriter("/tmp/logs", sess.graph)
        for step in range(100):
            summary, _ = sess.run([merged, train_op])
            writer.add_summary(summary, step)
        writer.close()
    """

    def __init__(
        self,
        logdir,
        graph=None,
        max_queue: int = 10,
        flush_secs: float = 120,
        graph_def=None,
        filename_suffix: str | None = None,
        session=None,  # TF then writes through graph ops; the files are the same
    ) -> None:
        self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._closed = False
        self._session_run_tags: dict[str, bool] = {}
        self._seen_summary_tags: set[str] = set()
        if graph is not None or graph_def is not None:
            self.add_graph(graph=graph, graph_def=graph_def)
            # As TF: the graph's MetaGraphDef (op list and collections) follows the graph.
            from tfgraph.framework import meta_graph

            source = graph_def if graph_def is not None else graph
            owner = source if isinstance(source, Graph) else None
            if isinstance(source, Graph):
                source = source.as_graph_def(add_shapes=True)
            self.add_meta_graph(meta_graph.create_meta_graph_def(graph_def=source, graph=owner))

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def get_logdir(self) -> str:
        """The directory where event files are written."""
        return self.event_writer.get_logdir()

    def _warn_if_closed(self) -> None:
        if self._closed:
            warnings.warn(
                "Attempting to use a closed FileWriter. The operation will be a noop unless "
                "the FileWriter is explicitly reopened.",
                stacklevel=3,
            )

    def _add(self, field_key: int, payload: bytes, global_step) -> None:
        self._warn_if_closed()
        step = None if global_step is None else int(global_step)
        self.event_writer.add_event(_event_bytes(time.time(), step, field_key, payload))

    def add_summary(self, summary, global_step=None) -> None:
        """Adds a `Summary` (or its serialized bytes, as `sess.run` returns them).

        As in TF, only the first value of each tag keeps its `metadata` (TensorBoard
        reads the plugin data once); later values have it cleared.

        Args:
            summary: a `Summary` proto or a serialized one.
            global_step: the step to record with the summary.
        """
        proto = _proto()
        if isinstance(summary, (bytes, bytearray)):
            data = bytes(summary)
            summary = proto.Summary.FromString(data)
        else:
            data = None
        changed = False
        seen = self._seen_summary_tags
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in seen:
                value.ClearField("metadata")
                changed = True
                continue
            seen.add(value.tag)
        if data is None or changed:
            data = summary.SerializeToString()
        self._add(0x2A, data, global_step)

    def add_session_log(self, session_log, global_step=None) -> None:
        """Adds a `SessionLog` (START, STOP, CHECKPOINT) event."""
        self._add(0x3A, session_log.SerializeToString(), global_step)

    def add_graph(self, graph, global_step=None, graph_def=None) -> None:
        """Adds a `Graph` (written with `_output_shapes`) or a deprecated `GraphDef`.

        Raises:
            ValueError: if both `graph` and `graph_def` are given.
            TypeError: if neither is a `Graph` or `GraphDef`.
        """
        proto = _proto()
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        if isinstance(graph, Graph) or isinstance(graph_def, Graph):
            if not isinstance(graph, Graph):
                _logger.warning(
                    "When passing a `Graph` object, please use the `graph` named argument "
                    "instead of `graph_def`."
                )
                graph = graph_def
            true_graph_def = graph.as_graph_def(add_shapes=True)
        elif isinstance(graph, proto.GraphDef) or isinstance(graph_def, proto.GraphDef):
            _logger.warning(
                "Passing a `GraphDef` to the SummaryWriter is deprecated. Pass a `Graph` "
                "object instead, such as `sess.graph`."
            )
            true_graph_def = graph if isinstance(graph, proto.GraphDef) else graph_def
        else:
            raise TypeError(
                "The passed graph must be an instance of `Graph` or the deprecated `GraphDef`"
            )
        self._add(0x22, true_graph_def.SerializeToString(), global_step)

    def add_meta_graph(self, meta_graph_def, global_step=None) -> None:
        """Adds a `MetaGraphDef` event.

        Raises:
            TypeError: if `meta_graph_def` is not a `MetaGraphDef`.
        """
        if not isinstance(meta_graph_def, _proto().MetaGraphDef):
            raise TypeError(
                f"meta_graph_def must be type MetaGraphDef, saw type: {type(meta_graph_def)}"
            )
        self._add(0x4A, meta_graph_def.SerializeToString(), global_step)

    def add_run_metadata(self, run_metadata, tag: str, global_step=None) -> None:
        """Adds a `RunMetadata` under `tag` (each tag once per writer).

        Raises:
            ValueError: if `tag` was already used.
        """
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags[tag] = True
        tagged = _proto().TaggedRunMetadata()
        tagged.tag = tag
        tagged.run_metadata = run_metadata.SerializeToString()
        self._add(0x42, tagged.SerializeToString(), global_step)

    def add_event(self, event) -> None:
        """Adds an `Event` proto as it is."""
        self._warn_if_closed()
        self.event_writer.add_event(event)

    def flush(self) -> None:
        """Writes every added event to disk before returning."""
        self._warn_if_closed()
        self.event_writer.flush()

    def close(self) -> None:
        """Flushes and closes the event file; later calls do nothing until `reopen()`."""
        self.event_writer.close()
        self._closed = True

    def reopen(self) -> None:
        """Reopens a closed writer; new events go to a new event file."""
        self.event_writer.reopen()
        self._closed = False


class FileWriterCache:
    """One shared `FileWriter` per log directory (created with the default graph)."""

    _cache: dict = {}
    _lock = threading.RLock()

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for item in FileWriterCache._cache.values():
                item.close()
            FileWriterCache._cache = {}

    @staticmethod
    def get(logdir) -> FileWriter:
        """The cached `FileWriter` for `logdir`, created on first use."""
        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
            return FileWriterCache._cache[logdir]


def summary_iterator(path) -> Iterator:
    """Yields the `Event` protos of the event file at `path` (TF1 `tf.train.summary_iterator`).

    Every record's CRCs are checked.

    Raises:
        NotFoundError: if the file does not exist.
        DataLossError: on a corrupted or truncated record.
    """
    return read_events(path)
