"""`tf.contrib.image` (re-exports only; implementation in
tfgraph/legacy_contrib/image_contrib.py and tfgraph/ops/image_transform_ops.py, which
registers the ops)."""

from tfgraph.legacy_contrib.image_contrib import (
    adjust_hsv_in_yiq,
    angles_to_projective_transforms,
    compose_transforms,
    connected_components,
    dense_image_warp,
    flat_transforms_to_matrices,
    interpolate_spline,
    matrices_to_flat_transforms,
    random_hsv_in_yiq,
    rotate,
    sparse_image_warp,
    transform,
    translate,
    translations_to_projective_transforms,
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
