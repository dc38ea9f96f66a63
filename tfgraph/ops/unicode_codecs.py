"""Decoding bytes to code points (with the byte offset where each starts) and encoding
code points to bytes, as TF's ICU-based unicode kernels do.

An invalid sequence is one error: UTF-8 follows the "maximal subpart" practice (an
invalid lead byte, or a lead byte with the continuation bytes that fitted it, is one
error); UTF-16 and UTF-32 take one code unit per error, and a truncated unit (or a high
surrogate followed by one) at the end of the string is one error. Each error is the
replacement character ("replace"), nothing ("ignore") or a `DecodeError` ("strict").
"""

from __future__ import annotations

import codecs
from typing import Literal

import numpy as np

__all__ = [
    "DecodeError",
    "canonical_encoding",
    "decode",
    "encode",
    "encode_rows",
    "is_scalar_value",
]

MAX_CODE_POINT = 0x10FFFF


class DecodeError(ValueError):
    """An invalid sequence under errors="strict"."""


def is_scalar_value(cp: int) -> bool:
    """A Unicode scalar value: in [0, 0x10FFFF] and not a surrogate."""
    return 0 <= cp <= MAX_CODE_POINT and not 0xD800 <= cp <= 0xDFFF


_FIXED = {"UTF8": "UTF-8", "UTF16BE": "UTF-16-BE", "UTF16LE": "UTF-16-LE",
          "UTF32BE": "UTF-32-BE", "UTF32LE": "UTF-32-LE", "UTF16": "UTF-16",
          "UTF32": "UTF-32"}  # fmt: skip


def canonical_encoding(name: str) -> str | None:
    """ "UTF-8", "UTF-16-BE", ... for the encodings decoded here, else the name of a
    Python codec for it, else None (no such encoding)."""
    key = name.upper().replace("-", "").replace("_", "")
    if key in _FIXED:
        return _FIXED[key]
    try:
        return "py:" + codecs.lookup(name).name
    except LookupError:
        return None


# -- UTF-8 ----------------------------------------------------------------------------------
def _utf8_second_range(lead: int) -> tuple[int, int, int]:
    """(number of continuation bytes, low, high bound of the first one) for a lead byte;
    (0, 0, 0) when `lead` can start no sequence."""
    if 0xC2 <= lead <= 0xDF:
        return 1, 0x80, 0xBF
    if lead == 0xE0:
        return 2, 0xA0, 0xBF
    if lead == 0xED:
        return 2, 0x80, 0x9F
    if 0xE1 <= lead <= 0xEF:
        return 2, 0x80, 0xBF
    if lead == 0xF0:
        return 3, 0x90, 0xBF
    if lead == 0xF4:
        return 3, 0x80, 0x8F
    if 0xF1 <= lead <= 0xF3:
        return 3, 0x80, 0xBF
    return 0, 0, 0


def _utf8_units(data: bytes):
    """(code point or None for an error, start offset) for each unit of `data`."""
    i, n = 0, len(data)
    while i < n:
        lead = data[i]
        if lead < 0x80:
            yield lead, i
            i += 1
            continue
        extra, lo, hi = _utf8_second_range(lead)
        if not extra:
            yield None, i
            i += 1
            continue
        cp = lead & (0x3F >> extra)
        j = i + 1
        while j <= i + extra:
            if j >= n or not lo <= data[j] <= hi:
                break
            cp = (cp << 6) | (data[j] & 0x3F)
            j += 1
            lo, hi = 0x80, 0xBF
        yield (cp if j == i + extra + 1 else None), i
        i = j


# -- UTF-16 / UTF-32 ------------------------------------------------------------------------
def _utf16_units(data: bytes, big: bool):
    order: Literal["big", "little"] = "big" if big else "little"
    i, n = 0, len(data)
    while i < n:
        if i + 2 > n:
            yield None, i
            return
        u = int.from_bytes(data[i : i + 2], order)
        if 0xD800 <= u <= 0xDBFF:
            if i + 4 > n:
                yield None, i
                return
            v = int.from_bytes(data[i + 2 : i + 4], order)
            if 0xDC00 <= v <= 0xDFFF:
                yield 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00), i
                i += 4
                continue
            yield None, i
        elif 0xDC00 <= u <= 0xDFFF:
            yield None, i
        else:
            yield u, i
        i += 2


def _utf32_units(data: bytes, big: bool):
    order: Literal["big", "little"] = "big" if big else "little"
    for i in range(0, len(data), 4):
        if i + 4 > len(data):
            yield None, i
            return
        u = int.from_bytes(data[i : i + 4], order)
        yield (u if is_scalar_value(u) else None), i


def _with_bom(data: bytes, width: int, units):
    """ "UTF-16" / "UTF-32" as TF's ICU converters read them: little-endian, a leading
    little-endian byte-order mark skipped when more follows (the first character then
    reports offset 0)."""
    bom = b"\xff\xfe" + b"\x00" * (width - 2)
    if not data.startswith(bom) or len(data) == width:
        yield from units(data, False)
        return
    for k, (cp, start) in enumerate(units(data[width:], False)):
        yield cp, 0 if k == 0 else start + width


def _cp1252_undefined(exc):
    """ICU's windows-1252 maps its five undefined bytes to the C1 controls of that value."""
    return "".join(chr(b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("tfgraph_cp1252", _cp1252_undefined)


def _codec_units(data: bytes, codec: str):
    """Any other Python codec, one byte at a time to learn where each character starts."""
    errs = "tfgraph_cp1252" if codec == "cp1252" else "replace"
    dec = codecs.getincrementaldecoder(codec)(errors=errs)
    start = 0
    for i in range(len(data)):
        text = dec.decode(data[i : i + 1])
        for ch in text:
            yield (None if ch == "\ufffd" else ord(ch)), start
        if text:
            start = i + 1
    for ch in dec.decode(b"", final=True):
        yield (None if ch == "\ufffd" else ord(ch)), start


def _units(data: bytes, encoding: str):
    if encoding == "UTF-8":
        return _utf8_units(data)
    if encoding in ("UTF-16-BE", "UTF-16-LE"):
        return _utf16_units(data, encoding.endswith("BE"))
    if encoding in ("UTF-32-BE", "UTF-32-LE"):
        return _utf32_units(data, encoding.endswith("BE"))
    if encoding == "UTF-16":
        return _with_bom(data, 2, _utf16_units)
    if encoding == "UTF-32":
        return _with_bom(data, 4, _utf32_units)
    return _codec_units(data, encoding[3:])


def _valid_utf8(data: bytes, replace_control: bool):
    """(code points, starts) of valid UTF-8 with nothing to replace, else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    cps = [ord(c) for c in text]
    if replace_control and any(cp < 0x20 for cp in cps):
        return None
    starts, pos = [], 0
    for cp in cps:
        starts.append(pos)
        pos += 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    return cps, starts


def decode(data: bytes, encoding: str, errors: str, replacement: int, replace_control: bool):
    """(code points, byte offsets where they start) of `data` in `encoding` (as given by
    `canonical_encoding`)."""
    if encoding == "UTF-8":
        fast = _valid_utf8(data, replace_control)
        if fast is not None:
            return fast
    cps: list[int] = []
    starts: list[int] = []
    for cp, start in _units(data, encoding):
        if cp is None:
            if errors == "strict":
                raise DecodeError("Invalid formatting on input string")
            if errors == "ignore":
                continue
            cp = replacement
        elif replace_control and cp < 0x20:
            cp = replacement
        cps.append(cp)
        starts.append(start)
    return cps, starts


def _encode_one(cp: int, encoding: str) -> bytes:
    """One code point; a surrogate (only ever a replacement character) is written as its
    raw code unit in UTF-16/32 and as U+FFFD in UTF-8, as ICU's append macros do."""
    if encoding == "UTF-32-BE":
        return cp.to_bytes(4, "big")
    if encoding == "UTF-16-BE":
        if cp >= 0x10000:
            cp -= 0x10000
            return (0xD800 + (cp >> 10)).to_bytes(2, "big") + (0xDC00 + (cp & 0x3FF)).to_bytes(
                2, "big"
            )
        return cp.to_bytes(2, "big")
    return chr(cp if is_scalar_value(cp) else 0xFFFD).encode("utf-8")


def encode(cps, encoding: str, errors: str, replacement: int) -> bytes:
    """The bytes of code points `cps` in `encoding` (UTF-8, UTF-16-BE or UTF-32-BE); a
    code point that is no scalar value is `replacement`, skipped, or a DecodeError
    ("strict")."""
    out = []
    for cp in cps:
        cp = int(cp)
        if not is_scalar_value(cp):
            if errors == "strict":
                raise DecodeError("Code point is out of range for Unicode, or is a surrogate.")
            if errors == "ignore":
                continue
            cp = replacement
        out.append(_encode_one(cp, encoding))
    return b"".join(out)


_PY_CODEC = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}


def _byte_lengths(cps: np.ndarray, encoding: str) -> np.ndarray:
    if encoding == "UTF-32-BE":
        return np.full(cps.shape, 4, np.int64)
    if encoding == "UTF-16-BE":
        return np.where(cps >= 0x10000, 4, 2).astype(np.int64)
    return np.select([cps < 0x80, cps < 0x800, cps < 0x10000], [1, 2, 3], 4).astype(np.int64)


def encode_rows(values, splits, encoding: str, errors: str, replacement: int) -> list[bytes]:
    """`encode` of each row values[splits[i]:splits[i+1]], all rows at once: the code
    points are checked and replaced with numpy, encoded as one string, and cut by rows."""
    cps = np.asarray(values, np.int64).reshape(-1)
    splits = np.asarray(splits, np.int64).reshape(-1)
    bad = (cps < 0) | (cps > MAX_CODE_POINT) | ((cps >= 0xD800) & (cps <= 0xDFFF))
    if bad.any():
        if errors == "strict":
            raise DecodeError("Code point is out of range for Unicode, or is a surrogate.")
        if errors == "ignore":
            kept = np.concatenate([[0], np.cumsum(~bad)])
            cps, splits = cps[~bad], kept[splits]
        else:
            fill = replacement
            if encoding == "UTF-8" and not is_scalar_value(replacement):
                fill = 0xFFFD
            cps = np.where(bad, fill, cps)
    text = "".join(map(chr, cps.tolist()))
    data = text.encode(_PY_CODEC[encoding], "surrogatepass")
    ends = np.concatenate([[0], np.cumsum(_byte_lengths(cps, encoding))])[splits].tolist()
    return [data[ends[i] : ends[i + 1]] for i in range(len(ends) - 1)]
