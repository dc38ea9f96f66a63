"""Initializers: values, statistics (moments and bounds), seeds, the call protocol and
the names of the ops they build (as TensorFlow builds them)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import init_ops
from tfgraph.variable_scope import _PartitionInfo


def _value(init, shape, dtype=None, partition_info=None):
    t = init(shape, dtype=dtype, partition_info=partition_info)
    with tf.Session() as sess:
        return sess.run(t)


def _initializer_op_names(name):
    prefix = name + "/Initializer/"
    ops = tf.get_default_graph().get_operations()
    return [o.name[len(prefix) :] for o in ops if o.name.startswith(prefix)]


# -- constants ----------------------------------------------------------------------------------
def test_zeros_ones_and_dtypes():
    assert _value(tf.zeros_initializer(), [2, 3]).tolist() == [[0.0] * 3] * 2
    assert _value(tf.ones_initializer(), [2], tf.int64).dtype == np.int64
    assert _value(tf.zeros_initializer(dtype=tf.int32), [1]).dtype == np.int32
    assert _value(tf.initializers.zeros(), [2], tf.string).tolist() == [b"", b""]
    assert _value(tf.initializers.ones(), [2], tf.bool).tolist() == [True, True]


def test_constant_scalar_list_numpy_and_verify_shape():
    assert _value(tf.constant_initializer(2.5), [2, 2]).tolist() == [[2.5, 2.5]] * 2
    # A shorter list is padded with its last element (TF1 constant semantics).
    assert _value(tf.constant_initializer([1.0, 2.0, 3.0]), [2, 2]).tolist() == [
        [1.0, 2.0],
        [3.0, 3.0],
    ]
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert _value(tf.constant_initializer(arr), [2, 3], tf.float64).tolist() == arr.tolist()
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(2, 2\), but got \(3,\)."):
        tf.constant_initializer([1.0, 2.0, 3.0], verify_shape=True)([2, 2])
    with pytest.raises(TypeError, match="Invalid type for initial value"):
        tf.constant_initializer({"a": 1})
    v = tf.get_variable("c", [2], initializer=tf.constant_initializer(1.0))
    assert v.initial_value.op.name == "c/Initializer/Const"


def test_identity_and_gain():
    assert _value(tf.initializers.identity(), [3, 3]).tolist() == np.eye(3).tolist()
    assert (
        _value(tf.initializers.identity(gain=2.0), [2, 3]).tolist() == (2 * np.eye(2, 3)).tolist()
    )
    with pytest.raises(ValueError, match="must be at least two-dimensional"):
        tf.initializers.identity()([3])
    tf.get_variable("i", [3, 3], initializer=tf.initializers.identity())
    assert _initializer_op_names("i") == [
        "eye/ones", "eye/diag/k", "eye/diag/num_rows", "eye/diag/num_cols",
        "eye/diag/padding_value", "eye/diag", "mul/x", "mul",
    ]  # fmt: skip


def test_identity_partitioned_takes_its_slice():
    p = tf.get_variable(
        "p",
        [4, 3],
        initializer=tf.initializers.identity(),
        partitioner=tf.fixed_size_partitioner(2),
    )
    (full,) = _run_init(tf.convert_to_tensor(p))
    assert full.tolist() == np.eye(4, 3).tolist()


def _run_init(*fetches):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(fetches))


# -- random initializers: statistics ------------------------------------------------------------
N = 200_000


def test_random_uniform_bounds_and_moments():
    x = _value(tf.random_uniform_initializer(-2.0, 3.0, seed=1), [N])
    assert x.min() >= -2.0 and x.max() < 3.0
    assert abs(x.mean() - 0.5) < 0.03
    assert abs(x.var() - 25 / 12) < 0.05
    y = _value(tf.random_uniform_initializer(seed=2), [N])  # default [0, 1)
    assert y.min() >= 0.0 and y.max() < 1.0


def test_random_normal_moments():
    x = _value(tf.random_normal_initializer(1.0, 2.0, seed=3), [N])
    assert abs(x.mean() - 1.0) < 0.03
    assert abs(x.std() - 2.0) < 0.03


def test_truncated_normal_is_within_two_stddev():
    x = _value(tf.truncated_normal_initializer(0.5, 2.0, seed=4), [N])
    assert x.min() >= 0.5 - 4.0 and x.max() <= 0.5 + 4.0
    assert abs(x.mean() - 0.5) < 0.03
    # The standard deviation of a standard normal truncated to (-2, 2).
    assert abs(x.std() - 2.0 * 0.87962566103423978) < 0.03


def _fans(shape):
    return init_ops._compute_fans(shape)


@pytest.mark.parametrize(
    ("init", "mode_scale", "kind"),
    [
        (tf.glorot_uniform_initializer(seed=5), ("fan_avg", 1.0), "uniform"),
        (tf.glorot_normal_initializer(seed=5), ("fan_avg", 1.0), "truncated"),
        (tf.initializers.he_normal(seed=5), ("fan_in", 2.0), "truncated"),
        (tf.initializers.he_uniform(seed=5), ("fan_in", 2.0), "uniform"),
        (tf.initializers.lecun_normal(seed=5), ("fan_in", 1.0), "truncated"),
        (tf.initializers.lecun_uniform(seed=5), ("fan_in", 1.0), "uniform"),
        (
            tf.variance_scaling_initializer(3.0, "fan_out", "untruncated_normal", 5),
            ("fan_out", 3.0),
            "normal",
        ),
        (
            tf.variance_scaling_initializer(0.5, "fan_avg", "normal", 5),
            ("fan_avg", 0.5),
            "truncated",
        ),
    ],
)  # fmt: skip
def test_variance_scaling_family(init, mode_scale, kind):
    shape = [3, 5, 40, 30]  # conv kernel: fans multiply by the receptive field (15)
    fan_in, fan_out = _fans(shape)
    assert (fan_in, fan_out) == (600, 450)
    mode, scale = mode_scale
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    x = _value(init, shape).reshape(-1)
    assert abs(x.mean()) < 0.01 * math.sqrt(scale / n) * 10
    if kind == "uniform":
        limit = math.sqrt(3.0 * scale / n)
        assert x.min() >= -limit and x.max() <= limit
        assert abs(x.std() - limit / math.sqrt(3)) < 0.03 * limit
    elif kind == "truncated":
        # stddev sqrt(scale/n)/0.8796 before truncation at 2 stddev -> sqrt(scale/n) after
        stddev = math.sqrt(scale / n) / 0.87962566103423978
        assert np.abs(x).max() <= 2 * stddev
        assert abs(x.std() - math.sqrt(scale / n)) < 0.03 * math.sqrt(scale / n)
    else:
        assert abs(x.std() - math.sqrt(scale / n)) < 0.03 * math.sqrt(scale / n)


def test_glorot_uniform_limit_exactly_as_tf():
    tf.get_variable("w", [2, 3], initializer=tf.glorot_uniform_initializer())
    g = tf.get_default_graph()
    mn = g.get_operation_by_name("w/Initializer/random_uniform/min")._attrs["value"]
    mx = g.get_operation_by_name("w/Initializer/random_uniform/max")._attrs["value"]
    assert mx.dtype == np.float32
    assert float(mx) == np.float32(math.sqrt(6.0 / 5.0))
    assert float(mn) == -float(mx)


def test_variance_scaling_uses_full_shape_of_partitions():
    init = tf.initializers.he_uniform(seed=1)
    info = _PartitionInfo(full_shape=[400, 10], var_offset=[200, 0])
    x = _value(init, [200, 10], partition_info=info)
    limit = math.sqrt(6.0 / 400)
    assert np.abs(x).max() <= limit
    assert np.abs(x).max() > 0.9 * limit  # not the (larger) limit of a [200, 10] shape
    u = _value(tf.uniform_unit_scaling_initializer(seed=1), [200, 10], partition_info=info)
    assert np.abs(u).max() <= math.sqrt(3.0 / 400)


def test_uniform_unit_scaling_bound():
    x = _value(tf.uniform_unit_scaling_initializer(factor=2.0, seed=9), [50, 4, 30])
    limit = math.sqrt(3.0 / 200) * 2.0
    assert x.min() >= -limit and x.max() <= limit
    assert x.max() > 0.95 * limit


def test_variance_scaling_argument_errors():
    with pytest.raises(ValueError, match="Argument `scale` must be a positive float. Received: 0"):
        tf.variance_scaling_initializer(scale=0)
    with pytest.raises(ValueError, match="Argument `mode` should be one of"):
        tf.variance_scaling_initializer(mode="fan_x")
    with pytest.raises(ValueError, match="Argument `distribution` should be one of"):
        tf.variance_scaling_initializer(distribution="gamma")
    with pytest.raises(ValueError, match="Argument `dtype` is expected to be floating point"):
        tf.random_normal_initializer(dtype=tf.int32)


# -- orthogonal -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [[6, 4], [4, 6], [2, 3, 5]])
def test_orthogonal(shape):
    x = _value(tf.orthogonal_initializer(gain=2.0, seed=7), shape)
    flat = x.reshape(-1, shape[-1])
    if flat.shape[0] >= flat.shape[1]:
        np.testing.assert_allclose(flat.T @ flat, 4.0 * np.eye(flat.shape[1]), atol=1e-4)
    else:
        np.testing.assert_allclose(flat @ flat.T, 4.0 * np.eye(flat.shape[0]), atol=1e-4)


def test_orthogonal_ops_and_errors():
    tf.get_variable("w", [4, 3], initializer=tf.orthogonal_initializer())
    assert _initializer_op_names("w") == [
        "random_normal/shape", "random_normal/mean", "random_normal/stddev",
        "random_normal/RandomStandardNormal", "random_normal/mul", "random_normal",
        "Qr", "DiagPart", "Sign", "mul", "Reshape/shape", "Reshape", "mul_1/x", "mul_1",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="must be at least two-dimensional"):
        tf.orthogonal_initializer()([3])


# -- seeds and protocol -------------------------------------------------------------------------
def test_seeded_initializers_are_deterministic_across_graphs_and_sessions():
    def build():
        g = tf.Graph()
        with g.as_default():
            v = tf.get_variable("v", [5, 5], initializer=tf.glorot_normal_initializer(seed=42))
            w = tf.get_variable("w", [5], initializer=tf.random_uniform_initializer(seed=42))
        return g, v, w

    results = []
    for _ in range(2):
        g, v, w = build()
        with tf.Session(graph=g) as sess:
            sess.run(tf.variables_initializer([v, w]))
            results.append(sess.run([v, w]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert not np.array_equal(results[0][0].reshape(-1)[:5], results[0][1])


def test_graph_seed_makes_unseeded_initializers_deterministic():
    def build():
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(123)
            v = tf.get_variable("v", [4])
        with tf.Session(graph=g) as sess:
            sess.run(v.initializer)
            return sess.run(v)

    np.testing.assert_array_equal(build(), build())


def test_unseeded_initializers_differ():
    a = tf.get_variable("a", [50])
    b = tf.get_variable("b", [50])
    va, vb = _run_init(a, b)
    assert not np.array_equal(va, vb)


def test_call_protocol_and_config():
    init = tf.random_normal_initializer(mean=1.0, stddev=0.5, seed=3)
    t = init([2], dtype=tf.float64, partition_info=None)
    assert t.dtype == tf.float64
    cfg = init.get_config()
    assert cfg == {"mean": 1.0, "stddev": 0.5, "seed": 3, "dtype": "float32"}
    clone = tf.random_normal_initializer.from_config(cfg)
    assert clone.get_config() == cfg
    assert isinstance(tf.initializers.glorot_uniform(), init_ops.VarianceScaling)
    assert tf.initializers.variance_scaling is tf.variance_scaling_initializer
    assert tf.initializers.truncated_normal is tf.truncated_normal_initializer
    assert tf.initializers.global_variables is tf.global_variables_initializer
    assert tf.initializers.local_variables is tf.local_variables_initializer
    assert tf.initializers.variables is tf.variables_initializer
    with pytest.raises(NotImplementedError):
        init_ops.Initializer()([1])


def test_initializer_names_in_get_variable():
    cases = {
        "zeros": (tf.zeros_initializer(), "zeros"),
        "ones": (tf.ones_initializer(), "ones"),
        "rn": (tf.random_normal_initializer(), "random_normal"),
        "tn": (tf.truncated_normal_initializer(), "truncated_normal"),
        "gn": (tf.glorot_normal_initializer(), "truncated_normal"),
        "ru": (tf.random_uniform_initializer(), "random_uniform"),
    }
    for name, (init, op) in cases.items():
        v = tf.get_variable(name, [2, 3], initializer=init)
        assert v.initial_value.op.name == f"{name}/Initializer/{op}"
    names = _initializer_op_names("tn")
    assert names[:6] == [
        "truncated_normal/shape", "truncated_normal/mean", "truncated_normal/stddev",
        "truncated_normal/TruncatedNormal", "truncated_normal/mul", "truncated_normal",
    ]  # fmt: skip


def test_tables_initializer_without_tables_is_a_noop():
    op = tf.tables_initializer()
    assert op.name == "init_all_tables" and op.type == "NoOp"
