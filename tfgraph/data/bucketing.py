"""`Dataset.bucket_by_sequence_length`: group_by_window on the bucket of each
element's length, each window padded and batched (TF's Python composition)."""

from __future__ import annotations

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, check_ops, math_ops

__all__ = ["bucket_by_sequence_length"]


def _padded_shapes(shapes, none_filler=None):
    padded = []
    for shape in nest.flatten(shapes):
        dims = TensorShape(shape).as_list() if TensorShape(shape).rank is not None else []
        padded.append([none_filler if d is None else d for d in dims])
    return nest.pack_sequence_as(shapes, padded)


def bucket_by_sequence_length(
    dataset,
    element_length_func,
    bucket_boundaries,
    bucket_batch_sizes,
    padded_shapes=None,
    padding_values=None,
    pad_to_bucket_boundary=False,
    no_padding=False,
    drop_remainder=False,
):
    """See `Dataset.bucket_by_sequence_length`.

    Raises:
        ValueError: unless there is one more batch size than boundaries.
    """
    if len(bucket_batch_sizes) != len(bucket_boundaries) + 1:
        raise ValueError(
            "`len(bucket_batch_sizes)` must equal `len(bucket_boundaries) + 1` but "
            f"`len(bucket_batch_sizes)={len(bucket_batch_sizes)}` and "
            f"`len(bucket_boundaries)={len(bucket_boundaries)}`."
        )
    batch_sizes = convert_to_tensor(bucket_batch_sizes, dtype=dtypes.int64)

    def element_to_bucket_id(*args):
        seq_length = element_length_func(*args)
        boundaries = list(bucket_boundaries)
        buckets_min = [np.iinfo(np.int32).min] + boundaries
        buckets_max = boundaries + [np.iinfo(np.int32).max]
        conditions_c = math_ops.logical_and(
            math_ops.less_equal(buckets_min, seq_length), math_ops.less(seq_length, buckets_max)
        )
        return math_ops.reduce_min(array_ops.where(conditions_c))

    def window_size_fn(bucket_id):
        return batch_sizes[bucket_id]

    def batching_fn(bucket_id, grouped_dataset):
        batch_size = window_size_fn(bucket_id)
        if no_padding:
            return grouped_dataset.batch(batch_size, drop_remainder=drop_remainder)
        none_filler = None
        if pad_to_bucket_boundary:
            check = check_ops.assert_less(
                bucket_id,
                convert_to_tensor(len(bucket_batch_sizes) - 1, dtype=dtypes.int64),
                message="When pad_to_bucket_boundary=True, elements must have length < "
                "max(bucket_boundaries).",
            )
            with get_default_graph().control_dependencies([check]):
                boundaries = convert_to_tensor(bucket_boundaries, dtype=dtypes.int64)
                none_filler = boundaries[bucket_id] - 1
        shapes = _padded_shapes(
            padded_shapes or grouped_dataset.output_shapes, none_filler=none_filler
        )
        return grouped_dataset.padded_batch(
            batch_size, shapes, padding_values, drop_remainder=drop_remainder
        )

    return dataset.group_by_window(
        key_func=element_to_bucket_id, reduce_func=batching_fn, window_size_func=window_size_fn
    )
