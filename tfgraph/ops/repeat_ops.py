"""`tf.repeat`: TF's composite (a tile, then sequence_mask + boolean_mask for per-element
repeats), built op for op as TF builds it."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output

__all__ = ["repeat"]


def _cast_op(x, dtype):
    """gen_math_ops.cast: always a Cast op, even to the same dtype."""
    return op_output("Cast", None, [x], {"DstT": dtypes.as_dtype(dtype)._base})


def _convert_to_int_tensor(tensor, name, dtype=dtypes.int32):
    tensor = convert_to_tensor(tensor, name=name, preferred_dtype=dtype)
    if not tensor.dtype.is_integer:
        raise TypeError(
            f"Argument `tensor` (name: {name}) must be of type integer. Received "
            f"`tensor` = {tensor} of dtype: {tensor.dtype}"
        )
    return _cast_op(tensor, dtype)


def _positive_axis(axis: int, ndims, ndims_name: str) -> int:
    if ndims is not None:
        if not -ndims <= axis < ndims:
            raise ValueError(
                f"axis={axis} out of bounds: expected {-ndims}<=axis<{ndims}; "
                f"received {ndims_name}={ndims}"
            )
        return axis + ndims if axis < 0 else axis
    if axis < 0:
        raise ValueError(f"axis may only be negative if {ndims_name} is statically known.")
    return axis


def _all_dimensions(x):
    rank = x.shape.rank
    if rank is not None:
        return constant(np.arange(rank, dtype=np.int32))
    return math_ops.range(0, array_ops.rank(x))


def _tile_one_dimension(data, axis, multiple):
    if data.shape.ndims is not None:
        multiples = [1] * data.shape.ndims
        multiples[axis] = multiple
    else:
        ones_value = array_ops.ones(array_ops.rank(data), dtypes.int32)
        multiples = array_ops.concat(
            [ones_value[:axis], [multiple], ones_value[axis + 1 :]], axis=0
        )
    return array_ops.tile(data, multiples)


def _repeat_with_axis(data, repeats, axis, name=None):
    if not isinstance(axis, int):
        raise TypeError(
            f"Argument `axis` must be an int. Received `axis` = {axis} of type "
            f"{type(axis).__name__}"
        )
    with get_default_graph().name_scope(name or "Repeat"):
        data = convert_to_tensor(data, name="data")
        repeats = _convert_to_int_tensor(repeats, name="repeats")
        if repeats.shape.ndims is not None and repeats.shape.ndims > 1:
            raise ValueError(f"Shape {repeats.shape} must have rank at most 1")
        if data.shape.ndims == 0:
            data = array_ops.stack([data])
        elif data.shape.ndims is None:
            raise ValueError("tfgraph's repeat needs data of known rank")
        data_shape = array_ops.shape(data, out_type=repeats.dtype)
        axis = _positive_axis(axis, data.shape.rank, "rank(data)")
        if repeats.shape.num_elements() == 1:
            repeats = array_ops.reshape(repeats, [])
            expanded = array_ops.expand_dims(data, axis + 1)
            tiled = _tile_one_dimension(expanded, axis + 1, repeats)
            result_shape = array_ops.concat(
                [data_shape[:axis], [repeats * data_shape[axis]], data_shape[axis + 1 :]],
                axis=0,
            )
            return array_ops.reshape(tiled, result_shape)
        if repeats.shape.ndims == 1:
            n, m = data.shape.as_list()[axis], repeats.shape.as_list()[0]
            if n is not None and m is not None and n != m:
                raise ValueError(f"Dimensions {n} and {m} are not compatible")
        repeats = array_ops.broadcast_to(repeats, [data_shape[axis]])
        repeats_original = repeats
        if repeats.shape.ndims != axis + 1:
            repeats_shape = array_ops.shape(repeats)
            repeats_ndims = array_ops.rank(repeats)
            broadcast_shape = array_ops.concat(
                [data_shape[: axis + 1 - repeats_ndims], repeats_shape], axis=0
            )
            repeats = array_ops.broadcast_to(repeats, broadcast_shape)
            repeats.set_shape([None] * (axis + 1))
        max_repeat = op_output(
            "Max", None, [repeats, _all_dimensions(repeats)], {"keep_dims": False}
        )
        max_repeat = math_ops.maximum(
            convert_to_tensor(0, name="zero", dtype=max_repeat.dtype), max_repeat
        )
        mask = array_ops.sequence_mask(repeats, max_repeat)
        expanded = array_ops.expand_dims(data, axis + 1)
        tiled = _tile_one_dimension(expanded, axis + 1, max_repeat)
        masked = array_ops.boolean_mask(tiled, mask)
        if axis == 0:
            result = masked
        else:
            repeated_dim_size = op_output(
                "Sum",
                None,
                [
                    repeats_original,
                    op_output("Range", None, [0, array_ops.rank(repeats_original), 1]),
                ],
                {"keep_dims": False},
            )
            result_shape = array_ops.concat(
                [data_shape[:axis], [repeated_dim_size], data_shape[axis + 1 :]], axis=0
            )
            result = array_ops.reshape(masked, result_shape)
        if data.shape.ndims is not None:
            new_axis_size = 0 if repeats.shape.as_list()[0] == 0 else None
            dims = data.shape.as_list()
            result.set_shape(dims[:axis] + [new_axis_size] + dims[axis + 1 :])
        return result


def repeat(input, repeats, axis=None, name=None):
    """`input` with each element (or slice along `axis`) repeated `repeats` times;
    without `axis` the flattened input."""
    if axis is None:
        input = array_ops.reshape(input, [-1])
        axis = 0
    return _repeat_with_axis(input, repeats, axis, name)
