"""TFRecord files: the framing of TensorBoard event files and `tf.io.TFRecordWriter`.

Each record is `fixed64 length | fixed32 masked_crc32c(length bytes) | payload |
fixed32 masked_crc32c(payload)`, all little-endian, with nothing between records and
no file header or trailer (uncompressed files only).

`TFRecordWriter` appends to its file as it goes (like TF's writer, so TensorBoard can
read an event file while it grows); `write_records` writes a whole file atomically.
`tf_record_iterator` checks both checksums of every record and raises
`DataLossError` naming the file and the record's offset on corruption or truncation.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from tfgraph import errors
from tfgraph.io.atomic import atomic_open
from tfgraph.io.crc32c import crc32c, mask, unmask

__all__ = ["TFRecordWriter", "encode_record", "tf_record_iterator", "write_records"]

_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")


def encode_record(payload: bytes) -> bytes:
    """One framed record holding `payload`."""
    length = struct.pack("<Q", len(payload))
    return (
        length
        + struct.pack("<I", mask(crc32c(length)))
        + bytes(payload)
        + struct.pack("<I", mask(crc32c(payload)))
    )


class TFRecordWriter:
    """Appends records to a file (created or truncated on open).

    Args:
        path: the file to write.
        append: keep existing contents and add records after them.

    Example:
        with TFRecordWriter(path) as writer:
            writer.write(event.SerializeToString())
    """

    def __init__(self, path: str | os.PathLike, append: bool = False) -> None:
        self.path = os.fspath(path)
        self._file: BinaryIO | None = open(self.path, "ab" if append else "wb")  # noqa: SIM115

    def write(self, record: bytes) -> None:
        """Writes one record (the payload bytes; framing is added here)."""
        if self._file is None:
            raise ValueError(f"TFRecordWriter for {self.path} is closed")
        self._file.write(encode_record(record))

    def flush(self) -> None:
        """Pushes buffered records to the operating system."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flushes and closes the file."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> TFRecordWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()


def write_records(
    path: str | os.PathLike, records: Iterable[bytes], fsync: bool | None = None
) -> None:
    """Atomically writes a complete TFRecord file holding `records`."""
    with atomic_open(path, fsync=fsync) as f:
        for record in records:
            f.write(encode_record(record))


def tf_record_iterator(path: str | os.PathLike, check_crc: bool = True) -> Iterator[bytes]:
    """Yields the payload of every record in the file at `path`.

    Args:
        path: the TFRecord file.
        check_crc: verify the masked CRC-32C of each length and payload.

    Raises:
        NotFoundError: if the file does not exist.
        DataLossError: on a checksum mismatch or a truncated record; the message names
            the file and the byte offset of the bad record.
    """
    path = os.fspath(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the generator's finally
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    try:
        size = os.fstat(f.fileno()).st_size
        offset = 0
        while True:
            header = f.read(_HEADER.size)
            if not header:
                return
            if len(header) < _HEADER.size:
                raise _truncated(path, offset)
            length, length_crc = _HEADER.unpack(header)
            if check_crc and unmask(length_crc) != crc32c(header[:8]):
                raise errors.DataLossError(
                    None, None, f"{path}: corrupted record at {offset} (length checksum mismatch)"
                )
            if offset + _HEADER.size + length + _FOOTER.size > size:
                raise _truncated(path, offset)
            payload = f.read(length)
            footer = f.read(_FOOTER.size)
            if len(payload) < length or len(footer) < _FOOTER.size:
                raise _truncated(path, offset)
            if check_crc and unmask(_FOOTER.unpack(footer)[0]) != crc32c(payload):
                raise errors.DataLossError(  # TF reports the payload's offset here
                    None,
                    None,
                    f"{path}: corrupted record at {offset + _HEADER.size} (data checksum "
                    f"mismatch in the record starting at {offset})",
                )
            yield payload
            offset += _HEADER.size + length + _FOOTER.size
    finally:
        f.close()


def _truncated(path: str, offset: int) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{path}: truncated record at {offset}")
