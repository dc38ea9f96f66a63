"""tf.strings.ngrams (StringNGrams) and tf.strings.bytes_split against TF 2.21 (compat.v1
graph mode): values, static shapes, the graph's ops and errors."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
S = ["h\u00e9llo", "ab", "", "\U0001f60a!"]
cases = {
  "ngrams_int32_splits": lambda: tf.strings.ngrams(
      tf.ragged.constant([["a", "b", "c"], ["d"]], row_splits_dtype=tf.int32), 2),
  "ngrams_pad_preserve_default_width": lambda: tf.strings.ngrams(
      tf.ragged.constant([["a", "b"], [], ["c"]]), [2, 4], pad_values=("L", "R"),
      preserve_short_sequences=True),
  "ngrams_wide_pad": lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b"], ["c"]]), 2,
                                               pad_values="#", padding_width=3),
  "ngrams_fed": lambda: [tf.strings.ngrams(tf.placeholder_with_default([["a", "b", "c"]],
                                                                       [None, None]), 2)],
  "bytes_split": lambda: tf.strings.bytes_split(S),
  "bytes_split_scalar": lambda: tf.strings.bytes_split("h\u00e9"),
  "bytes_split_2d": lambda: tf.strings.bytes_split([["ab", "c"], ["", "d"]]),
  "bytes_split_ragged": lambda: tf.strings.bytes_split(tf.ragged.constant([["ab"], []])),
  "bytes_split_unknown": lambda: tf.strings.bytes_split(tf.placeholder(tf.string)),
  "ngrams": lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"], []]), 2),
  "ngrams_vector": lambda: tf.strings.ngrams(["A", "B", "C", "D"], 2),
  "ngrams_dense": lambda: tf.strings.ngrams(tf.constant([["a", "b", "c"], ["d", "e", "f"]]), 2),
  "ngrams_3d": lambda: tf.strings.ngrams(tf.constant([[["a", "b"], ["c", "d"]]]), 1),
  "ngrams_widths": lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"]]),
                                             [1, 3], separator="|"),
  "ngrams_pad": lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"]]), 3,
                                          pad_values=("<", ">")),
  "ngrams_pad_width": lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"]]),
                                                3, pad_values="#", padding_width=1),
  "ngrams_preserve": lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"], []]),
                                               4, preserve_short_sequences=True),
  "ngrams_preserve_pad": lambda: tf.strings.ngrams(
      tf.ragged.constant([["a", "b"], ["d"]]), 5, pad_values="#", padding_width=1,
      preserve_short_sequences=True),
  "ngrams_ragged2": lambda: tf.strings.ngrams(tf.ragged.constant([[["a", "b"], ["c"]], []]), 2),
  "ngrams_scalar": lambda: tf.strings.ngrams("a", 2),
  "ngrams_zero": lambda: tf.strings.ngrams(["a"], 0),
  "ngrams_bad_pad": lambda: tf.strings.ngrams(["a"], 2, pad_values=3),
  "ngrams_bad_width": lambda: tf.strings.ngrams(["a"], 2, padding_width=0, pad_values="x"),
  "ngrams_width_no_pad": lambda: tf.strings.ngrams(["a"], 2, padding_width=2),
}
"""


@pytest.fixture(scope="module")
def both():
    return harness.run_here(CASES), harness.run_tf(CASES)


@requires_tf
@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_ngrams_as_tf(both, name):
    harness.compare(*both, name)


def test_ngrams_values():
    with tf.Graph().as_default():
        rt = tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], []]), [1, 2], separator="+")
        with tf.Session() as sess:
            assert sess.run(rt).to_list() == [[b"a", b"b", b"c", b"a+b", b"b+c"], []]
