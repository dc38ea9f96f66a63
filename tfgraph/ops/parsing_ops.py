"""Parsing ops: DecodeJSONExample (`tf.decode_json_example`), DecodeCSV (`tf.decode_csv`,
`tf.io.decode_csv`) and DecodeRaw (`tf.decode_raw`, `tf.io.decode_raw`),
with TF's messages for bad records."""

from __future__ import annotations

import collections
import sys

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.ragged_feature import RaggedFeature

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "RaggedFeature",
    "VarLenFeature",
    "decode_csv",
    "decode_json_example",
    "decode_raw",
    "parse_example",
    "parse_single_example",
]


def _split_record(op, record: bytes, delim: bytes, quotes: bool) -> list[bytes]:
    """The fields of one CSV record (RFC 4180 quoting when `quotes`)."""
    fields: list[bytes] = []
    i, n = 0, len(record)
    while True:
        if quotes and i < n and record[i : i + 1] == b'"':
            out = bytearray()
            i += 1
            while True:
                if i >= n:
                    raise errors.InvalidArgumentError(
                        None, op, "Quoted field has to end with quote followed by delim or end"
                    )
                c = record[i : i + 1]
                if c == b'"':
                    if record[i + 1 : i + 2] == b'"':
                        out += b'"'
                        i += 2
                        continue
                    i += 1
                    break
                out += c
                i += 1
            if i < n and record[i : i + 1] != delim:
                raise errors.InvalidArgumentError(
                    None, op, "Quote inside a string has to be escaped by another quote"
                )
            fields.append(bytes(out))
        else:
            j = record.find(delim, i)
            field = record[i:] if j < 0 else record[i:j]
            if quotes and (b'"' in field or b"\n" in field or b"\r" in field):
                raise errors.InvalidArgumentError(
                    None, op, "Unquoted fields cannot have quotes/CRLFs inside"
                )
            fields.append(field)
            i = n if j < 0 else j
        if i >= n:
            return fields
        i += 1  # (past the delimiter)
        if i == n:
            fields.append(b"")
            return fields


def _number(text: bytes, kind: str):
    s = text.strip()
    if not s or b"_" in s:
        raise ValueError(s)
    if kind == "int":
        return int(s)
    return float(s)


_TYPE_WORD = {"float32": "float", "float64": "double", "int32": "int32", "int64": "int64"}


def _decode_csv_kernel(op, ctx):
    attrs = op._attrs
    types = list(attrs["OUT_TYPE"])
    delim = attrs["field_delim"]
    quotes = bool(attrs["use_quote_delim"])
    na_value = attrs["na_value"]
    select = list(attrs["select_cols"])
    n_out = len(types)
    columns = select or list(range(n_out))
    wanted = {c: k for k, c in enumerate(columns)}

    def decode(records, *defaults):
        records = np.asarray(records, dtype=object)
        flat = records.reshape(-1)
        outs = [np.empty(flat.shape, dtype=t.np_dtype) for t in types]
        for k, d in enumerate(defaults):
            if np.size(d) > 1:
                raise errors.InvalidArgumentError(
                    None, op, f"Shape of a default must be a length-0 or length-1 vector: {k}"
                )
        for r, record in enumerate(flat):
            record = record if isinstance(record, bytes) else str(record).encode()
            fields = _split_record(op, record, delim, quotes)
            if (not select and len(fields) != n_out) or (select and len(fields) <= columns[-1]):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Expect {n_out if not select else columns[-1] + 1} fields but have "
                    f"{len(fields)} in record {r}",
                )
            for c, k in wanted.items():
                field = fields[c]
                dtype = types[k]
                if field == b"" or field == na_value:
                    d = defaults[k]
                    if np.size(d) == 0:
                        raise errors.InvalidArgumentError(
                            None, op, f"Field {k} is required but missing in record {r}!"
                        )
                    outs[k][r] = np.reshape(d, -1)[0]
                elif dtype is dtypes.string:
                    outs[k][r] = field
                else:
                    kind = "int" if dtype in (dtypes.int32, dtypes.int64) else "float"
                    try:
                        value = _number(field, kind)
                        if kind == "int":
                            info = np.iinfo(dtype.np_dtype)
                            if not info.min <= value <= info.max:
                                raise ValueError(value)
                    except ValueError:
                        raise errors.InvalidArgumentError(
                            None,
                            op,
                            f"Field {k} in record {r} is not a valid {_TYPE_WORD[dtype.name]}: "
                            f"{field.decode('utf-8', 'replace')}",
                        ) from None
                    outs[k][r] = value
        return [o.reshape(records.shape) for o in outs]

    return decode


def _decode_csv_shape(op):
    records = op._inputs[0]._shape
    for t in op._inputs[1:]:
        dims = t._shape._dims
        if dims is not None and (len(dims) > 1 or (len(dims) == 1 and (dims[0] or 0) > 1)):
            raise ValueError(
                "Shape of a default must be a length-0 or length-1 vector, or a scalar. for "
                f"'{op.name}' (op: 'DecodeCSV') with input shapes: {records}, {t._shape}."
            )
    return [records for _ in op._attrs["OUT_TYPE"]]


register_op(
    "DecodeCSV",
    inputs=["records: string", "record_defaults: OUT_TYPE"],
    outputs=["output: OUT_TYPE"],
    attrs=[
        "OUT_TYPE: list({float, double, int32, int64, string}) >= 1",
        "field_delim: string = ','",
        "use_quote_delim: bool = true",
        "na_value: string = ''",
        "select_cols: list(int) = []",
    ],
    shape=_decode_csv_shape,
    make_kernel=_decode_csv_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def decode_csv(
    records,
    record_defaults,
    field_delim=",",
    use_quote_delim=True,
    name=None,
    na_value="",
    select_cols=None,
):
    """Converts CSV records to one tensor per column (each of `records`' shape); a
    column's default (a 1-element list) fills empty fields, an empty default makes the
    column required."""
    if select_cols is not None:
        if any(select_cols[i] >= select_cols[i + 1] for i in range(len(select_cols) - 1)):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    with get_default_graph().name_scope(name or "DecodeCSV") as scope:
        records_t = convert_to_tensor(records, dtype=dtypes.string, name="records")
        defaults = []
        for i, d in enumerate(record_defaults):
            defaults.append(convert_to_tensor(d, name=f"record_defaults_{i}"))
        op = apply_op(
            "DecodeCSV",
            scope,
            [records_t, defaults],
            {
                "OUT_TYPE": [t.dtype.base_dtype for t in defaults],
                "field_delim": field_delim.encode()
                if isinstance(field_delim, str)
                else field_delim,
                "use_quote_delim": bool(use_quote_delim),
                "na_value": na_value.encode() if isinstance(na_value, str) else na_value,
                "select_cols": list(select_cols or []),
            },
        )
    return list(op._outputs)


# -- DecodeRaw ---------------------------------------------------------------------------------
def _decode_raw_kernel(op, ctx):
    out_type = op._attrs["out_type"]
    np_dtype = np.dtype(out_type.np_dtype)
    little = bool(op._attrs["little_endian"])
    if np_dtype.itemsize > 1:
        np_dtype = np_dtype.newbyteorder("<" if little else ">")
    size = np_dtype.itemsize

    def decode(values):
        values = np.asarray(values, dtype=object)
        flat = values.reshape(-1)
        if flat.size == 0:
            return np.zeros((*values.shape, 0), dtype=out_type.np_dtype)
        first = len(flat[0])
        for i, v in enumerate(flat):
            if len(v) != first:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "DecodeRaw requires input strings to all be the same size, but element "
                    f"{i} has size {first} != {len(v)}",
                )
        if first % size:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input to DecodeRaw has length {first} that is not a multiple of {size}, the "
                f"size of {out_type.name}",
            )
        data = b"".join(flat)
        out = np.frombuffer(data, dtype=np_dtype).astype(out_type.np_dtype)
        return out.reshape((*values.shape, first // size))

    return decode


def _decode_raw_shape(op):
    return [op._inputs[0]._shape.concatenate(TensorShape([None]))]


register_op(
    "DecodeRaw",
    inputs=["bytes: string"],
    outputs=["output: out_type"],
    attrs=[
        "out_type: {half, float, double, int32, uint16, uint8, int16, int8, int64, "
        "complex64, complex128, bool}",
        "little_endian: bool = true",
    ],
    shape=_decode_raw_shape,
    make_kernel=_decode_raw_kernel,
    grad=NOT_DIFFERENTIABLE,
    rowwise=lambda op, per_record: op._inputs[0]._shape._dims is not None,
)


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):
    """Reinterprets the bytes of each string as a vector of `out_type` numbers."""
    if input_bytes is None:
        input_bytes = bytes
    return op_output(
        "DecodeRaw",
        name,
        [input_bytes],
        {"out_type": dtypes.as_dtype(out_type), "little_endian": bool(little_endian)},
    )


# -- DecodeJSONExample: the JSON form of tf.train.Example protos -------------------------
def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _feature_bytes(feature) -> bytes:
    """One Feature as TF's JSON converter writes it: repeated numbers unpacked."""
    import struct

    kind = feature.WhichOneof("kind")
    if kind is None:
        return b""
    values = getattr(feature, kind).value
    if kind == "bytes_list":
        body = b"".join(_field(1, v) for v in values)
    elif kind == "float_list":
        body = b"".join(b"\x0d" + struct.pack("<f", v) for v in values)
    else:
        body = b"".join(b"\x08" + _varint(int(v)) for v in values)
    return _field({"bytes_list": 1, "float_list": 2, "int64_list": 3}[kind], body)


def _example_bytes(example, order) -> bytes:
    """The Example serialized with its features in the JSON text's order."""
    if not example.HasField("features"):
        return b""
    feature = example.features.feature
    keys = [k for k in order if k in feature] + sorted(k for k in feature if k not in order)
    body = b"".join(
        _field(1, _field(1, k.encode()) + _field(2, _feature_bytes(feature[k]))) for k in keys
    )
    return _field(1, body)


def _json_order(text: str) -> list:
    import json

    try:
        data = json.loads(text)
        return list(data["features"]["feature"])
    except (ValueError, KeyError, TypeError):
        return []


def _decode_json_example_kernel(op, ctx):
    from google.protobuf import json_format

    from tfgraph import proto

    def decode(values):
        values = np.asarray(values, dtype=object)
        out = np.empty(values.shape, dtype=object)
        for index, text in np.ndenumerate(values):
            try:
                text = bytes(text).decode("utf-8")
                example = json_format.Parse(text, proto.Example())
            except (json_format.ParseError, UnicodeDecodeError, ValueError) as e:
                raise errors.InvalidArgumentError(
                    None, op, f"Error while parsing JSON: {e}"
                ) from None
            out[index] = _example_bytes(example, _json_order(text))
        return out

    return decode


register_op(
    "DecodeJSONExample",
    inputs=["json_examples: string"],
    outputs=["binary_examples: string"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_decode_json_example_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def decode_json_example(json_examples, name=None):
    """Converts JSON-encoded `Example` protos to their binary serialization."""
    return op_output("DecodeJSONExample", name, [json_examples])


# -- ParseExampleV2: tf.train.Example protos ---------------------------------------------
class FixedLenFeature(
    collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])
):
    """A feature of fixed shape in every example (its default fills a missing one)."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(
    collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"]
    )
):
    """A variable number of elements of fixed shape, padded to the longest in the batch."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A variable-length feature, parsed into a SparseTensor."""


_KIND_TYPE = {"int64_list": "int64", "float_list": "float", "bytes_list": "string"}
_KIND_OF = {"int64": "int64_list", "float32": "float_list", "string": "bytes_list"}
_DTYPE_WORD = {"int64": "int64", "float32": "float", "string": "string"}


def _feature_values(op, feature, key, index, name, dtype, ragged=False):
    """The values of one Feature proto, checked against `dtype` (with the wording of
    TF's ragged-feature check when `ragged`)."""
    kind = feature.WhichOneof("kind")
    if kind is None:
        return []
    found = _KIND_TYPE[kind]
    values = getattr(feature, kind).value  # (the repeated field: numpy reads it directly)
    expected = _DTYPE_WORD[dtype.name]
    if ragged and found != expected:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Name: {name}, Key: {key}, Index: {index}.  Data types don't match. Expected "
            f"type: {expected}, Actual type: {found}",
        )
    if kind is not None and found != expected:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Name: {name}, Key: {key}, Index: {index}.  Data types don't match. Data type: "
            f"{found} but expected type: {expected}",
        )
    return values


def _parse_examples(op, serialized):
    from tfgraph import proto

    examples = []
    for value in serialized:
        try:
            example = proto.Example.FromString(bytes(value))
        except Exception:
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            raise errors.InvalidArgumentError(
                None, op, f"Could not parse example input, value: '{text}'"
            ) from None
        examples.append(example)
    return examples


# A FloatList re-serialized is one packed field (tag, varint length, little-endian floats,
# whatever the encoding it was parsed from): reading those bytes is 2-3x faster than
# converting the repeated field element by element, from about this many values on.
_PACKED_MIN = 16
_LITTLE_ENDIAN = sys.byteorder == "little"
_FLOAT32 = np.dtype(np.float32)


def _values_array(feature, values, np_dtype) -> np.ndarray:
    """A Feature's repeated `values` (non-empty, of its kind) as a new numpy array.

    The fastest way depends on the size: a Python list for a few values (numpy reads a
    protobuf container element by element, 5x slower), the packed bytes for many floats.
    """
    n = len(values)
    if n < _PACKED_MIN:
        return np.array(values[:], dtype=np_dtype)
    if np_dtype is _FLOAT32 and _LITTLE_ENDIAN:
        data = feature.float_list.SerializeToString()
        header = len(data) - 4 * n  # (tag byte + length varint; more: unknown fields)
        if header == 1 + ((4 * n).bit_length() + 6) // 7:
            return np.frombuffer(data, dtype=np.float32, count=n, offset=header).copy()
    return np.array(values, dtype=np_dtype)


def _dense_output(op, examples, names, key, dtype, shape, default):
    np_dtype = dtype.np_dtype
    variable = bool(shape) and shape[0] is None
    inner = [d for d in (shape[1:] if variable else shape)]
    size = int(np.prod(inner)) if inner else 1
    rows = []
    for i, example in enumerate(examples):
        feature = example.features.feature.get(key)
        values = None if feature is None else _feature_values(op, feature, key, i, names[i], dtype)
        if values is None:
            if variable:
                rows.append(np.zeros((0, *inner), dtype=np_dtype))
                continue
            if np.size(default) == 0:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Name: {names[i]}, Feature: {key} (data type: {_DTYPE_WORD[dtype.name]}) is "
                    "required but could not be found.",
                )
            rows.append(np.asarray(default, dtype=np_dtype).reshape(inner))
            continue
        arr = _values_array(feature, values, np_dtype) if len(values) else np.zeros(0, np_dtype)
        if variable:
            if size == 0 or len(values) % size:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Name: {names[i]}, Key: {key}, Index: {i}.  Number of values is not a "
                    f"multiple of stride length. Saw {len(values)} values but output shape is: "
                    f"{_dims([None, *inner])}",
                )
            rows.append(arr.reshape(len(values) // size, *inner))
        else:
            if len(values) != size:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Name: {names[i]}, Key: {key}, Index: {i}.  Number of "
                    f"{_DTYPE_WORD[dtype.name]} values != expected.  Values size: {len(values)} "
                    f"but output shape: {_dims(inner)}",
                )
            rows.append(arr.reshape(inner))
    if not variable:
        if len(rows) == 1:
            return rows[0].reshape(1, *inner)
        if not rows:
            return np.zeros((0, *inner), dtype=np_dtype)
        return np.stack(rows)
    longest = max((r.shape[0] for r in rows), default=0)
    pad = np.asarray(default, dtype=np_dtype).reshape(-1)
    out = np.empty((len(rows), longest, *inner), dtype=np_dtype)
    out[...] = pad[0] if pad.size else (b"" if dtype is dtypes.string else 0)
    for i, r in enumerate(rows):
        out[i, : r.shape[0]] = r
    return out


def _dims(dims) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _sparse_output(op, examples, names, key, dtype, scalar):
    indices, values = [], []
    longest = 0
    for i, example in enumerate(examples):
        feature = example.features.feature.get(key)
        vals = [] if feature is None else _feature_values(op, feature, key, i, names[i], dtype)
        longest = max(longest, len(vals))
        for j, v in enumerate(vals):
            indices.append([j] if scalar else [i, j])
            values.append(v)
    rank = 1 if scalar else 2
    idx = np.array(indices, dtype=np.int64).reshape(-1, rank)
    if dtype is dtypes.string:
        val = np.empty(len(values), dtype=object)
        val[:] = values
    else:
        val = np.array(values, dtype=dtype.np_dtype).reshape(-1)
    shape = [longest] if scalar else [len(examples), longest]
    return idx, val, np.array(shape, dtype=np.int64)


def _ragged_output(op, examples, names, key, dtype, splits_dtype):
    """The values of feature `key` in every example, and the row splits between them."""
    rows = []
    for i, example in enumerate(examples):
        feature = example.features.feature.get(key)
        rows.append(
            [] if feature is None else _feature_values(op, feature, key, i, names[i], dtype, True)
        )
    splits = np.cumsum([0] + [len(r) for r in rows]).astype(splits_dtype)
    values = [v for r in rows for v in r]
    if dtype is dtypes.string:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out, splits
    return np.array(values, dtype=dtype.np_dtype).reshape(-1), splits


def _parse_example_kernel(op, ctx):
    attrs = op._attrs
    sparse_types = list(attrs["sparse_types"])
    dense_types = list(attrs["Tdense"])
    dense_shapes = [s.as_list() if s.rank is not None else [] for s in attrs["dense_shapes"]]

    # One example, fixed-shape dense features only (what input pipelines parse per
    # record): a direct path; anything unusual takes the general one (and its errors).
    fixed = [
        (t.np_dtype, _KIND_OF[t.name], tuple(shape), int(np.prod(shape)) if shape else 1)
        for t, shape in zip(dense_types, dense_shapes)
        if t.name in _KIND_OF and None not in shape
    ]
    ragged_types = list(attrs["ragged_value_types"])
    ragged_splits = [t.np_dtype for t in attrs["ragged_split_types"]]
    fast_ok = not sparse_types and not ragged_types and len(fixed) == len(dense_types)
    key_cache: list = [None, None]  # (the dense_keys array last seen, its keys as str)

    from tfgraph import proto
    from tfgraph.ops.example_rows import example_rows

    parse_example = proto.Example.FromString

    def parse_one(value, keys, batched: bool):
        try:
            features = parse_example(value).features.feature
        except Exception:
            return None
        out = []
        for key, (np_dtype, kind, shape, size) in zip(keys, fixed):
            feature = features.get(key)
            if feature is None or feature.WhichOneof("kind") != kind:
                return None
            values = getattr(feature, kind).value
            if len(values) != size:
                return None
            arr = _values_array(feature, values, np_dtype)
            out.append(arr.reshape((1, *shape) if batched else shape))
        return out

    def parse_rows(values, keys: list):
        """Records' fixed-shape features as the rows of new arrays, or None (anything
        unusual: the general path parses again and reports it)."""
        if all(v.__class__ is bytes for v in values):
            outs = example_rows(values, keys, fixed)  # (records of one layout: at once)
            if outs is not None:
                return outs
        n = len(values)
        outs = [np.empty((n, *shape), dtype=np_dtype) for np_dtype, _, shape, _ in fixed]
        rows = [out.reshape(n, -1) for out in outs]
        for i, value in enumerate(values):
            one = parse_one(value, keys, False) if value.__class__ is bytes else None
            if one is None:
                return None
            for row, arr in zip(rows, one):
                row[i] = arr.reshape(-1)
        return outs

    def str_keys(dense_keys) -> list:
        if dense_keys is not key_cache[0]:  # (a constant: the same array run after run)
            flat = np.asarray(dense_keys, dtype=object).reshape(-1)
            key_cache[1] = [k.decode() if k.__class__ is bytes else str(k) for k in flat]
            key_cache[0] = dense_keys
        return key_cache[1]

    def parse(serialized, names, sparse_keys, dense_keys, ragged_keys, *dense_defaults):
        if fast_ok and serialized.__class__ is np.ndarray and serialized.size == 1:
            batched = serialized.ndim == 1
            value = serialized.reshape(())[()] if batched else serialized[()]
            if value.__class__ is bytes and (batched or serialized.ndim == 0):
                out = parse_one(value, str_keys(dense_keys), batched)
                if out is not None:
                    return out
        elif fast_ok and serialized.__class__ is np.ndarray and serialized.ndim == 1:
            if serialized.size and all(n for _, _, _, n in fixed):
                out = parse_rows(serialized, str_keys(dense_keys))
                if out is not None:
                    return out
        serialized = np.asarray(serialized, dtype=object)
        scalar = serialized.ndim == 0
        flat = serialized.reshape(-1)
        names = np.asarray(names, dtype=object).reshape(-1)
        labels = (
            [n.decode() if isinstance(n, bytes) else str(n) for n in names]
            if names.size
            else ["<unknown>"] * flat.size
        )
        examples = _parse_examples(op, flat)
        sparse = [
            _sparse_output(op, examples, labels, _text(k), t, scalar)
            for k, t in zip(np.asarray(sparse_keys, dtype=object).reshape(-1), sparse_types)
        ]
        dense = []
        for k, t, shape, default in zip(
            np.asarray(dense_keys, dtype=object).reshape(-1),
            dense_types,
            dense_shapes,
            dense_defaults,
        ):
            out = _dense_output(op, examples, labels, _text(k), t, shape, default)
            dense.append(out[0] if scalar else out)
        ragged = [
            _ragged_output(op, examples, labels, _text(k), t, splits)
            for k, t, splits in zip(
                np.asarray(ragged_keys, dtype=object).reshape(-1), ragged_types, ragged_splits
            )
        ]
        sparse_out = [s[0] for s in sparse] + [s[1] for s in sparse] + [s[2] for s in sparse]
        return sparse_out + dense + [r[0] for r in ragged] + [r[1] for r in ragged]

    return parse


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _parse_example_shape(op):
    batch = op._inputs[0]._shape
    lead = [] if batch.rank == 0 else ([None] if batch.rank is None else batch.as_list())
    rank = len(lead) + 1
    n = op._attrs["num_sparse"]
    out = [TensorShape([None, rank]) for _ in range(n)]
    out += [TensorShape([None]) for _ in range(n)]
    out += [TensorShape([rank]) for _ in range(n)]
    for shape in op._attrs["dense_shapes"]:
        out.append(TensorShape(lead).concatenate(shape))
    n_ragged = len(op._attrs["ragged_value_types"])
    out += [TensorShape([None]) for _ in range(n_ragged)]
    rows = lead[0] + 1 if len(lead) == 1 and lead[0] is not None else None
    out += [TensorShape([rows]) for _ in range(n_ragged)]
    return out


def _parse_rows_rule(op, per_record) -> bool:
    """ParseExampleV2 of one record (parse_single_example) with fixed-shape dense
    features only parses a vector of records into their rows."""
    attrs = op._attrs
    return (
        op._inputs[0]._shape.rank == 0
        and per_record[0]
        and not any(per_record[1:])
        and attrs["num_sparse"] == 0
        and not attrs["ragged_value_types"]
        and all(s.rank is not None and None not in s.as_list() for s in attrs["dense_shapes"])
    )


register_op(
    "ParseExampleV2",
    inputs=[
        "serialized: string",
        "names: string",
        "sparse_keys: string",
        "dense_keys: string",
        "ragged_keys: string",
        "dense_defaults: Tdense",
    ],
    outputs=[
        "sparse_indices: num_sparse * int64",
        "sparse_values: sparse_types",
        "sparse_shapes: num_sparse * int64",
        "dense_values: Tdense",
        "ragged_values: ragged_value_types",
        "ragged_row_splits: ragged_split_types",
    ],
    attrs=[
        "Tdense: list({float, int64, string}) >= 0",
        "num_sparse: int >= 0",
        "sparse_types: list({float, int64, string}) >= 0",
        "ragged_value_types: list({float, int64, string}) >= 0",
        "ragged_split_types: list({int32, int64}) >= 0",
        "dense_shapes: list(shape) >= 0",
    ],
    shape=_parse_example_shape,
    make_kernel=_parse_example_kernel,
    grad=NOT_DIFFERENTIABLE,
    rowwise=_parse_rows_rule,
)


def _strings_array(values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = [v.encode() if isinstance(v, str) else v for v in values]
    return arr


def _dense_default(key, feature, shape):
    import re

    from tfgraph.ops import array_ops

    dtype = dtypes.as_dtype(feature.dtype)
    default = feature.default_value
    safe = re.sub("[^A-Za-z0-9_.\\-/]", "_", key)
    if shape.rank and shape.as_list()[0] is None:
        if default is None:
            return convert_to_tensor("" if dtype is dtypes.string else 0, dtype=dtype)
        value = convert_to_tensor(default, dtype=dtype, name="padding_" + safe)
        return array_ops.reshape(value, np.zeros(0, np.int32))
    if default is None:
        return convert_to_tensor(np.zeros(0, dtype=dtype.np_dtype), dtype=dtype, name="Const")
    value = convert_to_tensor(default, dtype=dtype, name="key_" + safe)
    return array_ops.reshape(value, np.array(shape.as_list(), np.int32))


def parse_example(serialized, features, name=None, example_names=None):
    """Parses a batch of serialized `tf.train.Example` protos: a dict of a Tensor per
    FixedLen(Sequence)Feature and a SparseTensor per VarLenFeature or SparseFeature."""
    from tfgraph.ops import sequence_parsing_ops as sp

    features = sp.prepend_none_dimension(features)
    params = sp.params_from_features(
        features,
        (VarLenFeature, sp.SparseFeature, FixedLenFeature, FixedLenSequenceFeature, RaggedFeature),
    )
    if not params.num_features:
        raise ValueError("Must provide at least one feature key.")
    with get_default_graph().name_scope(name or "ParseExample"):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if params.ragged_keys and serialized.shape.ndims is None:
            raise ValueError("serialized must have statically-known rank to parse ragged features.")
        op = apply_op(
            "ParseExampleV2",
            name,
            [
                serialized,
                _strings_array(list(example_names or [])),
                _strings_array(params.sparse_keys),
                _strings_array(params.dense_keys),
                _strings_array(params.ragged_keys),
                params.dense_defaults_vec(),
            ],
            {
                "Tdense": params.dense_types,
                "num_sparse": len(params.sparse_keys),
                "sparse_types": params.sparse_types,
                "ragged_value_types": params.ragged_value_types,
                "ragged_split_types": params.ragged_split_types,
                "dense_shapes": params.dense_shapes,
            },
        )
        outs = list(op._outputs)
        n, n_dense = len(params.sparse_keys), len(params.dense_keys)
        ragged = outs[3 * n + n_dense :]
        if ragged:
            from tfgraph.ragged.ragged_parsing import build_ragged_tensors

            n_ragged = len(params.ragged_keys)
            ragged = build_ragged_tensors(serialized.shape, ragged[:n_ragged], ragged[n_ragged:])
    result = dict(
        zip(
            params.sparse_keys + params.dense_keys + params.ragged_keys,
            sp.sparse_tensors(outs[:n], outs[n : 2 * n], outs[2 * n : 3 * n])
            + outs[3 * n : 3 * n + n_dense]
            + ragged,
        )
    )
    return sp.construct_composite_features(features, result)


def parse_single_example(serialized, features, name=None, example_names=None):
    """`parse_example` for one serialized Example (a scalar): no batch dimension."""
    from tfgraph.ops.sequence_parsing_ops import _assert_scalar

    if features is None:
        raise ValueError("Invalid argument: features cannot be None.")
    if not features:
        raise ValueError("Invalid argument: features cannot be empty.")
    with get_default_graph().name_scope(name or "ParseSingleExample"):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        serialized = _assert_scalar(serialized, "serialized")
        return parse_example(serialized, features, name, example_names)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def decode_csv_v2(
    records,
    record_defaults,
    field_delim=",",
    use_quote_delim=True,
    na_value="",
    select_cols=None,
    name=None,
):
    """TF2's `tf.io.decode_csv` (name last)."""
    return decode_csv(
        records, record_defaults, field_delim=field_delim, use_quote_delim=use_quote_delim,
        name=name, na_value=na_value, select_cols=select_cols,
    )  # fmt: skip


def parse_example_v2(serialized, features, example_names=None, name=None):
    """TF2's `tf.io.parse_example` (example_names before name)."""
    return parse_example(serialized, features, name=name, example_names=example_names)


def parse_single_example_v2(serialized, features, example_names=None, name=None):
    """TF2's `tf.io.parse_single_example` (example_names before name)."""
    return parse_single_example(serialized, features, name=name, example_names=example_names)


def decode_raw_v2(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """TF2's `tf.io.decode_raw` (`fixed_length`, TF's DecodePaddedRaw, is not
    implemented)."""
    if fixed_length is not None:
        raise NotImplementedError(
            "tf.io.decode_raw: fixed_length (TF's DecodePaddedRaw op) is not implemented in "
            "tfgraph; pass fixed_length=None"
        )
    return decode_raw(input_bytes, out_type, little_endian=little_endian, name=name)
