"""Variant tensors in checkpoint bundles, in TF's layout: tfgraph reads the iterator
state TF writes and writes the same bytes back (entry size and checksum equal)."""

from __future__ import annotations

import pytest

from tests.tfrun import run_tf
from tfgraph import errors, proto
from tfgraph.io.bundle import BundleReader, BundleWriter


def test_round_trip(tmp_path):
    items = [proto.VariantTensorDataProto(type_name="t", metadata=b"m" * n) for n in (0, 5, 300)]
    w = BundleWriter(str(tmp_path / "c"))
    w.add("v", items, "variant")
    w.finish()
    r = BundleReader(str(tmp_path / "c"))
    got = r.read("v")
    assert r.dtype("v").name == "variant" and r.shape("v") == [3]
    assert [g.metadata for g in got] == [i.metadata for i in items]


def test_rejects_other_values(tmp_path):
    w = BundleWriter(str(tmp_path / "c"))
    with pytest.raises(TypeError, match="VariantTensorDataProto"):
        w.add("v", [1.5], "variant")


def test_corrupt_element_detected(tmp_path):
    w = BundleWriter(str(tmp_path / "c"))
    w.add("v", [proto.VariantTensorDataProto(type_name="abc")], "variant")
    w.finish()
    data = tmp_path / "c.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[3] ^= 1
    data.write_bytes(bytes(raw))
    with pytest.raises(errors.DataLossError):
        BundleReader(str(tmp_path / "c")).read("v")


def test_reads_and_rewrites_tfs_iterator_state(tmp_path):
    prefix = str(tmp_path / "m")
    run_tf(
        f"""
it = tf.data.make_initializable_iterator(tf.data.Dataset.range(10).shuffle(4, seed=1).batch(2))
n = it.get_next()
tf.add_to_collection(tf.GraphKeys.SAVEABLE_OBJECTS,
                     tf.data.experimental.make_saveable_from_iterator(it))
saver = tf.train.Saver()
with tf.Session() as s:
    s.run(it.initializer)
    s.run(n)
    saver.save(s, {prefix!r})
"""
    )
    r = BundleReader(prefix)
    state = r.read("IteratorV2:0_STATE")
    assert state.size > 1 and all(s.type_name == "tensorflow::Iterator" for s in state)
    w = BundleWriter(str(tmp_path / "again"))
    w.add("IteratorV2:0_STATE", state, "variant")
    w.finish()
    mine = BundleReader(str(tmp_path / "again")).entry("IteratorV2:0_STATE")
    theirs = r.entry("IteratorV2:0_STATE")
    assert (mine.size, mine.crc32c) == (theirs.size, theirs.crc32c)
