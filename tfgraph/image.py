"""`tf.image`: image decoding (re-exports only; needs the optional extra `images`)."""

from tfgraph.ops.image_ops import decode_image, decode_jpeg, decode_png
from tfgraph.ops.image_patch_ops import extract_image_patches, extract_patches
from tfgraph.ops.random_ops import random_crop

__all__ = [
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "extract_image_patches",
    "extract_patches",
    "random_crop",
]
