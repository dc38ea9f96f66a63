"""Optimizer updates split over threads, or run range by range (to stay in cache),
equal one thread's update of the whole arrays, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import training_ops
from tfgraph.platform import parallel

OPTIMIZERS = {
    "adam": lambda: tf.train.AdamOptimizer(0.1),
    "rmsprop_centered": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.9, centered=True),
    "momentum_nesterov": lambda: tf.train.MomentumOptimizer(0.01, 0.9, use_nesterov=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "adadelta": lambda: tf.train.AdadeltaOptimizer(1.0),
    "ftrl": lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01),
}


class _Always:
    """A `FasterOfTwo` that always takes one way."""

    def __init__(self, in_ranges: bool) -> None:
        self.in_ranges = in_ranges

    def pick(self, key):
        return [0.0, 0.0, 0], self.in_ranges

    def record(self, times, first, took):
        pass


def _train(monkeypatch, make_optimizer, threads: int, range_bytes: int | None):
    monkeypatch.setattr(parallel, "_THREADS", threads)
    monkeypatch.setattr(parallel, "_pool", None)
    monkeypatch.setattr(parallel, "_solo", 0)
    monkeypatch.setattr(training_ops, "_PARALLEL_UPDATE_ELEMENTS", 16)
    if range_bytes is not None:
        monkeypatch.setattr(training_ops, "_CACHE_RANGE_BYTES", range_bytes)
    monkeypatch.setattr(training_ops, "_range_ways", _Always(in_ranges=True))
    with tf.Graph().as_default():
        rng = np.random.RandomState(0)
        w = tf.Variable(rng.randn(300, 7).astype(np.float32))
        loss = tf.reduce_sum(tf.sin(w) * w)
        train = make_optimizer().minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            return sess.run(w)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_split_and_ranged_updates_equal_one_whole_update(monkeypatch, name):
    make = OPTIMIZERS[name]
    whole = _train(monkeypatch, make, 1, 1 << 30)
    assert not np.array_equal(whole, np.random.RandomState(0).randn(300, 7).astype(np.float32))
    # 2100 elements: ranges of 100 (the last one short), on one thread and on two
    np.testing.assert_array_equal(_train(monkeypatch, make, 1, 400), whole)
    np.testing.assert_array_equal(_train(monkeypatch, make, 2, 400), whole)
    np.testing.assert_array_equal(_train(monkeypatch, make, 2, 1 << 30), whole)


def test_each_update_size_takes_the_faster_of_whole_arrays_and_ranges(monkeypatch):
    """Ranges pay on some machines, whole arrays on others: each size is timed both ways
    and takes the faster, probing the other now and then (the same values either way)."""
    monkeypatch.setattr(training_ops, "_range_ways", parallel.FasterOfTwo())
    monkeypatch.setattr(training_ops, "_CACHE_RANGE_BYTES", 400)
    clock = [0.0]
    monkeypatch.setattr(training_ops.time, "perf_counter", lambda: clock[0])
    ways = []

    def update(arrays, scalars, grad):
        whole = arrays[0].size == 2100
        ways.append("whole" if whole else "range")
        clock[0] += 1.0 if whole else 0.2  # (21 ranges of 100: 4.2 against 1.0)
        arrays[0] -= grad

    var, grad = np.zeros(2100, np.float32), np.ones(2100, np.float32)
    calls = []
    for _ in range(40):
        first = len(ways)
        training_ops._split_update(update, [var], [], grad)
        calls.append(ways[first])
    np.testing.assert_array_equal(var, -40.0)
    assert calls[:4] == ["range", "whole", "range", "whole"]
    # then whole arrays, but for a probe of the ranges (a warm-up call and a timed one)
    # at the 16th call; it lost by far, so the next waits 32 calls (past the 40th)
    assert [i + 1 for i, w in enumerate(calls) if w == "range"][2:] == [16, 17]
