"""V2 checkpoint bundles: byte identity with TF, reading TF's files, corruption, interop."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.golden import golden
from tests.io.craft import craft, entry_proto
from tests.tfrun import requires_tf, run_tf_json
from tfgraph import errors, proto
from tfgraph.framework import dtypes
from tfgraph.io.bundle import (
    BundleReader,
    BundleWriter,
    data_filename,
    index_filename,
    slice_key,
)
from tfgraph.io.crc32c import crc32c, mask
from tfgraph.io.sstable import TableReader, TableWriter
from tfgraph.io.tensor_proto import bfloat16_bits


def bf16(values):
    return bfloat16_bits(values).view(dtypes.bfloat16.np_dtype)


def bits(a):
    """Comparable form of an array (bfloat16 by bit pattern, strings as bytes)."""
    a = np.asarray(a)
    if a.dtype == dtypes.bfloat16.np_dtype:
        return ("bf16", a.shape, a.view(np.uint16).tolist())
    return (str(a.dtype), a.shape, a.tolist())


def rewrite(prefix, out_prefix):
    """Re-encodes a bundle with BundleWriter, adding tensors in data-file order."""
    with BundleReader(prefix) as reader:
        keys = sorted(reader.keys(), key=lambda k: reader.entry(k).offset)
        with BundleWriter(out_prefix) as writer:
            for k in keys:
                writer.add(k, reader.read(k), reader.dtype(k))


# --------------------------------------------------------------------------------------
# Byte identity with TF-written bundles


@pytest.mark.parametrize(
    "parts", [("tf", "ckpt", "model-7"), ("tf_min", "ckpt", "model"), ("tf_order", "ckpt"),
              ("tf_multi", "ckpt")], ids=lambda p: p[0]
)  # fmt: skip
def test_rewrite_is_byte_identical(tmp_path, parts):
    prefix = str(golden(*parts[:-1]) / parts[-1])
    out = str(tmp_path / "out" / "model")
    rewrite(prefix, out)
    for name in (index_filename, data_filename):
        with open(name(prefix), "rb") as a, open(name(out), "rb") as b:
            assert a.read() == b.read(), name.__name__
    assert sorted(os.listdir(tmp_path / "out")) == ["model.data-00000-of-00001", "model.index"]


def test_tf_order_data_in_add_order(tmp_path):
    prefix = str(golden("tf_order") / "ckpt")
    with BundleReader(prefix) as reader:
        assert reader.keys() == ["Mid", "alpha", "beta/x", "zeta"]
        offsets = {k: reader.entry(k).offset for k in reader}
        assert offsets == {"zeta": 0, "alpha": 4, "Mid": 12, "beta/x": 24}
        for i, name in enumerate(["zeta", "alpha", "Mid", "beta/x"]):
            np.testing.assert_array_equal(reader.read(name), np.full([i + 1], i, np.float32))
    # Adding them in the same unsorted order reproduces TF's files.
    out = str(tmp_path / "o")
    with BundleWriter(out) as writer:
        for i, name in enumerate(["zeta", "alpha", "Mid", "beta/x"]):
            writer.add(name, np.full([i + 1], i, np.float32))
    assert Path(out + ".index").read_bytes() == Path(prefix + ".index").read_bytes()


# --------------------------------------------------------------------------------------
# Reading TF's bundle


def test_read_golden_values():
    with BundleReader(str(golden("tf", "ckpt") / "model-7")) as r:
        values = r.read_all()
        assert r.dtype("bf") is dtypes.bfloat16 and r.dtype("h") is dtypes.float16
        assert r.shape("empty") == [0, 3] and r.shape("scalar") == []
        assert r.variable_to_dtype_map()["global_step"] is dtypes.int64
    np.testing.assert_array_equal(values["v"], [1.0, 2.0])
    np.testing.assert_array_equal(values["w"], np.arange(6, dtype=np.float32).reshape(2, 3))
    assert values["f64"].tolist() == [1.5, -2.25]
    assert values["i32"].tolist() == [[1, -2], [3, 4]] and values["i32"].dtype == np.int32
    assert values["i64"].tolist() == [2**40, -1]
    assert values["b"].tolist() == [True, False, True]
    assert values["u8"].tolist() == [1, 255] and values["i8"].tolist() == [-1, 7]
    assert values["i16"].tolist() == [-300, 7]
    assert values["h"].tolist() == [1.0, -2.5, 65504.0]
    assert bits(values["bf"]) == bits(bf16([1.0, -2.5, 3.0]))
    assert values["c64"].tolist() == [1 + 2j, -3 - 4j] and values["c64"].dtype == np.complex64
    assert values["scalar"].shape == () and values["scalar"] == 3.0
    assert values["s"].dtype == object and values["s"].tolist() == [b"hello", b"", b"x" * 200]
    assert values["empty"].shape == (0, 3) and values["empty"].dtype == np.float32
    np.testing.assert_array_equal(values["scope/nested"], np.arange(5, dtype=np.float32))
    assert values["untrained"].tolist() == 1 and values["global_step"].dtype == np.int64


def test_read_partitioned_variable():
    with BundleReader(str(golden("tf_part", "ckpt") / "model")) as r:
        assert r.keys() == ["p"]
        assert r.shape("p") == [4, 3]
        assert len(r.entry("p").slices) == 2
        np.testing.assert_array_equal(r.read("p"), np.ones((4, 3), np.float32))


def test_slice_key_encoding():
    assert slice_key("p", [(0, 2), (0, 3)]).hex(" ") == "00 70 00 01 01 02 80 82 80 83"
    assert slice_key("p", [(2, 2), (0, -1)]).hex(" ") == "00 70 00 01 01 02 82 82 80 7f"
    assert slice_key(b"a\x00\xff", [(100, 1000)]).hex(" ") == (
        "00 61 00 ff ff 00 00 01 01 01 c0 64 c3 e8"
    )


def test_read_slices_written_by_us(tmp_path):
    """Slices with a whole-dimension extent and entries in a multi-slice layout."""
    prefix = str(tmp_path / "part")
    full = np.arange(12, dtype=np.float64).reshape(4, 3)
    data = bytearray()
    entries = {}
    for start in (0, 2):
        piece = full[start : start + 2]
        entry = proto.BundleEntryProto(dtype=proto.DT_DOUBLE, offset=len(data), size=48)
        entry.shape.dim.add(size=2)
        entry.shape.dim.add(size=3)
        entry.crc32c = mask(crc32c(piece.tobytes()))
        entries[slice_key("q", [(start, 2), (0, -1)])] = entry.SerializeToString()
        data += piece.tobytes()
    meta = proto.BundleEntryProto(dtype=proto.DT_DOUBLE)
    meta.shape.dim.add(size=4)
    meta.shape.dim.add(size=3)
    for start in (0, 2):
        s = meta.slices.add()
        s.extent.add(start=start, length=2)
        s.extent.add()
    entries[b"q"] = meta.SerializeToString()
    entries[b""] = proto.BundleHeaderProto(num_shards=1).SerializeToString()
    with open(prefix + ".index", "wb") as f:
        table = TableWriter(f)
        for k in sorted(entries):
            table.add(k, entries[k])
        table.finish()
    with open(data_filename(prefix), "wb") as f:
        f.write(data)
    with BundleReader(prefix) as r:
        assert r.keys() == ["q"]
        np.testing.assert_array_equal(r.read("q"), full)


# --------------------------------------------------------------------------------------
# Writer behaviour

ALL_VALUES = {
    "f16": np.array([1.5, -2, 65504], np.float16),
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
    "f64": np.array([[1.5, -2.25]], np.float64),
    "bf": bf16([1.0, -2.5, 3.0, 1e-40]),
    "i8": np.array([-128, 127], np.int8),
    "i16": np.array([-300, 7], np.int16),
    "i32": np.array([[1, -2], [3, 4]], np.int32),
    "i64": np.array([2**40, -1], np.int64),
    "u8": np.array([0, 255], np.uint8),
    "u16": np.array([65535, 1], np.uint16),
    "u32": np.array([2**32 - 1], np.uint32),
    "u64": np.array([2**64 - 1, 3], np.uint64),
    "bool": np.array([True, False, True]),
    "c64": np.array([1 + 2j, -3 - 4j], np.complex64),
    "c128": np.array([[1e300 + 1j]], np.complex128),
    "str": np.array([b"hello", b"", b"x" * 200, b"\x00nul\x00", b"\xff\xfe"], dtype=object),
    "str_scalar": np.array(b"only", dtype=object),
    "str_empty": np.zeros((0,), dtype=object),
    "scalar": np.float32(3.0),
    "int_scalar": np.int64(-7),
    "empty": np.zeros((0, 3), np.float32),
    "scope/nested": np.arange(5, dtype=np.float32),
    "big": np.random.default_rng(0).standard_normal(300_000).astype(np.float32),
}


def write_all(prefix):
    with BundleWriter(prefix) as w:
        for k in reversed(list(ALL_VALUES)):  # any order
            v = ALL_VALUES[k]
            w.add(k, v, dtypes.bfloat16 if k == "bf" else None)


def test_round_trip_all_dtypes(tmp_path):
    prefix = str(tmp_path / "all")
    write_all(prefix)
    with BundleReader(prefix) as r:
        assert r.keys() == sorted(ALL_VALUES)
        for k, v in ALL_VALUES.items():
            got = r.read(k)
            assert bits(got) == bits(v), k
        assert r.dtype("bf") is dtypes.bfloat16 and r.dtype("str") is dtypes.string
        assert r.dtype("u16") is dtypes.uint16


def test_index_sorted_and_data_in_add_order(tmp_path):
    prefix = str(tmp_path / "m")
    with BundleWriter(prefix) as w:
        w.add("b", np.float32([1]))
        w.add("a", np.float32([2, 3]))
        w.add("B", np.float32([]))
    keys = [k for k, _ in TableReader.open(prefix + ".index").items()]
    assert keys == [b"", b"B", b"a", b"b"]
    with BundleReader(prefix) as r:
        assert [r.entry(k).offset for k in ("b", "a", "B")] == [0, 4, 12]
        assert r.entry("B").size == 0 and r.entry("B").crc32c == 0xA282EAD8


def test_header_and_entry_encoding(tmp_path):
    prefix = str(tmp_path / "h")
    with BundleWriter(prefix) as w:
        w.add("w", np.arange(6, dtype=np.float32).reshape(2, 3))
        w.add("s", np.float32(1))
    table = TableReader.open(prefix + ".index")
    assert table.get(b"") == bytes.fromhex("08011a020801")
    # dtype, shape [2, 3], offset 0 omitted, size 24, then the fixed32 masked crc
    assert table.get(b"w")[:15] == bytes.fromhex("0801120812020802120208032818 35".replace(" ", ""))
    assert table.get(b"s")[:4] == bytes.fromhex("08011200")  # scalar: empty shape present


def test_string_encoding_matches_spec(tmp_path):
    prefix = str(tmp_path / "s")
    with BundleWriter(prefix) as w:
        w.add("s", [b"hello", b"", b"x" * 200], dtypes.string)
    data = Path(data_filename(prefix)).read_bytes()
    assert len(data) == 213
    # lengths 5, 0, 200 as varints, then the masked length crc (TF writes 01 8c aa 2b;
    # the spec's example drops the 01), then the bytes.
    assert data[:8].hex(" ") == "05 00 c8 01 01 8c aa 2b"
    assert data[8:13] == b"hello"
    with BundleReader(prefix) as r:
        assert r.entry("s").size == 213


def test_ref_dtype_stored_as_base(tmp_path):
    prefix = str(tmp_path / "r")
    with BundleWriter(prefix) as w:
        w.add("v", np.float32([1]), dtypes.float32._as_ref)
    with BundleReader(prefix) as r:
        assert r.entry("v").dtype == proto.DT_FLOAT


def test_writer_errors(tmp_path):
    w = BundleWriter(str(tmp_path / "e"))
    w.add("a", np.float32([1]))
    with pytest.raises(errors.InvalidArgumentError, match="duplicate key: a"):
        w.add("a", np.float32([1]))
    with pytest.raises(errors.InvalidArgumentError):
        w.add("", np.float32([1]))
    with pytest.raises(TypeError):
        w.add("x", np.array([1.5]), dtypes.int32)
    with pytest.raises(TypeError):
        w.add("r", np.array([1]), dtypes.resource)
    w.abort()
    assert os.listdir(tmp_path) == []


def test_writer_duplicate_bytes_key_is_named_as_text(tmp_path):
    # TF's "Adding duplicate key: <key>" names the key itself, not a Python bytes repr.
    w = BundleWriter(str(tmp_path / "e"))
    w.add(b"scope/v", np.float32([1]))
    with pytest.raises(errors.InvalidArgumentError, match=r"^Adding duplicate key: scope/v$"):
        w.add(b"scope/v", np.float32([1]))


def test_exception_inside_with_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), BundleWriter(str(tmp_path / "x" / "m")) as w:
        w.add("a", np.float32([1]))
        raise RuntimeError("boom")
    assert os.listdir(tmp_path / "x") == []


def test_finish_replaces_existing_files(tmp_path):
    prefix = str(tmp_path / "m")
    for value in (1.0, 2.0):
        with BundleWriter(prefix) as w:
            w.add("v", np.float32([value]))
    with BundleReader(prefix) as r:
        assert r.read("v").tolist() == [2.0]
    assert sorted(os.listdir(tmp_path)) == ["m.data-00000-of-00001", "m.index"]


# --------------------------------------------------------------------------------------
# Corruption and errors


@pytest.fixture()
def sample(tmp_path):
    prefix = str(tmp_path / "c")
    write_all(prefix)
    return prefix


def _flip(path, offset, bit=0x01):
    data = bytearray(Path(path).read_bytes())
    data[offset] ^= bit
    Path(path).write_bytes(bytes(data))


def test_flipped_data_byte(sample):
    with BundleReader(sample) as r:
        offset = r.entry("f32").offset + 5
    _flip(data_filename(sample), offset)
    with BundleReader(sample) as r:
        with pytest.raises(errors.DataLossError, match="Checksum does not match") as info:
            r.read("f32")
        assert "'f32'" in str(info.value) and sample in str(info.value)
        r.read("f64")  # other tensors are fine


def test_flipped_string_length(sample):
    with BundleReader(sample) as r:
        offset = r.entry("str").offset
    _flip(data_filename(sample), offset)
    with BundleReader(sample) as r, pytest.raises(errors.DataLossError, match="length checksum"):
        r.read("str")


def test_flipped_string_payload(sample):
    with BundleReader(sample) as r:
        offset = r.entry("str").offset + 5 + 4 + 2
    _flip(data_filename(sample), offset)
    with BundleReader(sample) as r, pytest.raises(errors.DataLossError, match="Checksum"):
        r.read("str")


def test_truncated_data_file(sample):
    path = data_filename(sample)
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[:-10])
    with BundleReader(sample) as r:
        last = max(r.keys(), key=lambda k: r.entry(k).offset + r.entry(k).size)
        with pytest.raises(errors.DataLossError, match="truncated"):
            r.read(last)


def test_flipped_index_block_crc(sample):
    _flip(index_filename(sample), 30)
    with pytest.raises(errors.DataLossError, match=r"c\.index.*checksum mismatch"):
        BundleReader(sample).read("f32")


def test_flipped_footer_magic(sample):
    size = os.path.getsize(index_filename(sample))
    _flip(index_filename(sample), size - 3)
    with pytest.raises(errors.DataLossError, match="bad magic number"):
        BundleReader(sample)


def test_missing_files(tmp_path, sample):
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files for"):
        BundleReader(str(tmp_path / "nope"))
    os.remove(data_filename(sample))
    with BundleReader(sample) as r:
        with pytest.raises(errors.NotFoundError, match="No such file or directory"):
            r.read("f32")
        with pytest.raises(errors.NotFoundError, match="Key nokey not found in checkpoint"):
            r.read("nokey")


def _rewrite_header(prefix, header):
    table = TableReader.open(index_filename(prefix))
    items = dict(table.items())
    items[b""] = header.SerializeToString()
    with open(index_filename(prefix), "wb") as f:
        writer = TableWriter(f)
        for k in sorted(items):
            writer.add(k, items[k])
        writer.finish()


def test_big_endian_rejected(sample):
    _rewrite_header(sample, proto.BundleHeaderProto(num_shards=1, endianness=1))
    with pytest.raises(errors.UnimplementedError, match="big-endian"):
        BundleReader(sample)


def test_newer_format_rejected(sample):
    _rewrite_header(sample, proto.BundleHeaderProto(num_shards=1, version={"min_consumer": 5}))
    with pytest.raises(errors.InvalidArgumentError, match="min consumer version 5"):
        BundleReader(sample)


def test_size_mismatch(sample):
    table = TableReader.open(index_filename(sample))
    items = dict(table.items())
    entry = proto.BundleEntryProto.FromString(items[b"f32"])
    entry.size = 20
    items[b"f32"] = entry.SerializeToString()
    with open(index_filename(sample), "wb") as f:
        writer = TableWriter(f)
        for k in sorted(items):
            writer.add(k, items[k])
        writer.finish()
    with BundleReader(sample) as r, pytest.raises(errors.DataLossError, match="size 20"):
        r.read("f32")


# --------------------------------------------------------------------------------------
# Interop with real TF (one subprocess for all checks)


def _tf_side_code(ours, theirs):
    return textwrap.dedent(
        f"""
        import json
        def enc(a):
            a = np.asarray(a)
            if a.dtype.kind == "S":  # get_tensor returns a scalar string as bytes
                a = np.array(a.item(), dtype=object)
            if a.dtype == object:
                return [list(a.shape), "string", [bytes(x).hex() for x in a.reshape(-1)]]
            name = tf.as_dtype(a.dtype).name
            if name == "bfloat16":
                a = a.view(np.uint16)
            return [list(a.shape), name, np.ascontiguousarray(a).tobytes().hex()]
        out = {{}}
        # 1. TF reads our bundle.
        r = tf.train.load_checkpoint({ours!r})
        out["dtypes"] = {{k: v.name for k, v in r.get_variable_to_dtype_map().items()}}
        out["shapes"] = r.get_variable_to_shape_map()
        out["values"] = {{k: enc(r.get_tensor(k)) for k in out["dtypes"]}}
        # 2. A TF1 Saver restores our bundle into an identically named graph.
        g = tf.Graph()
        with g.as_default():
            v = tf.Variable(np.zeros([2, 3], np.float32), name="f32")
            s = tf.Variable(np.array([b""] * 5, dtype=object), name="str")
            n = tf.Variable(np.zeros([5], np.float32), name="scope/nested")
            saver = tf.train.Saver([v, s, n])
            with tf.Session() as sess:
                saver.restore(sess, {ours!r})
                out["restored"] = [enc(x) for x in sess.run([v, s, n])]
        # 3. TF writes a bundle for us to read.
        g = tf.Graph()
        with g.as_default():
            vals = {{
                "f16": np.array([1.5, -2, 65504], np.float16),
                "bf": tf.constant([1.0, -2.5, 3.0], tf.bfloat16),
                "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
                "f64": np.array(1.25),
                "i8": np.array([-1, 7], np.int8), "u16": np.array([65535], np.uint16),
                "i64": np.array([2**40], np.int64), "u64": np.array([2**64 - 1], np.uint64),
                "bool": np.array([True, False]), "c128": np.array([1 + 2j]),
                "str": np.array([b"a\\x00b", b"", b"\\xff" * 300], dtype=object),
                "empty": np.zeros([0, 2], np.int32), "z/scalar": np.int32(5),
            }}
            names = sorted(vals, reverse=True)
            save = tf.raw_ops.SaveV2(prefix={theirs!r}, tensor_names=names,
                                     shape_and_slices=[""] * len(names),
                                     tensors=[tf.convert_to_tensor(vals[k]) for k in names])
            with tf.Session() as sess:
                sess.run(save)
                out["tf_wrote"] = {{k: enc(x) for k, x in zip(names, sess.run(
                    [tf.convert_to_tensor(vals[k]) for k in names]))}}
        print(json.dumps(out))
        """
    )


@pytest.fixture(scope="module")
def interop(tmp_path_factory):
    root = tmp_path_factory.mktemp("interop")
    ours, theirs = str(root / "ours" / "model"), str(root / "theirs" / "model")
    write_all(ours)
    return ours, theirs, run_tf_json(_tf_side_code(ours, theirs))


def _enc(a):
    a = np.asarray(a)
    if a.dtype == object:
        return [list(a.shape), "string", [bytes(x).hex() for x in a.reshape(-1)]]
    if a.dtype == dtypes.bfloat16.np_dtype:
        return [list(a.shape), "bfloat16", a.view(np.uint16).tobytes().hex()]
    return [list(a.shape), dtypes.as_dtype(a.dtype).name, a.tobytes().hex()]


@pytest.mark.tf
@requires_tf
def test_tf_reads_our_bundle(interop):
    _, _, out = interop
    assert set(out["dtypes"]) == set(ALL_VALUES)
    for k, v in ALL_VALUES.items():
        expected = _enc(v)
        assert out["dtypes"][k] == expected[1], k
        assert out["shapes"][k] == expected[0], k
        assert out["values"][k] == expected, k


@pytest.mark.tf
@requires_tf
def test_tf_saver_restores_our_bundle(interop):
    _, _, out = interop
    assert out["restored"] == [_enc(ALL_VALUES[k]) for k in ("f32", "str", "scope/nested")]


@pytest.mark.tf
@requires_tf
def test_we_read_tf_written_bundle(interop):
    _, theirs, out = interop
    with BundleReader(theirs) as r:
        assert r.keys() == sorted(out["tf_wrote"])
        for k, expected in out["tf_wrote"].items():
            assert _enc(r.read(k)) == expected, k
    # TF's own data layout follows its (reverse-sorted) argument order; ours too.
    copy = str(os.path.dirname(theirs)) + "_copy/model"
    with BundleReader(theirs) as r:
        names = sorted(r.keys(), reverse=True)
        with BundleWriter(copy) as w:
            for k in names:
                w.add(k, r.read(k), r.dtype(k))
    for name in (index_filename, data_filename):
        assert Path(name(copy)).read_bytes() == Path(name(theirs)).read_bytes()
    shutil.rmtree(os.path.dirname(copy))


def test_string_tensor_rejects_non_bytes(tmp_path):
    with BundleWriter(str(tmp_path / "s")) as w, pytest.raises(TypeError):
        w.add("s", np.array([b"a", 5], dtype=object), dtypes.string)


# --------------------------------------------------------------------------------------
# Crafted index entries: every inconsistency is a DataLossError, raised before any
# allocation of the declared size.


def _crafted_error(tmp_path, entries, data=b"\0" * 64, key="v"):
    prefix = str(tmp_path / "crafted")
    craft(prefix, entries, data)
    with BundleReader(prefix) as reader, pytest.raises(errors.DataLossError) as info:
        reader.read(key)
    return info.value.message


@pytest.mark.parametrize(
    "offset, size",
    [(2**63 - 1, 4), (-8, 4), (60, 16), (0, -4)],
    ids=["max", "neg", "past", "negsize"],
)
def test_crafted_offsets(tmp_path, offset, size):
    msg = _crafted_error(
        tmp_path, {b"v": entry_proto(shape=[max(size, 0) // 4], offset=offset, size=size)}
    )
    assert "v" in msg


def test_crafted_huge_size_is_not_allocated(tmp_path):
    # 4 TiB declared: must be refused against the 64-byte file, not allocated.
    msg = _crafted_error(tmp_path, {b"v": entry_proto(dtype=4, shape=[2**42], size=2**42)})
    assert "outside the file" in msg
    msg = _crafted_error(tmp_path, {b"v": entry_proto(dtype=7, shape=[1], size=2**42)})
    assert "outside the file" in msg


def test_crafted_huge_string_count(tmp_path):
    _crafted_error(tmp_path, {b"v": entry_proto(dtype=7, shape=[2**40, 2**20], size=8)})


def test_crafted_invalid_dtype(tmp_path):
    prefix = str(tmp_path / "crafted")
    craft(prefix, {b"v": entry_proto(dtype=999, shape=[1], size=4)})
    with BundleReader(prefix) as reader:
        with pytest.raises(errors.DataLossError, match="invalid dtype"):
            reader.read("v")
        with pytest.raises(errors.DataLossError, match="invalid dtype"):
            reader.dtype("v")


def test_crafted_bad_shard(tmp_path):
    _crafted_error(tmp_path, {b"v": entry_proto(shape=[1], size=4, shard_id=3)})
    _crafted_error(tmp_path, {b"v": entry_proto(shape=[1], size=4, shard_id=-1)})


def _sliced(full_dtype=1, part_dtype=1, full_shape=(4,), extents=((0, 2), (2, 2)), shapes=None):
    data = np.arange(4, dtype=np.float32).tobytes()
    entries = {b"v": entry_proto(dtype=full_dtype, shape=full_shape, slices=[[e] for e in extents])}
    for i, ext in enumerate(extents):
        shape = shapes[i] if shapes else [ext[1]]
        n = int(np.prod(shape))
        chunk = data[4 * ext[0] : 4 * ext[0] + 4 * n]
        entries[slice_key(b"v", [ext])] = entry_proto(
            dtype=part_dtype, shape=shape, offset=4 * ext[0], size=len(chunk),
            crc=mask(crc32c(chunk)),
        )  # fmt: skip
    return entries, data


def test_crafted_slices_consistent_reads(tmp_path):
    entries, data = _sliced()
    prefix = str(tmp_path / "crafted")
    craft(prefix, entries, data)
    with BundleReader(prefix) as reader:
        np.testing.assert_array_equal(reader.read("v"), np.arange(4, dtype=np.float32))


@pytest.mark.parametrize(
    "kwargs, phrase",
    [
        (dict(part_dtype=7), "dtype"),  # the parts' dtype differs from the tensor's
        (dict(full_dtype=7), "dtype"),
        (dict(extents=((0, 2), (3, 2))), "does not fit"),
        (dict(extents=((0, 2), (-1, 2))), "does not fit"),
        (dict(extents=((0, 2),)), "hold 2 elements"),  # a hole
        (dict(extents=((0, 2), (1, 2), (2, 1)), full_shape=(5,)), "overlap"),
        (dict(full_shape=(2**50,)), "hold 4 elements"),  # no huge allocation
        (dict(shapes=[[2], [1]]), "extents"),
    ],
)
def test_crafted_inconsistent_slices(tmp_path, kwargs, phrase):
    entries, data = _sliced(**kwargs)
    msg = _crafted_error(tmp_path, entries, data)
    assert phrase in msg


def test_directories_in_place_of_files(tmp_path):
    (tmp_path / "a.index").mkdir()
    with pytest.raises(errors.DataLossError, match="Unable to open table file .*Is a directory"):
        BundleReader(str(tmp_path / "a"))
    prefix = str(tmp_path / "b")
    with BundleWriter(prefix) as w:
        w.add("v", np.ones(2, np.float32))
    os.unlink(data_filename(prefix))
    os.mkdir(data_filename(prefix))
    with BundleReader(prefix) as reader, pytest.raises(errors.FailedPreconditionError):
        reader.read("v")


def test_merge_rejects_a_corrupt_entry(tmp_path):
    from tfgraph.io.bundle import merge_bundles

    src = str(tmp_path / "src")
    craft(src, {})
    with open(index_filename(src), "wb") as f:  # an entry protobuf cannot parse
        table = TableWriter(f)
        table.add(b"", proto.BundleHeaderProto(num_shards=1).SerializeToString())
        table.add(b"v", b"\xff\xff\xff")
        table.finish()
    with pytest.raises(errors.DataLossError, match="cannot parse the entry"):
        merge_bundles([src], str(tmp_path / "dst"))
