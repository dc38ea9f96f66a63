"""TensorBoard event files: `events.out.tfevents.<seconds>.<hostname><suffix>`.

An event file is a TFRecord file (see `tfrecord`) of serialized `Event` protos. Like
TensorFlow's C++ `EventsWriter`, `EventsWriter` here names the file after the Unix
time (`%010d` seconds) and the host when the file is opened, and writes first an
event holding only `wall_time` (those integral seconds), `file_version:
"brain.Event:2"` and `source_metadata {writer: "tensorflow.core.util.events_writer"}`
(the values TF writes, so readers that look at them treat our files as TF's).

The file is opened on the first event, or at once by `init()` (TF opens it at once
only when a filename suffix is given). After `close()` a further event opens a new
file. One difference from TF: TF truncates an existing file of the same name (a
second writer on the same directory within one second); here the name's seconds are
moved forward until the name is free, so no file is ever clobbered.

`read_events(path)` yields the `Event`s of a file, checking every record's CRCs.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import BinaryIO

from tfgraph import errors
from tfgraph.io.tfrecord import encode_record, tf_record_iterator

__all__ = [
    "FILE_VERSION",
    "WRITER_NAME",
    "EventsWriter",
    "event_file_name",
    "read_events",
]

FILE_VERSION = "brain.Event:2"
WRITER_NAME = "tensorflow.core.util.events_writer"


def event_file_name(
    prefix: str, seconds: int, hostname: str | None = None, suffix: str = ""
) -> str:
    """`<prefix>.out.tfevents.<seconds, %010d>.<hostname><suffix>`."""
    if hostname is None:
        hostname = socket.gethostname()
    return f"{prefix}.out.tfevents.{seconds:010d}.{hostname}{suffix}"


def _file_version_event(seconds: int) -> bytes:
    from tfgraph import proto

    event = proto.Event()
    event.wall_time = float(seconds)
    event.file_version = FILE_VERSION
    event.source_metadata.writer = WRITER_NAME
    return event.SerializeToString()


class EventsWriter:
    """Appends serialized `Event`s to one event file.

    Args:
        file_prefix: the path prefix, e.g. `<logdir>/events`.
        suffix: appended to the file name (TF1's FileWriter's `filename_suffix`).

    Not thread-safe: `FileWriter` calls it from its one writer thread.
    """

    def __init__(self, file_prefix: str | os.PathLike, suffix: str = "") -> None:
        self._prefix = os.fspath(file_prefix)
        self._suffix = suffix or ""
        self._file: BinaryIO | None = None
        self._filename: str | None = None
        self._outstanding = 0

    @property
    def filename(self) -> str | None:
        """The path of the current (or last) file; None before one was opened."""
        return self._filename

    def init(self) -> None:
        """Opens a new file and writes its file_version event, unless one is open."""
        if self._file is not None:
            return
        seconds = int(time.time())
        stamp = seconds
        while True:
            path = event_file_name(self._prefix, stamp, suffix=self._suffix)
            try:
                # Unbuffered: every write reaches the OS at once, so nothing waits in
                # this process (nor is duplicated by a forked child).
                f = open(path, "xb", buffering=0)  # noqa: SIM115 - kept open until close()
                break
            except FileExistsError:
                stamp += 1
        self._file = f
        self._filename = path
        self._outstanding = 0
        self.write_events([_file_version_event(seconds)])
        self.flush()

    def write_event(self, serialized_event: bytes) -> None:
        """Writes one serialized `Event` (opening the file first if needed)."""
        self.write_events([serialized_event])

    def write_events(self, serialized_events) -> None:
        """Writes serialized `Event`s with one system call (opening the file if needed)."""
        if self._file is None:
            self.init()
        data = memoryview(b"".join(encode_record(e) for e in serialized_events))
        while data:
            written = self._file.write(data)  # type: ignore[union-attr]  # init() opened it
            data = data[written:]
        self._outstanding += len(serialized_events)

    def flush(self, sync: bool = True) -> None:
        """Makes the written events durable (`fsync`); they are already visible to
        readers, since every write goes straight to the OS."""
        if self._file is None or self._outstanding == 0:
            return
        if sync:
            os.fsync(self._file.fileno())
        self._outstanding = 0

    def close(self) -> None:
        """Syncs and closes the file; a later event opens a new file."""
        if self._file is None:
            return
        try:
            self.flush()
        finally:
            self._file.close()
            self._file = None


def read_events(path: str | os.PathLike) -> Iterator:
    """Yields each `Event` of the event file at `path`, checking every record's CRCs.

    Raises:
        NotFoundError: if the file does not exist.
        DataLossError: on a corrupted or truncated record, or one that is not an Event.
    """
    from tfgraph import proto

    event_cls = proto.Event
    for i, record in enumerate(tf_record_iterator(path)):
        try:
            event = event_cls.FromString(record)
        except Exception:  # protobuf's DecodeError: a valid record, but not an Event
            raise errors.DataLossError(
                None, None, f"{os.fspath(path)}: record {i} is not an Event proto"
            ) from None
        yield event
