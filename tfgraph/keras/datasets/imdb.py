"""`tf.keras.datasets.imdb`: movie reviews as word-id sequences with a 0/1 sentiment
(`imdb.npz`), and the word index (`imdb_word_index.json`)."""

from __future__ import annotations

import json

import numpy as np

from tfgraph.keras.data_utils import get_file
from tfgraph.keras.datasets import _safe_pickle
from tfgraph.keras.datasets._common import (
    ORIGIN,
    cache_dir_arg,
    check_kwargs,
    limit_vocabulary,
    remove_long,
    shift_words,
)

__all__ = ["get_word_index", "load_data"]

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def _shuffled(rng, x, labels):
    indices = np.arange(len(x))
    rng.shuffle(indices)
    return x[indices], labels[indices]


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    cache_dir=None,
    **kwargs,
):
    """`(x_train, y_train), (x_test, y_test)`: object arrays of word-id lists (ids
    shifted by `index_from`, `start_char` first, rare words `oov_char`) and labels."""
    num_words = check_kwargs(kwargs, num_words)
    path = get_file(
        path, origin=ORIGIN + "imdb.npz", file_hash=FILE_HASH, cache_dir=cache_dir_arg(cache_dir)
    )
    f = _safe_pickle.load_npz(path)  # (object arrays of lists, read without running code)
    x_train, labels_train = f["x_train"], f["y_train"]
    x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    x_train, labels_train = _shuffled(rng, x_train, labels_train)
    x_test, labels_test = _shuffled(rng, x_test, labels_test)
    x_train = shift_words(x_train, start_char, index_from)
    x_test = shift_words(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen!s}, no "
                "sequence was kept. Increase maxlen."
            )
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return (np.array(xs[:idx], dtype="object"), labels[:idx]), (
        np.array(xs[idx:], dtype="object"),
        labels[idx:],
    )


def get_word_index(path="imdb_word_index.json"):
    """The dict word -> id of the IMDB sequences (before `index_from` shifting)."""
    path = get_file(path, origin=ORIGIN + "imdb_word_index.json", file_hash=INDEX_HASH)
    with open(path) as f:
        return json.load(f)
