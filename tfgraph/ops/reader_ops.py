"""Readers: TextLineReaderV2, TFRecordReaderV2, WholeFileReaderV2, IdentityReaderV2,
FixedLengthRecordReaderV2, the ReaderRead/ReadUpTo/NumRecordsProduced/
NumWorkUnitsCompleted/Reset ops on them, `tf.TextLineReader` & co; ReadFile and
WriteFile (`tf.read_file`, `tf.write_file`).

A reader's state lives in the running session's resource store. It takes work units
(file names) from a string queue: `read` dequeues the next file when the current one
is done (blocking like any dequeue; a closed, empty queue ends it with the queue's
OutOfRangeError) and returns (key, value) with TF's keys: `file:line` (1-based) for
text lines, `file:offset` for TFRecords, `file:index` for fixed-length records and the
file name for whole files.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.io.gfile import local_path
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "FixedLengthRecordReader",
    "IdentityReader",
    "LMDBReader",
    "ReaderBase",
    "TFRecordReader",
    "TextLineReader",
    "WholeFileReader",
    "read_file",
    "write_file",
]


def _read_bytes(op, path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, op, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, op, f"{path}; Is a directory") from None
    except PermissionError:
        raise errors.PermissionDeniedError(None, op, f"{path}; Permission denied") from None


# -- record formats: each yields (key, value) for one file ----------------------------------------
def _text_lines(op, path, attrs):
    data = _read_bytes(op, path)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    skip = attrs["skip_header_lines"]
    for number, line in enumerate(lines, start=1):
        if number <= skip:
            continue
        if line.endswith(b"\r"):
            line = line[:-1]
        yield f"{path}:{number}".encode(), line


def _tfrecords(op, path, attrs):
    from tfgraph.io.tfrecord import tf_record_iterator

    offset = 0
    try:
        for payload in tf_record_iterator(path, attrs["compression_type"]):
            yield f"{path}:{offset}".encode(), payload
            offset += 16 + len(payload)
    except errors.OpError as e:
        e._op = op
        raise


def _whole_file(op, path, attrs):
    yield path.encode(), _read_bytes(op, path)


def _identity(op, work, attrs):
    yield work, work


_identity.raw_work = True  # type: ignore[attr-defined]  # (the work item is the record)


def _fixed_length(op, path, attrs):
    if attrs["encoding"]:
        raise errors.UnimplementedError(
            None, op, f"encoding {attrs['encoding'].decode()!r} is not supported"
        )
    data = _read_bytes(op, path)
    header, record, footer = attrs["header_bytes"], attrs["record_bytes"], attrs["footer_bytes"]
    hop = attrs["hop_bytes"] or record
    end = len(data) - footer
    index = 0
    pos = header
    while pos + record <= end:
        yield f"{path}:{index}".encode(), data[pos : pos + record]
        index += 1
        pos += hop


def _lmdb(op, path, attrs):
    from tfgraph.io.lmdb import LMDBFormatError, lmdb_items

    try:
        yield from lmdb_items(path)
    except FileNotFoundError:
        raise errors.InvalidArgumentError(
            None, op, f"{path}: No such file or directory (an LMDBReader reads LMDB files)"
        ) from None
    except LMDBFormatError as e:
        raise errors.InvalidArgumentError(None, op, f"{path}: {e}") from None


class _ReaderState:
    """One reader in one session: the file being read and its counters."""

    def __init__(self, records, attrs, name: str = "") -> None:
        self.name = name
        self.records = records
        self.attrs = attrs
        self.lock = threading.Lock()
        self.work: Any = None  # the iterator over the current file's records
        self.produced = 0
        self.completed = 0
        self.error: Exception | None = None  # (read_group's: raised at the next read)

    def _next_work(self, op, queue):
        element = queue.dequeue(op, None, False)
        name = element[0]
        if not (isinstance(name, np.ndarray) and name.dtype.kind == "O" and name.ndim == 0):
            raise errors.InvalidArgumentError(
                None, op, "Expected to dequeue a one-element string tensor"
            )
        path = name[()]
        if getattr(self.records, "raw_work", False):
            return self.records(op, bytes(path), self.attrs)
        path = local_path(path)
        return self.records(op, path, self.attrs)

    def read_records(self, op, queue, limit: int, keep_partial: bool = False):
        """Up to `limit` records from one work unit (one for `read`). `keep_partial`:
        the records read before an error in the file are returned, the error raised by
        the next read (as reading them one by one would)."""
        keys: list = []
        values: list = []
        with self.lock:
            if self.error is not None:
                error, self.error = self.error, None
                raise error
            if limit == 1 and self.work is not None:  # (`read`: the common case, quickly)
                record = next(self.work, None)
                if record is not None:
                    self.produced += 1
                    return [record[0]], [record[1]]
                self.work = None
                self.completed += 1
            while not keys:
                if self.work is None:
                    self.work = self._next_work(op, queue)
                try:
                    for key, value in self.work:
                        keys.append(key)
                        values.append(value)
                        if len(keys) >= limit:
                            break
                    else:
                        self.work = None
                        self.completed += 1
                except Exception as e:
                    if not (keep_partial and keys):
                        raise
                    self.error = e
                    self.work = None  # (the file's iterator has ended)
                    self.completed += 1
            self.produced += len(keys)
        return keys, values

    # A fetched Ref(string) handle (LMDBReader's) reads as TF's [container, name] pair.
    def read(self, retval: str) -> None:
        pass

    @property
    def value(self) -> np.ndarray:
        return np.array([b"localhost", self.name.encode()], dtype=object)

    def reset(self) -> None:
        with self.lock:
            self.work = None
            self.produced = 0
            self.completed = 0
            self.error = None


def _reader_kernel(records):
    def make_kernel(op, ctx):
        store = ctx.resources_for(op)
        attrs = dict(op._attrs)
        shared = attrs.get("shared_name") or b""
        key = ("reader", attrs.get("container", b""), shared.decode() or op._name)

        def kernel():
            return store.state(key, lambda: _ReaderState(records, attrs, key[2]))

        return kernel

    return make_kernel


_READER_ATTRS = ["container: string = ''", "shared_name: string = ''"]
for _type, _records, _attrs in (
    ("TextLineReaderV2", _text_lines, ["skip_header_lines: int = 0", *_READER_ATTRS]),
    ("TFRecordReaderV2", _tfrecords, [*_READER_ATTRS, "compression_type: string = ''"]),
    ("WholeFileReaderV2", _whole_file, _READER_ATTRS),
    ("IdentityReaderV2", _identity, _READER_ATTRS),
    (
        "FixedLengthRecordReaderV2",
        _fixed_length,
        [
            "header_bytes: int = 0",
            "record_bytes: int",
            "footer_bytes: int = 0",
            "hop_bytes: int = 0",
            *_READER_ATTRS,
            "encoding: string = ''",
        ],
    ),
):
    register_op(
        _type,
        outputs=["reader_handle: resource"],
        attrs=_attrs,
        shape=common_shapes.scalar_shape,
        make_kernel=_reader_kernel(_records),
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


# The Ref(string) reader (LMDBReader has no V2) and the reader ops on such handles; a
# resource queue reaches them through FakeQueue, as in TF.
register_op(
    "LMDBReader",
    outputs=["reader_handle: Ref(string)"],
    attrs=_READER_ATTRS,
    shape=lambda op: [TensorShape([2])],
    make_kernel=_reader_kernel(_lmdb),
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "FakeQueue",
    inputs=["resource: resource"],
    outputs=["handle: Ref(string)"],
    shape=lambda op: [TensorShape([2])],
    kernel=lambda queue: queue,
    # (no gradient: TF registers none)
    stateful=True,
)


def _strings(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _read_kernel(op, ctx):
    def read(reader, queue):
        keys, values = reader.read_records(op, queue, 1)
        return np.array(keys[0], dtype=object), np.array(values[0], dtype=object)

    return read


def _read_group_kernel(op, ctx):
    def read_group(reader, queue, limit: int):
        keys, values = reader.read_records(op, queue, limit, keep_partial=True)
        return _strings(keys), _strings(values)

    return read_group


def _read_up_to_kernel(op, ctx):
    def read_up_to(reader, queue, num_records):
        n = int(num_records)
        if n <= 0:
            raise errors.InvalidArgumentError(None, op, f"num_records must be positive, got {n}")
        keys, values = reader.read_records(op, queue, n)
        return _strings(keys), _strings(values)

    return read_up_to


for _suffix, _handle in (("V2", "resource"), ("", "Ref(string)")):
    register_op(
        "ReaderRead" + _suffix,
        inputs=[f"reader_handle: {_handle}", f"queue_handle: {_handle}"],
        outputs=["key: string", "value: string"],
        shape=lambda op: [TensorShape([]), TensorShape([])],
        make_kernel=_read_kernel,
        grad=NOT_DIFFERENTIABLE,
        stateful=_suffix == "V2",
        record_source=_read_group_kernel,
    )
    register_op(
        "ReaderReadUpTo" + _suffix,
        inputs=[f"reader_handle: {_handle}", f"queue_handle: {_handle}", "num_records: int64"],
        outputs=["keys: string", "values: string"],
        shape=lambda op: [TensorShape([None]), TensorShape([None])],
        make_kernel=_read_up_to_kernel,
        grad=NOT_DIFFERENTIABLE,
        stateful=_suffix == "V2",
    )
    register_op(
        "ReaderNumRecordsProduced" + _suffix,
        inputs=[f"reader_handle: {_handle}"],
        outputs=["records_produced: int64"],
        shape=common_shapes.scalar_shape,
        kernel=lambda reader: np.int64(reader.produced),
        grad=NOT_DIFFERENTIABLE,
        stateful=_suffix == "V2",
    )
    register_op(
        "ReaderNumWorkUnitsCompleted" + _suffix,
        inputs=[f"reader_handle: {_handle}"],
        outputs=["units_completed: int64"],
        shape=common_shapes.scalar_shape,
        kernel=lambda reader: np.int64(reader.completed),
        grad=NOT_DIFFERENTIABLE,
        stateful=_suffix == "V2",
    )
    register_op(
        "ReaderReset" + _suffix,
        inputs=[f"reader_handle: {_handle}"],
        shape=lambda op: [],
        kernel=lambda reader: reader.reset(),
        grad=NOT_DIFFERENTIABLE,
        stateful=_suffix == "V2",
    )


class ReaderBase:
    """Base class of the readers: reads (key, value) records from the files named by a
    string queue."""

    def __init__(self, reader_ref, supports_serialize: bool = False) -> None:
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self) -> bool:
        return self._supports_serialize

    def _queue_ref(self, queue):
        queue_ref = queue.queue_ref if hasattr(queue, "queue_ref") else queue
        if self._v2:
            return queue_ref
        # (a Ref(string) reader takes the resource queue through FakeQueue, as in TF)
        return op_output("FakeQueue", None, [queue_ref])

    @property
    def _v2(self) -> bool:
        return self._reader_ref.dtype._base is dtypes.resource

    def _op(self, op_type: str) -> str:
        return op_type + "V2" if self._v2 else op_type

    def read(self, queue, name=None):
        """The next (key, value) record, taking the next file from `queue` as needed."""
        queue_ref = self._queue_ref(queue)
        op = apply_op(self._op("ReaderRead"), name, [self._reader_ref, queue_ref])
        return op._outputs[0], op._outputs[1]

    def read_up_to(self, queue, num_records, name=None):
        """Up to `num_records` (keys, values) from the current file."""
        queue_ref = self._queue_ref(queue)
        op = apply_op(self._op("ReaderReadUpTo"), name, [self._reader_ref, queue_ref, num_records])
        return op._outputs[0], op._outputs[1]

    def num_records_produced(self, name=None):
        return op_output(self._op("ReaderNumRecordsProduced"), name, [self._reader_ref])

    def num_work_units_completed(self, name=None):
        return op_output(self._op("ReaderNumWorkUnitsCompleted"), name, [self._reader_ref])

    def reset(self, name=None):
        """An op returning the reader to its initial state (counters to zero)."""
        return apply_op(self._op("ReaderReset"), name, [self._reader_ref])

    def serialize_state(self, name=None):
        raise errors.UnimplementedError(
            None, None, f"{type(self).__name__} does not support serializing its state."
        )

    def restore_state(self, state, name=None):
        raise errors.UnimplementedError(
            None, None, f"{type(self).__name__} does not support restoring its state."
        )


def _reader(op_type, name, attrs):
    return op_output(op_type, name, [], {"container": b"", "shared_name": b"", **attrs})


class TextLineReader(ReaderBase):
    """Reads the lines of text files (without their line ends); key `file:line`."""

    def __init__(self, skip_header_lines=None, name=None) -> None:
        ref = _reader("TextLineReaderV2", name, {"skip_header_lines": int(skip_header_lines or 0)})
        super().__init__(ref)


class TFRecordReader(ReaderBase):
    """Reads the records of TFRecord files; key `file:offset`."""

    def __init__(self, name=None, options=None) -> None:
        from tfgraph.io.tfrecord import compression_kind

        compression = compression_kind(options).encode()
        ref = _reader("TFRecordReaderV2", name, {"compression_type": compression})
        super().__init__(ref)


class WholeFileReader(ReaderBase):
    """Reads each file whole; the key is its name."""

    def __init__(self, name=None) -> None:
        super().__init__(_reader("WholeFileReaderV2", name, {}))


class IdentityReader(ReaderBase):
    """Outputs each work item from the queue as both key and value."""

    def __init__(self, name=None) -> None:
        super().__init__(_reader("IdentityReaderV2", name, {}), supports_serialize=True)


class LMDBReader(ReaderBase):
    """Reads the records of LMDB files (a data file, or a directory holding
    `data.mdb`): key and value as stored, in key order."""

    def __init__(self, name=None, options=None) -> None:
        del options  # (unused, as in TF)
        super().__init__(_reader("LMDBReader", name, {}))


class FixedLengthRecordReader(ReaderBase):
    """Reads records of `record_bytes` bytes between a header and a footer; key
    `file:index`."""

    def __init__(
        self,
        record_bytes,
        header_bytes=None,
        footer_bytes=None,
        hop_bytes=None,
        name=None,
        encoding=None,
    ) -> None:
        ref = _reader(
            "FixedLengthRecordReaderV2",
            name,
            {
                "record_bytes": int(record_bytes),
                "header_bytes": int(header_bytes or 0),
                "footer_bytes": int(footer_bytes or 0),
                "hop_bytes": int(hop_bytes or 0),
                "encoding": (encoding or "").encode(),
            },
        )
        super().__init__(ref)


# -- ReadFile, WriteFile ---------------------------------------------------------------------------
def _read_file_kernel(op, ctx):
    def read(filename):
        path = filename[()] if isinstance(filename, np.ndarray) else filename
        path = local_path(path)
        return np.array(_read_bytes(op, path), dtype=object)

    return read


def _write_file_kernel(op, ctx):
    from tfgraph.io.atomic import atomic_open

    def write(filename, contents):
        path = filename[()] if isinstance(filename, np.ndarray) else filename
        path = local_path(path)
        data = contents[()] if isinstance(contents, np.ndarray) else contents
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with atomic_open(path) as f:
            f.write(bytes(data))

    return write


register_op(
    "ReadFile",
    inputs=["filename: string"],
    outputs=["contents: string"],
    shape=common_shapes.scalar_shape,
    make_kernel=_read_file_kernel,
    grad=NOT_DIFFERENTIABLE,
    side_effect=True,
)
register_op(
    "WriteFile",
    inputs=["filename: string", "contents: string"],
    shape=lambda op: [],
    make_kernel=_write_file_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def read_file(filename, name=None):
    """The contents of the file `filename` (a string scalar)."""
    return op_output("ReadFile", name, [filename])


def write_file(filename, contents, name=None):
    """An op writing `contents` to the file `filename` (creating its directories)."""
    return apply_op("WriteFile", name, [filename, contents])
