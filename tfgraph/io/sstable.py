"""The LevelDB-style immutable table TensorFlow uses for checkpoint `.index` files.

Layout: data blocks, an (empty) metaindex block, an index block and a 48-byte footer.
Each block is a run of prefix-compressed entries followed by its restart-point array,
and is stored with a 5-byte trailer (compression type, masked CRC-32C). The index
block maps a separator key of each data block to that block's handle.

`TableWriter` reproduces TF's parameters exactly (262144-byte block target, restart
interval 16 in data blocks and 1 in the index, shortest separators, empty metaindex),
so for the same entries it writes the same bytes as TF. `TableReader` verifies every
block checksum it reads, binary-searches restart points for lookups, and raises
`DataLossError` naming the file on any corruption.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from tfgraph import errors
from tfgraph.io.crc32c import crc32c, mask, unmask

__all__ = [
    "BLOCK_SIZE",
    "MAGIC",
    "TableReader",
    "TableWriter",
    "decode_varint",
    "encode_varint",
    "short_successor",
    "shortest_separator",
]

BLOCK_SIZE = 262144
DATA_RESTART_INTERVAL = 16
INDEX_RESTART_INTERVAL = 1
MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
_TRAILER = 5  # compression type byte + fixed32 masked crc
_NO_COMPRESSION = 0
_SNAPPY = 1


# --------------------------------------------------------------------------------------
# Varints


def encode_varint(value: int) -> bytes:
    """Protobuf/LevelDB base-128 varint of a non-negative int."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(buf: bytes | memoryview, pos: int, limit: int | None = None) -> tuple[int, int]:
    """Decodes a varint at `pos`; returns (value, position after it).

    Raises:
        ValueError: if the varint runs past `limit` (default: end of `buf`) or is
            longer than 10 bytes.
    """
    end = len(buf) if limit is None else limit
    result = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise ValueError("bad varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


# --------------------------------------------------------------------------------------
# Writing


def _shared_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def shortest_separator(start: bytes, limit: bytes) -> bytes:
    """A short key k with start <= k < limit (LevelDB's bytewise rule)."""
    n = min(len(start), len(limit))
    p = _shared_prefix(start, limit)
    if p < n:
        byte = start[p]
        if byte < 0xFF and byte + 1 < limit[p]:
            return start[:p] + bytes([byte + 1])
    return start


def short_successor(key: bytes) -> bytes:
    """A short key k >= `key`: the first non-0xFF byte incremented, the rest dropped."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


class _BlockBuilder:
    """Accumulates prefix-compressed entries with restart points."""

    def __init__(self, restart_interval: int) -> None:
        self._interval = restart_interval
        self.reset()

    def reset(self) -> None:
        self._buf = bytearray()
        self._restarts = [0]
        self._counter = 0
        self._last = b""
        self.empty = True

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self._counter < self._interval:
            shared = _shared_prefix(self._last, key)
        else:
            self._restarts.append(len(self._buf))
            self._counter = 0
        buf = self._buf
        buf += encode_varint(shared)
        buf += encode_varint(len(key) - shared)
        buf += encode_varint(len(value))
        buf += key[shared:]
        buf += value
        self._last = key
        self._counter += 1
        self.empty = False

    def size_estimate(self) -> int:
        return len(self._buf) + 4 * len(self._restarts) + 4

    def finish(self) -> bytes:
        restarts = struct.pack(f"<{len(self._restarts)}I", *self._restarts)
        return bytes(self._buf) + restarts + struct.pack("<I", len(self._restarts))


class TableWriter:
    """Writes a table to a binary file object; keys must be added in strictly
    increasing bytewise order.

    Args:
        out: a writable binary file object, positioned where the table starts.
        block_size: target uncompressed size of a data block.
    """

    def __init__(self, out: BinaryIO, block_size: int = BLOCK_SIZE) -> None:
        self._out = out
        self._block_size = block_size
        self._offset = 0
        self._data = _BlockBuilder(DATA_RESTART_INTERVAL)
        self._index = _BlockBuilder(INDEX_RESTART_INTERVAL)
        self._last_key: bytes | None = None
        self._pending_handle: tuple[int, int] | None = None
        self._finished = False
        self.num_entries = 0

    def add(self, key: bytes, value: bytes) -> None:
        """Adds one entry.

        Raises:
            ValueError: if `key` is not greater than the previous key.
        """
        if self._finished:
            raise ValueError("TableWriter.add after finish")
        key = bytes(key)
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"keys must be strictly increasing: {key!r} after {self._last_key!r}")
        if self._pending_handle is not None:
            self._add_index_entry(shortest_separator(self._last_key or b"", key))
        elif not self._data.empty and len(key) + len(value) >= 2 * self._block_size:
            self._flush()
            self._add_index_entry(shortest_separator(self._last_key or b"", key))
        self._last_key = key
        self.num_entries += 1
        self._data.add(key, value)
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def _add_index_entry(self, separator: bytes) -> None:
        assert self._pending_handle is not None
        offset, size = self._pending_handle
        self._index.add(separator, encode_varint(offset) + encode_varint(size))
        self._pending_handle = None

    def _flush(self) -> None:
        if self._data.empty:
            return
        self._pending_handle = self._write_block(self._data)

    def _write_block(self, block: _BlockBuilder) -> tuple[int, int]:
        contents = block.finish()
        block.reset()
        trailer = bytes([_NO_COMPRESSION])
        crc = mask(crc32c(trailer, crc32c(contents)))
        handle = (self._offset, len(contents))
        self._out.write(contents)
        self._out.write(trailer + struct.pack("<I", crc))
        self._offset += len(contents) + _TRAILER
        return handle

    def finish(self) -> int:
        """Writes the remaining blocks and the footer; returns the table's size."""
        if self._finished:
            raise ValueError("TableWriter.finish called twice")
        self._flush()
        self._finished = True
        meta_handle = self._write_block(_BlockBuilder(INDEX_RESTART_INTERVAL))
        if self._pending_handle is not None:
            self._add_index_entry(short_successor(self._last_key or b""))
        index_handle = self._write_block(self._index)
        handles = b"".join(encode_varint(v) for v in (*meta_handle, *index_handle))
        footer = handles.ljust(FOOTER_SIZE - 8, b"\x00") + struct.pack("<Q", MAGIC)
        self._out.write(footer)
        self._offset += FOOTER_SIZE
        return self._offset


# --------------------------------------------------------------------------------------
# Reading


class _Block:
    """A decoded, checksum-verified block: entries are parsed lazily around restarts."""

    __slots__ = ("_data", "_limit", "_restarts")

    def __init__(self, data: bytes, where: str) -> None:
        if len(data) < 4:
            raise ValueError(f"{where}: block too short")
        (num_restarts,) = struct.unpack_from("<I", data, len(data) - 4)
        limit = len(data) - 4 - 4 * num_restarts
        if num_restarts == 0 or limit < 0:
            raise ValueError(f"{where}: bad restart array")
        self._data = data
        self._limit = limit
        self._restarts = struct.unpack_from(f"<{num_restarts}I", data, limit)

    def _entry(self, pos: int, prev_key: bytes) -> tuple[bytes, bytes, int]:
        data, limit = self._data, self._limit
        shared, pos = decode_varint(data, pos, limit)
        non_shared, pos = decode_varint(data, pos, limit)
        value_len, pos = decode_varint(data, pos, limit)
        end = pos + non_shared + value_len
        if shared > len(prev_key) or end > limit:
            raise ValueError("bad entry in block")
        key = prev_key[:shared] + data[pos : pos + non_shared]
        return key, data[pos + non_shared : end], end

    def __iter__(self) -> Iterator[tuple[bytes, bytes]]:
        pos, key = 0, b""
        while pos < self._limit:
            key, value, pos = self._entry(pos, key)
            yield key, value

    def seek(self, target: bytes) -> tuple[bytes, bytes] | None:
        """The first entry whose key is >= target, or None."""
        restarts = self._restarts
        lo, hi = 0, len(restarts) - 1
        # Last restart point whose key is < target.
        while lo < hi:
            mid = (lo + hi + 1) // 2
            key, _, _ = self._entry(restarts[mid], b"")
            if key < target:
                lo = mid
            else:
                hi = mid - 1
        pos, key = restarts[lo], b""
        while pos < self._limit:
            key, value, pos = self._entry(pos, key)
            if key >= target:
                return key, value
        return None


class TableReader:
    """Reads a table from bytes; lookups binary-search the index and the blocks.

    Args:
        data: the whole file's bytes.
        name: the file name used in error messages.

    Raises:
        DataLossError: if the file is too short, its magic number is wrong, or the
            index block is corrupt.
    """

    def __init__(self, data: bytes, name: str = "<table>") -> None:
        self._file = data
        self.name = name
        if len(data) < FOOTER_SIZE:
            raise self._error("file is too short to be an sstable")
        footer = memoryview(data)[len(data) - FOOTER_SIZE :]
        (magic,) = struct.unpack_from("<Q", footer, FOOTER_SIZE - 8)
        if magic != MAGIC:
            raise self._error("not an sstable (bad magic number)")
        try:
            pos = 0
            handles = []
            for _ in range(4):
                value, pos = decode_varint(footer, pos, FOOTER_SIZE - 8)
                handles.append(value)
        except ValueError:
            raise self._error("bad block handle in footer") from None
        self._index = self._read_block(handles[2], handles[3], "index block")
        self._cache: dict[int, _Block] = {}

    @classmethod
    def open(cls, path: str | os.PathLike) -> TableReader:
        """Reads the table at `path` (NotFoundError if it does not exist)."""
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
        except IsADirectoryError:  # TF: DataLoss "Unable to open table file ..."
            raise errors.DataLossError(
                None, None, f"Unable to open table file {path}: {path}; Is a directory"
            ) from None
        except PermissionError as e:
            raise errors.PermissionDeniedError(None, None, f"{path}; {e.strerror}") from None
        except OSError as e:
            raise errors.UnknownError(None, None, f"{path}; {e.strerror}") from None
        return cls(data, path)

    def _error(self, message: str) -> errors.DataLossError:
        return errors.DataLossError(None, None, f"{self.name}: {message}")

    def _read_block(self, offset: int, size: int, what: str) -> _Block:
        end = offset + size + _TRAILER
        if end > len(self._file) - FOOTER_SIZE or offset < 0:
            raise self._error(f"truncated block read ({what} at offset {offset}, size {size})")
        view = memoryview(self._file)
        ctype = view[offset + size]
        (stored,) = struct.unpack_from("<I", view, offset + size + 1)
        actual = crc32c(view[offset : offset + size + 1])
        if unmask(stored) != actual:
            raise self._error(
                f"block checksum mismatch ({what} at offset {offset}); "
                "the file is corrupt or was not written completely"
            )
        if ctype == _SNAPPY:
            raise errors.UnimplementedError(
                None,
                None,
                f"{self.name}: {what} at offset {offset} is Snappy-compressed; "
                "tfgraph reads only uncompressed tables (TensorFlow never writes "
                "compressed checkpoint indexes)",
            )
        if ctype != _NO_COMPRESSION:
            raise self._error(f"bad block type {ctype} ({what} at offset {offset})")
        try:
            return _Block(self._file[offset : offset + size], f"{self.name}: {what}")
        except ValueError as exc:
            raise self._error(str(exc)) from None

    def _data_block(self, handle: bytes) -> _Block:
        try:
            offset, pos = decode_varint(handle, 0)
            size, _ = decode_varint(handle, pos)
        except ValueError:
            raise self._error("bad block handle in index block") from None
        block = self._cache.get(offset)
        if block is None:
            block = self._read_block(offset, size, "data block")
            self._cache[offset] = block
        return block

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except ValueError as exc:
            raise self._error(f"corrupted block contents: {exc}") from None

    def get(self, key: bytes) -> bytes | None:
        """The value stored under `key`, or None."""
        key = bytes(key)
        hit = self._guard(self._index.seek, key)
        if hit is None:
            return None
        found = self._guard(self._data_block(hit[1]).seek, key)
        if found is None or found[0] != key:
            return None
        return found[1]

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """All entries in key order (every data block's checksum is verified)."""
        for _, handle in self._guard(list, self._index):
            yield from self._guard(list, self._data_block(handle))

    def keys(self) -> Iterator[bytes]:
        """All keys in order."""
        for key, _ in self.items():
            yield key

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None
