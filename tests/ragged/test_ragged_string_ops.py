"""tf.strings.split and tf.string_split with result_type="RaggedTensor" (and the
SparseTensor default, now built in TF's "StringSplit" scope), tf.strings functions and
lookup tables on RaggedTensors, against TF."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
def _fed():
    p = tf.placeholder(tf.string, [None])
    return [tf.strings.split(p, result_type="RaggedTensor"), {p: np.array([b"x y", b"", b"z"])}]
def _lookup():
    init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2], value_dtype=tf.int64)
    t = tf.lookup.StaticHashTable(init, -1)
    r = tf.strings.split(["a b c", "b"], result_type="RaggedTensor")
    with tf.control_dependencies([tf.tables_initializer()]):
        return t.lookup(r) * 1
def _vocab():
    init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [0, 1], value_dtype=tf.int64)
    t = tf.lookup.StaticVocabularyTable(init, 3)
    r = tf.strings.split(["a b c", "b"], result_type="RaggedTensor")
    with tf.control_dependencies([tf.tables_initializer()]):
        return t.lookup(r) * 1
R = lambda: tf.strings.split(["ab cd", "e"], result_type="RaggedTensor")
cases = {
  "lookup": _lookup,
  "vocab_lookup": _vocab,
  "length": lambda: tf.strings.length(R()),
  "length_unit": lambda: tf.strings.length(R(), unit="BYTE"),
  "upper": lambda: tf.strings.upper(R()),
  "lower": lambda: tf.strings.lower(R()),
  "strip": lambda: tf.strings.strip(R()),
  "substr": lambda: tf.strings.substr(R(), 0, 1),
  "substr_top": lambda: tf.substr(R(), 0, 1),
  "hash_bucket": lambda: tf.strings.to_hash_bucket(R(), 5),
  "hash_bucket_fast": lambda: tf.strings.to_hash_bucket_fast(R(), 10),
  "hash_bucket_strong": lambda: tf.strings.to_hash_bucket_strong(R(), 5, [1, 2]),
  "string_to_hash_bucket_fast": lambda: tf.string_to_hash_bucket_fast(R(), 7),
  "regex_full_match": lambda: tf.strings.regex_full_match(R(), "a.*"),
  "regex_replace": lambda: tf.strings.regex_replace(R(), "b", "x"),
  "regex_replace_top": lambda: tf.regex_replace(R(), "b", "x"),
  "as_string": lambda: tf.strings.as_string(tf.ragged.constant([[1], [2, 3]])),
  "as_string_top": lambda: tf.as_string(tf.ragged.constant([[1], [2, 3]])),
  "split_sparse": lambda: tf.strings.split(["a b", "c"]),
  "split_ragged": lambda: tf.strings.split(["a b", "c  d"], result_type="RaggedTensor"),
  "split_ragged_sep": lambda: tf.strings.split(tf.constant(["a,b", "c"]), sep=",",
                                               result_type="RaggedTensor"),
  "split_maxsplit": lambda: tf.strings.split(["a b c d"], maxsplit=2, result_type="RaggedTensor"),
  "split_scalar": lambda: tf.strings.split("a b c", result_type="RaggedTensor"),
  "split_2d": lambda: tf.strings.split([["a b"], ["c"]], result_type="RaggedTensor"),
  "split_2d_sparse": lambda: tf.strings.split([["a b"], ["c"]]),
  "split_fed": _fed,
  "split_bad_type": lambda: tf.strings.split(["a"], result_type="list"),
  "string_split": lambda: tf.string_split(["a b", "c"]),
  "string_split_ragged": lambda: tf.string_split(["a b", "c"], result_type="RaggedTensor"),
  "string_split_delims": lambda: tf.string_split(["a,b;c", ""], ",;", skip_empty=False,
                                                 result_type="RaggedTensor"),
}
"""


@pytest.fixture(scope="module")
def both():
    return harness.run_here(CASES), harness.run_tf(CASES)


@requires_tf
@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_string_split_as_tf(both, name):
    harness.compare(*both, name)


def test_split_to_ragged_values():
    with tf.Graph().as_default():
        rt = tf.strings.split(["hello world", "a"], result_type="RaggedTensor")
        with tf.Session() as sess:
            assert sess.run(rt).to_list() == [[b"hello", b"world"], [b"a"]]
