"""tf.losses: values of every loss, weights, reductions, collections, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf

LABELS = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
PREDS = np.array([[0.2, 0.6], [0.7, 0.1]], np.float32)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def test_elementwise_losses_and_default_reduction():
    mse = tf.losses.mean_squared_error(LABELS, PREDS)
    mae = tf.losses.absolute_difference(LABELS, PREDS)
    huber = tf.losses.huber_loss(LABELS, PREDS * 3, delta=0.5)
    log = tf.losses.log_loss(LABELS, PREDS)
    err = PREDS - LABELS
    np.testing.assert_allclose(_run(mse), np.mean(err**2), rtol=1e-6)
    np.testing.assert_allclose(_run(mae), np.mean(np.abs(err)), rtol=1e-6)
    e = np.abs(PREDS * 3 - LABELS)
    q = np.minimum(e, 0.5)
    np.testing.assert_allclose(_run(huber), np.mean(0.5 * q * q + 0.5 * (e - q)), rtol=1e-6)
    ll = -LABELS * np.log(PREDS + 1e-7) - (1 - LABELS) * np.log(1 - PREDS + 1e-7)
    np.testing.assert_allclose(_run(log), ll.mean(), rtol=1e-6)
    assert tf.losses.get_losses() == [mse, mae, huber, log]
    assert mse.op.name == "mean_squared_error/value"


def test_cross_entropy_losses():
    logits = np.array([[2.0, -1.0, 0.5], [0.0, 1.0, 3.0]], np.float32)
    onehot = np.array([[1, 0, 0], [0, 0, 1]], np.float32)
    sparse = np.array([0, 2])
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    xent = -np.log(p[[0, 1], sparse])
    np.testing.assert_allclose(
        _run(tf.losses.softmax_cross_entropy(onehot, logits)), xent.mean(), 1e-6
    )
    np.testing.assert_allclose(
        _run(tf.losses.sparse_softmax_cross_entropy(sparse, logits)), xent.mean(), 1e-6
    )
    smooth = onehot * 0.9 + 0.1 / 3
    np.testing.assert_allclose(
        _run(tf.losses.softmax_cross_entropy(onehot, logits, label_smoothing=0.1)),
        (-(smooth * np.log(p)).sum(1)).mean(),
        1e-6,
    )
    z = LABELS
    sig = np.maximum(PREDS, 0) - PREDS * z + np.log1p(np.exp(-np.abs(PREDS)))
    np.testing.assert_allclose(_run(tf.losses.sigmoid_cross_entropy(z, PREDS)), sig.mean(), 1e-6)
    hinge = np.maximum(0, 1 - (2 * z - 1) * PREDS)
    np.testing.assert_allclose(_run(tf.losses.hinge_loss(z, PREDS)), hinge.mean(), 1e-6)


def test_weights_and_reductions():
    w = np.array([[1.0, 0.0], [2.0, 0.0]], np.float32)
    sq = (PREDS - LABELS) ** 2
    R = tf.losses.Reduction
    cases = {
        R.NONE: sq * w,
        R.SUM: (sq * w).sum(),
        R.MEAN: (sq * w).sum() / w.sum(),
        R.SUM_OVER_BATCH_SIZE: (sq * w).sum() / 4,
        R.SUM_BY_NONZERO_WEIGHTS: (sq * w).sum() / 2,
    }
    for reduction, expected in cases.items():
        loss = tf.losses.mean_squared_error(LABELS, PREDS, w, reduction=reduction)
        np.testing.assert_allclose(_run(loss), expected, rtol=1e-6)
    assert R.SUM_OVER_NONZERO_WEIGHTS == R.SUM_BY_NONZERO_WEIGHTS
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error(LABELS, PREDS, reduction="avg")


def test_fed_weights_are_checked_at_run_time():
    w = tf.placeholder(tf.float32, [None], name="w")
    loss = tf.losses.absolute_difference(LABELS[0], PREDS[0], weights=w)
    np.testing.assert_allclose(_run(loss, {w: [0.0, 2.0]}), 0.8, rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="weights can not be broadcast"):
        _run(loss, {w: [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=[1.0, 2.0, 3.0])


def test_total_and_regularization_losses():
    tf.losses.mean_squared_error(LABELS, PREDS)
    tf.losses.add_loss(tf.constant(1.0))
    assert _run(tf.losses.get_regularization_loss()) == 0.0
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
    total = tf.losses.get_total_loss()
    assert total.op.name == "total_loss"
    np.testing.assert_allclose(_run(total), np.mean((PREDS - LABELS) ** 2) + 1.5, rtol=1e-6)
    np.testing.assert_allclose(
        _run(tf.losses.get_total_loss(add_regularization_losses=False)),
        np.mean((PREDS - LABELS) ** 2) + 1.0,
        rtol=1e-6,
    )
    none = tf.losses.mean_squared_error(LABELS, PREDS, loss_collection=None)
    assert none not in tf.losses.get_losses()


def test_argument_errors():
    with pytest.raises(ValueError, match="Argument `labels` must not be None."):
        tf.losses.mean_squared_error(None, PREDS)
    with pytest.raises(ValueError, match="Argument `logits` must not be None."):
        tf.losses.sparse_softmax_cross_entropy([1], None)
    with pytest.raises(ValueError, match="You must specify argument `axis`."):
        tf.losses.cosine_distance(LABELS, PREDS)
    with pytest.raises(ValueError, match="are incompatible"):
        tf.losses.log_loss(LABELS, PREDS[0:1, 0:1].ravel())


def test_gradients_flow_through_losses_but_not_into_softmax_labels():
    logits = tf.Variable([[1.0, 2.0]], name="logits")
    labels = tf.Variable([[0.0, 1.0]], name="labels")
    loss = tf.losses.softmax_cross_entropy(labels, logits)
    g_logits, g_labels = tf.gradients(loss, [logits, labels])
    assert g_labels is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        p = np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum()
        np.testing.assert_allclose(sess.run(g_logits), [p - [0, 1]], rtol=1e-6)
