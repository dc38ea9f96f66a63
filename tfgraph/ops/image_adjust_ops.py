"""`tf.image` flips, brightness/contrast adjustments, standardization and dtype
conversion, as TF builds them (the random ones draw from tfgraph's own streams)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, check_ops, control_flow_ops, math_ops, random_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "central_crop",
    "convert_image_dtype",
    "crop_to_bounding_box",
    "flip_left_right",
    "flip_up_down",
    "pad_to_bounding_box",
    "per_image_standardization",
    "random_brightness",
    "random_contrast",
    "random_flip_left_right",
    "random_flip_up_down",
    "resize_image_with_crop_or_pad",
]


def _scope(name):
    return get_default_graph().name_scope(name)


def _at_least_3d(image):
    """`image` after TF's rank check (a static check: an Identity under the control
    dependencies, as `with_dependencies([])` gives)."""
    shape = image.get_shape()
    if shape.ndims is not None and shape.ndims < 3:
        raise ValueError(f"'image' (shape {shape}) must be at least three-dimensional.")
    if shape.ndims is not None and any(d == 0 for d in shape.as_list()[-3:]):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {shape}")
    return array_ops.identity(image, name="control_dependency")


def _flip(image, flip_index: int, scope_name: str):
    with _scope(scope_name):
        image = convert_to_tensor(image, name="image")
        image = _at_least_3d(image)
        ndims = image.get_shape().ndims
        if ndims == 3:
            return array_ops.reverse(image, [flip_index])
        if ndims == 4:
            return array_ops.reverse(image, [flip_index + 1])
        raise ValueError("'image' must have either 3 or 4 dimensions.")


def flip_left_right(image):
    """`image` ([h, w, c] or [n, h, w, c]) mirrored left to right."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """`image` ([h, w, c] or [n, h, w, c]) mirrored top to bottom."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, flip_index: int, seed, scope_name: str, uniform=None):
    if uniform is None:

        def uniform(shape):
            return random_ops.random_uniform(shape, 0, 1.0, seed=seed)

    g = get_default_graph()
    with g.name_scope(scope_name) as scope:
        image = convert_to_tensor(image, name="image")
        image = _at_least_3d(image)
        ndims = image.get_shape().ndims
        if ndims == 3:
            mirror = math_ops.less(uniform([]), 0.5)
            result = control_flow_ops.cond(
                mirror, lambda: array_ops.reverse(image, [flip_index]), lambda: image, name=scope
            )
            result.set_shape(image.get_shape())
            return result
        if ndims == 4:
            batch = array_ops.shape(image)[0]
            flips = math_ops.round(array_ops.reshape(uniform([batch]), [batch, 1, 1, 1]))
            flips = array_ops.cast(flips, image.dtype)
            flipped = array_ops.reverse(image, [flip_index + 1])
            return flips * flipped + (1 - flips) * image
        raise ValueError("'image' must have either 3 or 4 dimensions.")


def random_flip_left_right(image, seed=None):
    """`image` mirrored left to right with probability 1/2 (each image of a batch on
    its own)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """`image` mirrored top to bottom with probability 1/2."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """`image` converted to `dtype`, rescaled as TF does: floats are in [0, 1),
    integers in [0, MAX]."""
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError(f"dtype must be either floating point or integer, got {dtype}")
    if not image.dtype.is_floating and not image.dtype.is_integer:
        raise AttributeError(
            f"image dtype must be either floating point or integer, got {image.dtype}"
        )
    if dtype._base == image.dtype._base:
        return array_ops.identity(image, name=name)
    g = get_default_graph()
    with g.name_scope(name or "convert_image") as scope:
        if image.dtype.is_integer and dtype.is_integer:
            scale_in, scale_out = int(image.dtype.max), int(dtype.max)
            if scale_in > scale_out:
                scale = (scale_in + 1) // (scale_out + 1)
                scaled = math_ops.floordiv(image, scale)
                if saturate:
                    return math_ops.saturate_cast(scaled, dtype, name=scope)
                return array_ops.cast(scaled, dtype, name=scope)
            if saturate:
                cast = math_ops.saturate_cast(image, dtype)
            else:
                cast = array_ops.cast(image, dtype)
            scale = (scale_out + 1) // (scale_in + 1)
            return math_ops.multiply(cast, scale, name=scope)
        if image.dtype.is_floating and dtype.is_floating:
            return array_ops.cast(image, dtype, name=scope)
        if image.dtype.is_integer:  # int -> float
            cast = array_ops.cast(image, dtype)
            scale = 1.0 / float(image.dtype.max)
            return math_ops.multiply(cast, scale, name=scope)
        scale = float(dtype.max) + 0.5  # float -> int
        scaled = math_ops.multiply(image, scale)
        if saturate:
            return math_ops.saturate_cast(scaled, dtype, name=scope)
        return array_ops.cast(scaled, dtype, name=scope)


def adjust_brightness(image, delta):
    """`image` + `delta` (in [0, 1) float units; integer images are converted and back)."""
    g = get_default_graph()
    with g.name_scope("adjust_brightness") as name:
        image = convert_to_tensor(image, name="image")
        orig = image.dtype._base
        flt = (
            image
            if orig in (dtypes.float16, dtypes.float32)
            else convert_image_dtype(image, dtypes.float32)
        )
        adjusted = math_ops.add(flt, array_ops.cast(delta, flt.dtype), name=name)
        return convert_image_dtype(adjusted, orig, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """`adjust_brightness` by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def _adjust_contrast_kernel(images, factor):
    images = np.asarray(images)
    mean = images.mean(axis=(-3, -2), keepdims=True, dtype=np.float64).astype(images.dtype)
    return ((images - mean) * np.asarray(factor, images.dtype) + mean).astype(images.dtype)


register_op(
    "AdjustContrastv2",
    inputs=["images: T", "contrast_factor: float"],
    outputs=["output: T"],
    attrs=["T: {half, float} = float"],
    shape=lambda op: [op._inputs[0]._shape],
    kernel=_adjust_contrast_kernel,
)


def adjust_contrast(images, contrast_factor):
    """Per image and channel: (x - mean) * contrast_factor + mean (integer images are
    converted to float and back)."""
    g = get_default_graph()
    with g.name_scope("adjust_contrast") as name:
        images = convert_to_tensor(images, name="images")
        orig = images.dtype._base
        flt = (
            images
            if orig in (dtypes.float16, dtypes.float32)
            else convert_image_dtype(images, dtypes.float32)
        )
        factor = convert_to_tensor(contrast_factor, dtypes.float32, name="contrast_factor")
        adjusted = op_output("AdjustContrastv2", name, [flt, factor])
        return convert_image_dtype(adjusted, orig, saturate=True)


def random_contrast(image, lower, upper, seed=None):
    """`adjust_contrast` by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


def per_image_standardization(image):
    """Each image scaled to mean 0 and variance 1: (x - mean) / max(stddev,
    1/sqrt(num_pixels))."""
    g = get_default_graph()
    with g.name_scope("per_image_standardization") as scope:
        image = convert_to_tensor(image, name="image")
        image = _at_least_3d(image)
        image = array_ops.cast(image, dtypes.float32)
        num_pixels = math_ops.reduce_prod(array_ops.shape(image)[-3:])
        mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        stddev = math_ops.reduce_std(image, axis=[-1, -2, -3], keepdims=True)
        min_stddev = math_ops.rsqrt(array_ops.cast(num_pixels, dtypes.float32))
        adjusted = math_ops.maximum(stddev, min_stddev)
        image -= mean
        return math_ops.divide(image, adjusted, name=scope)


# -- cropping and padding ----------------------------------------------------------------------
def _as_batch(image):
    image = convert_to_tensor(image, name="image")
    ndims = image.get_shape().ndims
    if ndims not in (3, 4):
        raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")
    return (image, False) if ndims == 4 else (array_ops.expand_dims(image, 0), True)


def _as_batch_any_rank(image):
    """`_as_batch`, also for an image of unknown rank (taken as one image, as TF does)."""
    image = convert_to_tensor(image, name="image")
    ndims = image.get_shape().ndims
    if ndims == 4:
        return image, False
    if ndims not in (3, None):
        raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")
    image = array_ops.expand_dims(image, 0)
    if ndims is None:
        image.set_shape([None] * 4)
    return image, True


def _dims(image):
    """(height, width) of a batch: static ints where known, else tensors."""
    static = image.get_shape().as_list()
    dynamic = array_ops.shape(image)
    return [static[i] if static[i] is not None else dynamic[i] for i in (1, 2)]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The `target_height` x `target_width` window of `image` whose top-left corner is at
    (`offset_height`, `offset_width`)."""
    with _scope("crop_to_bounding_box"):
        image, single = _as_batch(image)
        for value, what in ((offset_height, "offset_height"), (offset_width, "offset_width")):
            if isinstance(value, int) and value < 0:
                raise ValueError(f"{what} must be >= 0.")
        for value, what in ((target_height, "target_height"), (target_width, "target_width")):
            if isinstance(value, int) and value <= 0:
                raise ValueError(f"{what} must be > 0.")
        height, width = _dims(image)
        if (
            isinstance(height, int)
            and isinstance(offset_height, int)
            and isinstance(target_height, int)
            and height < target_height + offset_height
        ):
            raise ValueError("height must be >= target + offset.")
        if (
            isinstance(width, int)
            and isinstance(offset_width, int)
            and isinstance(target_width, int)
            and width < target_width + offset_width
        ):
            raise ValueError("width must be >= target + offset.")
        cropped = array_ops.slice(
            image,
            array_ops.stack([0, offset_height, offset_width, 0]),
            array_ops.stack([-1, target_height, target_width, -1]),
        )
        shape = image.get_shape().as_list()
        cropped.set_shape([shape[0],
                           target_height if isinstance(target_height, int) else None,
                           target_width if isinstance(target_width, int) else None,
                           shape[3]])  # fmt: skip
        return array_ops.squeeze(cropped, [0]) if single else cropped


def _assert(cond, message):
    """TF's image_ops._assert: a static check raises at once; a tensor one is an Assert."""
    if isinstance(cond, Tensor):
        return [check_ops.Assert(cond, [message])]
    if not cond:
        raise ValueError(message)
    return []


def _image_dimensions(image, rank: int) -> list:
    """TF's `_ImageDimensions`: static sizes where known, else scalar tensors (no ops
    when the whole shape is known)."""
    static = image.get_shape().with_rank(rank).as_list()
    if None not in static:
        return static
    dynamic = array_ops.unstack(array_ops.shape(image), rank)
    return [s if s is not None else d for s, d in zip(static, dynamic)]


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """`image` placed at (`offset_height`, `offset_width`) in a zero image of
    `target_height` x `target_width`."""
    with _scope("pad_to_bounding_box"):
        image, single = _as_batch_any_rank(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        after_w = target_width - offset_width - width
        after_h = target_height - offset_height - height
        checks = _check_at_least_3d(image)
        checks += _assert(offset_height >= 0, "offset_height must be >= 0")
        checks += _assert(offset_width >= 0, "offset_width must be >= 0")
        checks += _assert(after_w >= 0, "width must be <= target - offset")
        checks += _assert(after_h >= 0, "height must be <= target - offset")
        image = control_flow_ops.with_dependencies(checks, image)
        paddings = array_ops.reshape(
            array_ops.stack([0, 0, offset_height, after_h, offset_width, after_w, 0, 0]), [4, 2]
        )
        padded = array_ops.pad(image, paddings)
        dims = [batch, target_height, target_width, depth]
        padded.set_shape([None if isinstance(d, Tensor) else d for d in dims])
        return array_ops.squeeze(padded, axis=[0]) if single else padded


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """`image` centrally cropped and/or zero-padded to `target_height` x `target_width`."""
    with _scope("resize_image_with_crop_or_pad"):
        image, single = _as_batch(image)
        height, width = _dims(image)

        def max_(x, y):
            return (
                max(x, y) if isinstance(x, int) and isinstance(y, int) else math_ops.maximum(x, y)
            )

        def min_(x, y):
            return (
                min(x, y) if isinstance(x, int) and isinstance(y, int) else math_ops.minimum(x, y)
            )

        width_diff = target_width - width
        height_diff = target_height - height
        cropped = crop_to_bounding_box(
            image, max_(-height_diff // 2, 0), max_(-width_diff // 2, 0),
            min_(target_height, height), min_(target_width, width),
        )  # fmt: skip
        resized = pad_to_bounding_box(
            cropped, max_(height_diff // 2, 0), max_(width_diff // 2, 0), target_height,
            target_width,
        )  # fmt: skip
        return array_ops.squeeze(resized, [0]) if single else resized


def _check_at_least_3d(image) -> list:
    """TF's `_CheckAtLeast3DImage(require_static=False)`: static checks, and assert ops on
    the dynamic shape (returned) where the inner three dimensions are not all known."""
    shape = image.get_shape()
    if shape.ndims is not None and shape.ndims < 3:
        raise ValueError(f"'image' (shape {shape}) must be at least three-dimensional.")
    inner = shape.as_list()[-3:] if shape.ndims is not None else [None]
    if 0 in inner:
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {shape}")
    if None not in inner:
        return []
    return [
        check_ops.assert_positive(
            array_ops.shape(image)[-3:], ["inner 3 dims of 'image.shape' must be > 0."]
        ),
        check_ops.assert_greater_equal(
            array_ops.rank(image), 3, message="'image' must be at least three-dimensional."
        ),
    ]


def _assert_at_least_3d(image):
    """TF's `_AssertAtLeast3DImage`: `image` through an Identity depending on the checks."""
    return control_flow_ops.with_dependencies(_check_at_least_3d(image), image)


def _crop_start(size, static_size, fraction, static_fraction):
    """(start, dynamic): where the central crop of a `size`-long dimension starts."""
    if static_size is not None and static_fraction is not None:
        size_f = float(static_size)
        return int((size_f - size_f * static_fraction) / 2), False
    size_f = array_ops.cast(size, dtypes.float64)
    fraction_f = array_ops.cast(fraction, dtypes.float64)
    return array_ops.cast((size_f - size_f * fraction_f) / 2, dtypes.int32), True


def central_crop(image, central_fraction):
    """The central `central_fraction` (in (0, 1]; a float or a scalar tensor) of each
    image's height and width; dynamic sizes give a dynamic crop, as in TF."""
    with _scope("central_crop"):
        image = convert_to_tensor(image, name="image")
        static_fraction = (
            constant_value(central_fraction)
            if isinstance(central_fraction, Tensor)
            else central_fraction
        )
        if static_fraction is not None:
            if static_fraction <= 0.0 or static_fraction > 1.0:
                raise ValueError("central_fraction must be within (0, 1]")
            if static_fraction == 1.0:
                return image
            static_fraction = float(static_fraction)
        else:
            in_range = math_ops.logical_or(central_fraction > 0.0, central_fraction <= 1.0)
            check = check_ops.Assert(in_range, ["central_fraction must be within (0, 1]"])
            image = control_flow_ops.with_dependencies([check], image)
        _assert_at_least_3d(image)
        rank = image.get_shape().ndims
        if rank not in (3, 4):
            raise ValueError(
                f"`image` should either be a Tensor with rank = 3 or rank = 4. Had rank = {rank}."
            )
        return _central_slice(image, rank, central_fraction, static_fraction)


def _central_slice(image, rank: int, fraction, static_fraction):
    dims = image.get_shape().as_list()
    first = rank - 3
    sizes = []
    for idx in (first, first + 1):
        sizes.append(dims[idx] if dims[idx] is not None else array_ops.shape(image)[idx])
    h_start, dynamic_h = _crop_start(sizes[0], dims[first], fraction, static_fraction)
    w_start, dynamic_w = _crop_start(sizes[1], dims[first + 1], fraction, static_fraction)
    h_size = sizes[0] - h_start * 2
    w_size = sizes[1] - w_start * 2
    if rank == 3:
        begin = array_ops.stack([h_start, w_start, 0])
        size = array_ops.stack([h_size, w_size, -1])
    else:
        begin = array_ops.stack([0, h_start, w_start, 0])
        size = array_ops.stack([-1, h_size, w_size, -1])
    image = array_ops.slice(image, begin, size)
    static = [None if dynamic_h else h_size, None if dynamic_w else w_size, dims[-1]]
    image.set_shape(static if rank == 3 else [dims[0]] + static)
    return image


# -- TF2's stateless random image ops: the same draws from stateless_random_uniform(seed)
def _stateless_uniform(seed, minval=0, maxval=1.0, dtype=dtypes.float32):
    from tfgraph.ops.stateless_random_ops import stateless_uniform

    return lambda shape: stateless_uniform(shape, seed, minval, maxval, dtype=dtype)


def stateless_random_flip_left_right(image, seed):
    """TF2's `tf.image.stateless_random_flip_left_right`: deterministic for a `seed`
    (shape [2])."""
    return _random_flip(
        image, 1, None, "stateless_random_flip_left_right", _stateless_uniform(seed)
    )


def stateless_random_flip_up_down(image, seed):
    """TF2's `tf.image.stateless_random_flip_up_down`: deterministic for a `seed`."""
    return _random_flip(image, 0, None, "stateless_random_flip_up_down", _stateless_uniform(seed))


def stateless_random_brightness(image, max_delta, seed):
    """TF2's `tf.image.stateless_random_brightness`: delta from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = _stateless_uniform(seed, -max_delta, max_delta)([])
    return adjust_brightness(image, delta)


def stateless_random_contrast(image, lower, upper, seed):
    """TF2's `tf.image.stateless_random_contrast`: factor from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, _stateless_uniform(seed, lower, upper)([]))
