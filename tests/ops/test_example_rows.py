"""Parsing many Examples of one layout at once (ops/example_rows.py): whenever it
answers, the answer is each record's own parse; whenever the records differ in layout
(or use encodings it does not read), it declines and parse_example still parses them."""

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.example_rows import example_rows

FLOAT = (np.dtype(np.float32), "float_list")
INT = (np.dtype(np.int64), "int64_list")
BYTES = (np.dtype(object), "bytes_list")


def _feature(value):
    if isinstance(value, bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))
    value = np.asarray(value)
    if value.dtype.kind == "f":
        return tf.train.Feature(float_list=tf.train.FloatList(value=value.reshape(-1)))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=value.reshape(-1)))


def _example(**features) -> bytes:
    feature = {k: _feature(v) for k, v in features.items()}
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def _one_by_one(serialized, spec):
    with tf.Graph().as_default():
        s = tf.placeholder(tf.string, [])
        parsed = tf.io.parse_single_example(s, spec)
        with tf.Session() as sess:
            rows = [sess.run(parsed, {s: r}) for r in serialized]
    return {k: np.stack([r[k] for r in rows]) for k in spec}


def _batched(serialized, spec):
    with tf.Graph().as_default():
        s = tf.placeholder(tf.string, [None])
        parsed = tf.io.parse_example(s, spec)
        with tf.Session() as sess:
            return sess.run(parsed, {s: serialized})


def _fixed(spec):
    keys = sorted(spec)
    out = []
    for k in keys:
        f = spec[k]
        kind = {tf.float32: FLOAT, tf.int64: INT, tf.string: BYTES}[f.dtype]
        shape = tuple(f.shape)
        out.append((kind[0], kind[1], shape, int(np.prod(shape)) if shape else 1))
    return keys, out


def _ordered(**features) -> bytes:
    """An Example with its map entries in the order given (the serializer sorts them)."""

    def delimited(tag: int, payload: bytes) -> bytes:
        assert len(payload) < 128
        return bytes([tag, len(payload)]) + payload

    entries = b"".join(
        delimited(
            0x0A, delimited(0x0A, k.encode()) + delimited(0x12, _feature(v).SerializeToString())
        )
        for k, v in features.items()
    )
    return delimited(0x0A, entries)


SPEC = {
    "image": tf.io.FixedLenFeature([2, 3], tf.float32),
    "label": tf.io.FixedLenFeature([], tf.int64),
    "id": tf.io.FixedLenFeature([], tf.int64),
    "small": tf.io.FixedLenFeature([4], tf.int64),
    "raw": tf.io.FixedLenFeature([], tf.string),
}


def _records(n, rng, label=lambda i: i % 10, ident=lambda i: -(2**40) - i):
    return [
        _example(
            image=rng.standard_normal((2, 3)).astype(np.float32),
            label=label(i),
            id=ident(i),
            small=rng.randint(0, 128, size=4),
            raw=rng.bytes(5),
        )
        for i in range(n)
    ]


def test_one_layout_is_read_at_once_and_equals_each_parse():
    serialized = _records(17, np.random.RandomState(0))
    keys, fixed = _fixed(SPEC)
    rows = example_rows(serialized, keys, fixed)
    assert rows is not None  # (the fast path answers for these records)
    expected = _one_by_one(serialized, SPEC)
    for k, got in zip(keys, rows):
        assert got.shape == expected[k].shape
        if k == "raw":  # (strings: an object array of bytes, as parse_example's)
            assert got.dtype == object and list(got) == list(expected[k])
        else:
            assert got.dtype == expected[k].dtype
            np.testing.assert_array_equal(got, expected[k])
    got = _batched(serialized, SPEC)
    for k in SPEC:
        np.testing.assert_array_equal(got[k], expected[k])


@pytest.mark.parametrize(
    "records",
    [
        # labels of two byte lengths: records differ in length
        lambda rng: _records(6, rng, label=lambda i: 100 * i),
        # the same length, but a multi-byte label in one record and one-byte elsewhere
        lambda rng: [_example(label=5, pad=b"xy"), _example(label=300, pad=b"x")] * 2,
        # keys written in different orders
        lambda rng: [_ordered(label=1, pad=b"a"), _ordered(pad=b"a", label=2)],
        # an unrequested feature that differs
        lambda rng: [_example(label=1, pad=b"a"), _example(label=2, pad=b"b")],
    ],
    ids=["lengths", "varint_widths", "key_order", "other_feature"],
)
def test_other_layouts_are_declined_and_still_parse(records):
    serialized = records(np.random.RandomState(1))
    spec = {"label": tf.io.FixedLenFeature([], tf.int64)}
    keys, fixed = _fixed(spec)
    assert example_rows(serialized, keys, fixed) is None
    np.testing.assert_array_equal(
        _batched(serialized, spec)["label"], _one_by_one(serialized, spec)["label"]
    )


def test_unpacked_lists_and_unknown_fields_are_declined():
    # FloatList value 1.5 written unpacked (tag 0x0D + fixed32), in a feature "x"
    def unpacked(v):
        float_list = b"\x0d" + np.float32(v).tobytes()
        feature = b"\x12" + bytes([len(float_list)]) + float_list
        entry = b"\x0a\x01x" + b"\x12" + bytes([len(feature)]) + feature
        features = b"\x0a" + bytes([len(entry)]) + entry
        return b"\x0a" + bytes([len(features)]) + features

    spec = {"x": tf.io.FixedLenFeature([], tf.float32)}
    keys, fixed = _fixed(spec)
    serialized = [unpacked(1.5), unpacked(2.5)]
    assert example_rows(serialized, keys, fixed) is None
    np.testing.assert_array_equal(_batched(serialized, spec)["x"], [1.5, 2.5])
    unknown = [r + b"\x10\x01" for r in _records(2, np.random.RandomState(2))]  # field 2
    keys, fixed = _fixed(SPEC)
    assert example_rows(unknown, keys, fixed) is None


def test_missing_or_mistyped_features_fall_back_to_tf_errors_and_defaults():
    serialized = [_example(label=1), _example(label=2)]
    spec = {
        "label": tf.io.FixedLenFeature([], tf.int64),
        "other": tf.io.FixedLenFeature([], tf.int64, default_value=7),
    }
    keys, fixed = _fixed(spec)
    assert example_rows(serialized, keys, fixed) is None
    np.testing.assert_array_equal(_batched(serialized, spec)["other"], [7, 7])
    with pytest.raises(tf.errors.InvalidArgumentError, match="label"):
        _batched(serialized, {"label": tf.io.FixedLenFeature([], tf.float32)})
