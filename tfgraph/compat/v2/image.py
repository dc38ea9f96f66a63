"""`tf.image` under TF2 (`tfgraph.compat.v2.image`, re-exports only):
`tfgraph.image`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.image as _v1
from tfgraph.ops.image_adjust_ops import (
    stateless_random_brightness,
    stateless_random_contrast,
    stateless_random_flip_left_right,
    stateless_random_flip_up_down,
)
from tfgraph.ops.image_box_ops import (
    crop_and_resize_v2 as crop_and_resize,
)
from tfgraph.ops.image_box_ops import (
    draw_bounding_boxes_v2 as draw_bounding_boxes,
)
from tfgraph.ops.image_box_ops import (
    extract_glimpse_v2 as extract_glimpse,
)
from tfgraph.ops.image_box_ops import (
    sample_distorted_bounding_box_v2 as sample_distorted_bounding_box,
)
from tfgraph.ops.image_codec_ops import (
    stateless_random_jpeg_quality,
)
from tfgraph.ops.image_color_ops import (
    stateless_random_hue,
    stateless_random_saturation,
)
from tfgraph.ops.image_composite_ops import (
    resize_with_pad_v2 as resize_with_pad,
)
from tfgraph.ops.random_ops import (
    stateless_random_crop,
)
from tfgraph.ops.resize_ops import (
    resize_images_v2 as resize,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))
