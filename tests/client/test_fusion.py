"""The fusion pass (client/passes/fuse.py): chains of elementwise ops run chunk by
chunk in one step, with exactly the values op-by-op execution gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfgraph as tf
from tfgraph.client.passes import fuse

N = 3 * fuse.MIN_ELEMENTS + 17  # (big enough to take the chunked path; ragged last chunk)

_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": tf.maximum,
    "minimum": tf.minimum,
}
_UNARY = {"neg": lambda a: -a}


@pytest.fixture
def fused_steps(monkeypatch):
    """The chain lengths of the fused steps plans make (recorded as they are made)."""
    made: list[int] = []
    make = fuse.FusedChain

    def spy(members, *args):
        made.append(len(members))
        return make(members, *args)

    monkeypatch.setattr(fuse, "FusedChain", spy)
    return made


def _run(build, feeds: dict, fused: bool, monkeypatch, fetch_all=False):
    monkeypatch.setattr(fuse, "ENABLED", fused)
    with tf.Graph().as_default():
        placeholders = {k: tf.placeholder(v.dtype, v.shape, name=k) for k, v in feeds.items()}
        out = build(placeholders)
        with tf.Session() as sess:
            return sess.run(out, {placeholders[k]: v for k, v in feeds.items()})


def _program(steps):
    """A chain: each step applies one op to the running value and an operand (a
    scalar constant, the second input, or nothing)."""

    def build(p):
        y = p["x"]
        for name, operand in steps:
            if name in _UNARY:
                y = _UNARY[name](y)
            else:
                other = p["z"] if operand is None else tf.constant(operand, y.dtype)
                y = _BINARY[name](y, other)
        return y

    return build


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(sorted(_BINARY) + sorted(_UNARY)),
            st.one_of(st.none(), st.floats(-3, 3, width=32)),
        ),
        min_size=2,
        max_size=12,
    ),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_random_chains_give_the_unfused_values(steps, dtype, fused_steps, monkeypatch):
    rng = np.random.RandomState(len(steps))
    feeds = {
        "x": rng.standard_normal(N).astype(dtype),
        "z": (rng.standard_normal(N) + 2.5).astype(dtype),
    }
    build = _program(steps)
    fused_steps.clear()
    with np.errstate(all="ignore"):
        expected = _run(build, feeds, False, monkeypatch)
        got = _run(build, feeds, True, monkeypatch)
    assert fused_steps == [len(steps)]  # (the whole chain, one step)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_the_benchmark_chain_is_one_step(fused_steps, monkeypatch):
    def build(p):
        y = p["x"]
        for _ in range(25):
            y = y * 0.999 + 0.001
            y = tf.maximum(y - 0.5, -2.0)
        return y

    x = np.random.RandomState(0).standard_normal(N).astype(np.float32)
    got = _run(build, {"x": x}, True, monkeypatch)
    assert fused_steps == [100]
    np.testing.assert_array_equal(got, _run(build, {"x": x}, False, monkeypatch))


def test_big_chains_split_over_the_kernel_threads_give_the_same_values(monkeypatch):
    n = fuse._PARALLEL_ELEMENTS + 12_345  # (chunks for every thread; a ragged last one)
    x = np.random.RandomState(1).standard_normal(n).astype(np.float32) * 1e-36  # subnormals

    def build(p):
        y = tf.minimum(p["x"] * 0.5 + 1e-38, 3.0)
        return tf.maximum(y - 0.25, -2.0) / 3.0

    got = _run(build, {"x": x}, True, monkeypatch)
    np.testing.assert_array_equal(got, _run(build, {"x": x}, False, monkeypatch))


def test_a_fetched_or_shared_intermediate_ends_a_chain(fused_steps, monkeypatch):
    x = np.linspace(-2, 2, N).astype(np.float32)

    def build(p):
        a = p["x"] * 2.0 + 1.0  # (a fused pair; `a` is fetched)
        b = a - 3.0
        c = tf.maximum(b, 0.0)  # (b is read twice)
        d = c * b + 1.0
        return [a, d]

    a, d = _run(build, {"x": x}, True, monkeypatch)
    np.testing.assert_array_equal(a, x * np.float32(2) + np.float32(1))
    b = a - np.float32(3)
    np.testing.assert_array_equal(d, np.maximum(b, 0) * b + np.float32(1))
    assert sorted(fused_steps) == [2, 3]  # (x*2+1, and max(b,0)*b+1; b = a-3 stands alone)


def test_small_values_run_op_by_op(fused_steps, monkeypatch):
    def build(p):
        return (p["x"] * p["w"] + 1.0) * 0.5

    x, w = np.arange(6, dtype=np.float32), np.float32(3)
    got = _run(build, {"x": x, "w": np.asarray(w)}, True, monkeypatch)
    np.testing.assert_array_equal(got, (x * w + np.float32(1)) * np.float32(0.5))


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_and_relu_chains_are_fused_with_the_unfused_values(
    threads, dtype, fused_steps, monkeypatch
):
    """`relu(conv + bias)`, `relu(x * scale + shift)`: the bias rows are repeated over
    each chunk, chunks start at a row's start, Relu runs as maximum against zero (NaN,
    -0.0 as its kernel)."""
    from tfgraph.platform import parallel

    monkeypatch.setattr(parallel, "_THREADS", threads)
    monkeypatch.setattr(parallel, "_pool", None)
    monkeypatch.setattr(fuse, "_MAX_CHUNK_BYTES", 3 * 4096 * 8 + 20)  # (ragged chunks)
    rng = np.random.RandomState(3)
    x = rng.standard_normal((N // 7, 7, 3)).astype(dtype)
    x[0, 0] = [np.nan, -0.0, 0.0]
    feeds = {
        "x": x,
        "b": rng.standard_normal(3).astype(dtype),
        "s": rng.standard_normal((7, 3)).astype(dtype),
    }

    def build(p):
        y = tf.nn.relu(p["x"] + p["b"])
        z = tf.nn.relu(p["x"] * p["s"] + p["s"]) - 1.0
        return [y, z]

    expected = _run(build, feeds, False, monkeypatch)
    fused_steps.clear()
    got = _run(build, feeds, True, monkeypatch)
    assert sorted(fused_steps) == [2, 4]
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(g, e)
        np.testing.assert_array_equal(np.signbit(g), np.signbit(e))


def test_rows_of_two_sizes_or_non_trailing_broadcasts_run_op_by_op(monkeypatch):
    x = np.ones((N // 4, 4), np.float32)
    feeds = {"x": x, "a": np.arange(4, dtype=np.float32), "c": np.ones((N // 4, 1), np.float32)}

    def build(p):
        return [(p["x"] * p["c"] + p["a"]) * 0.5]  # (c broadcasts along the last axis)

    got = _run(build, feeds, True, monkeypatch)
    np.testing.assert_array_equal(got[0], (x * feeds["c"] + feeds["a"]) * np.float32(0.5))


def test_mixed_dtypes_are_never_fused(monkeypatch):
    """No chain runs ufuncs of two dtypes; the Cast may head the float64 add's step (a
    head is run by its own kernel, not chunked)."""
    chains = []
    make = fuse.FusedChain

    def spy(members, *args):
        chains.append(make(members, *args))
        return chains[-1]

    monkeypatch.setattr(fuse, "FusedChain", spy)

    def build(p):
        return tf.cast(p["x"] * 2.0, tf.float64) + 1.0

    got = _run(build, {"x": np.ones(N, np.float32)}, True, monkeypatch)
    assert got.dtype == np.float64 and np.all(got == 3.0)
    for chain in chains:
        assert {m.outputs[0].dtype for m in chain.fused_ops} == {tf.float64}
        assert chain.head is None or chain.head[0].type == "Cast"


def test_subnormal_results_flush_to_zero_as_unfused(monkeypatch):
    # TF's kernels flush subnormals (platform/denormal.py); pool threads do too
    x = np.full(N, 1e-20, np.float32)

    def build(p):
        return (p["x"] * 1e-19) * 1.0 + 0.0

    got = _run(build, {"x": x}, True, monkeypatch)
    expected = _run(build, {"x": x}, False, monkeypatch)
    np.testing.assert_array_equal(got, expected)


def test_step_stats_name_every_op_of_a_chain(monkeypatch):
    monkeypatch.setattr(fuse, "ENABLED", True)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [N], name="x")
        y = tf.maximum(x * 2.0 + 1.0, 0.0, name="out")
        meta = tf.RunMetadata()
        with tf.Session() as sess:
            sess.run(
                y,
                {x: np.ones(N, np.float32)},
                options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                run_metadata=meta,
            )
    names = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
    assert {"mul", "add", "out"} <= names


def test_filled_buffers_keep_the_sign_of_zero(monkeypatch):
    """A chain's maximum against -0.0, then a Relu (maximum against +0.0): each reads a
    buffer filled with its own zero (they compare equal, so a cache keyed by value
    would hand the Relu the -0.0 buffer and flip the sign of its zeros)."""
    x = -np.abs(np.random.RandomState(4).standard_normal(N)).astype(np.float32)

    def build(p):
        a = tf.maximum(p["x"] * 2.0, -0.0)  # (all -0.0)
        b = tf.nn.relu(p["x"] * 3.0)  # (all +0.0)
        return [a, b]

    for fused in (True, False):
        a, b = _run(build, {"x": x}, fused, monkeypatch)
        assert np.all(np.signbit(a)) and not np.any(np.signbit(b)), fused


def test_an_error_in_a_small_chain_names_its_op(monkeypatch):
    """A fused chain on small values runs its ops one by one; an op that fails there
    raises as its own step would, naming that op (not the chain's first or last)."""
    chains = []
    make = fuse.FusedChain

    def fails(*args):
        raise ValueError("the second op failed")

    def keep(members, fns, *args):
        chains.append(make(members, [fns[0], fails, *fns[2:]], *args))
        return chains[-1]

    monkeypatch.setattr(fuse, "FusedChain", keep)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.identity((x * 2.0) * 3.0 + 1.0, name="y")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="the second op") as info:
                sess.run(y, {x: np.ones((2, 3))})
            (chain,) = chains
            assert [op.name for op in chain.fused_ops] == ["mul", "mul_1", "add"]
    assert info.value.op is not None and info.value.op.name == "mul_1"


def test_a_chain_of_ops_that_may_not_broadcast_fails_as_tf_does(fused_steps):
    """Ops whose static shapes may not broadcast ([?, 3] - [?, 1]) are fused too; values
    that do not broadcast raise TF's "Incompatible shapes", naming the op."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        s = tf.placeholder(tf.float32, [None, 1], name="s")
        y = tf.identity(x - s * 0.5, name="y")
        with tf.Session() as sess:
            got = sess.run(y, {x: np.ones((2, 3)), s: np.full((2, 1), 4.0)})
            np.testing.assert_array_equal(got, np.full((2, 3), -1.0, np.float32))
            assert fused_steps == [2]
            with pytest.raises(
                tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs. \[4,1\]"
            ) as info:
                sess.run(y, {x: np.ones((2, 3)), s: np.ones((4, 1))})
    assert info.value.op.name == "sub"


def test_bias_add_in_nhwc_joins_chains(fused_steps, monkeypatch):
    """tf.nn.bias_add (NHWC, shapes checked when the graph is built) is the ufunc add:
    `relu(bias_add(x, b))`, as tf.layers writes it, is one step, with the unfused values."""
    rng = np.random.RandomState(4)
    feeds = {"x": rng.standard_normal((N // 8, 8)).astype(np.float32),
             "b": rng.standard_normal(8).astype(np.float32)}  # fmt: skip

    def build(p):
        return tf.nn.relu(tf.nn.bias_add(p["x"], p["b"]))

    expected = _run(build, feeds, False, monkeypatch)
    fused_steps.clear()
    got = _run(build, feeds, True, monkeypatch)
    assert fused_steps == [2]
    np.testing.assert_array_equal(got, expected)
