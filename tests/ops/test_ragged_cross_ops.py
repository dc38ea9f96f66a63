"""tf.ragged.cross / cross_hashed (RaggedCross) and tf.ragged_fill_empty_rows(_grad)
against TF 2.21 (compat.v1 graph mode): values, static shapes, the graph's ops and errors."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
cases = {
  "cross_sparse_value": lambda: tf.ragged.cross([
      tf.SparseTensorValue([[0, 0], [1, 0]], [b"s", b"t"], [2, 1]),
      tf.ragged.constant([["a", "b"], ["c"]])]),
  "cross_batch_mismatch": lambda: tf.ragged.cross([tf.ragged.constant([["a"], ["b"]]),
                                                   tf.constant([["d"]])]),
  "cross_empty_rows": lambda: tf.ragged.cross([tf.ragged.constant([["a"], [], ["b"]]),
                                               tf.ragged.constant([["c"], ["d"], []])]),
  "cross_fed": lambda: [tf.ragged.cross([tf.placeholder_with_default([["a", "b"]], [None, 2]),
                                         tf.ragged.constant([["c"]])])],
  "fill_empty_rows_bad_rowid": lambda: list(tf.ragged_fill_empty_rows(
      tf.constant([1, 7], tf.int64), [1.0, 2.0], tf.constant(3, tf.int64), 9.0)),
  "fill_empty_rows_int": lambda: list(tf.ragged_fill_empty_rows(
      tf.constant([], tf.int64), tf.constant([], tf.int32), tf.constant(2, tf.int64), 4,
      name="f")),
  "cross": lambda: tf.ragged.cross([tf.ragged.constant([["a"], ["b", "c"]]),
                                    tf.constant([["d"], ["e"]])]),
  "cross_three": lambda: tf.ragged.cross([
      tf.ragged.constant([["a", "b"], ["c"]]),
      tf.SparseTensor([[0, 0], [1, 0], [1, 1]], [7, 8, 9], [2, 2]),
      tf.constant([["x", "y"], ["z", "w"]])]),
  "cross_int32_splits": lambda: tf.ragged.cross([
      tf.ragged.constant([[1, 2], [3]], row_splits_dtype=tf.int32),
      tf.ragged.constant([[4], [5, 6]], row_splits_dtype=tf.int32)]),
  "cross_hashed": lambda: tf.ragged.cross_hashed([tf.ragged.constant([["a"], ["b", "c"]]),
                                                  tf.constant([["d"], ["e"]])], 10),
  "cross_hashed_nobuckets": lambda: tf.ragged.cross_hashed([
      tf.ragged.constant([["a", "b"], ["c"]]), tf.constant([[1], [2]])]),
  "cross_hashed_key": lambda: tf.ragged.cross_hashed([
      tf.ragged.constant([["a", "b"], ["c"]]),
      tf.SparseTensor([[0, 0], [1, 0]], ["s", "t"], [2, 1])], 100, hash_key=123, name="ch"),
  "cross_bad_dtype": lambda: tf.ragged.cross([tf.constant([[1.0]])]),
  "cross_not_list": lambda: tf.ragged.cross(tf.constant([["a"]])),
  "cross_rank3": lambda: tf.ragged.cross([tf.ragged.constant([[["a"]]])]),
  "fill_empty_rows": lambda: list(tf.ragged_fill_empty_rows(
      tf.constant([1, 1, 3], tf.int64), [1.0, 2.0, 3.0], tf.constant(5, tf.int64), 9.0)),
  "fill_empty_rows_grad": lambda: list(tf.ragged_fill_empty_rows_grad(
      tf.constant([1, 2, 4], tf.int64), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
}
"""


@pytest.fixture(scope="module")
def both():
    return harness.run_here(CASES), harness.run_tf(CASES)


@requires_tf
@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_cross_as_tf(both, name):
    harness.compare(*both, name)


def test_fill_empty_rows_values():
    with tf.Graph().as_default():
        out = tf.ragged_fill_empty_rows(
            tf.constant([1, 1, 3], tf.int64), [1.0, 2.0, 3.0], tf.constant(5, tf.int64), 9.0
        )
        with tf.Session() as sess:
            rowids, values, empty, reverse = sess.run(list(out))
        assert rowids.tolist() == [0, 1, 1, 2, 3, 4]
        assert values.tolist() == [9.0, 1.0, 2.0, 9.0, 3.0, 9.0]
        assert empty.tolist() == [True, False, True, False, True]
        assert reverse.tolist() == [1, 2, 4]
