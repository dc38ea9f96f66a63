"""`tf.keras.datasets.reuters`: newswires as word-id sequences with one of 46 topics
(`reuters.npz`), the word index and the topic names."""

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

__all__ = ["get_label_names", "get_word_index", "load_data"]

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = [
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
]


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    cache_dir=None,
    **kwargs,
):
    """`(x_train, y_train), (x_test, y_test)`: the shuffled sequences encoded as in
    `imdb.load_data`, the first `1 - test_split` of them train."""
    num_words = check_kwargs(kwargs, num_words, period="")
    path = get_file(
        path,
        origin=ORIGIN + "reuters.npz",
        file_hash=FILE_HASH,
        cache_dir=cache_dir_arg(cache_dir),
    )
    f = _safe_pickle.load_npz(path)  # (object arrays of lists, read without running code)
    xs, labels = f["x"], f["y"]
    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = shift_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return (np.array(xs[:idx], dtype="object"), np.array(labels[:idx])), (
        np.array(xs[idx:], dtype="object"),
        np.array(labels[idx:]),
    )


def get_word_index(path="reuters_word_index.json"):
    """The dict word -> id of the Reuters sequences."""
    path = get_file(path, origin=ORIGIN + "reuters_word_index.json", file_hash=INDEX_HASH)
    with open(path) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, by label."""
    return tuple(LABEL_NAMES)
