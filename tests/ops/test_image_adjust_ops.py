"""tf.image flips, brightness/contrast, per-image standardization, convert_image_dtype
and tf.math.reduce_std/variance: graphs and values against TF; the random variants by
their definition."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
img = rng.uniform(0, 1, (4, 5, 3)).astype(np.float32)
batch = rng.uniform(0, 1, (2, 4, 5, 3)).astype(np.float32)
u8 = (rng.uniform(0, 255, (4, 5, 3))).astype(np.uint8)
out = {}
cases = {
    "flip_lr": lambda: tf.image.flip_left_right(img),
    "flip_ud_batch": lambda: tf.image.flip_up_down(batch),
    "std": lambda: tf.image.per_image_standardization(img),
    "std_batch_u8": lambda: tf.image.per_image_standardization(tf.constant(np.stack([u8, u8]))),
    "bright": lambda: tf.image.adjust_brightness(img, 0.2),
    "bright_u8": lambda: tf.image.adjust_brightness(u8, 0.2),
    "contrast": lambda: tf.image.adjust_contrast(img, 1.7),
    "contrast_u8": lambda: tf.image.adjust_contrast(u8, 0.5),
    "u8_to_f": lambda: tf.image.convert_image_dtype(u8, tf.float32),
    "f_to_u8": lambda: tf.image.convert_image_dtype(img * 1.2, tf.uint8, saturate=True),
    "f_to_i16": lambda: tf.image.convert_image_dtype(img, tf.int16),
    "u8_to_i32": lambda: tf.image.convert_image_dtype(u8, tf.int32),
    "i32_to_u8": lambda: tf.image.convert_image_dtype(
        tf.constant([[[2 ** 30]]], tf.int32), tf.uint8),
    "std_var": lambda: tf.math.reduce_std(img, axis=[0, 1]),
    "variance": lambda: tf.math.reduce_variance(img, keepdims=True),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            out[k] = {"value": sess.run(y).tolist(), "dtype": y.dtype.name, "ops": ops,
                      "shape": str(y.shape)}
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_deterministic_values():
    out = _here()
    img = np.random.RandomState(0).uniform(0, 1, (4, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(out["flip_lr"]["value"], img[:, ::-1])
    std = np.asarray(out["std"]["value"])
    assert abs(std.mean()) < 1e-5 and abs(std.std() - 1) < 1e-4
    assert out["f_to_u8"]["dtype"] == "uint8" and max(np.ravel(out["f_to_u8"]["value"])) == 255


def _run(t):
    with tf.Session() as sess:
        return [sess.run(t) for _ in range(8)]


def test_random_variants_follow_their_definitions():
    img = np.random.RandomState(1).uniform(0, 1, (3, 4, 2)).astype(np.float32)
    batch = np.stack([img] * 6)
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        flips = _run(tf.image.random_flip_left_right(img))
        batch_flips = _run(tf.image.random_flip_up_down(batch))
        bright = _run(tf.image.random_brightness(img, 0.3))
        contrast = _run(tf.image.random_contrast(img, 0.5, 1.5))
    assert all(np.array_equal(f, img) or np.array_equal(f, img[:, ::-1]) for f in flips)
    assert any(np.array_equal(f, img) for f in flips) and any(
        np.array_equal(f, img[:, ::-1]) for f in flips
    )
    per_image = [[np.array_equal(b[i], img[::-1]) for i in range(6)] for b in batch_flips]
    assert all(
        all(np.array_equal(b[i], img) or p[i] for i in range(6))
        for b, p in zip(batch_flips, per_image)
    )
    assert len({tuple(p) for p in per_image}) > 1  # (each image of the batch on its own)
    for b in bright:
        delta = (b - img).ravel()
        assert np.allclose(delta, delta[0], atol=1e-6) and -0.3 <= delta[0] <= 0.3
    mean = img.mean(axis=(0, 1), keepdims=True)
    for c in contrast:
        factor = ((c - mean) / (img - mean)).ravel()
        assert np.allclose(factor, factor[0], rtol=1e-3) and 0.5 <= factor[0] <= 1.5


def test_errors():
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        tf.image.random_brightness(tf.zeros([2, 2, 1]), -1.0)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(tf.zeros([2, 2, 1]), 1.0, 0.5)
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tf.image.flip_left_right(tf.zeros([2, 2]))
    with pytest.raises(TypeError, match="integer"):
        tf.math.reduce_variance(tf.constant([1, 2]))


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key]["ops"] == theirs[key]["ops"], key
        assert (ours[key]["dtype"], ours[key]["shape"]) == (
            theirs[key]["dtype"],
            theirs[key]["shape"],
        )
        np.testing.assert_allclose(
            np.asarray(ours[key]["value"], float),
            np.asarray(theirs[key]["value"], float),
            rtol=1e-5,
            atol=1e-6,
            err_msg=key,
        )


CROPS = """
rng = np.random.RandomState(0)
img = rng.uniform(0, 1, (5, 6, 2)).astype(np.float32)
batch = rng.uniform(0, 1, (2, 5, 6, 2)).astype(np.float32)
out = {}
cases = {
    "crop": lambda: tf.image.crop_to_bounding_box(img, 1, 2, 3, 3),
    "pad": lambda: tf.image.pad_to_bounding_box(img, 1, 0, 8, 7),
    "rcp_smaller": lambda: tf.image.resize_image_with_crop_or_pad(img, 3, 4),
    "rcp_bigger": lambda: tf.image.resize_image_with_crop_or_pad(batch, 8, 9),
    "rcp_mixed": lambda: tf.image.resize_image_with_crop_or_pad(img, 8, 3),
    "rcp_dynamic": lambda: tf.image.resize_image_with_crop_or_pad(
        tf.placeholder_with_default(img, [None, None, 2]), 4, 8),
    "central": lambda: tf.image.central_crop(img, 0.5),
    "central_batch": lambda: tf.image.central_crop(batch, 0.7),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        with tf.Session() as sess:
            out[k] = {"value": sess.run(y).tolist(), "shape": str(y.shape)}
"""


def test_crops_and_pads():
    scope = {"tf": tf, "np": np}
    exec(CROPS, scope)
    out = scope["out"]
    img = np.random.RandomState(0).uniform(0, 1, (5, 6, 2)).astype(np.float32)
    np.testing.assert_array_equal(out["crop"]["value"], img[1:4, 2:5])
    padded = np.asarray(out["pad"]["value"])
    np.testing.assert_array_equal(padded[1:6, 0:6], img)
    assert padded.sum() == pytest.approx(img.sum(), rel=1e-5)
    assert out["rcp_dynamic"]["shape"] == "(4, 8, 2)"
    with pytest.raises(ValueError, match="central_fraction"):
        tf.image.central_crop(img, 0.0)


@pytest.mark.tf
@requires_tf
def test_crops_match_tf():
    theirs = run_tf_json(CROPS + "\nprint(json.dumps(out))\n")
    scope = {"tf": tf, "np": np}
    exec(CROPS, scope)
    assert json.loads(json.dumps(scope["out"])) == theirs


DYNAMIC_CENTRAL_CROP = """
import json
img = np.arange(2 * 5 * 7 * 2, dtype=np.float32).reshape(2, 5, 7, 2)
p4 = tf.placeholder(tf.float32, [None, None, 7, 2])
p3 = tf.placeholder(tf.float32, [None, None, 2])
f = tf.placeholder(tf.float64, [])
ys = [
    tf.image.central_crop(tf.constant(img[0]), 0.5),
    tf.image.central_crop(tf.constant(img), 0.6),
    tf.image.central_crop(p4, 0.5),
    tf.image.central_crop(p3, 0.3),
    tf.image.central_crop(tf.constant(img), f),
]
out = {"shapes": [str(y.shape) for y in ys], "names": [y.name for y in ys],
       "ops": [[o.name, o.type] for o in tf.get_default_graph().get_operations()
               if o.name.startswith("central_crop")]}
with tf.Session() as s:
    r = s.run(ys, {p4: img, p3: img[1], f: 0.7})
    out["vals"] = [v.tolist() for v in r]
    # (TF drops its dynamic image checks' Identity: an empty image crops to empty)
    out["empty"] = list(s.run(ys[3], {p3: np.zeros((0, 3, 2))}).shape)
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_central_crop_dynamic_sizes_and_fraction_match_tensorflow():
    assert run_here_json(DYNAMIC_CENTRAL_CROP) == run_tf_json(DYNAMIC_CENTRAL_CROP)
