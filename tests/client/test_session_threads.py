"""A session's ConfigProto(intra_op_parallelism_threads=N) limits the threads its kernels
use, and tf.config.threading.set_intra_op_parallelism_threads those of kernels no
session limits (platform/parallel.py). With 1 thread every kernel runs in the calling
thread: TF1's recipe for reproducible results and for sharing a busy machine."""

from __future__ import annotations

import threading

import numpy as np

import tfgraph as tf
from tfgraph.platform import blas, denormal, parallel


def _threads_seen_by_a_kernel():
    """A graph whose py_func reports the kernels' thread count during the run."""
    seen = []

    def report(x):
        seen.append(parallel.num_threads())
        return x

    x = tf.placeholder(tf.float32, [])
    y = tf.py_func(report, [x], tf.float32)
    return x, y, seen


def test_a_sessions_intra_op_threads_limit_its_kernels(two_threads):
    x, y, seen = _threads_seen_by_a_kernel()
    one = tf.ConfigProto(intra_op_parallelism_threads=1)
    with tf.Session(config=one) as limited, tf.Session() as free:
        limited.run(y, {x: 1.0})
        free.run(y, {x: 1.0})
        limited.run(y, {x: 1.0})
    assert seen == [1, 2, 1]
    assert parallel.num_threads() == 2  # (restored after each run)


def test_more_threads_than_the_machine_has_mean_all_of_them(two_threads):
    x, y, seen = _threads_seen_by_a_kernel()
    with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=8)) as sess:
        sess.run(y, {x: 1.0})
    assert seen == [2]


def test_the_limit_is_the_running_threads_own(two_threads):
    x, y, seen = _threads_seen_by_a_kernel()
    one = tf.ConfigProto(intra_op_parallelism_threads=1)
    with tf.Session(config=one) as limited, tf.Session() as free:
        runs = [threading.Thread(target=s.run, args=(y, {x: 1.0})) for s in (limited, free)]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
    assert sorted(seen) == [1, 2]


def test_tf_config_threading_limits_sessions_without_their_own(two_threads):
    x, y, seen = _threads_seen_by_a_kernel()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    assert tf.config.threading.get_intra_op_parallelism_threads() == 1
    with (
        tf.Session() as default,
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2)) as own,
    ):
        default.run(y, {x: 1.0})
        own.run(y, {x: 1.0})
    assert seen == [1, 2]
    tf.config.threading.set_intra_op_parallelism_threads(0)
    assert parallel.num_threads() == 2


def test_one_thread_computes_products_in_the_calling_thread(two_threads, monkeypatch):
    """With one thread a big product is numpy's, whole, in the calling thread: neither
    the private OpenBLAS's threads nor the kernel pool take part."""
    used = []
    monkeypatch.setattr(blas, "matmul", lambda *a: used.append("private") or None)
    monkeypatch.setattr(parallel, "_get_pool", lambda: used.append("pool") or None)
    rng = np.random.RandomState(0)
    a = rng.rand(512, 784).astype(np.float32)
    b = rng.rand(784, 1024).astype(np.float32)  # (411M multiply-adds: shared otherwise)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.matmul(x, tf.constant(b))
    with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1)) as sess:
        got = sess.run(y, {x: a})
    assert used == []
    enter, exit_ = denormal.run_hooks({"MatMul"})  # (numpy's BLAS in this thread, as runs)
    token = enter()
    try:
        alone = np.dot(a, b)
    finally:
        exit_(token)
    np.testing.assert_array_equal(got, alone)
