"""ImageProjectiveTransformV2/V3 (the op behind tf.contrib.image.transform) and
ImageConnectedComponents: values against tf.raw_ops in real TF for every interpolation
and fill mode, output shapes, uint8/float16/float32/float64 images, a batch of transforms
and one shared transform; gradients against TF's and a numerical check; shape rules and
errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json
from tfgraph import errors
from tfgraph.ops import image_transform_ops as ito

# The same program runs in real TF (ops from tf.raw_ops) and here (ops from
# tfgraph.ops.image_transform_ops); `PT2` / `PT3` are defined by each side's prelude.
PROGRAM = """
rng = np.random.RandomState(7)
imgs = {
    "float32": rng.uniform(-2, 2, (2, 5, 6, 3)).astype(np.float32),
    "float64": rng.uniform(-2, 2, (2, 5, 6, 3)),
    "float16": rng.uniform(-2, 2, (2, 5, 6, 3)).astype(np.float16),
    "uint8": rng.randint(0, 256, (2, 5, 6, 3)).astype(np.uint8),
    "int32": rng.randint(-1000, 1000, (2, 5, 6, 3)).astype(np.int32),
}
c, s = np.cos(0.7), np.sin(0.7)
batch = np.array([
    [c, -s, 2.3, s, c, -1.6, 0.0, 0.0],
    [1.3, 0.2, -7.9, -0.1, 0.8, 9.4, 0.03, -0.05],
], np.float32)
far = np.array([[-2.5, 0.3, 17.2, 0.1, 3.1, -23.7, 0.0, 0.0]], np.float32)
shift = np.array([[1, 0, -1.5, 0, 1, 2.5, 0, 0]], np.float32)
pole = np.array([[1.2, 0.1, 0.5, 0.2, 0.9, 0.3, -0.5, 0]], np.float32)  # k = 0 at x = 2
out = {}
for dname, im in imgs.items():
    for interp in ["NEAREST", "BILINEAR"]:
        for mode in ["CONSTANT", "REFLECT", "WRAP", "NEAREST"]:
            for tname, t in [("batch", batch), ("far", far), ("shift", shift), ("pole", pole)]:
                if dname in ("float64", "int32") and tname != "batch":
                    continue
                size = [5, 6] if tname != "far" else [7, 4]
                key = "%s/%s/%s/%s" % (dname, interp, mode, tname)
                with tf.Graph().as_default():
                    y2 = PT2(tf.constant(im), tf.constant(t), size, interp, mode)
                    y3 = PT3(tf.constant(im), tf.constant(t), size, 3.7, interp, mode)
                    with tf.Session() as sess:
                        v2, v3 = sess.run([y2, y3])
                out[key] = [v2.astype(np.float64).tolist(), v3.astype(np.float64).tolist(),
                            v2.dtype.name, list(v2.shape)]
# gradients with respect to the images (TF's inverse-transform gradient)
g = {}
im = imgs["float32"]
wts = rng.uniform(-1, 1, (2, 7, 4, 3)).astype(np.float32)
for interp in ["NEAREST", "BILINEAR"]:
    for mode in ["CONSTANT", "REFLECT", "WRAP", "NEAREST"]:
        for tname, t in [("batch", batch), ("shift", shift)]:
            with tf.Graph().as_default():
                x = tf.constant(im)
                y2 = PT2(x, tf.constant(t), [7, 4], interp, mode)
                y3 = PT3(x, tf.constant(t), [7, 4], 1.5, interp, mode)
                g2 = tf.gradients(tf.reduce_sum(y2 * wts), x)[0]
                g3 = tf.gradients(tf.reduce_sum(y3 * wts), x)[0]
                with tf.Session() as sess:
                    a, b = sess.run([g2, g3])
            g["%s/%s/%s" % (interp, mode, tname)] = [a.tolist(), b.tolist()]
# static shapes
shapes = {}
with tf.Graph().as_default():
    x = tf.placeholder(tf.float32, [None, 5, 6, 3])
    t = tf.placeholder(tf.float32, [None, 8])
    sz = tf.placeholder(tf.int32, [2])
    shapes["const"] = PT2(x, t, [7, 8], "NEAREST", "CONSTANT").shape.as_list()
    shapes["fed"] = PT2(x, t, sz, "NEAREST", "CONSTANT").shape.as_list()
    shapes["v3"] = PT3(x, t, [3, 2], 0.0, "BILINEAR", "WRAP").shape.as_list()
    shapes["sliced"] = PT2(x, t, tf.shape(x)[1:3], "NEAREST", "CONSTANT").shape.as_list()
    xf = tf.placeholder(tf.float32, [2, 5, 6, 3])
    shapes["sliced_full"] = PT2(xf, t, tf.shape(xf)[1:3], "NEAREST", "CONSTANT").shape.as_list()
    shapes["minus_one"] = PT2(x, t, [-1, 4], "NEAREST", "CONSTANT").shape.as_list()
    u = tf.placeholder(tf.float32)
    shapes["unknown_rank"] = PT2(u, t, [2, 4], "NEAREST", "CONSTANT").shape.as_list()
print(json.dumps({"values": out, "grads": g, "shapes": shapes}))
"""

TF_PRELUDE = """
import tensorflow as tf2
def PT2(images, transforms, size, interp, mode):
    return tf2.raw_ops.ImageProjectiveTransformV2(
        images=images, transforms=transforms, output_shape=size, interpolation=interp,
        fill_mode=mode)
def PT3(images, transforms, size, fill, interp, mode):
    return tf2.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=size, fill_value=fill,
        interpolation=interp, fill_mode=mode)
"""

HERE_PRELUDE = """
import json
from tfgraph.ops import image_transform_ops as ito
def PT2(images, transforms, size, interp, mode):
    return ito.image_projective_transform_v2(images, transforms, size, interp, mode)
def PT3(images, transforms, size, fill, interp, mode):
    return ito.image_projective_transform_v3(images, transforms, size, fill, interp, mode)
"""


@pytest.fixture(scope="module")
def both():
    theirs = run_tf_json(TF_PRELUDE + PROGRAM)
    ours = run_here_json(HERE_PRELUDE + PROGRAM)
    return theirs, ours


@pytest.mark.tf
@requires_tf
def test_values_match_tf_all_modes_dtypes_and_shapes(both):
    theirs, ours = both
    assert set(theirs["values"]) == set(ours["values"])
    assert (
        len(ours["values"]) == 3 * 2 * 4 * 4 + 2 * 2 * 4
    )  # float32/16, uint8: 4 transforms each; float64, int32: 1
    for key, (t2, t3, tdt, tshape) in theirs["values"].items():
        o2, o3, odt, oshape = ours["values"][key]
        assert (odt, oshape) == (tdt, tshape), key
        # (the same float32 arithmetic in the same order: equal values, to the last bit)
        np.testing.assert_array_equal(o2, t2, err_msg=key)
        np.testing.assert_array_equal(o3, t3, err_msg=key)
    # (the fill value reaches the output: V3 differs from V2 outside the image)
    t2, t3 = theirs["values"]["float32/NEAREST/CONSTANT/far"][:2]
    assert not np.array_equal(t2, t3)


@pytest.mark.tf
@requires_tf
def test_integer_images_exact(both):
    theirs, ours = both
    for key in theirs["values"]:
        if key.startswith(("uint8", "int32")):
            assert ours["values"][key][0] == theirs["values"][key][0], key
            assert ours["values"][key][1] == theirs["values"][key][1], key


@pytest.mark.tf
@requires_tf
def test_gradients_match_tf(both):
    theirs, ours = both
    assert set(theirs["grads"]) == set(ours["grads"]) and len(ours["grads"]) == 16
    for key, (t2, t3) in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][key][0], t2, rtol=1e-5, atol=1e-5, err_msg=key)
        np.testing.assert_allclose(ours["grads"][key][1], t3, rtol=1e-5, atol=1e-5, err_msg=key)


@pytest.mark.tf
@requires_tf
def test_static_shapes_match_tf(both):
    theirs, ours = both
    assert ours["shapes"] == theirs["shapes"]
    assert ours["shapes"]["const"] == [None, 7, 8, 3]
    assert ours["shapes"]["sliced"] == [None, None, None, 3]
    assert ours["shapes"]["sliced_full"] == [2, 5, 6, 3]


def _numeric_jacobian_check(build, x0, eps=1e-2):
    """The op is linear in the images: compare tf.gradients of <w, f(x)> with central
    differences of the same function."""
    rng = np.random.RandomState(3)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x0.shape)
        y = build(x)
        w = rng.uniform(-1, 1, y.shape.as_list())
        loss = tf.reduce_sum(y * w)
        (g,) = tf.gradients(loss, x)
        with tf.Session() as sess:
            sym = sess.run(g, {x: x0})
            num = np.zeros_like(x0)
            for i in range(x0.size):
                d = np.zeros(x0.size)
                d[i] = eps
                d = d.reshape(x0.shape)
                num.flat[i] = (sess.run(loss, {x: x0 + d}) - sess.run(loss, {x: x0 - d})) / (
                    2 * eps
                )
    np.testing.assert_allclose(sym, num, rtol=1e-4, atol=1e-4)
    return sym


@pytest.mark.parametrize("interp", ["NEAREST", "BILINEAR"])
@pytest.mark.parametrize("v3", [False, True])
def test_gradient_numerical_on_exactly_invertible_maps(interp, v3):
    # integer shifts, a flip and a quarter turn: TF's inverse-transform gradient is the
    # exact adjoint there, so it equals the numerical gradient.
    x0 = np.random.RandomState(0).uniform(-1, 1, (2, 4, 4, 2))
    transforms = np.array(
        [[1, 0, -1, 0, 1, 2, 0, 0], [0, -1, 3, 1, 0, 0, 0, 0]], np.float32
    )  # shift; quarter turn
    flip = np.array([-1, 0, 3, 0, 1, 0, 0, 0], np.float32)

    def build(x):
        if v3:
            y = ito.image_projective_transform_v3(x, transforms, [4, 4], 0.0, interp)
            return ito.image_projective_transform_v3(y, flip[None], [4, 4], 0.0, interp)
        y = ito.image_projective_transform_v2(x, transforms, [4, 4], interp)
        return ito.image_projective_transform_v2(y, flip[None], [4, 4], interp)

    sym = _numeric_jacobian_check(build, x0)
    assert np.abs(sym).sum() > 0


def test_transforms_not_differentiable():
    with tf.Graph().as_default():
        x = tf.constant(np.ones((1, 3, 3, 1), np.float32))
        t = tf.constant([[1, 0, 0.5, 0, 1, 0, 0, 0]], tf.float32)
        y = ito.image_projective_transform_v2(x, t, [3, 3], "BILINEAR")
        gx, gt = tf.gradients(tf.reduce_sum(y), [x, t])
        assert gt is None and gx is not None


def test_errors_name_the_op():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3 for"):
            ito.image_projective_transform_v2(
                np.zeros((5, 6, 3), np.float32), [[1.0] * 8], [2, 2], "NEAREST"
            )
        with pytest.raises(ValueError, match="Dimension must be 2 but is 3"):
            ito.image_projective_transform_v2(
                np.zeros((1, 5, 6, 3), np.float32), [[1.0] * 8], [2, 2, 2], "NEAREST"
            )
        img = np.zeros((2, 3, 3, 1), np.float32)
        y = ito.image_projective_transform_v2(
            img, np.zeros((3, 8), np.float32), [2, 2], "NEAREST", name="tr"
        )
        sz = tf.placeholder(tf.int32, [2])
        y2 = ito.image_projective_transform_v2(img, np.zeros((1, 8), np.float32), sz, "NEAREST")
        with tf.Session() as sess:
            with pytest.raises(
                errors.InvalidArgumentError,
                match="Input transform should be num_images x 8 or 1 x 8",
            ) as e:
                sess.run(y)
            assert "tr" in str(e.value)
            with pytest.raises(
                errors.InvalidArgumentError, match="output dimensions must be positive"
            ):
                sess.run(y2, {sz: [0, 3]})


def test_batch_of_224_images_is_fast():
    import time

    rng = np.random.RandomState(0)
    big = rng.randint(0, 256, (32, 224, 224, 3)).astype(np.uint8)
    t = np.tile(np.array([[0.9, 0.1, 5.5, -0.2, 1.1, 3.3, 1e-4, 2e-4]], np.float32), (32, 1))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.uint8, [None, 224, 224, 3])
        y = ito.image_projective_transform_v3(x, t, [224, 224], 0.0, "BILINEAR", "REFLECT")
        with tf.Session() as sess:
            start = time.perf_counter()
            out = sess.run(y, {x: big})
            elapsed = time.perf_counter() - start
    assert out.shape == (32, 224, 224, 3) and out.dtype == np.uint8
    assert elapsed < 5.0


def test_connected_components_op_roots():
    img = np.array([[[1, 1, 0, 2], [0, 1, 0, 2], [3, 0, 0, 2]]], np.int32)
    with tf.Graph().as_default():
        y = ito.image_connected_components(img)
        assert y.shape.as_list() == [1, 3, 4] and y.dtype == tf.int64
        with tf.Session() as sess:
            out = sess.run(y)
    # ids: 1 + the smallest flat index of each component (equal values connect)
    np.testing.assert_array_equal(out, [[[1, 1, 0, 4], [0, 1, 0, 4], [9, 0, 0, 4]]])


def test_connected_components_op_dtypes_and_speed():
    import time

    strings = np.array([[[b"a", b"a", b""], [b"", b"b", b"b"]]], dtype=object)
    flags = np.array([[[True, False], [True, True]]])
    rng = np.random.RandomState(0)
    noisy = rng.randint(0, 4, (8, 128, 128)).astype(np.float32)  # many small components
    with tf.Graph().as_default():
        ys = [ito.image_connected_components(v) for v in (strings, flags, noisy)]
        with tf.Session() as sess:
            start = time.perf_counter()
            s, f, n = sess.run(ys)
            elapsed = time.perf_counter() - start
    np.testing.assert_array_equal(s, [[[1, 1, 0], [0, 5, 5]]])
    np.testing.assert_array_equal(f, [[[1, 0], [1, 1]]])
    assert elapsed < 5.0
    # every component of the noisy batch is one value's 4-connected piece
    for b in (0, 7):
        for value in (1.0, 2.0, 3.0):
            from scipy import ndimage

            labels, count = ndimage.label(noisy[b] == value)
            for k in range(1, count + 1):
                ids = np.unique(n[b][labels == k])
                assert ids.size == 1 and ids[0] > 0
    assert (n[noisy == 0] == 0).all()


def test_connected_components_op_rank_error():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Shape must be rank 3 but is rank 2"):
            ito.image_connected_components(np.zeros((2, 2), np.int32))
        x = tf.placeholder(tf.int32)
        y = ito.image_connected_components(x)
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match="Input images must have rank 3"):
                sess.run(y, {x: np.zeros((2, 2), np.int32)})
