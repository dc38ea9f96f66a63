"""The private OpenBLAS (platform/blas.py): numpy's products, subnormals flushed in all of
its threads, numpy's own BLAS untouched, and the choice between it and one thread."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.platform import blas, denormal, parallel

pytestmark = pytest.mark.skipif(
    not blas.available(), reason="no private OpenBLAS here (scipy-openblas32, x86-64, 2+ CPUs)"
)

SUBNORMAL = np.float32(1e-39)


def _operands(dtype, m=300, k=200, n=250, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(m, k).astype(dtype), rng.randn(k, n).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_products_equal_numpy_for_every_layout(dtype):
    a, b = _operands(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    wide = np.zeros((300, 260), dtype)
    wide[:, :200] = a
    frozen = a.copy()
    frozen.flags.writeable = False
    for x, y in [
        (frozen, b),  # (a read-only operand: its address not from a writable buffer)
        (a[7:], b),  # (rows starting inside an array)
        (a, b),
        (np.asfortranarray(a), b),  # (a transposed view in BLAS's eyes)
        (a, np.asfortranarray(b)),
        (wide[:, :200], b),  # (rows with a stride longer than the row)
        (a[::2], b),  # (every other row: copied)
        (a[:, ::-1], b[::-1]),  # (negative strides: copied)
        (a[:1], b),  # (one row)
        (a, b[:, :1]),  # (one column)
    ]:
        got = blas.matmul(x, y)
        assert got.dtype == dtype and got.flags.c_contiguous
        np.testing.assert_allclose(got, np.dot(x, y), rtol=tol, atol=tol)


@pytest.mark.parametrize("shared", [True, False])
def test_products_into_a_given_array(shared):
    a, b = _operands(np.float32)
    out = np.full((300, 250), np.nan, np.float32)
    got = blas.matmul(a, b, shared, out=out)
    assert got is out
    np.testing.assert_allclose(out, np.dot(a, b), rtol=1e-4, atol=1e-4)
    for wrong in (np.empty((250, 300), np.float32), np.empty((300, 250)),
                  np.empty((250, 300), np.float32).T):  # fmt: skip
        assert blas.matmul(a, b, shared, out=wrong) is None


def test_what_it_does_not_take():
    a, b = _operands(np.float32)
    assert blas.matmul(a.astype(np.int32), b.astype(np.int32)) is None
    assert blas.matmul(a, b.astype(np.float64)) is None
    assert blas.matmul(a.astype(">f4"), b.astype(">f4")) is None  # (not native order)
    assert blas.matmul(a[:0], b) is None


def test_every_thread_flushes_subnormals():
    # 512 rows: OpenBLAS gives the rows to both of its threads
    tiny = np.full((512, 512), SUBNORMAL)
    ones = np.ones((512, 512), np.float32)
    before = denormal.mxcsr()
    assert not blas.matmul(tiny, ones).any()  # (TF: 0; without DAZ, 5.1e-37 in each)
    assert denormal.mxcsr() == before  # (the caller's mode restored)


def test_numpys_blas_keeps_its_floating_point_mode():
    tiny = np.full((512, 512), SUBNORMAL)
    ones = np.ones((512, 512), np.float32)
    blas.matmul(tiny, ones)
    assert np.dot(tiny, ones).all()  # (numpy outside tfgraph: subnormals are numbers)


def test_graph_products_on_both_ways_flush_subnormals_like_tf():
    x = tf.placeholder(tf.float32, [None, 512])
    y = tf.matmul(x, tf.ones([512, 512]))
    z = tf.matmul(x, tf.ones([512, 512]), transpose_b=True)
    tiny = np.full((512, 512), SUBNORMAL)
    with tf.Session() as sess:
        for _ in range(8):  # (the shape's first calls try the private BLAS and one thread)
            a, b = sess.run([y, z], {x: tiny})
            assert not a.any() and not b.any()
            a, b = sess.run([y, z], {x: np.ones((512, 512), np.float32)})
            np.testing.assert_array_equal(a, 512.0)
            np.testing.assert_array_equal(b, 512.0)


def test_each_shape_takes_the_faster_way(monkeypatch):
    monkeypatch.setattr(parallel, "_THREADS", 2)
    monkeypatch.setattr(parallel, "_shared_ways", parallel.FasterOfTwo())
    monkeypatch.setattr(parallel, "_MIN_SHARED_MACS", 1)
    clock = [0.0]
    monkeypatch.setattr(parallel.time, "perf_counter", lambda: clock[0])
    ways = []
    costs = {"shared": 1.0, "one thread": 3.0}

    def timed(a, b, shared, threads):
        name = "shared" if shared else "one thread"
        ways.append(name)
        clock[0] += costs[name]
        return np.dot(a, b)

    def unused(a, b):
        raise AssertionError("the private OpenBLAS applies: no fallback")

    a, b = _operands(np.float32, 64, 32, 48)
    monkeypatch.setattr(blas, "matmul", timed)
    for _ in range(36):
        np.testing.assert_array_equal(parallel.shared_matmul(a, b, unused), np.dot(a, b))
    assert ways[:4] == ["shared", "one thread", "shared", "one thread"]
    # then the shared product, but for a probe of the other way: two calls (a warm-up,
    # not kept, then its time) at call 16; it lost by far, so the next waits 32 calls
    assert [i + 1 for i, w in enumerate(ways) if w == "one thread"][2:] == [16, 17]
    # on a busy machine the shared product gets slower: one slow call takes its average
    # (1 -> 3.25) past the other's (3); then only probes, each lost one doubling the wait
    costs["shared"] = 10.0
    for _ in range(94):
        parallel.shared_matmul(a, b, unused)
    assert len(ways) == 130
    assert [n for n in range(37, 131) if ways[n - 1] == "shared"] == [37, 49, 50, 114, 115]
    # the machine is quiet again: the next probe (after 128 calls) takes the shared
    # product's time as it is, not blended with the slow spell's, and the shared way
    # at once
    costs["shared"] = 1.0
    for _ in range(120):
        parallel.shared_matmul(a, b, unused)
    assert ways[130:242] == ["one thread"] * 112
    assert ways[242:] == ["shared"] * 8  # (calls 243-250: the probe won)
    # other shapes keep their own times
    c, d = _operands(np.float32, 8, 8, 8)
    del ways[:]
    for _ in range(4):
        parallel.shared_matmul(c, d, unused)
    assert ways == ["shared", "one thread", "shared", "one thread"]


def test_few_row_products_take_numpys_whole_product(monkeypatch):
    """An RNN's 32-row products (cut into columns when shared) are numpy's whole product
    below _MIN_SHARED_COLUMN_MACS where the process found that faster than sharing, and
    always the same bits for a shape; many-row products of the same size still weigh the
    two ways."""
    monkeypatch.setattr(blas, "shares_few_rows", lambda: False)
    monkeypatch.setattr(parallel, "_THREADS", 2)
    monkeypatch.setattr(parallel, "_shared_ways", parallel.FasterOfTwo())
    taken = []

    def timed(a, b, shared, threads):
        taken.append(a.shape)
        return np.dot(a, b)

    monkeypatch.setattr(blas, "matmul", timed)
    monkeypatch.setattr(blas, "available", lambda: True)
    a, b = _operands(np.float32, 32, 256, 512)  # (4.2M multiply-adds)
    assert blas.cuts_columns(32, 512)
    for _ in range(3):
        np.testing.assert_array_equal(parallel.matmul(a, b), np.dot(a, b))
    assert taken == []
    c, d = _operands(np.float32, 128, 128, 256)  # (the same size, cut by rows)
    assert not blas.cuts_columns(128, 256)
    parallel.matmul(c, d)
    assert taken == [(128, 128)]
    e, f = _operands(np.float32, 32, 1024, 512)  # (16.8M: shared again)
    parallel.matmul(e, f)
    assert taken[-1] == (32, 1024)


def test_pieces_follow_the_shape_and_the_thread_count_only(monkeypatch):
    monkeypatch.setattr(blas, "_row_period", None)
    assert blas.pieces(128, 256, 2) == (True, [(0, 64), (64, 128)])
    assert blas.pieces(784, 256, 2) == (True, [(0, 392), (392, 784)])
    assert blas.pieces(32, 512, 2) == (False, [(0, 256), (256, 512)])  # (an LSTM's few rows)
    assert blas.pieces(16, 16, 2) == (True, [(0, 16)])  # (too small to cut)
    assert blas.pieces(128, 256, 4) == (True, [(0, 32), (32, 64), (64, 96), (96, 128)])
    assert blas.pieces(100, 8, 3) == (True, [(0, 33), (33, 67), (67, 100)])
    monkeypatch.setattr(parallel, "_THREADS", 2)
    assert blas.pieces(128, 256) == blas.pieces(128, 256, 2)  # (the kernel threads)
    # cuts between rows on multiples of the kernel's period; columns as they were
    monkeypatch.setattr(blas, "_row_period", 12)
    assert blas.pieces(128, 256, 2) == (True, [(0, 60), (60, 128)])
    assert blas.pieces(784, 256, 4) == (True, [(0, 192), (192, 396), (396, 588), (588, 784)])
    assert blas.pieces(32, 512, 2) == (False, [(0, 256), (256, 512)])


def test_the_row_period_found_at_load_gives_the_whole_products_bits():
    """Cut between rows on multiples of `_row_period`, a product has the bits of the whole
    product on one thread, so the one-thread way computes such products whole (numpy's
    BLAS inside a run, if it has the library's bits) at its full speed."""
    if blas._row_period is None:
        pytest.skip("no row period on this machine: both ways compute the pieces")
    rng = np.random.RandomState(5)
    token = denormal.enter()  # (as inside a run: numpy's BLAS on this thread)
    try:
        for dtype in (np.float32, np.float64):
            for m, k, n in [(128, 784, 256), (784, 128, 256), (300, 77, 90), (65, 2000, 64)]:
                a = rng.standard_normal((m, k)).astype(dtype)
                b = rng.standard_normal((k, n)).astype(dtype)
                rows, bounds = blas.pieces(m, n, 2)
                assert rows and all(lo % blas._row_period == 0 for lo, _ in bounds)
                shared, alone = blas.matmul(a, b, True, 2), blas.matmul(a, b, False, 2)
                np.testing.assert_array_equal(shared, alone)
                if blas._numpy_whole:
                    np.testing.assert_array_equal(shared, np.dot(a, b))
    finally:
        denormal.exit(token)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_both_ways_give_the_same_bits(dtype):
    """OpenBLAS rounds a product it splits over threads differently from one it does not
    (seen here: up to 5e-5 apart on 128 x 784 @ 784 x 256), so the shared and the
    one-thread ways must compute the same pieces, or a product's bits would depend on
    the machine's load at that call."""
    for m, k, n in [(128, 784, 256), (32, 256, 512), (784, 128, 256), (33, 65, 130), (1, 5, 3)]:
        a, b = _operands(dtype, m, k, n, seed=m)
        for x, y in [(a, b), (np.asfortranarray(a), b), (a, np.asfortranarray(b)), (b.T.T, b.T.T)]:
            if x.shape[1] != y.shape[0]:
                continue
            shared, alone = blas.matmul(x, y, True), blas.matmul(x, y, False)
            np.testing.assert_array_equal(shared, alone)
            tol = 1e-4 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(shared, np.dot(x, y), rtol=tol, atol=tol)


def test_a_graphs_products_keep_their_bits_whichever_way_each_call_takes(monkeypatch):
    """A training step run twice from the same weights gives the same bits, though each
    product alternates between the private OpenBLAS's threads and the calling thread."""
    flips = [0]
    real = parallel.FasterOfTwo()

    def alternate(key):
        flips[0] += 1
        return real.pick(key)[0], flips[0] % 2 == 0

    monkeypatch.setattr(parallel._shared_ways, "pick", alternate)
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [128, 784])
    w = tf.Variable(rng.randn(784, 256).astype(np.float32) * 0.05)
    v = tf.Variable(rng.randn(256, 10).astype(np.float32) * 0.05)
    loss = tf.reduce_sum(tf.square(tf.matmul(tf.nn.relu(tf.matmul(x, w)), v)))
    train = tf.train.GradientDescentOptimizer(1e-4).minimize(loss)
    data = rng.rand(128, 784).astype(np.float32)
    runs = []
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: data})
            runs.append(sess.run([loss, w, v], {x: data}))
    assert flips[0] > 10
    for first, second in zip(*runs):
        np.testing.assert_array_equal(first, second)


def test_can_be_turned_off():
    code = "from tfgraph.platform import blas; print(blas.available())"
    env = dict(os.environ, TFGRAPH_PRIVATE_BLAS="0")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_few_row_products_share_where_that_was_faster(monkeypatch):
    """Where sharing measured faster at load, a 32-row product below
    _MIN_SHARED_COLUMN_MACS goes to the shared product (its ways give the same bits)."""
    monkeypatch.setattr(blas, "shares_few_rows", lambda: True)
    monkeypatch.setattr(parallel, "_THREADS", 2)
    monkeypatch.setattr(parallel, "_shared_ways", parallel.FasterOfTwo())
    taken = []

    def timed(a, b, shared, threads):
        taken.append(shared)
        return np.dot(a, b)

    monkeypatch.setattr(blas, "matmul", timed)
    monkeypatch.setattr(blas, "available", lambda: True)
    a, b = _operands(np.float32, 32, 256, 512)
    for _ in range(4):
        np.testing.assert_array_equal(parallel.matmul(a, b), np.dot(a, b))
    assert taken == [True, False, True, False]  # (each way tried twice first)


@pytest.mark.parametrize("chosen", ["whole", "shared"])
def test_the_environment_fixes_how_few_row_products_run(monkeypatch, chosen):
    """TFGRAPH_FEW_ROW_PRODUCTS fixes the choice without timing (the same bits in every
    process of a machine)."""
    monkeypatch.setenv("TFGRAPH_FEW_ROW_PRODUCTS", chosen)
    assert blas._shares_few_rows(None) is (chosen == "shared")


def test_the_few_row_choice_is_made_once_at_load():
    """Without the environment's choice the library times both ways once, at load."""
    if not blas.available():
        pytest.skip("no private OpenBLAS here")
    assert blas.shares_few_rows() in (True, False)
    assert blas.shares_few_rows() is blas._few_rows_shared


_CORES = """
import ctypes, glob, os, numpy
from tfgraph.platform import blas
ours = blas.core_name()
numpys = None  # (numpy's bundled OpenBLAS, where numpy has one)
libs = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*")
for lib in glob.glob(libs):
    for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_"):
        fn = getattr(ctypes.CDLL(lib), symbol, None)
        if fn is not None:
            fn.restype = ctypes.c_char_p
            numpys = fn().decode()
print(ours, numpys, os.environ.get("OPENBLAS_CORETYPE"))
"""


def _cores(**changes) -> list[str]:
    """(private library's kernels, numpy's, OPENBLAS_CORETYPE after the load) in a fresh
    process whose environment has `changes` (None: removed)."""
    env = dict(os.environ)
    for name, value in changes.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    out = subprocess.run(
        [sys.executable, "-c", _CORES], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_the_library_takes_openblas_own_kernels_whatever_pins_numpys():
    """OPENBLAS_CORETYPE pins numpy's OpenBLAS only: the private library takes the
    kernels OpenBLAS picks for this CPU (as TF's kernels ignore the pin), and the
    environment is as it was after the load."""
    own = _cores(OPENBLAS_CORETYPE=None, TFGRAPH_BLAS_CORETYPE=None)
    pinned = _cores(OPENBLAS_CORETYPE="Haswell", TFGRAPH_BLAS_CORETYPE=None)
    if own[1] != "None":
        assert own[0] == own[1]  # (both OpenBLAS builds pick alike)
    assert pinned[0] == own[0]
    assert pinned[2] == "Haswell"
    if pinned[1] != "None":
        assert pinned[1] == "Haswell"  # (numpy's as pinned)


def test_the_environment_names_the_librarys_kernels():
    """TFGRAPH_BLAS_CORETYPE names the private library's kernels (AVX2 ones here, which
    every x86-64 machine this library runs on can run, else OpenBLAS's fallback)."""
    got = _cores(OPENBLAS_CORETYPE=None, TFGRAPH_BLAS_CORETYPE="Haswell")
    with open("/proc/cpuinfo") as f:
        avx2 = "avx2" in f.read()
    if avx2:
        assert got[0] == "Haswell"
    assert got[2] == "None"
