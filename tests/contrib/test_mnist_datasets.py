"""The tutorials' MNIST loader (tfgraph/legacy_contrib/mnist_datasets.py):
`tensorflow.examples.tutorials.mnist.input_data` and `tf.contrib.learn.datasets`, as
TF 1.15 has them, on small IDX files written here."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.examples.tutorials.mnist import input_data

mnist = tf.contrib.learn.datasets.mnist


def _write_idx(path, magic, array):
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _mnist_dir(tmp_path, n_train=30, n_test=10, seed=0):
    rng = np.random.RandomState(seed)
    train_labels, test_labels = np.arange(n_train) % 10, (np.arange(n_test) * 3) % 10

    def images(labels):  # noise, and a bright row that says the digit
        out = rng.randint(0, 64, (len(labels), 28, 28))
        out[np.arange(len(labels)), 2 * labels + 4] = 255
        return out

    data = {
        "train-images-idx3-ubyte.gz": (2051, images(train_labels)),
        "train-labels-idx1-ubyte.gz": (2049, train_labels),
        "t10k-images-idx3-ubyte.gz": (2051, images(test_labels)),
        "t10k-labels-idx1-ubyte.gz": (2049, test_labels),
    }
    for name, (magic, array) in data.items():
        _write_idx(tmp_path / name, magic, array)
    return {name: array for name, (_, array) in data.items()}


def test_read_data_sets_splits_scales_and_one_hot_encodes(tmp_path, capsys):
    raw = _mnist_dir(tmp_path)
    sets = input_data.read_data_sets(str(tmp_path), one_hot=True, validation_size=5)
    assert capsys.readouterr().out.count("Extracting") == 4
    assert (sets.train.num_examples, sets.validation.num_examples, sets.test.num_examples) == (
        25,
        5,
        10,
    )
    images = raw["train-images-idx3-ubyte.gz"]
    np.testing.assert_allclose(
        sets.validation.images, images[:5].reshape(5, 784).astype(np.float32) / 255, rtol=1e-6
    )
    assert sets.train.images.dtype == np.float32 and sets.train.images.max() <= 1.0
    np.testing.assert_array_equal(sets.test.labels.argmax(1), (np.arange(10) * 3) % 10)
    assert sets.test.labels.shape == (10, 10) and sets.test.labels.dtype == np.float64
    raw_sets = mnist.read_data_sets(str(tmp_path), dtype=tf.uint8, reshape=False, validation_size=5)
    assert raw_sets.train.images.shape == (25, 28, 28, 1)
    assert raw_sets.train.images.dtype == np.uint8
    np.testing.assert_array_equal(raw_sets.train.labels, np.arange(5, 30) % 10)


def test_next_batch_shuffles_each_epoch_and_spans_epoch_ends(tmp_path):
    _mnist_dir(tmp_path)
    sets = mnist.read_data_sets(str(tmp_path), validation_size=0, seed=7)
    train = sets.train
    labels = train.labels.copy()  # (0..9 repeated: each image's label is its index % 10)
    # (TF: each DataSet seeds numpy's global generator with seed2, here 7; the test set
    # was made last, so the train set's first shuffle draws from a generator seeded 7)
    rng = np.random.RandomState(7)
    perm = np.arange(30)
    rng.shuffle(perm)
    _, first_labels = train.next_batch(12)
    np.testing.assert_array_equal(first_labels, labels[perm[:12]])
    seen = list(first_labels)
    _, second = train.next_batch(12)
    seen += list(second)
    assert train.epochs_completed == 0
    _, third = train.next_batch(12)  # (6 from the first epoch, 6 from the next)
    assert train.epochs_completed == 1
    seen += list(third[:6])
    assert sorted(seen) == sorted(labels)  # (an epoch is a permutation of the examples)
    assert len(third) == 12
    _, unshuffled = mnist.DataSet(
        np.zeros((4, 28, 28, 1), np.uint8), np.arange(4), seed=1
    ).next_batch(3, shuffle=False)
    np.testing.assert_array_equal(unshuffled, [0, 1, 2])


def test_a_graph_seed_makes_the_shuffles_reproducible(tmp_path):
    _mnist_dir(tmp_path)
    orders = []
    for _ in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(3)
            sets = input_data.read_data_sets(str(tmp_path), validation_size=0)
            orders.append(sets.train.next_batch(30)[1])
    np.testing.assert_array_equal(orders[0], orders[1])


def test_bad_files_and_sizes_raise_tfs_errors(tmp_path):
    _mnist_dir(tmp_path)
    with pytest.raises(
        ValueError, match=r"Validation size should be between 0 and 30\. Received: 31\."
    ):
        input_data.read_data_sets(str(tmp_path), validation_size=31)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", 2051, np.zeros(30))
    with pytest.raises(ValueError, match="Invalid magic number 2051 in MNIST label file"):
        input_data.read_data_sets(str(tmp_path))
    with pytest.raises(TypeError, match="Invalid image dtype"):
        mnist.DataSet(np.zeros((1, 28, 28, 1)), np.zeros(1), dtype=tf.int32)


def test_missing_files_are_downloaded_from_source_url(tmp_path):
    source = tmp_path / "mirror"
    source.mkdir()
    _mnist_dir(source)
    target = tmp_path / "MNIST_data"
    sets = input_data.read_data_sets(
        str(target), validation_size=0, source_url=source.as_uri() + "/"
    )
    assert sets.train.num_examples == 30
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in source.iterdir())


def test_fake_data_and_load_dataset():
    sets = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    images, labels = sets.train.next_batch(3, fake_data=True)
    assert len(images) == 3 and len(images[0]) == 784 and labels[0] == [1] + [0] * 9
    with pytest.raises(ValueError, match="Name of dataset is not found: iris"):
        tf.contrib.learn.datasets.load_dataset("iris")
    assert tf.contrib.learn.datasets.base.Datasets._fields == ("train", "validation", "test")


def test_the_softmax_tutorial_trains_on_it(tmp_path):
    _mnist_dir(tmp_path, n_train=200, n_test=50)
    data = input_data.read_data_sets(str(tmp_path), one_hot=True, validation_size=0)
    x = tf.placeholder(tf.float32, [None, 784])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.matmul(x, W) + b
    y_ = tf.placeholder(tf.float32, [None, 10])
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y))
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: data.train.images, y_: data.train.labels})
        for _ in range(60):
            batch_xs, batch_ys = data.train.next_batch(50)
            sess.run(train_step, {x: batch_xs, y_: batch_ys})
        last = sess.run(loss, {x: data.train.images, y_: data.train.labels})
    assert data.train.epochs_completed == 14  # (an epoch ends when a batch needs more)
    assert last < 0.5 * first
