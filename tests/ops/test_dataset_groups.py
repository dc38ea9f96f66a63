"""`Dataset.map` in groups of elements (ops/dataset_ops.py, framework/rows.py): a map
whose function runs row-wise takes its input's elements up to 32 at a time; the
elements, their order, their errors and what ignore_errors skips are those of the
element-by-element map."""

import numpy as np
import pytest

import tfgraph as tf
from tests.grouped_records import example, flip_byte, grouped_and_single, payload_offset, write
from tfgraph.ops import dataset_ops

N = 70  # (not a multiple of the group size)
FEATURES = {
    "image": tf.io.FixedLenFeature([6], tf.float32),
    "label": tf.io.FixedLenFeature([], tf.int64),
}


def _data(n, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randint(0, 256, size=(n, 6)).astype(np.float32), rng.randint(0, 10, size=n)


def _parse(record):
    f = tf.io.parse_single_example(record, FEATURES)
    return f["image"], f["label"]


def _all(next_element, init=None):
    """Every element (or the error ending the iteration, as its last item)."""
    out = []
    with tf.Session() as sess:
        if init is not None:
            sess.run(init)
        try:
            while True:
                out.append(sess.run(next_element))
        except tf.errors.OutOfRangeError:
            pass
        except tf.errors.OpError as e:
            out.append(e)
    return out


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, Exception):
            assert type(x) is type(y) and str(x) == str(y)
            continue
        for u, v in zip(x, y):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_array_equal(u, v)


def test_tfrecord_pipeline_in_groups_equals_element_by_element(tmp_path, monkeypatch):
    images, labels = _data(N)
    paths = [
        write(
            tmp_path / f"{k}.tfrecord",
            [example(i, lab) for i, lab in zip(images[k::2], labels[k::2])],
        )
        for k in range(2)
    ]
    used = []
    real = dataset_ops._mapped_groups

    def spy(*args):
        used.append(True)
        return real(*args)

    monkeypatch.setattr(dataset_ops, "_mapped_groups", spy)

    def build():
        ds = tf.data.TFRecordDataset(paths).map(_parse).map(lambda x, y: (x / 255.0 - 0.5, y))
        return _all(tf.data.make_one_shot_iterator(ds).get_next())

    grouped, single = grouped_and_single(monkeypatch, build)
    assert used  # (the grouped run took the grouped path)
    _same(grouped, single)
    order = np.concatenate([np.arange(N)[0::2], np.arange(N)[1::2]])
    np.testing.assert_array_equal(
        np.stack([e[0] for e in grouped]), images[order] / np.float32(255.0) - 0.5
    )
    np.testing.assert_array_equal([e[1] for e in grouped], labels[order])
    for image, label in grouped:  # (each element its own array, not a view of a group)
        assert image.base is None and image.flags.writeable and label.shape == ()


def test_shuffled_batches_are_the_same(tmp_path, monkeypatch):
    images, labels = _data(N)
    path = write(tmp_path / "a.tfrecord", [example(i, lab) for i, lab in zip(images, labels)])

    def build():
        ds = tf.data.TFRecordDataset(path).map(_parse).shuffle(50, seed=3).batch(16).repeat(2)
        return _all(tf.data.make_one_shot_iterator(ds).get_next())

    _same(*grouped_and_single(monkeypatch, build))


@pytest.mark.parametrize("bad", ["bad_example", "corrupt_record"])
@pytest.mark.parametrize("ignore", [False, True])
def test_errors_come_where_they_would(tmp_path, monkeypatch, bad, ignore):
    images, labels = _data(N)
    payloads = [example(i, lab) for i, lab in zip(images, labels)]
    if bad == "bad_example":
        payloads[40] = b"not an example"
    path = write(tmp_path / "a.tfrecord", payloads)
    if bad == "corrupt_record":
        flip_byte(path, payload_offset(payloads, 40) + 3)

    def build():
        ds = tf.data.TFRecordDataset(path).map(_parse)
        if ignore:
            ds = ds.apply(tf.data.experimental.ignore_errors())
        return _all(tf.data.make_one_shot_iterator(ds).get_next())

    grouped, single = grouped_and_single(monkeypatch, build)
    _same(grouped, single)
    if not ignore:
        assert isinstance(
            grouped[-1],
            tf.errors.DataLossError if bad == "corrupt_record" else tf.errors.InvalidArgumentError,
        )
        assert len(grouped) == 41
    else:
        assert len(grouped) == (N - 1 if bad == "bad_example" else 40)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: (x * tf.random_uniform([6]), y),
        lambda x, y: (tf.py_func(lambda v: v * 2, [x], tf.float32), y),
        lambda x, y: (tf.reshape(x, [2, 3]), y),
        lambda x, y: (x, tf.constant(1)),
    ],
    ids=["random", "py_func", "reshape", "constant"],
)
def test_other_functions_map_element_by_element(fn):
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices(_data(4)).map(fn)
        assert dataset_ops._row_function(ds._variant_tensor.op, "f") is None


def test_text_lines_and_reinitialized_iterators(tmp_path, monkeypatch):
    lines = [f"line {i}".encode() for i in range(N)]
    path = tmp_path / "a.txt"
    path.write_bytes(b"\r\n".join(lines) + b"\n")

    def build():
        ds = tf.data.TextLineDataset(str(path)).map(lambda s: tf.identity(s))
        it = tf.data.make_initializable_iterator(ds)
        nxt = it.get_next()
        out = []
        with tf.Session() as sess:
            for _ in range(2):  # (re-initialized: starts over)
                sess.run(it.initializer)
                out.append([sess.run(nxt) for _ in range(N)])
                with pytest.raises(tf.errors.OutOfRangeError):
                    sess.run(nxt)
        return out

    grouped, single = grouped_and_single(monkeypatch, build)
    assert grouped == single == [lines, lines]
