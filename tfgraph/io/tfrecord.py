"""TFRecord files: the framing of TensorBoard event files and `tf.io.TFRecordWriter`.

Each record is `fixed64 length | fixed32 masked_crc32c(length bytes) | payload |
fixed32 masked_crc32c(payload)`, all little-endian, with nothing between records and
no file header or trailer. A file may be compressed as a whole (`TFRecordOptions`:
GZIP, or ZLIB: a zlib stream), as TF's writers and readers do.

`TFRecordWriter` appends to its file as it goes (like TF's writer, so TensorBoard can
read an event file while it grows); `write_records` writes a whole file atomically.
`tf_record_iterator` checks both checksums of every record and raises
`DataLossError` naming the file and the record's offset on corruption or truncation.
"""

from __future__ import annotations

import enum
import io
import os
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from tfgraph import errors
from tfgraph.io.atomic import atomic_open
from tfgraph.io.crc32c import crc32c, mask, unmask

__all__ = [
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "compression_kind",
    "decompress",
    "encode_record",
    "tf_record_iterator",
    "write_records",
]


class TFRecordCompressionType(enum.IntEnum):
    """How a TFRecord file is compressed as a whole."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_KINDS = {"": "", "NONE": "", "ZLIB": "ZLIB", "GZIP": "GZIP"}


class TFRecordOptions:
    """Options of a TFRecord file: its compression (and zlib tuning values, kept)."""

    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(
        self,
        compression_type=None,
        flush_mode=None,
        input_buffer_size=None,
        output_buffer_size=None,
        window_bits=None,
        compression_level=None,
        compression_method=None,
        mem_level=None,
        compression_strategy=None,
    ) -> None:
        if isinstance(compression_type, str) and compression_type not in _KINDS:
            raise ValueError(f'Not a valid compression_type: "{compression_type}"')
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        """ "GZIP", "ZLIB" or "" for options, a compression type or its name."""
        return compression_kind(options)


def compression_kind(options) -> str:
    """ "GZIP", "ZLIB" or "" from TFRecordOptions, a TFRecordCompressionType, a name or None."""
    if options is None:
        return ""
    if isinstance(options, TFRecordOptions):
        options = options.compression_type
        if options is None:
            return ""
    if isinstance(options, bytes):
        options = options.decode()
    if isinstance(options, (TFRecordCompressionType, int)):
        return TFRecordOptions.compression_type_map[TFRecordCompressionType(options)]
    kind = _KINDS.get(str(options))
    if kind is None:
        raise ValueError(f'Not a valid compression_type: "{options}"')
    return kind


def decompress(data: bytes, kind: str, path: str = "") -> bytes:
    """The bytes of a whole GZIP or ZLIB compressed file, uncompressed."""
    if not kind:
        return data
    try:
        return zlib.decompress(data, 16 + zlib.MAX_WBITS if kind == "GZIP" else zlib.MAX_WBITS)
    except zlib.error as e:
        raise errors.DataLossError(None, None, f"{path}: {kind} stream is corrupted: {e}") from None


class _Compressing:
    """A binary file that writes a GZIP or ZLIB stream of what is written to it."""

    def __init__(self, f: BinaryIO, kind: str, level: int | None) -> None:
        self._f = f
        wbits = 16 + zlib.MAX_WBITS if kind == "GZIP" else zlib.MAX_WBITS
        self._z = zlib.compressobj(-1 if level is None else level, zlib.DEFLATED, wbits)

    def write(self, data: bytes) -> None:
        self._f.write(self._z.compress(data))

    def flush(self) -> None:
        self._f.write(self._z.flush(zlib.Z_SYNC_FLUSH))
        self._f.flush()

    def close(self) -> None:
        self._f.write(self._z.flush())
        self._f.close()


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
        options: `TFRecordOptions`, a `TFRecordCompressionType` or "GZIP"/"ZLIB"/"".
        append: keep existing contents and add records after them (uncompressed only).

    Example:
        with TFRecordWriter(path) as writer:
            writer.write(event.SerializeToString())
    """

    def __init__(self, path: str | os.PathLike, options=None, append: bool = False) -> None:
        self.path = os.fspath(path)
        kind = compression_kind(options)
        if kind and append:
            raise ValueError("TFRecordWriter cannot append to a compressed file")
        f = open(self.path, "ab" if append else "wb")  # noqa: SIM115
        level = getattr(options, "compression_level", None)
        self._file: BinaryIO | _Compressing | None = _Compressing(f, kind, level) if kind else f

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


def tf_record_iterator(
    path: str | os.PathLike, options=None, check_crc: bool = True
) -> Iterator[bytes]:
    """Yields the payload of every record in the file at `path`.

    Args:
        path: the TFRecord file.
        options: its compression (`TFRecordOptions`, a type or "GZIP"/"ZLIB"/"").
        check_crc: verify the masked CRC-32C of each length and payload.

    Raises:
        NotFoundError: if the file does not exist.
        DataLossError: on a checksum mismatch or a truncated record; the message names
            the file and the byte offset of the bad record.
    """
    path = os.fspath(path)
    kind = compression_kind(options)
    try:
        f: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by the generator's finally
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    try:
        if kind:
            with f:
                data = decompress(f.read(), kind, path)
            f = io.BytesIO(data)
            size = len(data)
        else:
            size = os.fstat(f.fileno()).st_size
        yield from _records(f, path, size, check_crc)
    finally:
        f.close()


# Records are cut out of chunks of the file this big: three reads and a generator step
# per record cost more than the slicing.
_CHUNK = 1 << 20


def _records(f: BinaryIO, path: str, size: int, check_crc: bool) -> Iterator[bytes]:
    """The payloads of the records of `f` (`size` bytes), checksums verified."""
    buf = b""
    pos = 0  # (the next record's position in buf)
    base = 0  # (buf's offset in the file)
    header_at, footer_at = _HEADER.unpack_from, _FOOTER.unpack_from
    while True:
        offset = base + pos
        if len(buf) - pos < _HEADER.size:
            if offset == size:
                return
            if offset + _HEADER.size > size:
                raise _truncated(path, offset)
            buf, base, pos = buf[pos:] + _more(f, _CHUNK, path, offset), offset, 0
            continue
        length, length_crc = header_at(buf, pos)
        if check_crc and unmask(length_crc) != crc32c(buf[pos : pos + 8]):
            raise errors.DataLossError(
                None, None, f"{path}: corrupted record at {offset} (length checksum mismatch)"
            )
        end = pos + _HEADER.size + length + _FOOTER.size
        if end > len(buf):
            if offset + _HEADER.size + length + _FOOTER.size > size:
                raise _truncated(path, offset)
            more = _more(f, max(_CHUNK, end - len(buf)), path, offset)
            buf, base, pos = buf[pos:] + more, offset, 0
            continue
        payload = buf[pos + _HEADER.size : end - _FOOTER.size]
        if check_crc and unmask(footer_at(buf, end - _FOOTER.size)[0]) != crc32c(payload):
            raise errors.DataLossError(  # TF reports the payload's offset here
                None,
                None,
                f"{path}: corrupted record at {offset + _HEADER.size} (data checksum "
                f"mismatch in the record starting at {offset})",
            )
        pos = end
        yield payload


def _more(f: BinaryIO, n: int, path: str, offset: int) -> bytes:
    data = f.read(n)
    if not data:  # (the file shrank since it was opened)
        raise _truncated(path, offset)
    return data


def public_tf_record_iterator(path, options=None) -> Iterator[bytes]:
    """`tf.io.tf_record_iterator` (TF's signature): yields the payload of every record
    in the file at `path` (checksums verified; `options` its compression)."""
    return tf_record_iterator(path, options)


def _truncated(path: str, offset: int) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{path}: truncated record at {offset}")
