"""tfgraph/ops/manip_ops.py and the new variable scatters, without TF: values against
numpy, static shapes and error classes. Graph/value parity with TF 2.21 for the same ops
is in tests/compat/test_math_apis_vs_tf.py; numerical gradients in
test_gradients_contract."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors

rng = np.random.RandomState(11)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def test_roll_sort_argsort():
    x = rng.randn(3, 4).astype(np.float32)
    r, s, a, sd, s0 = run(
        [
            tf.roll(x, [1, -1], [0, 1]),
            tf.sort(x),
            tf.argsort(x),
            tf.sort(x, direction="DESCENDING"),
            tf.sort(x, axis=0),
        ]
    )
    np.testing.assert_array_equal(r, np.roll(x, (1, -1), (0, 1)))
    np.testing.assert_array_equal(s, np.sort(x))
    np.testing.assert_array_equal(a, np.argsort(x, kind="stable"))
    np.testing.assert_array_equal(sd, -np.sort(-x))
    np.testing.assert_array_equal(s0, np.sort(x, axis=0))
    with pytest.raises(errors.InvalidArgumentError, match="out of range"):
        run(tf.roll(x, 1, tf.constant(5)))


def test_cross_angle_ensure_shape():
    a, b = rng.randn(2, 3), rng.randn(2, 3)
    z = np.array([1 + 1j, -2 + 0.5j])
    c, ang, real_ang = run([tf.cross(a, b), tf.angle(z), tf.angle(tf.constant([-1.0, 2.0]))])
    np.testing.assert_allclose(c, np.cross(a, b))
    np.testing.assert_allclose(ang, np.angle(z))
    np.testing.assert_allclose(real_ang, [np.pi, 0.0])
    with pytest.raises(ValueError, match="Dimension must be 3 but is 4"):
        tf.cross(tf.ones([4]), tf.ones([4]))
    p = tf.placeholder(tf.float32, [None, 3])
    e = tf.ensure_shape(p, [2, None])
    assert e.shape.as_list() == [2, 3]
    with pytest.raises(errors.InvalidArgumentError, match="is not compatible with expected"):
        run(e, {p: np.ones((4, 3))})


def test_linspace_meshgrid_norm():
    lin = tf.linspace(0.0, 1.0, 5)
    assert lin.op.type == "Slice" and lin.shape.as_list() == [5]
    np.testing.assert_allclose(run(lin), np.linspace(0, 1, 5))
    np.testing.assert_allclose(run(tf.lin_space(2.0, 3.0, 1)), [2.0])
    assert run(tf.linspace(2.0, 3.0, 0)).shape == (0,)
    gx, gy = run(tf.meshgrid([1, 2], [3, 4, 5]))
    ex, ey = np.meshgrid([1, 2], [3, 4, 5])
    np.testing.assert_array_equal(gx, ex)
    np.testing.assert_array_equal(gy, ey)
    m = rng.randn(3, 4)
    n2, n1, ninf, fro = run(
        [tf.norm(m), tf.norm(m, ord=1, axis=1), tf.norm(m, ord=np.inf), tf.norm(m, axis=(0, 1))]
    )
    np.testing.assert_allclose(n2, np.linalg.norm(m))
    np.testing.assert_allclose(n1, np.abs(m).sum(axis=1))
    np.testing.assert_allclose(ninf, np.abs(m).max())
    np.testing.assert_allclose(fro, np.linalg.norm(m, "fro"))
    with pytest.raises(ValueError, match="supported vector norm"):
        tf.norm(m, ord=-1)


def test_space_depth_reverse_sequence_unique():
    x = rng.randn(2, 4, 6, 3)
    s2d = tf.space_to_depth(x, 2)
    assert s2d.shape.as_list() == [2, 2, 3, 12]
    back = run(tf.depth_to_space(s2d, 2))
    np.testing.assert_allclose(back, x)
    with pytest.raises(ValueError, match="less than minimum 2"):
        tf.space_to_depth(x, 1)
    seq = np.arange(12).reshape(3, 4)
    out = run(tf.reverse_sequence(seq, [1, 4, 2], seq_axis=1, batch_axis=0))
    np.testing.assert_array_equal(out, [[0, 1, 2, 3], [7, 6, 5, 4], [9, 8, 10, 11]])
    y, idx, count = run(tf.unique_with_counts([4, 1, 4, 2, 1, 4]))
    np.testing.assert_array_equal(y, [4, 1, 2])
    np.testing.assert_array_equal(idx, [0, 1, 0, 2, 1, 0])
    np.testing.assert_array_equal(count, [3, 2, 1])
    np.testing.assert_array_equal(run(tf.broadcast_dynamic_shape([2, 1], [3, 1, 4])), [3, 2, 4])


def test_tensor_scatters():
    t = np.arange(8.0).reshape(4, 2)
    u = np.array([[-1.0, 5.0], [6.0, 6.0]])
    idx = [[1], [3]]
    upd, add, sub, mn, mx = run(
        [
            tf.tensor_scatter_nd_update(t, idx, u),
            tf.tensor_scatter_nd_add(t, idx, u),
            tf.tensor_scatter_nd_sub(t, idx, u),
            tf.tensor_scatter_nd_min(t, idx, u),
            tf.tensor_scatter_nd_max(t, idx, u),
        ]
    )
    want = t.copy()
    want[[1, 3]] = u
    np.testing.assert_array_equal(upd, want)
    want = t.copy()
    want[[1, 3]] += u
    np.testing.assert_array_equal(add, want)
    want = t.copy()
    want[[1, 3]] -= u
    np.testing.assert_array_equal(sub, want)
    want = t.copy()
    want[[1, 3]] = np.minimum(t[[1, 3]], u)
    np.testing.assert_array_equal(mn, want)
    want = t.copy()
    want[[1, 3]] = np.maximum(t[[1, 3]], u)
    np.testing.assert_array_equal(mx, want)
    with pytest.raises(errors.InvalidArgumentError, match="does not index into shape"):
        run(tf.tensor_scatter_nd_update(tf.zeros([2, 2]), [[5]], [[1.0, 1.0]]))


def test_variable_scatters():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    w = tf.Variable([7, -7])
    nd = tf.Variable(np.zeros((2, 3)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(
            sess.run(tf.scatter_mul(v, [0], [[2.0, 3.0]])), [[2, 6], [3, 4]]
        )
        np.testing.assert_array_equal(
            sess.run(tf.scatter_div(v, [1], [[3.0, 2.0]])), [[2, 6], [1, 2]]
        )
        np.testing.assert_array_equal(
            sess.run(tf.scatter_min(v, [0, 0], [[1.0, 9.0], [5.0, 5.0]])), [[1, 5], [1, 2]]
        )
        np.testing.assert_array_equal(
            sess.run(tf.scatter_max(v, [1], [[0.0, 8.0]])), [[1, 5], [1, 8]]
        )
        np.testing.assert_array_equal(sess.run(tf.scatter_div(w, [0, 1], [2, 2])), [3, -3])
        sess.run(tf.scatter_nd_update(nd, [[0, 1], [1, 2]], [5.0, 6.0]))
        sess.run(tf.scatter_nd_add(nd, [[0]], [[1.0, 1.0, 1.0]]))
        np.testing.assert_array_equal(
            sess.run(tf.scatter_nd_sub(nd, [[1, 2]], [1.0])), [[1, 6, 1], [0, 0, 5]]
        )
        with pytest.raises(errors.InvalidArgumentError, match="is not in"):
            sess.run(tf.scatter_mul(v, [5], [[1.0, 1.0]]))


def test_counting_and_searching():
    np.testing.assert_array_equal(run(tf.unravel_index([1, 5, 7], [2, 4])), [[0, 1, 1], [1, 1, 3]])
    hist = run(tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5))
    np.testing.assert_array_equal(hist, [2, 1, 1, 0, 2])
    np.testing.assert_array_equal(run(tf.bincount([1, 1, 3])), [0, 2, 0, 1])
    np.testing.assert_array_equal(run(tf.bincount([1, 1, 3], minlength=6)), [0, 2, 0, 1, 0, 0])
    np.testing.assert_allclose(
        run(tf.bincount([0, 2], weights=[0.5, 1.5], dtype=tf.float32)), [0.5, 0.0, 1.5]
    )
    s = np.array([[1.0, 2.0, 3.0, 4.0]])
    v = np.array([[2.0, 0.5, 9.0]])
    np.testing.assert_array_equal(run(tf.searchsorted(s, v)), [[1, 0, 4]])
    np.testing.assert_array_equal(run(tf.searchsorted(s, v, side="right")), [[2, 0, 4]])
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    clipped = run(tf.clip_by_average_norm(x, 0.5))
    np.testing.assert_allclose(clipped, x * 0.5 / max(np.linalg.norm(x) / 4, 0.5), rtol=1e-6)
    with pytest.raises(errors.InvalidArgumentError, match="out of bound"):
        run(tf.unravel_index([9], [2, 4]))


def test_parallel_stack():
    x = np.arange(6.0).reshape(2, 3)
    out = tf.parallel_stack([tf.constant(x), tf.constant(2 * x)])
    assert out.op.type == "ParallelConcat" and out.shape.as_list() == [2, 2, 3]
    np.testing.assert_array_equal(run(out), np.stack([x, 2 * x]))
