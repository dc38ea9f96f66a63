"""DecodeCSV and DecodeRaw, compared with TensorFlow."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

CSV_PROGRAM = """
def run(t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln and "[[{{node" not in ln]
        return [type(e).__name__, lines[-1]]
result = {}
with tf.Session() as s:
    r = tf.decode_csv(["1,2.5,a", ",,", '3,"4",b'], [[0], [1.0], ["z"]])
    result["names"] = [t.name for t in r] + [str(t.shape) for t in r]
    result["basic"] = run(r)
    result["delim"] = run(tf.decode_csv(tf.constant([["1;2"], ["3;4"]]),
                                        [tf.constant([], tf.int64), [7.0]], field_delim=";"))
    result["count"] = run(tf.decode_csv(["1,2"], [[0], [0], [0]]))
    result["required"] = run(tf.decode_csv([","], [tf.constant([], tf.int32), [0]]))
    result["bad_int"] = run(tf.decode_csv(["a,1"], [[0], [0]]))
    result["bad_float"] = run(tf.decode_csv(["1,x"], [[0], [0.0]]))
    result["bad_double"] = run(tf.decode_csv(["1,x"], [[0], tf.constant([0.0], tf.float64)]))
    result["na"] = run(tf.decode_csv(["1,NA"], [[0], [0.0]], na_value="NA"))
    result["select"] = run(tf.decode_csv(["1,2,3"], [[0], [0.0]], select_cols=[0, 2]))
    result["quote1"] = run(tf.decode_csv(['"a"b,1'], [[""], [0]]))
    result["quote2"] = run(tf.decode_csv(['a"b,1'], [[""], [0]]))
    result["noquote"] = run(tf.decode_csv(['a"b,1'], [[""], [0]], use_quote_delim=False))
    result["escaped"] = run(tf.decode_csv(['"a""b,c",1'], [[""], [0]]))
    result["range"] = run(tf.decode_csv(["99999999999,1"], [[0], [0]]))
    result["frac"] = run(tf.decode_csv(["1.5,1"], [[0], [0]]))
    result["spaces"] = run(tf.decode_csv([" 1 , 2.5 "], [[0], [0.0]]))
    result["raw"] = run(tf.decode_raw(tf.constant(["abcd", "efgh"]), tf.int16))
    result["raw_big"] = run(tf.decode_raw(tf.constant(["abcd"]), tf.int16, little_endian=False))
    result["raw_sizes"] = run(tf.decode_raw(tf.constant(["abcd", "efg"]), tf.int16))
    result["raw_multiple"] = run(tf.decode_raw(tf.constant(["abc"]), tf.int16))
    result["raw_u8"] = run(tf.decode_raw(tf.constant("abcd"), tf.uint8))
    result["raw_shape"] = str(tf.decode_raw(tf.constant(["ab"]), tf.uint8).shape)
"""


@pytest.mark.tf
@requires_tf
def test_decode_csv_and_decode_raw_match_tf():
    here, theirs = run_both(CSV_PROGRAM)
    assert here == theirs


def test_decode_csv_and_decode_raw():
    r = run_here(CSV_PROGRAM)
    assert r["basic"] == [[1, 0, 3], [2.5, 1.0, 4.0], ["a", "z", "b"]]
    assert r["count"] == ["InvalidArgumentError", "Expect 3 fields but have 2 in record 0"]
    assert r["required"] == [
        "InvalidArgumentError",
        "Field 0 is required but missing in record 0!",
    ]
    assert r["bad_float"] == [
        "InvalidArgumentError",
        "Field 1 in record 0 is not a valid float: x",
    ]
    assert r["escaped"] == [['a"b,c'], [1]]
    assert r["raw"] == [[25185, 25699], [26213, 26727]]


def test_decode_csv_default_shape_is_checked_when_building():
    with pytest.raises(ValueError, match="Shape of a default must be a length-0 or length-1"):
        tf.decode_csv(["1"], [[0, 1]])


EXAMPLE_PROGRAM = """
def ex(a, b, c):
    f = {}
    if a is not None:
        f["a"] = tf.train.Feature(int64_list=tf.train.Int64List(value=a))
    if b is not None:
        f["b"] = tf.train.Feature(float_list=tf.train.FloatList(value=b))
    if c is not None:
        f["c"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=c))
    return tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString()
def run(t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln and "[[{{node" not in ln]
        return [type(e).__name__, lines[-1]]
def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tf.SparseTensorValue):
        return {"indices": value.indices, "values": value.values, "shape": value.dense_shape}
    return value
s1 = [ex([1], [1., 2.], [b"x"]), ex([2], [3., 4.], [b"y", b"z"]), ex(None, [5., 6.], [])]
feats = {"a": tf.FixedLenFeature([], tf.int64, default_value=-1),
         "b": tf.FixedLenFeature([2], tf.float32), "c": tf.VarLenFeature(tf.string)}
p = tf.parse_example(s1, feats)
ps = tf.parse_single_example(s1[1], feats)
seq = tf.parse_example([ex([1, 2, 3], None, None), ex([4], None, None)],
                       {"a": tf.FixedLenSequenceFeature([], tf.int64, allow_missing=True)})
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(p["a"].shape), str(p["b"].shape), str(p["c"].indices.shape),
               str(ps["a"].shape), str(ps["c"].dense_shape.shape), str(seq["a"].shape)],
}
path = DIRECTORY + "/examples.tfrecord"
with tf.io.TFRecordWriter(path) as w:
    for record in s1[:2]:
        w.write(record)
with tf.Session() as s:
    result["batch"] = plain(s.run(p))
    result["single"] = plain(s.run(ps))
    result["seq"] = s.run(seq)
    result["missing"] = run(tf.parse_example([ex(None, None, None)],
                                             {"b": tf.FixedLenFeature([2], tf.float32)}))
    result["count"] = run(tf.parse_example([ex([1, 2], None, None)],
                                           {"a": tf.FixedLenFeature([], tf.int64)}))
    result["type"] = run(tf.parse_example([ex(None, [1.], None)],
                                          {"b": tf.FixedLenFeature([], tf.int64)}))
    result["garbage"] = run(tf.parse_example(["garbage"], {"b": tf.FixedLenFeature([], tf.int64)}))
    result["named"] = run(tf.parse_example([ex(None, None, None)],
                                           {"b": tf.FixedLenFeature([1], tf.float32)},
                                           example_names=["first"]))
    # TFRecords of Examples through a reader
    q = tf.FIFOQueue(2, tf.string)
    s.run(q.enqueue(path))
    s.run(q.close())
    _, record = tf.TFRecordReader().read(q)
    parsed = tf.parse_single_example(record, {"b": tf.FixedLenFeature([2], tf.float32)})
    result["from_file"] = [s.run(parsed["b"]), s.run(parsed["b"])]
"""


def _example_program(path):
    return EXAMPLE_PROGRAM.replace("DIRECTORY", repr(str(path)))


@pytest.mark.tf
@requires_tf
def test_parse_example_matches_tf(tmp_path):
    here, theirs = run_both(_example_program(tmp_path))
    assert here == theirs


def test_parse_example(tmp_path):
    r = run_here(_example_program(tmp_path))
    assert r["batch"]["a"] == [1, 2, -1]
    assert r["batch"]["c"] == {
        "indices": [[0, 0], [1, 0], [1, 1]],
        "values": ["x", "y", "z"],
        "shape": [3, 2],
    }
    assert r["single"]["c"]["shape"] == [2]
    assert r["seq"] == {"a": [[1, 2, 3], [4, 0, 0]]}
    assert r["missing"] == [
        "InvalidArgumentError",
        "Name: <unknown>, Feature: b (data type: float) is required but could not be found.",
    ]
    assert r["named"][1].startswith("Name: first, Feature: b")
    assert r["from_file"] == [[1.0, 2.0], [3.0, 4.0]]


def test_sparse_tensor_fetches_as_a_value():
    st = tf.SparseTensor(indices=[[0, 1], [2, 0]], values=[5, 6], dense_shape=[3, 2])
    assert st.shape.as_list() == [3, 2] and st.dtype == tf.int32
    with tf.Session() as s:
        value = s.run(st)
    assert isinstance(value, tf.SparseTensorValue)
    assert value.indices.tolist() == [[0, 1], [2, 0]] and value.values.tolist() == [5, 6]


def _float_list_bytes(values, packed: bool) -> bytes:
    """A FloatList's wire bytes, packed (one length-delimited field) or not (a tag per
    value): parsers must accept both."""
    import struct

    if packed:
        data = struct.pack(f"<{len(values)}f", *values)
        n, varint = len(data), b""
        while True:
            byte, n = n & 0x7F, n >> 7
            varint += bytes([byte | (0x80 if n else 0)])
            if not n:
                return b"\x0a" + varint + data
    return b"".join(b"\x0d" + struct.pack("<f", v) for v in values)


@pytest.mark.parametrize("packed", [True, False])
@pytest.mark.parametrize("extra", [b"", b"\x10\x07"], ids=["plain", "unknown-field"])
@pytest.mark.parametrize("size", [3, 40])
def test_parsed_floats_equal_the_values_however_encoded(packed, extra, size):
    # (big float features take a fast path through the packed bytes; a FloatList encoded
    # unpacked, or carrying an unknown field, must give the same values)
    import numpy as np

    values = np.linspace(-2.5, 7.0, size).astype(np.float32)
    floats = tf.train.FloatList.FromString(_float_list_bytes(values, packed) + extra)
    example = tf.train.Example()
    example.features.feature["x"].float_list.CopyFrom(floats)
    example.features.feature["y"].float_list.value.extend(values[:2])
    record = example.SerializeToString()
    spec = {
        "x": tf.io.FixedLenFeature([size], tf.float32),
        "y": tf.io.FixedLenFeature([2], tf.float32),
    }
    one = tf.io.parse_single_example(record, spec)
    many = tf.io.parse_example([record, record], spec)
    with tf.Session() as sess:
        got_one, got_many = sess.run([one, many])
    np.testing.assert_array_equal(got_one["x"], values)
    np.testing.assert_array_equal(got_many["x"], np.stack([values, values]))
    np.testing.assert_array_equal(got_one["y"], values[:2])
    assert got_one["x"].flags.writeable and got_one["x"].flags.aligned
