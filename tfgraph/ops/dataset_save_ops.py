"""Datasets on disk in TF's snapshot layout: `SaveDataset` (what `Dataset.save` runs),
`LoadDataset` (`Dataset.load`) and `SnapshotDatasetV2` (`Dataset.snapshot`).

The layout (as TF 2.21 writes it for `save`): `<path>/snapshot.metadata`, a
SnapshotMetadataRecord naming the run (run_id, version 2, the component dtypes, the
number of elements, finalized); `<path>/<run_id>/<shard:08d>.shard/00000000.snapshot`,
a TFRecord file (GZIP or ZLIB compressed if asked) holding, per element, one record per
component: the component's serialized TensorProto. `<path>/dataset_spec.pb` (the
element structure) is written by the Python side (tfgraph/data/persistence.py).
A snapshot keeps one such directory per input pipeline, `<path>/<pipeline hash>`, and
reads it back once a run has finalized it (SNAPPY / AUTO compression: uncompressed)."""

from __future__ import annotations

import hashlib
import os
import random
import time

import numpy as np

from tfgraph import errors, proto
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.io.tensor_proto import make_ndarray, make_tensor_proto
from tfgraph.io.tfrecord import TFRecordWriter, tf_record_iterator
from tfgraph.ops.dataset_ops import (
    _META,
    _SHAPES,
    _TYPES,
    DatasetValue,
    _runner,
    _scalar,
    _scalar_bytes,
    _variant_shape,
)

__all__: list[str] = []

_METADATA = "snapshot.metadata"


# -- SnapshotMetadataRecord (protobuf wire format, written and read here) -----------------
def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _encode_metadata(run_id: str, types: list, num_elements: int, finalized: bool) -> bytes:
    out = bytearray()
    rid = run_id.encode()
    out += _varint(2 << 3 | 2) + _varint(len(rid)) + rid
    out += _varint(3 << 3) + _varint(int(time.time() * 1e6))
    out += _varint(4 << 3) + _varint(2)
    packed = b"".join(_varint(t.as_datatype_enum) for t in types)
    out += _varint(5 << 3 | 2) + _varint(len(packed)) + packed
    out += _varint(6 << 3) + _varint(num_elements)
    if finalized:
        out += _varint(1000 << 3) + _varint(1)
    return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _decode_metadata(data: bytes) -> dict:
    out: dict = {"run_id": "", "finalized": False, "num_elements": -1}
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
            if number == 1000:
                out["finalized"] = bool(value)
            elif number == 6:
                out["num_elements"] = value
        elif wire == 2:
            n, pos = _read_varint(data, pos)
            if number == 2:
                out["run_id"] = data[pos : pos + n].decode()
            pos += n
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"wire type {wire}")
    return out


# -- writing and reading one run -----------------------------------------------------------
def _compression(kind: bytes) -> str:
    kind_s = kind.decode() if isinstance(kind, bytes) else str(kind)
    return kind_s if kind_s in ("GZIP", "ZLIB") else ""


def _write_run(path: str, elements, types: list, compression: str, shard_of) -> None:
    """Writes every element of `elements` under a new run of `path`, then the metadata."""
    run_id = str(random.getrandbits(63))
    writers: dict = {}
    count = 0
    try:
        for element in elements:
            shard = shard_of(element)
            writer = writers.get(shard)
            if writer is None:
                folder = os.path.join(path, run_id, f"{shard:08d}.shard")
                os.makedirs(folder, exist_ok=True)
                writer = writers[shard] = TFRecordWriter(
                    os.path.join(folder, "00000000.snapshot"), compression
                )
            for value, dtype in zip(element, types):
                tensor = make_tensor_proto(np.asarray(value), dtype=dtype)
                writer.write(tensor.SerializeToString())
            count += 1
    finally:
        for writer in writers.values():
            writer.close()
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, _METADATA), "wb") as f:
        f.write(_encode_metadata(run_id, types, count, True))


def _read_metadata(path: str, op) -> dict | None:
    try:
        with open(os.path.join(path, _METADATA), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    try:
        return _decode_metadata(data)
    except (ValueError, IndexError):
        raise errors.DataLossError(None, op, f"{path}/{_METADATA}: corrupt metadata") from None


def _shard_files(path: str, run_id: str) -> list[str]:
    folder = os.path.join(path, run_id)
    shards = sorted(d for d in os.listdir(folder) if d.endswith(".shard"))
    return [os.path.join(folder, shard, "00000000.snapshot") for shard in shards]


def _read_shard(name: str, n_components: int, compression: str, op):
    parts: list = []
    for record in tf_record_iterator(name, compression):
        parts.append(make_ndarray(proto.TensorProto.FromString(record)))
        if len(parts) == n_components:
            yield tuple(parts)
            parts = []
    if parts:
        raise errors.DataLossError(None, op, f"{name}: an element is cut short")


def _read_run(path: str, run_id: str, n_components: int, compression: str, op):
    for name in _shard_files(path, run_id):
        yield from _read_shard(name, n_components, compression, op)


def _shards_value(files: list, n_components: int, compression: str, op) -> DatasetValue:
    """The dataset of the shards' datasets, what a reader_func is given."""

    def shard(name):
        return DatasetValue(lambda state: _read_shard(name, n_components, compression, op))

    return DatasetValue(lambda state: iter([(shard(name),) for name in files]), len(files))


def _load_kernel(op, ctx):
    types = [dtypes.as_dtype(t) for t in op._attrs["output_types"]]
    compression = _compression(op._attrs.get("compression", b""))
    reader = _runner(op, ctx, "reader_func")

    def kernel(path, *reader_args):
        where = _scalar_bytes(path).decode()
        meta = _read_metadata(where, op)
        if meta is None or not meta["finalized"]:
            raise errors.NotFoundError(
                None,
                op,
                f"Could not find a finalized dataset saved at {where}: write it with "
                "`Dataset.save` (and run the save op) first.",
            )
        files = _shard_files(where, meta["run_id"])
        (out,) = reader(_shards_value(files, len(types), compression, op), *reader_args)
        return DatasetValue(out.iterate, meta["num_elements"])

    return kernel


def _save_kernel(op, ctx):
    types = [dtypes.as_dtype(t) for t in op._attrs.get("output_types") or ()]
    compression = _compression(op._attrs.get("compression", b""))
    use_shard_func = op._attrs.get("use_shard_func", True)
    shard_fn = _runner(op, ctx, "shard_func") if use_shard_func else None

    def kernel(dataset, path, *shard_args):
        where = _scalar_bytes(path).decode()
        elements = list(dataset.iterate({}))
        kinds = types or [_dtype_of(c) for c in (elements or [()])[0]]

        def shard_of(element) -> int:
            if shard_fn is None:
                return 0
            (index,) = shard_fn(*element, *shard_args)
            return _scalar(index)

        _write_run(where, iter(elements), kinds, compression, shard_of)

    return kernel


def _dtype_of(value) -> dtypes.DType:
    arr = np.asarray(value)
    return dtypes.string if arr.dtype.kind in "OSU" else dtypes.as_dtype(arr.dtype)


register_op(
    "SaveDataset",
    inputs=["input_dataset: variant", "path: string", "shard_func_other_args: Tshard_func_args"],
    attrs=[
        "compression: string = ''",
        "shard_func: func",
        "use_shard_func: bool = true",
        "Tshard_func_args: list(type) >= 0",
    ],
    make_kernel=_save_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "LoadDataset",
    inputs=["path: string", "reader_func_other_args: Treader_func_args"],
    outputs=["handle: variant"],
    attrs=[
        _TYPES,
        _SHAPES,
        "compression: string = ''",
        "reader_func: func",
        "Treader_func_args: list(type) >= 0",
    ],
    shape=_variant_shape,
    make_kernel=_load_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- snapshot ------------------------------------------------------------------------------
def _pipeline_hash(op) -> str:
    """A fingerprint of the input pipeline: the op types, attrs and constants feeding
    the snapshot (TF hashes its input dataset graph the same way, with its own hash)."""
    h = hashlib.sha256()
    seen: set = set()
    stack = [op._inputs[0]._op]
    nodes = []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        stack.extend(t._op for t in node._inputs)
    for node in sorted(nodes, key=lambda n: n._name):
        h.update(node._type.encode())
        for key in sorted(node._attrs):
            if not key.startswith("_"):
                h.update(key.encode() + repr(node._attrs[key]).encode())
    return str(int.from_bytes(h.digest()[:8], "little") >> 1)


def _snapshot_kernel(op, ctx):
    types = [dtypes.as_dtype(t) for t in op._attrs["output_types"]]
    compression = _compression(op._attrs.get("compression", b""))
    fingerprint = _pipeline_hash(op)

    def kernel(dataset, path, *func_args):
        where = os.path.join(_scalar_bytes(path).decode(), fingerprint)

        def iterate(state):
            meta = _read_metadata(where, op)
            if meta is not None and meta["finalized"]:
                yield from _read_run(where, meta["run_id"], len(types), compression, op)
                return
            written: list = []
            for element in dataset.iterate(state):
                written.append(element)
                yield element
            _write_run(where, iter(written), types, compression, lambda e: 0)

        return DatasetValue(iterate, dataset.cardinality)

    return kernel


register_op(
    "SnapshotDatasetV2",
    inputs=[
        "input_dataset: variant",
        "path: string",
        "reader_func_other_args: Treader_func_args",
        "shard_func_other_args: Tshard_func_args",
    ],
    outputs=["handle: variant"],
    attrs=[
        _TYPES,
        _SHAPES,
        "compression: string = ''",
        "reader_prefix: string = ''",
        "writer_prefix: string = ''",
        "hash_valid: bool = false",
        "hash: int = 0",
        "reader_func: func",
        "shard_func: func",
        "Treader_func_args: list(type) >= 0",
        "Tshard_func_args: list(type) >= 0",
        _META,
    ],
    shape=_variant_shape,
    make_kernel=_snapshot_kernel,
    grad=NOT_DIFFERENTIABLE,
)
