"""Chains' heads and constant operands (client/passes/fuse.py, lower.py): the op before
a chain (a product, a sum) runs in the chain's step, and constants are operands of the
step, not slots. A plan of tiny ops makes half the steps; values and errors are those
of the ops one by one."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.client.passes import fuse
from tfgraph.client.plan import ExecutionPlan


@pytest.fixture
def chains(monkeypatch):
    """The chains plans make (recorded as they are made)."""
    made: list = []
    make = fuse.FusedChain

    def spy(*args):
        made.append(make(*args))
        return made[-1]

    monkeypatch.setattr(fuse, "FusedChain", spy)
    return made


def _blocks(x, n: int):
    """`n` blocks of the 20,000-op benchmark's ops: a product, a chain, a sum, a chain."""
    h = x
    for k in range(n):
        w = tf.constant(np.full((16, 16), 0.01 * (k + 1), np.float32))
        h = tf.maximum(tf.matmul(h, w) + 0.5, 0.0) * 0.9
        h = h - tf.reduce_sum(h, axis=1, keepdims=True) * 0.001
    return h


def _run(build, feeds: dict, fused: bool, monkeypatch, fetch_extra=()):
    monkeypatch.setattr(fuse, "ENABLED", fused)
    with tf.Graph().as_default():
        holders = {
            k: tf.placeholder(v.dtype, [None, *v.shape[1:]], name=k) for k, v in feeds.items()
        }
        out = build(holders)
        with tf.Session() as sess:
            values = sess.run([out, *fetch_extra], {holders[k]: v for k, v in feeds.items()})
            plans = [p for p in sess._cache.values() if isinstance(p, ExecutionPlan)]
    return values, plans


@pytest.mark.parametrize("rows", [4, 3000])  # (small values; big ones take the chunked way)
def test_products_and_sums_head_their_chains_with_the_same_values(chains, monkeypatch, rows):
    x = np.random.RandomState(0).standard_normal((rows, 16)).astype(np.float32)
    (got,), (plan,) = _run(lambda p: _blocks(p["x"], 5), {"x": x}, True, monkeypatch)
    (expected,), _ = _run(lambda p: _blocks(p["x"], 5), {"x": x}, False, monkeypatch)
    np.testing.assert_array_equal(got, expected)
    assert sorted({c.head[0].type for c in chains}) == ["MatMul", "Sum"]
    assert len(plan.steps) == 10  # (two steps a block, where there were four)


def test_a_failing_head_names_its_own_op(monkeypatch):
    """A head that fails raises as its own step would: TF's error, naming the head."""
    for fused in (True, False):
        monkeypatch.setattr(fuse, "ENABLED", fused)
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, None], name="x")
            w = tf.placeholder(tf.float32, [None, None], name="w")
            y = tf.maximum(tf.matmul(x, w, name="product") + 0.5, 0.0)
            with tf.Session() as sess:
                with pytest.raises(tf.errors.InvalidArgumentError, match="size-incompatible") as e:
                    sess.run(y, {x: np.ones((2, 3)), w: np.ones((4, 5))})
        assert e.value.op is not None and e.value.op.name == "product", fused


def test_a_failing_chain_after_a_head_names_its_op(monkeypatch):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        s = tf.placeholder(tf.float32, [None, None], name="s")
        y = tf.subtract(tf.matmul(x, tf.ones((3, 3))) * 2.0, s, name="minus")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes") as e:
                sess.run(y, {x: np.ones((2, 3)), s: np.ones((5, 7))})
    assert e.value.op.name == "minus"


def test_step_stats_name_the_head(monkeypatch):
    monkeypatch.setattr(fuse, "ENABLED", True)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 16], name="x")
        y = tf.maximum(tf.matmul(x, tf.ones((16, 16)), name="product") + 1.0, 0.0, name="out")
        meta = tf.RunMetadata()
        with tf.Session() as sess:
            options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
            sess.run(y, {x: np.ones((4, 16))}, options=options, run_metadata=meta)
    names = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
    assert {"product", "add", "out"} <= names


def test_a_value_read_twice_heads_nothing(chains, monkeypatch):
    """A head's value is read by the chain's first op alone: a product also fetched, or
    read by two ops, keeps its own step."""
    x = np.ones((4, 16), np.float32)

    def build(p):
        m = tf.matmul(p["x"], tf.ones((16, 16)))
        return tf.maximum(m * 2.0, 0.0) + m

    (got,), _ = _run(build, {"x": x}, True, monkeypatch)
    np.testing.assert_array_equal(got, np.full((4, 16), 48.0, np.float32))
    assert all(c.head is None for c in chains)


def test_constants_are_the_steps_own_operands(chains, monkeypatch):
    """A chain's constant operands are held by its step; the template keeps no copy of
    a constant nothing else reads, and a fetched one is still there. Equal small
    constants are one read-only object."""
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    with tf.Graph().as_default():
        fetched = tf.constant(3.0, name="fetched")
        half = tf.constant(0.5, name="half")

        def build(p):
            a = tf.maximum(p["x"] * half, 0.0) * 0.5
            return tf.maximum(a * fetched, 1.0) + 0.5

        monkeypatch.setattr(fuse, "ENABLED", True)
        holder = tf.placeholder(tf.float32, [None, 4], name="x")
        out = build({"x": holder})
        with tf.Session() as sess:
            got, c = sess.run([out, fetched], {holder: x})
            (plan,) = [p for p in sess._cache.values() if isinstance(p, ExecutionPlan)]
    expected = np.maximum(np.maximum(x * 0.5, 0.0) * 0.5 * 3.0, 1.0) + 0.5
    np.testing.assert_array_equal(got, expected)
    assert c == 3.0
    assert sum(v is not None for v in plan.template) == 1  # (the fetched constant)
    halves = [k for chain in chains for k in chain.consts if k.shape == () and k == 0.5]
    assert len(halves) >= 3 and all(k is halves[0] for k in halves)
    assert not halves[0].flags.writeable


def test_a_fed_constant_is_read_from_its_feed(monkeypatch):
    monkeypatch.setattr(fuse, "ENABLED", True)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        c = tf.constant(2.0, name="c")
        y = tf.maximum(x * c, 0.0) + c
        with tf.Session() as sess:
            assert sess.run(y, {x: np.ones((1, 2))}).tolist() == [[4.0, 4.0]]
            assert sess.run(y, {x: np.ones((1, 2)), c: 5.0}).tolist() == [[10.0, 10.0]]


def test_a_head_before_a_big_constant(chains, monkeypatch):
    """A chain whose first op reads a big constant always takes the chunked way; its head
    runs first into its slot."""
    rng = np.random.RandomState(1)
    w = rng.standard_normal((300, 300)).astype(np.float32)
    big = rng.standard_normal((300, 300)).astype(np.float32)
    x = rng.standard_normal((300, 300)).astype(np.float32)

    def build(p):
        return tf.maximum(tf.matmul(p["x"], w) + big, 0.0) * 2.0

    (got,), _ = _run(build, {"x": x}, True, monkeypatch)
    (expected,), _ = _run(build, {"x": x}, False, monkeypatch)
    np.testing.assert_array_equal(got, expected)
    assert [c.head[0].type for c in chains] == ["MatMul"]


def test_small_forms_fall_back_to_the_kernels_errors(monkeypatch):
    """A head's small form (np.dot, the sum's reduce) that fails hands over to the kernel,
    which raises TF's error naming the head's op."""
    monkeypatch.setattr(fuse, "ENABLED", True)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None], name="x")
        w = tf.placeholder(tf.float32, [None, 5], name="w")
        y = tf.maximum(tf.matmul(x, w, name="product") * 2.0, 0.0)
        free = tf.placeholder(tf.float32, None, name="free")
        s = tf.maximum(tf.reduce_sum(free, axis=3, name="total") * 2.0, 0.0)
        with tf.Session() as sess:
            np.testing.assert_array_equal(
                sess.run(y, {x: np.ones((2, 3)), w: np.ones((3, 5))}), np.full((2, 5), 6.0)
            )
            with pytest.raises(tf.errors.InvalidArgumentError, match="size-incompatible") as e:
                sess.run(y, {x: np.ones((2, 3)), w: np.ones((4, 5))})
            assert e.value.op.name == "product"
            assert sess.run(s, {free: np.ones((1, 2, 3, 4))}).shape == (1, 2, 3)
            with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction") as e:
                sess.run(s, {free: np.ones((2, 3))})
            assert e.value.op.name == "total"


def test_a_product_too_big_for_its_small_form_runs_its_kernel(chains, monkeypatch):
    """Past its small form's limit a head's product runs its kernel (shared out, in
    pieces): the same values as the ops one by one."""
    from tfgraph.platform import parallel

    monkeypatch.setattr(parallel, "_MIN_PARALLEL_MACS", 4096)
    rng = np.random.RandomState(3)
    x = rng.standard_normal((64, 128)).astype(np.float32)
    w = rng.standard_normal((128, 128)).astype(np.float32)

    def build(p):
        return tf.maximum(tf.matmul(p["x"], w) * 0.5, 0.0)

    (got,), _ = _run(build, {"x": x}, True, monkeypatch)
    (expected,), _ = _run(build, {"x": x}, False, monkeypatch)
    np.testing.assert_array_equal(got, expected)
    (chain,) = chains
    assert chain.head_form is not None and x.size >= chain.head_form[1]
