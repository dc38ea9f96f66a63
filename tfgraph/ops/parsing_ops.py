"""Parsing ops: DecodeCSV (`tf.decode_csv`, `tf.io.decode_csv`) and DecodeRaw
(`tf.decode_raw`, `tf.io.decode_raw`), with TF's messages for bad records."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["decode_csv", "decode_raw"]


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
