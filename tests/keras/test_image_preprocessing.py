"""tf.keras.preprocessing.image and the image helpers of tf.keras.utils, against
TensorFlow's Keras 2. (TF's environment has no SciPy, so its affine transforms cannot
run there; those are checked by their geometry here.)"""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

image = tf.keras.preprocessing.image

PROGRAM = """
import io, os, contextlib
I = tf.keras.preprocessing.image
U = tf.keras.utils
result = {}
rng = np.random.RandomState(0)
pic = rng.uniform(0, 255, (6, 8, 3)).astype("float32")
result["to_img"] = [U.array_to_img(pic).mode, U.array_to_img(pic).size,
                    U.array_to_img(pic[:, :, :1] * 4, scale=False).mode,
                    U.array_to_img(np.concatenate([pic, pic[:, :, :1]], -1)).mode]
result["roundtrip"] = U.img_to_array(U.array_to_img(pic, scale=False))
result["channels_first"] = U.img_to_array(U.array_to_img(pic), data_format="channels_first",
                                          dtype="int32")
result["gray"] = U.img_to_array(U.array_to_img(pic[:, :, :1]))[:2, :3, 0]
for bad in [lambda: U.array_to_img(pic[0]), lambda: U.array_to_img(pic[:, :, :2]),
            lambda: U.img_to_array(pic, data_format="nope"),
            lambda: U.img_to_array(np.zeros(3))]:
    try:
        bad()
    except ValueError as e:
        result.setdefault("errors", []).append(str(e))
path = os.path.join(DIR, "a.png")
U.save_img(path, pic)
result["load"] = U.img_to_array(U.load_img(path))
result["load_small"] = U.img_to_array(U.load_img(path, target_size=(3, 3),
                                                 interpolation="bilinear"))
result["load_aspect"] = U.img_to_array(U.load_img(path, target_size=(4, 2),
                                                  keep_aspect_ratio=True))
result["load_gray"] = U.img_to_array(U.load_img(path, color_mode="grayscale"))[:2, :2]
with open(path, "rb") as f:
    result["load_bytes"] = U.load_img(io.BytesIO(f.read()), color_mode="rgba").mode
for bad in [lambda: U.load_img(path, color_mode="cmyk"),
            lambda: U.load_img(path, target_size=(2, 2), interpolation="cubic"),
            lambda: U.load_img(3)]:
    try:
        bad()
    except (ValueError, TypeError) as e:
        result.setdefault("load_errors", []).append([type(e).__name__, str(e)])
result["channel_shift"] = I.apply_channel_shift(pic[:2, :2], 40.0, channel_axis=2)
np.random.seed(4)
result["random_channel_shift"] = I.random_channel_shift(pic[:2, :2], 30.0, channel_axis=2)
result["brightness"] = I.apply_brightness_shift(pic[:3, :3], 1.5)
result["brightness_unscaled"] = I.apply_brightness_shift(pic[:2, :2] * 2 - 100, 0.5, False)
np.random.seed(2)
result["random_brightness"] = I.random_brightness(pic[:2, :2], (0.5, 1.5))
try:
    I.random_brightness(pic, (1,))
except ValueError as e:
    result["brightness_error"] = str(e)

gen = I.ImageDataGenerator(rotation_range=30, width_shift_range=[2, 3], height_shift_range=0.2,
                           shear_range=5, zoom_range=0.3, channel_shift_range=10,
                           brightness_range=(0.8, 1.2), horizontal_flip=True, vertical_flip=True)
result["transform"] = gen.get_random_transform((6, 8, 3), seed=5)
gen2 = I.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                            samplewise_center=True, rescale=0.5, zoom_range=[0.9, 1.1],
                            data_format="channels_first")
batch = rng.uniform(0, 1, (5, 3, 4, 4)).astype("float32")
gen2.fit(batch)
result["fit"] = [gen2.mean, gen2.std, gen2.zoom_range]
result["standardize"] = gen2.standardize(batch[0].copy())
zca = I.ImageDataGenerator(zca_whitening=True, zca_epsilon=0.1)
flat = rng.uniform(0, 1, (6, 2, 2, 1)).astype("float32")
zca.fit(flat)
result["zca"] = [zca.featurewise_center, zca.zca_whitening_matrix, zca.standardize(flat[1].copy())]
for kwargs in [dict(zoom_range=(1, 2, 3)), dict(validation_split=1.5),
               dict(data_format="nchw"), dict(brightness_range=0.5)]:
    try:
        I.ImageDataGenerator(**kwargs)
    except ValueError as e:
        result.setdefault("gen_errors", []).append(str(e))
try:
    gen2.fit(batch[0])
except ValueError as e:
    result["fit_error"] = str(e)


class Plain:
    _validation_split = 0.4

    def get_random_transform(self, shape, seed=None):
        return {"add": float(np.random.randint(100))}

    def apply_transform(self, x, params):
        return x + params["add"]

    def standardize(self, x):
        return x * 2


xs = np.arange(10 * 2 * 2 * 1, dtype="float32").reshape(10, 2, 2, 1)
ys = np.array([0, 1] * 5)
it = I.NumpyArrayIterator(xs, ys, Plain(), batch_size=4, shuffle=True, seed=3,
                          sample_weight=np.arange(10.0))
result["numpy_len"] = len(it)
result["numpy_items"] = [list(it[i]) for i in range(3)]
result["numpy_next"] = [list(next(it)) for _ in range(4)]
it.on_epoch_end()
result["numpy_after_epoch"] = list(it[0])
sub = I.NumpyArrayIterator((xs, [np.arange(10), np.ones(10)]), ys, Plain(), batch_size=3,
                           subset="validation")
result["numpy_subset"] = [list(b) if isinstance(b, list) else b for b in sub[0]]
for bad in [lambda: I.NumpyArrayIterator(xs, ys[:3], Plain()),
            lambda: I.NumpyArrayIterator(xs[0], None, Plain()),
            lambda: I.NumpyArrayIterator(xs, np.sort(ys), Plain(), subset="training"),
            lambda: it[3]]:
    try:
        bad()
    except ValueError as e:
        result.setdefault("numpy_errors", []).append(str(e))

root = os.path.join(DIR, "tree")
for cls, count in [("cat", 3), ("dog", 2), ("empty", 0)]:
    os.makedirs(os.path.join(root, cls, "sub"))
    for k in range(count):
        where = os.path.join(root, cls, "sub" if k == 2 else "", f"{k}.png")
        U.save_img(where, rng.uniform(0, 255, (5 + k, 4, 3)))
    with open(os.path.join(root, cls, "notes.txt"), "w") as f:
        f.write("x")
out = io.StringIO()
with contextlib.redirect_stdout(out):
    d = I.DirectoryIterator(root, None, target_size=(3, 2), batch_size=2, shuffle=False,
                            color_mode="grayscale", class_mode="sparse")
    d2 = I.DirectoryIterator(root, Plain(), target_size=(2, 2), batch_size=4, seed=1,
                             classes=["dog", "cat"], subset="training")
    d3 = I.DirectoryIterator(root, None, target_size=(2, 2), class_mode=None,
                             data_format="channels_first", shuffle=False)
result["dir_printed"] = out.getvalue()
result["dir"] = [d.filenames, d.classes, d.class_indices, len(d), d.samples, d.image_shape]
result["dir_items"] = [list(d[i]) for i in range(len(d))]
result["dir2"] = [d2.filenames, d2.classes, list(d2[0])]
result["dir3"] = d3[0].shape
try:
    I.DirectoryIterator(root, None, class_mode="nope")
except ValueError as e:
    result["dir_error"] = str(e).split(";")[0]
"""


def _program(directory) -> str:
    return f"DIR = {str(directory)!r}\n" + PROGRAM


@pytest.mark.tf
@requires_tf
def test_image_preprocessing_matches_tensorflow(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "ours").mkdir()
    expected = theirs(_program(tmp_path / "tf"))
    out = ours(_program(tmp_path / "ours"))
    out["dir_printed"] = expected["dir_printed"] = None  # (paths differ)
    assert_same(out, expected)


def test_image_preprocessing_by_hand(tmp_path):
    out = ours(_program(tmp_path))
    assert out["to_img"] == ["RGB", [8, 6], "I", "RGBA"]
    assert out["dir"][0] == ["cat/0.png", "cat/1.png", "cat/sub/2.png", "dog/0.png", "dog/1.png"]
    assert out["dir_printed"].startswith("Found 5 images belonging to 3 classes.\n")


def test_affine_transform_geometry():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4)
    rotated = image.apply_affine_transform(x, theta=90)
    np.testing.assert_allclose(rotated, np.rot90(x, 1, (1, 2)), atol=1e-5)
    shifted = image.apply_affine_transform(x, tx=1, fill_mode="constant", cval=-1.0)
    # (as Keras: with the column axis after the row axis, tx moves columns, ty rows)
    np.testing.assert_allclose(shifted[0, :, :3], x[0, :, 1:])
    np.testing.assert_allclose(shifted[0, :, 3], -1.0)
    last = np.moveaxis(x, 0, -1)
    moved = image.apply_affine_transform(last, ty=-1, row_axis=0, col_axis=1, channel_axis=2)
    np.testing.assert_allclose(moved[1:], last[:3])
    assert image.apply_affine_transform(x) is x
    with pytest.raises(ValueError, match="must be distinct"):
        image.apply_affine_transform(x, row_axis=1, col_axis=1)
    with pytest.raises(ValueError, match="multi-channel 2D"):
        image.apply_affine_transform(x[0])


def test_random_transforms_are_seeded():
    x = np.random.RandomState(1).uniform(0, 1, (3, 6, 6)).astype("float32")
    for fn, arg in [
        (image.random_rotation, 40),
        (image.random_shear, 20),
        (image.random_zoom, (0.5, 1.5)),
    ]:
        np.random.seed(9)
        a = fn(x, arg)
        np.random.seed(9)
        assert np.array_equal(a, fn(x, arg)) and a.shape == x.shape and not np.allclose(a, x)
    np.random.seed(9)
    moved = image.random_shift(x, 0.0, 0.4)
    assert not np.allclose(moved, x)
    with pytest.raises(ValueError, match="two floats"):
        image.random_zoom(x, (1, 2, 3))


def test_generator_flow_augments_and_standardizes():
    x = np.random.RandomState(2).uniform(0, 255, (6, 5, 5, 3)).astype("float32")
    gen = image.ImageDataGenerator(
        rotation_range=20, horizontal_flip=True, rescale=1 / 255, brightness_range=(0.9, 1.1)
    )
    batches = gen.flow(x, np.arange(6), batch_size=4, seed=0)
    bx, by = batches[0]
    assert bx.shape == (4, 5, 5, 3) and by.shape == (4,)
    assert bx.min() >= 0 and bx.max() <= 1.0 + 1e-6
    flip = image.ImageDataGenerator()
    params = {"flip_horizontal": True, "flip_vertical": True}
    np.testing.assert_array_equal(flip.apply_transform(x[0], params), x[0][::-1, ::-1])
    model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(5, 5, 3))])
    assert model.predict(bx).shape == (4, 75)
