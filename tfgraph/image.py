"""`tf.image`: decoding (needs the optional extra `images`), flips, brightness and
contrast, colour spaces and hue/saturation/gamma, standardization, dtype conversion,
patches (re-exports only)."""

from tfgraph.ops.image_adjust_ops import (
    adjust_brightness,
    adjust_contrast,
    central_crop,
    convert_image_dtype,
    crop_to_bounding_box,
    flip_left_right,
    flip_up_down,
    pad_to_bounding_box,
    per_image_standardization,
    random_brightness,
    random_contrast,
    random_flip_left_right,
    random_flip_up_down,
    resize_image_with_crop_or_pad,
)
from tfgraph.ops.image_color_ops import (
    adjust_gamma,
    adjust_hue,
    adjust_saturation,
    grayscale_to_rgb,
    hsv_to_rgb,
    random_hue,
    random_saturation,
    rgb_to_grayscale,
    rgb_to_hsv,
)
from tfgraph.ops.image_composite_ops import (
    image_gradients,
    psnr,
    resize_image_with_pad,
    rgb_to_yiq,
    rgb_to_yuv,
    rot90,
    sobel_edges,
    total_variation,
    transpose,
    yiq_to_rgb,
    yuv_to_rgb,
)
from tfgraph.ops.image_ops import decode_image, decode_jpeg, decode_png
from tfgraph.ops.image_patch_ops import extract_image_patches, extract_patches
from tfgraph.ops.image_ssim_ops import ssim, ssim_multiscale
from tfgraph.ops.random_ops import random_crop
from tfgraph.ops.resize_ops import (
    ResizeMethod,
    resize_area,
    resize_bicubic,
    resize_bilinear,
    resize_images,
    resize_nearest_neighbor,
)

resize_with_crop_or_pad = resize_image_with_crop_or_pad
resize = resize_images
transpose_image = transpose

__all__ = [
    "ResizeMethod",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_hue",
    "adjust_saturation",
    "central_crop",
    "convert_image_dtype",
    "crop_to_bounding_box",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "extract_image_patches",
    "extract_patches",
    "flip_left_right",
    "flip_up_down",
    "grayscale_to_rgb",
    "hsv_to_rgb",
    "image_gradients",
    "pad_to_bounding_box",
    "per_image_standardization",
    "psnr",
    "random_brightness",
    "random_contrast",
    "random_crop",
    "random_flip_left_right",
    "random_flip_up_down",
    "random_hue",
    "random_saturation",
    "resize",
    "resize_area",
    "resize_bicubic",
    "resize_bilinear",
    "resize_image_with_crop_or_pad",
    "resize_image_with_pad",
    "resize_images",
    "resize_nearest_neighbor",
    "resize_with_crop_or_pad",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "rgb_to_yiq",
    "rgb_to_yuv",
    "rot90",
    "sobel_edges",
    "ssim",
    "ssim_multiscale",
    "total_variation",
    "transpose",
    "transpose_image",
    "yiq_to_rgb",
    "yuv_to_rgb",
]
