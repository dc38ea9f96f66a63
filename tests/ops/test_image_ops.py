"""tf.image.decode_png / decode_jpeg / decode_image (through Pillow, the `images` extra):
the same bytes decoded by tfgraph and by TensorFlow in TF's interpreter (which has
Pillow), and a local check when Pillow is installed here."""

from __future__ import annotations

import io

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

COMPARE = """
import io
from PIL import Image
import tfgraph as tg
rng = np.random.default_rng(0)
arr = rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)
rgba = np.concatenate([arr, rng.integers(0, 256, (6, 7, 1), dtype=np.uint8)], axis=2)
def encode(a, fmt, **kw):
    b = io.BytesIO()
    Image.fromarray(a).save(b, fmt, **kw)
    return b.getvalue()
png, gray, rgba_png = encode(arr, "PNG"), encode(arr[:, :, 0], "PNG"), encode(rgba, "PNG")
jpg = encode(arr, "JPEG", quality=90)
cases = [(png, 0), (png, 1), (png, 3), (png, 4), (gray, 0), (gray, 3), (gray, 4),
         (rgba_png, 0), (rgba_png, 3), (rgba_png, 1)]
out = {"png": [], "jpeg": [], "shapes": []}
def both(make_tf, make_tg):
    with tf.Session() as s:
        theirs = s.run(make_tf())
    with tg.Graph().as_default(), tg.Session() as s:
        ours = s.run(make_tg())
    return theirs, ours
for data, ch in cases:
    theirs, ours = both(lambda: tf.image.decode_png(data, channels=ch),
                        lambda: tg.image.decode_png(data, channels=ch))
    out["png"].append([theirs.shape == ours.shape, int(np.abs(theirs.astype(int) - ours).max())])
theirs, ours = both(lambda: tf.image.decode_png(png, dtype=tf.uint16),
                    lambda: tg.image.decode_png(png, dtype=tg.uint16))
out["png16"] = [theirs.dtype.name, ours.dtype.name, bool((theirs == ours).all())]
for ch in (0, 1, 3):
    theirs, ours = both(
        lambda: tf.image.decode_jpeg(jpg, channels=ch, dct_method="INTEGER_ACCURATE"),
                        lambda: tg.image.decode_jpeg(jpg, channels=ch))
    out["jpeg"].append([theirs.shape == ours.shape, int(np.abs(theirs.astype(int) - ours).max())])
theirs, ours = both(lambda: tf.image.decode_jpeg(jpg), lambda: tg.image.decode_jpeg(jpg))
out["jpeg_fast"] = [theirs.shape == ours.shape, int(np.abs(theirs.astype(int) - ours).max())]
def error(make):
    try:
        with tg.Graph().as_default(), tg.Session() as s:
            s.run(make())
    except tg.errors.OpError as e:
        return [type(e).__name__, e.message.splitlines()[0]]
out["garbage"] = error(lambda: tg.image.decode_png(b"garbage"))
with tg.Graph().as_default():
    out["shapes"] = [str(tg.image.decode_png(png).shape),
                     str(tg.image.decode_png(png, channels=3).shape)]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_decoded_images_match_tf():
    out = run_tf_json(COMPARE)
    assert out["png"] == [[True, 0]] * 10
    assert out["png16"] == ["uint16", "uint16", True]
    # Pillow decodes with libjpeg's accurate integer DCT: TF's "INTEGER_ACCURATE" exactly,
    # TF's default (fast) DCT within a few units
    assert out["jpeg"] == [[True, 0]] * 3
    assert out["jpeg_fast"][0] and out["jpeg_fast"][1] <= 8
    assert out["garbage"] == [
        "InvalidArgumentError",
        "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required.",
    ]
    assert out["shapes"] == ["(?, ?, ?)", "(?, ?, 3)"]


def test_decode_png_here():
    image = pytest.importorskip("PIL.Image")
    arr = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    buf = io.BytesIO()
    image.fromarray(arr).save(buf, "PNG")
    with tf.Session() as s:
        out = s.run(tf.image.decode_png(buf.getvalue()))
    np.testing.assert_array_equal(out, arr)


RATIO = """
import tfgraph as tg
rng = np.random.RandomState(0)
arr = rng.randint(0, 256, (15, 11, 3)).astype(np.uint8)
arr[4:10] = 128
with tf.Session() as s:
    jpg = s.run(tf.image.encode_jpeg(arr, quality=90))
    gray = s.run(tf.image.encode_jpeg(arr[:, :, :1], quality=90))
    png = s.run(tf.image.encode_png(arr))
def cases(t):
    acc = "INTEGER_ACCURATE"
    return {
        "r2": lambda: t.image.decode_jpeg(jpg, ratio=2, dct_method=acc),
        "r4": lambda: t.io.decode_jpeg(jpg, ratio=4, dct_method=acc),
        "r8": lambda: t.image.decode_jpeg(jpg, ratio=8, dct_method=acc),
        "r2_gray_out": lambda: t.image.decode_jpeg(jpg, ratio=2, channels=1, dct_method=acc),
        "gray_r4_rgb": lambda: t.image.decode_jpeg(gray, ratio=4, channels=3, dct_method=acc),
        "png_r2": lambda: t.image.decode_jpeg(png, ratio=2),
        "r3": lambda: t.image.decode_jpeg(jpg, ratio=3),
        "truncated": lambda: t.image.decode_jpeg(jpg[: len(jpg) // 2]),
        "truncated_png_op": lambda: t.image.decode_png(jpg[: len(jpg) // 2]),
        "truncated_image_op": lambda: t.image.decode_image(jpg[: len(jpg) // 2]),
    }
def run(t, make):
    with t.Graph().as_default(), t.Session() as s:
        try:
            v = s.run(make())
            return [list(v.shape), v.reshape(-1).tolist()]
        except t.errors.OpError as e:  # (TF's own line: after its "Graph execution error")
            skip = ("\t", "  ", "Graph", "Detected", "Node:", "Original")
            lines = [x for x in e.message.splitlines() if x.strip() and not x.startswith(skip)]
            return [type(e).__name__, lines[-1]]
print(json.dumps({k: [run(tf, cases(tf)[k]), run(tg, cases(tg)[k])] for k in cases(tf)}))
"""


@pytest.mark.tf
@requires_tf
def test_decode_jpeg_ratio_and_truncated_jpegs_as_tf():
    out = run_tf_json(RATIO)
    for name, (theirs, ours) in out.items():
        assert ours == theirs, name
    assert out["r8"][0][0] == [2, 2, 3]
    assert out["r3"][0] == ["InvalidArgumentError", "ratio must be 1, 2, 4, or 8, got 3"]
