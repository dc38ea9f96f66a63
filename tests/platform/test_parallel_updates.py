"""Optimizer updates split over threads equal one thread's."""

from __future__ import annotations

import numpy as np

import tfgraph as tf
from tfgraph.ops import training_ops
from tfgraph.platform import parallel


def _adam_run(monkeypatch, threads: int):
    monkeypatch.setattr(parallel, "_THREADS", threads)
    monkeypatch.setattr(parallel, "_pool", None)
    monkeypatch.setattr(training_ops, "_PARALLEL_UPDATE_ELEMENTS", 16)
    with tf.Graph().as_default():
        rng = np.random.RandomState(0)
        w = tf.Variable(rng.randn(300, 7).astype(np.float32))
        loss = tf.reduce_sum(tf.sin(w) * w)
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            return sess.run(w)


def test_threaded_adam_equals_one_thread(monkeypatch):
    np.testing.assert_array_equal(_adam_run(monkeypatch, 2), _adam_run(monkeypatch, 1))
