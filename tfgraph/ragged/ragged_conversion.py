"""RaggedTensor <-> Tensor / SparseTensor conversions and merge_dims, built as TF's
ragged_tensor.py builds them (RaggedTensorToTensor / RaggedTensorToSparse ops, or
ordinary ops for from_tensor and from_sparse)."""

from __future__ import annotations

import functools
import operator

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import control_dependencies, name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import as_shape
from tfgraph.ops import array_ops, check_ops, math_ops
from tfgraph.ops.ragged_ops import ragged_tensor_to_sparse, ragged_tensor_to_tensor
from tfgraph.ops.repeat_ops import _convert_to_int_tensor

__all__ = ["from_sparse", "from_tensor", "merge_dims", "to_sparse", "to_tensor"]


def _rt():
    from tfgraph.ragged.ragged_tensor import RaggedTensor

    return RaggedTensor


def _partition_pairs(rt) -> list:
    """(row_partition_type, tensor) pairs for RaggedTensorToTensor, as TF picks them."""
    parts = rt._nested_row_partitions

    def tail(p):
        if p._has_precomputed_value_rowids():
            return ("VALUE_ROWIDS", p.value_rowids())
        return ("ROW_SPLITS", p.row_splits())

    rest = [tail(p) for p in parts[1:]]
    if parts[0]._value_rowids is not None:
        return [
            ("FIRST_DIM_SIZE", parts[0].nrows()),
            ("VALUE_ROWIDS", parts[0].value_rowids()),
        ] + rest
    return [("ROW_SPLITS", parts[0].row_splits())] + rest


def _shape_as_tensor(shape, dtype):
    if isinstance(shape, Tensor):
        if shape.dtype not in (dtypes.int64, dtypes.int32):
            return array_ops.cast(shape, dtype)
        return shape
    shape = as_shape(shape)
    if shape.rank is None:
        return constant(-1, dtype=dtype)
    return constant([-1 if d is None else d for d in shape.as_list()], dtype=dtype)


def to_tensor(rt, default_value=None, name=None, shape=None) -> Tensor:
    with name_scope(name, "RaggedToTensor", [rt, default_value, shape]):
        if default_value is not None:
            default_value = convert_to_tensor(default_value, name="default_value", dtype=rt.dtype)
        pairs = _partition_pairs(rt)
        types = [p[0] for p in pairs]
        tensors = [p[1] for p in pairs]
        if default_value is None:
            default_value = array_ops.zeros((), rt.dtype)
        if (
            isinstance(shape, (list, tuple))
            and any(isinstance(v, Tensor) for v in shape)
            and all(isinstance(v, (int, Tensor)) for v in shape)
        ):
            shape = array_ops.stack(shape)
        shape_tensor = _shape_as_tensor(shape, tensors[0].dtype)
        tensor = ragged_tensor_to_tensor(
            shape=shape_tensor,
            values=rt.flat_values,
            default_value=default_value,
            row_partition_types=types,
            row_partition_tensors=tensors,
        )
        ragged_shape = rt.shape
        if ragged_shape.rank is not None and not isinstance(shape, Tensor):
            shape = as_shape(shape)
            if shape.rank is None:
                out = ragged_shape
            else:
                out = [
                    a if a is not None else b
                    for a, b in zip(shape.as_list(), ragged_shape.as_list())
                ]
            tensor.set_shape(out)
        return tensor


def to_sparse(rt, name=None) -> SparseTensor:
    with name_scope(name, "RaggedToSparse", [rt]):
        indices, values, dense_shape = ragged_tensor_to_sparse(
            rt.nested_row_splits, rt.flat_values, name=name
        )
        return SparseTensor(indices, values, dense_shape)


def _assert_ragged_right(indices) -> list:
    prefix = indices[:, :-1]
    suffix = indices[:, -1]
    changed = math_ops.reduce_any(math_ops.not_equal(prefix[1:], prefix[:-1]), axis=1)
    ok = array_ops.where(
        changed, math_ops.equal(suffix[1:], 0), math_ops.equal(suffix[1:], suffix[:-1] + 1)
    )
    right = math_ops.logical_and(
        math_ops.reduce_all(math_ops.equal(suffix[:1], 0)), math_ops.reduce_all(ok)
    )
    message = ["SparseTensor is not right-ragged", "SparseTensor.indices =", indices]
    return [check_ops.Assert(right, message)]


def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
    row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
    if not isinstance(st_input, SparseTensor):
        raise TypeError(
            "Argument `st_input` must be of type SparseTensor, but is of type "
            f"{type(st_input).__name__}."
        )
    with name_scope(name, "RaggedFromSparse", [st_input]):
        ds, ind = st_input.dense_shape.shape, st_input.indices.shape
        rank_ds = ds.as_list()[0] if ds.ndims is not None else None
        rank_ind = ind.as_list()[1] if ind.ndims is not None else None
        if rank_ds != 2 and rank_ind != 2:
            raise ValueError("rank(st_input) must be 2.")
        with control_dependencies(_assert_ragged_right(st_input.indices)):
            segment_ids = array_ops.cast(st_input.indices[:, 0], row_splits_dtype)
            num_segments = array_ops.cast(st_input.dense_shape[0], row_splits_dtype)
            return cls.from_value_rowids(st_input.values, segment_ids, num_segments, validate=False)


def from_tensor(cls, tensor, lengths, padding, ragged_rank, name, row_splits_dtype):
    row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
    if lengths is not None and padding is not None:
        raise ValueError("Specify argument `lengths` or `padding`, but not both.")
    if not isinstance(ragged_rank, int):
        raise TypeError(f"Argument `ragged_rank` must be an int. Received {ragged_rank}.")
    if ragged_rank <= 0:
        raise ValueError(f"Argument `ragged_rank` must be greater than 0. Received {ragged_rank}.")
    with name_scope(name, "RaggedFromTensor", [tensor, lengths, padding]):
        tensor = convert_to_tensor(tensor, name="tensor")
        if tensor.shape.rank is not None and tensor.shape.rank < 2:
            raise ValueError(
                "The rank of a RaggedTensor must be greater than 1, i.e., a list of scalars "
                "won't have ragged dimensions. Received argument `tensor` with rank "
                f"{tensor.shape.rank}."
            )
        tensor.shape.with_rank_at_least(ragged_rank + 1)
        input_shape = array_ops.shape(tensor, out_type=row_splits_dtype)
        ncols = input_shape[1]
        if (
            lengths is not None
            and isinstance(lengths, (list, tuple))
            and len(lengths)
            and not isinstance(lengths[0], (int, float))
        ):
            return _from_tensor_nested_lengths(cls, tensor, lengths, ragged_rank)
        if ragged_rank > 1:
            return _from_tensor_multi(
                cls, tensor, input_shape, lengths, padding, ragged_rank, row_splits_dtype
            )
        if padding is not None:
            lengths = _lengths_from_padding(tensor, padding, ncols, row_splits_dtype)
        if lengths is not None:
            lengths = _convert_to_int_tensor(lengths, "lengths", row_splits_dtype)
            lengths.shape.with_rank(1)
            lengths = math_ops.minimum(lengths, ncols)
            lengths = math_ops.maximum(lengths, 0)
            limits = math_ops.cumsum(lengths)
            splits = array_ops.concat([array_ops.zeros([1], row_splits_dtype), limits], axis=0)
            mask = array_ops.sequence_mask(lengths, maxlen=ncols)
            values = array_ops.boolean_mask(tensor, mask)
            return cls.from_row_splits(values, splits, validate=False)
        values_shape = array_ops.concat(
            [[input_shape[0] * input_shape[1]], input_shape[2:]], axis=0
        )
        values = array_ops.reshape(tensor, values_shape)
        dims = tensor.shape.as_list()
        nrows = constant(dims[0], row_splits_dtype) if dims[0] is not None else input_shape[0]
        ncols = constant(dims[1], row_splits_dtype) if dims[1] is not None else input_shape[1]
        return cls.from_uniform_row_length(
            values=values, uniform_row_length=ncols, nrows=nrows, validate=False
        )


def _from_tensor_nested_lengths(cls, tensor, lengths, ragged_rank):
    if ragged_rank not in (1, len(lengths)):
        raise ValueError(
            "If Argument `lengths` is a tuple of row_lengths, argument `ragged_rank` must "
            f"be len(lengths): {len(lengths)}. Received ragged_rank: {ragged_rank}."
        )
    tensor.shape.with_rank_at_least(len(lengths) + 1)
    num_tokens = math_ops.reduce_sum(lengths[-1])
    ones_mask = array_ops.ones([num_tokens], dtype=dtypes.bool)
    ragged_mask = cls.from_nested_row_lengths(ones_mask, lengths, validate=False)
    dense_mask = ragged_mask.to_tensor(default_value=False)
    masked = array_ops.boolean_mask(tensor, dense_mask)
    return cls.from_nested_row_lengths(masked, lengths, validate=False)


def _from_tensor_multi(cls, tensor, input_shape, lengths, padding, ragged_rank, splits_dtype):
    if tensor.shape.is_fully_defined():
        shape = tensor.shape.as_list()
        dim_size = np.cumprod(shape)
        new_shape = [int(dim_size[ragged_rank - 1])] + shape[ragged_rank:]
    else:
        dim_size = math_ops.cumprod(input_shape)
        new_shape = array_ops.concat(
            [[dim_size[ragged_rank - 1]], input_shape[ragged_rank:]], axis=0
        )
    flattened = array_ops.reshape(tensor, new_shape)
    result = cls.from_tensor(flattened, lengths, padding, row_splits_dtype=splits_dtype)
    for axis in range(ragged_rank - 1, 0, -1):
        dim_len = tensor.shape.as_list()[axis]
        dim_len = input_shape[axis] if dim_len is None else constant(dim_len, splits_dtype)
        nrows = dim_size[axis - 1]
        if isinstance(nrows, (np.integer, int)):
            nrows = int(nrows)
        result = cls.from_uniform_row_length(
            values=result, uniform_row_length=dim_len, nrows=nrows, validate=False
        )
    return result


def _lengths_from_padding(tensor, padding, ncols, splits_dtype):
    from tfgraph.ops.control_flow_ops import cond

    padding = convert_to_tensor(padding, name="padding", dtype=tensor.dtype)
    padding.shape.assert_is_compatible_with(tensor.shape[2:])
    has_default_value = math_ops.equal(padding, tensor)
    tensor_rank = array_ops.rank(tensor)
    reduce_axis = math_ops.range(2, tensor_rank)
    has_default = cond(
        tensor_rank > 2,
        lambda: math_ops.reduce_all(has_default_value, axis=reduce_axis),
        lambda: has_default_value,
    )
    has_default.set_shape([None, None])
    has_default.set_shape(tensor.shape[:2])
    has_nondefault = array_ops.cast(math_ops.logical_not(has_default), splits_dtype)
    length_for_nondefault = has_nondefault * array_ops.expand_dims(math_ops.range(1, ncols + 1), 0)
    return math_ops.reduce_max(length_for_nondefault, axis=1)


def merge_dims(value, outer_axis, inner_axis):
    """value[outer_axis..inner_axis] merged into one dimension (ragged or dense)."""
    RaggedTensor = _rt()
    if outer_axis == inner_axis:
        return value
    while outer_axis == 0 and isinstance(value, RaggedTensor):
        value = value.values
        inner_axis -= 1
        if inner_axis == 0:
            return value
    if not isinstance(value, RaggedTensor):
        if value.shape.is_fully_defined():
            old = value.shape.as_list()
            new_shape = old[:outer_axis] + [-1] + old[inner_axis + 1 :]
        else:
            old = array_ops.shape(value)
            new_shape = array_ops.concat([old[:outer_axis], [-1], old[inner_axis + 1 :]], axis=0)
        return array_ops.reshape(value, new_shape)
    if outer_axis > 1:
        return value.with_values(merge_dims(value.values, outer_axis - 1, inner_axis - 1))
    new_values, new_splits = value.values, value.row_splits
    for axis in range(outer_axis, inner_axis):
        if isinstance(new_values, RaggedTensor):
            new_splits = array_ops.gather(new_values.row_splits, new_splits)
            new_values = new_values.values
        else:
            split = inner_axis - axis + 1
            if new_values.shape.is_fully_defined():
                old = new_values.shape.as_list()
                new_shape = [-1] + old[split:]
                flat_size = functools.reduce(operator.mul, old[1:split], 1)
            else:
                old = array_ops.shape(new_values)
                new_shape = array_ops.concat([[-1], old[split:]], axis=0)
                flat_size = array_ops.cast(math_ops.reduce_prod(old[1:split]), new_splits.dtype)
            new_values = array_ops.reshape(new_values, new_shape)
            new_splits = new_splits * flat_size
            break
    return RaggedTensor.from_row_splits(new_values, new_splits)
