"""Conv2D, MaxPool, AvgPool, BiasAdd: kernels against a naive reference, shape rules
and TF's error phrases. (tests/compat/test_scopes_vs_tf.py compares values with TF.)"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tfgraph as tf

RNG = np.random.RandomState(0)


def _pads(in_size, k, s, d, padding):
    eff = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-in_size // s)
        total = max((out - 1) * s + eff - in_size, 0)
        return total // 2, total - total // 2
    return 0, 0


def _ref_conv(x, w, strides, padding, dilations=(1, 1)):
    """Naive NHWC convolution (grouped when x's depth is a multiple of w's)."""
    n, h, wd, c = x.shape
    kh, kw, cg, co = w.shape
    sh, sw = strides
    dh, dw = dilations
    if isinstance(padding, str):
        (pt, pb), (pl, pr) = _pads(h, kh, sh, dh, padding), _pads(wd, kw, sw, dw, padding)
    else:
        (pt, pb), (pl, pr) = padding
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    groups = c // cg
    og = co // groups
    out = np.zeros((n, oh, ow, co))
    for b, i, j, o in itertools.product(range(n), range(oh), range(ow), range(co)):
        g = o // og
        patch = xp[
            b, i * sh : i * sh + (kh - 1) * dh + 1 : dh, j * sw : j * sw + (kw - 1) * dw + 1 : dw
        ]
        out[b, i, j, o] = np.sum(patch[:, :, g * cg : (g + 1) * cg] * w[:, :, :, o])
    return out


def _ref_pool(x, k, s, padding, mode):
    n, h, wd, c = x.shape
    (pt, pb), (pl, pr) = _pads(h, k[0], s[0], 1, padding), _pads(wd, k[1], s[1], 1, padding)
    oh = (h + pt + pb - k[0]) // s[0] + 1
    ow = (wd + pl + pr - k[1]) // s[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i, j in itertools.product(range(oh), range(ow)):
        r0, c0 = i * s[0] - pt, j * s[1] - pl
        win = x[:, max(r0, 0) : min(r0 + k[0], h), max(c0, 0) : min(c0 + k[1], wd)]
        out[:, i, j] = win.max(axis=(1, 2)) if mode == "max" else win.mean(axis=(1, 2))
    return out


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("strides", [(1, 1), (2, 3)])
@pytest.mark.parametrize("kernel", [(3, 3, 4, 5), (1, 2, 4, 2), (3, 2, 2, 6), (2, 2, 1, 4)])
def test_conv2d_matches_reference(padding, strides, kernel):
    x = RNG.randn(2, 7, 8, 4).astype(np.float32)
    w = RNG.randn(*kernel).astype(np.float32)
    y = tf.nn.conv2d(x, w, strides=[1, *strides, 1], padding=padding)
    expected = _ref_conv(x, w, strides, padding)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(_run(y), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dilations", [(2, 1), (2, 3)])
def test_conv2d_dilations(dilations):
    x = RNG.randn(1, 9, 9, 3).astype(np.float32)
    w = RNG.randn(3, 2, 3, 2).astype(np.float32)
    for padding in ("SAME", "VALID"):
        y = tf.nn.conv2d(x, w, 1, padding, dilations=[1, *dilations, 1])
        expected = _ref_conv(x, w, (1, 1), padding, dilations)
        np.testing.assert_allclose(_run(y), expected, rtol=1e-4, atol=1e-4)


def test_conv2d_explicit_padding_and_nchw():
    x = RNG.randn(2, 5, 6, 3).astype(np.float32)
    w = RNG.randn(3, 3, 3, 4).astype(np.float32)
    y = tf.nn.conv2d(x, w, strides=2, padding=[[0, 0], [1, 2], [0, 3], [0, 0]])
    assert y.op.get_attr("padding") == b"EXPLICIT"
    assert y.op.get_attr("explicit_paddings") == [0, 0, 1, 2, 0, 3, 0, 0]
    expected = _ref_conv(x, w, (2, 2), ((1, 2), (0, 3)))
    np.testing.assert_allclose(_run(y), expected, rtol=1e-4, atol=1e-4)
    xn = np.transpose(x, (0, 3, 1, 2))
    yn = tf.nn.conv2d(xn, w, [1, 1, 2, 2], [[0, 0], [0, 0], [1, 2], [0, 3]], data_format="NCHW")
    assert yn.shape.as_list() == [2, 4, *expected.shape[1:3]]
    np.testing.assert_allclose(_run(yn), np.transpose(expected, (0, 3, 1, 2)), rtol=1e-4, atol=1e-4)


def test_conv2d_attrs_names_and_partial_shapes():
    x = tf.placeholder(tf.float32, [None, 8, None, 3], name="x")
    w = tf.placeholder(tf.float32, [3, 3, 3, 16], name="w")
    y = tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME")
    assert y.name == "Conv2D:0"
    assert y.shape.as_list() == [None, 4, None, 16]
    assert y.op.get_attr("dilations") == [1, 1, 1, 1]
    assert y.op.get_attr("use_cudnn_on_gpu") is True
    assert y.op.get_attr("data_format") == b"NHWC"
    z = tf.nn.convolution(x, w, padding="SAME", strides=[2, 2], name="myconv")
    assert z.name == "myconv:0" and z.op.type == "Conv2D"
    assert tf.nn.convolution(x, w, "VALID").name == "convolution:0"
    v = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="VALID", data_format="NHWC")
    assert v.shape.as_list() == [None, 6, None, 16]


def test_conv2d_shape_errors():
    with pytest.raises(ValueError, match=r"Negative dimension size caused by subtracting 3 from 2"):
        tf.nn.conv2d(tf.zeros([1, 2, 2, 1]), tf.zeros([3, 3, 1, 1]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d(tf.zeros([1, 2, 2]), tf.zeros([3, 3, 1, 1]), [1, 1, 1, 1], "VALID")
    with pytest.raises(
        ValueError, match=r"Depth of input \(4\) is not a multiple of input depth of filter \(3\)"
    ):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 3, 6]), [1, 1, 1, 1], "SAME")
    with pytest.raises(
        ValueError, match=r"Depth of output \(3\) is not a multiple of the number of groups \(2\)"
    ):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 2, 3]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match=r"strides should be of length 1, 2 or 4"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 4, 3]), [1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 4, 3]), [1, 1, 1, 1], "FOO")
    with pytest.raises(ValueError, match="must be a list/tuple of size 2"):
        tf.nn.conv2d(
            tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 4, 3]), 1, [[0, 0], [1], [0, 0], [0, 0]]
        )
    with pytest.raises(ValueError, match='"EXPLICIT" is not a valid value for `padding`'):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 4, 3]), 1, "EXPLICIT")


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize(("k", "s"), [((2, 2), (2, 2)), ((3, 3), (2, 1)), ((3, 2), (1, 1))])
def test_pools_match_reference(padding, k, s):
    x = RNG.randn(2, 7, 6, 3).astype(np.float32)
    mx = tf.nn.max_pool(x, [1, *k, 1], [1, *s, 1], padding)
    av = tf.nn.avg_pool(x, [1, *k, 1], [1, *s, 1], padding)
    np.testing.assert_allclose(_run(mx), _ref_pool(x, k, s, padding, "max"), rtol=1e-6)
    np.testing.assert_allclose(_run(av), _ref_pool(x, k, s, padding, "avg"), rtol=1e-5, atol=1e-6)
    assert mx.shape.as_list() == list(_ref_pool(x, k, s, padding, "max").shape)


def test_pool_names_nchw_and_errors():
    x = tf.placeholder(tf.float32, [2, 7, 7, 3], name="x")
    assert tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME").name == "MaxPool:0"
    assert tf.nn.avg_pool(x, 2, 2, "VALID").name == "AvgPool:0"
    assert tf.nn.max_pool2d(x, 3, 2, "VALID").name == "MaxPool2d:0"
    assert tf.nn.avg_pool2d(x, 3, 2, "VALID").name == "AvgPool_1:0"
    xv = RNG.randn(2, 3, 6, 5).astype(np.float32)  # NCHW
    y = tf.nn.max_pool(xv, [1, 1, 2, 2], [1, 1, 2, 2], "VALID", data_format="NCHW")
    expected = _ref_pool(np.transpose(xv, (0, 2, 3, 1)), (2, 2), (2, 2), "VALID", "max")
    np.testing.assert_allclose(_run(y), np.transpose(expected, (0, 3, 1, 2)))
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 5 from 4"):
        tf.nn.max_pool(tf.zeros([1, 4, 4, 4]), [1, 5, 5, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="`ksize` cannot be zero"):
        tf.nn.max_pool(tf.zeros([1, 4, 4, 4]), [1, 0, 2, 1], [1, 1, 1, 1], "VALID")
    ints = tf.nn.max_pool(
        tf.constant(np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)), 2, 2, "SAME"
    )
    assert _run(ints).reshape(-1).tolist() == [5, 7, 13, 15]


def test_bias_add():
    x = RNG.randn(2, 3, 4).astype(np.float32)
    b = np.array([1.0, -2.0, 3.0, 0.5], np.float32)
    y = tf.nn.bias_add(x, b)
    assert y.name == "BiasAdd:0" and y.op.type == "BiasAdd"
    np.testing.assert_allclose(_run(y), x + b)
    xc = RNG.randn(2, 4, 3, 3).astype(np.float32)
    yc = tf.nn.bias_add(xc, b, data_format="NCHW")
    np.testing.assert_allclose(_run(yc), xc + b[None, :, None, None])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3, 1]))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="`data_format` must be of the form"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3]), data_format="HWC")


def test_conv_on_a_variable_and_float64():
    w = tf.get_variable("w", [3, 3, 2, 2], dtype=tf.float64, initializer=tf.ones_initializer())
    x = tf.ones([1, 4, 4, 2], tf.float64)
    y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    with tf.Session() as sess:
        sess.run(w.initializer)
        out = sess.run(y)
    assert out.dtype == np.float64
    assert out[0, 1, 1, 0] == 18.0 and out[0, 0, 0, 0] == 8.0
