"""tfgraph/ops/unicode_codecs.py: decoding with byte offsets and error handling as TF's
ICU converters do it, and encoding rows of code points (the values below were checked
against TF 2.21 in tests/ops/test_unicode_ops.py)."""

from __future__ import annotations

import pytest

from tfgraph.ops import unicode_codecs as uc


def _decode(data, encoding="UTF-8", errors="replace", replacement=0xFFFD, control=False):
    return uc.decode(data, uc.canonical_encoding(encoding), errors, replacement, control)


def test_utf8_maximal_subparts_are_one_error_each():
    assert _decode(b"a\xffb") == ([97, 0xFFFD, 98], [0, 1, 2])
    assert _decode(b"\xe2\x82x") == ([0xFFFD, 120], [0, 2])
    assert _decode(b"\xed\xa0\x80z")[0] == [0xFFFD] * 3 + [122]
    assert _decode(b"\xf0\x9f\x98") == ([0xFFFD], [0])
    assert _decode(b"h\xc3\xa9\xf0\x9f\x98\x8a") == ([104, 233, 0x1F60A], [0, 1, 3])


def test_errors_modes_and_control_characters():
    assert _decode(b"a\xffb", errors="ignore") == ([97, 98], [0, 2])
    with pytest.raises(uc.DecodeError, match="Invalid formatting on input string"):
        _decode(b"a\xffb", errors="strict")
    assert _decode(b"\x00\x01\x7f", control=True, replacement=63)[0] == [63, 63, 127]


def test_utf16_and_utf32_truncation():
    assert _decode(b"\xd8\x3dx", "UTF-16-BE") == ([0xFFFD], [0])
    assert _decode(b"\x00a\xdc\x00\x00b", "UTF-16-BE") == ([97, 0xFFFD, 98], [0, 2, 4])
    assert _decode(b"\xff\xfea\x00b\x00", "UTF-16") == ([97, 98], [0, 4])
    assert _decode(b"\x00\x00\x00a\x00", "UTF-32-BE") == ([97, 0xFFFD], [0, 4])


def test_unknown_encoding():
    assert uc.canonical_encoding("FOO") is None
    assert uc.canonical_encoding("utf8") == "UTF-8"


def test_encode_rows():
    rows = uc.encode_rows([104, -1, 0x1F60A, 98], [0, 3, 4], "UTF-8", "replace", 0xFFFD)
    assert rows == [b"h\xef\xbf\xbd\xf0\x9f\x98\x8a", b"b"]
    assert uc.encode_rows([104, -1, 98], [0, 2, 3], "UTF-8", "ignore", 0xFFFD) == [b"h", b"b"]
    assert uc.encode_rows([-1], [0, 1], "UTF-16-BE", "replace", 0xD800) == [b"\xd8\x00"]
    with pytest.raises(uc.DecodeError, match="out of range for Unicode"):
        uc.encode_rows([0x110000], [0, 1], "UTF-32-BE", "strict", 0xFFFD)
