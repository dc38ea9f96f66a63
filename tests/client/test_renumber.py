"""Slot renumbering (client/passes/renumber.py): a value's slot is used again once the
value has died. Plans keep few slots; values are those of plans that never reuse one."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.client.passes import fuse, renumber
from tfgraph.client.plan import ExecutionPlan


def _plans(sess) -> list:
    return [p for p in sess._cache.values() if isinstance(p, ExecutionPlan)]


def _both_ways(build, feeds_of, monkeypatch, fused=True, runs=2):
    """The values of `runs` runs of `build`'s fetches, renumbered and not."""
    out = []
    monkeypatch.setattr(fuse, "ENABLED", fused)
    for enabled in (True, False):
        monkeypatch.setattr(renumber, "ENABLED", enabled)
        with tf.Graph().as_default():
            tf.set_random_seed(1)
            fetches, feeds = build()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out.append([sess.run(fetches, feeds_of(feeds)) for _ in range(runs)])
                n_slots = max(p.n_slots for p in _plans(sess))
        out[-1].append(n_slots)
    return out


def test_a_long_chain_of_ops_keeps_few_slots(monkeypatch):
    def build():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        h = x
        for k in range(100):
            h = tf.tanh(tf.matmul(h, tf.constant(np.eye(8, dtype=np.float32) * 0.9)) + 0.1 * k)
            h = h - tf.reduce_mean(h, axis=1, keepdims=True)
        return h, x

    x = np.random.RandomState(0).standard_normal((3, 8)).astype(np.float32)
    for fused in (True, False):
        renumbered, plain = _both_ways(build, lambda p: {p: x}, monkeypatch, fused)
        for a, b in zip(renumbered[:-1], plain[:-1]):
            np.testing.assert_array_equal(a, b)
        # (n_slots: the constants keep theirs; the 500 values made in the run share ~5)
        assert renumbered[-1] * 2 < plain[-1], fused


def test_training_with_fetched_values_variables_and_updates(monkeypatch):
    """Fetched intermediates, fetched variables (snapshotted), variables read after their
    update (lazy inputs) and an optimizer's updates: the same values both ways."""

    def build():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        w = tf.Variable(tf.random_normal([4, 3]), name="w")
        b = tf.Variable(tf.zeros([3]), name="b")
        hidden = tf.nn.relu(tf.matmul(x, w) + b)
        loss = tf.reduce_mean(tf.square(hidden - 1.0))
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.control_dependencies([train]):
            after = tf.identity(w * 2.0)
        bump = tf.assign_add(b, tf.ones([3]))
        with tf.control_dependencies([bump]):
            late = b * 3.0
        return [loss, hidden, w, after, late, bump], x

    x = np.random.RandomState(2).standard_normal((5, 4)).astype(np.float32)
    renumbered, plain = _both_ways(build, lambda p: {p: x}, monkeypatch, runs=3)
    for run_a, run_b in zip(renumbered[:-1], plain[:-1]):
        for a, b in zip(run_a, run_b):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(6))
def test_random_programs_give_the_same_values(monkeypatch, seed):
    """Random graphs of products, sums and elementwise ops with values read several times,
    some fed, some fetched."""
    rng = np.random.RandomState(seed)
    choices = rng.randint(0, 6, size=40)
    picks = rng.randint(0, 1 << 30, size=(40, 2))
    fetch_at = set(rng.choice(40, size=4, replace=False).tolist())
    row = rng.standard_normal((1, 6)).astype(np.float32)

    def build():
        x = tf.placeholder(tf.float32, [None, 6], name="x")
        values = [x, tf.constant(row)]
        fetched = []
        for k, (kind, (p, q)) in enumerate(zip(choices, picks)):
            a, b = values[p % len(values)], values[q % len(values)]
            if kind == 0:
                v = tf.matmul(a, tf.constant(np.eye(6, dtype=np.float32) * 0.5)) + b
            elif kind == 1:
                v = tf.maximum(a * 0.5, b) - 0.25
            elif kind == 2:
                v = a - tf.reduce_sum(a, axis=1, keepdims=True) * 0.1
            elif kind == 3:
                v = tf.tanh(a) * b
            elif kind == 4:
                v = tf.identity(a + 1.0)
            else:
                v = tf.concat([a[:, :3], a[:, 3:] * 2.0], axis=1)
            values.append(v)
            if k in fetch_at:
                fetched.append(v)
        return [values[-1], *fetched], x

    x = rng.standard_normal((3, 6)).astype(np.float32)
    renumbered, plain = _both_ways(build, lambda p: {p: x}, monkeypatch)
    assert renumbered[-1] <= plain[-1]
    for run_a, run_b in zip(renumbered[:-1], plain[:-1]):
        for a, b in zip(run_a, run_b):
            np.testing.assert_array_equal(a, b)


def test_a_fed_intermediate_keeps_its_value(monkeypatch):
    def build():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        mid = tf.tanh(x * 2.0)
        out = tf.exp(mid) + x
        return out, (x, mid)

    x = np.ones((2, 2), np.float32)
    mid = np.full((2, 2), 0.5, np.float32)
    renumbered, plain = _both_ways(build, lambda p: {p[0]: x, p[1]: mid}, monkeypatch)
    np.testing.assert_array_equal(renumbered[0], plain[0])
    np.testing.assert_allclose(renumbered[0], np.exp(0.5) + 1.0, rtol=1e-6)
