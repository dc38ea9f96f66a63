"""What the Keras dataset loaders share: the download folder, the cache directory
argument, CIFAR's pickled batches and the word-sequence encoding of IMDB and Reuters."""

from __future__ import annotations

import os

from tfgraph.keras.datasets import _safe_pickle

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cache_dir_arg(cache_dir):
    """`cache_dir` expanded and created (None stays None: get_file's ~/.keras)."""
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    return cache_dir


def load_cifar_batch(fpath, label_key: str = "labels"):
    """(data as N x 3 x 32 x 32 uint8, labels) from one pickled CIFAR batch."""
    with open(fpath, "rb") as f:
        d = _safe_pickle.load(f, encoding="bytes")
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    data = d["data"]
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def channels_last(x):
    from tfgraph.keras import backend

    if backend.image_data_format() == "channels_last":
        return x.transpose(0, 2, 3, 1)
    return x


def shift_words(xs, start_char, index_from) -> list:
    """Each sequence with `index_from` added to its word ids and `start_char` in front."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return list(xs)


def remove_long(maxlen, xs, labels):
    """Only the sequences shorter than `maxlen` (and their labels)."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char) -> list:
    """Word ids outside [skip_top, num_words) replaced by `oov_char` (or dropped)."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def check_kwargs(kwargs: dict, num_words, period: str = "."):
    """The old `nb_words` spelling of `num_words`; any other extra keyword refused."""
    if "nb_words" in kwargs:
        from tfgraph import logging

        logging.warning("The `nb_words` argument in `load_data` has been renamed `num_words`.")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs!s}{period}")
    return num_words
