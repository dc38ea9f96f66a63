"""`tf.image` under TF2 (`tfgraph.compat.v2.image`, re-exports only):
`tfgraph.image`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.image as _v1
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
from tfgraph.ops.resize_ops import (
    resize_images_v2 as resize,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))
