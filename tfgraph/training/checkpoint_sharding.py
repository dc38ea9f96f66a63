"""Checkpoint sharding (`tf.train.experimental.ShardingCallback` and its policies).

A `ShardingCallback` set as `tf.train.CheckpointOptions(experimental_sharding_callback=)`
decides how the tensors of an object-based checkpoint are split across the data files
`PREFIX.data-0000K-of-0000N`: it gets a list of `ShardableTensor`s and returns a list of
shards, each a dict {checkpoint key: {slice spec: tensor}}. `MaxShardSizePolicy` cuts
big tensors into slices (written as slices of the full tensor, as TF does) so that each
shard holds at most `max_shard_size` bytes."""

from __future__ import annotations

import abc
import dataclasses
import inspect
import math
import os
from collections.abc import Hashable
from typing import Any

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.device import DeviceSpec
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.platform import tf_logging as logging

__all__ = [
    "MaxShardSizePolicy",
    "ShardByTaskPolicy",
    "ShardableTensor",
    "ShardingCallback",
    "write_sharded",
]

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


@dataclasses.dataclass(frozen=True)
class ShardableTensor:
    """A tensor to be placed in a checkpoint shard, with what a sharding callback needs
    (its value `tensor`, dtype, device, shape, slice spec and checkpoint key)."""

    _tensor_save_spec: Any
    tensor: Any
    dtype: Any
    device: Any
    name: Any
    shape: Any
    slice_spec: Any
    checkpoint_key: Any
    trackable: Any

    def __hash__(self) -> int:
        return hash((self.name, self.dtype, str(self.device), self.checkpoint_key))

    def __repr__(self) -> str:
        fields = ("_tensor_save_spec", "tensor", "dtype", "device", "name", "shape")
        lines = [f"  {f}={getattr(self, f)!r}" for f in fields]
        lines += [f"  {f}={getattr(self, f)!r}" for f in ("slice_spec", "checkpoint_key")]
        lines.append(f"  trackable={self.trackable!r}")
        return f"\n{self.__class__.__name__}:\n" + "\n".join(lines)


class ShardingCallback(abc.ABC):
    """Decides how checkpoint tensors are split into shards (subclass it: define the
    `description` property and `__call__(shardable_tensors) -> list of shards`, each
    shard a dict {checkpoint_key: {slice_spec: tensor}}).

    Tensors may be sliced but must not be dropped, added, reshaped or change dtype
    (as in TF, the result is not checked: a tensor left out is not saved)."""

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """A text description of the sharding policy."""

    @abc.abstractmethod
    def __call__(self, shardable_tensors):
        """Returns the list of shards for `shardable_tensors`."""

    def __hash__(self) -> int:
        value = hash(self.description)
        for name, attr in vars(self).items():
            if not (inspect.ismethod(attr) or inspect.isfunction(attr)):
                value ^= hash(name)
                if isinstance(attr, Hashable):
                    value ^= hash(attr)
        return value


class ShardByTaskPolicy(ShardingCallback):
    """Puts the tensors of each device task in one shard (TF's default)."""

    @property
    def description(self) -> str:
        return "Split tensors into shards based on their device spec task."

    def __call__(self, shardable_tensors):
        shard: dict = {}
        for t in shardable_tensors:
            shard.setdefault(t.checkpoint_key, {})[t.slice_spec] = t.tensor
        return [shard]


# -- slice specs ("4 3 0,2:0,3": full shape, then offset,length per dimension) -------------
def slice_spec(full_shape, offset, shape) -> str:
    dims = " ".join(str(int(d)) for d in full_shape)
    parts = ":".join(f"{int(o)},{int(n)}" for o, n in zip(offset, shape))
    return f"{dims} {parts}".strip()


def parse_slice_spec(spec: str) -> tuple[list[int], list[int], list[int]]:
    """(full shape, offset, shape) of a slice spec."""
    *full, extents = spec.split()
    offset, shape = [], []
    for part in extents.split(":"):
        start, length = part.split(",")
        offset.append(int(start))
        shape.append(int(length))
    return [int(d) for d in full], offset, shape


def _value(tensor) -> np.ndarray:
    return np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor)


def _eager(value, dtype):
    from tfgraph.eager.tensor import eager_tensor

    return eager_tensor(value, dtype)


class _MaxShardSizePartitioner:
    """Packs tensors (cut into slices when needed) into shards of at most
    `max_shard_size` bytes, in the order TF's MaxShardSizePolicy does."""

    def __init__(self, max_shard_size: int) -> None:
        self.max_shard_size = max_shard_size
        self.shards: list[dict] = [{}]
        self.large: list[dict] = []
        self.remaining = max_shard_size

    def _new_shard(self) -> None:
        self.shards.append({})
        self.remaining = self.max_shard_size

    def _next_partition(self, shape: list[int], item: int) -> tuple[int, float]:
        """(axis, slice length) of the partition closest to the remaining space."""
        if not shape:
            return 0, math.inf
        n = math.prod(shape)

        def parts(axis: int) -> float:
            per_shard = self.remaining // ((n // shape[axis]) * item)
            return math.inf if per_shard == 0 else math.ceil(shape[axis] / per_shard)

        best_parts, best_axis = parts(0), 0
        for axis in range(1, len(shape)):
            p = parts(axis)
            if p < best_parts and n * item / p <= self.remaining:
                best_axis, best_parts = axis, int(p)
        return best_axis, math.ceil(shape[best_axis] / best_parts)

    def _sizes(self, st: ShardableTensor, shape: list[int]) -> tuple[int, int]:
        """(total bytes, bytes per element) of a tensor as the policy counts them."""
        dtype = dtypes.as_dtype(st.dtype)
        if st.checkpoint_key == OBJECT_GRAPH_KEY or dtype.base_dtype == dtypes.variant:
            return 0, 0
        if dtype.base_dtype == dtypes.string:
            lengths = [len(v) for v in _value(st.tensor).reshape(-1)] or [0]
            return sum(lengths), max(lengths)
        return math.prod(shape) * dtype.size, dtype.size

    def add(self, st: ShardableTensor) -> None:
        key, spec, root = st.checkpoint_key, st.slice_spec, st.tensor
        if spec:
            full, root_offset, root_shape = parse_slice_spec(spec)
        else:
            full = root_shape = list(TensorShape(st.shape).as_list())
            root_offset = [0] * len(root_shape)
        total, item = self._sizes(st, root_shape)
        if not root_shape:
            if total > self.max_shard_size:
                logging.warning(
                    "Tensor %s is a %s scalar of size %s bytes and cannot be partitioned "
                    "into a shard of max shard size %s bytes. It will be added as an "
                    "individual shard that exceeds the max shard size.",
                    key, st.dtype, total, self.max_shard_size,
                )  # fmt: skip
                self.large.append({key: {spec: root}})
                return
            if total > self.remaining:
                self._new_shard()
            self.shards[-1].setdefault(key, {})[spec] = root
            self.remaining -= total
            return
        self._partition(st, full, root_offset, root_shape, total, item)

    def _partition(self, st, full, root_offset, root_shape, total, item) -> None:
        key = st.checkpoint_key
        offset = list(root_offset)
        shape = list(root_shape)
        size = total
        while size > self.remaining:
            axis, length = self._next_partition(shape, item)
            if length == 0:
                if self.remaining == self.max_shard_size:
                    raise ValueError(
                        f"MaxShardSizePolicy: no slice of {key} (shape {root_shape}) fits "
                        f"in a shard of max_shard_size={self.max_shard_size} bytes; use a "
                        "larger max_shard_size (TensorFlow loops forever here)."
                    )
                self._new_shard()
                continue
            rel = [o - r for o, r in zip(offset, root_offset)]
            piece = [r - o for r, o in zip(root_shape, rel)]
            piece[axis] = int(length)
            nbytes = math.prod(piece) * item
            part = _slice(st, rel, piece)
            spec = slice_spec(full, offset, piece)
            if nbytes > self.max_shard_size:
                logging.warning(
                    "Tensor %s's minimum slice %s has size %s bytes and cannot be "
                    "partitioned into a shard of max shard size %s bytes. It will be "
                    "added as an individual shard that exceeds the max shard size.",
                    key, spec, nbytes, self.max_shard_size,
                )  # fmt: skip
                self.large.append({key: {spec: part}})
            else:
                self.shards[-1].setdefault(key, {})[spec] = part
                self.remaining -= nbytes
                if self.remaining == 0:
                    self._new_shard()
            offset[axis] += int(length)
            rel[axis] += int(length)
            shape = [r - o for r, o in zip(root_shape, rel)]
            size = math.prod(shape) * item
        if math.prod(shape) > 0:
            rel = [o - r for o, r in zip(offset, root_offset)]
            part = _slice(st, rel, shape)
            self.shards[-1].setdefault(key, {})[slice_spec(full, offset, shape)] = part
        self.remaining -= size

    def result(self) -> list[dict]:
        return (self.shards if self.shards[0] else []) + self.large


def _slice(st: ShardableTensor, begin: list[int], size: list[int]):
    value = _value(st.tensor)
    index = tuple(slice(b, b + n) for b, n in zip(begin, size))
    return _eager(value[index], st.dtype)


class MaxShardSizePolicy(ShardingCallback):
    """Splits tensors into shards of at most `max_shard_size` bytes, cutting big
    tensors into slices. A shard may be bigger when it holds a scalar (or a minimal
    slice) larger than the limit, or the checkpoint's object graph, whose size is not
    counted."""

    def __init__(self, max_shard_size: int):
        self.max_shard_size = max_shard_size

    @property
    def description(self) -> str:
        return "Split tensors into shards with a max shard size."

    def __call__(self, shardable_tensors):
        partitioner = _MaxShardSizePartitioner(self.max_shard_size)
        for st in shardable_tensors:
            partitioner.add(st)
        return partitioner.result()


def _shardable(key: str, value, dtype, trackable) -> ShardableTensor:
    tensor = _eager(value, dtype)
    return ShardableTensor(
        _tensor_save_spec=None, tensor=tensor, dtype=tensor.dtype,
        device=DeviceSpec.from_string(_DEVICE), name=key, shape=tensor.shape,
        slice_spec="", checkpoint_key=key, trackable=trackable,
    )  # fmt: skip


def write_sharded(file_prefix: str, entries, callback: ShardingCallback) -> None:
    """Writes `entries` ((checkpoint key, value, dtype, trackable) in TF's save order)
    as the checkpoint `file_prefix`, split into the data files `callback` decides:
    each shard is written to `<prefix>_temp/part-K-of-N`, then all are merged."""
    from tfgraph.io.bundle import BundleWriter, merge_bundles

    tensors = [_shardable(*e) for e in entries]
    shards = list(callback(tensors))
    temp = f"{file_prefix}_temp"
    parts = []
    for i, shard in enumerate(shards):
        part = os.path.join(temp, f"part-{i:05d}-of-{len(shards):05d}")
        with BundleWriter(part) as writer:
            for key, pieces in shard.items():
                for spec, tensor in pieces.items():
                    _add(writer, key, spec.strip(), tensor)
        parts.append(part)
    merge_bundles(parts, file_prefix, delete_old_dirs=True)


def _add(writer, key: str, spec: str, tensor) -> None:
    value = _value(tensor)
    dtype = dtypes.as_dtype(tensor.dtype)
    if not spec:
        writer.add(key, value, dtype)
        return
    full, offset, shape = parse_slice_spec(spec)
    if list(offset) == [0] * len(full) and list(shape) == list(full):
        writer.add(key, value, dtype)  # a slice covering the whole tensor (as TF's AddSlice)
        return
    writer.add_slice(key, full, list(zip(offset, shape)), value, dtype)
