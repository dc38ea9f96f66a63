"""Random ops: TF's graph structure and seeds, per-session streams, distributions."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors
from tfgraph.framework import random_seed


def _ops():
    return [(o.name, o.type) for o in tf.get_default_graph().get_operations()]


def _attrs(name):
    op = tf.get_default_graph().get_operation_by_name(name)
    return op._attrs["seed"], op._attrs["seed2"]


# -- structure ----------------------------------------------------------------------------------
def test_random_uniform_structure_matches_tf():
    r = tf.random_uniform([2, 3], -1.0, 1.0)
    assert r.name == "random_uniform:0"
    assert r.shape.as_list() == [2, 3]
    assert _ops() == [
        ("random_uniform/shape", "Const"),
        ("random_uniform/min", "Const"),
        ("random_uniform/max", "Const"),
        ("random_uniform/RandomUniform", "RandomUniform"),
        ("random_uniform/sub", "Sub"),
        ("random_uniform/mul", "Mul"),
        ("random_uniform", "AddV2"),
    ]


def test_random_uniform_defaults_and_maxval_only():
    a = tf.random_uniform([2])  # [0, 1): the raw op only
    b = tf.random_uniform([2], maxval=3.0)  # scaled only
    assert a.name == "random_uniform/RandomUniform:0"
    assert b.name == "random_uniform_1/Mul:0"
    assert ("random_uniform_1/min", "Const") in _ops()


def test_random_uniform_int():
    r = tf.random_uniform([4], 0, 10, dtype=tf.int32)
    assert r.op.type == "RandomUniformInt"
    assert r.name == "random_uniform:0"
    assert [n for n, _ in _ops()] == [
        "random_uniform/shape",
        "random_uniform/min",
        "random_uniform/max",
        "random_uniform",
    ]
    with tf.Session() as sess:
        x = sess.run(tf.random_uniform([10_000], -3, 5, dtype=tf.int64, seed=1))
    assert x.dtype == np.int64 and x.min() == -3 and x.max() == 4
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Argument `dtype` got invalid value"):
        tf.random_uniform([2], dtype=tf.string)


def test_random_uniform_int_bad_range_is_a_runtime_error():
    r = tf.random_uniform([2], 5, 3, dtype=tf.int32)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="Need minval < maxval, got 5 >= 3"):
            sess.run(r)


def test_normal_and_truncated_structure():
    tf.random_normal([2], mean=1.0, stddev=2.0, name="n")
    tf.truncated_normal([2])
    assert _ops() == [
        ("n/shape", "Const"),
        ("n/mean", "Const"),
        ("n/stddev", "Const"),
        ("n/RandomStandardNormal", "RandomStandardNormal"),
        ("n/mul", "Mul"),
        ("n", "AddV2"),
        ("truncated_normal/shape", "Const"),
        ("truncated_normal/mean", "Const"),
        ("truncated_normal/stddev", "Const"),
        ("truncated_normal/TruncatedNormal", "TruncatedNormal"),
        ("truncated_normal/mul", "Mul"),
        ("truncated_normal", "AddV2"),
    ]


def test_shapes_from_tensors_and_tensorshape():
    p = tf.placeholder(tf.int32, [2])
    assert tf.random_normal(p).shape.as_list() == [None, None]
    assert tf.random_uniform(tf.TensorShape([3, 1])).shape.as_list() == [3, 1]
    assert tf.random_normal([]).shape.as_list() == []
    with tf.Session() as sess:
        assert sess.run(tf.random_normal(p), {p: [2, 5]}).shape == (2, 5)


def test_tf_random_namespace():
    assert tf.random.uniform is tf.random_uniform
    assert tf.random.normal is tf.random_normal
    assert tf.random.truncated_normal is tf.truncated_normal
    assert tf.random.shuffle is tf.random_shuffle
    assert tf.random.set_random_seed is tf.set_random_seed
    assert tf.random.get_seed is tf.get_seed


# -- seeds ----------------------------------------------------------------------------------------
def test_get_seed_rules():
    assert tf.get_seed(None) == (None, None)
    assert tf.get_seed(3) == (random_seed.DEFAULT_GRAPH_SEED, 3)
    tf.set_random_seed(5)
    assert tf.get_default_graph().seed == 5
    assert tf.get_seed(None) == (5, 0)
    assert tf.get_seed(None) == (5, 1)  # op seeds count up per graph
    assert tf.get_seed(7) == (5, 7)
    assert tf.get_seed(2**31 + 4) == (5, 5)  # reduced modulo 2**31 - 1
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(0)
        assert tf.get_seed(None) == (0, 2**31 - 1)  # (0, 0) means "no seed"
        assert tf.get_seed(0) == (0, 2**31 - 1)


def test_seed_attrs_on_ops():
    tf.random_uniform([1], name="a")
    tf.random_uniform([1], seed=9, name="b")
    tf.set_random_seed(4)
    tf.random_uniform([1], name="c")
    tf.random_normal([1], name="d")
    assert _attrs("a/RandomUniform") == (0, 0)
    assert _attrs("b/RandomUniform") == (random_seed.DEFAULT_GRAPH_SEED, 9)
    assert _attrs("c/RandomUniform") == (4, 0)
    assert _attrs("d/RandomStandardNormal") == (4, 1)


def test_stream_continues_in_a_session_and_restarts_in_a_new_one():
    r = tf.random_uniform([3], seed=11)
    with tf.Session() as sess:
        first = [sess.run(r), sess.run(r)]
    with tf.Session() as sess:
        second = [sess.run(r), sess.run(r)]
    assert not np.array_equal(first[0], first[1])
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_graph_seed_gives_reproducible_graphs():
    def sample():
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(1234)
            a = tf.random_uniform([3])
            b = tf.random_normal([3])
            with tf.Session() as sess:
                return sess.run([a, b])

    x, y = sample(), sample()
    np.testing.assert_array_equal(x[0], y[0])
    np.testing.assert_array_equal(x[1], y[1])


def test_unseeded_ops_are_nondeterministic():
    r = tf.random_uniform([8])
    with tf.Session() as s1:
        a = s1.run(r)
    with tf.Session() as s2:
        b = s2.run(r)
    assert not np.array_equal(a, b)


def test_same_op_seeds_in_one_graph_give_same_values():
    a = tf.random_normal([4], seed=3)
    b = tf.random_normal([4], seed=3)
    with tf.Session() as sess:
        va, vb = sess.run([a, b])
    np.testing.assert_array_equal(va, vb)


# -- distributions --------------------------------------------------------------------------------
N = 200_000


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_uniform_distribution(dtype):
    with tf.Session() as sess:
        x = sess.run(tf.random_uniform([N], 2.0, 4.0, dtype=dtype, seed=1))
    assert x.dtype == dtype.as_numpy_dtype
    assert x.min() >= 2.0 and x.max() <= 4.0
    assert abs(float(x.astype(np.float64).mean()) - 3.0) < 0.02


def test_normal_distribution():
    with tf.Session() as sess:
        x = sess.run(tf.random_normal([N], 3.0, 0.5, seed=2, dtype=tf.float64))
    assert x.dtype == np.float64
    assert abs(x.mean() - 3.0) < 0.01 and abs(x.std() - 0.5) < 0.01


def test_truncated_normal_redraws_outside_two_stddev():
    with tf.Session() as sess:
        x = sess.run(tf.truncated_normal([N], 1.0, 2.0, seed=3))
    assert x.min() >= -3.0 and x.max() <= 5.0
    assert abs(x.mean() - 1.0) < 0.02
    assert abs(x.std() - 2.0 * 0.8796256610342398) < 0.02


def test_shuffle_and_multinomial():
    v = tf.constant(np.arange(10).reshape(5, 2))
    s = tf.random_shuffle(v, seed=5)
    assert s.op.type == "RandomShuffle" and s.shape.as_list() == [5, 2]
    logits = tf.constant(np.log([[0.2, 0.8], [1.0, 1e-9]]), dtype=tf.float32)
    m = tf.multinomial(logits, 10_000, seed=1)
    assert m.op.name == "multinomial/Multinomial"
    assert m.shape.as_list() == [2, 10_000] and m.dtype == tf.int64
    c = tf.random.categorical(logits, 5, dtype=tf.int32)
    assert c.dtype == tf.int32
    with tf.Session() as sess:
        shuffled, samples = sess.run([s, m])
    assert sorted(map(tuple, shuffled.tolist())) == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    assert abs(samples[0].mean() - 0.8) < 0.02
    assert samples[1].max() == 0


def test_random_ops_are_not_differentiable():
    from tfgraph.framework import registry

    for op_type in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt"):
        assert registry.get(op_type).grad is registry.NOT_DIFFERENTIABLE
