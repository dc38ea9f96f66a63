"""tf.contrib.rnn (the cells and static RNNs under their contrib names) and
tf.contrib.seq2seq.sequence_loss (TF 1.15's contrib; TF 2.21 has no contrib, so the
losses are checked against a numpy reference)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf


def test_contrib_rnn_names_are_the_nn_ones():
    for name in (
        "BasicLSTMCell",
        "BasicRNNCell",
        "GRUCell",
        "LSTMCell",
        "MultiRNNCell",
        "DropoutWrapper",
        "ResidualWrapper",
        "DeviceWrapper",
        "LSTMStateTuple",
        "RNNCell",
    ):
        assert getattr(tf.contrib.rnn, name) is getattr(tf.nn.rnn_cell, name)
        assert getattr(tf.compat.v1.nn.rnn_cell, name) is getattr(tf.nn.rnn_cell, name)
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    assert tf.contrib.rnn.static_bidirectional_rnn is tf.nn.static_bidirectional_rnn
    cell = tf.contrib.rnn.BasicLSTMCell(3)
    tf.contrib.rnn.static_rnn(cell, [tf.zeros([2, 2])], dtype=tf.float32)
    assert [v.op.name for v in tf.global_variables()] == [
        "rnn/basic_lstm_cell/kernel",
        "rnn/basic_lstm_cell/bias",
    ]


def _crossent(logits, targets):
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


@pytest.mark.parametrize(
    "kwargs, reduce",
    [
        ({}, lambda c, w: (c * w).sum() / w.sum()),
        (
            {"average_across_timesteps": False},
            lambda c, w: (c * w).sum(0) / w.sum(0),
        ),
        (
            {"average_across_batch": False},
            lambda c, w: (c * w).sum(1) / w.sum(1),
        ),
        (
            {"average_across_timesteps": False, "average_across_batch": False},
            lambda c, w: c * w,
        ),
        (
            {
                "average_across_timesteps": False,
                "average_across_batch": False,
                "sum_over_timesteps": True,
                "sum_over_batch": True,
            },
            lambda c, w: (c * w).sum() / np.count_nonzero(w),
        ),
        (
            {
                "average_across_timesteps": False,
                "average_across_batch": False,
                "sum_over_timesteps": True,
            },
            lambda c, w: (c * w).sum(1) / np.count_nonzero(w, axis=1),
        ),
    ],
)
def test_sequence_loss_reductions(kwargs, reduce):
    rng = np.random.RandomState(0)
    logits = rng.randn(3, 4, 5).astype(np.float32)
    targets = rng.randint(0, 5, size=(3, 4))
    weights = (rng.rand(3, 4) > 0.3).astype(np.float32)
    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights, **kwargs)
    with tf.Session() as sess:
        got = sess.run(loss)
    np.testing.assert_allclose(got, reduce(_crossent(logits, targets), weights), rtol=1e-5)


def test_sequence_loss_custom_loss_function_and_errors():
    logits = tf.zeros([2, 3, 4])
    targets = tf.zeros([2, 3], tf.int32)
    weights = tf.ones([2, 3])
    seen = {}

    def loss_fn(labels, logits):
        seen["shapes"] = (labels.shape.as_list(), logits.shape.as_list())
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)

    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights, softmax_loss_function=loss_fn)
    assert seen["shapes"] == ([6], [6, 4])
    assert loss.op.name == "sequence_loss/div_no_nan"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), np.log(4.0), rtol=1e-6)
    with pytest.raises(ValueError, match="Logits must be a"):
        tf.contrib.seq2seq.sequence_loss(tf.zeros([2, 3]), targets, weights)
    with pytest.raises(ValueError, match="Targets must be a"):
        tf.contrib.seq2seq.sequence_loss(logits, tf.zeros([6], tf.int32), weights)
    with pytest.raises(ValueError, match="Weights must be a"):
        tf.contrib.seq2seq.sequence_loss(logits, targets, tf.ones([6]))
    with pytest.raises(ValueError, match="cannot be set to True at same time"):
        tf.contrib.seq2seq.sequence_loss(logits, targets, weights, sum_over_timesteps=True)
