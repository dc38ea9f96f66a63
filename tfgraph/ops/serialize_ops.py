"""Tensors as bytes and bytes in files: SerializeTensor / ParseTensor (a TensorProto as
TF's `AsProtoTensorContent` writes it), DecodeCompressed (ZLIB, GZIP) and
MatchingFiles (glob patterns)."""

from __future__ import annotations

import base64
import glob as _glob
import gzip
import zlib

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import op_output
from tfgraph.ops.sparse_ops import _tensor_bytes, _tf_type_name

__all__ = ["decode_compressed", "matching_files", "parse_tensor", "serialize_tensor"]


def _serialize_kernel(op, ctx):
    dtype = op._attrs["T"]
    return lambda tensor: np.array(_tensor_bytes(tensor, dtype), dtype=object)


register_op(
    "SerializeTensor",
    inputs=["tensor: T"],
    outputs=["serialized: string"],
    attrs=["T: type"],
    shape=common_shapes.scalar_shape,
    make_kernel=_serialize_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _parse_kernel(op, ctx):
    from tfgraph.io.tensor_proto import make_ndarray
    from tfgraph.proto import TensorProto

    out_type = op._attrs["out_type"]

    def kernel(serialized):
        data = np.asarray(serialized).item()
        proto = TensorProto()
        try:
            proto.ParseFromString(data)
        except Exception:
            raise errors.InvalidArgumentError(
                None, op,
                "Could not parse `serialized` as TensorProto, base64: "
                + base64.urlsafe_b64encode(data).decode(),
            ) from None  # fmt: skip
        parsed = dtypes.as_dtype(proto.dtype) if proto.dtype else None
        if parsed is None or parsed._base != out_type:
            raise errors.InvalidArgumentError(
                None, op,
                f"Type mismatch between parsed tensor ({_tf_type_name(parsed or 'invalid')}) and "
                f"dtype ({_tf_type_name(out_type)})",
            )  # fmt: skip
        return make_ndarray(proto)

    return kernel


register_op(
    "ParseTensor",
    inputs=["serialized: string"],
    outputs=["output: out_type"],
    attrs=["out_type: type"],
    shape=lambda op: [TensorShape(None)],
    make_kernel=_parse_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def serialize_tensor(tensor, name=None):
    """The serialized TensorProto of `tensor` (a string scalar)."""
    g = get_default_graph()
    with g.name_scope(name or "SerializeTensor") as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        return op_output("SerializeTensor", scope, [tensor], {"T": tensor.dtype._base})


def parse_tensor(serialized, out_type, name=None):
    """The tensor a serialized TensorProto holds (its dtype must be `out_type`)."""
    return op_output("ParseTensor", name, [serialized], {"out_type": dtypes.as_dtype(out_type)})


def _decompress_kernel(op, ctx):
    kind = op._attrs["compression_type"]
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind not in ("", "ZLIB", "GZIP"):
        raise errors.InvalidArgumentError(None, op, f"Unsupported compression type: {kind}")

    def one(data: bytes) -> bytes:
        if not kind:
            return data
        try:
            if kind == "GZIP":
                return gzip.decompress(data)
            return zlib.decompress(data)
        except (OSError, zlib.error, EOFError):
            raise errors.DataLossError(
                None, op, "inflate() failed with error -3: incorrect header check"
            ) from None

    def kernel(inputs):
        inputs = np.asarray(inputs, dtype=object)
        out = np.empty(inputs.shape, dtype=object)
        out.reshape(-1)[:] = [one(v) for v in inputs.reshape(-1).tolist()]
        return out

    return kernel


register_op(
    "DecodeCompressed",
    inputs=["bytes: string"],
    outputs=["output: string"],
    attrs=["compression_type: string = ''"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_decompress_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def decode_compressed(bytes, compression_type="", name=None):
    """Each string of `bytes` decompressed ("ZLIB", "GZIP", or "" for none)."""
    return op_output("DecodeCompressed", name, [bytes], {"compression_type": compression_type})


def _matching_kernel(op, ctx):
    from tfgraph.io.gfile import local_path

    def kernel(pattern):
        found: list[bytes] = []
        for p in np.asarray(pattern, dtype=object).reshape(-1).tolist():
            text = p.decode() if isinstance(p, bytes) else str(p)
            found.extend(m.encode() for m in sorted(_glob.glob(local_path(text))))
        return np.array(found, dtype=object)

    return kernel


register_op(
    "MatchingFiles",
    inputs=["pattern: string"],
    outputs=["filenames: string"],
    shape=lambda op: [TensorShape([None])],
    make_kernel=_matching_kernel,
    grad=NOT_DIFFERENTIABLE,
    side_effect=True,  # (reads the file system at each run: never folded)
)


def matching_files(pattern, name=None):
    """The files matching the glob `pattern` (a string or a list of them), sorted per
    pattern."""
    return op_output("MatchingFiles", name, [pattern])
