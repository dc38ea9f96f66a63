"""Convolutions on oneDNN (platform/onednn.py, the optional `onednn` extra): the values of
tfgraph's own kernels, bits fixed per shape whatever the threads, subnormals flushed as
TF flushes them, OpenMP's thread count left as it was, and tfgraph's kernels wherever
oneDNN does not apply. (Against real TF: tests/ops/test_conv_kernels.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import conv_kernels as ck
from tfgraph.platform import onednn, parallel

pytestmark = pytest.mark.skipif(
    not onednn.available(), reason="oneDNN is not installed (the `onednn` extra)"
)

# (input NHWC, filter HWIO, strides, dilations, pads (top, bottom, left, right))
CASES = [
    ((16, 14, 14, 32), (5, 5, 32, 64), (1, 1), (1, 1), (2, 2, 2, 2)),  # MNIST's 2nd layer
    ((12, 28, 28, 1), (5, 5, 1, 32), (1, 1), (1, 1), (2, 2, 2, 2)),  # and its 1st
    ((9, 29, 27, 16), (3, 3, 16, 24), (2, 2), (1, 1), (0, 1, 0, 1)),  # strided, uneven
    ((7, 20, 21, 12), (3, 3, 12, 20), (1, 1), (2, 2), (2, 2, 2, 2)),  # dilated
    ((5, 17, 18, 8), (3, 2, 8, 16), (3, 2), (1, 1), (4, 0, 1, 5)),  # explicit pads
    ((6, 12, 13, 16), (3, 3, 4, 24), (1, 1), (1, 1), (1, 1, 1, 1)),  # 4 groups
    ((6, 12, 13, 16), (3, 3, 8, 8), (2, 2), (1, 1), (0, 1, 0, 1)),  # 2 groups, strided
]


def _operands(case, seed=0):
    xs, fs, strides, dilations, pads = case
    rng = np.random.RandomState(seed)
    x = rng.randn(*xs).astype(np.float32)
    f = (rng.randn(*fs) * 0.1).astype(np.float32)
    out_hw = tuple(
        (xs[1 + d] + pads[2 * d] + pads[2 * d + 1] - ((fs[d] - 1) * dilations[d] + 1)) // strides[d]
        + 1
        for d in range(2)
    )
    dy = rng.randn(xs[0], *out_hw, fs[3]).astype(np.float32)
    return x, f, dy, out_hw


def _all_three(x, f, dy, out_hw, strides, dilations, pads):
    return (
        onednn.conv2d(x, f, strides, dilations, pads, out_hw),
        onednn.conv2d_backprop_input(x.shape, f, dy, strides, dilations, pads),
        onednn.conv2d_backprop_filter(x, f.shape, dy, strides, dilations, pads),
    )


@pytest.fixture
def everything(monkeypatch):
    """oneDNN takes every convolution it can, in pieces of a few images."""
    monkeypatch.setattr(onednn, "MIN_MACS", 0)
    monkeypatch.setattr(onednn, "_PIECE_MACS", 1 << 14)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "x".join(map(str, c[0])))
def test_values_equal_tfgraphs_own_kernels(case, everything, monkeypatch):
    _, _, strides, dilations, pads = case
    x, f, dy, out_hw = _operands(case)
    got = _all_three(x, f, dy, out_hw, strides, dilations, pads)
    monkeypatch.setattr(onednn, "MIN_MACS", 1 << 62)  # (tfgraph's im2col kernels)
    expected = (
        ck.conv2d(x, f, strides, dilations, pads, out_hw),
        ck.conv2d_backprop_input(x.shape, f, dy, strides, dilations, pads),
        ck.conv2d_backprop_filter(x, f.shape, dy, strides, dilations, pads),
    )
    for name, g, e in zip(("forward", "input gradient", "filter gradient"), got, expected):
        assert g is not None, name
        assert g.shape == e.shape and g.dtype == np.float32, name
        scale = float(np.abs(e).max())
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=2e-6 * scale, err_msg=name)
    macs = x.shape[0] * out_hw[0] * out_hw[1] * f.size
    assert len(onednn._pieces(x.shape[0], macs)) > 1  # (these ran in pieces)


@pytest.mark.parametrize("strides", [(1, 1), (2, 2)])
def test_depthwise_convolutions_equal_tfgraphs_own_kernels(strides, everything, monkeypatch):
    rng = np.random.RandomState(3)
    x = rng.randn(6, 15, 14, 8).astype(np.float32)
    f = rng.randn(3, 3, 8, 2).astype(np.float32)  # (channel multiplier 2)
    pads = (1, 1, 1, 1) if strides == (1, 1) else (0, 1, 0, 1)
    out_hw = (15, 14) if strides == (1, 1) else (7, 7)
    dy = rng.randn(6, *out_hw, 16).astype(np.float32)
    geometry = (strides, (1, 1), pads)

    def three():
        return (
            ck.depthwise_conv2d(x, f, *geometry, out_hw),
            ck.depthwise_conv2d_backprop_input(x.shape, f, dy, *geometry),
            ck.depthwise_conv2d_backprop_filter(x, f.shape, dy, *geometry),
        )

    got = three()
    assert "forward: " in onednn.info()
    monkeypatch.setattr(onednn, "MIN_MACS", 1 << 62)
    for name, g, e in zip(("forward", "input gradient", "filter gradient"), got, three()):
        assert g.shape == e.shape, name
        np.testing.assert_allclose(
            g, e, rtol=1e-4, atol=1e-5 * float(np.abs(e).max()), err_msg=name
        )


@pytest.mark.parametrize("case", [CASES[0], CASES[2], CASES[5]], ids=["5x5", "strided", "grouped"])
@pytest.mark.parametrize("activation", [None, "relu", "relu6"])
def test_a_bias_and_activation_in_the_same_pass(case, activation, everything):
    # (the bias added to each finished sum, the activation to each piece in cache: the
    # bits of the ops one by one, NaNs included, which oneDNN's own ReLU turns to 0)
    x, f, _, out_hw = _operands(case)
    x *= 8  # (sums beyond 6 too, for relu6)
    x[0, 1, 1, 0] = np.nan
    bias = np.random.RandomState(5).randn(f.shape[3]).astype(np.float32)
    geometry = (case[2], case[3], case[4], out_hw)
    expected = onednn.conv2d(x, f, *geometry) + bias
    if activation == "relu":
        expected = np.maximum(expected, 0)
    elif activation == "relu6":
        expected = np.minimum(np.maximum(expected, 0), 6)
    got = ck.conv2d_fused(x, f, *geometry, bias, activation)
    assert got.dtype == np.float32 and np.isnan(got).any()
    np.testing.assert_array_equal(got, expected)
    if activation == "relu6":
        assert np.nanmax(got) == 6 and np.nanmin(got) == 0
    # a bias of another length, or of float64: not taken
    assert onednn.conv2d(x, f, *geometry, bias=bias[:-1]) is None
    assert onednn.conv2d(x, f, *geometry, bias=bias.astype(np.float64)) is None


def test_the_three_kinds_run_on_onednns_kernels(everything):
    case = CASES[0]
    x, f, dy, out_hw = _operands(case)
    _all_three(x, f, dy, out_hw, *case[2:])
    used = onednn.info()
    assert used.startswith("oneDNN 3.")
    for kind in ("forward: ", "input: ", "filter: "):
        assert kind in used, used


def test_bits_are_the_same_every_run_and_with_one_thread(everything):
    case = CASES[0]
    x, f, dy, out_hw = _operands(case)
    first = _all_three(x, f, dy, out_hw, *case[2:])
    again = _all_three(x, f, dy, out_hw, *case[2:])
    previous = parallel.limit_run(1)
    try:
        alone = _all_three(x, f, dy, out_hw, *case[2:])
    finally:
        parallel.limit_run(previous)
    for a, b, c in zip(first, again, alone):
        assert np.array_equal(a, b) and np.array_equal(a, c)


def test_threads_calling_at_once_get_the_same_values(everything):
    case = CASES[2]
    x, f, dy, out_hw = _operands(case)
    expected = _all_three(x, f, dy, out_hw, *case[2:])
    results: list = []

    def call():
        for _ in range(3):
            results.append(_all_three(x, f, dy, out_hw, *case[2:]))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    for got in results:
        for g, e in zip(got, expected):
            assert np.array_equal(g, e)


def test_subnormal_values_give_zeros_in_a_run_as_in_tf(everything):
    # TF's kernels treat subnormal inputs as zero (FTZ|DAZ in every thread); each piece
    # runs on a tfgraph kernel thread, which does too. Without that, these sums of
    # subnormals would be normal numbers.
    sub = np.float32(1e-39)
    assert np.sum(np.full(144, sub)) > 1e-37  # (numpy's own: not flushed)
    x = np.full((8, 12, 12, 16), sub, np.float32)
    f = np.ones((3, 3, 16, 16), np.float32)
    with tf.Graph().as_default():
        xt, ft = tf.constant(x), tf.constant(f)
        y = tf.nn.conv2d(xt, ft, [1, 1, 1, 1], "SAME")
        r = tf.constant(np.full((8, 12, 12, 16), sub, np.float32))
        gx, gf = tf.gradients(tf.reduce_sum(y * r), [xt, ft])
        with tf.Session() as sess:
            values = sess.run([y, gx, gf])
    for name, v in zip(("conv", "input gradient", "filter gradient"), values):
        assert not v.any(), name
    assert all(kind in onednn.info() for kind in ("forward: ", "input: ", "filter: "))


def test_openmp_thread_count_is_left_as_it_was(everything):
    omp = onednn._omp
    before = omp.omp_get_max_threads()
    omp.omp_set_num_threads(3)
    try:
        case = CASES[1]
        x, f, dy, out_hw = _operands(case)
        _all_three(x, f, dy, out_hw, *case[2:])
        assert omp.omp_get_max_threads() == 3
    finally:
        omp.omp_set_num_threads(before)


def test_what_onednn_does_not_take_returns_none(monkeypatch):
    case = CASES[0]
    x, f, _, out_hw = _operands(case)
    args = (case[2], case[3], case[4])
    # float64: tfgraph's own kernels
    assert onednn.conv2d(x.astype(np.float64), f.astype(np.float64), *args, out_hw) is None
    # below MIN_MACS
    monkeypatch.setattr(onednn, "MIN_MACS", 1 << 62)
    assert onednn.conv2d(x, f, *args, out_hw) is None
    monkeypatch.setattr(onednn, "MIN_MACS", 0)
    # padding that does not give the output's size: oneDNN makes no primitive
    assert onednn.conv2d(x, f, case[2], case[3], (0, 0, 0, 0), out_hw) is None


def test_tfgraph_onednn_0_turns_it_off():
    code = (
        "from tfgraph.platform import onednn; import numpy as np\n"
        "x = np.ones((64, 16, 16, 32), np.float32); f = np.ones((3, 3, 32, 32), np.float32)\n"
        "print(onednn.available(), onednn.conv2d(x, f, (1, 1), (1, 1), (1, 1, 1, 1), (16, 16)))"
    )
    env = {**os.environ, "TFGRAPH_ONEDNN": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "None"]


# -- pooling ------------------------------------------------------------------------------

# (input NHWC, window, stride, padding)
POOLS = [
    ((16, 28, 28, 32), 2, 2, b"SAME"),  # MNIST's first pool
    ((9, 15, 17, 8), 3, 2, b"SAME"),  # overlapping windows, padding
    ((9, 15, 17, 8), 3, 2, b"VALID"),  # uncovered edges
    ((9, 15, 17, 8), 3, 1, b"SAME"),
]


def _pool_args(case, seed=0, ties=False):
    shape, k, s, padding = case
    ksize, strides = (1, k, k, 1), (1, s, s, 1)
    pads, out = ck.pool_geometry(shape, ksize, strides, padding)
    rng = np.random.RandomState(seed)
    x = rng.randint(-1, 2, shape) if ties else rng.randn(*shape)
    dy = rng.randn(*out).astype(np.float32)
    return x.astype(np.float32), dy, (ksize, strides, pads, tuple(out))


def _four_pools(x, dy, geometry):
    return (
        onednn.max_pool(x, *geometry),
        onednn.max_pool_grad(x, dy, *geometry),
        onednn.avg_pool(x, *geometry),
        onednn.avg_pool_grad(x.shape, dy, *geometry),
    )


@pytest.fixture
def every_pool(monkeypatch):
    monkeypatch.setattr(onednn, "MIN_POOL_ELEMENTS", 0)
    monkeypatch.setattr(onednn, "_POOL_PIECE_ELEMENTS", 1 << 12)


@pytest.mark.parametrize("ties", [False, True], ids=["", "ties"])
@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{c[1]}x{c[1]}s{c[2]}{c[3].decode()}")
def test_pools_equal_tfgraphs_own_kernels(case, ties, every_pool, monkeypatch):
    x, dy, geometry = _pool_args(case, ties=ties)
    got = _four_pools(x, dy, geometry)
    monkeypatch.setattr(onednn, "MIN_POOL_ELEMENTS", 1 << 62)  # (tfgraph's own kernels)
    expected = (
        ck.max_pool(x, *geometry),
        ck.max_pool_grad(x, dy, *geometry),
        ck.avg_pool(x, *geometry),
        ck.avg_pool_grad(x.shape, dy, *geometry),
    )
    names = ("max pool", "its gradient", "avg pool", "its gradient")
    overlapping = case[1] > case[2]
    for name, g, e in zip(names, got, expected):
        assert g is not None and g.shape == e.shape, name
        if name == "max pool" or (not overlapping and name != "avg pool"):
            # (a maximum, and a gradient routed to each window's first maximum where
            # windows do not overlap: exactly, ties included)
            np.testing.assert_array_equal(g, e, err_msg=name)
        else:  # (sums of several windows' shares: rounding may differ)
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6, err_msg=name)
    assert len(onednn._pieces(x.shape[0], x.size, onednn._POOL_PIECE_ELEMENTS)) > 1
    for kind in ("maxpool: ", "max_grad: ", "avgpool: ", "avg_grad: "):
        assert kind in onednn.info()


@pytest.mark.parametrize("case", POOLS[:2], ids=["2x2", "3x3s2"])
def test_a_max_pools_gradient_reuses_its_workspace(case, every_pool, monkeypatch):
    # (as TF keeps it between its oneDNN pool and gradient: the gradient then runs the
    # backward pass only, with the same values as when it pools again for it)
    x, dy, geometry = _pool_args(case, ties=True)
    y = onednn.max_pool(x, *geometry)
    forwards = []
    execute = onednn._Compiled._execute

    def counting(handle, args):
        forwards.extend(a for a, _, _ in args if a == onednn._ARG_DST)
        return execute(handle, args)

    monkeypatch.setattr(onednn._Compiled, "_execute", staticmethod(counting))
    kept = onednn.max_pool_grad(x, dy, *geometry, y)
    assert forwards == []
    again = onednn.max_pool_grad(x, dy, *geometry)
    assert len(forwards) == len(onednn._pieces(x.shape[0], x.size, onednn._POOL_PIECE_ELEMENTS))
    np.testing.assert_array_equal(kept, again)
    # only for that very pool: another result of the same values, or another input
    forwards.clear()
    onednn.max_pool_grad(x, dy, *geometry, y.copy())
    onednn.max_pool_grad(x.copy(), dy, *geometry, y)
    assert len(forwards) == 2 * len(onednn._pieces(x.shape[0], x.size, onednn._POOL_PIECE_ELEMENTS))


def test_kept_workspaces_go_with_their_arrays(every_pool):
    x, _, geometry = _pool_args(POOLS[1])
    for _ in range(3 * onednn._Workspace._MAX):
        onednn.max_pool(x.copy(), *geometry)  # (its input and result die at once)
    y = onednn.max_pool(x, *geometry)
    kept = onednn._Workspace._kept
    assert len(kept) <= onednn._Workspace._MAX
    assert all(w.x() is not None and w.out() is not None for w in kept.values())
    assert onednn._Workspace.find(x, y, onednn._pool_geometry(x.shape, *geometry[:3], y.shape))


def test_pool_bits_with_one_thread_and_every_run(every_pool):
    x, dy, geometry = _pool_args(POOLS[1])
    first = _four_pools(x, dy, geometry)
    previous = parallel.limit_run(1)
    try:
        alone = _four_pools(x, dy, geometry)
    finally:
        parallel.limit_run(previous)
    for a, b in zip(first, alone):
        assert np.array_equal(a, b)


def test_nan_windows_pool_as_tf_does(every_pool):
    # Measured in TF 2.21: a window of NaNs only pools to float32's lowest value and
    # routes its gradient to its first element; NaN is otherwise never the maximum.
    x, dy, geometry = _pool_args(((4, 8, 8, 16), 2, 2, b"SAME"))
    x[0, 0, 1, :] = np.nan
    x[1, 2:4, 2:4, :] = np.nan
    y, dx = onednn.max_pool(x, *geometry), onednn.max_pool_grad(x, dy, *geometry)
    assert np.all(y[1, 1, 1] == np.finfo(np.float32).min)
    assert np.array_equal(dx[1, 2, 2], dy[1, 1, 1]) and not dx[1, 2:4, 2:4].ravel()[16:].any()
    window = x[0, 0:2, 0:2, 0]
    assert y[0, 0, 0, 0] == np.nanmax(window)
    assert not np.isnan(y).any()


def test_a_forked_child_convolves_too():
    # libgomp's worker threads do not survive a fork: were any started, the child's next
    # oneDNN call would wait for them forever. tfgraph never starts them.
    code = """
import os, sys, numpy as np
from tfgraph.platform import onednn
x = np.ones((64, 16, 16, 32), np.float32); f = np.ones((3, 3, 32, 32), np.float32)
first = onednn.conv2d(x, f, (1, 1), (1, 1), (1, 1, 1, 1), (16, 16))
pid = os.fork()
if pid == 0:
    again = onednn.conv2d(x, f, (1, 1), (1, 1), (1, 1, 1, 1), (16, 16))
    os._exit(0 if np.array_equal(first, again) else 3)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_library_is_found_where_the_wheel_put_it(monkeypatch):
    found = onednn._library_path()
    assert found and os.path.exists(found)
    # in another prefix than Python's: the wheel's own record says where
    monkeypatch.setattr(sys, "prefix", "/nonexistent")
    monkeypatch.setattr(onednn.site, "getuserbase", lambda: "/nonexistent")
    assert os.path.samefile(onednn._library_path(), found)
    monkeypatch.setenv("TFGRAPH_ONEDNN_LIBRARY", "/nonexistent/libdnnl.so.3")
    assert onednn._library_path() is None
