"""`tf.bitwise` and the `&` `|` `^` `~` operators: bitwise on integers, logical on bools,
as TF dispatches them (op types, names and values checked against real TF)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

# Runs unchanged under tfgraph and under TF: op names/types and values of each result.
PROGRAM = """
g = tf.Graph()
with g.as_default():
    a = tf.constant([5, -3, 0, 127], tf.int32)
    b = tf.constant([1, 6, -1, 3], tf.int32)
    p = tf.constant([True, False, True, False])
    q = tf.constant([True, True, False, False])
    u = tf.constant([200, 3, 0, 255], tf.uint8)
    results = [
        a & b, a | b, a ^ b, ~a, 3 & a, 7 | b, 1 ^ a,
        tf.bitwise.bitwise_and(a, b), tf.bitwise.bitwise_or(a, b, name="o"),
        tf.bitwise.bitwise_xor(a, b), tf.bitwise.invert(u),
        tf.bitwise.left_shift(a, [1, 40, -1, 2]), tf.bitwise.right_shift(a, [1, 40, -1, 2]),
        tf.bitwise.right_shift(u, tf.constant([1, 9, 0, 4], tf.uint8)),
        tf.bitwise.left_shift(tf.constant([1, 3], tf.int64), tf.constant([62, 63], tf.int64)),
        p & q, p | q, p ^ q, ~p,
    ]
    with tf.Session() as sess:
        values = sess.run(results)
out = [[t.name, t.op.type, v.tolist()] for t, v in zip(results, values)]
"""


def _run_here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return scope["out"]


def test_integer_operators_build_bitwise_ops_and_bools_logical_ones():
    out = {name: (op_type, value) for name, op_type, value in _run_here()}
    assert out["and/BitwiseAnd:0"] == ("BitwiseAnd", [1, 4, 0, 3])
    assert out["or/BitwiseOr:0"] == ("BitwiseOr", [5, -1, -1, 127])
    assert out["xor/BitwiseXor:0"] == ("BitwiseXor", [4, -5, -1, 124])
    assert out["Invert:0"] == ("Invert", [-6, 2, -1, -128])
    assert out["and_2:0"] == ("LogicalAnd", [True, False, False, False])
    assert out["LogicalNot:0"] == ("LogicalNot", [False, True, False, True])


def test_shifts_clamp_the_amount_as_tf_kernels_do():
    out = {name: value for name, _, value in _run_here()}
    assert out["LeftShift:0"] == [10, -(2**31), 0, 508]
    assert out["RightShift:0"] == [2, -1, 0, 31]
    assert out["RightShift_1:0"] == [100, 0, 0, 15]


@pytest.mark.parametrize("expr", ["x & x", "x | 1.0", "~x", "tf.bitwise.left_shift(x, x)"])
def test_floats_are_rejected_with_tf_type_error(expr):
    with tf.Graph().as_default():
        x = tf.constant([1.0])  # noqa: F841 (used by eval)
        allowed = "DataType float32 not in list of allowed values: int8, int16"
        with pytest.raises(TypeError, match=allowed):
            eval(expr)


def test_population_count_counts_bits_as_uint8():
    from tfgraph.ops.bitwise_ops import population_count

    with tf.Graph().as_default():
        x = tf.constant([[0, 1, -1], [255, 256, 7]], tf.int32)
        c = population_count(x)
        assert c.dtype == tf.uint8 and c.shape.as_list() == [2, 3]
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(c), [[0, 1, 32], [8, 1, 3]])


@pytest.mark.tf
@requires_tf
def test_matches_tensorflow():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))")
    assert _run_here() == theirs
