"""`tf.image` functions TF writes in Python: rot90, transpose, total_variation,
image_gradients, sobel_edges, psnr and the YIQ/YUV conversions, built from existing ops
as TF builds them (so names and gradients are TF's)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, check_ops, control_flow_ops, conv_ops, math_ops
from tfgraph.ops.control_flow_case import case
from tfgraph.ops.image_adjust_ops import _at_least_3d, convert_image_dtype

__all__ = [
    "image_gradients",
    "psnr",
    "resize_image_with_pad",
    "rgb_to_yiq",
    "rgb_to_yuv",
    "rot90",
    "sobel_edges",
    "total_variation",
    "transpose",
    "yiq_to_rgb",
    "yuv_to_rgb",
]


def _rot90_cases(image, k, scope, axes):
    """TF's _rot90_3D/_rot90_4D: a tf.case on k over the three rotations."""
    h, w = axes
    perm = list(range(image.get_shape().ndims))
    perm[h], perm[w] = perm[w], perm[h]
    cases = [
        (
            math_ops.equal(k, 1),
            lambda: array_ops.transpose(array_ops.reverse_v2(image, [w]), perm),
        ),
        (math_ops.equal(k, 2), lambda: array_ops.reverse_v2(image, [h, w])),
        (
            math_ops.equal(k, 3),
            lambda: array_ops.reverse_v2(array_ops.transpose(image, perm), [w]),
        ),
    ]
    return case(cases, default=lambda: image, exclusive=True, name=scope)


def rot90(image, k=1, name=None):
    """`image` ([h, w, c] or [n, h, w, c]) rotated counter-clockwise by k * 90 degrees."""
    with get_default_graph().name_scope(name or "rot90") as scope:
        image = convert_to_tensor(image, name="image")
        image = _at_least_3d(image)
        k = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        k.get_shape().with_rank(0)
        k = math_ops.mod(k, 4, name="mod")
        ndims = image.get_shape().ndims
        if ndims == 3:
            result = _rot90_cases(image, k, scope, (0, 1))
            result.set_shape([None, None, image.get_shape()[2]])
            return result
        if ndims == 4:
            result = _rot90_cases(image, k, scope, (1, 2))
            shape = result.get_shape()
            result.set_shape([shape[0], None, None, shape[3]])
            return result
        if ndims is None:
            raise NotImplementedError("tfgraph's rot90 needs the image's rank")
        raise ValueError(f"'image' (shape {image.get_shape()}) must have either 3 or 4 dimensions.")


def transpose(image, name=None):
    """`image` ([h, w, c] or [n, h, w, c]) with height and width swapped."""
    with get_default_graph().name_scope(name or "transpose"):
        image = convert_to_tensor(image, name="image")
        image = _at_least_3d(image)
        ndims = image.get_shape().ndims
        if ndims == 3:
            return array_ops.transpose(image, [1, 0, 2], name=name)
        if ndims == 4:
            return array_ops.transpose(image, [0, 2, 1, 3], name=name)
        if ndims is None:
            raise NotImplementedError("tfgraph's transpose needs the image's rank")
        raise ValueError(f"'image' (shape {image.get_shape()}) must have either 3 or 4 dimensions.")


def total_variation(images, name=None):
    """The sum of absolute differences of neighbouring pixels (per image for a batch)."""
    with get_default_graph().name_scope(name or "total_variation"):
        ndims = images.get_shape().ndims
        if ndims == 3:
            dif1 = images[1:, :, :] - images[:-1, :, :]
            dif2 = images[:, 1:, :] - images[:, :-1, :]
            axis = None
        elif ndims == 4:
            dif1 = images[:, 1:, :, :] - images[:, :-1, :, :]
            dif2 = images[:, :, 1:, :] - images[:, :, :-1, :]
            axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return math_ops.reduce_sum(math_ops.abs(dif1), axis=axis) + math_ops.reduce_sum(
            math_ops.abs(dif2), axis=axis
        )


def image_gradients(image):
    """(dy, dx): one-step forward differences of a [n, h, w, d] batch, zero-padded at
    the bottom row / right column."""
    if image.get_shape().ndims != 4:
        raise ValueError(
            f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {image.get_shape()}."
        )
    image_shape = array_ops.shape(image)
    batch_size, height, width, depth = array_ops.unstack(image_shape)
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    shape = array_ops.stack([batch_size, 1, width, depth])
    dy = array_ops.concat([dy, array_ops.zeros(shape, image.dtype)], 1)
    dy = array_ops.reshape(dy, image_shape)
    shape = array_ops.stack([batch_size, height, 1, depth])
    dx = array_ops.concat([dx, array_ops.zeros(shape, image.dtype)], 2)
    dx = array_ops.reshape(dx, image_shape)
    return dy, dx


def sobel_edges(image):
    """Sobel edge maps [n, h, w, d, 2] (dy, dx) of a [n, h, w, d] batch (reflect-padded)."""
    static_shape = image.get_shape()
    image_shape = array_ops.shape(image)
    kernels = [[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]
    kernels = np.expand_dims(np.transpose(np.asarray(kernels), (1, 2, 0)), -2)
    kernels_tf = convert_to_tensor(kernels.astype(image.dtype._base.as_numpy_dtype))
    kernels_tf = array_ops.tile(kernels_tf, [1, 1, image_shape[-1], 1], name="sobel_filters")
    padded = array_ops.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    output = conv_ops.depthwise_conv2d(padded, kernels_tf, [1, 1, 1, 1], "VALID")
    output = array_ops.reshape(output, shape=array_ops.concat([image_shape, [2]], 0))
    output.set_shape(static_shape.concatenate([2]))
    return output


def _compatible_image_checks(img1, img2):
    """TF's _verify_compatible_image_shapes: static checks, then two Asserts."""
    shape1 = img1.get_shape().with_rank_at_least(3)
    shape2 = img2.get_shape().with_rank_at_least(3)
    shape1[-3:].assert_is_compatible_with(shape2[-3:])
    if shape1.ndims is not None and shape2.ndims is not None:
        for d1, d2 in zip(reversed(shape1.dims[:-3]), reversed(shape2.dims[:-3])):
            if not (d1 == 1 or d2 == 1 or d1.is_compatible_with(d2)):
                raise ValueError(f"Two images are not compatible: {shape1} and {shape2}")
    shape1, shape2 = array_ops.shape_n([img1, img2])
    return (
        shape1,
        shape2,
        [
            check_ops.Assert(
                math_ops.greater_equal(array_ops.size(shape1), 3), [shape1, shape2], summarize=10
            ),
            check_ops.Assert(
                math_ops.reduce_all(math_ops.equal(shape1[-3:], shape2[-3:])),
                [shape1, shape2],
                summarize=10,
            ),
        ],
    )


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio of `a` against `b` (per image), in dB."""
    g = get_default_graph()
    with g.name_scope(name or "PSNR"):
        max_val = array_ops.cast(max_val, a.dtype)
        max_val = convert_image_dtype(max_val, dtypes.float32)
        a = convert_image_dtype(a, dtypes.float32)
        b = convert_image_dtype(b, dtypes.float32)
        mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        value = math_ops.subtract(
            20 * math_ops.log(max_val) / math_ops.log(10.0),
            np.float32(10 / np.log(10)) * math_ops.log(mse),
            name="psnr",
        )
        _, _, checks = _compatible_image_checks(a, b)
        with g.control_dependencies(checks):
            return array_ops.identity(value)


def _color_matrix(images, kernel):
    images = convert_to_tensor(images, name="images")
    kernel = convert_to_tensor(kernel, dtype=images.dtype, name="kernel")
    ndims = images.get_shape().ndims
    return math_ops.tensordot(images, kernel, axes=[[ndims - 1], [0]])


def rgb_to_yiq(images):
    """`images` (RGB) in YIQ."""
    return _color_matrix(
        images,
        [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
         [0.114, -0.32134392, 0.31119955]],
    )  # fmt: skip


def yiq_to_rgb(images):
    """`images` (YIQ) in RGB."""
    return _color_matrix(
        images,
        [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
         [0.6208248, -0.64720424, 1.70423049]],
    )  # fmt: skip


def rgb_to_yuv(images):
    """`images` (RGB) in YUV."""
    return _color_matrix(
        images,
        [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
         [0.114, 0.43601035, -0.10001026]],
    )  # fmt: skip


def yuv_to_rgb(images):
    """`images` (YUV) in RGB."""
    return _color_matrix(
        images, [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]
    )


def resize_image_with_pad(image, target_height, target_width, method=0, align_corners=False):
    """`image` resized (keeping its aspect ratio) to fit in `target_height` x
    `target_width`, then zero-padded to that size (TF1's form)."""
    from tfgraph.ops.resize_ops import resize_images

    def resize(image, size):
        return resize_images(image, size, method, align_corners=align_corners)

    return _resize_with_pad(image, target_height, target_width, resize)


def resize_with_pad_v2(image, target_height, target_width, method="bilinear", antialias=False):
    """TF2's `tf.image.resize_with_pad`: as TF1's, resized by TF2's `tf.image.resize`."""
    from tfgraph.ops.resize_ops import resize_images_v2

    def resize(image, size):
        return resize_images_v2(image, size, method, antialias=antialias)

    return _resize_with_pad(image, target_height, target_width, resize)


def _positive_checks(target_height, target_width) -> list:
    """TF's `_assert`s on the target sizes: ValueError now for numbers, Assert ops for
    tensors."""
    from tfgraph.ops.check_ops import Assert

    checks = []
    for value, what in ((target_width, "target_width"), (target_height, "target_height")):
        if isinstance(value, Tensor):
            checks.append(Assert(value > 0, [f"{what} must be > 0."]))
        elif not value > 0:
            raise ValueError(f"{what} must be > 0.")
    return checks


def _max(x, y):
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return math_ops.maximum(x, y)
    return max(x, y)


def _resize_with_pad(image, target_height, target_width, resize):
    from tfgraph.ops.image_adjust_ops import (
        _as_batch_any_rank,
        _check_at_least_3d,
        _image_dimensions,
        pad_to_bounding_box,
    )

    g = get_default_graph()
    with g.name_scope("resize_image_with_pad"):
        image, single = _as_batch_any_rank(image)
        checks = _check_at_least_3d(image) + _positive_checks(target_height, target_width)
        image = control_flow_ops.with_dependencies(checks, image)
        _, height, width, _ = _image_dimensions(image, 4)
        f_height = array_ops.cast(height, dtype=dtypes.float32)
        f_width = array_ops.cast(width, dtype=dtypes.float32)
        f_target_height = array_ops.cast(target_height, dtype=dtypes.float32)
        f_target_width = array_ops.cast(target_width, dtype=dtypes.float32)
        ratio = _max(f_width / f_target_width, f_height / f_target_height)
        resized_height_float = f_height / ratio
        resized_width_float = f_width / ratio
        resized_height = array_ops.cast(math_ops.floor(resized_height_float), dtype=dtypes.int32)
        resized_width = array_ops.cast(math_ops.floor(resized_width_float), dtype=dtypes.int32)
        padding_height = (f_target_height - resized_height_float) / 2
        padding_width = (f_target_width - resized_width_float) / 2
        f_padding_height = math_ops.floor(padding_height)
        f_padding_width = math_ops.floor(padding_width)
        p_height = _max(0, array_ops.cast(f_padding_height, dtype=dtypes.int32))
        p_width = _max(0, array_ops.cast(f_padding_width, dtype=dtypes.int32))
        resized = resize(image, [resized_height, resized_width])
        padded = pad_to_bounding_box(resized, p_height, p_width, target_height, target_width)
        if padded.get_shape().ndims is None:
            raise ValueError("padded contains no shape.")
        _image_dimensions(padded, 4)  # (TF builds, and drops, the padded image's dimensions)
        if single:
            padded = array_ops.squeeze(padded, axis=[0])
        return padded
