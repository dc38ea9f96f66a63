"""tf.metrics: streaming accuracy and mean in local variables."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf


def test_accuracy_streams_over_batches():
    labels = tf.placeholder(tf.int64, [None])
    preds = tf.placeholder(tf.int64, [None])
    acc, update = tf.metrics.accuracy(labels, preds)
    assert acc.op.name == "accuracy/value" and update.op.name == "accuracy/update_op"
    names = [v.op.name for v in tf.local_variables()]
    assert names == ["accuracy/total", "accuracy/count"]
    assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == tf.local_variables()
    assert tf.global_variables() == [] and tf.trainable_variables() == []
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(acc) == 0.0  # no division by zero before any update
        assert sess.run(update, {labels: [1, 2, 3, 4], preds: [1, 2, 0, 0]}) == 0.5
        assert sess.run(update, {labels: [1, 1], preds: [1, 1]}) == pytest.approx(4 / 6)
        assert sess.run(acc) == pytest.approx(4 / 6)
        sess.run(tf.local_variables_initializer())
        assert sess.run(acc) == 0.0


def test_weighted_mean_and_collections():
    values = tf.placeholder(tf.float32, [None])
    weights = tf.placeholder(tf.float32, [None])
    mean, update = tf.metrics.mean(
        values, weights, metrics_collections=["m"], updates_collections=["u"], name="wm"
    )
    assert tf.get_collection("m") == [mean] and tf.get_collection("u") == [update]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update, {values: [1.0, 3.0], weights: [1.0, 3.0]})
        sess.run(update, {values: [10.0], weights: [0.0]})
        assert sess.run(mean) == pytest.approx(10 / 4)


def test_accuracy_squeezes_labels_and_casts_predictions():
    labels = tf.constant([[1], [2], [3]], tf.int32)
    preds = tf.constant([1.0, 2.0, 0.0])
    _, update = tf.metrics.accuracy(labels, preds)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="are incompatible"):
        tf.metrics.accuracy(tf.constant([1, 2]), tf.constant([1, 2, 3]))


def test_mean_of_a_fed_placeholder_used_as_control_input():
    """The count update has a control dependency on the values; feeding them meets it."""
    v = tf.placeholder(tf.float32, [None], name="v")
    _, update = tf.metrics.mean(v)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        np.testing.assert_allclose(sess.run(update, {v: [1.0, 2.0, 6.0]}), 3.0)
