"""`tf.ragged.range` and the reductions over RaggedTensors (reduce_sum, _prod, _min,
_max, _mean, _variance, _std, _all, _any), as TF's ragged_math_ops builds them:
UnsortedSegment* ops over the rows' segment ids."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, check_ops, math_ops, segment_ops
from tfgraph.ops.common_shapes import tf_constant_value as constant_value
from tfgraph.ops.ragged_ops import ragged_range
from tfgraph.ragged import segment_id_ops
from tfgraph.ragged.ragged_tensor import (
    RaggedTensor,
    _positive_axis,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    match_row_splits_dtypes,
)

__all__ = [
    "range",
    "reduce_all",
    "reduce_any",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "reduce_variance",
]

_builtin_range = range


def range(starts, limits=None, deltas=1, dtype=None, name=None, row_splits_dtype=dtypes.int64):
    """A RaggedTensor whose row i is `range(starts[i], limits[i], deltas[i])`."""
    row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
    if limits is None:
        starts, limits = 0, starts
    with name_scope(name, "RaggedRange", [starts, limits, deltas]) as scope:
        starts = convert_to_tensor(starts, dtype=dtype, name="starts")
        limits = convert_to_tensor(limits, dtype=dtype, name="limits")
        deltas = convert_to_tensor(deltas, dtype=dtype, name="deltas")
        if dtype is None:
            order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]
            inferred = max([t.dtype for t in (starts, limits, deltas)], key=order.index)
            starts, limits, deltas = (array_ops.cast(t, inferred) for t in (starts, limits, deltas))
        splits, values = ragged_range(starts, limits, deltas, Tsplits=row_splits_dtype, name=scope)
        return RaggedTensor.from_row_splits(values, splits, validate=False)


def _segment_aggregate(unsorted_segment_op, data, segment_ids, num_segments, name=None):
    if not (is_ragged(data) or is_ragged(segment_ids)):
        return unsorted_segment_op(data, segment_ids, num_segments, name)
    with name_scope(name, "RaggedSegment", [data, segment_ids, num_segments]):
        data = convert_to_tensor_or_ragged_tensor(data, name="data")
        segment_ids = convert_to_tensor_or_ragged_tensor(segment_ids, name="segment_ids")
        data, segment_ids = match_row_splits_dtypes(data, segment_ids)
        if segment_ids.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("segment_ids must have dtype int32 or int64.")
        if is_ragged(segment_ids):
            if not is_ragged(data):
                raise ValueError(
                    "segment_ids.shape must be a prefix of data.shape, but segment_ids is "
                    "ragged and data is not."
                )
            check = check_ops.assert_equal(
                segment_ids.row_splits,
                data.row_splits,
                message="segment_ids.shape must be a prefix of data.shape",
            )
            with control_dependencies([check]):
                return _segment_aggregate(
                    unsorted_segment_op, data.values, segment_ids.values, num_segments
                )
        data_row_lengths = data.row_splits[1:] - data.row_splits[:-1]
        out_row_lengths = math_ops.maximum(
            segment_ops.unsorted_segment_max(data_row_lengths, segment_ids, num_segments), 0
        )
        out_splits = array_ops.concat(
            [array_ops.zeros([1], out_row_lengths.dtype), math_ops.cumsum(out_row_lengths)],
            axis=0,
        )
        starts = array_ops.gather(out_splits, segment_ids)
        limits = starts + data_row_lengths
        out_index = range(starts, limits).values
        out_values = _segment_aggregate(unsorted_segment_op, data.values, out_index, out_splits[-1])
        return RaggedTensor.from_row_splits(out_values, out_splits, validate=False)


def _reduce_aggregate(reduce_op, segment_op, rt_input, axis, keepdims, name=None):
    if not is_ragged(rt_input):
        return reduce_op(rt_input, axis, keepdims=keepdims, name=name)
    if isinstance(axis, Tensor):
        axis = constant_value(axis)
        if axis is None:
            raise ValueError("axis must be known at graph construction time.")
        if isinstance(axis, np.ndarray):
            axis = axis.tolist()
    if axis is None:
        result = reduce_op(rt_input.flat_values, None, keepdims=keepdims, name=name)
        if keepdims:
            for _ in rt_input.shape[1:]:
                result = array_ops.expand_dims(result, axis=0)
        return result
    with name_scope(name, "RaggedReduce", [rt_input, axis]):
        if isinstance(axis, (tuple, list)):
            if not axis:
                return rt_input
            if len(axis) == 1:
                axis = axis[0]
            else:
                axes = sorted(
                    _positive_axis(a, rt_input.shape.ndims, f"axis[{i}]")
                    for i, a in enumerate(axis)
                )
                inner = _reduce_aggregate(reduce_op, segment_op, rt_input, axes[-1], keepdims)
                return _reduce_aggregate(reduce_op, segment_op, inner, axes[:-1], keepdims)
        rt_input = convert_to_tensor_or_ragged_tensor(rt_input, name="rt_input")
        axis = _positive_axis(axis, rt_input.shape.ndims)
        if axis == 0:
            row_lengths = rt_input.row_splits[1:] - rt_input.row_splits[:-1]
            num_segments = math_ops.maximum(math_ops.reduce_max(row_lengths), 0)
            segment_ids = range(row_lengths).values
            result = _segment_aggregate(segment_op, rt_input.values, segment_ids, num_segments)
            if keepdims:
                result = array_ops.expand_dims(result, axis=0)
            return result
        if axis == 1:
            num_segments = array_ops.shape(rt_input.row_splits)[0] - 1
            segment_ids = segment_id_ops.row_splits_to_segment_ids(rt_input.row_splits)
            result = _segment_aggregate(segment_op, rt_input.values, segment_ids, num_segments)
            if keepdims:
                result = array_ops.expand_dims(result, axis=1)
            return result
        return rt_input.with_values(
            _reduce_aggregate(reduce_op, segment_op, rt_input.values, axis - 1, keepdims)
        )


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None):
    return _reduce_aggregate(
        math_ops.reduce_sum,
        math_ops.unsorted_segment_sum,
        input_tensor,
        axis,
        keepdims,
        name or "RaggedReduceSum",
    )


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None):
    return _reduce_aggregate(
        math_ops.reduce_prod,
        segment_ops.unsorted_segment_prod,
        input_tensor,
        axis,
        keepdims,
        name or "RaggedReduceProd",
    )


def reduce_min(input_tensor, axis=None, keepdims=None, name=None):
    return _reduce_aggregate(
        math_ops.reduce_min,
        segment_ops.unsorted_segment_min,
        input_tensor,
        axis,
        keepdims,
        name or "RaggedReduceMin",
    )


def reduce_max(input_tensor, axis=None, keepdims=None, name=None):
    return _reduce_aggregate(
        math_ops.reduce_max,
        segment_ops.unsorted_segment_max,
        input_tensor,
        axis,
        keepdims,
        name or "RaggedReduceMax",
    )


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None):
    with name_scope(name, "RaggedReduceMean", [input_tensor, axis]):
        total = reduce_sum(input_tensor, axis, keepdims)
        if is_ragged(input_tensor):
            ones = RaggedTensor.from_nested_row_splits(
                array_ops.ones_like(input_tensor.flat_values),
                input_tensor.nested_row_splits,
                validate=False,
            )
        else:
            ones = array_ops.ones_like(input_tensor)
        count = reduce_sum(ones, axis, keepdims)
        if is_ragged(total):
            return RaggedTensor.from_nested_row_splits(
                total.flat_values / count.flat_values, total.nested_row_splits, validate=False
            )
        return total / count


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    from tfgraph.ragged.ragged_dispatch import ragged_map

    with name_scope(name, "RaggedReduceVariance", [input_tensor, axis]):
        x = convert_to_tensor_or_ragged_tensor(input_tensor, name="input_tensor")
        if x.dtype.is_complex:
            raise ValueError(
                "reduce_variance is not supported for RaggedTensors with complex dtypes."
            )
        mean_of_square = reduce_mean(ragged_map(math_ops.square, x), axis=axis, keepdims=keepdims)
        mean = reduce_mean(x, axis=axis, keepdims=keepdims)
        square_of_mean = ragged_map(math_ops.square, mean)
        return ragged_map(math_ops.maximum, mean_of_square - square_of_mean, 0)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    from tfgraph.ragged.ragged_dispatch import ragged_map

    with name_scope(name, "RaggedReduceStd", [input_tensor, axis]):
        variance = reduce_variance(input_tensor, axis=axis, keepdims=keepdims)
        return ragged_map(math_ops.sqrt, variance)


def _cast(x, dtype):
    if is_ragged(x):
        return x.with_flat_values(array_ops.cast(x.flat_values, dtype))
    return array_ops.cast(x, dtype)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None):
    with name_scope(name, "RaggedReduceAll", [input_tensor, axis]):
        return _cast(reduce_prod(_cast(input_tensor, dtypes.int32), axis, keepdims), dtypes.bool)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None):
    with name_scope(name, "RaggedReduceAny", [input_tensor, axis]):
        return _cast(reduce_sum(_cast(input_tensor, dtypes.int32), axis, keepdims), dtypes.bool)


_ = _builtin_range


# -- unsorted segment ops and add_n -----------------------------------------------------------
def _segment(op, default_name):
    def segment(data, segment_ids, num_segments, name=None):
        return _segment_aggregate(op, data, segment_ids, num_segments, name or default_name)

    return segment


unsorted_segment_sum = _segment(math_ops.unsorted_segment_sum, "RaggedSegmentSum")
unsorted_segment_prod = _segment(segment_ops.unsorted_segment_prod, "RaggedSegmentProd")
unsorted_segment_min = _segment(segment_ops.unsorted_segment_min, "RaggedSegmentMin")
unsorted_segment_max = _segment(segment_ops.unsorted_segment_max, "RaggedSegmentMax")


def _segment_count_ratio(data, segment_ids, num_segments, name, scope, denominator):
    with name_scope(name, scope, [data, segment_ids, num_segments]):
        total = unsorted_segment_sum(data, segment_ids, num_segments)
        ones = RaggedTensor.from_nested_row_splits(
            array_ops.ones_like(data.flat_values), data.nested_row_splits, validate=False
        )
        count = unsorted_segment_sum(ones, segment_ids, num_segments)
        if is_ragged(total):
            return total.with_flat_values(total.flat_values / denominator(count.flat_values))
        return total / denominator(count)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    return _segment_count_ratio(
        data, segment_ids, num_segments, name, "RaggedSegmentMean", lambda c: c
    )


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    return _segment_count_ratio(
        data, segment_ids, num_segments, name, "RaggedSegmentSqrtN", math_ops.sqrt
    )


def add_n(inputs, name=None):
    from tfgraph.ragged.ragged_functional_ops import map_flat_values

    with name_scope(name, "RaggedAddN", inputs):
        return map_flat_values(math_ops.add_n, inputs)
