"""nn ops: activations and (log-)softmax values, stability, shapes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors

X = np.linspace(-6, 6, 24, dtype=np.float32).reshape(2, 3, 4)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


@pytest.fixture
def x():
    return tf.placeholder(tf.float32, [2, 3, 4], name="x")


def _np_softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_ALPHA, _SCALE = 1.6732632423543772, 1.0507009873554805

ACTIVATIONS = [
    ("relu", tf.nn.relu, lambda a: np.maximum(a, 0)),
    ("relu6", tf.nn.relu6, lambda a: np.clip(a, 0, 6)),
    ("elu", tf.nn.elu, lambda a: np.where(a < 0, np.expm1(a), a)),
    ("selu", tf.nn.selu, lambda a: _SCALE * np.where(a < 0, _ALPHA * np.expm1(a), a)),
    ("leaky_relu", tf.nn.leaky_relu, lambda a: np.where(a > 0, a, 0.2 * a)),
    ("softplus", tf.nn.softplus, lambda a: np.log1p(np.exp(a))),
    ("softsign", tf.nn.softsign, lambda a: a / (1 + np.abs(a))),
    ("sigmoid", tf.nn.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    ("tanh", tf.nn.tanh, np.tanh),
]


@pytest.mark.parametrize(("name", "fn", "ref"), ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations_match_numpy(x, name, fn, ref):
    y = fn(x)
    assert y.shape.as_list() == [2, 3, 4] and y.dtype == tf.float32
    got = run(y, {x: X})
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref(X.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_activation_op_names_and_extremes():
    big = tf.constant([-1000.0, 0.0, 1000.0])
    outs = [tf.nn.softplus(big), tf.nn.elu(big), tf.nn.selu(big), tf.nn.leaky_relu(big, 0.1)]
    assert outs[3].op.type == "LeakyRelu" and outs[3].op._attrs["alpha"] == pytest.approx(0.1)
    got = run(outs)
    np.testing.assert_allclose(got[0], [0.0, np.log(2.0), 1000.0])
    np.testing.assert_allclose(got[1], [-1.0, 0.0, 1000.0])
    assert np.isfinite(got[2]).all()
    np.testing.assert_allclose(got[3], [-100.0, 0.0, 1000.0])
    assert tf.nn.relu6(big).op.name == "Relu6"


def test_leaky_relu_casts_integers():
    y = tf.nn.leaky_relu(tf.constant([-2, 3]))
    assert y.dtype == tf.float32
    np.testing.assert_allclose(run(y), [-0.4, 3.0])


def test_relu_keeps_integer_dtype():
    y = tf.nn.relu(tf.constant([-1, 2], tf.int64))
    got = run(y)
    assert got.dtype == np.int64 and got.tolist() == [0, 2]


@pytest.mark.parametrize("axis", [-1, 2, 1, 0])
def test_softmax_and_log_softmax_along_axis(x, axis):
    s = tf.nn.softmax(x * 100, axis=axis)
    ls = tf.nn.log_softmax(x * 100, axis=axis)
    assert s.shape.as_list() == [2, 3, 4]
    got_s, got_ls = run([s, ls], {x: X})
    want = _np_softmax(X.astype(np.float64) * 100, axis)
    np.testing.assert_allclose(got_s, want, rtol=1e-5, atol=1e-12)
    assert np.isfinite(got_ls).all()
    shifted = X.astype(np.float64) * 100
    shifted = shifted - shifted.max(axis=axis, keepdims=True)
    np.testing.assert_allclose(
        got_ls, shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)), rtol=1e-5
    )


def test_softmax_graph_shape(x):
    assert tf.nn.softmax(x).op.type == "Softmax"
    moved = tf.nn.softmax(x, dim=1, name="sm")
    assert moved.op.type == "Transpose" and moved.op.name == "sm"
    assert moved.op.inputs[0].op.type == "Softmax"


def test_softmax_errors(x):
    with pytest.raises(errors.InvalidArgumentError, match=r"must be in the range \[-3, 3\)"):
        tf.nn.softmax(x, axis=3)
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(ValueError, match="Cannot specify both"):
        tf.nn.softmax(x, axis=1, dim=1)


def test_softmax_partial_shape():
    p = tf.placeholder(tf.float32, [None, 3])
    s = tf.nn.log_softmax(p, 0)
    assert s.shape.as_list() == [None, 3]
    got = run(s, {p: np.zeros((2, 3), np.float32)})
    np.testing.assert_allclose(got, np.full((2, 3), -np.log(2.0)), rtol=1e-6)


def test_softmax_cross_entropy_with_mismatched_fed_shapes_says_so_in_tf_words():
    labels = tf.placeholder(tf.float32, name="labels")
    logits = tf.placeholder(tf.float32, name="logits")
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(loss, {labels: np.ones([2, 3]), logits: np.ones([2, 4])})
    assert info.value.message.startswith(
        "logits and labels must be broadcastable: logits_size=[2,4] labels_size=[2,3]"
    )
