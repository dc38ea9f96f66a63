"""Buffer forwarding (client/passes/lower.py, the `overwrites_input` trait): a kernel
writes its result into an input's array when that value dies at the op and nothing
else holds the array, as TF forwards a buffer whose reference count is one; never when
anything else may still read it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework import registry

lower = sys.modules["tfgraph.client.passes.lower"]
N = lower._MIN_FORWARDED  # (smaller values are never forwarded)


def _recording_kernel(calls: list):
    def fn(a, b, out=None):
        calls.append(out)
        result = out if out is not None else np.empty_like(a)
        np.multiply(a, b, out=result)
        return result

    return fn


def test_a_dying_array_only_the_plan_holds_is_written_into():
    calls: list = []
    step = lower._forwarding_step(_recording_kernel(calls), (0, 1), 2, 0, (0,))
    v = [np.arange(float(N)), np.full(N, 2.0), None]
    step(v)
    assert calls[0] is not None and v[2] is calls[0]
    assert v[0] is None
    np.testing.assert_array_equal(v[2], np.arange(float(N)) * 2)


@pytest.mark.parametrize("held", ["by a name", "by another slot", "as a view's base", "a view"])
def test_an_array_held_elsewhere_is_not_written_into(held):
    calls: list = []
    step = lower._forwarding_step(_recording_kernel(calls), (0, 1), 2, 0, (0,))
    a = np.arange(float(N))
    v = [a, np.full(N, 2.0), None, None]
    if held == "by another slot":
        v[3] = a
        del a
    elif held == "as a view's base":
        view = a[1:]
        del a
    elif held == "a view":
        v[0] = np.arange(2.0 * N)[::2]
        del a
    step(v)
    assert calls == [None]
    if held == "by a name":
        np.testing.assert_array_equal(a, np.arange(float(N)))
    if held == "as a view's base":
        np.testing.assert_array_equal(view, np.arange(1.0, float(N)))


@pytest.fixture
def made(monkeypatch) -> list:
    """Per run of a forwarding step: whether its kernel got `out=`."""
    runs: list = []
    make = lower._forwarding_step

    def spy(fn, *args):
        def recorded(*inputs, **out):
            runs.append(bool(out))
            return fn(*inputs, **out)

        return make(recorded, *args)

    monkeypatch.setattr(lower, "_forwarding_step", spy)
    return runs


def test_relu_grads_overwrite_their_dying_gradient(made):
    assert registry.get("ReluGrad").overwrites_input == (0,)
    rng = np.random.RandomState(0)
    xs = rng.randn(64, 1000).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 1000])
        h = tf.nn.relu(x * 3.0)
        (g,) = tf.gradients(tf.reduce_sum(h * h), [x])
        with tf.Session() as sess:
            got = sess.run(g, {x: xs})
            # fetched, the incoming gradient is kept: ReluGrad must not overwrite it
            upstream = next(t for t in g.graph.get_operations() if t.type == "ReluGrad")
            incoming, got_too = sess.run([upstream.inputs[0], g], {x: xs})
    assert made[0] is True  # (ReluGrad, first of the backward's forwarding steps)
    h_np = np.maximum(xs * 3, 0)
    np.testing.assert_allclose(got, 2 * h_np * (h_np > 0) * 3, rtol=1e-6)
    np.testing.assert_allclose(got_too, got)
    np.testing.assert_allclose(incoming, 2 * h_np, rtol=1e-6)


def _run(build, feeds: dict):
    """The value `build(placeholders)` fetches, fed `feeds`."""
    with tf.Graph().as_default():
        placeholders = {k: tf.placeholder(tf.as_dtype(v.dtype), v.shape) for k, v in feeds.items()}
        out = build(placeholders)
        with tf.Session() as sess:
            return sess.run(out, {placeholders[k]: v for k, v in feeds.items()})


def test_arithmetic_writes_into_a_dying_operand(made):
    # (each product dies at the op after it, which is no chain of ufuncs: not fused)
    rng = np.random.RandomState(1)
    x = rng.randn(300, 200).astype(np.float32)
    w1, w2 = rng.randn(200, 400).astype(np.float32), rng.randn(200, 400).astype(np.float32)

    got = _run(lambda p: tf.matmul(p["x"], w1) * tf.matmul(p["x"], w2), {"x": x})
    assert made == [True]
    np.testing.assert_allclose(got, (x @ w1) * (x @ w2), rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("case", ["broadcast", "int32", "fed"])
def test_arithmetic_without_a_fitting_operand_allocates(case, made):
    rng = np.random.RandomState(2)
    x = rng.randn(300, 400).astype(np.float32)
    if case == "broadcast":  # (the dying operand is the smaller one)
        b = rng.randn(400).astype(np.float32)
        got = _run(lambda p: tf.exp(p["b"]) + p["x"], {"x": x, "b": b})
        np.testing.assert_allclose(got, np.exp(b) + x, rtol=1e-6)
    elif case == "int32":
        i = rng.randint(0, 9, (300, 400)).astype(np.int32)
        got = _run(lambda p: tf.abs(p["i"]) * p["i"], {"i": i})
        np.testing.assert_array_equal(got, i * i)
    else:  # (a fed value is the caller's: never written into)
        got = _run(lambda p: p["x"] * p["x"], {"x": x})
        np.testing.assert_array_equal(x, rng.__class__(2).randn(300, 400).astype(np.float32))
    assert True not in made


def test_small_values_are_allocated():
    calls: list = []
    step = lower._forwarding_step(_recording_kernel(calls), (0, 1), 2, 0, (0,))
    step([np.arange(float(N - 1)), np.full(N - 1, 2.0), None])
    assert calls == [None]
