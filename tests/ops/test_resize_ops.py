"""tf.image.resize_images / resize_bilinear / resize_nearest_neighbor (align_corners,
half_pixel_centers) and their gradients against TF."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
img = rng.uniform(0, 1, (2, 5, 7, 2)).astype(np.float32)
u8 = (rng.uniform(0, 255, (4, 6, 3))).astype(np.uint8)
out = {}
cases = {
    "bilinear_up": lambda x: tf.image.resize_images(x, [9, 11]),
    "bilinear_down": lambda x: tf.image.resize_images(x, [3, 4]),
    "bilinear_align": lambda x: tf.image.resize_bilinear(x, [8, 5], align_corners=True),
    "bilinear_half": lambda x: tf.image.resize_bilinear(x, [8, 10], half_pixel_centers=True),
    "nearest_up": lambda x: tf.image.resize_images(
        x, [9, 11], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR),
    "nearest_align": lambda x: tf.image.resize_nearest_neighbor(x, [3, 9], align_corners=True),
    "nearest_half": lambda x: tf.image.resize_nearest_neighbor(x, [7, 4], half_pixel_centers=True),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        x = tf.constant(img)
        y = f(x)
        w = tf.constant(rng.standard_normal(y.shape.as_list()).astype(np.float32))
        g = tf.gradients(tf.reduce_sum(y * w), x)[0]
        with tf.Session() as sess:
            v, gv = sess.run([y, g])
        out[k] = {"value": v.tolist(), "grad": gv.tolist(), "shape": str(y.shape), "name": y.name}
with tf.Graph().as_default():
    y = tf.image.resize_images(u8, [8, 5])
    z = tf.image.resize_images(u8, [8, 5], method=1)
    with tf.Session() as sess:
        a, b = sess.run([y, z])
    out["u8"] = {"value": a.tolist(), "grad": b.tolist(), "shape": str(y.shape) + str(z.dtype),
                 "name": y.name}
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_resizes():
    out = _here()
    img = np.random.RandomState(0).uniform(0, 1, (2, 5, 7, 2)).astype(np.float32)
    up = np.asarray(out["nearest_up"]["value"])
    np.testing.assert_array_equal(up[:, 0, 0], img[:, 0, 0])
    assert out["bilinear_down"]["shape"] == "(2, 3, 4, 2)"
    assert out["u8"]["shape"] == "(8, 5, 3)<dtype: 'uint8'>"


def test_same_size_is_not_resized():
    with tf.Graph().as_default():
        x = tf.zeros([4, 5, 3])
        assert tf.image.resize_images(x, [4, 5]).op.type != "ResizeBilinear"


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert (ours[key]["shape"], ours[key]["name"]) == (
            theirs[key]["shape"],
            theirs[key]["name"],
        )
        np.testing.assert_allclose(ours[key]["value"], theirs[key]["value"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(ours[key]["grad"], theirs[key]["grad"], rtol=1e-5, atol=1e-5)


PRESERVE_ASPECT_RATIO = """
import json
img = np.random.RandomState(0).rand(5, 8, 3).astype(np.float32)
x = tf.constant(img)
ph = tf.placeholder(tf.float32, [None, None, None, 3])
sz = tf.placeholder(tf.int32, [2])
ys = [
    tf.image.resize_images(x, [10, 10], preserve_aspect_ratio=True),
    tf.image.resize_images(x, [3, 20], method=1, preserve_aspect_ratio=True),
    tf.image.resize_images(x, [5, 9], preserve_aspect_ratio=True),  # same size: no resize
    tf.image.resize_images(ph, [7, 7], method=2, preserve_aspect_ratio=True),
    tf.image.resize_images(x, sz, preserve_aspect_ratio=True),
    tf.image.resize_images(x, [7, 7], method=3, preserve_aspect_ratio=True, align_corners=True),
]
out = {"shapes": [str(y.shape) for y in ys], "names": [y.name for y in ys],
       "ops": [[o.name, o.type] for o in tf.get_default_graph().get_operations()
               if o.name.startswith("resize/")]}
with tf.Session() as s:
    r = s.run(ys, {ph: img[None], sz: [4, 4]})
out["vals"] = [np.round(v.astype(np.float64), 5).tolist() for v in r]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_resize_images_preserve_aspect_ratio_matches_tensorflow():
    assert run_here_json(PRESERVE_ASPECT_RATIO) == run_tf_json(PRESERVE_ASPECT_RATIO)
