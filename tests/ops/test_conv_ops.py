"""The conv family: kernels and gradients against naive references (loops over output
pixels), TF's tie-breaking and SAME-averaging rules, shape rules, graph names and TF's
error phrases. (tests/compat/test_conv_vs_tf.py compares values with real TF.)"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.apply import op_output

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


# -- gradients ------------------------------------------------------------------------------------
def _ref_conv_grads(x, w, dy, strides, padding, dilations=(1, 1)):
    """Naive input and filter gradients of `_ref_conv` (one output pixel at a time)."""
    _, h, wd, c = x.shape
    kh, kw, cg, co = w.shape
    sh, sw = strides
    dh, dw = dilations
    if isinstance(padding, str):
        (pt, pb), (pl, pr) = _pads(h, kh, sh, dh, padding), _pads(wd, kw, sw, dw, padding)
    else:
        (pt, pb), (pl, pr) = padding
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    dxp = np.zeros_like(xp)
    dwt = np.zeros_like(w)
    og = co // (c // cg)
    for i, j in itertools.product(range(dy.shape[1]), range(dy.shape[2])):
        rows = slice(i * sh, i * sh + (kh - 1) * dh + 1, dh)
        cols = slice(j * sw, j * sw + (kw - 1) * dw + 1, dw)
        for g in range(c // cg):
            chans = slice(g * cg, (g + 1) * cg)
            outs = slice(g * og, (g + 1) * og)
            patch = xp[:, rows, cols, chans]  # n, kh, kw, cg
            dwt[:, :, :, outs] += np.einsum("nhwc,no->hwco", patch, dy[:, i, j, outs])
            dxp[:, rows, cols, chans] += np.einsum(
                "hwco,no->nhwc", w[:, :, :, outs], dy[:, i, j, outs]
            )
    return dxp[:, pt : pt + h, pl : pl + wd], dwt


CONV_GRAD_CASES = [
    # x shape, filter shape, strides, padding, dilations
    ((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((2, 7, 6, 3), (3, 2, 3, 4), (2, 3), "VALID", (1, 1)),
    ((1, 6, 7, 20), (3, 3, 20, 5), (2, 2), "SAME", (1, 1)),  # per-offset products
    ((1, 6, 7, 20), (2, 3, 20, 3), (1, 2), "VALID", (1, 1)),
    ((1, 9, 8, 2), (3, 2, 2, 3), (1, 1), "SAME", (2, 3)),
    ((1, 9, 8, 18), (2, 2, 18, 2), (2, 1), "VALID", (2, 2)),
    ((1, 7, 7, 3), (3, 3, 3, 2), (2, 1), ((1, 2), (0, 3)), (1, 1)),
    ((2, 6, 6, 4), (3, 3, 2, 6), (1, 1), "SAME", (1, 1)),  # 2 groups
    ((1, 6, 5, 32), (2, 2, 16, 4), (2, 2), "VALID", (1, 1)),  # 2 groups, per-offset
]


def _padding_arg(padding):
    if isinstance(padding, str):
        return padding
    return [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize(("xs", "ws", "strides", "padding", "dilations"), CONV_GRAD_CASES)
def test_conv2d_gradients_match_reference(xs, ws, strides, padding, dilations, fmt):
    x, w = RNG.randn(*xs), RNG.randn(*ws)
    y_ref = _ref_conv(x, w, strides, padding, dilations)
    dy = RNG.randn(*y_ref.shape)
    dx_ref, dw_ref = _ref_conv_grads(x, w, dy, strides, padding, dilations)
    pad = _padding_arg(padding)
    to_fmt = (lambda a: np.transpose(a, (0, 3, 1, 2))) if fmt == "NCHW" else (lambda a: a)
    back = (lambda a: np.transpose(a, (0, 2, 3, 1))) if fmt == "NCHW" else (lambda a: a)
    if fmt == "NCHW" and not isinstance(pad, str):
        pad = [pad[0], pad[3], pad[1], pad[2]]
    xt, wt = tf.constant(to_fmt(x)), tf.constant(w)
    y = tf.nn.conv2d(xt, wt, list(strides), pad, data_format=fmt, dilations=list(dilations))
    dx, dw = tf.gradients(y, [xt, wt], grad_ys=tf.constant(to_fmt(dy)))
    assert dx.op.type == "Conv2DBackpropInput" and dw.op.type == "Conv2DBackpropFilter"
    assert dx.shape.as_list() == list(to_fmt(x).shape) and dw.shape.as_list() == list(ws)
    yv, dxv, dwv = _run([y, dx, dw])
    np.testing.assert_allclose(back(yv), y_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(back(dxv), dx_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dwv, dw_ref, rtol=1e-10, atol=1e-10)


def test_conv2d_gradient_graph_and_float16():
    x = tf.placeholder(tf.float16, [2, 5, 5, 3], name="x")
    w = tf.placeholder(tf.float16, [3, 3, 3, 2], name="w")
    y = tf.nn.conv2d(x, w, 2, "SAME")
    dx, dw = tf.gradients(y, [x, w])
    assert dx.name == "gradients/Conv2D_grad/Conv2DBackpropInput:0"
    assert dw.name == "gradients/Conv2D_grad/Conv2DBackpropFilter:0"
    assert dx.op.inputs[0].op.type == "ShapeN"
    xv, wv = RNG.randn(2, 5, 5, 3).astype(np.float16), RNG.randn(3, 3, 3, 2).astype(np.float16)
    dxv, dwv = _run([dx, dw], {x: xv, w: wv})
    assert dxv.dtype == np.float16 and dwv.dtype == np.float16
    ref_dx, ref_dw = _ref_conv_grads(
        xv.astype(np.float64), wv.astype(np.float64), np.ones((2, 3, 3, 2)), (2, 2), "SAME"
    )
    np.testing.assert_allclose(dxv, ref_dx, rtol=2e-2, atol=2e-2)
    np.testing.assert_allclose(dwv, ref_dw, rtol=2e-2, atol=5e-2)


def test_conv2d_backprop_ops_shapes_and_errors():
    w = tf.zeros([3, 3, 3, 4])
    dy = tf.zeros([2, 4, 4, 4])
    full = tf.nn.conv2d_backprop_input([2, 8, 8, 3], w, dy, [1, 2, 2, 1], "SAME")
    assert full.shape.as_list() == [2, 8, 8, 3]
    sizes = tf.placeholder(tf.int32, [4])
    dyn = tf.nn.conv2d_backprop_input(sizes, w, dy, [1, 1, 1, 1], "SAME")
    assert dyn.shape.as_list() == [2, None, None, None]
    two = tf.nn.conv2d_backprop_input([4, 4], w, dy, [1, 1, 1, 1], "SAME")
    assert two.shape.as_list() == [2, 4, 4, 3]
    assert _run(two).shape == (2, 4, 4, 3)
    x = tf.zeros([2, 4, 4, 3])
    f_sizes = tf.placeholder_with_default([3, 3, 3, 4], [4])
    df = tf.nn.conv2d_backprop_filter(x, f_sizes, dy, [1, 1, 1, 1], "SAME")
    assert df.shape.as_list() == [None] * 4 and _run(df).shape == (3, 3, 3, 4)
    with pytest.raises(ValueError, match="requires input_sizes to contain 4 values or 2 values"):
        tf.nn.conv2d_backprop_input([8, 8, 3], w, dy, [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 2"):
        tf.nn.conv2d_backprop_input([3, 8, 8, 3], w, dy, [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d_backprop_filter(x, [3, 3, 3], dy, [1, 1, 1, 1], "SAME")
    bad = tf.nn.conv2d_backprop_input([2, 9, 9, 3], w, dy, [1, 2, 2, 1], "SAME")
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"Size of out_backprop doesn't match computed: actual = 4, computed = 5 "
        r"spatial_dim: 1 input: 9 filter: 3 output: 4 stride: 2 dilation: 1",
    ):
        _run(bad)
    bad = tf.nn.conv2d_backprop_filter(x, [3, 3, 3, 5], dy, [1, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have the same out_depth"):
        _run(bad)
    bad = tf.nn.conv2d_backprop_input([2, 4, 4, 3], w, dy, [2, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.UnimplementedError, match="strides in the batch and depth"):
        _run(bad)
    with pytest.raises(TypeError, match="Expected list for 'strides'"):
        tf.nn.conv2d_backprop_input([2, 4, 4, 3], w, dy, 1, "SAME")


@pytest.mark.parametrize(
    ("stride", "padding", "out_shape"),
    [(1, "SAME", [2, 4, 4, 5]), (2, "SAME", [2, 7, 8, 5]), (2, "VALID", [2, 10, 9, 5])],
)
def test_conv2d_transpose_is_the_input_gradient(stride, padding, out_shape):
    x, w = RNG.randn(2, 4, 4, 3), RNG.randn(3, 3, 5, 3)
    y = tf.nn.conv2d_transpose(x, w, out_shape, stride, padding)
    assert y.name == "conv2d_transpose:0" and y.op.type == "Conv2DBackpropInput"
    assert y.op.inputs[0].name == "conv2d_transpose/input_sizes:0"
    assert y.shape.as_list() == out_shape
    z = RNG.randn(*out_shape)
    expected, _ = _ref_conv_grads(z, w, x, (stride, stride), padding)
    np.testing.assert_allclose(_run(y), expected, rtol=1e-10, atol=1e-10)
    dyn = tf.nn.conv2d_transpose(
        x, w, tf.placeholder_with_default(out_shape, [4]), stride, padding, name="up"
    )
    assert dyn.name == "up:0" and dyn.shape.as_list() == [2, None, None, None]


# -- depthwise, separable, conv1d ----------------------------------------------------------------
def _ref_depthwise(x, w, strides, padding, dilations=(1, 1)):
    c, m = w.shape[2], w.shape[3]
    outs = [
        _ref_conv(x[..., k : k + 1], w[:, :, k : k + 1, :], strides, padding, dilations)
        for k in range(c)
    ]
    return np.stack(outs, axis=3).reshape(*outs[0].shape[:3], c * m)


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize(
    ("m", "strides", "padding", "rate"),
    [
        (1, (1, 1), "SAME", None),
        (2, (2, 2), "VALID", None),
        (3, (2, 1), "SAME", None),
        (2, (1, 1), "SAME", (2, 2)),
        (1, (1, 1), "VALID", (2, 3)),
    ],
)
def test_depthwise_conv2d_and_gradients(m, strides, padding, rate, fmt):
    x, w = RNG.randn(2, 7, 6, 3), RNG.randn(3, 2, 3, m)
    dil = rate or (1, 1)
    expected = _ref_depthwise(x, w, strides, padding, dil)
    to_fmt = (lambda a: np.transpose(a, (0, 3, 1, 2))) if fmt == "NCHW" else (lambda a: a)
    st = [1, *strides, 1] if fmt == "NHWC" else [1, 1, *strides]
    xt, wt = tf.constant(to_fmt(x)), tf.constant(w)
    y = tf.nn.depthwise_conv2d(xt, wt, st, padding, rate=rate, data_format=fmt)
    assert y.name.startswith("depthwise") and y.op.type == "DepthwiseConv2dNative"
    np.testing.assert_allclose(_run(y), to_fmt(expected), rtol=1e-10, atol=1e-10)
    # gradients equal those of the same function built from per-channel Conv2Ds
    dy = to_fmt(RNG.randn(*expected.shape))
    dx, dw = tf.gradients(y, [xt, wt], grad_ys=tf.constant(dy))
    assert dx.op.type == "DepthwiseConv2dNativeBackpropInput"
    assert dw.op.type == "DepthwiseConv2dNativeBackpropFilter"
    # the same function from one Conv2D per channel (outputs channel-major, m per channel)
    axis = 3 if fmt == "NHWC" else 1
    convs = [
        tf.nn.conv2d(a, b, list(strides), padding, data_format=fmt, dilations=list(dil))
        for a, b in zip(tf.split(xt, 3, axis=axis), tf.split(wt, 3, axis=2))
    ]
    per_channel = tf.concat(convs, axis=axis)
    rx, rw = tf.gradients(per_channel, [xt, wt], grad_ys=tf.constant(dy))
    got = _run([dx, dw, rx, rw])
    np.testing.assert_allclose(got[0], got[2], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got[1], got[3], rtol=1e-10, atol=1e-10)


def test_depthwise_and_separable_graphs_and_errors():
    x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
    dw = tf.placeholder(tf.float32, [3, 3, 3, 2], name="dw")
    pw = tf.placeholder(tf.float32, [1, 1, 6, 7], name="pw")
    s = tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "VALID")
    assert s.name == "separable_conv2d:0" and s.op.type == "Conv2D"
    assert s.op.inputs[0].name == "separable_conv2d/depthwise:0"
    assert s.shape.as_list() == [2, 6, 6, 7]
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "separable_conv2d/Shape" in names and "separable_conv2d/dilation_rate" in names
    with pytest.raises(ValueError, match="Dimensions 2 and 1 are not compatible"):
        tf.nn.separable_conv2d(x, dw, tf.zeros([2, 1, 6, 7]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 2"):
        tf.nn.depthwise_conv2d(x, tf.zeros([3, 3, 2, 2]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="DepthwiseConv2D requires the stride attribute"):
        tf.nn.depthwise_conv2d(x, dw, [1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="Expected list for 'strides'"):
        tf.nn.depthwise_conv2d(x, dw, 1, "SAME")
    bad = tf.nn.depthwise_conv2d_native_backprop_input(
        [2, 9, 9, 3], dw, tf.zeros([2, 4, 4, 6]), [1, 2, 2, 1], "SAME"
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="Number of rows of out_backprop"):
        _run(bad, {x: np.zeros([2, 8, 8, 3]), dw: np.zeros([3, 3, 3, 2])})
    xv, dwv, pwv = RNG.randn(2, 8, 8, 3), RNG.randn(3, 3, 3, 2), RNG.randn(1, 1, 6, 7)
    expected = _ref_conv(_ref_depthwise(xv, dwv, (1, 1), "VALID"), pwv, (1, 1), "VALID")
    np.testing.assert_allclose(_run(s, {x: xv, dw: dwv, pw: pwv}), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("stride", "padding"), [(1, "SAME"), (2, "VALID"), (2, "SAME")])
def test_conv1d(stride, padding):
    x, w = RNG.randn(2, 9, 3), RNG.randn(3, 3, 4)
    y = tf.nn.conv1d(x, w, stride, padding)
    assert y.name == "conv1d/Squeeze:0" and y.op.inputs[0].op.name == "conv1d"
    expected = _ref_conv(x[:, None], w[None], (1, stride), padding)[:, 0]
    np.testing.assert_allclose(_run(y), expected, rtol=1e-10, atol=1e-10)
    yc = tf.nn.conv1d(np.transpose(x, (0, 2, 1)), w, stride, padding, data_format="NCW")
    np.testing.assert_allclose(_run(yc), np.transpose(expected, (0, 2, 1)), atol=1e-10)
    with pytest.raises(ValueError, match="`data_format` must be 'NWC' or 'NCW'"):
        tf.nn.conv1d(x, w, stride, padding, data_format="NHC")


def test_atrous_conv2d():
    x, w = RNG.randn(1, 9, 9, 2), RNG.randn(3, 3, 2, 3)
    y = tf.nn.atrous_conv2d(x, w, 2, "SAME")
    np.testing.assert_allclose(_run(y), _ref_conv(x, w, (1, 1), "SAME", (2, 2)), atol=1e-10)


# -- pooling gradients ---------------------------------------------------------------------------
def test_max_pool_gradient_goes_to_the_first_maximum():
    x = tf.constant(np.ones([1, 4, 4, 1], np.float32))
    g1 = tf.gradients(tf.nn.max_pool(x, 2, 2, "VALID"), x)[0]
    g2 = tf.gradients(tf.nn.max_pool(x, 3, 1, "SAME"), x)[0]
    assert g1.op.type == "MaxPoolGrad"
    v1, v2 = _run([g1, g2])
    assert v1[0, :, :, 0].tolist() == [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    assert v2[0, :, :, 0].tolist() == [[4, 2, 2, 0], [2, 1, 1, 0], [2, 1, 1, 0], [0, 0, 0, 0]]
    # NaN is never the maximum (TF's CPU kernels skip it)
    xn = tf.constant(np.array([[1, np.nan], [0, 2]], np.float32).reshape(1, 2, 2, 1))
    yn = tf.nn.max_pool(xn, 2, 1, "VALID")
    yv, gv = _run([yn, tf.gradients(yn, xn)[0]])
    assert yv.reshape(-1).tolist() == [2.0] and gv.reshape(-1).tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize(
    ("k", "s", "padding"),
    [
        ((2, 2), (2, 2), "VALID"),
        ((3, 3), (2, 1), "SAME"),
        ((3, 2), (1, 2), "VALID"),
        ((2, 3), (2, 2), ((1, 0), (1, 1))),
    ],
)
def test_pool_gradients_match_reference(k, s, padding, fmt):
    x = RNG.randint(0, 3, (2, 7, 6, 3)).astype(np.float64)  # ties
    n, h, wd, c = x.shape
    if isinstance(padding, str):
        (pt, pb), (pl, pr) = _pads(h, k[0], s[0], 1, padding), _pads(wd, k[1], s[1], 1, padding)
    else:
        (pt, pb), (pl, pr) = padding
    oh, ow = (h + pt + pb - k[0]) // s[0] + 1, (wd + pl + pr - k[1]) // s[1] + 1
    dy = RNG.randn(n, oh, ow, c)
    ref_max, ref_avg = np.zeros_like(x), np.zeros_like(x)
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        r0, c0 = i * s[0] - pt, j * s[1] - pl
        rows, cols = range(max(r0, 0), min(r0 + k[0], h)), range(max(c0, 0), min(c0 + k[1], wd))
        cells = [(r, q) for r in rows for q in cols]
        vals = [x[b, r, q, ch] for r, q in cells]
        r, q = cells[int(np.argmax(vals))]  # the first maximum in row-major window order
        ref_max[b, r, q, ch] += dy[b, i, j, ch]
        for r, q in cells:
            ref_avg[b, r, q, ch] += dy[b, i, j, ch] / len(cells)
    to_fmt = (lambda a: np.transpose(a, (0, 3, 1, 2))) if fmt == "NCHW" else (lambda a: a)
    ks = [1, *k, 1] if fmt == "NHWC" else [1, 1, *k]
    ss = [1, *s, 1] if fmt == "NHWC" else [1, 1, *s]
    pad = padding if isinstance(padding, str) else [[0, 0], *map(list, padding), [0, 0]]
    if fmt == "NCHW" and not isinstance(pad, str):
        pad = [pad[0], pad[3], pad[1], pad[2]]
    xt, dyt = tf.constant(to_fmt(x)), tf.constant(to_fmt(dy))
    gmax = tf.gradients(tf.nn.max_pool(xt, ks, ss, pad, data_format=fmt), xt, grad_ys=dyt)[0]
    fetch = [gmax]
    if isinstance(padding, str):
        fetch.append(
            tf.gradients(tf.nn.avg_pool(xt, ks, ss, pad, data_format=fmt), xt, grad_ys=dyt)[0]
        )
    got = _run(fetch)
    np.testing.assert_allclose(got[0], to_fmt(ref_max), rtol=1e-12, atol=1e-12)
    if isinstance(padding, str):
        assert fetch[1].op.type == "AvgPoolGrad"
        np.testing.assert_allclose(got[1], to_fmt(ref_avg), rtol=1e-12, atol=1e-12)


def test_max_pool_second_order_and_errors():
    x = tf.constant(RNG.randint(0, 3, (1, 5, 5, 2)).astype(np.float32))
    y = tf.nn.max_pool(x, 3, 2, "SAME")
    dy = tf.constant(RNG.randn(1, 3, 3, 2).astype(np.float32))
    gx = tf.gradients(y, x, grad_ys=dy)[0]
    r = RNG.randn(1, 5, 5, 2).astype(np.float32)
    ggy = tf.gradients(gx, dy, grad_ys=tf.constant(r))[0]
    assert ggy.op.type == "MaxPoolGradGrad"
    # <gx, r> = <dy, ggy> for the linear map dy -> gx
    gxv, ggyv, dyv = _run([gx, ggy, dy])
    assert np.isclose(np.sum(gxv * r), np.sum(dyv * ggyv), rtol=1e-5)
    bad = op_output(
        "MaxPoolGrad",
        None,
        [x, tf.zeros([1, 2, 2, 2]), dy],
        {"ksize": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "padding": b"SAME"},
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected orig_output shape to be"):
        _run(bad)
    explicit = tf.nn.max_pool(x, 2, 2, [[0, 0], [1, 0], [0, 1], [0, 0]])
    gx = tf.gradients(explicit, x)[0]
    with pytest.raises(ValueError, match="EXPLICIT"):  # MaxPoolGradGrad has no EXPLICIT
        tf.gradients(gx, x)


def test_avg_pool_counts_vary_only_where_windows_differ():
    from tfgraph.ops.conv_kernels import pool_geometry, valid_counts

    in_shape, ksize, strides = (2, 5, 4, 3), (1, 3, 3, 1), (1, 2, 2, 1)
    pads, out = pool_geometry(in_shape, ksize, strides, b"SAME")
    counts = valid_counts(in_shape, out, ksize, strides, pads)
    assert counts.shape == (1, 3, 2, 1)  # (every window covers one image, one channel)
    np.testing.assert_array_equal(counts[0, :, :, 0], [[6, 4], [9, 6], [6, 4]])  # (2,3,2 x 3,2)
    pads, out = pool_geometry(in_shape, (1, 2, 2, 1), strides, b"VALID")
    assert valid_counts(in_shape, out, (1, 2, 2, 1), strides, pads).tolist() == [[[[4]]]]


def test_avg_pool_grad_divides_by_valid_counts():
    x = tf.constant(np.zeros([1, 4, 4, 1]))
    g = tf.gradients(tf.nn.avg_pool(x, 3, 2, "SAME"), x)[0]
    expected = np.array(
        [[1 / 9, 1 / 9, 1 / 9 + 1 / 6, 1 / 6], [1 / 9, 1 / 9, 1 / 9 + 1 / 6, 1 / 6]]
        + [[1 / 9 + 1 / 6, 1 / 9 + 1 / 6, 1 / 9 + 2 / 6 + 1 / 4, 1 / 6 + 1 / 4]]
        + [[1 / 6, 1 / 6, 1 / 6 + 1 / 4, 1 / 4]]
    )
    np.testing.assert_allclose(_run(g)[0, :, :, 0], expected, rtol=1e-12)
    sizes = tf.placeholder_with_default([1, 4, 4, 1], [4])
    dyn = op_output(
        "AvgPoolGrad",
        None,
        [sizes, tf.ones([1, 2, 2, 1], tf.float64)],
        {"ksize": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "padding": b"SAME"},
    )
    assert dyn.shape.as_list() == [None] * 4
    np.testing.assert_allclose(_run(dyn)[0, :, :, 0], expected, rtol=1e-12)


def test_max_pool_with_argmax():
    x = tf.constant(np.ones([2, 4, 4, 1], np.float32))
    y, idx = tf.nn.max_pool_with_argmax(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    assert y.name == "MaxPoolWithArgmax:0" and idx.name == "MaxPoolWithArgmax:1"
    assert idx.dtype == tf.int64 and idx.shape.as_list() == [2, 4, 4, 1]
    v = _run(idx)
    assert v[1, :, :, 0].tolist() == [[0, 0, 1, 2], [0, 0, 1, 2], [4, 4, 5, 6], [8, 8, 9, 10]]
    _, idx_b = tf.nn.max_pool_with_argmax(
        x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", include_batch_in_index=True, Targmax=tf.int32
    )
    assert idx_b.dtype == tf.int32
    assert _run(idx_b)[:, :, :, 0].tolist() == [[[0, 2], [8, 10]], [[16, 18], [24, 26]]]
    xv = RNG.randn(2, 5, 6, 3).astype(np.float32)
    y, idx = tf.nn.max_pool_with_argmax(xv, [1, 2, 3, 1], [1, 2, 2, 1], "SAME")
    g = tf.gradients(y, [y.op.inputs[0]])[0]
    assert g.op.type == "MaxPoolGradWithArgmax"
    yv, iv, gv = _run([y, idx, g])
    np.testing.assert_array_equal(yv, _ref_pool(xv, (2, 3), (2, 2), "SAME", "max"))
    for b in range(2):
        np.testing.assert_array_equal(xv[b].reshape(-1)[iv[b].reshape(-1)], yv[b].reshape(-1))
    expected = np.zeros(xv.size)
    np.add.at(expected, (iv + np.arange(2).reshape(2, 1, 1, 1) * 90).reshape(-1), 1.0)
    np.testing.assert_array_equal(gv.reshape(-1), expected)
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(g, y.op.inputs[0])
    with pytest.raises(ValueError, match="`data_format` values other"):
        tf.nn.max_pool_with_argmax(xv, [1, 2, 2, 1], [1, 2, 2, 1], "SAME", data_format="NCHW")


# -- bias_add gradients --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "fmt"),
    [((3, 4), None), ((2, 3, 4), "NHWC"), ((2, 4, 3), "NCHW"), ((2, 4, 3, 2, 2), "NCHW")],
)
def test_bias_add_gradients(shape, fmt):
    x = tf.constant(RNG.randn(*shape))
    c = shape[1] if fmt == "NCHW" else shape[-1]
    b = tf.constant(RNG.randn(c))
    y = tf.nn.bias_add(x, b, data_format=fmt)
    dy = tf.constant(RNG.randn(*shape))
    dx, db = tf.gradients(y, [x, b], grad_ys=dy)
    assert db.op.type == "BiasAddGrad" and db.shape.as_list() == [c]
    r = RNG.randn(c)
    ggy = tf.gradients(db, dy, grad_ys=tf.constant(r))[0]
    axes = tuple(d for d in range(len(shape)) if d != (1 if fmt == "NCHW" else len(shape) - 1))
    dxv, dbv, dyv, ggv = _run([dx, db, dy, ggy])
    np.testing.assert_array_equal(dxv, dyv)
    np.testing.assert_allclose(dbv, dyv.sum(axis=axes), rtol=1e-12)
    bshape = [1] * len(shape)
    bshape[1 if fmt == "NCHW" else -1] = c
    np.testing.assert_allclose(ggv, np.broadcast_to(r.reshape(bshape), shape), rtol=1e-12)


def test_bias_add_grad_errors():
    with pytest.raises(ValueError, match="Shape must be at least rank 3 but is rank 2"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3]), data_format="NCHW")
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        op_output("BiasAddGrad", None, [tf.zeros([3])])
    assert op_output("BiasAddGrad", None, [tf.zeros([2, 5], tf.int32)]).dtype == tf.int32


# -- strides and windows < 1 (TF 2.21's shape functions and kernels) ---------------------------
_X4 = np.ones([1, 4, 4, 1], np.float32)
_W = np.ones([2, 2, 1, 1], np.float32)


@pytest.mark.parametrize("known", [True, False], ids=["known_shape", "unknown_shape"])
@pytest.mark.parametrize(
    ("build", "got"),
    [
        (lambda x: tf.nn.conv2d(x, _W, [1, 0, 1, 1], "VALID"), 0),
        (lambda x: tf.nn.conv2d(x, _W, [1, -1, 0, 1], "VALID"), -1),
        (lambda x: tf.nn.conv2d(x, _W, [1, 1, 0, 1], "SAME"), 0),
        (lambda x: tf.nn.depthwise_conv2d_native(x, _W, [1, 0, 1, 1], "VALID"), 0),
        (lambda x: tf.nn.depthwise_conv2d(x, _W, [1, 0, 1, 1], "VALID"), 0),
        (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 0, 1, 1], "VALID"), 0),
        (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, -1, 1, 1], "VALID"), -1),
        (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 1, 1, 0], "VALID"), 0),
        (lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 0, 1, 1], "SAME"), 0),
        (lambda x: tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 0, 1, 1], "VALID"), 0),
    ],
)
def test_stride_below_one_is_rejected_at_build_time(build, got, known):
    x = tf.placeholder(tf.float32, [1, 4, 4, 1] if known else None)
    with pytest.raises(ValueError, match=f"Stride must be > 0, but got {got} for "):
        build(x)


def test_dilation_below_one_is_rejected_at_build_time():
    x = tf.placeholder(tf.float32, [1, 4, 4, 1])
    with pytest.raises(ValueError, match="Dilation rate must be >= 1, but got 0"):
        tf.nn.conv2d(x, _W, [1, 1, 1, 1], "VALID", dilations=[1, 0, 1, 1])


def test_zero_stride_in_an_imported_graph_def_is_a_value_error():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [1, 4, 4, 1], name="x")
        tf.nn.conv2d(x, _W, [1, 1, 1, 1], "VALID", name="conv")
    graph_def = g.as_graph_def()
    for node in graph_def.node:
        if node.name == "conv":
            node.attr["strides"].list.i[1] = 0
    with pytest.raises(ValueError, match="Stride must be > 0, but got 0"):
        tf.import_graph_def(graph_def, name="")


@pytest.mark.parametrize(
    ("build", "cls", "phrase"),
    [
        (
            lambda x: tf.nn.conv2d(x, _W, [2, 1, 1, 1], "VALID"),
            tf.errors.UnimplementedError,
            "Current implementation does not yet support strides in the batch and depth "
            "dimensions.",
        ),
        (
            lambda x: tf.nn.conv2d(x, _W, [1, 1, 1, 0], "VALID"),
            tf.errors.UnimplementedError,
            "Current implementation does not yet support strides in the batch and depth",
        ),
        (
            lambda x: tf.nn.depthwise_conv2d_native(x, _W, [2, 1, 1, 1], "VALID"),
            tf.errors.UnimplementedError,
            "Current implementation does not yet support strides in the batch and depth",
        ),
        (
            lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [2, 1, 1, 1], "VALID"),
            tf.errors.UnimplementedError,
            "Pooling is not yet supported on the batch dimension.",
        ),
        (
            lambda x: tf.nn.avg_pool(x, [2, 2, 2, 1], [1, 1, 1, 1], "VALID"),
            tf.errors.UnimplementedError,
            "Pooling is not yet supported on the batch dimension.",
        ),
        (
            lambda x: tf.nn.max_pool(x, [1, -1, 2, 1], [1, 1, 1, 1], "VALID"),
            tf.errors.InvalidArgumentError,
            "Sliding window ksize must be positive. The specified or inferred ksize is: 1,-1,2,1",
        ),
        (
            lambda x: tf.nn.avg_pool(x, [1, 0, 2, 1], [1, 1, 1, 1], "VALID"),
            tf.errors.InvalidArgumentError,
            "ksize must be a positive int32 value, got:0",
        ),
        (
            lambda x: tf.nn.conv2d_backprop_input(
                [1, 4, 4, 1], _W, tf.ones([1, 3, 3, 1]), [1, 0, 1, 1], "VALID"
            ),
            tf.errors.InvalidArgumentError,
            "must be positive",
        ),
        (
            lambda x: tf.nn.conv2d_backprop_filter(
                x, [2, 2, 1, 1], tf.ones([1, 3, 3, 1]), [1, 0, 1, 1], "VALID"
            ),
            tf.errors.InvalidArgumentError,
            "must be positive",
        ),
    ],
)
def test_windows_tf_accepts_at_build_time_fail_when_run(build, cls, phrase):
    """TF builds these (its shape functions do not check them) and its kernels refuse
    them (TF 2.21 even crashes on the backprop ones with a zero stride)."""
    x = tf.placeholder(tf.float32, [1, 4, 4, 1])
    y = build(x)
    with pytest.raises(cls, match=phrase.replace(".", r"\.")):
        with tf.Session() as sess:
            sess.run(y, {x: _X4})


def test_negative_pool_window_leaves_the_size_unknown():
    x = tf.placeholder(tf.float32, [1, 4, 4, 1])
    assert tf.nn.max_pool(x, [1, -1, 2, 1], [1, 1, 1, 1], "VALID").shape.as_list() == [
        1,
        None,
        3,
        1,
    ]
    assert tf.nn.avg_pool(x, [1, 0, 2, 1], [1, 1, 1, 1], "VALID").shape.as_list() == [1, 5, 3, 1]
    assert tf.nn.max_pool2d(x, [1, 0, 2, 1], [1, 1, 1, 1], "VALID").shape.as_list() == [1, 5, 3, 1]


@pytest.mark.parametrize(
    ("value_shape", "bias_shape", "message"),
    [
        (
            [2, 3],
            [4],
            "Must provide as many biases as the last dimension of the input tensor: [4] vs. [2,3]",
        ),
        (
            [2, 1],
            [3],  # numpy would broadcast these into a [2, 3] result
            "Must provide as many biases as the last dimension of the input tensor: [3] vs. [2,1]",
        ),
        ([3], [3], "Input tensor must be at least 2D: [3]"),
        ([2, 3], [3, 1], "Biases must be 1D: [3,1]"),
    ],
)
def test_bias_add_run_time_shape_errors(value_shape, bias_shape, message):
    value = tf.placeholder(tf.float32)
    bias = tf.placeholder(tf.float32)
    out = tf.nn.bias_add(value, bias)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        with tf.Session() as sess:
            sess.run(out, {value: np.ones(value_shape), bias: np.ones(bias_shape)})
    assert info.value.message.startswith(message)


def test_conv2d_run_time_rank_errors():
    x = tf.placeholder(tf.float32)
    f = tf.placeholder(tf.float32)
    out = tf.nn.conv2d(x, f, [1, 1, 1, 1], "VALID")
    with tf.Session() as sess:
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"^convolution input must be 4-dimensional: \[4,4,2\]",
        ):
            sess.run(out, {x: np.ones([4, 4, 2]), f: np.ones([2, 2, 2, 1])})
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"^filter must be 4-dimensional: \[2,2,2\]"
        ):
            sess.run(out, {x: np.ones([1, 4, 4, 2]), f: np.ones([2, 2, 2])})
