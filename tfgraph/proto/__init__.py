"""TensorFlow's protocol buffer messages, built from tfgraph's own `.proto` files.

Every top-level message and enum of package `tensorflow` in `protos/` is an attribute:
`proto.GraphDef`, `proto.NodeDef`, `proto.TensorProto`, `proto.DataType`, ... Nested
types hang off their parents (`proto.TensorShapeProto.Dim`, `proto.Summary.Value`),
enum values off both (`proto.DT_FLOAT`, `proto.SaverDef.V2`).

The classes live in a private `DescriptorPool`, not in protobuf's default pool, so
that tfgraph and real TensorFlow (which registers the same full names) can be
imported into one process. They are wire- and text-compatible with TF's.

Nothing is built when this package is imported: the pool and the classes are made
on first attribute access, so `import tfgraph` does not pay for protobuf.

`proto.text_format` wraps protobuf's `text_format` with this pool as the default
`descriptor_pool`, so `google.protobuf.Any` fields (e.g. `MetaInfoDef.any_info`) are
expanded and parsed with tfgraph's types.
"""

from __future__ import annotations

import importlib
import threading
import typing
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from google.protobuf.descriptor_pool import DescriptorPool

__all__ = [
    "AllocationDescription",
    "AssetFileDef",
    "AttrValue",
    "BundleEntryProto",
    "BundleHeaderProto",
    "CallableOptions",
    "CheckpointState",
    "ClusterDef",
    "CollectionDef",
    "ConfigProto",
    "CostGraphDef",
    "DataClass",
    "DataType",
    "Event",
    "FunctionDefLibrary",
    "GPUOptions",
    "GraphDef",
    "GraphOptions",
    "HistogramProto",
    "JobDef",
    "LogMessage",
    "MetaGraphDef",
    "NameAttrList",
    "NodeDef",
    "OpDef",
    "OpList",
    "OptimizerOptions",
    "ResourceHandleProto",
    "RunMetadata",
    "RunOptions",
    "SaveSliceInfoDef",
    "SavedModel",
    "SaverDef",
    "SessionLog",
    "SignatureDef",
    "StepStats",
    "Summary",
    "SummaryMetadata",
    "TaggedRunMetadata",
    "TensorInfo",
    "TensorProto",
    "TensorShapeProto",
    "TensorSliceProto",
    "VariableAggregation",
    "VariableDef",
    "VariableSynchronization",
    "VersionDef",
    "get_pool",
    "message_class",
    "text_format",
]

_lock = threading.RLock()
_pool: DescriptorPool | None = None
_index: dict[str, tuple[str, str]] | None = None  # attribute -> (kind, full name)


def _names() -> dict[str, tuple[str, str]]:
    global _index
    if _index is None:
        _descriptors = importlib.import_module("tfgraph.proto._descriptors")
        index = {m.rsplit(".", 1)[1]: ("message", m) for m in _descriptors.MESSAGES}
        index.update({e.rsplit(".", 1)[1]: ("enum", e) for e in _descriptors.ENUMS})
        _index = index
    return _index


def get_pool() -> DescriptorPool:
    """The private descriptor pool holding tfgraph's TensorFlow protos."""
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                from google.protobuf import descriptor_pb2, descriptor_pool

                _descriptors = importlib.import_module("tfgraph.proto._descriptors")
                pool = descriptor_pool.DescriptorPool()
                fds = descriptor_pb2.FileDescriptorSet.FromString(_descriptors.FILE_DESCRIPTOR_SET)
                for file_proto in fds.file:  # protoc lists dependencies first
                    pool.Add(file_proto)
                _pool = pool
    return _pool


def message_class(full_name: str) -> type:
    """The message class for a full name such as "tensorflow.TensorShapeProto.Dim"."""
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(get_pool().FindMessageTypeByName(full_name))


def _enum_wrapper(full_name: str) -> typing.Any:
    from google.protobuf.internal import enum_type_wrapper

    return enum_type_wrapper.EnumTypeWrapper(get_pool().FindEnumTypeByName(full_name))


def _enum_value(name: str) -> int | None:
    for attr, (kind, _) in _names().items():
        if kind == "enum":
            wrapper = __getattr__(attr)
            if name in wrapper.keys():  # noqa: SIM118 - EnumTypeWrapper has no __contains__
                return wrapper.Value(name)
    return None


def __getattr__(name: str) -> typing.Any:
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: typing.Any
    if name == "text_format":
        value = importlib.import_module("tfgraph.proto.text_format")
    else:
        entry = _names().get(name)
        with _lock:
            if name in globals():
                return globals()[name]
            if entry is not None and entry[0] == "message":
                value = message_class(entry[1])
            elif entry is not None:
                value = _enum_wrapper(entry[1])
            else:
                number = _enum_value(name) if name.isupper() else None
                if number is None:
                    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
                value = number
            globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_names()) | {"text_format"})
