"""Reading LMDB files in pure Python (what `tf.LMDBReader` reads): every (key, value)
of the main database, in key order.

The on-disk format (LMDB 0.9, little-endian, 64-bit): pages of `psize` bytes; pages 0
and 1 are meta pages (the one with the larger transaction id is current) holding the
page size and each database's root page. A page starts with a 16-byte header: page
number (8), pad (2), flags (2), lower/upper free-space bounds (2 + 2), then 2-byte
offsets of its nodes. A node is lo (2), hi (2), flags (2), key size (2), the key, then
the data: on a branch page lo | hi << 16 | flags << 32 is a child page number; on a
leaf page lo | hi << 16 is the data size and the data follows the key, unless the
node is F_BIGDATA, when an 8-byte page number points to overflow pages holding it.
Duplicate-sorted databases (F_DUPDATA) keep a key's values as the keys of a sub-page
or a sub-database.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

__all__ = ["LMDBFormatError", "lmdb_items"]

_MAGIC = 0xBEEFC0DE
_HEADER = 16
_P_BRANCH, _P_LEAF, _P_LEAF2 = 0x01, 0x02, 0x20
_F_BIGDATA, _F_SUBDATA, _F_DUPDATA = 0x01, 0x02, 0x04
_INVALID = 0xFFFFFFFFFFFFFFFF
_DB = struct.Struct("<IHHQQQQQ")  # pad, flags, depth, branch, leaf, overflow, entries, root


class LMDBFormatError(ValueError):
    """The file is not an LMDB file tfgraph can read."""


def _data_path(path: str) -> str:
    return os.path.join(path, "data.mdb") if os.path.isdir(path) else path


def _meta(data: bytes, offset: int):
    """(txnid, page size, main database record) of the meta page at `offset`, or None."""
    if len(data) < offset + _HEADER + 152:
        return None
    magic, version = struct.unpack_from("<II", data, offset + _HEADER)
    if magic != _MAGIC:
        return None
    if version != 1:
        raise LMDBFormatError(f"LMDB version {version} is not supported (only 1)")
    psize = _DB.unpack_from(data, offset + _HEADER + 24)[0]
    main = _DB.unpack_from(data, offset + _HEADER + 24 + _DB.size)
    txnid = struct.unpack_from("<Q", data, offset + _HEADER + 24 + 2 * _DB.size + 8)[0]
    return txnid, psize, main


def lmdb_items(path: str) -> Iterator[tuple[bytes, bytes]]:
    """Yields each (key, value) of the LMDB file `path` (or of `path`/data.mdb) in key
    order. Raises OSError when it cannot be read, LMDBFormatError when it is no LMDB."""
    with open(_data_path(path), "rb") as f:
        data = f.read()
    first = _meta(data, 0)
    if first is None:
        raise LMDBFormatError("MDB_INVALID: File is not an LMDB file")
    psize = first[1]
    second = _meta(data, psize)
    _txnid, psize, main = max((m for m in (first, second) if m is not None), key=lambda m: m[0])
    yield from _tree(data, psize, main[7], bool(main[1] & 0x04))


def _tree(
    data: bytes, psize: int, root: int, dupsort: bool, fixed: int = 0
) -> Iterator[tuple[bytes, bytes]]:
    """The (key, value) pairs of the tree at page `root`; `fixed`: the key size of the
    LEAF2 pages of a sub-database of fixed-size duplicates."""
    if root == _INVALID:
        return
    stack = [root]
    while stack:
        base = stack.pop() * psize
        if base + _HEADER > len(data):
            raise LMDBFormatError("MDB_CORRUPTED: page number beyond the end of the file")
        _, flags, lower = struct.unpack_from("<HHH", data, base + 8)
        n = (lower - _HEADER) // 2
        ptrs = () if flags & _P_LEAF2 else struct.unpack_from(f"<{n}H", data, base + _HEADER)
        if flags & _P_BRANCH:
            children = []
            for p in ptrs:
                lo, hi, nflags = struct.unpack_from("<HHH", data, base + p)
                children.append(lo | hi << 16 | nflags << 32)
            stack.extend(reversed(children))
        elif flags & _P_LEAF2:
            for k in range(n):
                at = base + _HEADER + k * fixed
                yield data[at : at + fixed], b""
        elif flags & _P_LEAF:
            yield from _leaf(data, psize, base, ptrs, dupsort)
        else:
            raise LMDBFormatError(f"MDB_CORRUPTED: unexpected page flags {flags:#x}")


def _leaf(data: bytes, psize: int, base: int, ptrs, dupsort: bool):
    for p in ptrs:
        lo, hi, nflags, ksize = struct.unpack_from("<HHHH", data, base + p)
        start = base + p + 8
        key = data[start : start + ksize]
        size = lo | hi << 16
        at = start + ksize
        if nflags & _F_BIGDATA:
            page = struct.unpack_from("<Q", data, at)[0]
            value = data[page * psize + _HEADER : page * psize + _HEADER + size]
        else:
            value = data[at : at + size]
        if nflags & _F_DUPDATA and dupsort:
            for dup in _duplicates(data, psize, value, nflags):
                yield key, dup
        else:
            yield key, value


def _duplicates(data: bytes, psize: int, value: bytes, nflags: int):
    """The values of one key of a duplicate-sorted database, in order."""
    if nflags & _F_SUBDATA:  # (a sub-database: its keys are the values)
        record = _DB.unpack_from(value, 0)
        for dup, _ in _tree(data, psize, record[7], False, record[0]):
            yield dup
        return
    _, flags, lower = struct.unpack_from("<HHH", value, 8)  # (a sub-page)
    if flags & _P_LEAF2:
        ksize = struct.unpack_from("<H", value, 8)[0]
        for k in range((lower - _HEADER) // 2):
            yield value[_HEADER + k * ksize : _HEADER + (k + 1) * ksize]
        return
    n = (lower - _HEADER) // 2
    for p in struct.unpack_from(f"<{n}H", value, _HEADER):
        _, _, _, ksize = struct.unpack_from("<HHHH", value, p)
        yield value[p + 8 : p + 8 + ksize]
