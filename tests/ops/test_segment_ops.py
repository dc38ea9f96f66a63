"""Segment reductions (tfgraph/ops/segment_ops.py): values against numpy loops, empty
segments, static shapes and errors. Graph/gradient parity with TF is in
tests/compat/test_math_apis_vs_tf.py; numerical gradients in test_gradients_contract."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors

D = np.array([[1.0, -2.0], [3.0, 0.0], [0.5, 0.0], [2.0, 5.0], [-1.0, 4.0]])


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def _segments(ids, n):
    return [[j for j, i in enumerate(ids) if i == s] for s in range(n)]


@pytest.mark.parametrize(
    ("fn", "ref", "empty"),
    [
        (tf.segment_sum, np.sum, 0.0),
        (tf.segment_mean, np.mean, 0.0),
        (tf.segment_max, np.max, 0.0),
        (tf.segment_min, np.min, 0.0),
        (tf.segment_prod, np.prod, 1.0),
    ],
)
def test_sorted_segments(fn, ref, empty):
    ids = [0, 0, 2, 2, 3]
    out = fn(tf.constant(D), ids)
    assert out.shape.as_list() == [None, 2]
    want = [ref(D[rows], axis=0) if rows else np.full(2, empty) for rows in _segments(ids, 4)]
    np.testing.assert_allclose(run(out), want)


@pytest.mark.parametrize(
    ("fn", "ref", "empty"),
    [
        (tf.unsorted_segment_max, np.max, np.finfo(np.float64).min),
        (tf.unsorted_segment_min, np.min, np.finfo(np.float64).max),
        (tf.unsorted_segment_prod, np.prod, 1.0),
        (tf.unsorted_segment_mean, np.mean, 0.0),
        (tf.unsorted_segment_sqrt_n, lambda x, axis: np.sum(x, axis) / np.sqrt(len(x)), 0.0),
    ],
)
def test_unsorted_segments_drop_negative_ids(fn, ref, empty):
    ids = [2, 0, -1, 2, 0]
    out = fn(tf.constant(D), ids, 4)
    assert out.shape.as_list() == [4, 2]
    want = [ref(D[rows], axis=0) if rows else np.full(2, empty) for rows in _segments(ids, 4)]
    np.testing.assert_allclose(run(out), want)


def test_errors():
    ids = tf.placeholder(tf.int32, [3])
    with pytest.raises(errors.InvalidArgumentError, match="segment ids are not increasing"):
        run(tf.segment_sum(tf.ones([3]), ids), {ids: [0, 2, 1]})
    with pytest.raises(errors.InvalidArgumentError, match="should be the same size as dimension 0"):
        run(tf.segment_sum(tf.ones([4]), ids), {ids: [0, 1, 1]})
    with pytest.raises(errors.InvalidArgumentError, match=r"is out of range \[0, 3\)"):
        run(tf.unsorted_segment_max(tf.ones([3]), [0, 5, 1], 3))
    with pytest.raises(ValueError, match="Shape must be rank 1"):
        tf.segment_sum(tf.ones([2, 2]), tf.zeros([2, 2], tf.int32))
