"""`tf.io.decode_proto` / `tf.io.encode_proto` (DecodeProtoV2, EncodeProto): fields of
serialized protocol buffers as tensors, and back.

Message types come from `descriptor_source`: "local://" is the protos tfgraph knows
(TensorFlow's own: `tensorflow.Example`, `tensorflow.TensorProto`, ...) and any message
class the program imported; "bytes://<FileDescriptorSet>" or the path of a file holding
a serialized FileDescriptorSet names others, as in TF.
"""

from __future__ import annotations

import functools

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["decode_proto", "encode_proto"]

# proto field type -> the dtypes a field of it may have as a tensor (TF's table)
_COMPATIBLE = {
    "double": ("float64", "float32"),
    "float": ("float32", "float64"),
    "int64": ("int64",),
    "sint64": ("int64",),
    "sfixed64": ("int64",),
    "uint64": ("uint64", "int64"),
    "fixed64": ("uint64", "int64"),
    "int32": ("int32",),
    "sint32": ("int32",),
    "sfixed32": ("int32",),
    "uint32": ("uint32", "int64"),
    "fixed32": ("uint32", "int64"),
    "bool": ("bool",),
    "string": ("string",),
    "bytes": ("string",),
    "enum": ("int32",),
    "message": ("string",),
    "group": ("string",),
}


# FieldDescriptor.TYPE_* -> the type's name in _COMPATIBLE
@functools.cache
def _type_names() -> dict:
    """FieldDescriptor.TYPE_* -> the type's name in _COMPATIBLE (protobuf loads lazily)."""
    from google.protobuf.descriptor import FieldDescriptor

    return {getattr(FieldDescriptor, "TYPE_" + name.upper()): name for name in _COMPATIBLE}


@functools.cache
def _pool_from_set(data: bytes):
    from google.protobuf import descriptor_pb2, descriptor_pool

    files = descriptor_pb2.FileDescriptorSet.FromString(data)
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    return pool


def _message_class(op, source: bytes, message_type: str):
    """The message class `message_type` names in `source`; InvalidArgumentError, as
    TF's, when there is none."""
    from google.protobuf import descriptor_pool, message_factory

    from tfgraph import proto

    source_text = source.decode()
    if source_text == "local://":
        pools = [proto.Example.DESCRIPTOR.file.pool, descriptor_pool.Default()]
    else:
        if source_text.startswith("bytes://"):
            data = source[len(b"bytes://") :]
        else:
            try:
                with open(source_text, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise errors.NotFoundError(None, op, f"{source_text}: {e.strerror}") from None
        try:
            pools = [_pool_from_set(data)]
        except Exception:
            raise errors.InvalidArgumentError(
                None, op, f"Unable to parse file descriptor set from {source_text[:64]}"
            ) from None
    for pool in pools:
        try:
            descriptor = pool.FindMessageTypeByName(message_type)
        except KeyError:
            continue
        return message_factory.GetMessageClass(descriptor)
    raise errors.InvalidArgumentError(
        None, op, f"No descriptor found for message type {message_type}"
    )


def _fields(op, cls, message_type: str, names, types) -> list:
    """(descriptor, dtype) per field, checked as TF's kernel checks them."""
    out = []
    by_name = cls.DESCRIPTOR.fields_by_name
    for name, dtype in zip(names, types):
        field = by_name.get(name)
        if field is None:
            raise errors.InvalidArgumentError(
                None, op, f"Unknown field: {name} in message type {message_type}"
            )
        kind = _type_names()[field.type]
        if dtype.name not in _COMPATIBLE[kind]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Unexpected output type for {field.full_name}: {kind} to {_datatype_name(dtype)}",
            )
        out.append((field, dtype))
    return out


def _failing(error: errors.OpError):
    """A kernel raising `error` when run (TF checks the attrs when the kernel is made, at
    the first run, and its error names the node)."""

    def kernel(*args):
        raise error

    return kernel


def _repeated(field) -> bool:
    repeated = getattr(field, "is_repeated", None)  # (protobuf >= 5; `label` before)
    return field.label == field.LABEL_REPEATED if repeated is None else repeated


def _datatype_name(dtype) -> str:
    from tfgraph import proto

    return proto.DataType.Name(dtype.as_datatype_enum)


def _field_values(msg, field) -> list:
    if _repeated(field):
        values = list(getattr(msg, field.name))
    else:
        present = {f.name for f, _ in msg.ListFields()}
        values = [getattr(msg, field.name)] if field.name in present else []
    if field.type in (field.TYPE_MESSAGE, field.TYPE_GROUP):
        return [v.SerializeToString() for v in values]
    return values


def _default(field, dtype):
    if dtype is dtypes.string:
        return b""
    if field.type in (field.TYPE_MESSAGE, field.TYPE_GROUP) or _repeated(field):
        return 0
    return field.default_value


def _decode_kernel(op, ctx):
    attrs = op._attrs
    message_type = attrs["message_type"].decode()
    names = [n.decode() for n in attrs["field_names"]]
    types = [t._base for t in attrs["output_types"]]
    try:
        cls = _message_class(op, attrs["descriptor_source"], message_type)
        fields = _fields(op, cls, message_type, names, types)
    except errors.OpError as e:
        return _failing(e)
    text = attrs["message_format"] == b"text"

    def parse(value: bytes):
        msg = cls()
        try:
            if text:
                from google.protobuf import text_format

                text_format.Parse(value.decode(), msg)
            else:
                msg.ParseFromString(value)
        except Exception:
            raise errors.DataLossError(
                None, op, f"Unable to parse binary input message of type {message_type}"
            ) from None
        return msg

    def kernel(serialized):
        serialized = np.asarray(serialized, dtype=object)
        batch = serialized.shape
        messages = [parse(bytes(v)) for v in serialized.reshape(-1)]
        per_field = [[_field_values(m, f) for m in messages] for f, _ in fields]
        sizes = np.array(
            [[len(vals[b]) for vals in per_field] for b in range(len(messages))], np.int32
        ).reshape(*batch, len(fields))
        outputs = [sizes]
        for (field, dtype), vals in zip(fields, per_field):
            width = max([1, *(len(v) for v in vals)])
            out = np.full((len(messages), width), _default(field, dtype), dtype.np_dtype)
            for b, v in enumerate(vals):
                if v:
                    out[b, : len(v)] = v
            outputs.append(out.reshape(*batch, width))
        return outputs

    return kernel


def _decode_shape(op):
    batch = op._inputs[0].shape
    n = len(op._attrs["field_names"])
    if batch.rank is None:
        return [TensorShape(None)] * (1 + len(op._attrs["output_types"]))
    return [batch.concatenate([n])] + [batch.concatenate([None]) for _ in op._attrs["output_types"]]


register_op(
    "DecodeProtoV2",
    inputs=["bytes: string"],
    outputs=["sizes: int32", "values: output_types"],
    attrs=[
        "message_type: string",
        "field_names: list(string)",
        "output_types: list(type) >= 0",
        "descriptor_source: string = 'local://'",
        "message_format: string = 'binary'",
        "sanitize: bool = false",
    ],
    shape=_decode_shape,
    make_kernel=_decode_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _encode_kernel(op, ctx):
    attrs = op._attrs
    message_type = attrs["message_type"].decode()
    names = [n.decode() for n in attrs["field_names"]]
    types = [t._base for t in attrs["Tinput_types"]]
    try:
        cls = _message_class(op, attrs["descriptor_source"], message_type)
        fields = _fields(op, cls, message_type, names, types)
    except errors.OpError as e:
        return _failing(e)

    def kernel(sizes, *values):
        sizes = np.asarray(sizes)
        batch = sizes.shape[:-1]
        flat_sizes = sizes.reshape(-1, len(fields))
        flat_values = [np.asarray(v).reshape(flat_sizes.shape[0], -1) for v in values]
        out = np.empty(flat_sizes.shape[0], dtype=object)
        for b in range(flat_sizes.shape[0]):
            msg = cls()
            for k, (field, _) in enumerate(fields):
                n = int(flat_sizes[b, k])
                if n > flat_values[k].shape[1]:
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"Size {n} for field {field.name} is larger than the values' last "
                        f"dimension {flat_values[k].shape[1]}",
                    )
                _set_field(msg, field, flat_values[k][b, :n])
            out[b] = msg.SerializeToString()
        return out.reshape(batch)

    return kernel


def _set_field(msg, field, values) -> None:
    message = field.type in (field.TYPE_MESSAGE, field.TYPE_GROUP)
    items = [v.item() if isinstance(v, np.generic) else v for v in values]
    if _repeated(field):
        target = getattr(msg, field.name)
        for v in items:
            if message:
                target.add().ParseFromString(bytes(v))
            else:
                target.append(v)
    elif items:
        if message:
            getattr(msg, field.name).ParseFromString(bytes(items[0]))
        else:
            setattr(msg, field.name, items[0])


def _encode_shape(op):
    sizes = op._inputs[0].shape
    if sizes.rank is None:
        return [TensorShape(None)]
    return [TensorShape(sizes.as_list()[:-1])]


register_op(
    "EncodeProto",
    inputs=["sizes: int32", "values: Tinput_types"],
    outputs=["bytes: string"],
    attrs=[
        "field_names: list(string)",
        "message_type: string",
        "descriptor_source: string = 'local://'",
        "Tinput_types: list(type)",
    ],
    shape=_encode_shape,
    make_kernel=_encode_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def decode_proto(
    bytes,
    message_type,
    field_names,
    output_types,
    descriptor_source="local://",
    message_format="binary",
    sanitize=False,
    name=None,
):
    """(sizes, values): the count of each field in each message and the fields' values
    (padded with the field's default to the longest count in the batch)."""
    from collections import namedtuple

    op = apply_op(
        "DecodeProtoV2",
        name,
        [bytes],
        {
            "message_type": message_type.encode(),
            "field_names": [f.encode() for f in field_names],
            "output_types": [dtypes.as_dtype(t) for t in output_types],
            "descriptor_source": descriptor_source.encode(),
            "message_format": message_format.encode(),
            "sanitize": bool(sanitize),
        },
    )
    result = namedtuple("DecodeProtoV2", ["sizes", "values"])
    return result(op._outputs[0], list(op._outputs[1:]))


def encode_proto(sizes, values, field_names, message_type, descriptor_source="local://", name=None):
    """Serialized messages of `message_type` holding, per field, the first `sizes[...,
    i]` entries of `values[i]`."""
    return op_output(
        "EncodeProto",
        name,
        [sizes, list(values)],
        {
            "field_names": [f.encode() for f in field_names],
            "message_type": message_type.encode(),
            "descriptor_source": descriptor_source.encode(),
        },
    )
