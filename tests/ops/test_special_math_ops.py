"""Special functions (tfgraph/ops/special_math_ops.py): values against Python's math
module and closed forms, dtypes, shapes and errors. Graph/gradient parity with TF is in
tests/compat/test_math_apis_vs_tf.py; numerical gradients in test_gradients_contract."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


X = np.array([0.25, 0.5, 1.0, 2.5, 7.0])


@pytest.mark.parametrize(
    ("fn", "ref"),
    [
        (tf.erf, math.erf),
        (tf.erfc, math.erfc),
        (tf.lgamma, math.lgamma),
        (tf.asinh, math.asinh),
        (tf.math.log_sigmoid, lambda v: -math.log1p(math.exp(-v))),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_values_and_dtype(fn, ref, dtype):
    x = tf.placeholder(dtype, [None])
    y = fn(x)
    assert y.dtype == tf.as_dtype(dtype)
    out = run(y, {x: X.astype(dtype)})
    assert out.dtype == dtype
    np.testing.assert_allclose(out, [ref(v) for v in X], rtol=1e-6 if dtype == np.float64 else 1e-5)


def test_digamma_is_lgamma_derivative_and_nan_at_poles():
    x = tf.constant(X)
    (g,) = tf.gradients(tf.lgamma(x), x)
    d, poles = run([tf.digamma(x), tf.digamma(tf.constant([0.0, -1.0, -3.0]))])
    np.testing.assert_allclose(run(g), d)
    np.testing.assert_allclose(d[2], -0.5772156649015329)  # -Euler's gamma
    assert np.isnan(poles).all()


def test_inverse_hyperbolics_domain():
    out = run([tf.acosh([0.5, 1.0, 2.0]), tf.atanh([1.0, -1.0, 2.0, 0.5])])
    assert np.isnan(out[0][0]) and out[0][1] == 0.0
    np.testing.assert_allclose(out[0][2], math.acosh(2.0), rtol=1e-6)
    assert out[1][0] == np.inf and out[1][1] == -np.inf and np.isnan(out[1][2])


def test_rint_rounds_half_to_even_and_has_no_gradient():
    x = tf.constant([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.7])
    np.testing.assert_array_equal(run(tf.rint(x)), [-2, -2, -0, 0, 2, 2, 4])
    assert tf.gradients(tf.rint(x), x) == [None]


def test_polygamma_zeta_relation_and_bad_orders():
    # psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x)
    x = tf.constant(X)
    p1, z2, bad = run(
        [
            tf.polygamma(tf.constant(1.0, tf.float64), x),
            tf.zeta(tf.constant(2.0, tf.float64), x),
            tf.polygamma(tf.constant([-1.0, 0.5], tf.float64), tf.constant(2.0, tf.float64)),
        ]
    )
    np.testing.assert_allclose(p1, z2, rtol=1e-12)
    np.testing.assert_allclose(z2[2], math.pi**2 / 6, rtol=1e-12)
    assert np.isnan(bad).all()


def test_igamma_closed_form_and_complement():
    # P(1, x) = 1 - exp(-x)
    a = tf.constant([[1.0], [2.0]], tf.float64)
    p, q = run([tf.igamma(a, X), tf.igammac(a, X)])
    assert p.shape == (2, 5)
    np.testing.assert_allclose(p[0], 1 - np.exp(-X), rtol=1e-12)
    np.testing.assert_allclose(p + q, np.ones((2, 5)), rtol=1e-12)


def test_igamma_gradient_wrt_a_matches_finite_difference():
    a = tf.placeholder(tf.float64, [3])
    (ga,) = tf.gradients(tf.igamma(a, 1.5), a)
    av = np.array([0.5, 1.0, 3.0])
    h = 1e-6
    num = (run(tf.igamma(av + h, 1.5)) - run(tf.igamma(av - h, 1.5))) / (2 * h)
    np.testing.assert_allclose(run(ga, {a: av}), num, rtol=1e-6)


def test_betainc_closed_form_and_shape_errors():
    # I_x(1, b) = 1 - (1 - x)^b
    x = np.array([0.0, 0.2, 0.5, 1.0])
    out = run(tf.betainc(np.float64(1.0), tf.constant(3.0, tf.float64), tf.constant(x)))
    np.testing.assert_allclose(out, 1 - (1 - x) ** 3, atol=1e-12)
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal"):
        tf.betainc(tf.ones([2]), tf.ones([3]), tf.ones([2]))
    a = tf.placeholder(tf.float32)
    with pytest.raises(errors.InvalidArgumentError, match=r"Shapes of a and x are inconsistent"):
        run(tf.betainc(a, 1.0, tf.ones([3])), {a: [1.0, 2.0]})


def test_lbeta_reduces_last_axis():
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 1.0]])
    out = run(tf.lbeta(x))
    want = [sum(math.lgamma(v) for v in row) - math.lgamma(sum(row)) for row in x]
    np.testing.assert_allclose(out, want, rtol=1e-12)
    assert tf.lbeta(tf.placeholder(tf.float32, [None, 4, 2])).shape.as_list() == [None, 4]


def test_xlogy_family_is_zero_where_x_is_zero():
    out = run(
        [
            tf.math.xlogy([0.0, 2.0], [0.0, 3.0]),
            tf.math.xlog1py([0.0, 2.0], [-1.0, 3.0]),
            tf.math.xdivy([0.0, 2.0], [0.0, 4.0]),
        ]
    )
    np.testing.assert_allclose(out[0], [0.0, 2 * math.log(3.0)])
    np.testing.assert_allclose(out[1], [0.0, 2 * math.log(4.0)])
    np.testing.assert_allclose(out[2], [0.0, 0.5])


def test_integer_inputs_are_rejected_as_tf():
    with pytest.raises(TypeError, match="int32"):
        tf.erf(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Incompatible shapes|Dimensions must be equal"):
        tf.igamma(tf.ones([2]), tf.ones([3]))
