"""tf.io.decode_jxl / tf.image.decode_jxl (DecodeJxl, new in TF 2.21) and the JPEG XL
reading every TF 2.21 image decoder shares, against TF: values, static shapes, errors.

The JPEG XL files in tests/data/jxl were written with imagecodecs (libjxl): 8-bit RGB,
gray, RGBA and gray+alpha (lossless), a 16-bit RGB (lossless), a lossy RGB and a
two-frame animation."""

from __future__ import annotations

import pathlib

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "jxl"

PROGRAM = """
import io as _io
DATA = {data!r}
f = {{n: open(f"{{DATA}}/{{n}}.jxl", "rb").read() for n in
     ["rgb", "gray", "rgba", "ga", "w16", "lossy", "anim"]}}
def enc(v):
    return [list(v.shape), str(v.dtype), v.reshape(-1).tolist()]
def first_line(e):
    lines = [l for l in str(e).split("\\n") if l.strip() and not l.startswith(
        ("\\t", "  ", "Graph", "Detected", "Node:", "Original"))]
    return lines[-1] if lines else ""
cases = {{
  "rgb": lambda: tf.io.decode_jxl(f["rgb"]),
  "rgb_3": lambda: tf.image.decode_jxl(f["rgb"], channels=3),
  "gray": lambda: tf.io.decode_jxl(f["gray"]),
  "gray_1": lambda: tf.io.decode_jxl(f["gray"], channels=1),
  "rgba": lambda: tf.io.decode_jxl(f["rgba"], channels=4),
  "gray_alpha": lambda: tf.io.decode_jxl(f["ga"]),
  "deep": lambda: tf.io.decode_jxl(f["w16"]),
  "lossy": lambda: tf.io.decode_jxl(tf.constant(f["lossy"])),
  "animation": lambda: tf.io.decode_jxl(f["anim"]),
  "fed": lambda: tf.io.decode_jxl(tf.placeholder_with_default(f["rgb"], [])),
  "named": lambda: tf.io.decode_jxl(f["rgb"], name="jxl"),
  "rgb_as_gray": lambda: tf.io.decode_jxl(f["rgb"], channels=1),
  "gray_as_rgb": lambda: tf.io.decode_jxl(f["gray"], channels=3),
  "channels_2": lambda: tf.io.decode_jxl(f["rgb"], channels=2),
  "channels_5": lambda: tf.io.decode_jxl(f["rgb"], channels=5),
  "channels_negative": lambda: tf.io.decode_jxl(f["rgb"], channels=-1),
  "float": lambda: tf.io.decode_jxl(f["rgb"], dtype=tf.float32),
  "rank_1": lambda: tf.io.decode_jxl([f["rgb"]]),
  "empty": lambda: tf.io.decode_jxl(b""),
  "not_an_image": lambda: tf.io.decode_jxl(b"nope"),
  "truncated_header": lambda: tf.io.decode_jxl(f["rgb"][:5]),
  "truncated": lambda: tf.io.decode_jxl(f["rgb"][:-3]),
  "png": lambda: tf.io.decode_jxl(
      tf.image.encode_png(tf.fill([2, 3, 1], tf.constant(7, tf.uint8)))),
  "decode_image": lambda: tf.io.decode_image(f["rgb"]),
  "decode_image_animation": lambda: tf.image.decode_image(f["anim"]),
  "decode_image_flat": lambda: tf.io.decode_image(f["gray"], expand_animations=False),
  "decode_image_float": lambda: tf.io.decode_image(f["rgb"], dtype=tf.float32),
  "decode_png": lambda: tf.io.decode_png(f["rgba"]),
  "decode_png_16": lambda: tf.io.decode_png(f["rgb"], dtype=tf.uint16),
  "decode_jpeg": lambda: tf.io.decode_jpeg(f["gray"]),
  "decode_jpeg_3": lambda: tf.io.decode_jpeg(f["gray"], channels=3),
  "decode_gif": lambda: tf.io.decode_gif(f["anim"]),
  "decode_gif_gray": lambda: tf.io.decode_gif(f["gray"]),
  "decode_bmp": lambda: tf.io.decode_bmp(f["rgb"]),
  "decode_webp": lambda: tf.io.decode_webp(f["gray"]),
  "decode_and_crop_jpeg": lambda: tf.io.decode_and_crop_jpeg(f["rgb"], [0, 0, 2, 2]),
}}
out = {{}}
for k, fn in cases.items():
    with tf.Graph().as_default():
        res = {{}}
        try:
            y = fn()
            res["static"] = [y.name, y.dtype.name, str(y.shape), y.op.type]
            with tf.Session() as sess:
                res["value"] = enc(sess.run(y))
        except Exception as e:
            res["error"] = [type(e).__name__, first_line(e)]
        out[k] = res
print(json.dumps(out))
"""


def _program() -> str:
    return PROGRAM.format(data=str(DATA))


@pytest.fixture(scope="module")
def both():
    pytest.importorskip("imagecodecs")
    pytest.importorskip("PIL.Image")
    return run_here_json("import json\n" + _program()), run_tf_json(_program())


NAMES = [
    "rgb", "rgb_3", "gray", "gray_1", "rgba", "gray_alpha", "deep", "lossy", "animation",
    "fed", "named", "rgb_as_gray", "gray_as_rgb", "channels_2", "channels_5",
    "channels_negative", "float", "rank_1", "empty", "not_an_image", "truncated_header",
    "truncated", "png", "decode_image", "decode_image_animation", "decode_image_flat",
    "decode_image_float", "decode_png", "decode_png_16", "decode_jpeg", "decode_jpeg_3",
    "decode_gif", "decode_gif_gray", "decode_bmp", "decode_webp", "decode_and_crop_jpeg",
]  # fmt: skip
# The 16-bit image: libjxl, asked for 8-bit output, dithers; tfgraph takes the nearest
# 8-bit level of imagecodecs' 16-bit pixels, so a few values differ by one.
NEAR = {"deep"}


@requires_tf
@pytest.mark.parametrize("name", NAMES)
def test_decode_jxl_as_tf(both, name):
    here, theirs = both
    a, b = here[name], theirs[name]
    if name in NEAR:
        assert a["static"] == b["static"]
        assert a["value"][:2] == b["value"][:2]
        diff = [abs(x - y) for x, y in zip(a["value"][2], b["value"][2])]
        assert max(diff) <= 1
        return
    assert a == b


def test_decode_jxl_without_imagecodecs_names_the_extra(monkeypatch):
    pytest.importorskip("PIL.Image")
    import sys

    monkeypatch.setitem(sys.modules, "imagecodecs", None)
    data = (DATA / "rgb.jxl").read_bytes()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.UnimplementedError, match=r"pip install 'tfgraph\[jxl\]'"):
            sess.run(tf.io.decode_jxl(data))
