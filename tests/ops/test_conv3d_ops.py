"""Conv3D, its V2 backprops, MaxPool3D/AvgPool3D and their gradients (to second order),
tf.nn.conv3d/conv3d_transpose/conv3d_backprop_filter_v2/max_pool3d/avg_pool3d: values,
gradients, op names and types and static shapes against TF."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
out = {}
CONVS = [
    ((2, 5, 6, 7, 3), (2, 3, 2, 3, 4), [1, 1, 1, 1, 1], "SAME", [1, 1, 1, 1, 1], "NDHWC"),
    ((1, 7, 6, 5, 2), (3, 2, 2, 2, 3), [1, 2, 1, 3, 1], "VALID", [1, 1, 1, 1, 1], "NDHWC"),
    ((1, 7, 6, 5, 2), (2, 2, 3, 2, 2), [1, 2, 2, 1, 1], "SAME", [1, 1, 1, 1, 1], "NDHWC"),
    ((1, 7, 8, 6, 2), (2, 2, 2, 2, 2), [1, 1, 1, 1, 1], "VALID", [1, 2, 2, 2, 1], "NDHWC"),
]
for i, (xs, fs, st, pad, dil, fmt) in enumerate(CONVS):
    with tf.Graph().as_default() as g:
        x = tf.constant(rng.randn(*xs).astype(np.float32))
        f = tf.constant(rng.randn(*fs).astype(np.float32))
        y = tf.nn.conv3d(x, f, st, pad, dilations=dil, data_format=fmt)
        if dil[1] > 1:  # (TF's CPU kernels, without oneDNN, do not support dilations)
            out["conv%d" % i] = {"ops": [], "shapes": [str(y.shape)], "values": []}
            continue
        dx, df = tf.gradients(y * y, [x, f])
        # second order: through Conv3DBackpropInputV2 and Conv3DBackpropFilterV2
        ddx, ddf = tf.gradients(tf.reduce_sum(dx * dx) + tf.reduce_sum(df * df), [x, f])
        bf = tf.nn.conv3d_backprop_filter_v2(x, fs, y, st, pad, dilations=dil, name="bf")
        ops = [o.name + ":" + o.type for o in g.get_operations()]
        with tf.Session() as s:
            vals = s.run([y, dx, df, ddx, ddf, bf])
    out["conv%d" % i] = {"ops": ops, "shapes": [str(t.shape) for t in (y, dx, df, ddx, ddf, bf)],
                         "values": [v.tolist() for v in vals]}
POOLS = [
    ((2, 5, 6, 7, 3), [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "SAME"),
    ((1, 5, 6, 7, 2), [1, 3, 2, 2, 1], [1, 1, 2, 3, 1], "VALID"),
    ((1, 5, 6, 7, 2), [1, 3, 3, 2, 1], [1, 2, 1, 3, 1], "SAME"),
    ((1, 4, 4, 4, 1), 2, 2, "VALID"),
]
for i, (xs, k, st, pad) in enumerate(POOLS):
    with tf.Graph().as_default() as g:
        data = rng.randn(*xs).astype(np.float32)
        if i == 3:
            data = np.round(data)  # ties: every maximum gets MaxPool3DGrad's gradient
        x = tf.constant(data)
        m = tf.nn.max_pool3d(x, k, st, pad)
        a = tf.nn.avg_pool3d(x, k, st, pad, name="avg")
        dm, da = tf.gradients(tf.reduce_sum(m * m) + tf.reduce_sum(a * a), [x, x])[0], None
        dm = tf.gradients(m * m, x)[0]
        da = tf.gradients(a * a, x)[0]
        ddm = tf.gradients(dm * dm, x)[0]
        dda = tf.gradients(da * da, x)[0]
        v = tf.constant(rng.randn(*xs).astype(np.float32))
        ggm = tf.gradients(tf.reduce_sum(tf.gradients(m, x, grad_ys=m * 0 + 1)[0] * v), x)
        ms = m.shape.as_list()
        w = tf.constant(rng.randn(2, 3, 2, 3, ms[4]).astype(np.float32))
        tr = tf.nn.conv3d_transpose(m, w, ms[:4] + [3], [1] * 5, "SAME")
        gt = tf.gradients(tr * tr, [m, w])
        ops = [o.name + ":" + o.type for o in g.get_operations()]
        ts = [m, a, dm, da, ddm, dda, tr, gt[0], gt[1]]
        with tf.Session() as s:
            vals = s.run(ts)
    out["pool%d" % i] = {"ops": ops, "shapes": [str(t.shape) for t in ts],
                         "values": [v.tolist() for v in vals]}
with tf.Graph().as_default():
    x = tf.zeros((1, 20, 20, 20, 2))
    f = tf.zeros((2, 2, 2, 2, 2))
    out["dilated_shapes"] = [
        str(tf.nn.conv3d(x, f, [1] * 5, p, dilations=d).shape)
        for d in ([1, 2, 1, 1, 1], [1, 1, 3, 1, 1], [1, 1, 1, 4, 1]) for p in ("VALID", "SAME")
    ]
    xc = tf.zeros((1, 2, 20, 20, 20))
    out["ncdhw_shape"] = str(tf.nn.conv3d(xc, f, [1] * 5, "VALID", dilations=[1, 1, 2, 3, 4],
                                          data_format="NCDHW").shape)
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_conv3d_against_numpy():
    rng = np.random.RandomState(1)
    x = rng.randn(2, 4, 5, 3, 2).astype(np.float64)
    f = rng.randn(2, 3, 2, 2, 3).astype(np.float64)
    with tf.Graph().as_default():
        y = tf.nn.conv3d(x, f, [1, 1, 1, 1, 1], "VALID")
        with tf.Session() as sess:
            got = sess.run(y)
    want = np.zeros((2, 3, 3, 2, 3))
    for a in range(3):
        for b in range(3):
            for c in range(2):
                patch = x[:, a : a + 2, b : b + 3, c : c + 2, :]
                want[:, a, b, c] = np.einsum("nijkc,ijkco->no", patch, f)
    np.testing.assert_allclose(got, want, rtol=1e-10)


@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    assert ours.keys() == theirs.keys()
    for key in theirs:
        if isinstance(theirs[key], str) or key == "dilated_shapes":
            assert ours[key] == theirs[key], key
            continue
        assert ours[key]["ops"] == theirs[key]["ops"], key
        assert ours[key]["shapes"] == theirs[key]["shapes"], key
        for i, (a, b) in enumerate(zip(ours[key]["values"], theirs[key]["values"])):
            scale = max(np.abs(np.asarray(b)).max(), 1.0)  # (float32 sums of large terms)
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5 * scale, err_msg=f"{key}[{i}]")


def test_shape_errors_as_tf():
    with tf.Graph().as_default():
        with pytest.raises(
            ValueError, match="Negative dimension size caused by subtracting 3 from 2"
        ):
            tf.nn.conv3d(tf.zeros((1, 2, 5, 5, 3)), tf.zeros((3, 2, 2, 3, 4)), [1] * 5, "VALID")
        with pytest.raises(ValueError, match=r"Depth of input \(3\) is not a multiple"):
            tf.nn.conv3d(tf.zeros((1, 4, 5, 5, 3)), tf.zeros((3, 2, 2, 2, 4)), [1] * 5, "VALID")
        with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 3"):
            tf.nn.max_pool3d(tf.zeros((1, 2, 5, 5, 3)), 3, 1, "VALID")
        with pytest.raises(ValueError, match="Shape must be rank 5 but is rank 4"):
            tf.nn.conv3d(tf.zeros((1, 4, 5, 5)), tf.zeros((3, 2, 2, 2, 4)), [1] * 5, "VALID")


def test_ncdhw_equals_transposed_ndhwc():
    rng = np.random.RandomState(2)
    x = rng.randn(2, 5, 4, 6, 3).astype(np.float32)
    f = rng.randn(2, 3, 2, 3, 4).astype(np.float32)
    to_first, to_last = (0, 4, 1, 2, 3), (0, 2, 3, 4, 1)
    with tf.Graph().as_default():
        st = [1, 2, 1, 2, 1]
        f = tf.constant(f)
        a = tf.nn.conv3d(x, f, st, "SAME")
        b = tf.transpose(
            tf.nn.conv3d(x.transpose(to_first), f, [1, 1, 2, 1, 2], "SAME", data_format="NCDHW"),
            to_last,
        )
        pa = tf.nn.avg_pool3d(x, 2, [1, 2, 1, 2, 1], "SAME")
        pb = tf.transpose(
            tf.nn.avg_pool3d(x.transpose(to_first), [1, 1, 2, 2, 2], [1, 1, 2, 1, 2], "SAME",
                             data_format="NCDHW"),
            to_last,
        )  # fmt: skip
        ga, gb = tf.gradients(a * a, f)[0], tf.gradients(b * b, f)[0]
        with tf.Session() as sess:
            va, vb, vpa, vpb, vga, vgb = sess.run([a, b, pa, pb, ga, gb])
    np.testing.assert_allclose(va, vb, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(vpa, vpb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(vga, vgb, rtol=1e-4, atol=1e-3)


def test_run_time_depth_error_as_tf():
    with tf.Graph().as_default():
        x, f = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
        y = tf.nn.conv3d(x, f, [1] * 5, "VALID")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="same depth: 3 vs 2"):
                sess.run(y, {x: np.zeros((1, 4, 5, 5, 3)), f: np.zeros((2, 2, 2, 2, 4))})


def test_plane_blocks_give_the_same_results(monkeypatch):
    from tfgraph.ops import conv3d_kernels as k3

    rng = np.random.RandomState(3)
    x, f = rng.randn(2, 7, 6, 5, 3), rng.randn(2, 3, 2, 3, 4)
    st, dl = (2, 1, 2), (1, 1, 1)
    out, pads = k3.geometry(x.shape[1:4], f.shape[:3], st, dl, b"SAME")

    def run():
        y = k3.conv3d(x, f, st, dl, pads, out)
        dy = np.cos(np.arange(y.size)).reshape(y.shape)
        dx = k3.conv3d_backprop_input(x.shape, f, dy, st, dl, pads)
        return y, dx, k3.conv3d_backprop_filter(x, f.shape, dy, st, dl, pads), dy

    whole = run()
    monkeypatch.setattr(k3, "_BLOCK_BYTES", 1)  # one output plane a block
    for a, b in zip(whole, run()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    y, dx, df, dy = whole  # (the backprops are the forward's adjoints)
    np.testing.assert_allclose(np.sum(y * dy), np.sum(x * dx), rtol=1e-10)
    np.testing.assert_allclose(np.sum(y * dy), np.sum(f * df), rtol=1e-10)
