"""Fuzzing the checkpoint reader: mutated, truncated and hand-crafted bundles.

Every read must either return exactly the tensors that were saved or raise one of
TensorFlow's error classes (`errors.OpError` subclasses) - never a bare Python/numpy
exception, a MemoryError from a declared size, or silently different values.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfgraph as tf
from tests.io.craft import craft, entry_proto, slice_key
from tfgraph import errors
from tfgraph.io.bundle import BundleReader, BundleWriter, data_filename, index_filename
from tfgraph.training.checkpoint_utils import NewCheckpointReader

FUZZ = settings(
    derandomize=True,
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _snapshot(prefix):
    """{key: (dtype name, value list)} of everything readable, or the OpError raised."""
    with BundleReader(prefix) as reader:
        out = {}
        keys = reader.keys()
        for key, value in zip(keys, reader.read_many(keys)):  # RestoreV2's path
            np.testing.assert_array_equal(reader.read(key), value)
            out[key] = (reader.dtype(key).name, value.shape, value.tolist())
        return out


def _read_everything(prefix):
    """Reads the bundle through BundleReader and NewCheckpointReader; returns the
    tensors, or None when a TF error was raised (any other exception propagates)."""
    try:
        values = _snapshot(prefix)
        reader = NewCheckpointReader(prefix)
        try:
            reader.get_variable_to_shape_map()
            reader.get_variable_to_dtype_map()
            reader.debug_string()
            for key in reader.get_variable_to_shape_map():
                reader.get_tensor(key)
        finally:
            reader.close()
        return values
    except errors.OpError:
        return None


def _model():
    """The variables of the fuzzed checkpoint (in the default graph); returns them."""
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    step = tf.Variable(np.array([7, -8], dtype=np.int64), name="step")
    words = tf.Variable(np.array([b"ab", b"", b"xyz"], dtype=object), name="words")
    part = tf.get_variable(
        "part",
        shape=[5, 2],
        initializer=tf.random_uniform_initializer(seed=1),
        dtype=tf.float64,
        partitioner=tf.fixed_size_partitioner(2),
    )
    return w, step, words, part


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A checkpoint written by a Saver (plain, string and partitioned variables)."""
    base = tmp_path_factory.mktemp("fuzz_saver")
    tf.reset_default_graph()
    _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(base / "model"))
    tf.reset_default_graph()
    with open(index_filename(prefix), "rb") as f, open(data_filename(prefix), "rb") as g:
        files = {"index": f.read(), "data": g.read()}
    expected = _snapshot(prefix)
    assert set(expected) == {"w", "step", "words", "part"}
    return files, expected


def _write(dirname, files):
    prefix = os.path.join(dirname, "model")
    with open(index_filename(prefix), "wb") as f:
        f.write(files["index"])
    with open(data_filename(prefix), "wb") as f:
        f.write(files["data"])
    return prefix


def _mutations(which):
    return st.tuples(
        st.just(which),
        st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), min_size=1, max_size=4),
    )


@settings(FUZZ)
@given(mutation=st.one_of(_mutations("index"), _mutations("data")))
def test_mutated_bytes(saved, mutation):
    files, expected = saved
    which, flips = mutation
    data = bytearray(files[which])
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    mutated = dict(files, **{which: bytes(data)})
    with tempfile.TemporaryDirectory() as d:
        got = _read_everything(_write(d, mutated))
    if got is not None:  # only undetectable changes (e.g. footer padding) may pass
        assert got == expected


@pytest.fixture(scope="module")
def restorer():
    """A session over a fresh copy of the model, and a Saver restoring into it."""
    graph = tf.Graph()
    with graph.as_default():
        w, step, words, part = _model()
        saver = tf.train.Saver()
        fetches = [w, step, words, tf.convert_to_tensor(part)]
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    yield sess, saver, fetches, init
    sess.close()


@settings(FUZZ, max_examples=100)
@given(
    which=st.sampled_from(["index", "data"]),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), max_size=3),
    keep=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
def test_saver_restore_of_damaged_checkpoint(saved, restorer, which, flips, keep):
    """Saver.restore either restores exactly the saved values or raises an OpError."""
    files, expected = saved
    sess, saver, fetches, init = restorer
    data = bytearray(files[which])
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    if keep is not None:
        data = data[: keep % len(files[which])]
    sess.run(init)
    with tempfile.TemporaryDirectory() as d:
        prefix = _write(d, dict(files, **{which: bytes(data)}))
        try:
            saver.restore(sess, prefix)
        except errors.OpError:
            return
    w, step, words, part = sess.run(fetches)
    assert w.tolist() == expected["w"][2] and step.tolist() == expected["step"][2]
    assert words.tolist() == expected["words"][2] and part.tolist() == expected["part"][2]


@settings(FUZZ)
@given(which=st.sampled_from(["index", "data"]), keep=st.integers(0, 1 << 20))
def test_truncated(saved, which, keep):
    files, expected = saved
    n = keep % len(files[which])  # strictly shorter
    with tempfile.TemporaryDirectory() as d:
        got = _read_everything(_write(d, dict(files, **{which: files[which][:n]})))
    if got is not None:
        assert got == expected


_WILD = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 1, 4, 8, 63, 64, 65, 2**31, 2**32, 2**42, 2**62, 2**63 - 1, -1]),
    st.integers(0, 80),
)
_DTYPES = st.one_of(
    st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 14, 17, 18, 19, 20, 21, 22, 23, 101]),
    st.integers(-5, 400),
)
_DIMS = st.lists(
    st.one_of(st.integers(0, 5), st.sampled_from([-1, 2**20, 2**40, 2**62])), max_size=3
)


@st.composite
def _entry(draw, key=b"v"):
    dtype = draw(_DTYPES)
    shape = draw(_DIMS)
    entries = {}
    slices = []
    if shape and draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            extents = [
                (draw(st.integers(-2, 6)), draw(st.sampled_from([-1, 0, 1, 2, 3, 2**40])))
                for _ in range(draw(st.sampled_from([len(shape), len(shape), 1])))
            ]
            slices.append(extents)
            part = entry_proto(
                dtype=draw(st.one_of(st.just(dtype), _DTYPES)),
                shape=draw(st.one_of(st.just([n for _, n in extents]), _DIMS)),
                offset=draw(_WILD),
                size=draw(_WILD),
                crc=draw(st.integers(0, 2**32 - 1)),
                shard_id=draw(st.sampled_from([0, 0, 0, 1, -1])),
            )
            entries[slice_key(key, extents)] = part
    entries[key] = entry_proto(
        dtype=dtype,
        shape=shape,
        offset=draw(_WILD),
        size=draw(_WILD),
        crc=draw(st.integers(0, 2**32 - 1)),
        shard_id=draw(st.sampled_from([0, 0, 0, 1, 7])),
        slices=slices,
    )
    return entries


@settings(FUZZ)
@given(entries=_entry(), data=st.binary(max_size=80))
def test_crafted_entries(entries, data):
    with tempfile.TemporaryDirectory() as d:
        prefix = os.path.join(d, "crafted")
        craft(prefix, entries, data)
        got = _read_everything(prefix)
    if got is not None:  # readable: the stored checksum must have matched the bytes
        assert set(got) == {"v"}


def test_writer_round_trip_after_fuzz(tmp_path):
    """The module's writer still produces readable bundles (sanity for the fixtures)."""
    prefix = str(tmp_path / "m")
    with BundleWriter(prefix) as w:
        w.add("a", np.ones([2], np.float32))
    assert _snapshot(prefix) == {"a": ("float32", (2,), [1.0, 1.0])}
    shutil.rmtree(tmp_path)


def _table_with_index_block(contents: bytes) -> bytes:
    """An sstable whose index block holds `contents` (with a valid checksum)."""
    import struct

    from tfgraph.io.crc32c import crc32c, mask
    from tfgraph.io.sstable import MAGIC, encode_varint

    def block(raw):
        trailer = b"\x00"
        return raw + trailer + struct.pack("<I", mask(crc32c(trailer, crc32c(raw))))

    meta = b"\x00\x00\x00\x00" + struct.pack("<I", 1)  # one restart at 0, no entries
    out = block(meta) + block(contents)
    handles = encode_varint(0) + encode_varint(len(meta))
    handles += encode_varint(len(meta) + 5) + encode_varint(len(contents))
    return out + handles.ljust(40, b"\x00") + struct.pack("<Q", MAGIC)


@st.composite
def _block_contents(draw):
    """Raw bytes, or entries-like bytes followed by a plausible restart array."""
    import struct

    body = draw(st.binary(max_size=64))
    if draw(st.booleans()):
        return body
    restarts = draw(st.lists(st.integers(0, len(body) + 3), min_size=0, max_size=4))
    count = draw(st.one_of(st.just(len(restarts)), st.integers(0, 2**32 - 1)))
    return body + struct.pack(f"<{len(restarts)}I", *restarts) + struct.pack("<I", count)


@settings(FUZZ)
@given(contents=_block_contents(), key=st.binary(max_size=8))
def test_crafted_index_block_contents(contents, key):
    """Block contents with a valid checksum but arbitrary structure (restart array,
    varints, shared prefixes, block handles) fail only with DataLossError."""
    from tfgraph.io.sstable import TableReader

    try:
        table = TableReader(_table_with_index_block(contents), "crafted")
        table.get(key)
        list(table.items())
    except errors.DataLossError:
        pass
