"""CRC-32C (Castagnoli), as TensorFlow stores it in checkpoints and TFRecord files.

`crc32c(data)` is the standard CRC-32C (reflected polynomial 0x82F63B78, initial value
and final XOR 0xFFFFFFFF). `crc32c(more, crc=previous)` extends a CRC over more bytes,
so `crc32c(b, crc32c(a)) == crc32c(a + b)`. `mask`/`unmask` implement the rotation TF
applies to every CRC it stores in a file.

With google-crc32c's C extension installed (a dependency), bytes are handed to it.
Otherwise, and for large non-bytes buffers, speed comes from numpy, with four paths
chosen by size:

* tiny inputs: a byte-at-a-time loop over a 256-entry table (no numpy overhead);
* small inputs: *position tables*. A row of 256 bytes is looked up in one gather:
  entry ``[p, v]`` of a 65,536-entry table is the CRC contribution of byte value `v`
  at position `p` of the row, so a row's CRC is the XOR of 256 looked-up words. The
  row CRCs are combined the same way, 64 per row, with tables whose entries carry the
  shift of each row by its distance from the end of the message.
* large inputs: *sparse-multiple folding*. The CRC only depends on the message
  polynomial modulo P. The polynomial x^(8a) + x^(8b) + x^(8c) + 1 (byte counts a, b,
  c below, all multiples of 8) is a multiple of P, so x^(8a) = 1 + x^(8b) + x^(8c)
  (mod P). Horner's rule over chunks of `a` bytes therefore needs only three
  word-aligned XORs of the running `a`-byte accumulator per chunk, which numpy runs
  at memory speed; the final accumulator goes through the tree path. Squaring the
  identity (GF(2) Frobenius) gives the same relation for 2a, 2b, 2c, used to take
  bigger steps on big inputs.
* medium inputs (and the accumulator above): the same identity, square-rooted down
  to byte counts, applied pairwise to up to eight chunks at once (a 3-level tree of
  whole-array XORs), leaving one small residue for the position tables.

A CRC register value `I` is carried into a segment by XOR-ing it into the segment's
first four bytes (valid for reflected CRCs of at least four bytes), so segments are
processed one after another without any polynomial arithmetic in Python.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["crc32c", "extend", "mask", "masked_crc32c", "unmask"]

# google-crc32c's C extension (hardware CRC instructions) when it is installed: a TFRecord
# record's CRC in well under a microsecond where the numpy paths below need ~25 us.
try:
    import google_crc32c as _google_crc32c

    _c_extend = _google_crc32c.extend if _google_crc32c.implementation == "c" else None
except ImportError:  # pragma: no cover - the numpy paths serve
    _c_extend = None
_COPY_MAX = 1 << 16

_POLY = 0x82F63B78  # CRC-32C polynomial, bit-reflected
_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF


def _byte_table() -> list[int]:
    table = []
    for value in range(256):
        crc = value
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _byte_table()


def _raw_py(data, reg: int) -> int:
    """Runs the register `reg` over `data` (an iterable of byte values)."""
    table = _TABLE
    for byte in data:
        reg = table[(reg ^ byte) & 0xFF] ^ (reg >> 8)
    return reg


# --------------------------------------------------------------------------------------
# GF(2) polynomial arithmetic modulo P in the reflected representation: bit 31 of a
# 32-bit value is the coefficient of x^0, bit 0 the coefficient of x^31.
_X0 = 1 << 31


def _mulmod(a: int, b: int) -> int:
    """a(x) * b(x) mod P."""
    product = 0
    bit = _X0
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _xpow(n: int) -> int:
    """x^n mod P."""
    result, base = _X0, _X0 >> 1
    while n:
        if n & 1:
            result = _mulmod(result, base)
        base = _mulmod(base, base)
        n >>= 1
    return result


# --------------------------------------------------------------------------------------
# Position tables. A table has 256 positions x 256 byte values (indexable by uint16).
_ROW = 256
_GROUP = _ROW // 4  # crc values combined per row at the upper levels
_OFFSETS = np.arange(_ROW, dtype=np.uint16) * np.uint16(256)
_BYTE_VALUES = np.arange(256, dtype=np.uint32)
_tables: dict[int, np.ndarray] = {}
_tables_lock = threading.Lock()


def _expand(basis: list[list[int]]) -> np.ndarray:
    """Table [p, v] = XOR of basis[p][k] over the set bits k of v (linearity)."""
    b = np.array(basis, dtype=np.uint32)  # (256 positions, 8 bits)
    table = np.zeros((_ROW, 256), dtype=np.uint32)
    for k in range(8):
        on = ((_BYTE_VALUES >> k) & 1).astype(bool)
        table[:, on] ^= b[:, k : k + 1]
    return table.reshape(-1)


def _level_table(level: int) -> np.ndarray:
    """The position table for `level` (0: message bytes; k: crcs of 256*64**(k-1) bytes)."""
    table = _tables.get(level)
    if table is not None:
        return table
    with _tables_lock:
        table = _tables.get(level)
        if table is not None:
            return table
        basis = []
        if level == 0:
            # byte at position p is followed by 255 - p bytes of the row
            step = _xpow(8)
            shifts = [_X0]
            for _ in range(_ROW - 1):
                shifts.append(_mulmod(shifts[-1], step))
            for p in range(_ROW):
                shift = shifts[_ROW - 1 - p]
                basis.append([_mulmod(_TABLE[1 << k], shift) for k in range(8)])
        else:
            span = _ROW * _GROUP ** (level - 1)  # bytes covered by one input crc
            step = _xpow(8 * span)
            shifts = [_X0]
            for _ in range(_GROUP - 1):
                shifts.append(_mulmod(shifts[-1], step))
            for g in range(_GROUP):  # crc g of the row is followed by 63 - g spans
                shift = shifts[_GROUP - 1 - g]
                for q in range(4):
                    basis.append([_mulmod(1 << (8 * q + k), shift) for k in range(8)])
        table = _expand(basis)
        _tables[level] = table
        return table


_local = threading.local()


def _scratch(rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-thread index/gather buffers for `rows` rows (reused: fresh allocations of
    this size are several times slower than the gather itself)."""
    index = getattr(_local, "index", None)
    if index is None or index.shape[0] < rows:
        size = max(rows, 256)
        _local.index = index = np.empty((size, _ROW), dtype=np.uint16)
        _local.gathered = np.empty((size, _ROW), dtype=np.uint32)
    return index[:rows], _local.gathered[:rows]


def _reduce_rows(buf: np.ndarray, table: np.ndarray) -> np.ndarray:
    """CRC contribution of each 256-byte row of `buf` (uint8, length a multiple of 256)."""
    rows = buf.reshape(-1, _ROW)
    index, gathered = _scratch(rows.shape[0])
    np.add(rows, _OFFSETS, out=index)
    table.take(index, out=gathered, mode="wrap")  # indices are always in range
    return np.bitwise_xor.reduce(gathered, axis=1)


def _padded(data: np.ndarray, reg: int) -> np.ndarray:
    """Copy of `data` front-padded with zeros to whole rows, with `reg` folded in."""
    n = data.size
    total = -(-n // _ROW) * _ROW
    buf = np.zeros(total, dtype=np.uint8)
    start = total - n
    buf[start:] = data
    if reg:
        buf[start : start + 4] ^= np.frombuffer(reg.to_bytes(4, "little"), dtype=np.uint8)
    return buf


def _raw_tables(data: np.ndarray, reg: int) -> int:
    """Register after running `reg` over `data` (uint8 array, at least 4 bytes)."""
    values = _reduce_rows(_padded(data, reg), _level_table(0))
    level = 1
    while values.size > 1:
        as_bytes = values.astype("<u4").view(np.uint8)
        values = _reduce_rows(_padded(as_bytes, 0), _level_table(level))
        level += 1
    return int(values[0])


# --------------------------------------------------------------------------------------
# Pairwise tree folding for medium inputs. Taking square roots (the Frobenius map is
# invertible modulo the square-free P) of the word-level identity below gives the
# byte-level one x^(8*6777) = 1 + x^(8*100) + x^(8*484), and squaring it again gives
# it for 2x, 4x, ... those byte counts.
_TREE_A, _TREE_B, _TREE_C = 6777, 100, 484  # bytes
_TREE_LEVELS = 3  # shifts grow 2x per level; 3 levels keep them well inside the frame
_TREE_MIN = 40 * 1024  # below this the row tables alone are faster
_TREE_MAX = 32 * _TREE_A  # above this Horner folding (below) is faster


def _tree_scratch(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Two per-thread uint8 buffers of at least `size` bytes for the tree levels."""
    pair = getattr(_local, "tree", None)
    if pair is None or pair[0].size < size:
        pair = (np.empty(size, dtype=np.uint8), np.empty(size, dtype=np.uint8))
        _local.tree = pair
    return pair


def _raw_tree(data: np.ndarray, reg: int) -> int:
    """Register after running `reg` over `data` (uint8, at most 8 * 2 * _TREE_A bytes).

    The input is split into up to 8 equal chunks of `a` bytes (front-padded with
    zeros); neighbours are combined pairwise, level by level, as
    left * x^(8a 2^j) + right == right + left + left * x^(8b 2^j) + left * x^(8c 2^j),
    leaving one `a`-byte residue with the same CRC.
    """
    scale = 1
    while data.size > (1 << _TREE_LEVELS) * _TREE_A * scale:
        scale *= 2
    a, b, c = _TREE_A * scale, _TREE_B * scale, _TREE_C * scale
    chunks = 1 << max(1, (-(-data.size // a) - 1).bit_length())
    first, second = _tree_scratch(chunks * a)
    buf = first[: chunks * a]
    start = buf.size - data.size
    buf[:start] = 0
    buf[start:] = data
    if reg:
        buf[start : start + 4] ^= np.frombuffer(reg.to_bytes(4, "little"), dtype=np.uint8)
    level: np.ndarray = buf.reshape(chunks, a)
    xor = np.bitwise_xor
    shift_b, shift_c = b, c
    while level.shape[0] > 1:
        left, right = level[0::2], level[1::2]
        out = second[: left.size].reshape(left.shape)
        first, second = second, first  # ping-pong: the next level writes where this one read
        xor(left, right, out=out)
        xor(out[:, : a - shift_b], left[:, shift_b:], out=out[:, : a - shift_b])
        xor(out[:, : a - shift_c], left[:, shift_c:], out=out[:, : a - shift_c])
        # Bytes pushed above the frame (degree >= 8a) come back via the base identity.
        over = left[:, :shift_c].copy()
        xor(over[:, shift_c - shift_b :], left[:, :shift_b], out=over[:, shift_c - shift_b :])
        n = shift_c
        xor(out[:, a - n :], over, out=out[:, a - n :])
        xor(out[:, a - n - b : a - b], over, out=out[:, a - n - b : a - b])
        xor(out[:, a - n - c : a - c], over, out=out[:, a - n - c : a - c])
        level = out
        shift_b, shift_c = 2 * shift_b, 2 * shift_c
    return _raw_tables(level.reshape(-1), 0)


def _raw_medium(data: np.ndarray, reg: int) -> int:
    """Row tables for smaller inputs, tree folding for larger ones."""
    if data.size >= _TREE_MIN:
        return _raw_tree(data, reg)
    return _raw_tables(data, reg)


# --------------------------------------------------------------------------------------
# Sparse-multiple folding: x^(8*a) = 1 + x^(8*b) + x^(8*c) (mod P), in 64-bit words.
_FOLD_A, _FOLD_B, _FOLD_C = 6777, 100, 484  # found by a search over x^(64 i) mod P


def _fold(acc: np.ndarray, rest: np.ndarray, a: int, b: int, c: int) -> np.ndarray:
    """Horner's rule over `acc` followed by `rest`, modulo x^(64a) + x^(64b) + x^(64c) + 1.

    `acc` (uint64, `a` words, owned by the caller and overwritten) is the residue so
    far; `rest` holds whole chunks of `a` words. Returns the `a`-word residue: read as
    a message, it has the same CRC from a zero register as the whole input.
    """
    tmp = np.empty_like(acc)
    over = np.empty(c, dtype=np.uint64)
    xor = np.bitwise_xor
    for start in range(0, rest.size, a):
        # acc * x^(64a) + chunk  ==  chunk + acc + acc * x^(64b) + acc * x^(64c)
        over[:] = acc[:c]  # words that move above the frame (degree >= 64a)
        xor(over[c - b :], acc[:b], out=over[c - b :])
        xor(acc, rest[start : start + a], out=tmp)
        xor(tmp[: a - b], acc[b:], out=tmp[: a - b])
        xor(tmp[: a - c], acc[c:], out=tmp[: a - c])
        # over * x^(64a) == over + over * x^(64b) + over * x^(64c)
        xor(tmp[a - c :], over, out=tmp[a - c :])
        xor(tmp[a - c - b : a - b], over, out=tmp[a - c - b : a - b])
        xor(tmp[a - 2 * c : a - c], over, out=tmp[a - 2 * c : a - c])
        acc, tmp = tmp, acc
    return acc


def _raw_fold(words: np.ndarray, reg: int) -> int:
    """Register after running `reg` over `words` (a whole number of base chunks)."""
    a, b, c = _FOLD_A, _FOLD_B, _FOLD_C
    scale = 1
    while scale < 8 and words.size >= 16 * a * scale:
        scale *= 2
    big = words.size // (a * scale) * (a * scale)
    acc = words[: a * scale].copy()
    if reg:
        acc[:1] ^= np.uint64(reg)  # little-endian: the low 4 bytes are the first 4
    acc = _fold(acc, words[a * scale : big], a * scale, b * scale, c * scale)
    if scale > 1:
        acc = _fold(acc[:a].copy(), acc[a:], a, b, c)
    acc = _fold(acc, words[big:], a, b, c)
    return _raw_tree(acc.view(np.uint8), 0)


_SMALL = 96  # below this many bytes the plain table loop wins


def _as_uint8(data) -> np.ndarray | memoryview:
    if isinstance(data, np.ndarray):
        if not data.flags.c_contiguous:
            data = np.ascontiguousarray(data)
        return data.reshape(-1).view(np.uint8)
    view = memoryview(data)
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    return view


def _run(data, reg: int) -> int:
    view = _as_uint8(data)
    n = len(view) if isinstance(view, memoryview) else view.size
    if n < _SMALL:
        if isinstance(view, np.ndarray):
            return _raw_py(view.tolist(), reg)
        return _raw_py(view, reg)
    arr = view if isinstance(view, np.ndarray) else np.frombuffer(view, dtype=np.uint8)
    if n <= _TREE_MAX:
        return _raw_medium(arr, reg)
    chunk = 8 * _FOLD_A
    # head (aligns the words) | middle (whole chunks, folded) | tail (tables)
    head = (-arr.ctypes.data) % 8
    if head:
        reg = _raw_py(arr[:head].tolist(), reg)
    middle = (n - head) // chunk * chunk
    words = arr[head : head + middle].view(np.uint64)
    reg = _raw_fold(words, reg)
    tail = arr[head + middle :]
    if tail.size >= 4:
        return _raw_medium(tail, reg)
    return _raw_py(tail.tolist(), reg)


def crc32c(data, crc: int = 0) -> int:
    """The CRC-32C of `data`, extending `crc` (the CRC of the bytes before `data`).

    Args:
        data: any object exporting a contiguous buffer (bytes, bytearray, memoryview,
            numpy array); numpy arrays are taken by their raw element bytes.
        crc: the CRC-32C of the preceding bytes; 0 starts a new message.

    Returns:
        The unmasked CRC-32C as an int in [0, 2**32).
    """
    if _c_extend is not None:
        if data.__class__ is bytes:
            return _c_extend(crc, data)
        view = _as_uint8(data)
        if len(view) < _COPY_MAX:  # (copying a small buffer costs less than numpy)
            return _c_extend(crc, bytes(view))
        return _run(view, (crc ^ _U32) & _U32) ^ _U32
    return _run(data, (crc ^ _U32) & _U32) ^ _U32


def extend(crc: int, data) -> int:
    """`crc32c(data, crc)`: the CRC of the bytes behind `crc` followed by `data`."""
    return crc32c(data, crc)


def mask(crc: int) -> int:
    """Masks a CRC for storage, as TensorFlow does (rotate right 15, add a constant)."""
    crc &= _U32
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _U32


def unmask(masked: int) -> int:
    """Inverse of `mask`."""
    rot = (masked - _MASK_DELTA) & _U32
    return ((rot >> 17) | (rot << 15)) & _U32


def masked_crc32c(data) -> int:
    """`mask(crc32c(data))`, the form stored in TFRecord and checkpoint files."""
    return mask(crc32c(data))
