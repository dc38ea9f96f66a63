"""`CSVDatasetV2` (and TF1's `CSVDataset`): the records of CSV files as typed scalars, as
TF's CSV reader parses them: one record a line (quoted fields may span lines), RFC 4180
quoting with `""` for a quote, an empty field or `na_value` taking the column's default
(an error for a column without one), `select_cols` / `exclude_cols` choosing columns."""

from __future__ import annotations

import itertools

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops.dataset_ops import (
    DatasetValue,
    _check_compression,
    _filenames,
    _read_file,
    _scalar_bytes,
    _variant_shape,
    skipping_errors,
)

__all__: list[str] = []

_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)


def _records(data: bytes, delim: int, quoted: bool, op):
    """The records of `data`: lists of (field bytes, was quoted)."""
    i, n = 0, len(data)
    while i < n:
        fields: list = []
        while True:
            if quoted and i < n and data[i] == 0x22:
                value, i = _quoted_field(data, i + 1, delim, op)
                fields.append(value)
            else:
                j = i
                while j < n and data[j] not in (delim, 0x0A):
                    j += 1
                value = data[i:j]
                fields.append(value[:-1] if value.endswith(b"\r") else value)
                i = j
            if i < n and data[i] == delim:
                i += 1
                continue
            i += 1  # the newline (or the end)
            break
        yield fields


def _quoted_field(data: bytes, i: int, delim: int, op):
    out = bytearray()
    n = len(data)
    while True:
        if i >= n:
            raise errors.InvalidArgumentError(
                None, op, "Quoted field has to end with quote followed by delim or end"
            )
        ch = data[i]
        if ch == 0x22:
            if i + 1 < n and data[i + 1] == 0x22:
                out.append(0x22)
                i += 2
                continue
            i += 1
            if i < n and data[i] == 0x0D:
                i += 1
            if i < n and data[i] not in (delim, 0x0A):
                raise errors.InvalidArgumentError(
                    None, op, "Quote inside a string has to be escaped by another quote"
                )
            return bytes(out), i
        out.append(ch)
        i += 1


def _parse(field: bytes, k: int, dtype, default, na: bytes, op):
    if field == b"" or field == na:
        if default.size == 0:
            raise errors.InvalidArgumentError(
                None, op, f"Field {k} is required but missing in record!"
            )
        return np.array(default.reshape(-1)[0], dtype=default.dtype)
    if dtype == dtypes.string:
        return np.array(field, dtype=object)
    text = field.decode("utf-8", "replace").strip()
    try:
        if dtype.is_integer:
            value = int(text, 10)
            info = np.iinfo(dtype.np_dtype)
            if not info.min <= value <= info.max:
                raise ValueError(text)
            return np.array(value, dtype.np_dtype)
        return np.array(float(text), dtype.np_dtype)
    except ValueError:
        kind = {dtypes.int32: "int32", dtypes.int64: "int64"}.get(dtype, dtype.name)
        raise errors.InvalidArgumentError(
            None, op, f"Field {k} in record is not a valid {kind}: {text}"
        ) from None


def _columns(n_out: int, select, exclude, op):
    select, exclude = [int(c) for c in select], [int(c) for c in exclude]
    if select and exclude:
        raise errors.InvalidArgumentError(
            None, op, "Either select_cols or exclude_cols should be empty"
        )
    for cols, what in ((select, "select_cols"), (exclude, "exclude_cols")):
        if any(c < 0 for c in cols) or any(b <= a for a, b in itertools.pairwise(cols)):
            raise errors.InvalidArgumentError(
                None, op, f"{what} is not sorted or has duplicates or negative values"
            )
    if select and len(select) != n_out:
        raise errors.InvalidArgumentError(
            None, op, "select_cols should match output size of record_defaults"
        )
    return select, exclude


def _pick(fields: list, n_out: int, select: list, exclude: list, op) -> list:
    """The fields of the output columns; a record with too many fields is reported by
    `_check_count` once its columns have parsed (TF's order of errors)."""
    if select:
        if len(fields) <= select[-1]:
            raise errors.InvalidArgumentError(
                None, op, f"Expect {select[-1] + 1} fields but have {len(fields)} in record"
            )
        return [fields[c] for c in select]
    if exclude:
        skip = set(exclude)
        fields = [f for c, f in enumerate(fields) if c not in skip]
    if len(fields) < n_out:
        raise errors.InvalidArgumentError(
            None, op, f"Expect {n_out} fields but have {len(fields)} in record"
        )
    return fields


def _check_count(picked: list, n_out: int, op) -> None:
    if len(picked) > n_out:
        raise errors.InvalidArgumentError(
            None, op, f"Expect {n_out} fields but have more in record"
        )


def _record_values(fields, types, cols, excl, defaults, na_b, op) -> tuple:
    picked = _pick(fields, len(types), cols, excl, op)
    values = tuple(
        _parse(f, k, t, d, na_b, op) for k, (f, t, d) in enumerate(zip(picked, types, defaults))
    )
    _check_count(picked, len(types), op)
    return values


def _csv_kernel(op, ctx):
    types = [dtypes.as_dtype(t) for t in op._attrs["output_types"]]
    v2 = op._type == "CSVDatasetV2"

    def kernel(filenames, compression, buffer_size, header, delim, use_quote, na, select, *rest):
        defaults = [np.asarray(d) for d in rest[: len(types)]]
        exclude = np.asarray(rest[len(types)]).reshape(-1) if v2 else []
        names = _filenames(filenames)
        kind = _check_compression(compression)
        delim_b = _scalar_bytes(delim)
        if len(delim_b) != 1:
            raise errors.InvalidArgumentError(None, op, "field_delim should be only 1 char")
        cols, excl = _columns(len(types), np.asarray(select).reshape(-1), exclude, op)
        skip_header, quoted, na_b = (
            bool(np.asarray(header)),
            bool(np.asarray(use_quote)),
            _scalar_bytes(na),
        )
        for k, d in enumerate(defaults):
            if d.size > 1:
                raise errors.InvalidArgumentError(
                    None, op, f"There should only be 1 default per field but field {k} has {d.size}"
                )

        def iterate(state):
            for name in names:
                records = _records(_read_file(name, kind), delim_b[0], quoted, op)
                if skip_header:
                    next(records, None)
                for fields in records:
                    try:
                        values = _record_values(fields, types, cols, excl, defaults, na_b, op)
                    except errors.InvalidArgumentError:
                        if skipping_errors(state):
                            continue
                        raise
                    yield values

        return DatasetValue(iterate)

    return kernel


_CSV_INPUTS = [
    "filenames: string",
    "compression_type: string",
    "buffer_size: int64",
    "header: bool",
    "field_delim: string",
    "use_quote_delim: bool",
    "na_value: string",
    "select_cols: int64",
    "record_defaults: output_types",
]
_CSV_ATTRS = [
    "output_types: list({float,double,int32,int64,string}) >= 1",
    "output_shapes: list(shape) >= 1",
]

for _op_type, _inputs in (
    ("CSVDataset", _CSV_INPUTS),
    ("CSVDatasetV2", [*_CSV_INPUTS, "exclude_cols: int64"]),
):
    register_op(
        _op_type,
        inputs=_inputs,
        outputs=["handle: variant"],
        attrs=_CSV_ATTRS,
        shape=_variant_shape,
        make_kernel=_csv_kernel,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )
