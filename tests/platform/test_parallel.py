"""Kernels split over threads: same results as one thread, subnormals flushed in every
thread, errors propagate."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import conv_kernels
from tfgraph.platform import parallel


def test_run_blocks_runs_every_block_once_across_threads(two_threads):
    seen = []
    states = parallel.run_blocks(list(range(50)), lambda b, s: (seen.append(b), s.append(b)), list)
    assert sorted(seen) == list(range(50))
    assert sorted(b for s in states for b in s) == list(range(50))


def test_errors_in_any_thread_propagate(two_threads):
    def work(b, _):
        if b == 7:
            raise ValueError("block 7")

    with pytest.raises(ValueError, match="block 7"):
        parallel.run_blocks(list(range(20)), work)


def _assert_same_sums(actual, desired) -> None:
    np.testing.assert_allclose(actual, desired, rtol=2e-6, atol=0)


def test_split_products_equal_one_thread(two_threads, monkeypatch):
    """Equal to float32 rounding: OpenBLAS computes the rows (columns) left over by its
    micro-kernel's blocks with another kernel, in another order, on some CPUs (seen on
    an AMD EPYC with the Haswell kernels), so a piece's edges may round differently."""
    rng = np.random.RandomState(0)
    a, b = rng.rand(700, 300).astype(np.float32), rng.rand(300, 90).astype(np.float32)
    monkeypatch.setattr(parallel, "_MIN_PARALLEL_MACS", 1)
    monkeypatch.setattr(parallel, "_MIN_SHARED_MACS", 1 << 62)  # (not the private BLAS)
    _assert_same_sums(parallel.matmul(a, b), a @ b)  # (split by rows)
    c, d = rng.rand(100, 300).astype(np.float32), rng.rand(300, 517).astype(np.float32)
    _assert_same_sums(parallel.matmul(c, d), c @ d)  # (split by columns)
    _assert_same_sums(parallel.matmul(d.T, c.T), d.T @ c.T)
    x = rng.rand(16, 14, 14, 8).astype(np.float32)
    f = rng.rand(5, 5, 8, 12).astype(np.float32)
    dy = rng.rand(16, 14, 14, 12).astype(np.float32)
    monkeypatch.setattr(conv_kernels, "_MIN_BLOCK_BYTES", 1 << 12)
    args = ((1, 1), (1, 1), (2, 2, 2, 2), (14, 14))
    threaded = conv_kernels.conv2d(x, f, *args)
    dfilter = conv_kernels.conv2d_backprop_filter(x, f.shape, dy, *args[:3])
    monkeypatch.setattr(parallel, "_THREADS", 1)
    _assert_same_sums(threaded, conv_kernels.conv2d(x, f, *args))
    _assert_same_sums(dfilter, conv_kernels.conv2d_backprop_filter(x, f.shape, dy, *args[:3]))


def test_pool_threads_flush_subnormals(two_threads, monkeypatch):
    monkeypatch.setattr(parallel, "_MIN_PARALLEL_MACS", 1)
    monkeypatch.setattr(parallel, "_MIN_SHARED_MACS", 1 << 62)
    tiny = np.full((64, 8), 1e-20, np.float32)
    x = tf.placeholder(tf.float32, [64, 8])
    y = tf.matmul(x, tf.constant(np.full((8, 8), 1e-20, np.float32)))
    with tf.Session() as sess:
        out = sess.run(y, {x: tiny})
    assert not np.any(out)  # 8e-40 is subnormal in float32: TF's CPU kernels give 0


def test_split_max_pool_grad_equals_one_thread(two_threads, monkeypatch):
    rng = np.random.RandomState(1)
    x = rng.rand(16, 28, 28, 8).astype(np.float32)
    x[:, 1::2] = x[:, ::2]  # ties in every window: the first maximum gets the gradient
    dy = rng.rand(16, 14, 14, 8).astype(np.float32)
    geometry = ((1, 2, 2, 1), (1, 2, 2, 1), ((0, 0), (0, 0), (0, 0), (0, 0)), dy.shape)
    monkeypatch.setattr(conv_kernels, "_PARALLEL_POOL_ELEMENTS", 1)
    threaded = conv_kernels.max_pool_grad(x, dy, *geometry)
    monkeypatch.setattr(parallel, "_THREADS", 1)
    np.testing.assert_array_equal(threaded, conv_kernels.max_pool_grad(x, dy, *geometry))


def test_split_elementwise_kernel_equals_one_thread(two_threads, monkeypatch):
    """ReluGrad over the kernel threads: the same values, NaN and -0.0 as TF's g * (x > 0)."""
    rng = np.random.RandomState(2)
    g = rng.randn(40, 50, 30).astype(np.float32)
    x = rng.randn(40, 50, 30).astype(np.float32)
    g[0, 0, :3] = [np.nan, -1.0, np.nan]
    x[0, 0, :3] = [-1.0, -2.0, 1.0]
    monkeypatch.setattr(parallel, "_MIN_PARALLEL_ELEMENTS", 1)
    gt, xt = tf.constant(g), tf.constant(x)
    grad = tf.gradients(tf.nn.relu(xt), xt, grad_ys=gt)[0]
    with tf.Session() as sess:
        threaded = sess.run(grad)
    expected = g * (x > 0)
    np.testing.assert_array_equal(threaded, expected)
    assert np.isnan(threaded[0, 0, 0]) and np.signbit(threaded[0, 0, 1])
