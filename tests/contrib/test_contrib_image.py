"""tf.contrib.image (TF 1.15): transform/rotate/translate and the transform helpers
against a TF-side stand-in built from tf.raw_ops.ImageProjectiveTransformV2 with TF
1.15's formulas (TF 2.21 has no contrib); dense_image_warp against a numpy bilinear
reference; connected_components against scipy.ndimage.label; interpolate_spline against
scipy's RBFInterpolator; sparse_image_warp's control-point property."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

# TF 1.15's formulas on TF 2.21's raw op: the oracle for tf.contrib.image's transforms.
TF_STANDIN = """
import tensorflow as tf2

class ci:
    @staticmethod
    def _batch(images):
        images = tf.convert_to_tensor(images)
        r = images.shape.ndims
        return {2: images[None, :, :, None], 3: images[None], 4: images}[r], r

    @staticmethod
    def _unbatch(out, r):
        return {2: out[0, :, :, 0], 3: out[0], 4: out}[r]

    @staticmethod
    def transform(images, transforms, interpolation="NEAREST", output_shape=None):
        images, r = ci._batch(images)
        t = tf.convert_to_tensor(transforms, tf.float32)
        if t.shape.ndims == 1:
            t = t[None]
        if output_shape is None:
            output_shape = tf.shape(images)[1:3]
        out = tf2.raw_ops.ImageProjectiveTransformV2(
            images=images, transforms=t, output_shape=output_shape,
            interpolation=interpolation.upper())
        return ci._unbatch(out, r)

    @staticmethod
    def angles_to_projective_transforms(angles, h, w):
        a = tf.convert_to_tensor(angles, tf.float32)
        if a.shape.ndims == 0:
            a = a[None]
        cos, sin = tf.cos(a), tf.sin(a)
        xo = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2.0
        yo = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2.0
        z = tf.zeros((tf.shape(a)[0], 2), tf.float32)
        return tf.concat([cos[:, None], -sin[:, None], xo[:, None], sin[:, None],
                          cos[:, None], yo[:, None], z], 1)

    @staticmethod
    def rotate(images, angles, interpolation="NEAREST"):
        b, r = ci._batch(images)
        h = tf.cast(tf.shape(b)[1], tf.float32)[None]
        w = tf.cast(tf.shape(b)[2], tf.float32)[None]
        out = ci.transform(b, ci.angles_to_projective_transforms(angles, h, w), interpolation)
        return ci._unbatch(out, r)

    @staticmethod
    def translations_to_projective_transforms(translations):
        t = tf.convert_to_tensor(translations, tf.float32)
        if t.shape.ndims == 1:
            t = t[None]
        n = tf.shape(t)[0]
        one, zero = tf.ones((n, 1)), tf.zeros((n, 1))
        return tf.concat([one, zero, -t[:, 0, None], zero, one, -t[:, 1, None],
                          tf.zeros((n, 2))], 1)

    @staticmethod
    def translate(images, translations, interpolation="NEAREST"):
        return ci.transform(images, ci.translations_to_projective_transforms(translations),
                            interpolation)

    @staticmethod
    def flat_transforms_to_matrices(t):
        t = tf.reshape(tf.convert_to_tensor(t), [-1, 8])
        return tf.reshape(tf.concat([t, tf.ones([tf.shape(t)[0], 1])], 1), [-1, 3, 3])

    @staticmethod
    def matrices_to_flat_transforms(m):
        t = tf.reshape(tf.convert_to_tensor(m), [-1, 9])
        return (t / t[:, 8:9])[:, :8]

    @staticmethod
    def compose_transforms(*ts):
        m = ci.flat_transforms_to_matrices(ts[0])
        for t in ts[1:]:
            m = tf.matmul(m, ci.flat_transforms_to_matrices(t))
        return ci.matrices_to_flat_transforms(m)
"""

HERE_PRELUDE = """
import json
ci = tf.contrib.image
"""

PROGRAM = """
import json
rng = np.random.RandomState(5)
f32 = rng.uniform(0, 1, (3, 7, 9, 2)).astype(np.float32)
u8 = rng.randint(0, 256, (3, 7, 9, 2)).astype(np.uint8)
t1 = np.array([1.1, 0.2, -1.3, -0.15, 0.9, 0.7, 0.004, -0.01], np.float32)
t2 = np.array([[0.8, -0.3, 2.1, 0.25, 1.2, -1.5, 0.0, 0.02]] * 3, np.float32)
cases = {
    "rotate_batch": lambda: ci.rotate(f32, [0.4, -1.2, 3.0], "BILINEAR"),
    "rotate_scalar_u8": lambda: ci.rotate(u8, 0.7),
    "rotate_hw": lambda: ci.rotate(f32[0, :, :, 0], -0.5, "BILINEAR"),
    "rotate_hwc_u8": lambda: ci.rotate(u8[1], 2.2, "BILINEAR"),
    "translate_batch": lambda: ci.translate(f32, [[1.5, -2.0], [-3, 0.5], [0.25, 4]], "BILINEAR"),
    "translate_one_u8": lambda: ci.translate(u8, [2, -1]),
    "translate_hw": lambda: ci.translate(u8[0, :, :, 1], [-1.5, 2.5], "BILINEAR"),
    "transform_vec": lambda: ci.transform(f32, t1, "BILINEAR"),
    "transform_mat_u8": lambda: ci.transform(u8, t2, "bilinear"),
    "transform_hwc": lambda: ci.transform(f32[2], t1),
    "transform_shape": lambda: ci.transform(f32, t2, "BILINEAR", output_shape=[4, 11]),
    "angles": lambda: ci.angles_to_projective_transforms([0.3, -2.0], 7.0, 9.0),
    "angles_scalar": lambda: ci.angles_to_projective_transforms(1.1, 5.0, 4.0),
    "translations": lambda: ci.translations_to_projective_transforms([[1.0, 2.0], [-3, 4]]),
    "to_matrices": lambda: ci.flat_transforms_to_matrices(t2),
    "to_flat": lambda: ci.matrices_to_flat_transforms(
        np.array([[2.0, 0.1, 3.0], [0.2, 4.0, 5.0], [0.1, 0.3, 2.0]], np.float32)),
    "compose": lambda: ci.compose_transforms(
        t1, ci.translations_to_projective_transforms([1.0, -2.0])[0],
        ci.angles_to_projective_transforms(0.5, 7.0, 9.0)[0]),
    "compose_rotate_translate": lambda: ci.transform(f32, ci.compose_transforms(
        ci.angles_to_projective_transforms([0.2, 0.4, 0.6], 7.0, 9.0),
        ci.translations_to_projective_transforms([[1.0, 0], [0, 1.0], [2.0, 2.0]])),
        "BILINEAR"),
}
out = {}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        with tf.Session() as sess:
            v = sess.run(y)
        out[k] = [np.asarray(v, np.float64).tolist(), v.dtype.name, list(y.shape.as_list())]
# gradient of a rotation with respect to the images (TF's inverse-transform gradient)
with tf.Graph().as_default():
    x = tf.constant(f32)
    y = ci.rotate(x, [0.4, -1.2, 3.0], "BILINEAR")
    g = tf.gradients(tf.reduce_sum(y * rng.uniform(-1, 1, f32.shape)), x)[0]
    with tf.Session() as sess:
        out["rotate_grad"] = [sess.run(g).tolist(), "float32", [3, 7, 9, 2]]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def both():
    return run_tf_json(TF_STANDIN + PROGRAM), run_here_json(HERE_PRELUDE + PROGRAM)


@pytest.mark.tf
@requires_tf
def test_transforms_rotate_translate_match_tf_standin(both):
    theirs, ours = both
    assert set(ours) == set(theirs) and len(ours) == 19
    for key, (value, dtype, shape) in theirs.items():
        o_value, o_dtype, o_shape = ours[key]
        assert o_dtype == dtype, key
        assert o_shape == shape, key
        if dtype == "uint8":
            assert o_value == value, key
        else:
            np.testing.assert_allclose(o_value, value, rtol=1e-5, atol=1e-5, err_msg=key)


def test_static_shapes_and_graph_structure():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 7, 9, 2])
        y = tf.contrib.image.rotate(x, 0.3)
        # (as TF: the output size is a slice of a Shape, known only when the whole
        # shape is)
        assert y.shape.as_list() == [None, None, None, 2]
        full = tf.contrib.image.rotate(tf.placeholder(tf.float32, [3, 7, 9, 2]), 0.3)
        assert full.shape.as_list() == [3, 7, 9, 2]
        assert y.op.inputs[2].op.type == "StridedSlice"
        assert y.op.type == "ImageProjectiveTransformV2"
        assert y.op.name.startswith("rotate/transform/")
        assert y.op.get_attr("interpolation") in (b"NEAREST", "NEAREST")
        z = tf.contrib.image.transform(x, [1.0, 0, 0, 0, 1, 0, 0, 0], output_shape=[3, 4])
        assert z.shape.as_list() == [None, 3, 4, 2]
        hw = tf.contrib.image.translate(tf.placeholder(tf.uint8, [5, 6]), [1.0, 2.0])
        assert hw.shape.as_list() == [5, 6] and hw.dtype == tf.uint8
        hwc = tf.contrib.image.rotate(tf.placeholder(tf.uint8, [None, None, 3]), 1.0)
        assert hwc.shape.as_list() == [None, None, 3]


def test_errors():
    ci = tf.contrib.image
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="Invalid dtype"):
            ci.rotate(np.zeros((3, 3), np.bool_), 0.1)
        with pytest.raises(TypeError, match="Images should have rank between 2 and 4."):
            ci.transform(np.zeros((1, 2, 3, 3, 1), np.float32), [1.0] * 8)
        with pytest.raises(TypeError, match="Transforms should have rank 1 or 2."):
            ci.transform(np.zeros((2, 3, 3, 1), np.float32), np.ones((1, 1, 8), np.float32))
        with pytest.raises(TypeError, match="Angles should have rank 0 or 1."):
            ci.angles_to_projective_transforms(np.zeros((2, 2)), 3.0, 3.0)
        with pytest.raises(ValueError, match="output_shape must be a 1-D Tensor of 2 elements"):
            ci.transform(np.zeros((2, 3, 3, 1), np.float32), [1.0] * 8, output_shape=[1, 2, 3])
        with pytest.raises(TypeError, match=r"images should have rank 2 \(HW\) or 3 \(NHW\)"):
            ci.connected_components(np.zeros((1, 2, 2, 1), np.int32))


# -- dense_image_warp -----------------------------------------------------------------------------


def _numpy_dense_warp(image, flow):
    """Bilinear sampling at (y - flow_y, x - flow_x), the 2x2 cell clamped into the image
    and the fractions clamped to [0, 1] (TF 1.15's dense_image_warp)."""
    b, h, w, _ = image.shape
    out = np.zeros_like(image, dtype=np.float64)
    for n in range(b):
        for y in range(h):
            for x in range(w):
                qy, qx = y - flow[n, y, x, 0], x - flow[n, y, x, 1]
                fy = int(min(max(0.0, np.floor(qy)), h - 2))
                fx = int(min(max(0.0, np.floor(qx)), w - 2))
                ay = min(max(qy - fy, 0.0), 1.0)
                ax = min(max(qx - fx, 0.0), 1.0)
                im = image[n].astype(np.float64)
                top = im[fy, fx] + ax * (im[fy, fx + 1] - im[fy, fx])
                bot = im[fy + 1, fx] + ax * (im[fy + 1, fx + 1] - im[fy + 1, fx])
                out[n, y, x] = top + ay * (bot - top)
    return out


def test_dense_image_warp_matches_numpy_bilinear():
    rng = np.random.RandomState(2)
    image = rng.uniform(0, 1, (2, 6, 7, 3)).astype(np.float32)
    flow = rng.uniform(-3, 3, (2, 6, 7, 2)).astype(np.float32)
    with tf.Graph().as_default():
        y = tf.contrib.image.dense_image_warp(image, flow)
        with tf.Session() as sess:
            got = sess.run(y)
    assert got.shape == (2, 6, 7, 3) and got.dtype == np.float32
    np.testing.assert_allclose(got, _numpy_dense_warp(image, flow), rtol=1e-5, atol=1e-5)
    # zero flow is the identity
    with tf.Graph().as_default(), tf.Session() as sess:
        same = sess.run(tf.contrib.image.dense_image_warp(image, np.zeros_like(flow)))
    np.testing.assert_allclose(same, image, atol=1e-6)


def test_dense_image_warp_gradients_numerical():
    rng = np.random.RandomState(4)
    image = rng.uniform(0, 1, (1, 4, 5, 2))
    flow = rng.uniform(-0.9, 0.9, (1, 4, 5, 2)) + 0.013  # away from integer kinks
    w = rng.uniform(-1, 1, (1, 4, 5, 2))
    with tf.Graph().as_default():
        xi = tf.placeholder(tf.float64, image.shape)
        xf = tf.placeholder(tf.float64, flow.shape)
        loss = tf.reduce_sum(tf.contrib.image.dense_image_warp(xi, xf) * w)
        gi, gf = tf.gradients(loss, [xi, xf])
        with tf.Session() as sess:
            feed = {xi: image, xf: flow}
            sym_i, sym_f = sess.run([gi, gf], feed)

            def num(var, base):
                out = np.zeros_like(base)
                for i in range(base.size):
                    d = np.zeros(base.size)
                    d[i] = 1e-6
                    d = d.reshape(base.shape)
                    hi = sess.run(loss, {**feed, var: base + d})
                    lo = sess.run(loss, {**feed, var: base - d})
                    out.flat[i] = (hi - lo) / 2e-6
                return out

            np.testing.assert_allclose(sym_i, num(xi, image), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(sym_f, num(xf, flow), rtol=1e-5, atol=1e-6)


# -- connected components -------------------------------------------------------------------


def test_connected_components_matches_scipy_label():
    rng = np.random.RandomState(0)
    images = (rng.rand(3, 12, 15) < 0.45).astype(np.int32)
    images[1] = 0  # an empty image in the batch
    with tf.Graph().as_default():
        batch = tf.contrib.image.connected_components(images)
        single = tf.contrib.image.connected_components(images[2].astype(np.bool_))
        assert batch.dtype == tf.int32 and batch.shape.as_list() == [3, 12, 15]
        with tf.Session() as sess:
            got, got_single = sess.run([batch, single])
    expected = np.zeros_like(images)
    offset = 0
    for b in range(3):
        labels, count = ndimage.label(images[b])
        expected[b] = np.where(labels > 0, labels + offset, 0)
        offset += count
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got_single, ndimage.label(images[2])[0])


def test_connected_components_joins_equal_values_only():
    img = np.array([[1, 1, 2, 2], [0, 1, 2, 0], [3, 3, 0, 3]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.contrib.image.connected_components(img))
    np.testing.assert_array_equal(got, [[1, 1, 2, 2], [0, 1, 2, 0], [3, 3, 0, 4]])


def test_connected_components_all_nonzero():
    img = np.array([[[5, 5], [7, 5]]], np.int64)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.contrib.image.connected_components(img))
    np.testing.assert_array_equal(got, [[[1, 1], [2, 1]]])


# -- splines and sparse warps ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "order,kernel,smoothing,tol",
    [
        (2, "thin_plate_spline", 0.0, 1e-8),
        (3, "cubic", 0.0, 1e-8),
        (2, "thin_plate_spline", 0.01, 1e-8),
        # order 1: TF's phi is sqrt(max(r^2, 1e-10)), 1e-5 (not 0) on the diagonal
        (1, "linear", 0.0, 1e-4),
    ],
)
def test_interpolate_spline_matches_scipy_rbf(order, kernel, smoothing, tol):
    from scipy.interpolate import RBFInterpolator

    rng = np.random.RandomState(order)
    train = rng.uniform(0, 5, (2, 9, 2))
    values = rng.uniform(-1, 1, (2, 9, 3))
    query = rng.uniform(0, 5, (2, 13, 2))
    with tf.Graph().as_default():
        y = tf.contrib.image.interpolate_spline(train, values, query, order, smoothing)
        assert y.shape.as_list() == [2, 13, 3]
        with tf.Session() as sess:
            got = sess.run(y)
    for b in range(2):
        ref = RBFInterpolator(train[b], values[b], kernel=kernel, degree=1, smoothing=smoothing)
        np.testing.assert_allclose(got[b], ref(query[b]), rtol=1e-6, atol=tol)


def test_interpolate_spline_needs_static_dims():
    with tf.Graph().as_default():
        pts = tf.placeholder(tf.float32, [1, 4, None])
        with pytest.raises(ValueError, match=r"input points \(d\) must be statically-inferrable"):
            tf.contrib.image.interpolate_spline(pts, np.zeros((1, 4, 1), np.float32), pts, 2)


def test_sparse_image_warp_moves_control_points():
    rng = np.random.RandomState(8)
    image = rng.uniform(0, 1, (1, 10, 12, 1)).astype(np.float32)
    src = np.array([[[3.0, 4.0], [6.0, 8.0], [2.0, 9.0]]], np.float32)
    dst = src + np.array([[[1.0, 1.0], [-1.0, 0.0], [1.0, -2.0]]], np.float32)
    with tf.Graph().as_default():
        warped, flow = tf.contrib.image.sparse_image_warp(image, src, dst, num_boundary_points=2)
        assert warped.shape.as_list() == [1, 10, 12, 1] and flow.shape.as_list() == [1, 10, 12, 2]
        with tf.Session() as sess:
            w, f = sess.run([warped, flow])
    for (sy, sx), (dy, dx) in zip(src[0].astype(int), dst[0].astype(int)):
        np.testing.assert_allclose(f[0, dy, dx], [dy - sy, dx - sx], atol=1e-3)
        np.testing.assert_allclose(w[0, dy, dx], image[0, sy, sx], atol=1e-3)
    # the corners and edge midpoints are pinned: zero flow there
    for y, x in [(0, 0), (0, 11), (9, 0), (9, 11), (0, 5.5), (4.5, 0)]:
        if float(y).is_integer() and float(x).is_integer():
            np.testing.assert_allclose(f[0, int(y), int(x)], [0, 0], atol=1e-4)
    np.testing.assert_allclose(w, _numpy_dense_warp(image, f), rtol=1e-5, atol=1e-5)


# -- hue/saturation/value in YIQ ----------------------------------------------------------------


def _numpy_hsv_in_yiq(rgb, delta_hue, scale_saturation, scale_value):
    """RGB -> YIQ (the Wikipedia matrix TF's kernel uses), I/Q rotated by delta_hue and
    scaled by scale_saturation, all scaled by scale_value, back to RGB; float64."""
    to_yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    yiq = rgb.astype(np.float64) @ to_yiq.T
    c, s = np.cos(delta_hue), np.sin(delta_hue)
    i = yiq[..., 1] * c - yiq[..., 2] * s
    q = yiq[..., 1] * s + yiq[..., 2] * c
    yiq = np.stack([yiq[..., 0], i * scale_saturation, q * scale_saturation], -1) * scale_value
    return yiq @ np.linalg.inv(to_yiq).T


def test_adjust_hsv_in_yiq_matches_numpy():
    rng = np.random.RandomState(6)
    image = rng.uniform(0, 1, (2, 4, 5, 3)).astype(np.float32)
    ci = tf.contrib.image
    with tf.Graph().as_default():
        cases = [(0.0, 1.0, 1.0), (0.7, 0.6, 1.2), (-2.5, 1.7, 0.4)]
        ys = [ci.adjust_hsv_in_yiq(image, *p) for p in cases]
        assert ys[1].op.name.startswith("adjust_hsv_in_yiq_1/")
        types = {op.type for op in tf.get_default_graph().get_operations()}
        assert "AdjustHsvInYiq" in types
        with tf.Session() as sess:
            got = sess.run(ys)
    for value, params in zip(got, cases):
        assert value.dtype == np.float32 and value.shape == image.shape
        np.testing.assert_allclose(value, _numpy_hsv_in_yiq(image, *params), atol=2e-5)
    np.testing.assert_allclose(got[0], image, atol=2e-5)  # identity parameters


def test_adjust_hsv_in_yiq_uint8_round_trip():
    rng = np.random.RandomState(7)
    image = rng.randint(0, 256, (3, 4, 3)).astype(np.uint8)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.contrib.image.adjust_hsv_in_yiq(image, 0.2, 0.9, 0.95))
    assert got.dtype == np.uint8
    ref = _numpy_hsv_in_yiq(image / 255.0, 0.2, 0.9, 0.95) * 255.5  # convert_image_dtype back
    np.testing.assert_array_equal(got, np.trunc(ref).astype(np.uint8))


def test_random_hsv_in_yiq_draws_and_validates():
    ci = tf.contrib.image
    image = np.random.RandomState(1).uniform(0, 1, (4, 4, 3)).astype(np.float32)
    with tf.Graph().as_default():
        y = ci.random_hsv_in_yiq(image, 0.4, 0.5, 1.5, 0.8, 1.2, seed=3)
        draws = [op for op in tf.get_default_graph().get_operations() if "RandomUniform" in op.type]
        assert len(draws) == 3
        with tf.Session() as sess:
            a = sess.run(y)
        assert a.shape == image.shape and not np.allclose(a, image)
    with tf.Graph().as_default():
        y = ci.random_hsv_in_yiq(image)
        ops = tf.get_default_graph().get_operations()
        assert not [op for op in ops if "Random" in op.type]
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(y), image, atol=2e-5)
    for kwargs, message in [
        ({"max_delta_hue": -1}, "max_delta must be non-negative."),
        ({"lower_saturation": -1}, "lower_saturation must be non-negative."),
        ({"lower_value": -1}, "lower_value must be non-negative."),
        ({"lower_saturation": 2, "upper_saturation": 1}, "lower_saturation must be < upper"),
        ({"lower_value": 2, "upper_value": 1}, "lower_value must be < upper_value."),
    ]:
        with pytest.raises(ValueError, match=message):
            ci.random_hsv_in_yiq(image, **kwargs)


def test_adjust_hsv_in_yiq_op_errors():
    from tfgraph import errors

    with tf.Graph().as_default():
        y = tf.contrib.image.adjust_hsv_in_yiq(np.zeros((2, 2, 4), np.float32), 0.1, 1.0, 1.0)
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match="input must have 3 channels"):
                sess.run(y)
        x = tf.constant(np.zeros((2, 2, 3), np.float32))
        z = tf.contrib.image.adjust_hsv_in_yiq(x, 0.1)
        with pytest.raises(LookupError):
            tf.gradients(z, x)
