"""CRC-32C: test vectors, all size paths against a bitwise reference, extension."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfgraph.io import crc32c as crc_mod
from tfgraph.io.crc32c import crc32c, extend, mask, masked_crc32c, unmask


def _reference_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_REF = _reference_table()


def reference(data: bytes, crc: int = 0) -> int:
    """Textbook byte-at-a-time CRC-32C."""
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = _REF[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def test_bitwise_definition_matches_table():
    def bitwise(data):
        c = 0xFFFFFFFF
        for b in data:
            c ^= b
            for _ in range(8):
                c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
        return c ^ 0xFFFFFFFF

    assert bitwise(b"123456789") == reference(b"123456789") == 0xE3069283


def test_spec_vectors():
    assert crc32c(b"") == 0
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43  # RFC 3720 B.4
    assert crc32c(bytes(range(32))) == 0x46DD794E  # RFC 3720 B.4


def test_mask_vectors():
    assert mask(0) == 0xA282EAD8
    # TFRecord vector (spec section 3.1): the masked CRC of the 8 length bytes of 24.
    assert masked_crc32c((24).to_bytes(8, "little")).to_bytes(4, "little").hex() == "a37f4b22"
    assert masked_crc32c((62).to_bytes(8, "little")).to_bytes(4, "little").hex() == "d9d240e7"
    payload = bytes.fromhex("0900000040fc54d9411a0d") + b"brain.Event:2"
    assert masked_crc32c(payload).to_bytes(4, "little").hex() == "eced8f9d"


@given(st.integers(0, 0xFFFFFFFF))
def test_unmask_inverts_mask(value):
    assert unmask(mask(value)) == value
    assert 0 <= mask(value) <= 0xFFFFFFFF


@pytest.fixture(autouse=True, params=["c", "numpy"])
def implementation(request, monkeypatch):
    """Every test runs against google-crc32c's C extension and the numpy paths."""
    if request.param == "numpy":
        monkeypatch.setattr(crc_mod, "_c_extend", None)
    elif crc_mod._c_extend is None:
        pytest.skip("google-crc32c's C extension is not installed")
    return request.param


# Sizes around every path boundary: tiny loop, row tables, folding (scales 1..8).
_CHUNK = 8 * crc_mod._FOLD_A
SIZES = [1, 3, 4, 5, 95, 96, 97, 255, 256, 257, 1000, 4096, 16385, 65536, 65537,
         2 * _CHUNK + 7, 2 * _CHUNK + 9, 3 * _CHUNK + 8, 5 * _CHUNK + 3,
         16 * _CHUNK + 1, 33 * _CHUNK + 11]  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_all_paths_match_reference(size):
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    expected = reference(data)
    assert crc32c(data) == expected
    for cut in (1, 3, size // 3, size - 1):
        assert crc32c(data[cut:], crc32c(data[:cut])) == expected


_TREE = crc_mod._TREE_A
TREE_SIZES = [crc_mod._TREE_MIN - 1, crc_mod._TREE_MIN, 4 * _TREE + 1, 8 * _TREE,
              8 * _TREE + 1, 16 * _TREE, 16 * _TREE + 5, 2 * _CHUNK + 6,
              crc_mod._TREE_MAX, crc_mod._TREE_MAX + 1]  # fmt: skip


@pytest.mark.parametrize("size", TREE_SIZES)
def test_tree_path_matches_reference(size):
    data = np.random.default_rng(size + 1).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert crc32c(data) == reference(data)
    assert crc32c(data[7:], crc32c(data[:7])) == reference(data)


@pytest.mark.slow
def test_largest_fold_scale_matches_reference():
    size = 66 * _CHUNK + 5  # enough words for an 8x folding step
    data = np.random.default_rng(7).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert crc32c(data) == reference(data)


@pytest.mark.parametrize("size", [100, 5000, 4 * _CHUNK + 3])
def test_buffer_kinds(size):
    raw = np.random.default_rng(3).integers(0, 256, size + 1, dtype=np.uint8).tobytes()
    data = raw[1:]
    expected = reference(data)
    assert crc32c(bytearray(data)) == expected
    assert crc32c(memoryview(raw)[1:]) == expected  # unaligned start
    assert crc32c(np.frombuffer(raw, dtype=np.uint8)[1:]) == expected


def test_numpy_arrays_use_their_element_bytes():
    a = np.arange(3000, dtype=np.float32).reshape(30, 100)
    assert crc32c(a) == reference(a.tobytes())
    strided = a[:, ::2]  # not contiguous: taken in C order
    assert crc32c(strided) == reference(np.ascontiguousarray(strided).tobytes())
    shaped = memoryview(a)  # multi-dimensional buffer with format "f"
    assert crc32c(shaped) == reference(a.tobytes())


def test_extend_alias():
    assert extend(crc32c(b"1234"), b"56789") == 0xE3069283


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_extension_property(a, b):
    assert crc32c(b, crc32c(a)) == crc32c(a + b) == reference(a + b)
