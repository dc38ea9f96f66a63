"""TF 1.15's `tf.contrib.image`: projective transforms (`transform`, `rotate`,
`translate` and the helpers building and composing their 8-parameter transforms),
`dense_image_warp` (bilinear sampling of an image at a flow field, as TF's gather-based
graph), `connected_components`, `interpolate_spline` (polyharmonic splines),
`sparse_image_warp`, and `adjust_hsv_in_yiq` / `random_hsv_in_yiq`.

A flat transform [a0, a1, a2, b0, b1, b2, c0, c1] maps an *output* point (x, y) to the
*input* point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1; as
a 3x3 matrix it is [[a0, a1, a2], [b0, b1, b2], [c0, c1, 1]]. The op is TF's
ImageProjectiveTransformV2 (tfgraph/ops/image_transform_ops.py), with fill mode CONSTANT
and zeros outside the image, as in TF 1.15.
"""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, name_scope
from tfgraph.ops import (
    array_ops,
    check_ops,
    control_flow_ops,
    image_adjust_ops,
    image_transform_ops,
    linalg_ops,
    manip_ops,
    math_ops,
    random_ops,
)

__all__ = [
    "adjust_hsv_in_yiq",
    "angles_to_projective_transforms",
    "compose_transforms",
    "connected_components",
    "dense_image_warp",
    "flat_transforms_to_matrices",
    "interpolate_spline",
    "matrices_to_flat_transforms",
    "random_hsv_in_yiq",
    "rotate",
    "sparse_image_warp",
    "transform",
    "translate",
    "translations_to_projective_transforms",
]

_IMAGE_DTYPES = frozenset(
    [dtypes.uint8, dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32, dtypes.float64]
)


def _as_batch(image_or_images):
    """The images as NHWC (HW and HWC get unit batch/channel dimensions) and the rank."""
    if image_or_images.dtype.base_dtype not in _IMAGE_DTYPES:
        raise TypeError(f"Invalid dtype {image_or_images.dtype.name}.")
    rank = image_or_images._shape.ndims
    if rank is None:
        raise TypeError("image_or_images rank must be statically known")
    if rank == 2:
        return image_or_images[None, :, :, None], rank
    if rank == 3:
        return image_or_images[None, :, :, :], rank
    if rank == 4:
        return image_or_images, rank
    raise TypeError("Images should have rank between 2 and 4.")


def _from_batch(output, rank: int):
    if rank == 2:
        return output[0, :, :, 0]
    if rank == 3:
        return output[0, :, :, :]
    return output


def transform(images, transforms, interpolation="NEAREST", output_shape=None, name=None):
    """Applies projective transform(s) (a length-8 vector or an [N, 8] matrix, each
    mapping output points to input points) to image(s) of rank 2 (HW), 3 (HWC) or 4
    (NHWC); points outside the input read zeros. `output_shape`: [height, width] of the
    result (default: the input's)."""
    with name_scope(name, "transform", [images, transforms]):
        image_or_images = convert_to_tensor(images, name="images")
        transform_or_transforms = convert_to_tensor(
            transforms, name="transforms", dtype=dtypes.float32
        )
        images, rank = _as_batch(image_or_images)
        if output_shape is None:
            # (TF 1.15 then asks tensor_util.constant_value for the slice's value, which
            # it never knows for a StridedSlice: the slice is the op's input; the op's
            # shape rule folds it when the images' shape is fully known)
            output_shape = array_ops.shape(images)[1:3]
        output_shape = convert_to_tensor(output_shape, dtypes.int32, name="output_shape")
        if not output_shape._shape.is_compatible_with([2]):
            raise ValueError(
                "output_shape must be a 1-D Tensor of 2 elements: new_height, new_width"
            )
        t_rank = transform_or_transforms._shape.ndims
        if t_rank == 1:
            transforms = transform_or_transforms[None]
        elif t_rank is None:
            raise TypeError("transform_or_transforms rank must be statically known")
        elif t_rank == 2:
            transforms = transform_or_transforms
        else:
            raise TypeError("Transforms should have rank 1 or 2.")
        output = image_transform_ops.image_projective_transform_v2(
            images, transforms, output_shape, interpolation.upper()
        )
        return _from_batch(output, rank)


def angles_to_projective_transforms(angles, image_height, image_width, name=None):
    """[N, 8] transforms rotating images of the given size by `angles` (radians,
    counterclockwise) about their centres."""
    with name_scope(name, "angles_to_projective_transforms"):
        angle_or_angles = convert_to_tensor(angles, name="angles", dtype=dtypes.float32)
        rank = angle_or_angles._shape.ndims
        if rank == 0:
            angles = angle_or_angles[None]
        elif rank == 1:
            angles = angle_or_angles
        else:
            raise TypeError("Angles should have rank 0 or 1.")
        cos, sin = math_ops.cos(angles), math_ops.sin(angles)
        x_offset = ((image_width - 1) - (cos * (image_width - 1) - sin * (image_height - 1))) / 2.0
        y_offset = ((image_height - 1) - (sin * (image_width - 1) + cos * (image_height - 1))) / 2.0
        num_angles = array_ops.shape(angles)[0]
        return array_ops.concat(
            values=[
                math_ops.cos(angles)[:, None],
                -math_ops.sin(angles)[:, None],
                x_offset[:, None],
                math_ops.sin(angles)[:, None],
                math_ops.cos(angles)[:, None],
                y_offset[:, None],
                array_ops.zeros(array_ops.stack([num_angles, 2]), dtypes.float32),
            ],
            axis=1,
        )


def rotate(images, angles, interpolation="NEAREST", name=None):
    """Rotates image(s) counterclockwise by `angles` (radians; a scalar, or one per
    image) about their centres; uncovered pixels are zeros."""
    with name_scope(name, "rotate"):
        image_or_images = convert_to_tensor(images)
        images, rank = _as_batch(image_or_images)
        height = array_ops.cast(array_ops.shape(images)[1], dtypes.float32)[None]
        width = array_ops.cast(array_ops.shape(images)[2], dtypes.float32)[None]
        output = transform(
            images,
            angles_to_projective_transforms(angles, height, width),
            interpolation=interpolation,
        )
        return _from_batch(output, rank)


def translations_to_projective_transforms(translations, name=None):
    """[N, 8] transforms translating images by [dx, dy] (a vector, or one per row)."""
    with name_scope(name, "translations_to_projective_transforms"):
        translation_or_translations = convert_to_tensor(
            translations, name="translations", dtype=dtypes.float32
        )
        rank = translation_or_translations._shape.ndims
        if rank is None:
            raise TypeError("translation_or_translations rank must be statically known")
        if rank == 1:
            translations = translation_or_translations[None]
        elif rank == 2:
            translations = translation_or_translations
        else:
            raise TypeError("Translations should have rank 1 or 2.")
        count = array_ops.shape(translations)[0]

        def column(value, width=1):
            shape = array_ops.stack([count, width])
            fill = array_ops.ones if value else array_ops.zeros
            return fill(shape, dtypes.float32)

        return array_ops.concat(
            values=[
                column(1),
                column(0),
                -translations[:, 0, None],
                column(0),
                column(1),
                -translations[:, 1, None],
                column(0, 2),
            ],
            axis=1,
        )


def translate(images, translations, interpolation="NEAREST", name=None):
    """Translates image(s) by [dx, dy] (one vector, or one per image); uncovered pixels
    are zeros."""
    with name_scope(name, "translate"):
        return transform(
            images,
            translations_to_projective_transforms(translations),
            interpolation=interpolation,
        )


def flat_transforms_to_matrices(transforms):
    """Flat transforms (length 8, or [N, 8]) as [N, 3, 3] matrices."""
    with name_scope(None, "flat_transforms_to_matrices"):
        transforms = convert_to_tensor(transforms, name="transforms")
        if transforms._shape.ndims not in (1, 2):
            raise ValueError(f"Transforms should be 1D or 2D, got: {transforms}")
        return image_transform_ops.flat_transforms_to_matrices(transforms)


def matrices_to_flat_transforms(transform_matrices):
    """[N, 3, 3] (or [3, 3]) matrices as [N, 8] flat transforms (each divided by its
    last entry)."""
    with name_scope(None, "matrices_to_flat_transforms"):
        transform_matrices = convert_to_tensor(transform_matrices, name="transform_matrices")
        if transform_matrices._shape.ndims not in (2, 3):
            raise ValueError(f"Matrices should be 2D or 3D, got: {transform_matrices}")
        return image_transform_ops.matrices_to_flat_transforms(transform_matrices)


def compose_transforms(*transforms):
    """One transform equivalent to applying the given transforms (all of the same
    shape) in order: the product of their matrices."""
    assert transforms, "transforms cannot be empty"
    with name_scope(None, "compose_transforms"):
        composed = flat_transforms_to_matrices(transforms[0])
        for tr in transforms[1:]:
            composed = math_ops.matmul(composed, flat_transforms_to_matrices(tr))
        return matrices_to_flat_transforms(composed)


# -- connected components ----------------------------------------------------------------------


def connected_components(images):
    """Labels the connected components of image(s) ([h, w] or [n, h, w]): pixels of
    the same nonzero value joined through their 4 neighbours share an id; ids count
    from 1 in order of each component's first pixel (row-major over the batch); zero
    pixels are 0. int32 (TF 1.15 renumbers the op's int64 ids with an int32 range)."""
    with name_scope(None, "connected_components"):
        image_or_images = convert_to_tensor(images, name="images")
        rank = image_or_images._shape.ndims
        if rank == 2:
            images = image_or_images[None, :, :]
        elif rank == 3:
            images = image_or_images
        else:
            raise TypeError(
                "images should have rank 2 (HW) or 3 (NHW). Static shape is "
                f"{image_or_images.get_shape()}"
            )
        components = image_transform_ops.image_connected_components(images)
        # consecutive ids in order of first appearance, 0 kept where it appears
        flat = array_ops.reshape(components, [-1])
        unique_ids, id_index = array_ops.unique(flat)
        id_is_zero = array_ops.where_v2(math_ops.equal(unique_ids, 0))[:, 0]
        nonzero_ids = (
            math_ops.range(array_ops.shape(unique_ids)[0] - array_ops.shape(id_is_zero)[0]) + 1
        )

        def no_zero():
            return nonzero_ids

        def has_zero():
            at = array_ops.cast(id_is_zero[0], dtypes.int32)
            return array_ops.concat([nonzero_ids[:at], [0], nonzero_ids[at:]], axis=0)

        new_ids = control_flow_ops.cond(
            math_ops.equal(array_ops.shape(id_is_zero)[0], 0), no_zero, has_zero
        )
        components = array_ops.reshape(
            array_ops.gather(new_ids, id_index), array_ops.shape(components)
        )
        return components[0, :, :] if rank == 2 else components


# -- dense image warp ---------------------------------------------------------------------------


def _interpolate_bilinear(grid, query_points, name="interpolate_bilinear", indexing="ij"):
    """Bilinear samples of `grid` [b, h, w, c] at `query_points` [b, n, 2] (row, column
    with "ij"; x, y with "xy"), clamped to the grid: [b, n, c]."""
    if indexing not in ("ij", "xy"):
        raise ValueError("Indexing mode must be 'ij' or 'xy'")
    with name_scope(name):
        grid = convert_to_tensor(grid)
        query_points = convert_to_tensor(query_points)
        if grid._shape.ndims != 4:
            raise ValueError(f"Grid must be 4 dimensional. Received size: {grid.get_shape()}")
        grid_shape = array_ops.shape(grid)
        batch_size, height, width, channels = (grid_shape[i] for i in range(4))
        sizes = [batch_size, height, width, channels]
        query_type, grid_type = query_points.dtype, grid.dtype
        with control_dependencies(
            [
                check_ops.assert_equal(
                    len(query_points.get_shape()), 3, message="Query points must be 3 dimensional."
                ),
                check_ops.assert_equal(
                    array_ops.shape(query_points)[2],
                    2,
                    message="Query points must be size 2 in dim 2.",
                ),
            ]
        ):
            num_queries = array_ops.shape(query_points)[1]
        with control_dependencies(
            [
                check_ops.assert_greater_equal(
                    height, 2, message="Grid height must be at least 2."
                ),
                check_ops.assert_greater_equal(width, 2, message="Grid width must be at least 2."),
            ]
        ):
            alphas, floors, ceils = [], [], []
            order = [0, 1] if indexing == "ij" else [1, 0]
            unstacked = array_ops.unstack(query_points, axis=2)
        for dim in order:
            with name_scope("dim-" + str(dim)):
                queries = unstacked[dim]
                max_floor = array_ops.cast(sizes[dim + 1] - 2, query_type)
                min_floor = array_ops.constant(0.0, dtype=query_type)
                floor = math_ops.minimum(
                    math_ops.maximum(min_floor, math_ops.floor(queries)), max_floor
                )
                int_floor = array_ops.cast(floor, dtypes.int32)
                floors.append(int_floor)
                ceils.append(int_floor + 1)
                alpha = array_ops.cast(queries - floor, grid_type)
                alpha = math_ops.minimum(
                    math_ops.maximum(array_ops.constant(0.0, dtype=grid_type), alpha),
                    array_ops.constant(1.0, dtype=grid_type),
                )
                alphas.append(array_ops.expand_dims(alpha, 2))
        with control_dependencies(
            [
                check_ops.assert_less_equal(
                    array_ops.cast(batch_size * height * width, dtype=dtypes.float32),
                    np.iinfo(np.int32).max / 8,
                    message="The image size or batch size is sufficiently large that the "
                    "linearized addresses used by array_ops.gather may exceed the int32 limit.",
                )
            ]
        ):
            flattened = array_ops.reshape(
                grid, array_ops.stack([batch_size * height * width, channels])
            )
            offsets = array_ops.reshape(
                math_ops.range(batch_size) * height * width, array_ops.stack([batch_size, 1])
            )

        def gather(y_coords, x_coords, name):
            with name_scope("gather-" + name):
                linear = offsets + y_coords * width + x_coords
                values = array_ops.gather(flattened, linear)
                return array_ops.reshape(
                    values, array_ops.stack([batch_size, num_queries, channels])
                )

        top_left = gather(floors[0], floors[1], "top_left")
        top_right = gather(floors[0], ceils[1], "top_right")
        bottom_left = gather(ceils[0], floors[1], "bottom_left")
        bottom_right = gather(ceils[0], ceils[1], "bottom_right")
        with name_scope("interpolate"):
            interp_top = alphas[1] * (top_right - top_left) + top_left
            interp_bottom = alphas[1] * (bottom_right - bottom_left) + bottom_left
            return alphas[0] * (interp_bottom - interp_top) + interp_top


def dense_image_warp(image, flow, name="dense_image_warp"):
    """Warps `image` [b, h, w, c] by the per-pixel `flow` [b, h, w, 2]: output(b, y, x)
    is the bilinear sample of the image at (y - flow[..., 0], x - flow[..., 1]) (points
    clamped to the image). Differentiable in both."""
    with name_scope(name):
        image = convert_to_tensor(image)
        flow = convert_to_tensor(flow)
        shape = array_ops.shape(image)
        batch_size, height, width, channels = (shape[i] for i in range(4))
        grid_x, grid_y = manip_ops.meshgrid(math_ops.range(width), math_ops.range(height))
        stacked = array_ops.cast(array_ops.stack([grid_y, grid_x], axis=2), flow.dtype)
        batched = array_ops.expand_dims(stacked, axis=0)
        query_points = batched - flow
        flattened = array_ops.reshape(
            query_points, array_ops.stack([batch_size, height * width, 2])
        )
        interpolated = _interpolate_bilinear(image, flattened)
        return array_ops.reshape(
            interpolated, array_ops.stack([batch_size, height, width, channels])
        )


# -- polyharmonic splines and sparse warps ---------------------------------------------------------

EPSILON = 0.0000000001  # keeps log and sqrt (and their gradients) away from 0


def _squared_distances(x, y=None):
    """||x_i - y_j||^2 for the rows of x [b, n, d] and y [b, m, d] (y = x: the Gram
    matrix's diagonal gives the norms)."""
    if y is None:
        gram = math_ops.matmul(x, x, adjoint_b=True)
        norms = array_ops.expand_dims(linalg_ops.matrix_diag_part(gram), 2)
        return norms - 2 * gram + array_ops.transpose(norms, [0, 2, 1])
    x_norms = array_ops.expand_dims(math_ops.reduce_sum(math_ops.square(x), 2), 2)
    y_norms = array_ops.expand_dims(math_ops.reduce_sum(math_ops.square(y), 2), 1)
    return x_norms - 2 * math_ops.matmul(x, y, adjoint_b=True) + y_norms


def _phi(r, order):
    """The polyharmonic kernel of `order` on squared distances r: r^(k/2) for odd k,
    r^(k/2) log(r) / 2 for even k (r^(1/2) for k = 1)."""
    with name_scope("phi"):
        safe = math_ops.maximum(r, EPSILON)
        if order == 1:
            return math_ops.sqrt(safe)
        if order == 2:
            return 0.5 * r * math_ops.log(safe)
        if order == 4:
            return 0.5 * math_ops.square(r) * math_ops.log(safe)
        if order % 2 == 0:
            return 0.5 * math_ops.pow(safe, 0.5 * order) * math_ops.log(safe)
        return math_ops.pow(safe, 0.5 * order)


def _solve_interpolation(centers, values, order, regularization_weight):
    """Kernel weights w [b, n, k] and affine weights v [b, d + 1, k] of the spline
    through `values` at `centers`: the system [[A, B], [B^T, 0]] [w; v] = [f; 0] with
    A = phi(distances) (+ weight * I) and B = [centers, 1]."""
    shape = array_ops.shape(centers)
    batch, n = shape[0], shape[1]
    d = centers.get_shape()[-1]
    if d is None or getattr(d, "value", d) is None:
        raise ValueError(
            "The dimensionality of the input points (d) must be statically-inferrable."
        )
    k = values.get_shape()[-1]
    if k is None or getattr(k, "value", k) is None:
        raise ValueError(
            "The dimensionality of the output values (k) must be statically-inferrable."
        )
    d, k = int(d), int(k)
    dtype = centers.dtype
    with name_scope("construct_linear_system"):
        kernel = _phi(_squared_distances(centers), order)
        if regularization_weight > 0:
            identity = linalg_ops.matrix_diag(array_ops.ones(array_ops.stack([n]), dtype))
            kernel += regularization_weight * array_ops.expand_dims(identity, 0)
        affine = array_ops.concat([centers, array_ops.ones_like(centers[..., :1])], 2)
        top = array_ops.concat([kernel, affine], 2)  # [b, n, n + d + 1]
        corner = array_ops.zeros(array_ops.stack([batch, d + 1, d + 1]), dtype)
        bottom = array_ops.concat([array_ops.transpose(affine, [0, 2, 1]), corner], 2)
        lhs = array_ops.concat([top, bottom], 1)
        rhs = array_ops.concat(
            [values, array_ops.zeros(array_ops.stack([batch, d + 1, k]), dtype)], 1
        )
    with name_scope("solve_linear_system"):
        solution = linalg_ops.matrix_solve(lhs, rhs)
        return solution[:, :n, :], solution[:, n:, :]


def _apply_interpolation(query_points, centers, w, v, order):
    """The spline at `query_points` [b, m, d]: phi(distances) w + [query, 1] v."""
    radial = math_ops.matmul(_phi(_squared_distances(query_points, centers), order), w)
    padded = array_ops.concat(
        [query_points, array_ops.ones_like(query_points[..., :1], centers.dtype)], 2
    )
    return radial + math_ops.matmul(padded, v)


def interpolate_spline(
    train_points,
    train_values,
    query_points,
    order,
    regularization_weight=0.0,
    name="interpolate_spline",
):
    """Polyharmonic spline interpolation of `order` (1: phi = r, 2: the thin-plate
    r^2 log r, 3: r^3, ...) through `train_values` [b, n, k] at `train_points` [b, n, d],
    evaluated at `query_points` [b, m, d]: [b, m, k]. d and k must be static. With
    `regularization_weight` > 0 the fit trades exactness for smoothness."""
    with name_scope(name):
        train_points = convert_to_tensor(train_points)
        train_values = convert_to_tensor(train_values)
        query_points = convert_to_tensor(query_points)
        with name_scope("solve"):
            w, v = _solve_interpolation(train_points, train_values, order, regularization_weight)
        with name_scope("predict"):
            return _apply_interpolation(query_points, train_points, w, v, order)


def _batch_constant(points: np.ndarray, batch_size: int, dtype):
    """`points` repeated along a new leading batch dimension, as a constant."""
    tiled = np.broadcast_to(points[None], (batch_size,) + points.shape)
    return array_ops.constant(np.ascontiguousarray(tiled), dtype=dtype)


def _edge_points(height: int, width: int, per_edge: int) -> np.ndarray:
    """The points of an evenly spaced (per_edge + 2)^2 grid that lie on the image's
    edges (corners included), as (y, x) rows in row-major order."""
    ys, xs = np.meshgrid(
        np.linspace(0, height - 1, per_edge + 2),
        np.linspace(0, width - 1, per_edge + 2),
        indexing="ij",
    )
    on_edge = (xs == 0) | (xs == width - 1) | (ys == 0) | (ys == height - 1)
    return np.stack([ys[on_edge], xs[on_edge]], axis=-1)


def sparse_image_warp(
    image,
    source_control_point_locations,
    dest_control_point_locations,
    interpolation_order=2,
    regularization_weight=0.0,
    num_boundary_points=0,
    name="sparse_image_warp",
):
    """Warps `image` [b, h, w, c] (static shape) so that the content at the source
    control points [b, n, 2] (y, x) moves to the destination points: the control
    flows (dest - source) are interpolated by a polyharmonic spline centred on the
    destinations into a dense flow, applied by `dense_image_warp`.
    `num_boundary_points` > 0 pins the image's edges with zero-flow points (1: the
    corners; n: the corners and n - 1 more along each edge). Returns (warped image,
    dense flow [b, h, w, 2])."""
    image = convert_to_tensor(image)
    source = convert_to_tensor(source_control_point_locations)
    dest = convert_to_tensor(dest_control_point_locations)
    flows = dest - source
    with name_scope(name):
        batch_size, height, width, _ = image.get_shape().as_list()
        ys, xs = np.meshgrid(
            np.linspace(0, height - 1, height), np.linspace(0, width - 1, width), indexing="ij"
        )
        grid = np.stack([ys, xs], -1).reshape(height * width, 2)
        grid = _batch_constant(grid, batch_size, image.dtype)
        if num_boundary_points > 0:
            edges = _edge_points(height, width, num_boundary_points - 1)
            dest = array_ops.concat(
                [dest, _batch_constant(edges, dest.get_shape().as_list()[0], dest.dtype)], 1
            )
            flows = array_ops.concat(
                [
                    flows,
                    _batch_constant(
                        np.zeros_like(edges), dest.get_shape().as_list()[0], dest.dtype
                    ),
                ],
                1,
            )
        dense = interpolate_spline(dest, flows, grid, interpolation_order, regularization_weight)
        dense = array_ops.reshape(dense, [batch_size, height, width, 2])
        return dense_image_warp(image, dense), dense


# -- hue, saturation and value in YIQ space --------------------------------------------------------


def adjust_hsv_in_yiq(image, delta_hue=0, scale_saturation=1, scale_value=1, name=None):
    """Adjusts RGB image(s) in YIQ space: rotates the chroma (I, Q) by `delta_hue`
    radians, scales it by `scale_saturation`, scales all of Y, I, Q by `scale_value`;
    computed in float32 (via convert_image_dtype) and converted back to the image's
    dtype."""
    with name_scope(name, "adjust_hsv_in_yiq", [image]):
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        flt_image = image_adjust_ops.convert_image_dtype(image, dtypes.float32)
        altered = image_transform_ops.adjust_hsv_in_yiq_op(
            flt_image, delta_hue, scale_saturation, scale_value
        )
        return image_adjust_ops.convert_image_dtype(altered, orig_dtype)


def random_hsv_in_yiq(
    image,
    max_delta_hue=0,
    lower_saturation=1,
    upper_saturation=1,
    lower_value=1,
    upper_value=1,
    seed=None,
):
    """`adjust_hsv_in_yiq` with a hue delta drawn from [-max_delta_hue, max_delta_hue]
    and saturation and value scales drawn from their [lower, upper] ranges (a bound pair
    that is equal is used as is, with no random op)."""
    if max_delta_hue < 0:
        raise ValueError("max_delta must be non-negative.")
    if lower_saturation < 0:
        raise ValueError("lower_saturation must be non-negative.")
    if lower_value < 0:
        raise ValueError("lower_value must be non-negative.")
    if lower_saturation > upper_saturation:
        raise ValueError("lower_saturation must be < upper_saturation.")
    if lower_value > upper_value:
        raise ValueError("lower_value must be < upper_value.")

    def draw(lo, hi):
        if lo == hi:
            return lo
        return random_ops.random_uniform([], lo, hi, seed=seed)

    delta_hue = 0 if max_delta_hue == 0 else draw(-max_delta_hue, max_delta_hue)
    return adjust_hsv_in_yiq(
        image,
        delta_hue,
        draw(lower_saturation, upper_saturation),
        draw(lower_value, upper_value),
    )
