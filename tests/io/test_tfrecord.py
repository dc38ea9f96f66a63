"""TFRecord framing (spec section 3.1) and TF event files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.golden import golden
from tests.tfrun import requires_tf, run_tf, run_tf_json
from tfgraph import errors, proto
from tfgraph.io.tfrecord import TFRecordWriter, encode_record, tf_record_iterator, write_records

VECTOR_PAYLOAD = bytes.fromhex("0900000040fc54d9411a0d") + b"brain.Event:2"


def test_spec_vector():
    framed = encode_record(VECTOR_PAYLOAD)
    assert framed[:12].hex(" ") == "18 00 00 00 00 00 00 00 a3 7f 4b 22"
    assert framed[12:-4] == VECTOR_PAYLOAD
    assert framed[-4:].hex(" ") == "ec ed 8f 9d"
    assert encode_record(b"x" * 62)[8:12].hex(" ") == "d9 d2 40 e7"


def test_write_and_read(tmp_path):
    path = tmp_path / "r.tfrecord"
    records = [b"", b"a", b"\x00" * 1000, bytes(range(256)) * 300]
    with TFRecordWriter(path) as w:
        for r in records:
            w.write(r)
    assert list(tf_record_iterator(path)) == records
    with TFRecordWriter(path, append=True) as w:
        w.write(b"more")
    assert list(tf_record_iterator(path)) == [*records, b"more"]
    write_records(tmp_path / "atomic", records)
    assert list(tf_record_iterator(tmp_path / "atomic")) == records
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atomic", "r.tfrecord"]


def test_empty_file(tmp_path):
    (tmp_path / "e").write_bytes(b"")
    assert list(tf_record_iterator(tmp_path / "e")) == []


def test_missing_file(tmp_path):
    with pytest.raises(errors.NotFoundError):
        list(tf_record_iterator(tmp_path / "nope"))


def test_golden_event_file():
    path = next(golden("tf", "events").glob("events.out.tfevents.*"))
    events = [proto.Event.FromString(r) for r in tf_record_iterator(path)]
    first = events[0]
    assert first.file_version == "brain.Event:2"
    assert first.source_metadata.writer == "tensorflow.core.util.events_writer"
    assert first.wall_time == int(first.wall_time)
    assert [e.WhichOneof("what") for e in events] == [
        "file_version", "graph_def", "meta_graph_def", "summary", "summary", "summary"
    ]  # fmt: skip
    graph = proto.GraphDef.FromString(events[1].graph_def)
    assert "v/Assign" in {n.name for n in graph.node}
    meta = proto.MetaGraphDef.FromString(events[2].meta_graph_def)
    assert meta.graph_def.versions.producer == 2474
    scalars = [(e.step, v.tag, v.simple_value) for e in events[3:] for v in e.summary.value]
    assert scalars == [(0, "loss", 18.0), (1, "loss", 18.0), (2, "loss", 18.0)]
    # Our writer frames the same payloads into the same bytes.
    assert b"".join(encode_record(r) for r in tf_record_iterator(path)) == path.read_bytes()


def _corrupt(src: Path, dst: Path, offset: int) -> Path:
    data = bytearray(src.read_bytes())
    data[offset] ^= 0x01
    dst.write_bytes(bytes(data))
    return dst


@pytest.fixture()
def three(tmp_path):
    path = tmp_path / "three"
    write_records(path, [b"first", b"second!", b"third"])
    return path


def test_corrupt_payload_names_file_and_offset(three, tmp_path):
    second = 12 + 5 + 4  # start of the second record
    bad = _corrupt(three, tmp_path / "bad", second + 12 + 2)
    it = tf_record_iterator(bad)
    assert next(it) == b"first"
    with pytest.raises(errors.DataLossError, match=rf"bad: corrupted record at {second + 12}"):
        next(it)


def test_corrupt_length(three, tmp_path):
    bad = _corrupt(three, tmp_path / "bad", 0)
    with pytest.raises(errors.DataLossError, match=r"corrupted record at 0 \(length checksum"):
        list(tf_record_iterator(bad))
    bad = _corrupt(three, tmp_path / "bad2", 9)  # the stored length crc
    with pytest.raises(errors.DataLossError, match="length checksum"):
        list(tf_record_iterator(bad))


def test_truncated_record(three, tmp_path):
    data = three.read_bytes()
    last = len(data) - (12 + 5 + 4)
    for cut in (1, 4, 10, 20):
        (tmp_path / "t").write_bytes(data[:-cut])
        it = tf_record_iterator(tmp_path / "t")
        assert [next(it), next(it)] == [b"first", b"second!"]
        with pytest.raises(errors.DataLossError, match=rf"t: truncated record at {last}"):
            next(it)


def test_no_crc_check(three, tmp_path):
    bad = _corrupt(three, tmp_path / "bad", 12 + 1)
    assert next(tf_record_iterator(bad, check_crc=False)) == b"fhrst"


@pytest.mark.tf
@requires_tf
def test_interop_with_tf(tmp_path):
    ours, theirs = tmp_path / "ours.tfrecord", tmp_path / "theirs.tfrecord"
    records = [b"", b"hello", bytes(range(256)) * 40]
    write_records(ours, records)
    event = proto.Event(wall_time=1.5, step=3)
    event.summary.value.add(tag="loss", simple_value=0.5)
    with TFRecordWriter(ours, append=True) as w:
        w.write(event.SerializeToString())
    out = run_tf_json(
        textwrap.dedent(
            f"""
            import json
            from tensorflow.core.util import event_pb2
            got = list(tf.io.tf_record_iterator({str(ours)!r}))
            e = event_pb2.Event.FromString(got[-1])
            with tf.io.TFRecordWriter({str(theirs)!r}) as w:
                for r in [b"x", b"", b"\\xff" * 5000]:
                    w.write(r)
            print(json.dumps({{"records": [r.hex() for r in got[:-1]],
                               "event": [e.step, e.summary.value[0].tag,
                                         e.summary.value[0].simple_value]}}))
            """
        )
    )
    assert out["records"] == [r.hex() for r in records]
    assert out["event"] == [3, "loss", 0.5]
    assert list(tf_record_iterator(theirs)) == [b"x", b"", b"\xff" * 5000]


def test_huge_corrupt_length_without_crc_check(three, tmp_path):
    data = bytearray(three.read_bytes())
    data[7] = 0x7F  # length ~ 2**62
    (tmp_path / "h").write_bytes(bytes(data))
    with pytest.raises(errors.DataLossError, match="truncated record at 0"):
        list(tf_record_iterator(tmp_path / "h", check_crc=False))


@pytest.mark.tf
@requires_tf
def test_truncated_last_record_matches_tf(tmp_path):
    """TF yields the complete records, then raises DataLossError "truncated record at
    N" (tf_record_iterator and summary_iterator alike); so do we."""
    path = tmp_path / "cut.tfrecord"
    write_records(path, [b"rec0" * 5, b"rec1" * 5, b"rec2" * 5])
    full = path.read_bytes()
    for cut in (1, 12, 13, 20):
        path.write_bytes(full[:-cut])
        theirs = run_tf_json(
            textwrap.dedent(
                f"""
                got, err = [], None
                try:
                    for r in tf.python_io.tf_record_iterator({str(path)!r}):
                        got.append(r.hex())
                except Exception as e:
                    err = [type(e).__name__, str(e)]
                print(json.dumps({{"got": got, "err": err}}))
                """
            )
        )
        ours, err = [], None
        try:
            for r in tf_record_iterator(path):
                ours.append(r.hex())
        except errors.OpError as e:
            err = [type(e).__name__, e.message]
        assert ours == theirs["got"]
        assert err[0] == theirs["err"][0] == "DataLossError"
        assert "truncated record at 72" in err[1] and "truncated record at 72" in theirs["err"][1]


# -- compressed files (TFRecordOptions: GZIP, ZLIB) ----------------------------------------
@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_compressed_files_round_trip(tmp_path, kind):
    import tfgraph as tf

    path = tmp_path / f"r.{kind}"
    records = [b"a", b"", b"x" * 10000]
    with tf.io.TFRecordWriter(str(path), options=tf.io.TFRecordOptions(kind)) as w:
        for r in records:
            w.write(r)
    raw = path.read_bytes()
    assert raw[:2] == (b"\x1f\x8b" if kind == "GZIP" else b"\x78\x9c")
    assert list(tf.io.tf_record_iterator(str(path), options=kind)) == records
    typed = getattr(tf.python_io.TFRecordCompressionType, kind)
    assert list(tf.python_io.tf_record_iterator(str(path), typed)) == records
    with pytest.raises(tf.errors.DataLossError):
        list(tf.io.tf_record_iterator(str(path), options="GZIP" if kind == "ZLIB" else "ZLIB"))


def test_queue_reader_and_dataset_read_compressed_files(tmp_path):
    import tfgraph as tf

    path = str(tmp_path / "c.tfr.gz")
    with tf.io.TFRecordWriter(path, "GZIP") as w:
        for r in (b"one", b"two"):
            w.write(r)
    queue = tf.train.string_input_producer([path], num_epochs=1, shuffle=False)
    reader = tf.TFRecordReader(options=tf.io.TFRecordOptions(tf.io.TFRecordCompressionType.GZIP))
    _, value = reader.read(queue)
    ds = tf.data.TFRecordDataset([path], compression_type="GZIP")
    nxt = tf.data.make_one_shot_iterator(ds).get_next()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert [sess.run(value), sess.run(value)] == [b"one", b"two"]
        assert [sess.run(nxt), sess.run(nxt)] == [b"one", b"two"]
        coord.request_stop()
        coord.join(threads)


def test_bad_compression_type_is_a_value_error():
    import tfgraph as tf

    with pytest.raises(ValueError, match='Not a valid compression_type: "BZ2"'):
        tf.io.TFRecordOptions("BZ2")


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_compressed_files_cross_read_with_tensorflow(tmp_path, kind):
    from tfgraph.io.tfrecord import TFRecordWriter as Writer

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    with Writer(ours, options=kind) as w:
        for r in (b"x", b"", b"y" * 3000):
            w.write(r)
    out = run_tf(
        textwrap.dedent(
            f"""
            got = list(tf.io.tf_record_iterator({str(ours)!r}, {kind!r}))
            with tf.io.TFRecordWriter({str(theirs)!r}, {kind!r}) as w:
                for r in (b"p", b"q" * 100):
                    w.write(r)
            print(json.dumps([g.decode() for g in got]))
            """
        )
    )
    assert json.loads(out) == ["x", "", "y" * 3000]
    assert list(tf_record_iterator(theirs, kind)) == [b"p", b"q" * 100]
