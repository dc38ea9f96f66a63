"""Queue runners moving records in groups (client/record_batches.py): which pipelines
group, and that a grouped runner enqueues what the record-by-record one does (values,
order, errors, the records before an error)."""

import os

import numpy as np
import pytest

import tfgraph as tf
from tests.grouped_records import example, flip_byte, grouped_and_single, payload_offset, write
from tfgraph.client import record_batches
from tfgraph.client.record_batches import _row_source, grouped_enqueue
from tfgraph.framework import rows

N = 70  # (not a multiple of the group size)


def _records(n, seed=0):
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(n, 6)).astype(np.float32)
    labels = rng.randint(-300, 300, size=n)
    return images, labels


FEATURES = {
    "image": tf.io.FixedLenFeature([6], tf.float32),
    "label": tf.io.FixedLenFeature([], tf.int64),
}


def _read_parse(files):
    _, record = tf.TFRecordReader().read(files)
    return tf.io.parse_single_example(record, FEATURES)


def _drain(tensors, num_threads=1):
    """All batches (size 8, FIFO, smaller final one) of `tensors` until the input ends."""
    batch = tf.train.batch(
        tensors, batch_size=8, num_threads=num_threads, allow_smaller_final_batch=True
    )
    out = [[] for _ in tensors]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            while True:
                values = sess.run(batch)
                for k, v in enumerate(values if isinstance(values, list) else [values]):
                    out[k].append(v)
        except tf.errors.OutOfRangeError:
            pass
        coord.request_stop()
        coord.join(threads)
    return [np.concatenate(v) for v in out]


@pytest.fixture
def one_file(tmp_path):
    images, labels = _records(N)
    path = write(tmp_path / "a.tfrecord", [example(i, lab) for i, lab in zip(images, labels)])
    return path, images, labels


def _enqueue_op(graph):
    return [op for op in graph.get_operations() if op.type == "QueueEnqueueV2"][-1]


# -- which pipelines group ---------------------------------------------------------------
def test_tutorial_pipelines_group(one_file):
    path = one_file[0]
    with tf.Graph().as_default() as g:
        f = _read_parse(tf.train.string_input_producer([path]))
        tf.train.shuffle_batch([f["image"] / 255.0, f["label"]], 4, 100, 10)
        assert _row_source(_enqueue_op(g)).type == "ReaderReadV2"
    with tf.Graph().as_default() as g:  # (mnist's fully_connected_reader)
        _, record = tf.TFRecordReader().read(tf.train.string_input_producer([path]))
        f = tf.io.parse_single_example(
            record,
            {
                "image_raw": tf.io.FixedLenFeature([], tf.string),
                "label": tf.io.FixedLenFeature([], tf.int64),
            },
        )
        image = tf.decode_raw(f["image_raw"], tf.uint8)
        image.set_shape([784])
        image = tf.cast(image, tf.float32) * (1.0 / 255) - 0.5
        tf.train.batch([image, tf.cast(f["label"], tf.int32)], 4)
        assert _row_source(_enqueue_op(g)) is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda f: [tf.reshape(f["image"], [2, 3]), f["label"]],
        lambda f: [f["image"] * tf.random_uniform([6]), f["label"]],
        lambda f: [f["image"] * tf.Variable(tf.ones([6])), f["label"]],
        lambda f: [f["image"], tf.constant(1)],
        lambda f: [f["image"] + tf.ones([3, 6]), f["label"]],  # (would broadcast rows apart)
    ],
    ids=["reshape", "random", "variable", "constant_component", "higher_rank_operand"],
)
def test_other_pipelines_run_record_by_record(one_file, make):
    with tf.Graph().as_default() as g:
        f = _read_parse(tf.train.string_input_producer([one_file[0]]))
        tf.train.batch(make(f), 4)
        assert _row_source(_enqueue_op(g)) is None


def test_sparse_features_and_control_inputs_run_record_by_record(one_file):
    with tf.Graph().as_default() as g:
        _, record = tf.TFRecordReader().read(tf.train.string_input_producer([one_file[0]]))
        f = tf.io.parse_single_example(record, {"image": tf.io.VarLenFeature(tf.float32)})
        tf.train.batch([f["image"].values], 4, dynamic_pad=True)
        assert _row_source(_enqueue_op(g)) is None
    with tf.Graph().as_default() as g:
        f = _read_parse(tf.train.string_input_producer([one_file[0]]))
        with tf.control_dependencies([tf.no_op()]):
            image = f["image"] * 2.0
        tf.train.batch([image], 4)
        assert _row_source(_enqueue_op(g)) is None


def test_turned_off_or_remote(one_file, monkeypatch):
    with tf.Graph().as_default() as g:
        f = _read_parse(tf.train.string_input_producer([one_file[0]]))
        tf.train.batch([f["image"]], 4)
        with tf.Session() as sess:
            assert grouped_enqueue(sess, _enqueue_op(g)) is not None
            monkeypatch.setattr(rows, "GROUP", 1)
            assert grouped_enqueue(sess, _enqueue_op(g)) is None


# -- what a grouped runner enqueues -------------------------------------------------------
def test_same_elements_in_file_order(one_file, monkeypatch):
    path, images, labels = one_file

    def build():
        files = tf.train.string_input_producer([path, path], num_epochs=2, shuffle=False)
        f = _read_parse(files)
        out = _drain([f["image"] / 255.0 - 0.5, tf.cast(f["label"], tf.int32), f["label"] > 0])
        assert _row_source(_enqueue_op(tf.get_default_graph())) is not None
        return out

    grouped, single = grouped_and_single(monkeypatch, build)
    reps = 4  # (two names, two epochs)
    np.testing.assert_array_equal(grouped[0], np.tile(images / np.float32(255.0) - 0.5, (reps, 1)))
    np.testing.assert_array_equal(grouped[1], np.tile(labels.astype(np.int32), reps))
    np.testing.assert_array_equal(grouped[2], np.tile(labels > 0, reps))
    for a, b in zip(grouped, single):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_big_records_through_fused_chains(tmp_path, monkeypatch):
    # (70,000 values per record: the plan fuses the elementwise chain, whose chunked
    # step must see the group's shape, not the record's)
    rng = np.random.RandomState(3)
    raw = [rng.bytes(70_000) for _ in range(5)]
    path = write(tmp_path / "big.tfrecord", raw)

    def build():
        files = tf.train.string_input_producer([path], num_epochs=1, shuffle=False)
        _, record = tf.TFRecordReader().read(files)
        image = tf.cast(tf.decode_raw(record, tf.uint8), tf.float32)
        image.set_shape([70_000])
        out = _drain([tf.sqrt(image / 255.0 - 0.5 + 1.0) * 2.0])
        assert _row_source(_enqueue_op(tf.get_default_graph())) is not None
        return out

    grouped, single = grouped_and_single(monkeypatch, build)
    expected = [
        np.sqrt(np.frombuffer(r, np.uint8).astype(np.float32) / np.float32(255.0) - 0.5 + 1.0) * 2.0
        for r in raw
    ]
    np.testing.assert_array_equal(grouped[0], single[0])
    np.testing.assert_allclose(grouped[0], np.stack(expected), rtol=1e-6)


def test_keys_and_raw_records(tmp_path, monkeypatch):
    raw = [bytes([i % 251]) * 12 for i in range(N)]
    paths = [
        write(
            tmp_path / f"{k}.tfrecord",
            [
                tf.train.Example(
                    features=tf.train.Features(
                        feature={"raw": tf.train.Feature(bytes_list=tf.train.BytesList(value=[r]))}
                    )
                ).SerializeToString()
                for r in raw[k::2]
            ],
        )
        for k in range(2)
    ]

    def build():
        files = tf.train.string_input_producer(paths, num_epochs=1, shuffle=False)
        key, record = tf.TFRecordReader().read(files)
        f = tf.io.parse_single_example(record, {"raw": tf.io.FixedLenFeature([], tf.string)})
        values = tf.cast(tf.decode_raw(f["raw"], tf.uint8), tf.int32)
        values.set_shape([12])
        return _drain([key, values])

    grouped, single = grouped_and_single(monkeypatch, build)
    assert list(grouped[0]) == list(single[0])
    assert grouped[0][0].decode() == f"{paths[0]}:0"
    np.testing.assert_array_equal(grouped[1], single[1])
    assert sorted(grouped[1][:, 0].tolist()) == sorted(r[0] for r in raw)


def _run_until_error(sess, call, size_op):
    """Calls `call` until it raises; returns the error and the queue's size then."""
    for _ in range(1000):
        try:
            call()
        except tf.errors.OpError as e:
            return e, sess.run(size_op)
    raise AssertionError("no error")


@pytest.mark.parametrize("bad", ["corrupt_file", "bad_example"])
def test_records_before_an_error_are_enqueued(tmp_path, monkeypatch, bad):
    images, labels = _records(N)
    payloads = [example(i, lab) for i, lab in zip(images, labels)]
    if bad == "bad_example":
        payloads[45] = b"not an example"
    path = write(tmp_path / "a.tfrecord", payloads)
    if bad == "corrupt_file":
        flip_byte(path, payload_offset(payloads, 45) + 5)
    outcomes = []
    for group in (32, 1):
        monkeypatch.setattr(rows, "GROUP", group)
        with tf.Graph().as_default():
            files = tf.FIFOQueue(10, tf.string)
            f = _read_parse(files)
            queue = tf.FIFOQueue(1000, [tf.float32, tf.int64], shapes=[[6], []])
            enqueue = queue.enqueue([f["image"], f["label"]])
            with tf.Session() as sess:
                sess.run(files.enqueue([path]))
                sess.run(files.close())
                call = grouped_enqueue(sess, enqueue) or sess.make_callable(enqueue)
                assert (call.__class__ is record_batches._GroupedEnqueue) == (group > 1)
                error, size = _run_until_error(sess, call, queue.size())
                images_out, _ = sess.run(queue.dequeue_many(size))
                # the records after the bad one follow on the next calls
                rest, _ = _run_until_error(sess, call, queue.size())
                outcomes.append(
                    (
                        type(error),
                        error.op.name if error.op else None,
                        size,
                        images_out,
                        type(rest),
                        sess.run(queue.size()),
                    )
                )
    grouped, single = outcomes
    assert grouped[0] is single[0]
    assert grouped[0] is (
        tf.errors.DataLossError if bad == "corrupt_file" else tf.errors.InvalidArgumentError
    )
    assert grouped[1] == single[1]
    assert grouped[2] == single[2] == 45
    np.testing.assert_array_equal(grouped[3], images[:45])
    assert grouped[4] is single[4] is tf.errors.OutOfRangeError
    assert grouped[5] == single[5]


def test_unequal_raw_lengths_go_one_by_one(tmp_path):
    raw = [bytes(range(3 + i % 4)) for i in range(N)]
    path = write(tmp_path / "raw.tfrecord", raw)
    with tf.Graph().as_default():
        files = tf.FIFOQueue(10, tf.string)
        _, record = tf.TFRecordReader().read(files)
        values = tf.decode_raw(record, tf.uint8)
        queue = tf.FIFOQueue(1000, [tf.uint8])
        enqueue = queue.enqueue([values])
        with tf.Session() as sess:
            sess.run(files.enqueue([path]))
            sess.run(files.close())
            call = grouped_enqueue(sess, enqueue)
            assert call is not None
            error, size = _run_until_error(sess, call, queue.size())
            assert isinstance(error, tf.errors.OutOfRangeError) and size == N
            got = [sess.run(queue.dequeue()).tobytes() for _ in range(N)]
    assert got == raw


def test_a_group_does_not_wait_for_the_next_file(tmp_path):
    images, labels = _records(N)
    path = write(tmp_path / "a.tfrecord", [example(i, lab) for i, lab in zip(images, labels)])
    with tf.Graph().as_default():
        files = tf.FIFOQueue(10, tf.string)
        f = _read_parse(files)
        queue = tf.FIFOQueue(1000, [tf.float32], shapes=[[6]])
        enqueue = queue.enqueue([f["image"]])
        tf.train.add_queue_runner(tf.train.QueueRunner(queue, [enqueue]))
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            sess.run(files.enqueue([path]))  # (one file; the next one comes later)
            options = tf.RunOptions(timeout_in_ms=20000)
            got = sess.run(queue.dequeue_many(N), options=options)
            np.testing.assert_array_equal(got, images)
            sess.run(files.close())
            coord.request_stop()
            coord.join(threads)


def test_parse_example_of_a_vector_equals_one_by_one():
    images, labels = _records(5)
    serialized = [example(i, lab, extra=b"x" * k) for k, (i, lab) in enumerate(zip(images, labels))]
    with tf.Graph().as_default():
        s = tf.placeholder(tf.string, [None])
        parsed = tf.io.parse_example(s, FEATURES)
        one = tf.io.parse_single_example(s[0], FEATURES)
        with tf.Session() as sess:
            out = sess.run(parsed, {s: serialized})
            np.testing.assert_array_equal(out["image"], images)
            np.testing.assert_array_equal(out["label"], labels)
            assert out["image"].dtype == np.float32 and out["label"].dtype == np.int64
            for k in range(5):
                single = sess.run(one, {s: serialized[k:]})
                np.testing.assert_array_equal(single["image"], images[k])
            # a record lacking features with no default: TF's error, naming the first
            bad = tf.train.Example().SerializeToString()
            with pytest.raises(tf.errors.InvalidArgumentError, match="Feature: image .*required"):
                sess.run(parsed, {s: [serialized[0], bad]})


def test_partial_reads_keep_their_error(tmp_path):
    from tfgraph.ops.reader_ops import _ReaderState, _tfrecords

    images, labels = _records(10)
    payloads = [example(i, lab) for i, lab in zip(images, labels)]
    path = write(tmp_path / "a.tfrecord", payloads)
    flip_byte(path, payload_offset(payloads, 4) + 3)

    class Names:
        def __init__(self):
            self.left = [np.array(path.encode(), dtype=object)]

        def dequeue(self, op, n, up_to):
            if not self.left:
                raise tf.errors.OutOfRangeError(None, None, "done")
            return (self.left.pop(),)

    reader = _ReaderState(_tfrecords, {"compression_type": b""})
    names = Names()
    _, values = reader.read_records(None, names, 32, keep_partial=True)
    assert values == payloads[:4]
    with pytest.raises(tf.errors.DataLossError):
        reader.read_records(None, names, 32, keep_partial=True)
    assert reader.produced == 4 and reader.completed == 1
    with pytest.raises(tf.errors.OutOfRangeError):
        reader.read_records(None, names, 32, keep_partial=True)
    assert os.path.exists(path)
