"""`tf.ragged.row_splits_to_segment_ids` and `tf.ragged.segment_ids_to_row_splits`."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.common_shapes import tf_constant_value as constant_value
from tfgraph.ops.manip_ops import bincount
from tfgraph.ops.repeat_ops import _convert_to_int_tensor as _int_tensor
from tfgraph.ops.repeat_ops import _repeat_with_axis

__all__ = ["row_splits_to_segment_ids", "segment_ids_to_row_splits"]


def row_splits_to_segment_ids(splits, name=None, out_type=None) -> Tensor:
    """The row index of each value: `segment_ids[i] == j` where
    `splits[j] <= i < splits[j+1]`."""
    with name_scope(name, "RaggedSplitsToSegmentIds", [splits]):
        splits = convert_to_tensor(splits, name="splits", preferred_dtype=dtypes.int64)
        if splits.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("splits must have dtype int32 or int64")
        splits.shape.with_rank(1)
        if splits.shape.as_list()[0] == 0:
            raise ValueError("Invalid row_splits: []")
        out_type = splits.dtype if out_type is None else dtypes.as_dtype(out_type)
        row_lengths = splits[1:] - splits[:-1]
        nrows = array_ops.shape(splits, out_type=out_type)[-1] - 1
        indices = math_ops.range(nrows)
        return _repeat_with_axis(indices, row_lengths, 0)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None) -> Tensor:
    """The row_splits of a segmentation: `splits[i] = splits[i-1] + count(ids == i-1)`."""
    if out_type is None:
        if isinstance(segment_ids, Tensor):
            out_type = segment_ids.dtype
        elif isinstance(num_segments, Tensor):
            out_type = num_segments.dtype
        else:
            out_type = dtypes.int64
    else:
        out_type = dtypes.as_dtype(out_type)
    with name_scope(name, "SegmentIdsToRaggedSplits", [segment_ids]):
        segment_ids = _int_tensor(segment_ids, "segment_ids", dtypes.int32)
        segment_ids.shape.with_rank(1)
        if num_segments is not None:
            num_segments = _int_tensor(num_segments, "num_segments", dtypes.int32)
            num_segments.shape.with_rank(0)
        row_lengths = bincount(
            segment_ids, minlength=num_segments, maxlength=num_segments, dtype=out_type
        )
        splits = array_ops.concat([[0], math_ops.cumsum(row_lengths)], axis=0)
        if num_segments is not None:
            const = constant_value(num_segments)
            if const is not None:
                splits.set_shape([int(const) + 1])
        return splits
