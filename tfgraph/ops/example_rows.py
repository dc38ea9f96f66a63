"""Parsing many `tf.train.Example`s of one layout at once.

Records written by one loop (`TFRecordWriter` over an array of images and labels) are
byte for byte the same except where their values are: the same feature keys in the
same order, the same list lengths, the same tags. `example_rows` reads the first
record's wire format (only what it fully understands: any unknown field, duplicate key
or unpacked list and it declines), then checks that every record has the same length
and the same bytes outside the requested values, and cuts the values of all records
out of the joined bytes with numpy: the result is what parsing each record gives.
Anything else returns None and the caller parses record by record.
"""

from __future__ import annotations

import numpy as np

from tfgraph.io.sstable import decode_varint

__all__ = ["example_rows"]

_FLOAT_LE = np.dtype("<f4")


def _fields(data: bytes, pos: int, end: int):
    """(field number, start, stop) of each length-delimited field in data[pos:end];
    ValueError for any other wire type or a field running past `end`."""
    while pos < end:
        tag, pos = decode_varint(data, pos, end)
        if tag & 7 != 2:
            raise ValueError("not length-delimited")
        length, pos = decode_varint(data, pos, end)
        if pos + length > end:
            raise ValueError("truncated")
        yield tag >> 3, pos, pos + length
        pos += length


_KINDS = {1: "bytes_list", 2: "float_list", 3: "int64_list"}


def _layout(data: bytes) -> dict | None:
    """{key: (kind, start, stop of its values)} of a serialized Example, or None."""
    try:
        top = list(_fields(data, 0, len(data)))
        if len(top) != 1 or top[0][0] != 1:
            return None
        out: dict = {}
        for number, a, b in _fields(data, top[0][1], top[0][2]):
            entry = {n: (s, e) for n, s, e in _fields(data, a, b)}
            if number != 1 or len(entry) != len(list(_fields(data, a, b))) or 2 not in entry:
                return None
            if not set(entry) <= {1, 2}:
                return None
            key = data[slice(*entry[1])] if 1 in entry else b""
            feature = list(_fields(data, *entry[2]))
            if key in out or len(feature) != 1 or feature[0][0] not in _KINDS:
                return None
            number, s, e = feature[0]
            values = list(_fields(data, s, e)) if number == 1 else [(1, *_packed(data, s, e))]
            if len(values) != 1 or values[0][0] != 1:
                return None
            out[key] = (_KINDS[number], values[0][1], values[0][2])
        return out
    except ValueError:
        return None


def _packed(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """(start, stop) of the one packed field 1 of a FloatList / Int64List."""
    fields = list(_fields(data, pos, end))
    if len(fields) != 1 or fields[0][0] != 1:
        raise ValueError("not one packed field")
    return fields[0][1], fields[0][2]


def example_rows(values, keys: list, fixed: list) -> list | None:
    """The features `keys` ((np_dtype, kind, shape, size) each in `fixed`) of every
    serialized Example in `values`, as arrays of shape (n, *shape); None when the
    records do not share one layout (or it is not one this understands)."""
    n = len(values)
    first = values[0]
    size = len(first)
    if n < 2 or any(len(v) != size for v in values):
        return None
    layout = _layout(first)
    if layout is None:
        return None
    regions = []
    for key, (_, kind, _, _) in zip(keys, fixed):
        where = layout.get(key.encode())
        if where is None or where[0] != kind:
            return None
        regions.append(where[1:])
    rows = np.frombuffer(b"".join(values), np.uint8).reshape(n, size)
    pos = 0
    for start, stop in sorted(regions):
        if start > pos and not (rows[1:, pos:start] == rows[0, pos:start]).all():
            return None
        pos = max(pos, stop)
    if pos < size and not (rows[1:, pos:] == rows[0, pos:]).all():
        return None
    out = []
    for (np_dtype, kind, shape, count), (start, stop) in zip(fixed, regions):
        column = _column(rows, values, kind, count, start, stop)
        if column is None:
            return None
        out.append(column.astype(np_dtype, copy=False).reshape((n, *shape)))
    return out


def _column(rows, values, kind: str, count: int, start: int, stop: int):
    width = stop - start
    if kind == "float_list":
        if width != 4 * count:
            return None
        return np.array(rows[:, start:stop]).view(_FLOAT_LE)
    if kind == "bytes_list":
        if count != 1:
            return None
        column = np.empty(len(values), dtype=object)
        column[:] = [v[start:stop] for v in values]
        return column
    region = rows[:, start:stop]
    if width == count:  # (every value one byte: 0..127)
        return None if (region >= 0x80).any() else region.astype(np.int64)
    if count != 1 or width > 10:
        return None
    if (region[:, :-1] < 0x80).any() or (region[:, -1] >= 0x80).any():
        return None  # (not one varint of `width` bytes in every record)
    value = np.zeros(len(values), dtype=np.uint64)
    for i in range(width):
        value |= (region[:, i] & 0x7F).astype(np.uint64) << np.uint64(7 * i)
    return value.view(np.int64)
