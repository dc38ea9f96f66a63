"""Readers (TextLineReader, TFRecordReader, WholeFileReader, FixedLengthRecordReader)
and ReadFile/WriteFile, on files both tfgraph and TensorFlow read."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

READER_PROGRAM = """
import os
d = DIRECTORY
with open(d + "/a.txt", "w", newline="") as f:
    f.write("h1\\nx,1\\ny,2\\r\\n\\nlast")
open(d + "/b.bin", "wb").write(bytes(range(10)))
with tf.io.TFRecordWriter(d + "/c.tfr") as w:
    w.write(b"r1")
    w.write(b"rec2")
def short(key):
    return key.decode().replace(d, "D")
q = tf.train.string_input_producer([d + "/a.txt"], num_epochs=1, shuffle=False)
r = tf.TextLineReader(skip_header_lines=1)
k, v = r.read(q)
q2 = tf.train.string_input_producer([d + "/b.bin", d + "/b.bin"], num_epochs=1, shuffle=False)
fr = tf.FixedLengthRecordReader(record_bytes=3, header_bytes=1, footer_bytes=0)
fk, fv = fr.read_up_to(q2, 5)
q3 = tf.FIFOQueue(5, tf.string)
tr = tf.TFRecordReader()
tk, tv = tr.read(q3)
wr = tf.WholeFileReader()
wk, wv = wr.read(q3)
result = {"types": [r.reader_ref.op.type, k.op.type, fk.op.type, tr.reader_ref.op.name,
                    wr.reader_ref.op.name, str(fk.shape), str(k.shape)]}
with tf.Session() as s:
    s.run(tf.local_variables_initializer())
    coord = tf.train.Coordinator()
    th = tf.train.start_queue_runners(s, coord)
    out = []
    try:
        while True:
            key, value = s.run([k, v])
            out.append([short(key), value.decode()])
    except tf.errors.OutOfRangeError as e:
        lines = [ln for ln in e.message.splitlines() if ln and "[[{{node" not in ln]
        result["err"] = lines[-1].split("'")[2]
    result["lines"] = out
    result["nrp"] = s.run(r.num_records_produced())
    result["nwu"] = s.run(r.num_work_units_completed())
    out = []
    try:
        while True:
            keys, values = s.run([fk, fv])
            out.append([[short(x) for x in keys], [list(x) for x in values]])
    except tf.errors.OutOfRangeError:
        pass
    result["fixed"] = out
    s.run(q3.enqueue_many([[d + "/c.tfr", d + "/c.tfr"]]))
    result["tfr"] = [[short(a), b.decode()] for a, b in [s.run([tk, tv]), s.run([tk, tv])]]
    key, value = s.run([wk, wv])
    result["whole"] = [short(key), list(value)]
    s.run(tr.reset())
    result["after_reset"] = s.run(tr.num_records_produced())
    result["read_file"] = s.run(tf.read_file(d + "/b.bin")).hex()
    s.run(tf.write_file(d + "/sub/w.txt", "written"))
    result["write_file"] = open(d + "/sub/w.txt").read()
    try:
        s.run(tf.read_file(d + "/missing"))
    except tf.errors.NotFoundError as e:
        result["missing"] = "No such file or directory" in e.message
    coord.request_stop()
    coord.join(th, stop_grace_period_secs=5)
"""


def _program(path):
    return READER_PROGRAM.replace("DIRECTORY", repr(str(path)))


@pytest.mark.tf
@requires_tf
def test_readers_match_tf(tmp_path):
    here, theirs = run_both(_program(tmp_path))
    assert here == theirs


def test_readers(tmp_path):
    r = run_here(_program(tmp_path))
    assert r["lines"] == [
        ["D/a.txt:2", "x,1"],
        ["D/a.txt:3", "y,2"],
        ["D/a.txt:4", ""],
        ["D/a.txt:5", "last"],
    ]
    assert r["err"] == " is closed and has insufficient elements (requested 1, current size 0)"
    assert r["tfr"] == [["D/c.tfr:0", "r1"], ["D/c.tfr:18", "rec2"]]
    assert r["fixed"][0] == [
        ["D/b.bin:0", "D/b.bin:1", "D/b.bin:2"],
        [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    ]
    assert r["nrp"] == 4 and r["nwu"] == 1 and r["after_reset"] == 0
    assert r["write_file"] == "written" and r["missing"]


LMDB_GRAPH = """
queue = tf.FIFOQueue(10, tf.string)
reader = tf.LMDBReader(name="lmdb")
key, value = reader.read(queue)
keys, values = reader.read_up_to(queue, 150)
produced = reader.num_records_produced()
completed = reader.num_work_units_completed()
reset = reader.reset()
out = {"ops": [[op.name, op.type, [i.name for i in op.inputs]]
               for op in tf.get_default_graph().get_operations()],
       "ref": [str(reader.reader_ref.dtype), str(reader.reader_ref.shape)],
       "shapes": [str(key.shape), str(keys.shape), str(produced.shape)]}
"""


def _lmdb_graph() -> dict:
    import tfgraph as tf

    scope = {"tf": tf}
    exec(LMDB_GRAPH, scope)
    return scope["out"]


@pytest.mark.tf
@requires_tf
def test_lmdb_reader_graph_matches_tensorflow():
    # (TF 2.21 builds the same graph but its LMDBReader kernel is gone: running it
    # raises UnimplementedError "LMDB support is removed from TensorFlow")
    from tests.tfrun import run_tf_json

    assert _lmdb_graph() == run_tf_json(LMDB_GRAPH + "\nprint(json.dumps(out))")


def test_lmdb_reader_reads_every_file_in_key_order():
    import tfgraph as tf
    from tests.io.test_lmdb import DATA, expected_records

    files = [str(DATA / "small.mdb"), str(DATA / "records.mdb")]
    queue = tf.FIFOQueue(10, tf.string)
    reader = tf.LMDBReader()
    key, value = reader.read(queue)
    keys, values = reader.read_up_to(queue, 150)
    counts = [reader.num_records_produced(), reader.num_work_units_completed()]
    with tf.Session() as sess:
        sess.run(queue.enqueue_many([files]))
        sess.run(queue.close())
        got = [tuple(sess.run([key, value])) for _ in range(4)]
        assert sess.run(counts) == [4, 1]
        while True:
            try:
                ks, vs = sess.run([keys, values])
            except tf.errors.OutOfRangeError:
                break
            got.extend(zip(ks.tolist(), vs.tolist()))
        assert sess.run(counts) == [404, 2]
        sess.run(reader.reset())
        assert sess.run(counts) == [0, 0]
    assert got == [(b"a", b"one"), (b"b", b"two"), (b"c", b""), *expected_records()]


def test_lmdb_reader_errors_name_the_file(tmp_path):
    import tfgraph as tf

    (tmp_path / "x.mdb").write_bytes(b"not lmdb" * 1000)
    for path, phrase in (
        (tmp_path / "none.mdb", "No such file"),
        (tmp_path / "x.mdb", "MDB_INVALID"),
    ):
        tf.reset_default_graph()
        queue = tf.FIFOQueue(2, tf.string)
        key, _ = tf.LMDBReader().read(queue)
        with tf.Session() as sess:
            sess.run(queue.enqueue([str(path)]))
            with pytest.raises(tf.errors.InvalidArgumentError, match=phrase):
                sess.run(key)


def test_a_fetched_lmdb_reader_handle_is_its_container_and_name():
    import tfgraph as tf

    reader = tf.LMDBReader(name="lmdb")
    with tf.Session() as sess:
        assert sess.run(reader.reader_ref).tolist() == [b"localhost", b"lmdb"]
