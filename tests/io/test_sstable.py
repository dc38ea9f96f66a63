"""The LevelDB-style table of checkpoint .index files (spec section 2.3)."""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.golden import golden
from tfgraph import errors
from tfgraph.io.crc32c import crc32c, mask
from tfgraph.io.sstable import (
    MAGIC,
    TableReader,
    TableWriter,
    decode_varint,
    encode_varint,
    short_successor,
    shortest_separator,
)

HEADER = bytes.fromhex("08011a020801")
ENTRY_V = bytes.fromhex("0801120412020802280835593ce535")
ENTRY_W = bytes.fromhex("08011208120208021202080320082818" + "35c0db3d17")


def build(entries, **kwargs) -> bytes:
    out = io.BytesIO()
    writer = TableWriter(out, **kwargs)
    for k, v in entries:
        writer.add(k, v)
    size = writer.finish()
    assert size == len(out.getvalue())
    return out.getvalue()


def test_varints():
    for value in (0, 1, 127, 128, 300, 2**32, 2**63 - 1):
        encoded = encode_varint(value)
        assert decode_varint(encoded, 0) == (value, len(encoded))
    assert encode_varint(300) == b"\xac\x02"
    with pytest.raises(ValueError):
        decode_varint(b"\x80\x80", 0)


def test_spec_annotated_example_bytes():
    """Section 2.6: the 146-byte index of v=[1,2], w=[2,3] written by TF."""
    data = build([(b"", HEADER), (b"v", ENTRY_V), (b"w", ENTRY_W)])
    assert len(data) == 146
    assert data[:9] == bytes.fromhex("000006") + HEADER
    assert data[53:61] == bytes.fromhex("0000000001000000")  # restart array of the block
    assert data[61:66] == bytes.fromhex("00753f7081")  # type + masked crc
    assert data[66:79] == bytes.fromhex("0000000001000000 00c0f2a1b0".replace(" ", ""))
    assert data[79:93] == bytes.fromhex("00010278003d0000000001000000")  # index "x" -> (0, 61)
    assert data[-8:] == struct.pack("<Q", MAGIC) == bytes.fromhex("57fb808b247547db")
    assert data[98:104] == bytes.fromhex("42084f0e0000")


def test_matches_golden_index():
    expected = golden("tf_min", "ckpt", "model.index").read_bytes()
    assert build([(b"", HEADER), (b"v", ENTRY_V), (b"w", ENTRY_W)]) == expected


def test_block_layout_and_crc_covers_type_byte():
    data = build([(b"k", b"v")])
    contents = bytes.fromhex("0001016b76") + bytes.fromhex("0000000001000000")
    assert data[: len(contents)] == contents
    assert data[len(contents)] == 0  # no compression
    stored = struct.unpack_from("<I", data, len(contents) + 1)[0]
    assert stored == mask(crc32c(contents + b"\x00"))
    assert TableReader(data).get(b"k") == b"v"


def test_prefix_compression_and_restarts():
    keys = [b"b", b"bf"] + [b"k%02d" % i for i in range(17)]
    data = build([(k, b"x" * 17) for k in keys])
    # "bf" after "b": shared 1, non_shared 1, value_len 17, suffix "f"
    assert bytes.fromhex("01011166") in data
    reader = TableReader(data)
    assert [k for k, _ in reader.items()] == keys
    # 19 entries in one block: restart points at entries 0 and 16.
    block = reader._data_block(next(iter(reader._index))[1])
    assert len(block._restarts) == 2
    assert block._entry(block._restarts[1], b"")[0] == keys[16]


def test_separators():
    assert shortest_separator(b"abc", b"abe") == b"abd"
    assert shortest_separator(b"abc", b"abd") == b"abc"  # no room between
    assert shortest_separator(b"ab", b"abc") == b"ab"  # prefix
    assert shortest_separator(b"a\xff", b"b") == b"a\xff"
    assert short_successor(b"w") == b"x"
    assert short_successor(b"layer_05999/some/kernel") == b"m"
    assert short_successor(b"\xff\xffa") == b"\xff\xffb"
    assert short_successor(b"\xff\xff") == b"\xff\xff"


def test_keys_must_increase():
    writer = TableWriter(io.BytesIO())
    writer.add(b"b", b"")
    with pytest.raises(ValueError):
        writer.add(b"b", b"")
    with pytest.raises(ValueError):
        writer.add(b"a", b"")


def test_many_blocks_and_lookups():
    entries = [(b"key/%06d" % i, b"value-%d" % i * 3) for i in range(5000)]
    data = build(entries, block_size=1024)
    reader = TableReader(data, "many")
    assert len(list(reader._index)) > 50
    for k, v in entries[::37] + entries[-3:]:
        assert reader.get(k) == v
    assert list(reader.items()) == entries
    for missing in (b"", b"a", b"key/000000x", b"key/0049999", b"zzz"):
        assert reader.get(missing) is None


def test_golden_multi_block_index():
    reader = TableReader.open(golden("tf_multi", "ckpt.index"))
    keys = list(reader.keys())
    assert len(keys) == 6001 and keys[0] == b""
    assert len(list(reader._index)) > 1
    assert keys == sorted(keys)
    for k in keys[::499]:
        assert reader.get(k) is not None


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(st.binary(max_size=12), st.binary(max_size=40), max_size=200),
    st.sampled_from([64, 256, 262144]),
)
def test_round_trip_property(mapping, block_size):
    entries = sorted(mapping.items())
    reader = TableReader(build(entries, block_size=block_size))
    assert list(reader.items()) == entries
    for k, v in entries:
        assert reader.get(k) == v


# --------------------------------------------------------------------------------------
# Corruption


def _sample() -> bytes:
    return build([(b"", HEADER), (b"v", ENTRY_V), (b"w", ENTRY_W)])


def test_data_block_corruption_names_file():
    data = bytearray(_sample())
    data[20] ^= 0x01
    reader = TableReader(bytes(data), "/ckpt/model.index")
    with pytest.raises(errors.DataLossError, match=r"/ckpt/model\.index.*block checksum mismatch"):
        reader.get(b"v")
    with pytest.raises(errors.DataLossError):
        list(reader.items())


def test_stored_crc_corruption():
    data = bytearray(_sample())
    data[63] ^= 0x80  # inside the masked crc of the data block
    with pytest.raises(errors.DataLossError, match="checksum"):
        TableReader(bytes(data)).get(b"w")


def test_index_block_corruption_fails_on_open():
    data = bytearray(_sample())
    data[80] ^= 0x01
    with pytest.raises(errors.DataLossError, match="index block"):
        TableReader(bytes(data), "x.index")


def test_bad_magic_and_short_file():
    data = bytearray(_sample())
    data[-1] ^= 0xFF
    with pytest.raises(errors.DataLossError, match=r"bad\.index: not an sstable \(bad magic"):
        TableReader(bytes(data), "bad.index")
    with pytest.raises(errors.DataLossError, match="too short"):
        TableReader(b"abc", "short.index")


def test_snappy_block_rejected_clearly():
    data = bytearray(_sample())
    data[61] = 1  # compression type of the data block: Snappy
    data[62:66] = struct.pack("<I", mask(crc32c(bytes(data[:62]))))
    reader = TableReader(bytes(data), "snappy.index")
    with pytest.raises(errors.UnimplementedError, match="Snappy"):
        reader.get(b"v")


def test_missing_file(tmp_path):
    with pytest.raises(errors.NotFoundError, match="No such file"):
        TableReader.open(tmp_path / "nope.index")
