"""tf.einsum (tfgraph/ops/einsum_ops.py): values against numpy, static shapes, implicit
equations and errors (class and TF's phrase). Graph/gradient parity with TF is in
tests/compat/test_math_apis_vs_tf.py; numerical gradients in test_gradients_contract."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors

rng = np.random.RandomState(0)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


@pytest.mark.parametrize(
    ("equation", "shapes"),
    [
        ("ij,jk->ik", [(2, 3), (3, 4)]),
        ("ij,jk", [(2, 3), (3, 4)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("i,j->ij", [(3,), (4,)]),
        ("ii->i", [(3, 3)]),
        ("ii", [(3, 3)]),
        ("ij->", [(2, 3)]),
        ("...ij,jk->...ik", [(5, 2, 3), (3, 4)]),
        ("...ij,...jk->...ik", [(5, 1, 2, 3), (4, 3, 2)]),
        ("i,i->", [(0,), (0,)]),
    ],
)
def test_values_and_shapes_match_numpy(equation, shapes):
    values = [rng.randn(*s).astype(np.float32) for s in shapes]
    out = tf.einsum(equation, *[tf.constant(v) for v in values])
    want = np.einsum(equation, *values)
    assert out.op.type == "Einsum" and out.op.name.startswith("einsum")
    assert out.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(run(out), want, rtol=1e-5, atol=1e-6)


def test_unknown_dims_and_name():
    p = tf.placeholder(tf.float64, [None, 3])
    out = tf.einsum("ij,jk->ik", p, tf.ones([3, 2], tf.float64), name="contract")
    assert out.shape.as_list() == [None, 2] and out.op.name == "contract/Einsum"
    assert out.op.get_attr("equation") == b"ij,jk->ik"
    np.testing.assert_allclose(run(out, {p: np.ones((4, 3))}), np.full((4, 2), 3.0))


def test_repeated_output_label_puts_values_on_the_diagonal():
    x = np.arange(6.0).reshape(3, 2)
    want = np.zeros((3, 3, 2))
    for i in range(3):
        want[i, i] = x[i]
    np.testing.assert_array_equal(run(tf.einsum("ij->iij", x)), want)


def test_errors_as_tf():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([4, 5]))
    with pytest.raises(ValueError, match="label z not present in the input subscripts"):
        tf.einsum("ij,jk->ikz", tf.ones([2, 3]), tf.ones([3, 4]))
    with pytest.raises(ValueError, match='Got 2 inputs for equation "ij->ij", expecting 1'):
        tf.einsum("ij->ij", tf.ones([2, 3]), tf.ones([3, 4]))
    p = tf.placeholder(tf.float32, [None, 3])
    q = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(errors.InvalidArgumentError, match=r"Expected dimension 3 at axis 0"):
        run(tf.einsum("ij,jk->ik", p, q), {p: np.ones((2, 3)), q: np.ones((4, 4))})
