"""Segment reductions: `UnsortedSegmentSum` (what optimizers use to sum the duplicate
rows of a sparse gradient)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value, shape_error

__all__ = ["unsorted_segment_sum"]


def _unsorted_segment_shape(op):
    data, ids, num = (t._shape for t in op._inputs)
    if num._dims is not None and len(num._dims) != 0:
        raise shape_error(op, f"Shape must be rank 0 but is rank {len(num._dims)}")
    if data._dims is None or ids._dims is None:
        return [UNKNOWN]
    if len(ids._dims) > len(data._dims):
        raise shape_error(
            op,
            f"Shape must be at least rank {len(ids._dims)} but is rank {len(data._dims)}",
        )
    for a, b in zip(data._dims, ids._dims):
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    n = constant_value(op._inputs[2])
    first = None if n is None else int(n)
    return [TensorShape._from_tuple((first, *data._dims[len(ids._dims) :]))]


def _unsorted_segment_sum_kernel(op, ctx):
    def kernel(data, ids, num_segments):
        data = np.asarray(data)
        ids = np.asarray(ids)
        n = int(num_segments)
        if data.shape[: ids.ndim] != ids.shape:
            raise errors.InvalidArgumentError(
                None,
                op,
                "data.shape = [" + ",".join(map(str, data.shape)) + "] does not start with "
                "segment_ids.shape = [" + ",".join(map(str, ids.shape)) + "]",
            )
        flat_ids = ids.reshape(-1)
        rows = data.reshape((flat_ids.size, *data.shape[ids.ndim :]))
        bad = np.flatnonzero(flat_ids >= n)
        if bad.size:
            k = int(bad[0])
            raise errors.InvalidArgumentError(
                None, op, f"segment_ids[{k}] = {int(flat_ids[k])} is out of range [0, {n})"
            )
        out = np.zeros((n, *rows.shape[1:]), dtype=data.dtype)
        keep = flat_ids >= 0
        if not keep.all():
            flat_ids, rows = flat_ids[keep], rows[keep]
        np.add.at(out, flat_ids, rows)
        return out

    return kernel


def _unsorted_segment_sum_grad(op, grad):
    """The incoming gradient gathered at each row's segment (zero for dropped rows)."""
    ids = op.inputs[1]
    clipped = math_ops.maximum(ids, array_ops.zeros_like(ids))
    gathered = array_ops.gather(grad, clipped)
    is_positive = math_ops.greater_equal(ids, 0)
    is_positive_shape = array_ops.shape(is_positive)
    broadcastable = array_ops.concat(
        [
            is_positive_shape,
            array_ops.ones(
                [array_ops.rank(gathered) - array_ops.rank(is_positive)],
                dtype=is_positive_shape.dtype,
            ),
        ],
        axis=0,
    )
    is_positive = array_ops.reshape(is_positive, broadcastable)
    is_positive = math_ops.logical_and(is_positive, array_ops.ones_like(is_positive))
    zero_slice = array_ops.zeros_like(gathered)
    return [array_ops.where(is_positive, gathered, zero_slice), None, None]


register_op(
    "UnsortedSegmentSum",
    inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
    outputs=["output: T"],
    attrs=[
        "T: numbertype",
        "Tindices: {int16, int32, int64}",
        "Tnumsegments: {int32, int64} = int32",
    ],
    shape=_unsorted_segment_shape,
    make_kernel=_unsorted_segment_sum_kernel,
    grad=_unsorted_segment_sum_grad,
)


def unsorted_segment_sum(data, segment_ids, num_segments, name: str | None = None):
    """Sums the rows of `data` into `num_segments` segments given by `segment_ids`
    (rows with a negative id are dropped)."""
    return op_output("UnsortedSegmentSum", name, [data, segment_ids, num_segments])
