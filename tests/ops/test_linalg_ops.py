"""Linear algebra (tfgraph/ops/linalg_ops.py): values against numpy, static shapes,
batches, empty matrices and errors as TF raises them. Graph/gradient parity with TF is in
tests/compat/test_math_apis_vs_tf.py; numerical gradients in test_gradients_contract."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json
from tfgraph import errors

rng = np.random.RandomState(7)
M = rng.randn(2, 3, 3)
SPD = M @ M.transpose(0, 2, 1) + 3 * np.eye(3)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def test_square_matrix_functions_match_numpy():
    x = tf.constant(SPD)
    det, inv, inv_adj, (sign, logdet), chol = run(
        [
            tf.matrix_determinant(x),
            tf.matrix_inverse(x),
            tf.matrix_inverse(tf.constant(M), adjoint=True),
            tf.linalg.slogdet(tf.constant(M)),
            tf.cholesky(x),
        ]
    )
    np.testing.assert_allclose(det, np.linalg.det(SPD))
    np.testing.assert_allclose(inv, np.linalg.inv(SPD))
    np.testing.assert_allclose(inv_adj, np.linalg.inv(M.transpose(0, 2, 1)))
    np.testing.assert_allclose(sign * np.exp(logdet), np.linalg.det(M))
    np.testing.assert_allclose(chol, np.linalg.cholesky(SPD))


def test_solves():
    b = rng.randn(2, 3, 2)
    x = tf.constant(SPD)
    solve, solve_adj, chol_solve = run(
        [
            tf.matrix_solve(tf.constant(M), b),
            tf.matrix_solve(tf.constant(M), b, adjoint=True),
            tf.cholesky_solve(tf.cholesky(x), b),
        ]
    )
    np.testing.assert_allclose(M @ solve, b, atol=1e-10)
    np.testing.assert_allclose(M.transpose(0, 2, 1) @ solve_adj, b, atol=1e-10)
    np.testing.assert_allclose(SPD @ chol_solve, b, atol=1e-10)


def test_decompositions_and_static_shapes():
    x = tf.placeholder(tf.float64, [None, 3, 3])
    e, v = tf.self_adjoint_eig(x)
    assert e.shape.as_list() == [None, 3] and v.shape.as_list() == [None, 3, 3]
    a = tf.placeholder(tf.float32, [4, 5, 3])
    s, u, w = tf.svd(a)
    assert [s.shape.as_list(), u.shape.as_list(), w.shape.as_list()] == [
        [4, 3],
        [4, 5, 3],
        [4, 3, 3],
    ]
    _, u_full, w_full = tf.svd(a, full_matrices=True)
    assert u_full.shape.as_list() == [4, 5, 5] and w_full.shape.as_list() == [4, 3, 3]
    av = rng.randn(4, 5, 3).astype(np.float32)
    ev, vv, sv, uv, wv, sq = run([e, v, s, u, w, tf.matrix_square_root(x)], {x: SPD, a: av})
    np.testing.assert_allclose(vv @ (ev[..., None] * vv.transpose(0, 2, 1)), SPD, atol=1e-10)
    np.testing.assert_allclose(uv @ (sv[..., None] * wv.transpose(0, 2, 1)), av, atol=1e-5)
    np.testing.assert_allclose(sq @ sq, SPD, atol=1e-8)
    assert tf.svd(a, compute_uv=False).shape.as_list() == [4, 3]
    np.testing.assert_allclose(run(tf.self_adjoint_eigvals(x), {x: SPD}), ev)


def test_composites():
    x = tf.constant(M)
    tr, t, diag_part, d, dp = run(
        [
            tf.trace(x),
            tf.matrix_transpose(x),
            tf.matrix_diag_part(x),
            tf.diag([1.0, 2.0]),
            tf.diag_part(tf.constant(np.arange(16.0).reshape(2, 2, 2, 2))),
        ]
    )
    np.testing.assert_allclose(tr, np.trace(M, axis1=-2, axis2=-1))
    np.testing.assert_allclose(t, M.transpose(0, 2, 1))
    np.testing.assert_allclose(diag_part, np.diagonal(M, axis1=-2, axis2=-1))
    np.testing.assert_allclose(d, np.diag([1.0, 2.0]))
    np.testing.assert_allclose(dp, [[0.0, 5.0], [10.0, 15.0]])
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.matrix_transpose(tf.ones([3]))


def test_empty_matrices():
    det, inv = run([tf.matrix_determinant(tf.ones([0, 0])), tf.matrix_inverse(tf.ones([2, 0, 0]))])
    assert det == 1.0 and inv.shape == (2, 0, 0)


def test_errors_as_tf():
    with pytest.raises(errors.InvalidArgumentError, match="Input is not invertible."):
        run(tf.matrix_inverse(tf.zeros([2, 2])))
    with pytest.raises(errors.InvalidArgumentError, match="Input matrix is not invertible."):
        run(tf.matrix_solve(tf.zeros([2, 2]), tf.ones([2, 1])))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.matrix_determinant(tf.ones([2, 3]))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.matrix_inverse(tf.ones([3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.matrix_solve(tf.ones([2, 2]), tf.ones([3, 1]))
    with pytest.raises(TypeError, match="int32"):
        tf.cholesky(tf.constant([[1]]))


def test_cholesky_of_a_matrix_that_is_not_positive_definite_is_nan_not_an_error():
    out = run(tf.cholesky(tf.constant([[[1.0, 2.0], [2.0, 1.0]], [[4.0, 0.0], [0.0, 9.0]]])))
    assert np.isnan(out[0]).all()
    np.testing.assert_allclose(out[1], [[2.0, 0.0], [0.0, 3.0]])


# -- the matrix 2-norm (compared with TensorFlow) -----------------------------------------
MATRIX_2_NORM = """
import json
a = np.random.RandomState(0).randn(2, 3, 4)
x = tf.constant(a)
n = tf.norm(x, ord=2, axis=[-2, -1])
n2 = tf.norm(x, ord=2, axis=(0, 2), keepdims=True)
n3 = tf.norm(tf.placeholder(tf.float32, [None, 3, None]), ord=2, axis=[1, 2])
g = tf.gradients(n, x) + tf.gradients(n2, x)
out = {"shapes": [str(t.shape) for t in (n, n2, n3)], "names": [n.name, n2.name],
       "types": sorted({o.type for o in tf.get_default_graph().get_operations()})}
with tf.Session() as s:
    out["vals"] = [np.round(v, 9).tolist() for v in s.run([n, n2] + g)]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_matrix_2_norm_matches_tensorflow():
    assert run_here_json(MATRIX_2_NORM) == run_tf_json(MATRIX_2_NORM)


def test_matrix_2_norm_is_the_largest_singular_value_with_a_numerical_gradient():
    a = np.random.RandomState(2).randn(3, 4, 2)
    x = tf.constant(a)
    n = tf.norm(x, ord=2, axis=[0, 1])
    with tf.Session() as sess:
        got = sess.run(n)
        np.testing.assert_allclose(got, np.linalg.norm(a.transpose(2, 0, 1), 2, axis=(1, 2)))
        err = tf.test.compute_gradient_error(x, [3, 4, 2], n, [2])
    assert err < 1e-6
