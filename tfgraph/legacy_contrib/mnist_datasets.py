"""The MNIST loader of TF1's tutorials (`tensorflow.examples.tutorials.mnist.input_data`,
`tf.contrib.learn.datasets.mnist`), as TF 1.15 has it: `read_data_sets(train_dir)` reads
the four gzipped IDX files in `train_dir` (downloading a missing one from
`source_url`), splits the first `validation_size` training images off as the
validation set, and returns `Datasets(train, validation, test)` of `DataSet`s whose
`next_batch` walks a shuffled epoch at a time, as the tutorials expect.

As TF's does, a `DataSet` seeds numpy's global random generator when it is made (from
`seed` or the default graph's seed), and `extract_images` / `extract_labels` print
"Extracting <file>"."""

from __future__ import annotations

import collections
import gzip
import os
import urllib.request

import numpy as np

from tfgraph.framework import dtypes, random_seed
from tfgraph.io.atomic import atomic_write

__all__ = [
    "DEFAULT_SOURCE_URL",
    "DataSet",
    "Datasets",
    "dense_to_one_hot",
    "extract_images",
    "extract_labels",
    "load_dataset",
    "load_mnist",
    "maybe_download",
    "read_data_sets",
]

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _read32(stream) -> int:
    return int(np.frombuffer(stream.read(4), dtype=">u4")[0])


def extract_images(f) -> np.ndarray:
    """The images of a gzipped IDX file object as a uint8 array [index, y, x, 1].

    Raises:
        ValueError: the file does not start with the images' magic number 2051.
    """
    print("Extracting", f.name)
    with gzip.GzipFile(fileobj=f) as stream:
        magic = _read32(stream)
        if magic != _IMAGES_MAGIC:
            raise ValueError(f"Invalid magic number {magic} in MNIST image file: {f.name}")
        count, rows, cols = _read32(stream), _read32(stream), _read32(stream)
        data = np.frombuffer(stream.read(rows * cols * count), dtype=np.uint8)
        return data.reshape(count, rows, cols, 1)


def dense_to_one_hot(labels_dense, num_classes) -> np.ndarray:
    """Class labels as one-hot rows (float64, as TF's)."""
    labels_dense = np.asarray(labels_dense)
    one_hot = np.zeros((labels_dense.shape[0], num_classes))
    one_hot[np.arange(labels_dense.shape[0]), labels_dense.ravel()] = 1
    return one_hot


def extract_labels(f, one_hot=False, num_classes=10) -> np.ndarray:
    """The labels of a gzipped IDX file object: uint8 [index], or one-hot rows.

    Raises:
        ValueError: the file does not start with the labels' magic number 2049.
    """
    print("Extracting", f.name)
    with gzip.GzipFile(fileobj=f) as stream:
        magic = _read32(stream)
        if magic != _LABELS_MAGIC:
            raise ValueError(f"Invalid magic number {magic} in MNIST label file: {f.name}")
        labels = np.frombuffer(stream.read(_read32(stream)), dtype=np.uint8)
        return dense_to_one_hot(labels, num_classes) if one_hot else labels


class DataSet:
    """Images and labels served in shuffled batches (`next_batch`).

    `dtype` float32 rescales the images to [0, 1]; uint8 keeps [0, 255]. `reshape`
    flattens [n, rows, cols, 1] images to [n, rows * cols]."""

    def __init__(self, images, labels, fake_data=False, one_hot=False,
                 dtype=dtypes.float32, reshape=True, seed=None):  # fmt: skip
        seed1, seed2 = random_seed.get_seed(seed)
        np.random.seed(seed1 if seed is None else seed2)  # (TF's side effect)
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            if images.shape[0] != labels.shape[0]:
                raise AssertionError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                if images.shape[3] != 1:
                    raise AssertionError(f"images have {images.shape[3]} channels, not 1")
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def _shuffle(self) -> None:
        perm = np.arange(self._num_examples)
        np.random.shuffle(perm)
        self._images = self._images[perm]
        self._labels = self._labels[perm]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` (images, labels). The first epoch is shuffled before it
        starts; a batch that crosses the end of an epoch takes the epoch's rest and the
        first examples of the next, reshuffled, epoch."""
        if fake_data:
            image = [1] * 784
            label = [1] + [0] * 9 if self.one_hot else 0
            return [image] * batch_size, [label] * batch_size
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            images_rest = self._images[start:]
            labels_rest = self._labels[start:]
            if shuffle:
                self._shuffle()
            self._index_in_epoch = end = batch_size - (self._num_examples - start)
            return (
                np.concatenate((images_rest, self._images[:end]), axis=0),
                np.concatenate((labels_rest, self._labels[:end]), axis=0),
            )
        self._index_in_epoch += batch_size
        return self._images[start : self._index_in_epoch], self._labels[
            start : self._index_in_epoch
        ]


def maybe_download(filename, work_directory, source_url) -> str:
    """The path of `filename` in `work_directory`, downloaded from `source_url` first
    when it is not there (written under a temporary name, then renamed)."""
    os.makedirs(work_directory, exist_ok=True)
    path = os.path.join(work_directory, filename)
    if not os.path.exists(path):
        with urllib.request.urlopen(source_url) as response:
            data = response.read()
        atomic_write(path, data)
        print("Successfully downloaded", filename, len(data), "bytes.")
    return path


_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32,
                   reshape=True, validation_size=5000, seed=None,
                   source_url=DEFAULT_SOURCE_URL):  # fmt: skip
    """MNIST's train / validation / test `DataSet`s from the IDX files in `train_dir`.

    Raises:
        ValueError: `validation_size` is not between 0 and the number of training images.
    """
    if fake_data:

        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

        return Datasets(train=fake(), validation=fake(), test=fake())
    source_url = source_url or DEFAULT_SOURCE_URL
    arrays = []
    for i, name in enumerate(_FILES):
        path = maybe_download(name, train_dir, source_url + name)
        with open(path, "rb") as f:
            arrays.append(extract_images(f) if i % 2 == 0 else extract_labels(f, one_hot=one_hot))
    train_images, train_labels, test_images, test_labels = arrays
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(
            f"Validation size should be between 0 and {len(train_images)}. "
            f"Received: {validation_size}."
        )
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
        validation=DataSet(
            train_images[:validation_size], train_labels[:validation_size], **options
        ),
        test=DataSet(test_images, test_labels, **options),
    )


def load_mnist(train_dir="MNIST-data"):
    return read_data_sets(train_dir)


def load_dataset(name, size="small", test_with_fake_data=False):
    """`tf.contrib.learn.datasets.load_dataset`: "mnist" (`load_mnist()`) only; TF's
    others (iris and boston from CSV files TF shipped, DBpedia, synthetic) are not here.

    Raises:
        ValueError: another name.
    """
    if name != "mnist":
        raise ValueError(f"Name of dataset is not found: {name}")
    return load_mnist()
