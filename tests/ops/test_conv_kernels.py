"""The conv family's numpy kernels against real TF on a grid of shapes, strides, paddings,
dilations and data formats: Conv2D, DepthwiseConv2dNative, MaxPool and AvgPool values
and the gradients (Conv2DBackpropInput/Filter, the depthwise backprops, MaxPoolGrad
including ties, AvgPoolGrad), each computed both with the kernels' default block size
and with tiny blocks (many partial-image blocks); strided input gradients also by
stride phases, whatever their size."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf
from tfgraph.ops import conv_kernels as ck
from tfgraph.platform import onednn

# (name, input NHWC, filter, strides, padding, dilations)
CONV_CASES = [
    ("5x5 1->4 SAME", (2, 9, 9, 1), (5, 5, 1, 4), (1, 1), "SAME", (1, 1)),
    ("5x5 8->16 SAME", (2, 7, 7, 8), (5, 5, 8, 16), (1, 1), "SAME", (1, 1)),
    ("3x3 16->8 SAME", (2, 7, 7, 16), (3, 3, 16, 8), (1, 1), "SAME", (1, 1)),
    ("3x3 s2 VALID odd", (2, 9, 8, 5), (3, 3, 5, 6), (2, 2), "VALID", (1, 1)),
    ("5x5 s2 SAME odd", (2, 10, 11, 3), (5, 5, 3, 7), (2, 2), "SAME", (1, 1)),
    ("3x2 s3x2 SAME", (2, 5, 6, 4), (3, 2, 4, 4), (3, 2), "SAME", (1, 1)),
    ("2x2 s3 VALID", (2, 10, 11, 3), (2, 2, 3, 4), (3, 3), "VALID", (1, 1)),
    ("2x3 s3x2 SAME", (2, 10, 9, 3), (2, 3, 3, 4), (3, 2), "SAME", (1, 1)),
    ("1x1 VALID", (2, 6, 6, 8), (1, 1, 8, 4), (1, 1), "VALID", (1, 1)),
    ("1x1 s2 SAME", (2, 7, 7, 8), (1, 1, 8, 4), (2, 2), "SAME", (1, 1)),
    ("3x3 dilated 2", (2, 9, 9, 4), (3, 3, 4, 5), (1, 1), "SAME", (2, 2)),
    ("3x2 dilated 2x3 VALID", (2, 9, 10, 4), (3, 2, 4, 5), (1, 1), "VALID", (2, 3)),
    ("3x3 explicit", (1, 8, 8, 3), (3, 3, 3, 4), (1, 1), [[0, 0], [2, 1], [0, 3], [0, 0]], (1, 1)),
    (
        "3x3 explicit wide",
        (1, 6, 7, 6),
        (3, 3, 6, 2),
        (1, 1),
        [[0, 0], [4, 0], [1, 5], [0, 0]],
        (1, 1),
    ),
    (
        "3x3 s2 explicit",
        (2, 7, 8, 3),
        (3, 3, 3, 4),
        (2, 2),
        [[0, 0], [1, 2], [3, 0], [0, 0]],
        (1, 1),
    ),
]
# (name, input NHWC, filter [kh, kw, c, m], strides, padding)
DEPTHWISE_CASES = [
    ("3x3 m1 SAME", (2, 7, 7, 4), (3, 3, 4, 1), (1, 1), "SAME"),
    ("5x5 m2 s2 VALID", (2, 9, 9, 3), (5, 5, 3, 2), (2, 2), "VALID"),
    ("2x3 m3 s2 SAME odd", (2, 7, 6, 2), (2, 3, 2, 3), (2, 2), "SAME"),
    ("2x2 m1 s3 VALID", (2, 10, 11, 3), (2, 2, 3, 1), (3, 3), "VALID"),
    ("3x3 m2 s3 SAME", (2, 10, 11, 3), (3, 3, 3, 2), (3, 3), "SAME"),
]
# (name, input NHWC, window, strides, padding, ties)
POOL_CASES = [
    ("2x2 s2 VALID", (2, 8, 8, 3), (2, 2), (2, 2), "VALID", False),
    ("2x2 s2 SAME odd", (2, 7, 9, 3), (2, 2), (2, 2), "SAME", False),
    ("3x3 s2 SAME", (2, 7, 9, 4), (3, 3), (2, 2), "SAME", False),
    ("3x3 s1 SAME", (2, 6, 6, 2), (3, 3), (1, 1), "SAME", False),
    ("2x3 s2x1 VALID", (2, 7, 7, 3), (2, 3), (2, 1), "VALID", False),
    ("2x2 s2 ties", (2, 6, 6, 3), (2, 2), (2, 2), "VALID", True),
    ("2x2 s2 VALID odd ties", (3, 7, 9, 5), (2, 2), (2, 2), "VALID", True),
    ("3x2 s3x2 VALID ties", (2, 9, 8, 3), (3, 2), (3, 2), "VALID", True),
    ("3x3 s2 SAME ties", (2, 7, 7, 3), (3, 3), (2, 2), "SAME", True),
    ("3x3 s1 VALID ties", (2, 6, 5, 2), (3, 3), (1, 1), "VALID", True),
]


def _inputs(seed, shape, ties=False):
    rng = np.random.RandomState(seed)
    if ties:  # few distinct values, many equal maxima in a window (zeros among them)
        return rng.randint(-1, 2, size=shape).astype(np.float32)
    return rng.randn(*shape).astype(np.float32)


_TF_CODE = """
def inputs(seed, shape, ties=False):
    rng = np.random.RandomState(seed)
    if ties:
        return rng.randint(-1, 2, size=shape).astype(np.float32)
    return rng.randn(*shape).astype(np.float32)

def graph_values(build):
    g = tf.Graph()
    with g.as_default():
        fetches = build()
        with tf.Session() as sess:
            return sess.run(fetches)

out = {}
for i, (name, xs, fs, st, pad, dil) in enumerate(CONV_CASES):
    def build():
        x = tf.constant(inputs(i, xs))
        f = tf.constant(inputs(100 + i, fs))
        if dil == (1, 1):
            y = tf.nn.conv2d(x, f, [1, *st, 1], pad)
        else:
            # (TF's own CPU filter gradient rejects dilations without oneDNN: the same
            # convolution with zeros inserted between the filter taps)
            big = f
            for axis, d in ((0, dil[0]), (1, dil[1])):
                shape = big.shape.as_list()
                gap = tf.zeros(shape[: axis + 1] + [d - 1] + shape[axis + 1 :])
                big = tf.concat([tf.expand_dims(big, axis + 1), gap], axis=axis + 1)
                shape[axis] *= d
                big = tf.reshape(big, shape)[: (fs[0] - 1) * dil[0] + 1, : (fs[1] - 1) * dil[1] + 1]
            y = tf.nn.conv2d(x, big, [1, *st, 1], pad)
        r = tf.constant(inputs(200 + i, y.shape.as_list()))
        return [y, *tf.gradients(tf.reduce_sum(y * r), [x, f])]
    out["conv " + name] = graph_values(build)
for i, (name, xs, fs, st, pad) in enumerate(DEPTHWISE_CASES):
    def build():
        x = tf.constant(inputs(i, xs))
        f = tf.constant(inputs(100 + i, fs))
        y = tf.nn.depthwise_conv2d_native(x, f, [1, *st, 1], pad)
        r = tf.constant(inputs(200 + i, y.shape.as_list()))
        return [y, *tf.gradients(tf.reduce_sum(y * r), [x, f])]
    out["depthwise " + name] = graph_values(build)
for i, (name, xs, k, st, pad, ties) in enumerate(POOL_CASES):
    for kind, pool in (("max", tf.nn.max_pool), ("avg", tf.nn.avg_pool)):
        def build():
            x = tf.constant(inputs(i, xs, ties))
            y = pool(x, [1, *k, 1], [1, *st, 1], pad)
            r = tf.constant(inputs(200 + i, y.shape.as_list()))
            return [y, tf.gradients(tf.reduce_sum(y * r), x)[0]]
        out[kind + " pool " + name] = graph_values(build)
np.savez(OUT, **{f"{key}|{j}": v for key, vals in out.items() for j, v in enumerate(vals)})
"""


@pytest.fixture(scope="module")
def tf_values(tmp_path_factory):
    path = tmp_path_factory.mktemp("conv_tf") / "values.npz"
    code = (
        f"CONV_CASES = {CONV_CASES!r}\nDEPTHWISE_CASES = {DEPTHWISE_CASES!r}\n"
        f"POOL_CASES = {POOL_CASES!r}\nOUT = {str(path)!r}\n" + _TF_CODE
    )
    run_tf(code)
    with np.load(path) as data:
        values: dict = {}
        for key in data.files:
            name, j = key.rsplit("|", 1)
            values.setdefault(name, {})[int(j)] = data[key]
    return {name: [v[j] for j in sorted(v)] for name, v in values.items()}


def _nchw(a):
    return np.transpose(a, (0, 3, 1, 2))


def _nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))


def _ours(build, fmt):
    """Runs build(to_format) in tfgraph; returns its NHWC values."""
    with tf.Graph().as_default():
        fetches = build(_nchw if fmt == "NCHW" else (lambda a: a))
        with tf.Session() as sess:
            got = sess.run(fetches)
    # gradients of 4-D inputs in NCHW come back in NCHW; filters stay HWIO
    return got


def _check(got, expected, fmt, transposed):
    for j, (g, e) in enumerate(zip(got, expected, strict=True)):
        if fmt == "NCHW" and j in transposed:
            g = _nhwc(g)
        scale = max(float(np.max(np.abs(e))), 1.0)
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5 * scale, err_msg=f"output {j}")


@pytest.fixture(autouse=True)
def numpy_kernels(monkeypatch):
    """This file tests tfgraph's own kernels: oneDNN (platform/onednn.py), where
    installed, takes no convolution here unless a test says so (`on_onednn`)."""
    monkeypatch.setattr(onednn, "MIN_MACS", 1 << 62)
    monkeypatch.setattr(onednn, "MIN_POOL_ELEMENTS", 1 << 62)


@pytest.fixture
def on_onednn(monkeypatch):
    """Every float32 convolution of one group (not 1x1) and every pool over rows and
    columns on oneDNN, whatever its size."""
    if not onednn.available():
        pytest.skip("oneDNN is not installed (the `onednn` extra)")
    monkeypatch.setattr(onednn, "MIN_MACS", 0)
    monkeypatch.setattr(onednn, "MIN_POOL_ELEMENTS", 0)


@pytest.fixture(params=["default blocks", "tiny blocks"])
def blocks(request, monkeypatch):
    if request.param == "tiny blocks":
        monkeypatch.setattr(ck, "_BLOCK_BYTES", 600)
        monkeypatch.setattr(ck, "_DEPTHWISE_BLOCK_BYTES", 600)
    return request.param


@pytest.fixture(params=["by size", "stride phases"])
def input_grads(request, monkeypatch):
    """Strided input gradients as the kernels choose them by size (the grid's small
    cases: col2im), or by stride phases wherever they apply."""
    if request.param == "stride phases":
        monkeypatch.setattr(ck, "_MIN_PHASE_SCATTER", 0)
    return request.param


@pytest.fixture(params=["by size", "tap-major patches"])
def patch_layout(request, monkeypatch):
    """Patches copied run by run, or one (channel, filter offset) plane at a time, as the
    kernels choose by the runs' length (the grid's 1- and 3-channel cases take planes),
    or as planes everywhere."""
    if request.param == "tap-major patches":
        monkeypatch.setattr(ck, "_TAP_MAJOR_RUN", 1 << 30)
    return request.param


def _explicit(pad, fmt):
    if isinstance(pad, str) or fmt == "NHWC":
        return pad
    return [pad[0], pad[3], pad[1], pad[2]]


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv2d_and_gradients_match_tf(tf_values, case, fmt, blocks, input_grads, patch_layout):
    _check_conv_case(tf_values, case, fmt)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv2d_and_gradients_on_onednn_match_tf(tf_values, case, fmt, on_onednn):
    _check_conv_case(tf_values, case, fmt)


def _check_conv_case(tf_values, case, fmt):
    i = CONV_CASES.index(case)
    name, xs, fs, st, pad, dil = case

    def build(to):
        x = tf.constant(to(_inputs(i, xs)))
        f = tf.constant(_inputs(100 + i, fs))
        spatial = [1, *st, 1] if fmt == "NHWC" else [1, 1, *st]
        dils = [1, *dil, 1] if fmt == "NHWC" else [1, 1, *dil]
        y = tf.nn.conv2d(x, f, spatial, _explicit(pad, fmt), data_format=fmt, dilations=dils)
        r = tf.constant(to(_inputs(200 + i, tf_values["conv " + name][0].shape)))
        return [y, *tf.gradients(tf.reduce_sum(y * r), [x, f])]

    _check(_ours(build, fmt), tf_values["conv " + name], fmt, transposed=(0, 1))


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=[c[0] for c in DEPTHWISE_CASES])
def test_depthwise_conv2d_and_gradients_match_tf(tf_values, case, fmt, blocks):
    _check_depthwise_case(tf_values, case, fmt)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=[c[0] for c in DEPTHWISE_CASES])
def test_depthwise_conv2d_and_gradients_on_onednn_match_tf(tf_values, case, fmt, on_onednn):
    _check_depthwise_case(tf_values, case, fmt)


def _check_depthwise_case(tf_values, case, fmt):
    i = DEPTHWISE_CASES.index(case)
    name, xs, fs, st, pad = case

    def build(to):
        x = tf.constant(to(_inputs(i, xs)))
        f = tf.constant(_inputs(100 + i, fs))
        spatial = [1, *st, 1] if fmt == "NHWC" else [1, 1, *st]
        y = tf.nn.depthwise_conv2d_native(x, f, spatial, pad, data_format=fmt)
        r = tf.constant(to(_inputs(200 + i, tf_values["depthwise " + name][0].shape)))
        return [y, *tf.gradients(tf.reduce_sum(y * r), [x, f])]

    _check(_ours(build, fmt), tf_values["depthwise " + name], fmt, transposed=(0, 1))


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pooling_and_gradients_match_tf(tf_values, case, fmt, kind):
    """Ties: TF's CPU MaxPoolGrad routes a window's gradient to its first maximum in
    window order (a wrong choice moves a whole O(1) value to another element)."""
    _check_pool_case(tf_values, case, fmt, kind)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pooling_and_gradients_on_onednn_match_tf(tf_values, case, fmt, kind, on_onednn):
    _check_pool_case(tf_values, case, fmt, kind)


def _check_pool_case(tf_values, case, fmt, kind):
    i = POOL_CASES.index(case)
    name, xs, k, st, pad, ties = case
    pool = tf.nn.max_pool if kind == "max" else tf.nn.avg_pool

    def build(to):
        x = tf.constant(to(_inputs(i, xs, ties)))
        window = [1, *k, 1] if fmt == "NHWC" else [1, 1, *k]
        spatial = [1, *st, 1] if fmt == "NHWC" else [1, 1, *st]
        y = pool(x, window, spatial, pad, data_format=fmt)
        r = tf.constant(to(_inputs(200 + i, tf_values[f"{kind} pool {name}"][0].shape)))
        return [y, tf.gradients(tf.reduce_sum(y * r), x)[0]]

    got = _ours(build, fmt)
    expected = tf_values[f"{kind} pool {name}"]
    _check(got, expected, fmt, transposed=(0, 1))
    if ties and kind == "max" and st[0] >= k[0] and st[1] >= k[1]:
        # windows do not overlap: each input gets at most one value, exactly TF's
        np.testing.assert_array_equal(
            got[1] if fmt == "NHWC" else _nhwc(got[1]), expected[1], err_msg="tie routing"
        )


def test_tiling_max_pool_gradient_equals_the_general_one(monkeypatch):
    """The fast path for windows that tile the input (stride = window, no padding) routes
    every gradient as the general per-offset path does: ties, NaN, VALID's leftovers."""
    rng = np.random.RandomState(0)
    for trial in range(200):
        kh, kw = rng.randint(1, 4, size=2)
        n, oh, ow, c = rng.randint(1, 5, size=4)
        h, w = oh * kh + rng.randint(0, kh), ow * kw + rng.randint(0, kw)
        x = rng.randint(-1, 2, (n, h, w, c)).astype(np.float32)
        if trial % 5 == 0:
            x[rng.rand(*x.shape) < 0.1] = np.nan
        dy = rng.randn(n, oh, ow, c).astype(np.float32)
        window, pads, out = (1, kh, kw, 1), [(0, 0)] * 4, [n, oh, ow, c]
        assert ck._tiles(x.shape, window, window, pads, out)
        fast = ck._max_pool_grad(x, dy, window, window, pads, out)
        with monkeypatch.context() as m:
            m.setattr(ck, "_tiles", lambda *args: False)
            general = ck._max_pool_grad(x, dy, window, window, pads, out)
        np.testing.assert_array_equal(fast, general, err_msg=f"trial {trial}")


def _reversed_blocks(blocks, work, make_state=None, blas=True):
    """parallel.run_blocks on one thread, last block first: a thread's first block may
    be a short remainder and its next one a full block."""
    state = (make_state or (lambda: None))()
    for block in reversed(list(blocks)):
        work(block, state)
    return [state]


def test_im2col_patch_buffers_fit_every_block(monkeypatch, patch_layout):
    """Blocks of output rows are not all alike (an image's last block is shorter): a
    thread's patch buffer must hold the biggest, whichever it meets first."""
    rng = np.random.RandomState(1)
    x = rng.randn(2, 9, 7, 3).astype(np.float32)
    f = rng.randn(3, 3, 3, 4).astype(np.float32)
    dy = rng.randn(2, 9, 7, 4).astype(np.float32)
    pads = (1, 1, 1, 1)
    expected = (
        ck.conv2d(x, f, (1, 1), (1, 1), pads, (9, 7)),
        ck.conv2d_backprop_filter(x, f.shape, dy, (1, 1), (1, 1), pads),
    )
    monkeypatch.setattr(ck, "_BLOCK_BYTES", 2 * 7 * 27 * 4)  # (two output rows a block)
    monkeypatch.setattr(ck, "_MIN_BLOCK_BYTES", 1)
    monkeypatch.setattr(ck.parallel, "run_blocks", _reversed_blocks)
    got = (
        ck.conv2d(x, f, (1, 1), (1, 1), pads, (9, 7)),
        ck.conv2d_backprop_filter(x, f.shape, dy, (1, 1), (1, 1), pads),
    )
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("threads", ["inline", "kernel threads"])
def test_max_pool_gradient_in_image_blocks_equals_the_whole_batch(monkeypatch, threads):
    """max_pool_grad splits the batch into blocks of images (over the kernel threads when
    big): every value as one pass over the batch gives, tiling windows or not."""
    monkeypatch.setattr(ck, "_POOL_BLOCK_BYTES", 1)  # (one image a block)
    if threads == "kernel threads":
        monkeypatch.setattr(ck, "_PARALLEL_POOL_ELEMENTS", 1)
    rng = np.random.RandomState(2)
    for window, strides, h in [((1, 2, 2, 1), (1, 2, 2, 1), 9), ((1, 3, 3, 1), (1, 2, 2, 1), 8)]:
        x = rng.randint(-1, 2, (5, h, h, 3)).astype(np.float32)
        oh = (h - window[1]) // strides[1] + 1
        dy = rng.randn(5, oh, oh, 3).astype(np.float32)
        pads, out = [(0, 0)] * 4, [5, oh, oh, 3]
        whole = ck._max_pool_grad(x, dy, window, strides, pads, out)
        np.testing.assert_array_equal(ck.max_pool_grad(x, dy, window, strides, pads, out), whole)


@pytest.mark.parametrize("threads", ["inline", "kernel threads"])
def test_pooling_in_image_blocks_equals_the_whole_batch(monkeypatch, threads):
    """Max and average pooling and the average pool's gradient go in blocks of images
    (over the kernel threads when big) from _POOL_BLOCKS input elements: the values of
    one pass over the batch, SAME padding included."""
    rng = np.random.RandomState(3)
    cases = []
    for window, strides, h, padding in [
        ((1, 2, 2, 1), (1, 2, 2, 1), 9, b"SAME"),
        ((1, 3, 3, 1), (1, 2, 2, 1), 8, b"SAME"),
        ((1, 3, 3, 1), (1, 1, 1, 1), 7, b"VALID"),
    ]:
        x = rng.randn(5, h, h, 3).astype(np.float32)
        pads, out = ck.pool_geometry(x.shape, window, strides, padding)
        dy = rng.randn(*out).astype(np.float32)
        args = (window, strides, pads, out)
        cases.append((x, dy, args, [ck.max_pool(x, *args), ck.avg_pool(x, *args)]))
        cases[-1][3].append(ck.avg_pool_grad(x.shape, dy, *args))
    monkeypatch.setattr(ck, "_POOL_BLOCK_BYTES", 1)  # (one image a block)
    monkeypatch.setattr(ck, "_POOL_BLOCKS", 0)
    if threads == "kernel threads":
        monkeypatch.setattr(ck, "_PARALLEL_POOL_ELEMENTS", 1)
    for x, dy, args, (max_whole, avg_whole, grad_whole) in cases:
        np.testing.assert_array_equal(ck.max_pool(x, *args), max_whole)
        np.testing.assert_array_equal(ck.avg_pool(x, *args), avg_whole)
        np.testing.assert_array_equal(ck.avg_pool_grad(x.shape, dy, *args), grad_whole)


@pytest.mark.parametrize(
    "xs, fs, strides, pads",
    [
        ((3, 9, 10, 3), (5, 5, 3, 7), (2, 2), (1, 2, 2, 2)),  # SAME, odd sizes
        ((2, 10, 11, 4), (2, 2, 4, 5), (3, 3), (0, 0, 0, 0)),  # fewer taps than the stride
        ((2, 7, 8, 3), (3, 3, 3, 4), (2, 2), (1, 2, 3, 0)),  # explicit padding
        ((2, 9, 8, 6), (3, 2, 6, 6), (3, 2), (1, 1, 0, 0)),
        ((1, 5, 5, 2), (4, 4, 2, 3), (2, 3), (0, 0, 0, 0)),
    ],
)
def test_stride_phases_give_col2im_input_gradients(xs, fs, strides, pads):
    """The stride-phase input gradient adds the same products as col2im (in another
    order: equal to float32 rounding), including phases no filter tap reaches."""
    rng = np.random.RandomState(0)
    n, h, w, _ = xs
    kh, kw, _, co = fs
    oh = (h + pads[0] + pads[1] - kh) // strides[0] + 1
    ow = (w + pads[2] + pads[3] - kw) // strides[1] + 1
    f = rng.randn(*fs).astype(np.float32)
    dy = rng.randn(n, oh, ow, co).astype(np.float32)
    want = ck._col2im_backprop_input(xs, f, dy, strides, (1, 1), pads)
    got = ck._phase_backprop_input(xs, f, dy, strides, pads)
    assert got.shape == want.shape == xs
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
