"""TensorFlow's V2 checkpoint bundle: `PREFIX.index` + `PREFIX.data-00000-of-00001`.

The data file holds the tensors' bytes back to back, in the order they were added.
The index is an SSTable (see `sstable`) mapping each key to a `BundleEntryProto`
(dtype, shape, offset, size, masked CRC-32C), plus a `BundleHeaderProto` under the
empty key. `BundleWriter` writes the same bytes as TF's writer for the same tensors
added in the same order (a TF1 `Saver` adds them sorted by name);
`BundleReader` reads TF's bundles, checking sizes and checksums, and assembles
partitioned variables from their slices.

Fixed-size tensors are stored as their little-endian element bytes. A DT_STRING
tensor of n elements is stored as n varint64 lengths, the masked CRC-32C of the
lengths (each as fixed32, or fixed64 when it does not fit), then the bytes.
"""

from __future__ import annotations

import math
import os
import struct
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np

from tfgraph import errors, proto
from tfgraph.framework import dtypes
from tfgraph.io.atomic import AtomicFile, remove_stale_temp_files
from tfgraph.io.crc32c import crc32c, mask, unmask
from tfgraph.io.sstable import TableReader, TableWriter, decode_varint, encode_varint
from tfgraph.io.tensor_proto import bfloat16_bits

__all__ = [
    "BundleReader",
    "BundleWriter",
    "data_filename",
    "index_filename",
    "merge_bundles",
    "slice_key",
]

HEADER_KEY = b""

_FORMAT_VERSION = 1  # version.producer TF writes in bundle headers
_DT_STRING = 7
# `read_many` of at least this many bytes checksums on a worker thread.
_PIPELINE_BYTES = 8 << 20
_crc_pool = None
_crc_pool_lock = threading.Lock()


def _crc_worker():
    """One worker thread computing checksums (shared, created on first use)."""
    global _crc_pool
    if _crc_pool is None:
        with _crc_pool_lock:
            if _crc_pool is None:
                from concurrent.futures import ThreadPoolExecutor

                _crc_pool = ThreadPoolExecutor(1, thread_name_prefix="tfgraph-crc32c")
    return _crc_pool


def _forget_crc_pool() -> None:
    global _crc_pool
    _crc_pool = None  # a forked child has no worker thread: make a new pool when needed


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_crc_pool)
_FULL_EXTENT = -1


def index_filename(prefix: str | os.PathLike) -> str:
    """`PREFIX.index`."""
    return f"{os.fspath(prefix)}.index"


def data_filename(prefix: str | os.PathLike, shard: int = 0, num_shards: int = 1) -> str:
    """`PREFIX.data-SSSSS-of-NNNNN`."""
    return f"{os.fspath(prefix)}.data-{shard:05d}-of-{num_shards:05d}"


def _key_bytes(key: str | bytes) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def _key_text(key: bytes) -> str:
    return key.decode("utf-8", errors="surrogateescape")


# --------------------------------------------------------------------------------------
# Keys of partitioned-variable slices ("ordered code", order-preserving encoding).


def _ordered_unsigned(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return bytes([len(raw)]) + raw


def _ordered_string(value: bytes) -> bytes:
    out = bytearray()
    for c in value:  # 0x00 -> 00 ff, 0xff -> ff 00, then the terminator 00 01
        if c == 0x00:
            out += b"\x00\xff"
        elif c == 0xFF:
            out += b"\xff\x00"
        else:
            out.append(c)
    return bytes(out) + b"\x00\x01"


def _ordered_signed(value: int) -> bytes:
    x = ~value if value < 0 else value
    length = 1
    while x >= 1 << (7 * length - 1):
        length += 1
    bits = 8 * length
    header = ((1 << length) - 1) << (bits - length)
    return ((value & ((1 << bits) - 1)) ^ header).to_bytes(length, "big")


def slice_key(name: str | bytes, extents: Iterable[tuple[int, int]]) -> bytes:
    """The index key of one slice of a partitioned variable.

    Args:
        name: the full variable's checkpoint key.
        extents: (start, length) per dimension; length -1 means the whole dimension.
    """
    extents = list(extents)
    parts = [_ordered_unsigned(0), _ordered_string(_key_bytes(name))]
    parts.append(_ordered_unsigned(len(extents)))
    for start, length in extents:
        parts.append(_ordered_signed(start))
        parts.append(_ordered_signed(length))
    return b"".join(parts)


# --------------------------------------------------------------------------------------
# Writing


def _prepare(value: Any, dtype: Any) -> tuple[np.ndarray, dtypes.DType]:
    """The value as a C-contiguous little-endian array of `dtype` (object for strings)."""
    is_array = isinstance(value, np.ndarray)
    if dtype is None:
        arr = value if is_array else np.asarray(value)
        if arr.dtype.kind in "SUO":
            dtype = dtypes.string
        else:
            dtype = dtypes.as_dtype(arr.dtype)
    else:
        dtype = dtypes.as_dtype(dtype).base_dtype
    if dtype is dtypes.string:
        arr = np.asarray(value, dtype=object)
        out = np.empty(arr.shape, dtype=object)
        flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
        for i in range(flat_in.size):
            item = flat_in[i]
            if isinstance(item, str):
                item = item.encode("utf-8")
            elif not isinstance(item, (bytes, bytearray, memoryview)):
                raise TypeError(f"Expected bytes or str in a string tensor, got {type(item)}")
            flat_out[i] = bytes(item)
        return out, dtype
    if dtype is dtypes.variant:
        return _prepare_variants(value), dtype
    if not dtype.is_numpy_compatible:
        raise TypeError(f"Cannot save tensors of dtype {dtype.name} in a checkpoint bundle.")
    np_dt = dtype.np_dtype
    arr = value if is_array else np.asarray(value)
    if dtype is dtypes.bfloat16:
        if arr.dtype != np_dt:
            arr = bfloat16_bits(arr).view(np_dt)
    elif arr.dtype != np_dt:
        if arr.dtype.kind in "biufc" and np.can_cast(arr.dtype, np_dt, "same_kind"):
            arr = arr.astype(np_dt)
        elif not is_array:
            arr = np.asarray(value, dtype=np_dt)
        else:
            raise TypeError(f"Cannot save a {arr.dtype} array as {dtype.name}.")
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and not np.little_endian):
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    if not arr.flags.c_contiguous:
        arr = arr.copy()  # (np.ascontiguousarray would turn a scalar into shape [1])
    return arr, dtype


def _prepare_variants(value: Any) -> np.ndarray:
    """A variant tensor's elements as serialized `VariantTensorDataProto`s (an element
    may be the message or its bytes)."""
    arr = np.asarray(value, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        item = flat_in[i]
        if isinstance(item, proto.VariantTensorDataProto):
            item = item.SerializeToString()
        elif not isinstance(item, (bytes, bytearray)):
            raise TypeError(
                f"Cannot save a variant element of type {type(item).__name__} in a checkpoint "
                "bundle (a VariantTensorDataProto is needed)."
            )
        flat_out[i] = bytes(item)
    return out


def _variant_frames(items: list) -> tuple[bytes, int]:
    """TF's bundle layout of variant elements and the entry's (unmasked) CRC-32C: per
    element its varint length, the serialized VariantTensorDataProto, and the masked
    running CRC-32C so far (over each element's uint64 length, bytes and checksum)."""
    parts, crc = [], 0
    for elem in items:
        crc = crc32c(elem, crc32c(struct.pack("<Q", len(elem)), crc))
        checksum = struct.pack("<I", mask(crc))
        crc = crc32c(checksum, crc)
        parts += [encode_varint(len(elem)), elem, checksum]
    return b"".join(parts), crc


def _length_crc(lengths: list[int]) -> int:
    packed = b"".join(
        struct.pack("<I", n) if n <= 0xFFFFFFFF else struct.pack("<Q", n) for n in lengths
    )
    return crc32c(packed)


class BundleWriter:
    """Writes a V2 checkpoint bundle.

    Tensors are written to a temporary data file as they are added; `finish` writes
    the index to a temporary file too (fsyncs both if asked) and only then renames them to
    `PREFIX.data-00000-of-00001` and `PREFIX.index`, back to back, so neither file
    is ever seen half-written (and a process killed while saving leaves any older
    checkpoint under another prefix untouched).
    Temporary files that killed savers left in the directory are removed first
    (`atomic.remove_stale_temp_files`: only those whose writing process is gone).

    Args:
        prefix: the checkpoint prefix, e.g. `/ckpt/model-7`. Its directory is
            created if needed.
        fsync: fsync both files before renaming them (None: `fsync_by_default()`, off
            unless TFGRAPH_FSYNC=1, as TF does not fsync checkpoints).

    Example:
        with BundleWriter("/tmp/ckpt/model") as writer:
            writer.add("w", np.zeros([2, 3], np.float32))
    """

    def __init__(self, prefix: str | os.PathLike, fsync: bool | None = None) -> None:
        self.prefix = os.fspath(prefix)
        dirname = os.path.dirname(os.path.abspath(self.prefix))
        os.makedirs(dirname, exist_ok=True)
        remove_stale_temp_files(dirname)  # left by earlier savers that were killed
        self._data = AtomicFile(data_filename(self.prefix), fsync=fsync)
        self._fsync = self._data._fsync
        self._offset = 0
        self._entries: dict[bytes, tuple[int, tuple[int, ...], int, int, int]] = {}
        # full tensor key -> (dtype enum, full shape, [extents of each slice added])
        self._sliced: dict[bytes, tuple[int, tuple[int, ...], list]] = {}
        self._done = False

    def add(self, key: str | bytes, value: Any, dtype: Any = None) -> None:
        """Appends one tensor.

        Args:
            key: the checkpoint key (for a TF1 Saver, the variable's op name).
            value: a numpy array or anything `np.asarray` accepts; strings as an
                object array (or list) of `bytes`/`str`.
            dtype: the tensor's DType (or anything `as_dtype` takes); inferred from
                `value` when None. A `_ref` dtype is stored as its base type.

        Raises:
            InvalidArgumentError: for an empty or duplicate key.
            TypeError: if `value` cannot be stored as `dtype`.
        """
        if self._done:
            raise ValueError(f"BundleWriter for {self.prefix} is already finished")
        kb = _key_bytes(key)
        if kb == HEADER_KEY:
            raise errors.InvalidArgumentError(None, None, "Adding an empty key is not allowed")
        if kb in self._entries or kb in self._sliced:
            raise errors.InvalidArgumentError(None, None, f"Adding duplicate key: {_key_text(kb)}")
        self._append(kb, value, dtype)

    def _append(self, kb: bytes, value: Any, dtype: Any) -> tuple[np.ndarray, dtypes.DType]:
        arr, dtype = _prepare(value, dtype)
        if dtype is dtypes.string:
            size, crc = self._write_strings(arr)
            crc = mask(crc)
        elif dtype is dtypes.variant:
            items = arr.reshape(-1).tolist()
            payload, crc = _variant_frames(items)
            self._data.write(payload)
            size, crc = len(payload), mask(crc)
        else:
            buf = arr.reshape(-1).view(np.uint8)
            size = buf.size
            if size >= _PIPELINE_BYTES // 8:
                crc = _crc_worker().submit(crc32c, buf)  # overlaps the write below
                self._data.write(buf)
            else:
                self._data.write(buf)
                crc = mask(crc32c(buf))
        self._entries[kb] = (dtype.as_datatype_enum, arr.shape, self._offset, size, crc)
        self._offset += size
        return arr, dtype

    def add_slice(
        self,
        key: str | bytes,
        full_shape: Iterable[int],
        extents: Iterable[tuple[int, int]],
        value: Any,
        dtype: Any = None,
    ) -> None:
        """Appends one slice of a partitioned tensor, as TF's `SaveV2` does for a
        shape-and-slice spec such as "4 3 0,2:0,3".

        Args:
            key: the full tensor's checkpoint key.
            full_shape: the full tensor's shape.
            extents: (start, length) per dimension; length -1 = the whole dimension.
            value: the slice's values (shape: the extents' lengths).
            dtype: as for `add`.

        Raises:
            InvalidArgumentError: if the slice does not fit the full shape, the key
                is also used by a whole tensor, or the slice was already added.
        """
        if self._done:
            raise ValueError(f"BundleWriter for {self.prefix} is already finished")
        kb = _key_bytes(key)
        full_shape = tuple(int(d) for d in full_shape)
        extents = [(int(s), int(n)) for s, n in extents]
        name = _key_text(kb)
        if not kb or kb in self._entries:
            raise errors.InvalidArgumentError(
                None, None, f"Mixing slices and non-slices with the same name: {name}"
            )
        if len(extents) != len(full_shape):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Slice of {name} has {len(extents)} dimensions, the tensor {len(full_shape)}",
            )
        expected = []
        for (start, length), dim in zip(extents, full_shape):
            n = dim if length == _FULL_EXTENT else length
            if start < 0 or n < 0 or start + n > dim:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Slice {extents} does not fit in the shape {list(full_shape)} of {name}",
                )
            expected.append(n)
        part = slice_key(kb, extents)
        if part in self._entries:
            raise errors.InvalidArgumentError(None, None, f"Adding duplicate slice of {name}")
        arr, dtype = self._append(part, value, dtype)
        if list(arr.shape) != expected:
            raise errors.InvalidArgumentError(
                None, None, f"Slice of {name} has shape {list(arr.shape)}, its spec {expected}"
            )
        meta = self._sliced.get(kb)
        if meta is None:
            meta = self._sliced[kb] = (dtype.as_datatype_enum, full_shape, [])
        elif meta[0] != dtype.as_datatype_enum or meta[1] != full_shape:
            raise errors.InvalidArgumentError(
                None, None, f"Slices of {name} disagree on the dtype or full shape"
            )
        meta[2].append(extents)

    def _write_strings(self, arr: np.ndarray) -> tuple[int, int]:
        items = arr.reshape(-1).tolist()
        lengths = [len(s) for s in items]
        varints = b"".join(encode_varint(n) for n in lengths)
        length_crc = _length_crc(lengths)
        stored = struct.pack("<I", mask(length_crc))
        payload = b"".join(items)
        crc = crc32c(payload, crc32c(stored, length_crc))
        self._data.write(varints)
        self._data.write(stored)
        self._data.write(payload)
        return len(varints) + 4 + len(payload), crc

    def _index_entries(self) -> Iterable[tuple[bytes, bytes]]:
        entry = proto.BundleEntryProto()
        for key in sorted(self._entries.keys() | self._sliced.keys()):
            entry.Clear()
            sliced = self._sliced.get(key)
            if sliced is not None:
                dtype_enum, shape, pieces = sliced
                entry.dtype = dtype_enum
                entry.shape.SetInParent()
                for d in shape:
                    entry.shape.dim.add().size = d
                for extents in pieces:
                    piece = entry.slices.add()
                    for start, length in extents:
                        ext = piece.extent.add()
                        if length != _FULL_EXTENT:
                            ext.start = start
                            ext.length = length
            else:
                dtype_enum, shape, offset, size, crc = self._entries[key]
                if not isinstance(crc, int):  # a Future from the checksum worker
                    crc = mask(crc.result())
                entry.dtype = dtype_enum
                entry.shape.SetInParent()
                for d in shape:
                    entry.shape.dim.add().size = d
                entry.offset = offset
                entry.size = size
                entry.crc32c = crc
            yield key, entry.SerializeToString()

    def finish(self) -> None:
        """Writes the index, then renames both files into place (data file first)."""
        if self._done:
            raise ValueError(f"BundleWriter for {self.prefix} is already finished")
        self._done = True
        index = AtomicFile(index_filename(self.prefix), fsync=self._fsync)
        try:
            header = proto.BundleHeaderProto(num_shards=1)
            header.version.producer = _FORMAT_VERSION
            table = TableWriter(index.file)
            table.add(HEADER_KEY, header.SerializeToString())
            for key, value in self._index_entries():
                table.add(key, value)
            table.finish()
            self._data.sync()
            index.sync()
        except BaseException:
            index.discard()
            self._data.discard()
            raise
        self._data.commit(fsync_dir=False)
        index.commit()

    def abort(self) -> None:
        """Discards everything written so far; no files are left behind."""
        if not self._done:
            self._done = True
            self._data.discard()

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            if not self._done:
                self.finish()
        else:
            self.abort()


def _parse_in(path: str, cls, raw: bytes, what: str):
    try:
        return cls.FromString(raw)
    except Exception:  # protobuf's DecodeError
        raise errors.DataLossError(None, None, f"{path}: cannot parse the {what}") from None


def merge_bundles(
    prefixes: Iterable[str],
    destination: str,
    delete_old_dirs: bool = True,
    allow_missing_files: bool = False,
    fsync: bool | None = None,
) -> None:
    """Merges V2 bundles into one (TF's `MergeV2Checkpoints`).

    The sources' data files are renamed to the destination's shards (source i's
    shards follow those of the sources before it), their index entries are merged
    (slice lists of a partitioned tensor are concatenated) into one index written
    atomically, and the sources' index files are deleted.

    Args:
        prefixes: the source prefixes (e.g. `model_temp/part-00000-of-00002`, ...).
        destination: the merged checkpoint's prefix.
        delete_old_dirs: afterwards remove the sources' directories if empty.
        allow_missing_files: skip sources without an index instead of failing.
        fsync: fsync the merged index before renaming it.

    Raises:
        NotFoundError: a source's index is missing (and not allowed).
        InvalidArgumentError: two sources hold the same key.
    """
    destination = os.fspath(destination)
    merged: dict[bytes, Any] = {}
    moves: list[tuple[str, int, int, int]] = []  # (source prefix, shard, num, new shard)
    sources = []
    total = 0
    for prefix in prefixes:
        prefix = os.fspath(prefix)
        index = index_filename(prefix)
        if not os.path.exists(index):
            if allow_missing_files:
                continue
            raise errors.NotFoundError(None, None, f"{index}; No such file or directory")
        table = TableReader.open(index)
        raw = table.get(HEADER_KEY)
        if raw is None:
            raise errors.DataLossError(None, None, f"{index}: the index has no header entry")
        header = _parse_in(index, proto.BundleHeaderProto, raw, "header")
        for key, value in table.items():
            if key == HEADER_KEY:
                continue
            entry = _parse_in(index, proto.BundleEntryProto, value, f"entry of {key!r}")
            old = merged.get(key)
            if entry.slices and old is not None and old.slices:
                old.slices.extend(entry.slices)
                continue
            if old is not None:
                raise errors.InvalidArgumentError(
                    None, None, f"Duplicate tensor keys found: {_key_text(key)} (in {prefix})"
                )
            entry.shard_id += total  # (a sliced tensor's entry too, as TF's merge does)
            merged[key] = entry
        for shard in range(header.num_shards):
            moves.append((prefix, shard, header.num_shards, total + shard))
        total += header.num_shards
        sources.append(prefix)
    dest_dir = os.path.dirname(os.path.abspath(destination))
    os.makedirs(dest_dir, exist_ok=True)
    out = AtomicFile(index_filename(destination), fsync=fsync)
    try:
        header = proto.BundleHeaderProto(num_shards=max(total, 1))
        header.version.producer = _FORMAT_VERSION
        table_writer = TableWriter(out.file)
        table_writer.add(HEADER_KEY, header.SerializeToString())
        for key in sorted(merged):
            table_writer.add(key, merged[key].SerializeToString())
        table_writer.finish()
        out.sync()
    except BaseException:
        out.discard()
        raise
    if total == 0:
        AtomicFile(data_filename(destination), fsync=fsync).commit(fsync_dir=False)
    for prefix, shard, num, new in moves:
        os.replace(data_filename(prefix, shard, num), data_filename(destination, new, total))
    out.commit()
    for prefix in sources:
        try:
            os.unlink(index_filename(prefix))
        except FileNotFoundError:
            pass
        if delete_old_dirs:
            try:
                os.rmdir(os.path.dirname(os.path.abspath(prefix)))
            except OSError:
                pass


# --------------------------------------------------------------------------------------
# Reading


class BundleReader:
    """Reads a V2 checkpoint bundle written by TensorFlow or `BundleWriter`.

    Args:
        prefix: the checkpoint prefix (the part before `.index`).

    Raises:
        NotFoundError: if `PREFIX.index` does not exist.
        DataLossError: if the index is corrupt or has no header.
        UnimplementedError: for a big-endian bundle.
        InvalidArgumentError: if the bundle needs a newer reader.
    """

    def __init__(self, prefix: str | os.PathLike) -> None:
        self.prefix = os.fspath(prefix)
        self.index_path = index_filename(self.prefix)
        if not os.path.exists(self.index_path):
            raise errors.NotFoundError(
                None,
                None,
                "Unsuccessful TensorSliceReader constructor: Failed to find any matching "
                f"files for {self.prefix}",
            )
        self._table = TableReader.open(self.index_path)
        raw = self._table.get(HEADER_KEY)
        if raw is None:
            raise self._loss("the index has no header entry")
        self.header = self._parse(proto.BundleHeaderProto, raw, "header")
        if self.header.num_shards < 1:
            raise self._loss(f"bad num_shards {self.header.num_shards} in the header")
        if self.header.endianness == proto.BundleHeaderProto.BIG:
            raise errors.UnimplementedError(
                None,
                None,
                f"{self.index_path}: the bundle was written big-endian; tfgraph reads "
                "only little-endian checkpoints",
            )
        version = self.header.version
        if version.min_consumer > _FORMAT_VERSION or _FORMAT_VERSION in version.bad_consumers:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"{self.index_path}: checkpoint min consumer version {version.min_consumer} "
                f"above current version {_FORMAT_VERSION} for TensorFlow",
            )
        self._files: dict[int, Any] = {}
        self._keys: list[str] | None = None
        self._raw_entries: dict[bytes, bytes] = {}

    # -- helpers -------------------------------------------------------------------------
    def _loss(self, message: str) -> errors.DataLossError:
        return errors.DataLossError(None, None, f"{self.index_path}: {message}")

    def _parse(self, cls, raw: bytes, what: str):
        return _parse_in(self.index_path, cls, raw, what)

    # -- metadata --------------------------------------------------------------------------
    def keys(self) -> list[str]:
        """The checkpoint keys, sorted (slice parts of partitioned tensors excluded)."""
        if self._keys is None:
            raw = {k: v for k, v in self._table.items() if k and not k.startswith(b"\x00")}
            self._raw_entries = raw  # later lookups of these keys skip the table search
            self._keys = [_key_text(k) for k in raw]
        return list(self._keys)

    def __contains__(self, key: str | bytes) -> bool:
        kb = _key_bytes(key)
        return bool(kb) and self._table.get(kb) is not None

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def entry(self, key: str | bytes) -> Any:
        """The `BundleEntryProto` of `key` (NotFoundError if absent)."""
        kb = _key_bytes(key)
        raw = self._raw_entries.get(kb)
        if raw is None and kb:
            raw = self._table.get(kb)
        if raw is None:
            name = _key_text(kb) if isinstance(key, bytes) else key
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return self._parse(proto.BundleEntryProto, raw, f"entry of {key!r}")

    def dtype(self, key: str | bytes) -> dtypes.DType:
        """The DType stored for `key`."""
        return self._entry_dtype(self.entry(key), key)

    def shape(self, key: str | bytes) -> list[int]:
        """The shape stored for `key`."""
        return [int(d.size) for d in self.entry(key).shape.dim]

    def variable_to_shape_map(self) -> dict[str, list[int]]:
        """{key: shape} for every key, like TF's `get_variable_to_shape_map`."""
        return {k: self.shape(k) for k in self.keys()}

    def variable_to_dtype_map(self) -> dict[str, dtypes.DType]:
        """{key: DType} for every key, like TF's `get_variable_to_dtype_map`."""
        return {k: self.dtype(k) for k in self.keys()}

    # -- values --------------------------------------------------------------------------
    def read(self, key: str | bytes) -> np.ndarray:
        """The tensor stored under `key` (checksum verified).

        Raises:
            NotFoundError: if `key` is absent (or a data file is missing).
            DataLossError: if the stored bytes are truncated or fail their checksum.
        """
        entry = self.entry(key)
        if entry.slices:
            return self._read_sliced(key, entry)
        return self._read_entry(entry, key)

    def read_many(self, keys) -> list[np.ndarray]:
        """`[read(k) for k in keys]`, every requested tensor from this open bundle.

        For many megabytes, checksums are computed on a worker thread while the next
        tensors are read (both release the GIL); every checksum is still verified
        before this returns.
        """
        keys = list(keys)
        entries = [self.entry(k) for k in keys]
        plain = [not e.slices and e.dtype != _DT_STRING for e in entries]
        if sum(e.size for e, p in zip(entries, plain) if p) < _PIPELINE_BYTES:
            return [self.read(k) for k in keys]
        worker = _crc_worker()
        out, checks = [], []
        try:
            for key, entry, is_plain in zip(keys, entries, plain):
                if not is_plain:
                    out.append(self.read(key))
                    continue
                value = self._read_entry(entry, key, verify=False)
                checks.append((worker.submit(crc32c, value), entry, key))
                out.append(value)
        except BaseException:
            for future, _, _ in checks:
                future.cancel()
            raise
        for future, entry, key in checks:
            actual = future.result()
            if actual != unmask(entry.crc32c):
                raise self._checksum_error(entry, key, actual)
        return out

    def read_all(self) -> dict[str, np.ndarray]:
        """{key: tensor} for every key."""
        return {k: self.read(k) for k in self.keys()}

    def _shard(self, shard_id: int):
        """(open data file, its size) of shard `shard_id`."""
        f = self._files.get(shard_id)
        if f is None:
            if not 0 <= shard_id < self.header.num_shards:
                raise self._loss(
                    f"shard_id {shard_id} is outside [0, {self.header.num_shards}) "
                    "(corrupt index entry)"
                )
            path = data_filename(self.prefix, shard_id, self.header.num_shards)
            try:
                handle = open(path, "rb", buffering=0)  # noqa: SIM115 - cached until close()
            except FileNotFoundError:
                raise errors.NotFoundError(
                    None, None, f"{path}; No such file or directory"
                ) from None
            except OSError as e:
                cls: type[errors.OpError]
                if isinstance(e, IsADirectoryError):
                    cls = errors.FailedPreconditionError
                elif isinstance(e, PermissionError):
                    cls = errors.PermissionDeniedError
                else:
                    cls = errors.UnknownError
                raise cls(None, None, f"{path}; {e.strerror}") from None
            f = self._files[shard_id] = (handle, os.fstat(handle.fileno()).st_size)
        return f

    def _check_extent(self, entry: Any, key: Any) -> None:
        """DataLossError unless the entry's bytes lie inside its data file (checked
        before anything of the declared size is allocated)."""
        _, file_size = self._shard(entry.shard_id)
        if entry.offset < 0 or entry.size < 0 or entry.offset + entry.size > file_size:
            raise errors.DataLossError(
                None,
                None,
                f"{data_filename(self.prefix, entry.shard_id, self.header.num_shards)}: "
                f"tensor {key!r} is declared at offset {entry.offset} with size "
                f"{entry.size}, outside the file's {file_size} bytes (file truncated or "
                "index corrupt?)",
            )

    def _read_into(self, entry: Any, buf: np.ndarray, key: Any) -> None:
        f, _ = self._shard(entry.shard_id)
        view = buf.reshape(-1).view(np.uint8)
        got = 0
        f.seek(entry.offset)
        while got < view.size:
            n = f.readinto(view[got:])
            if not n:
                break
            got += n
        if got != entry.size:
            raise errors.DataLossError(
                None,
                None,
                f"{data_filename(self.prefix, entry.shard_id, self.header.num_shards)}: "
                f"read {got} bytes of tensor {key!r}, expected {entry.size} "
                f"at offset {entry.offset} (file truncated?)",
            )

    def _checksum_error(self, entry: Any, key: Any, actual: int) -> errors.DataLossError:
        return errors.DataLossError(
            None,
            None,
            f"TensorBundle at {self.prefix} shard {entry.shard_id} ({entry.size} bytes): "
            f"Checksum does not match: stored {unmask(entry.crc32c)} vs. calculated on the "
            f"restored bytes {actual} (tensor {key!r} in "
            f"{data_filename(self.prefix, entry.shard_id, self.header.num_shards)})",
        )

    def _entry_dtype(self, entry: Any, key: Any) -> dtypes.DType:
        try:
            return dtypes.as_dtype(entry.dtype).base_dtype
        except (TypeError, ValueError, KeyError):
            raise self._loss(f"entry {key!r} has an invalid dtype {entry.dtype}") from None

    def _entry_shape(self, entry: Any, key: Any) -> list[int]:
        shape = [int(d.size) for d in entry.shape.dim]
        if any(d < 0 for d in shape):
            raise self._loss(f"entry {key!r} has an unknown dimension")
        return shape

    def _read_entry(self, entry: Any, key: Any, verify: bool = True) -> np.ndarray:
        dtype = self._entry_dtype(entry, key)
        shape = self._entry_shape(entry, key)
        n = math.prod(shape)
        if dtype is dtypes.string:
            if n > entry.size:  # every string takes at least one length byte
                raise self._loss(f"entry {key!r} has {n} strings but only {entry.size} bytes")
            return self._read_strings(entry, key, n).reshape(shape)
        if dtype is dtypes.variant:
            return self._read_variants(entry, key, n).reshape(shape)
        if not dtype.is_numpy_compatible:
            raise errors.UnimplementedError(
                None, None, f"{self.index_path}: cannot read tensor {key!r} of dtype {dtype}"
            )
        np_dt = dtype.np_dtype
        if entry.size != n * np_dt.itemsize:
            raise self._loss(
                f"entry {key!r} has size {entry.size}, but {n} elements of {dtype.name} "
                f"need {n * np_dt.itemsize} bytes"
            )
        self._check_extent(entry, key)
        if np_dt.names is None and np_dt.byteorder not in "<|=":
            np_dt = np_dt.newbyteorder("<")
        out = np.empty(n, dtype=np_dt)
        self._read_into(entry, out, key)
        if verify:
            self._verify(entry, key, out)
        out.shape = shape  # in place: the result owns its memory (no view)
        return out

    def _verify(self, entry: Any, key: Any, data: np.ndarray) -> None:
        actual = crc32c(data)
        if actual != unmask(entry.crc32c):
            raise self._checksum_error(entry, key, actual)

    def _read_strings(self, entry: Any, key: Any, n: int) -> np.ndarray:
        self._check_extent(entry, key)
        raw = np.empty(entry.size, dtype=np.uint8)
        self._read_into(entry, raw, key)
        data = raw.tobytes()
        pos, lengths = 0, []
        try:
            for _ in range(n):
                length, pos = decode_varint(data, pos)
                lengths.append(length)
        except ValueError:
            raise self._loss(f"corrupt string lengths in tensor {key!r}") from None
        if pos + 4 > len(data):
            raise self._loss(f"truncated string tensor {key!r}")
        (stored,) = struct.unpack_from("<I", data, pos)
        length_crc = _length_crc(lengths)
        if unmask(stored) != length_crc:
            raise errors.DataLossError(
                None,
                None,
                f"The length checksum does not match: expected {unmask(stored)} but actual "
                f"is {length_crc} (tensor {key!r} in {self.prefix})",
            )
        if pos + 4 + sum(lengths) != entry.size:
            raise self._loss(f"string tensor {key!r} has inconsistent lengths")
        actual = crc32c(data[pos + 4 :], crc32c(data[pos : pos + 4], length_crc))
        if actual != unmask(entry.crc32c):
            raise self._checksum_error(entry, key, actual)
        out = np.empty(n, dtype=object)
        start = pos + 4
        for i, length in enumerate(lengths):
            out[i] = data[start : start + length]
            start += length
        return out

    def _read_variants(self, entry: Any, key: Any, n: int) -> np.ndarray:
        """The elements of a variant tensor, each a `VariantTensorDataProto`."""
        self._check_extent(entry, key)
        raw = np.empty(entry.size, dtype=np.uint8)
        self._read_into(entry, raw, key)
        data = raw.tobytes()
        out = np.empty(n, dtype=object)
        pos, items = 0, []
        try:
            for _ in range(n):
                length, pos = decode_varint(data, pos)
                elem = data[pos : pos + length]
                if len(elem) != length or pos + length + 4 > len(data):
                    raise ValueError("truncated")
                items.append(elem)
                pos += length + 4
        except ValueError:
            raise self._loss(f"corrupt variant tensor {key!r}") from None
        if pos != entry.size:
            raise self._loss(f"variant tensor {key!r} has inconsistent lengths")
        payload, actual = _variant_frames(items)
        if payload != data:
            raise self._loss(f"variant tensor {key!r} fails its element checksums")
        if actual != unmask(entry.crc32c):
            raise self._checksum_error(entry, key, actual)
        for i, elem in enumerate(items):
            out[i] = self._parse(proto.VariantTensorDataProto, elem, f"variant {key!r}")
        return out

    def _read_sliced(self, key: Any, entry: Any) -> np.ndarray:
        dtype = self._entry_dtype(entry, key)
        shape = self._entry_shape(entry, key)
        if dtype is not dtypes.string and not dtype.is_numpy_compatible:
            raise errors.UnimplementedError(
                None, None, f"{self.index_path}: cannot read tensor {key!r} of dtype {dtype}"
            )
        # Validate every slice (bounds, dtype, shape, place in its file) and that the
        # slices add up to the whole tensor before allocating it.
        pieces: list[tuple[tuple[slice, ...], Any]] = []
        covered = 0
        for piece in entry.slices:
            if len(piece.extent) != len(shape):
                raise self._loss(
                    f"a slice of {key!r} has {len(piece.extent)} dimensions, the tensor "
                    f"{len(shape)}"
                )
            extents, index, lengths = [], [], []
            for dim, ext in enumerate(piece.extent):
                if ext.HasField("length"):
                    start, length = int(ext.start), int(ext.length)
                    if start < 0 or length < 0 or start + length > shape[dim]:
                        raise self._loss(
                            f"slice extent ({start}, {length}) of {key!r} does not fit "
                            f"dimension {dim} of its shape {shape}"
                        )
                    extents.append((start, length))
                else:
                    if ext.start != 0:
                        raise self._loss(f"a full slice extent of {key!r} starts at {ext.start}")
                    start, length = 0, shape[dim]
                    extents.append((0, _FULL_EXTENT))
                index.append(slice(start, start + length))
                lengths.append(length)
            part_key = slice_key(_key_bytes(key), extents)
            raw = self._table.get(part_key)
            if raw is None:
                raise self._loss(f"slice {extents} of {key!r} is missing from the index")
            part = self._parse(proto.BundleEntryProto, raw, "slice")
            if part.slices:
                raise self._loss(f"slice {extents} of {key!r} is itself sliced")
            if part.dtype != entry.dtype:
                raise self._loss(
                    f"slice {extents} of {key!r} has dtype {part.dtype}, the tensor {entry.dtype}"
                )
            if self._entry_shape(part, key) != lengths:
                raise self._loss(
                    f"slice {extents} of {key!r} has shape "
                    f"{[int(d.size) for d in part.shape.dim]}, its extents {lengths}"
                )
            self._check_extent(part, key)
            covered += math.prod(lengths)
            pieces.append((tuple(index), part))
        total = math.prod(shape)
        if covered != total:
            raise self._loss(
                f"the slices of {key!r} hold {covered} elements, its shape {shape} {total}"
            )
        out = np.empty(shape, dtype=object if dtype is dtypes.string else dtype.np_dtype)
        seen = np.zeros(shape, dtype=bool)
        for where, part in pieces:
            if seen[where].any():
                raise self._loss(f"slices of {key!r} overlap")
            seen[where] = True
            out[where] = self._read_entry(part, key)
        return out

    def close(self) -> None:
        """Closes the data files."""
        for f, _ in self._files.values():
            f.close()
        self._files.clear()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
