"""tf.image / tf.io encoders and decoders against TF: EncodePng (tfgraph's own writer)
and EncodeJpeg round trips in both directions, is_jpeg, extract_jpeg_shape, decode_bmp,
decode_gif, decode_image, decode_and_crop_jpeg, adjust_jpeg_quality."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

pytest.importorskip("PIL.Image")

CODEC = """
import io as _io
from PIL import Image
rng = np.random.default_rng(0)
arr = rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)
grad = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (9, 1))[:, :, None] # smooth, 9x64x1
a16 = rng.integers(0, 65536, (5, 4, 2), dtype=np.uint16)
rgba = rng.integers(0, 256, (3, 5, 4), dtype=np.uint8)
def pil(a, fmt, **kw):
    b = _io.BytesIO(); Image.fromarray(a).save(b, fmt, **kw); return b.getvalue()
frames = [Image.fromarray(np.roll(arr, i, 0)).convert("P", palette=Image.ADAPTIVE, colors=16)
          for i in range(3)]
b = _io.BytesIO()
frames[0].save(b, "GIF", save_all=True, append_images=frames[1:])
gif = b.getvalue()
bmp, bmp_rgba = pil(arr, "BMP"), pil(rgba, "BMP")
jpg, png = pil(arr, "JPEG", quality=90), pil(arr, "PNG")
png16 = bytes.fromhex(  # (a 2x1 16-bit RGB PNG: 128, 32767, 65535, 60000, 384, 385)
    "89504e470d0a1a0a0000000d49484452000000020000000110020000002b"
    "d0349e000000154944415478da636668a8ffffffff2b85438c4d4c002cbf"
    "0651001532bb0000000049454e44ae426082"
)
out = {}
def png_trip(x, **kw):
    e = tf.image.encode_png(x, **kw)
    return [e.shape.as_list() if e.shape.ndims is not None else None,
            tf.image.decode_png(e if e.shape.ndims == 0 else tf.reshape(e, [-1])[0],
                                dtype=tf.as_dtype(np.asarray(x).dtype))]
cases = {
 "png_rgb": lambda: png_trip(arr),
 "png_gray": lambda: png_trip(grad, compression=9),
 "png_16": lambda: png_trip(a16[:, :, :1], compression=0),
 "png_rgba": lambda: png_trip(rgba),
 "png_batch": lambda: png_trip(np.stack([arr, arr[::-1]])),
 "is_jpeg": lambda: [tf.image.is_jpeg(jpg), tf.io.is_jpeg(png), tf.image.is_jpeg([jpg, png, b""])],
 "jshape": lambda: [tf.image.extract_jpeg_shape(jpg),
                    tf.io.extract_jpeg_shape(pil(arr[:, :, 0], "JPEG"), tf.int64)],
 "bmp": lambda: [tf.io.decode_bmp(bmp), tf.image.decode_bmp(bmp, channels=4),
                 tf.io.decode_bmp(bmp_rgba), tf.io.decode_bmp(bmp_rgba, channels=3)],
 "gif": lambda: [tf.io.decode_gif(gif), tf.image.decode_gif(png)],
 "decode_image": lambda: [tf.image.decode_image(gif), tf.image.decode_image(bmp, channels=3),
                          tf.image.decode_image(png, dtype=tf.float32),
                          tf.io.decode_image(gif, expand_animations=False),
                          tf.image.decode_image(png, dtype=tf.uint16, channels=1),
                          tf.image.decode_image(gif, dtype=tf.float32),
                          tf.image.decode_image(bmp, dtype=tf.float32),
                          tf.image.decode_image(jpg, dtype=tf.float32)],
 "crop_jpeg": lambda: [
     tf.image.decode_and_crop_jpeg(jpg, [1, 2, 3, 4], dct_method="INTEGER_ACCURATE"),
     tf.io.decode_and_crop_jpeg(jpg, tf.constant([0, 0, 6, 7]), channels=1,
                                dct_method="INTEGER_ACCURATE")],
 "png16_to_8": lambda: [tf.image.decode_png(png16), tf.image.decode_image(png16, dtype=tf.float32),
                        tf.image.decode_png(png16, channels=1)],
}
for k, f in cases.items():
    with tf.Graph().as_default():
        ys = f()
        static = [y for y in ys if not isinstance(y, tf.Tensor)]
        ys = [y for y in ys if isinstance(y, tf.Tensor)]
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                     if o.type != "Const")
        with tf.Session() as sess:
            vals = sess.run(ys)
        vals = [np.asarray(v) for v in vals]
        out[k] = {"value": [v.tolist() if v.dtype != object else None for v in vals],
                  "dtype": [t.dtype.name for t in ys], "ops": ops, "static": static,
                  "shape": [str(t.shape) for t in ys]}
"""

# The arrays both sides encode; each side's bytes go to the other's decoder.
ARRAYS = """
rng = np.random.default_rng(1)
arrays = {
    "rgb": rng.integers(0, 256, (6, 7, 3), dtype=np.uint8),
    "gray": rng.integers(0, 256, (5, 9, 1), dtype=np.uint8),
    "gray_alpha": rng.integers(0, 256, (4, 3, 2), dtype=np.uint8),
    "rgba": rng.integers(0, 256, (3, 5, 4), dtype=np.uint8),
    "smooth": np.tile(np.arange(0, 256, 2, dtype=np.uint8), (12, 1))[:, :, None],
    "rgb16": rng.integers(0, 65536, (4, 6, 3), dtype=np.uint16),
    "gray16": rng.integers(0, 65536, (5, 2, 1), dtype=np.uint16),
    "rgba16": rng.integers(0, 65536, (2, 3, 4), dtype=np.uint16),
    "one_row": rng.integers(0, 256, (1, 9, 3), dtype=np.uint8),
    "one_column": rng.integers(0, 256, (9, 1, 3), dtype=np.uint8),
    "photo": ((np.add.outer(np.arange(150), np.arange(170))[:, :, None] * [1, 2, 3]
               + rng.integers(0, 6, (150, 170, 3))) % 256).astype(np.uint8),
    "noise": rng.integers(0, 256, (120, 110, 3), dtype=np.uint8),
}
jpeg_options = [
    {}, {"quality": 40}, {"chroma_downsampling": False}, {"progressive": True},
    {"optimize_size": True}, {"density_unit": "cm", "x_density": 10, "y_density": 20},
    {"format": "rgb"}, {"xmp_metadata": "<x:xmpmeta>tfgraph</x:xmpmeta>"},
]
def encode_all(tf):
    out = {"png": {}, "jpeg": []}
    with tf.Graph().as_default(), tf.Session() as sess:
        for k, a in arrays.items():
            level = 9 if k == "rgb" else -1
            out["png"][k] = sess.run(tf.image.encode_png(a, compression=level)).hex()
            if k in ("photo", "noise", "smooth", "rgb16"):  # (stored blocks)
                out["png"][k + "@0"] = sess.run(tf.image.encode_png(a, compression=0)).hex()
        for kw in jpeg_options:
            out["jpeg"].append(sess.run(tf.image.encode_jpeg(arrays["rgb"], **kw)).hex())
        out["jpeg"].append(sess.run(tf.io.encode_jpeg(arrays["gray"], quality=80)).hex())
    return out
def decode_all(tf, encoded):
    out = {"png": {}, "jpeg": []}
    with tf.Graph().as_default(), tf.Session() as sess:
        for k, h in encoded["png"].items():
            dtype = tf.uint16 if arrays[k.split("@")[0]].dtype == np.uint16 else tf.uint8
            out["png"][k] = sess.run(tf.image.decode_png(bytes.fromhex(h), dtype=dtype)).tolist()
        for h in encoded["jpeg"]:
            img = tf.image.decode_jpeg(bytes.fromhex(h), dct_method="INTEGER_ACCURATE")
            out["jpeg"].append(sess.run(img).tolist())
    return out
"""


def _here(program):
    scope = {"tf": tf, "np": np}
    exec(program, scope)
    return json.loads(json.dumps(scope["out"]))


def _arrays():
    scope = {"np": np}
    exec(ARRAYS, scope)
    return scope


def test_png_round_trip_here():
    scope = _arrays()
    encoded = scope["encode_all"](tf)
    decoded = scope["decode_all"](tf, encoded)
    for key, a in scope["arrays"].items():
        np.testing.assert_array_equal(decoded["png"][key], a, err_msg=key)
    assert all(bytes.fromhex(h)[:3] == b"\xff\xd8\xff" for h in encoded["jpeg"])


def test_codec_errors():
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"compression should be in \[-1,9\]"
        ):
            sess.run(tf.image.encode_png(np.zeros([2, 2, 3], np.uint8), compression=12))
        with pytest.raises(tf.errors.InvalidArgumentError, match="1, 2, 3, or 4 channels, got 5"):
            sess.run(tf.image.encode_png(np.zeros([2, 2, 5], np.uint8)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="image must have 1 or 3 channels"):
            sess.run(tf.image.encode_jpeg(np.zeros([2, 2, 2], np.uint8)))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"quality must be in \[0,100\]"):
            sess.run(tf.image.encode_jpeg(np.zeros([2, 2, 3], np.uint8), quality=101))
        png = sess.run(tf.image.encode_png(np.zeros([2, 2, 3], np.uint8)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data, size"):
            sess.run(tf.image.extract_jpeg_shape(png))
        with pytest.raises(tf.errors.InvalidArgumentError, match="using DecodeBmp op"):
            sess.run(tf.io.decode_bmp(png))
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="can run on JPEG only, but detected PNG"
        ):
            sess.run(tf.image.decode_and_crop_jpeg(png, [0, 0, 1, 1]))
    with pytest.raises(ValueError, match="must be less than"):
        tf.image.random_jpeg_quality(tf.zeros([4, 4, 3]), 50, 50)


@pytest.mark.tf
@requires_tf
def test_codec_ops_match_tf():
    theirs = run_tf_json(CODEC + "\nprint(json.dumps(out))\n")
    ours = _here(CODEC)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        for field in ("ops", "dtype", "shape", "static"):
            assert ours[key][field] == theirs[key][field], (key, field)
        if key == "decode_image":  # (the last decodes a JPEG with TF's fast DCT)
            assert ours[key]["value"][:-1] == theirs[key]["value"][:-1]
            diff = np.subtract(ours[key]["value"][-1], theirs[key]["value"][-1])
            assert np.abs(diff).max() <= 8 / 255
        elif key == "crop_jpeg":
            # (TF decodes only the window: libjpeg's upsampling at its right edge differs
            # from decoding the whole image and cropping, by up to a few tens of units)
            for a, b in zip(ours[key]["value"], theirs[key]["value"]):
                a, b = np.asarray(a), np.asarray(b)
                np.testing.assert_array_equal(a[:, :-1], b[:, :-1])
                assert np.abs(a - b).max() <= 32
        else:
            assert ours[key]["value"] == theirs[key]["value"], key


@pytest.mark.tf
@requires_tf
def test_encoded_images_cross_decode(tmp_path):
    """tfgraph's PNGs decode in TF to the arrays they came from, and TF's in tfgraph;
    tfgraph's PNG and JPEG bytes are TF's bytes (PNG: libpng's filter choice and zlib
    settings reproduced; JPEG: both through libjpeg-turbo), so each side's (accurate-DCT)
    decoding of the other's file is equal."""
    scope = _arrays()
    ours = scope["encode_all"](tf)
    (tmp_path / "ours.json").write_text(json.dumps(ours))
    snippet = ARRAYS + f"\nencoded = json.load(open({str(tmp_path / 'ours.json')!r}))\n"
    snippet += "print(json.dumps({'decoded': decode_all(tf, encoded), 'encoded': encode_all(tf)}))"
    result = run_tf_json(snippet)
    for key, a in scope["arrays"].items():
        np.testing.assert_array_equal(result["decoded"]["png"][key], a, err_msg=key)
        if key + "@0" in ours["png"]:
            np.testing.assert_array_equal(result["decoded"]["png"][key + "@0"], a, err_msg=key)
    assert ours["jpeg"] == result["encoded"]["jpeg"]
    assert ours["png"] == result["encoded"]["png"]  # (libpng's filters, zlib, chunks)
    decoded_here = scope["decode_all"](tf, result["encoded"])
    for key, a in scope["arrays"].items():
        np.testing.assert_array_equal(decoded_here["png"][key], a, err_msg=key)
    assert decoded_here["jpeg"] == result["decoded"]["jpeg"]


ADJUST = """
rng = np.random.RandomState(0)
img = rng.uniform(0, 1, (8, 8, 3)).astype(np.float32)
u8 = (img * 255).astype(np.uint8)
out = {}
cases = {
    "float": lambda: tf.image.adjust_jpeg_quality(img, 60, dct_method="INTEGER_ACCURATE"),
    "u8": lambda: tf.image.adjust_jpeg_quality(u8, tf.constant(30), name="q"),
    "gray": lambda: tf.image.adjust_jpeg_quality(img[:, :, :1], 90),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            out[k] = {"value": sess.run(y).tolist(), "ops": ops, "shape": str(y.shape),
                      "dtype": y.dtype.name}
"""


@pytest.mark.tf
@requires_tf
def test_adjust_jpeg_quality_matches_tf():
    theirs = run_tf_json(ADJUST + "\nprint(json.dumps(out))\n")
    ours = _here(ADJUST)
    for key in theirs:
        for field in ("ops", "dtype", "shape"):
            assert ours[key][field] == theirs[key][field], (key, field)
        diff = np.abs(np.subtract(ours[key]["value"], theirs[key]["value"]))
        if key == "float":  # (accurate DCT on both sides: the same JPEG, the same pixels)
            assert diff.max() == 0
        else:  # (TF's default fast DCT: a few units apart)
            assert diff.max() <= 8 if key == "u8" else diff.max() <= 8 / 255


RANDOM_QUALITY = """
rng = np.random.RandomState(0)
img = rng.uniform(0, 1, (8, 8, 3)).astype(np.float32)
with tf.Graph().as_default():
    tf.set_random_seed(5)
    y = tf.image.random_jpeg_quality(img, 20, 90, seed=3)
    ops = tf.get_default_graph().get_operations()
    q = [o for o in ops if o.type == "RandomUniformInt"][0].outputs[0]
    with tf.Session() as sess:
        qs = [int(sess.run(q)) for _ in range(5)]
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
print(json.dumps({"q": qs, "ops": ops}))
"""


@pytest.mark.tf
@requires_tf
def test_random_jpeg_quality_graph_and_draws_match_tf():
    theirs = run_tf_json(RANDOM_QUALITY)
    scope = {"tf": tf, "np": np, "json": json}
    import contextlib
    import io as _io

    buf = _io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(RANDOM_QUALITY, scope)
    assert json.loads(buf.getvalue().strip().splitlines()[-1]) == theirs


def test_without_pillow(monkeypatch):
    """JPEG encoding and the Pillow-backed decoders say what is missing; PNG encoding,
    is_jpeg and extract_jpeg_shape need nothing."""
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    image = np.zeros([2, 3, 3], np.uint8)
    with tf.Graph().as_default(), tf.Session() as sess:
        png = sess.run(tf.image.encode_png(image))
        assert png[:4] == b"\x89PNG"
        assert sess.run(tf.image.is_jpeg(png)) == False  # noqa: E712
        with pytest.raises(tf.errors.UnimplementedError, match="needs Pillow"):
            sess.run(tf.image.encode_jpeg(image))
        with pytest.raises(tf.errors.UnimplementedError, match="needs Pillow"):
            sess.run(tf.io.decode_gif(png))


WEBP = """
import io as _io
from PIL import Image
rng = np.random.default_rng(0)
arr = rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)
rgba = rng.integers(0, 256, (5, 4, 4), dtype=np.uint8)
smooth = (np.add.outer(np.arange(20), np.arange(30))[:, :, None] * [3, 5, 7] % 256).astype(np.uint8)
def enc(a, **kw):
    b = _io.BytesIO()
    Image.fromarray(a).save(b, "WEBP", **kw)
    return b.getvalue()
files = {"lossless": enc(arr, lossless=True), "lossy": enc(smooth, quality=70),
         "rgba": enc(rgba, lossless=True)}
out = {}
for k, d in files.items():
    for name, f in [("webp", lambda: tf.io.decode_webp(d)),
                    ("webp3", lambda: tf.image.decode_webp(d, channels=3)),
                    ("webp4", lambda: tf.io.decode_webp(d, channels=4)),
                    ("image", lambda: tf.io.decode_image(d)),
                    ("image_3d", lambda: tf.io.decode_image(d, expand_animations=False)),
                    ("image_float", lambda: tf.io.decode_image(d, dtype=tf.float32)),
                    ("png", lambda: tf.io.decode_png(d)),
                    ("png1", lambda: tf.io.decode_png(d, channels=1)),
                    ("jpeg", lambda: tf.io.decode_jpeg(d)), ("gif", lambda: tf.io.decode_gif(d)),
                    ("bmp", lambda: tf.io.decode_bmp(d)),
                    ("crop", lambda: tf.io.decode_and_crop_jpeg(d, [0, 0, 2, 2]))]:
        with tf.Graph().as_default():
            t = f()
            with tf.Session() as s:
                try:
                    out[k + "_" + name] = [str(t.shape), s.run(t).tolist()]
                except tf.errors.InvalidArgumentError as e:
                    out[k + "_" + name] = [str(t.shape), "error", e.message]
"""


@pytest.mark.tf
@requires_tf
def test_webp_through_every_decoder_as_tf():
    """TF 2.21's quirks kept: every decoder takes a WebP and returns it [1, h, w, c]
    (decode_and_crop_jpeg does not crop it), uint8 only, the file's own 3 or 4 channels;
    lossy files decode to TF's pixels (the same libwebp)."""
    theirs = run_tf_json(WEBP + "\nprint(json.dumps(out))\n")
    ours = _here(WEBP)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if value[1] == "error":
            phrase = [line for line in value[2].splitlines() if line.startswith("\t [[")]
            lines = value[2].splitlines()
            key_line = lines[lines.index(phrase[0]) - 1]
            assert ours[key][:2] == value[:2] and key_line in ours[key][2], key
        else:
            assert ours[key] == value, key
