"""numpy arrays <-> `TensorProto` and shapes <-> `TensorShapeProto`, as TensorFlow does it.

`make_tensor_proto` reproduces TF's own encoder (the one behind every `Const` node)
byte for byte: one value in the typed list for scalars, `tensor_content` for arrays
of more than one element of the float and most integer types, typed lists for bool,
complex, uint16 and strings, a single value for a "fill" constant, nothing but the
shape for an empty array. `make_ndarray` decodes with TF's rules: non-empty
`tensor_content` wins, a short value list is padded with its last value, no values
means zeros.

String tensors are numpy object arrays of `bytes`. bfloat16 values are carried as
their 16-bit patterns (the upper half of the float32 pattern) in tfgraph's bfloat16
numpy dtype (`tfgraph.framework.dtypes.bfloat16.np_dtype`).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tfgraph import proto
from tfgraph.framework import dtypes

__all__ = [
    "bfloat16_bits",
    "check_tensor_proto",
    "make_ndarray",
    "make_tensor_proto",
    "placeholder_array",
    "shape_from_proto",
    "shape_to_proto",
]

# Types TF writes as raw bytes when an array has more than one element.
_CONTENT_TYPES = frozenset(
    [
        dtypes.float16,
        dtypes.float32,
        dtypes.float64,
        dtypes.bfloat16,
        dtypes.int8,
        dtypes.int16,
        dtypes.int32,
        dtypes.int64,
        dtypes.uint8,
        dtypes.uint32,
        dtypes.uint64,
        dtypes.qint8,
        dtypes.quint8,
        dtypes.qint16,
        dtypes.quint16,
        dtypes.qint32,
    ]
)

# dtype -> name of the TensorProto list field holding its values.
_VALUE_FIELD = {
    dtypes.float32: "float_val",
    dtypes.float64: "double_val",
    dtypes.int32: "int_val",
    dtypes.int16: "int_val",
    dtypes.int8: "int_val",
    dtypes.uint8: "int_val",
    dtypes.uint16: "int_val",
    dtypes.int64: "int64_val",
    dtypes.uint32: "uint32_val",
    dtypes.uint64: "uint64_val",
    dtypes.bool: "bool_val",
    dtypes.complex64: "scomplex_val",
    dtypes.complex128: "dcomplex_val",
    dtypes.float16: "half_val",
    dtypes.bfloat16: "half_val",
    dtypes.string: "string_val",
    # quantized types: their underlying integers (np_dtype), in int_val as TF
    dtypes.qint8: "int_val",
    dtypes.quint8: "int_val",
    dtypes.qint16: "int_val",
    dtypes.quint16: "int_val",
    dtypes.qint32: "int_val",
}

_SUPPORTED = frozenset(_VALUE_FIELD)


# --------------------------------------------------------------------------------------
# Shapes


def shape_to_proto(dims: Iterable[int | None] | None) -> Any:
    """A `TensorShapeProto` for `dims`.

    Args:
        dims: None for an unknown rank, else one entry per dimension: an int, or
            None / -1 for an unknown size. Objects with `as_list()` (TensorShape)
            are accepted too.

    Returns:
        The `TensorShapeProto` (`unknown_rank` set for None; an empty message for a
        scalar; a zero-length dimension is an empty `Dim`).
    """
    shape = proto.TensorShapeProto()
    if dims is None:
        shape.unknown_rank = True
        return shape
    if hasattr(dims, "as_list") and not isinstance(dims, (list, tuple)):
        if getattr(dims, "dims", ()) is None or getattr(dims, "ndims", 0) is None:
            shape.unknown_rank = True
            return shape
        dims = dims.as_list()
    for d in dims:
        dim = shape.dim.add()
        dim.size = -1 if d is None else int(d)
    return shape


def shape_from_proto(shape_proto: Any) -> list[int | None] | None:
    """The dims of a `TensorShapeProto`: None for unknown rank, None for unknown sizes."""
    if shape_proto.unknown_rank:
        return None
    return [None if d.size < 0 else int(d.size) for d in shape_proto.dim]


# --------------------------------------------------------------------------------------
# bfloat16


def bfloat16_bits(values: Any) -> np.ndarray:
    """bfloat16 bit patterns (uint16) of `values`, rounding to nearest-even like TF
    (see `dtypes.bfloat16_bits`)."""
    return dtypes.bfloat16_bits(values)


def _bits_to_bfloat16(bits: np.ndarray) -> np.ndarray:
    bits = np.asarray(bits, dtype=np.uint16)
    if not bits.flags.c_contiguous:
        bits = bits.copy()
    return bits.view(dtypes.bfloat16.np_dtype)


# --------------------------------------------------------------------------------------
# Encoding


def _leaves(values: Any) -> Iterable[Any]:
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _leaves(v)
    else:
        yield values


def _compatible(dtype: dtypes.DType, v: Any) -> bool:
    if isinstance(v, np.ndarray):
        return True
    if dtype is dtypes.string:
        return isinstance(v, (bytes, str))
    if dtype is dtypes.bool:
        return isinstance(v, (bool, np.bool_))
    if dtype.is_integer:
        return isinstance(v, (numbers.Integral, np.bool_))
    if dtype.is_floating:
        return isinstance(v, (numbers.Real, np.bool_))
    if dtype.is_complex:
        return isinstance(v, (numbers.Complex, np.bool_))
    return False


def _check_compatible(values: Any, dtype: dtypes.DType) -> None:
    for v in _leaves(values):
        if not _compatible(dtype, v):
            raise TypeError(f"Expected {dtype.name}, but got {v} of type '{type(v).__name__}'.")


def _to_bytes(v: Any) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    raise TypeError(f"Expected string, but got {v} of type '{type(v).__name__}'.")


def _string_array(values: Any) -> np.ndarray:
    """An object array of bytes with the shape of `values`."""
    if isinstance(values, (np.ndarray, np.generic)):
        arr = np.asarray(values)
    elif isinstance(values, (bytes, str)):
        arr = np.empty((), dtype=object)
        arr[()] = values
    else:
        arr = np.array(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = _to_bytes(flat_in[i])
    return out


def _infer_python(values: Any) -> np.ndarray:
    """numpy array for Python values with no dtype given, following TF's inference."""
    try:
        arr = np.array(values)
    except OverflowError as exc:  # ints beyond uint64
        raise ValueError(str(exc)) from None
    if arr.dtype == object:
        raise TypeError(
            f"Failed to convert elements of {values} to Tensor. Consider casting elements "
            "to a supported type. See https://www.tensorflow.org/api_docs/python/tf/dtypes "
            "for supported TF dtypes."
        )
    if arr.dtype == np.float64:
        with np.errstate(over="ignore"):
            return arr.astype(np.float32)  # 1e300 -> inf, as in TF
    if arr.dtype == np.int64:
        small = arr.astype(np.int32)
        if np.array_equal(small, arr):
            return small
    return arr


def _as_array(values: Any, dtype: dtypes.DType | None) -> tuple[np.ndarray, dtypes.DType]:
    """The values as a numpy array of the final dtype (strings: object of bytes)."""
    is_numpy = isinstance(values, (np.ndarray, np.generic))
    if dtype is None:
        if is_numpy:
            arr = np.asarray(values)
            if arr.dtype.kind in "SUO":
                return _string_array(arr), dtypes.string
            return arr, dtypes.as_dtype(arr.dtype)
        if any(isinstance(v, (bytes, str)) for v in _leaves(values)):
            return _string_array(values), dtypes.string
        arr = _infer_python(values)
        return arr, dtypes.as_dtype(arr.dtype)
    if dtype not in _SUPPORTED:
        raise TypeError(f"`dtype` {dtype} is not supported by make_tensor_proto.")
    if not is_numpy:
        _check_compatible(values, dtype)
    if dtype is dtypes.string:
        return _string_array(values), dtype
    if dtype is dtypes.bfloat16:
        source = values if is_numpy else _infer_python(values)
        return _bits_to_bfloat16(bfloat16_bits(source)), dtype
    target = dtype.np_dtype
    arr = np.asarray(values) if is_numpy else np.array(values)
    if arr.dtype == object:
        arr = _infer_python(values)
    if arr.dtype != target:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = arr.astype(target)  # wraps out-of-range ints, as TF does
    return arr, dtype


def _shape_text(shape: Sequence[int]) -> str:
    return str(tuple(shape))


def make_tensor_proto(
    values: Any,
    dtype: Any = None,
    shape: Sequence[int] | None = None,
    verify_shape: bool = False,
    allow_broadcast: bool = False,
) -> Any:
    """Encodes `values` as a `TensorProto` exactly like TF's `make_tensor_proto`.

    Args:
        values: a numpy array or scalar, a Python scalar, or nested lists. Strings
            may be `bytes` or `str` (encoded as UTF-8).
        dtype: the element type (a DType, numpy dtype, name or enum). When None it
            is inferred as TF does: Python floats -> float32, Python ints -> int32
            (int64 if out of range), numpy values keep their dtype.
        shape: the tensor's shape. When it has more elements than `values`, the
            proto lists only the given values and readers repeat the last one; a
            scalar with a shape is TF's "fill" constant (`tf.constant(0., shape=..)`).
        verify_shape: require `values` to have exactly `shape`.
        allow_broadcast: allow only a scalar or one-element `values` to fill `shape`.

    Returns:
        A `tfgraph.proto.TensorProto`.

    Raises:
        TypeError: for values incompatible with `dtype`, a shape mismatch under
            `verify_shape`/`allow_broadcast`, or an unsupported dtype.
        ValueError: for None values or more values than `shape` holds.
    """
    if values is None:
        raise ValueError("None values not supported.")
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
    if shape is not None:
        if hasattr(shape, "as_list") and not isinstance(shape, (list, tuple)):
            shape = shape.as_list()
        shape = [int(d) for d in shape]
        shape_size = int(np.prod(shape, dtype=np.int64))
    if shape is not None and shape_size == 0:
        dtype = dtype or _as_array(values, None)[1]
        arr = np.empty(shape, dtype=dtype.np_dtype)
    else:
        arr, dtype = _as_array(values, dtype)
    if dtype not in _SUPPORTED:
        raise TypeError(f"`dtype` {dtype} is not supported by make_tensor_proto.")

    if shape is None:
        shape = list(arr.shape)
        shape_size = arr.size
        same_size = True
    else:
        same_size = shape_size == arr.size
        if allow_broadcast:
            if arr.shape not in ((), (1,)) and arr.size != shape_size:
                raise TypeError(
                    f"Expected Tensor's shape: {_shape_text(shape)}, "
                    f"but got {_shape_text(arr.shape)}."
                )
        else:
            if verify_shape and arr.shape != tuple(shape):
                raise TypeError(
                    f"Expected Tensor's shape: {_shape_text(shape)}, "
                    f"but got {_shape_text(arr.shape)}."
                )
            if arr.size > shape_size:
                raise ValueError(
                    f"Too many elements provided. Takes at most {shape_size}, but got {arr.size}."
                )

    tensor = proto.TensorProto(dtype=dtype.as_datatype_enum)
    tensor.tensor_shape.CopyFrom(shape_to_proto(shape))
    if same_size and dtype in _CONTENT_TYPES and shape_size > 1:
        if arr.nbytes >= 1 << 31:
            raise ValueError("Cannot create a tensor proto whose content is larger than 2GB.")
        tensor.tensor_content = _little_endian(arr).tobytes()
        return tensor
    _append_values(tensor, arr.reshape(-1), dtype)
    return tensor


def _little_endian(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and not np.little_endian):
        return arr.astype(arr.dtype.newbyteorder("<"))
    return arr


def _append_values(tensor: Any, flat: np.ndarray, dtype: dtypes.DType) -> None:
    if flat.size == 0:
        return
    field = getattr(tensor, _VALUE_FIELD[dtype])
    if dtype is dtypes.string:
        field.extend(flat.tolist())
    elif dtype is dtypes.float16:
        field.extend(flat.view(np.uint16).tolist())
    elif dtype is dtypes.bfloat16:
        field.extend(bfloat16_bits(flat).tolist())
    elif dtype.is_complex:
        real = flat.real.astype(dtype.real_dtype.np_dtype)
        pairs = np.stack([real, flat.imag.astype(real.dtype)], axis=-1)
        field.extend(pairs.reshape(-1).tolist())
    else:
        field.extend(flat.tolist())


# --------------------------------------------------------------------------------------
# Decoding


# Decoding a proto that needs more bytes than this raises instead of allocating (a
# GraphDef can declare any shape; TF fails such constants when it runs them).
MAX_DECODE_BYTES = 1 << 34

_INT64_MAX = (1 << 63) - 1


def _dims_text(tensor: Any) -> str:
    shape = tensor.tensor_shape
    if shape.unknown_rank:
        return "<unknown>"
    return "[" + ",".join("?" if d.size == -1 else str(d.size) for d in shape.dim) + "]"


def _element_count(tensor: Any) -> int:
    n = 1
    for d in tensor.tensor_shape.dim:
        n *= d.size
    return n


def _proto_dtype(tensor: Any) -> tuple[dtypes.DType | None, str]:
    """The tensor proto's dtype if tfgraph can decode it (else None), and its name."""
    try:
        dtype = dtypes.as_dtype(tensor.dtype).base_dtype if tensor.dtype else None
    except TypeError:
        dtype = None
    if dtype in _SUPPORTED:
        return dtype, dtype.name
    values = proto.DataType.values()
    return None, proto.DataType.Name(tensor.dtype) if tensor.dtype in values else str(tensor.dtype)


def check_tensor_proto(tensor: Any) -> tuple[str, str] | None:
    """What is wrong with a `TensorProto`, checked without decoding it.

    Returns None when `make_ndarray(tensor, truncate=True)` can decode it, else
    `(kind, message)`: kind "graph" for protos TF rejects when a graph is built
    (unsupported dtype, shape not fully defined, more than 2**63 - 1 elements) and
    "run" for protos TF only fails to parse when the op runs (`tensor_content` of the
    wrong size, too large to allocate).
    """
    dtype, name = _proto_dtype(tensor)
    if dtype is None:
        return "graph", f"Tensor of dtype {name} is not supported"
    shape = tensor.tensor_shape
    if shape.unknown_rank or any(d.size < 0 for d in shape.dim):
        return "graph", f"Shape {_dims_text(tensor)} is not fully defined"
    n = _element_count(tensor)
    if n > _INT64_MAX:
        return "graph", f"Shape {_dims_text(tensor)} is too large (more than 2**63 - 1 entries)"
    itemsize = 8 if dtype is dtypes.string else dtype.np_dtype.itemsize
    if n * itemsize > _INT64_MAX:
        return "graph", f"Shape {_dims_text(tensor)} is too large to be represented"
    content = tensor.tensor_content
    if content and dtype is not dtypes.string and len(content) != n * itemsize:
        return "run", (
            f"tensor_content of {len(content)} bytes does not hold the {n} elements of "
            f"{dtype.name} its shape {_dims_text(tensor)} needs ({n * itemsize} bytes)"
        )
    if n * itemsize > MAX_DECODE_BYTES:
        return "run", (
            f"a tensor of shape {_dims_text(tensor)} and dtype {dtype.name} needs "
            f"{n * itemsize} bytes, more than the {MAX_DECODE_BYTES} bytes allowed"
        )
    return None


def placeholder_array(tensor: Any) -> np.ndarray:
    """A read-only zero array (no memory of its own) with the shape and dtype a proto
    declares, for protos that `check_tensor_proto` says fail only at run time."""
    dtype = dtypes.as_dtype(tensor.dtype).base_dtype
    zero = np.array(b"" if dtype is dtypes.string else 0, dtype=dtype.np_dtype)
    dims = [d.size for d in tensor.tensor_shape.dim]
    return np.broadcast_to(zero, dims)


def make_ndarray(tensor: Any, truncate: bool = False) -> np.ndarray:
    """Decodes a `TensorProto` into a numpy array (a fresh, writable copy).

    Sizes are checked before anything is allocated.

    Args:
        tensor: the `TensorProto`.
        truncate: ignore values beyond the element count (as TF's C++ decoder, used
            for imported constants, does) instead of raising.

    Raises:
        TypeError: for dtypes tfgraph cannot represent (resource, variant, ...).
        ValueError: for an unknown shape, an element count that overflows, content of
            the wrong size, more values than elements, or a tensor too large to decode.
    """
    dtype, name = _proto_dtype(tensor)
    if dtype is None:
        raise TypeError(f"Unsupported tensor dtype {name}")
    problem = check_tensor_proto(tensor)
    if problem is not None:
        message = problem[1]
        if "not fully defined" in message:
            message = "Cannot make an ndarray for a tensor with an unknown shape: " + message
        raise ValueError(message)
    dims = [int(d.size) for d in tensor.tensor_shape.dim]
    n = _element_count(tensor)

    if tensor.tensor_content and dtype is not dtypes.string:
        np_dt = dtype.np_dtype
        if dtype is dtypes.bfloat16:
            raw = np.frombuffer(tensor.tensor_content, dtype="<u2")
            return _bits_to_bfloat16(raw).reshape(dims)
        raw = np.frombuffer(tensor.tensor_content, dtype=np_dt.newbyteorder("<"))
        return raw.astype(np_dt).reshape(dims)

    field = getattr(tensor, _VALUE_FIELD[dtype])
    per = 2 if dtype.is_complex else 1
    k = len(field) // per
    if k > n:
        if not truncate:
            raise ValueError(f"Tensor proto holds {k} values for {n} elements.")
        field = field[: n * per]
    if dtype is dtypes.string:
        values = np.empty(len(field), dtype=object)
        values[:] = list(field)
        return _fill(values, n, b"").reshape(dims)
    if dtype.is_complex:
        parts = np.asarray(field, dtype=dtype.real_dtype.np_dtype)
        values = parts[0::2] + 1j * parts[1::2] if parts.size else parts
        return _fill(values.astype(dtype.np_dtype), n, 0).reshape(dims)
    if dtype is dtypes.float16:
        values = np.asarray(field, dtype=np.int64).astype(np.uint16).view(np.float16)
        return _fill(values, n, 0).reshape(dims)
    if dtype is dtypes.bfloat16:
        bits = _fill(np.asarray(field, dtype=np.int64).astype(np.uint16), n, 0)
        return _bits_to_bfloat16(bits).reshape(dims)
    if dtype.is_integer and dtype.np_dtype.itemsize < 8:
        with np.errstate(over="ignore"):
            values = np.asarray(field, dtype=np.int64).astype(dtype.np_dtype)  # wraps, as TF
    else:
        values = np.asarray(field, dtype=dtype.np_dtype)
    return _fill(values, n, 0).reshape(dims)


def public_make_ndarray(tensor) -> np.ndarray:
    """`tf.make_ndarray` (TF's signature): decodes a `TensorProto` into a numpy array."""
    return make_ndarray(tensor)


def _fill(values: np.ndarray, n: int, zero: Any) -> np.ndarray:
    """`values` padded to `n` entries with its last value (zeros when empty)."""
    k = values.shape[0]
    if k == n:
        return values
    if k > n:
        raise ValueError(f"Tensor proto holds {k} values for {n} elements.")
    out = np.empty(n, dtype=values.dtype)
    if k == 0:
        out[...] = zero
    else:
        out[:k] = values
        out[k:] = values[-1]
    return out
