"""RaggedTensor indexing (`rt[...]`), tf.gather / tf.concat / tf.stack / tf.boolean_mask
on RaggedTensors, as TF's ragged_getitem, ragged_gather_ops, ragged_concat_ops and
ragged_array_ops build them."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, check_ops, math_ops
from tfgraph.ops.common_shapes import tf_constant_value as constant_value
from tfgraph.ops.ragged_ops import ragged_gather
from tfgraph.ragged import ragged_math_ops, segment_id_ops
from tfgraph.ragged.ragged_tensor import (
    RaggedTensor,
    _positive_axis,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    match_row_splits_dtypes,
)

__all__ = ["boolean_mask", "concat", "gather", "getitem", "stack", "stack_dynamic_partitions"]


# -- __getitem__ ------------------------------------------------------------------------------
def _tensors_in_key(key):
    if isinstance(key, Tensor):
        yield key
    if isinstance(key, (list, tuple)):
        for k in key:
            yield from _tensors_in_key(k)
    if isinstance(key, slice):
        for k in (key.start, key.stop, key.step):
            yield from _tensors_in_key(k)


def getitem(rt, key):
    """`rt[key]`: ints, int tensors and slices on the rows, slices within rows."""
    scope_tensors = [rt, *_tensors_in_key(key)]
    key = list(key) if isinstance(key, (list, tuple)) else [key]
    with name_scope(None, "RaggedGetItem", scope_tensors):
        return _getitem(rt, key)


def _expand_ellipsis(keys, remaining):
    if remaining is None:
        raise ValueError("Ellipsis not supported for unknown shape RaggedTensors")
    n = sum(1 for k in keys if k is not None)
    if n > remaining + 1:
        raise IndexError("Too many indices for RaggedTensor")
    if n == remaining + 1:
        return keys[1:]
    return [slice(None, None, None)] + keys


def _getitem(rt, keys):
    if not keys:
        return rt
    row_key, inner = keys[0], keys[1:]
    if row_key is Ellipsis:
        return _getitem(rt, _expand_ellipsis(keys, rt.shape.ndims))
    if row_key is None:
        inner_rt = _getitem(rt, inner)
        n = inner_rt.row_splits.shape.as_list()[0]
        if n is None:
            n = array_ops.shape(inner_rt.row_splits, out_type=inner_rt.row_splits.dtype)[0]
        return RaggedTensor.from_uniform_row_length(inner_rt, n - 1, nrows=1, validate=False)
    if isinstance(row_key, slice):
        sliced = _slice_rows(rt, row_key)
        if rt.uniform_row_length is not None:
            sliced = RaggedTensor.from_uniform_row_length(
                sliced.values, rt.uniform_row_length, nrows=sliced.nrows()
            )
        return _getitem_inner(sliced, inner)
    starts = rt.row_splits[:-1]
    limits = rt.row_splits[1:]
    row = rt.values[starts[row_key] : limits[row_key]]
    return row.__getitem__(inner)


def _slice_rows(rt, key):
    if key.start is None and key.stop is None and key.step is None:
        return rt
    new_starts = rt.row_splits[:-1][key]
    new_limits = rt.row_splits[1:][key]
    zero_pad = array_ops.zeros([1], rt.row_splits.dtype)
    if key.step is None or key.step == 1:
        new_splits = array_ops.concat(
            [zero_pad[array_ops.size(new_starts) :], new_starts[:1], new_limits], axis=0
        )
        start, limit = new_splits[0], new_splits[-1]
        return RaggedTensor.from_row_splits(
            rt.values[start:limit], new_splits - start, validate=False
        )
    return _from_value_ranges(new_starts, new_limits, 1, rt.values)


def _if_ge_zero(value, true_fn, false_fn):
    if isinstance(value, Tensor):
        const = constant_value(value)
        if const is None:
            from tfgraph.ops.control_flow_ops import cond

            return cond(value >= 0, true_fn, false_fn)
        value = const
    return true_fn() if value >= 0 else false_fn()


def _from_value_ranges(starts, limits, step, values):
    step = convert_to_tensor(1 if step is None else step, name="step")
    if not step.dtype.is_integer:
        raise TypeError("slice strides must be integers or None")
    step = array_ops.cast(step, starts.dtype)
    indices = ragged_math_ops.range(starts, limits, step, row_splits_dtype=starts.dtype)
    if isinstance(values, RaggedTensor):
        gathered = gather(values, indices.values)
    else:
        gathered = array_ops.gather(values, indices.values)
    return indices.with_values(gathered)


def _getitem_inner(rt, keys):
    if not keys:
        return rt
    if not isinstance(rt, RaggedTensor):
        return rt[tuple([slice(None, None, None)] + keys)]
    col = keys[0]
    if col is Ellipsis:
        return _getitem_inner(rt, _expand_ellipsis(keys, rt.values.shape.ndims))
    if col is None:
        inner_rt = _getitem_inner(rt, keys[1:])
        n = inner_rt.row_splits.shape.as_list()[0]
        if n is None:
            n = array_ops.shape(inner_rt.row_splits, out_type=inner_rt.row_splits.dtype)[0]
        return RaggedTensor.from_uniform_row_length(inner_rt, 1, nrows=n - 1, validate=False)
    if isinstance(col, slice):
        if col.start is None and col.stop is None and col.step is None:
            return rt.with_values(_getitem_inner(rt.values, keys[1:]))
        if not (
            isinstance(col.start, (Tensor, int, type(None)))
            and isinstance(col.stop, (Tensor, int, type(None)))
        ):
            raise TypeError("slice offsets must be integers or None")
        inner_rt = _slice_columns(rt, col)
        return inner_rt.with_values(_getitem_inner(inner_rt.values, keys[1:]))
    if rt.uniform_row_length is None:
        raise ValueError("Cannot index into an inner ragged dimension.")
    row_length = rt.uniform_row_length
    col = array_ops.cast(col, row_length.dtype)
    msg = "Index out of bounds when indexing into a ragged tensor"
    checks = [
        check_ops.assert_greater_equal(col, -row_length, message=msg),
        check_ops.assert_less(col, row_length, message=msg),
    ]
    with control_dependencies(checks):
        offset = _if_ge_zero(col, lambda: col, lambda: row_length + col)
        sliced = rt.values[offset::row_length]
        return _getitem_inner(sliced, keys[1:])


def _slice_columns(rt, col):
    starts, limits = rt.row_splits[:-1], rt.row_splits[1:]
    step = 1 if col.step is None else col.step
    lower = _if_ge_zero(step, lambda: starts, lambda: starts - 1)
    upper = _if_ge_zero(step, lambda: limits, lambda: limits - 1)
    if col.start is None:
        inner_starts = _if_ge_zero(step, lambda: starts, lambda: limits - 1)
    else:
        off = array_ops.cast(col.start, starts.dtype)
        inner_starts = _if_ge_zero(
            col.start,
            lambda: math_ops.minimum(starts + off, upper),
            lambda: math_ops.maximum(limits + off, lower),
        )
    if col.stop is None:
        inner_limits = _if_ge_zero(step, lambda: limits, lambda: starts - 1)
    else:
        off = array_ops.cast(col.stop, starts.dtype)
        inner_limits = _if_ge_zero(
            col.stop,
            lambda: math_ops.minimum(starts + off, upper),
            lambda: math_ops.maximum(limits + off, lower),
        )
    inner_rt = _from_value_ranges(inner_starts, inner_limits, col.step, rt.values)
    if rt.uniform_row_length is not None:
        zeros = array_ops.zeros(rt.uniform_row_length, dtype=dtypes.bool)
        new_len = array_ops.size(zeros[col], out_type=rt.uniform_row_length.dtype)
        inner_rt = RaggedTensor.from_uniform_row_length(inner_rt.values, new_len, rt.nrows())
    return inner_rt


# -- gather -----------------------------------------------------------------------------------
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """tf.gather for ragged params or indices (axis 0, no batch dims)."""
    del validate_indices
    with name_scope(name, "RaggedGather", [params, indices]):
        params = convert_to_tensor_or_ragged_tensor(params, name="params")
        indices = convert_to_tensor_or_ragged_tensor(indices, name="indices")
        params, indices = match_row_splits_dtypes(params, indices)
        if batch_dims != 0 or (axis is not None and axis != 0):
            raise NotImplementedError(
                "tfgraph gathers from RaggedTensors along axis 0 only (no batch_dims)"
            )
        return _gather(params, indices)


def _gather(params, indices):
    if not (is_ragged(params) or is_ragged(indices)):
        return array_ops.gather(params, indices)
    if is_ragged(indices):
        return indices.with_values(_gather(params, indices.values))
    if indices.shape.ndims is None:
        raise ValueError("rank(indices) must be known statically")
    out_ragged_rank = indices.shape.ndims + len(params.nested_row_splits) - 1
    splits, values = ragged_gather(
        params.nested_row_splits, params.flat_values, indices, OUTPUT_RAGGED_RANK=out_ragged_rank
    )
    result = RaggedTensor.from_nested_row_splits(values, splits, validate=False)
    if indices.shape.ndims > 1:  # (TF computes the uniform dims' sizes here, then drops them)
        indices_shape = array_ops.shape(indices, out_type=params.row_splits.dtype)
        cumprod = math_ops.cumprod(indices_shape)
        for dim in range(indices.shape.ndims - 1):
            _ = (cumprod[dim], indices_shape[dim + 1])
    return result


# -- concat / stack ---------------------------------------------------------------------------
def concat(values, axis, name=None):
    if not isinstance(values, (list, tuple)):
        values = [values]
    with name_scope(name, "RaggedConcat", values):
        return _stack_concat(values, axis, stack_values=False)


def stack(values, axis=0, name=None):
    if not isinstance(values, (list, tuple)):
        values = [values]
    with name_scope(name, "RaggedConcat", values):
        return _stack_concat(values, axis, stack_values=True)


def _stack_concat(rt_inputs, axis, stack_values):
    if not rt_inputs:
        raise ValueError("rt_inputs may not be empty.")
    rt_inputs = [convert_to_tensor_or_ragged_tensor(r, name="rt_input") for r in rt_inputs]
    splits_dtype, rt_inputs = match_row_splits_dtypes(*rt_inputs, return_dtype=True)
    rt_inputs = list(rt_inputs)
    if len(rt_inputs) == 1 and not stack_values:
        return rt_inputs[0]
    ndims = None
    for rt in rt_inputs:
        if ndims is None:
            ndims = rt.shape.ndims
        else:
            rt.shape.with_rank(ndims)
    out_ndims = ndims if (ndims is None or not stack_values) else ndims + 1
    axis = _positive_axis(axis, out_ndims)
    if stack_values and ndims == 1 and axis == 0:
        return RaggedTensor.from_row_lengths(
            values=array_ops.concat(rt_inputs, axis=0),
            row_lengths=array_ops.concat([array_ops.shape(r) for r in rt_inputs], axis=0),
        )
    if all(not is_ragged(rt) for rt in rt_inputs):
        if ndims is not None and (axis == out_ndims - 1 or axis == ndims - 1):
            if stack_values:
                return array_ops.stack(rt_inputs, axis)
            return array_ops.concat(rt_inputs, axis)
    splits_dtype = splits_dtype or dtypes.int64
    for i, rt in enumerate(rt_inputs):
        if not is_ragged(rt):
            rt_inputs[i] = RaggedTensor.from_tensor(
                rt, ragged_rank=1, row_splits_dtype=splits_dtype
            )
    ragged_rank = max(max(rt.ragged_rank for rt in rt_inputs), 1)
    rt_inputs = [_increase_ragged_rank(rt, ragged_rank, splits_dtype) for rt in rt_inputs]
    if axis == 0:
        return _stack_concat_axis_0(rt_inputs, stack_values)
    if axis == 1:
        return _stack_concat_axis_1(rt_inputs, stack_values)
    values = [rt.values for rt in rt_inputs]
    splits = [rt.row_splits for rt in rt_inputs]
    checks = [
        check_ops.assert_equal(splits[0], s, message="Inputs must have identical ragged splits")
        for s in splits[1:]
    ]
    with control_dependencies(checks):
        return RaggedTensor.from_row_splits(
            _stack_concat(values, axis - 1, stack_values), splits[0], validate=False
        )


def _stack_concat_axis_0(rt_inputs, stack_values):
    flat = array_ops.concat([rt.flat_values for rt in rt_inputs], axis=0)
    nested = [rt.nested_row_splits for rt in rt_inputs]
    splits = [_concat_splits([ns[d] for ns in nested]) for d in range(rt_inputs[0].ragged_rank)]
    if stack_values:
        lengths = array_ops.stack([rt.nrows() for rt in rt_inputs])
        splits.insert(0, _lengths_to_splits(lengths))
    return RaggedTensor.from_nested_row_splits(flat, splits, validate=False)


def _stack_concat_axis_1(rt_inputs, stack_values):
    n = len(rt_inputs)
    nrows = rt_inputs[0].nrows()
    checks = [
        check_ops.assert_equal(
            nrows,
            rt.nrows(),
            message=f"Input tensors at index 0 (=x) and {i + 1} (=y) have incompatible shapes.",
        )
        for i, rt in enumerate(rt_inputs[1:])
    ]
    with control_dependencies(checks):
        concatenated = _stack_concat_axis_0(rt_inputs, stack_values=False)
        row_indices = math_ops.range(nrows * n)
        matrix = array_ops.reshape(row_indices, [n, -1])
        permutation = array_ops.reshape(array_ops.transpose(matrix), [-1])
        permuted = gather(concatenated, permutation)
        if stack_values:
            stack_splits = math_ops.range(0, nrows * n + 1, n)
            _copy_row_shape(rt_inputs, stack_splits)
            return RaggedTensor.from_row_splits(permuted, stack_splits, validate=False)
        concat_splits = permuted.row_splits[::n]
        _copy_row_shape(rt_inputs, concat_splits)
        return RaggedTensor.from_row_splits(permuted.values, concat_splits, validate=False)


def _copy_row_shape(rt_inputs, splits):
    for rt in rt_inputs:
        if rt.shape[0] is not None:
            splits.set_shape([rt.shape.as_list()[0] + 1])


def _increase_ragged_rank(rt, ragged_rank, splits_dtype):
    if ragged_rank > 0:
        if not is_ragged(rt):
            rt = RaggedTensor.from_tensor(rt, row_splits_dtype=splits_dtype)
        if rt.ragged_rank < ragged_rank:
            rt = rt.with_values(_increase_ragged_rank(rt.values, ragged_rank - 1, splits_dtype))
    return rt


def _concat_splits(splits_list):
    pieces = [splits_list[0]]
    offset = splits_list[0][-1]
    for splits in splits_list[1:]:
        pieces.append(splits[1:] + offset)
        offset += splits[-1]
    return array_ops.concat(pieces, axis=0)


# -- boolean_mask -----------------------------------------------------------------------------
def _lengths_to_splits(lengths):
    return array_ops.concat([[0], math_ops.cumsum(lengths)], axis=-1)


def boolean_mask(data, mask, name=None):
    """`data` masked by `mask` without flattening the mask dimensions (a RaggedTensor
    when the mask has rank 2 or more, or when data or mask is ragged)."""
    with name_scope(name, "RaggedMask", [data, mask]):
        data = convert_to_tensor_or_ragged_tensor(data, name="data")
        mask = convert_to_tensor_or_ragged_tensor(mask, dtypes.bool, name="mask")
        splits_dtype, (data, mask) = match_row_splits_dtypes(data, mask, return_dtype=True)
        splits_dtype = splits_dtype or dtypes.int64
        if mask.shape.ndims is None:
            raise ValueError("mask.shape.ndims must be known statically.")
        if mask.shape.ndims == 0:
            raise ValueError("mask cannot be scalar.")
        if is_ragged(mask):
            return _mask_with_ragged(data, mask, splits_dtype)
        if is_ragged(data) and mask.shape.ndims == 1:
            lengths = data.row_lengths()
            masked_splits = _lengths_to_splits(array_ops.boolean_mask(lengths, mask))
            segment_ids = segment_id_ops.row_splits_to_segment_ids(data.row_splits)
            segment_mask = array_ops.gather(mask, segment_ids)
            masked_values = boolean_mask(data.values, segment_mask)
            return RaggedTensor.from_row_splits(masked_values, masked_splits, validate=False)
        if is_ragged(data):
            mask = RaggedTensor.from_tensor(
                mask,
                ragged_rank=min(data.ragged_rank, mask.shape.ndims - 1),
                row_splits_dtype=data.row_splits.dtype,
            )
            return boolean_mask(data, mask)
        masked_values = array_ops.boolean_mask(data, mask)
        if mask.shape.ndims >= 2:
            masked_lengths = math_ops.count_nonzero(mask, axis=-1, dtype=splits_dtype)
            flat_lengths = array_ops.reshape(masked_lengths, [-1])
            masked_values = RaggedTensor.from_row_lengths(
                masked_values, flat_lengths, validate=False
            )
            if mask.shape.ndims > 2:
                mask_shape = array_ops.shape(mask, out_type=splits_dtype)
                split_size = math_ops.cumprod(mask_shape) + 1
                for dim in range(mask.shape.ndims - 3, -1, -1):
                    masked_splits = math_ops.range(split_size[dim]) * mask_shape[dim + 1]
                    masked_values = RaggedTensor.from_row_splits(
                        masked_values, masked_splits, validate=False
                    )
        return masked_values


def _mask_with_ragged(data, mask, splits_dtype):
    if not is_ragged(data):
        data = RaggedTensor.from_tensor(
            data, ragged_rank=mask.ragged_rank, row_splits_dtype=mask.row_splits.dtype
        )
    checks = [
        check_ops.assert_equal(a, b, message="Inputs must have identical ragged splits")
        for a, b in zip(mask.nested_row_splits, data.nested_row_splits[: mask.ragged_rank])
    ]
    with control_dependencies(checks):
        splits = []
        while is_ragged(mask):
            if mask.shape.ndims > 2:
                splits.append(mask.row_splits)
            else:
                int_mask = mask.with_flat_values(array_ops.cast(mask.flat_values, splits_dtype))
                lengths = ragged_math_ops.reduce_sum(int_mask, axis=1)
                splits.append(_lengths_to_splits(lengths))
            mask = mask.values
            data = data.values
        masked = boolean_mask(data, mask)
        return RaggedTensor.from_nested_row_splits(masked, splits, validate=False)


# -- stack_dynamic_partitions -----------------------------------------------------------------
def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """A RaggedTensor whose row i stacks the items of `data` whose partition is i."""
    from tfgraph.ops.manip_ops import argsort

    with name_scope(name, "SegmentStack", [data, partitions, num_partitions]):
        data = convert_to_tensor_or_ragged_tensor(data, name="data")
        splits_dtype = data.row_splits.dtype if isinstance(data, RaggedTensor) else None
        partitions = convert_to_tensor_or_ragged_tensor(
            partitions, name="partitions", preferred_dtype=splits_dtype
        )
        num_partitions = convert_to_tensor(
            num_partitions, name="num_partitions", preferred_dtype=partitions.dtype
        )
        if splits_dtype is not None:
            partitions = _cast(partitions, splits_dtype)
        num_partitions = array_ops.cast(num_partitions, partitions.dtype)
        rank = partitions.shape.ndims
        if rank is None:
            raise ValueError("partitions must have known rank.")
        num_partitions.shape.with_rank(0)
        partitions.shape.assert_is_compatible_with(data.shape[:rank])
        if rank == 0:
            return RaggedTensor.from_value_rowids(
                values=array_ops.stack([data]),
                value_rowids=array_ops.stack([partitions]),
                nrows=num_partitions,
                validate=False,
            )
        if rank == 1:
            permutation = argsort(partitions, stable=True)
            value_rowids = array_ops.gather(partitions, permutation)
            values = (
                gather(data, permutation)
                if is_ragged(data)
                else array_ops.gather(data, permutation)
            )
            checks = [
                check_ops.assert_less(
                    value_rowids[-1:],
                    num_partitions,
                    message="partitions must be less than num_partitions",
                ),
                check_ops.assert_non_negative(
                    partitions, message="partitions must be non-negative."
                ),
            ]
            with control_dependencies(checks):
                return RaggedTensor.from_value_rowids(
                    values, value_rowids, nrows=num_partitions, validate=False
                )
        if not isinstance(data, RaggedTensor):
            data = RaggedTensor.from_tensor(data, row_splits_dtype=partitions.dtype, ragged_rank=1)
        if not isinstance(partitions, RaggedTensor):
            partitions = RaggedTensor.from_tensor(
                partitions,
                row_splits_dtype=partitions.dtype,
                ragged_rank=max(data.ragged_rank, rank - 1),
            )
        check = check_ops.assert_equal(
            data.row_splits,
            partitions.row_splits,
            message="data and partitions have incompatible ragged shapes",
        )
        with control_dependencies([check]):
            return stack_dynamic_partitions(data.values, partitions.values, num_partitions)


def _cast(x, dtype):
    if isinstance(x, RaggedTensor):
        return x.with_flat_values(array_ops.cast(x.flat_values, dtype))
    return array_ops.cast(x, dtype)


# -- size, rank, expand_dims, reverse ---------------------------------------------------------
def size(input, out_type=dtypes.int32, name=None):
    if is_ragged(input):
        return array_ops.size(input.flat_values, out_type=out_type, name=name)
    return array_ops.size(input, out_type=out_type, name=name)


def rank(input, name=None):
    with name_scope(name, "RaggedRank", [input]) as scope:
        if not is_ragged(input):
            return array_ops.rank(input, scope)
        return input.ragged_rank + array_ops.rank(input.flat_values)


def expand_dims(input, axis, name=None):
    with name_scope(name, "RaggedExpandDims", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, name="input")
        if not is_ragged(input):
            return array_ops.expand_dims(input, axis)
        ndims = None if input.shape.ndims is None else input.shape.ndims + 1
        axis = _positive_axis(axis, ndims)
        if axis == 0:
            return RaggedTensor.from_uniform_row_length(
                input, uniform_row_length=input.nrows(), nrows=1, validate=False
            )
        if axis == 1:
            return RaggedTensor.from_uniform_row_length(
                input, uniform_row_length=1, nrows=input.nrows(), validate=False
            )
        if is_ragged(input.values):
            return input.with_values(expand_dims(input.values, axis - 1))
        return input.with_values(array_ops.expand_dims(input.values, axis - 1))


def reverse(tensor, axis, name=None):
    msg = "`axis` must be a list of int or a constant tensorwhen reversing axes in a ragged tensor"
    with name_scope(name, "Reverse", [tensor, axis]):
        if isinstance(axis, Tensor):
            axis = constant_value(axis)
            if axis is None:
                raise TypeError(msg)
            axis = [int(a) for a in axis.reshape(-1)]
        elif not (isinstance(axis, (list, tuple)) and all(isinstance(d, int) for d in axis)):
            raise TypeError(msg)
        tensor = convert_to_tensor_or_ragged_tensor(tensor, name="tensor")
        axis = [_positive_axis(d, tensor.shape.rank, f"axis[{i}]") for i, d in enumerate(axis)]
        slices = [slice(None)] * (max(axis) + 1 if axis else 0)
        for d in axis:
            slices[d] = slice(None, None, -1)
        return tensor[tuple(slices)]


# -- where (TF1's tf.where) -------------------------------------------------------------------
def where(condition, x=None, y=None, name=None):
    """tf.where with RaggedTensor arguments: coordinates of the true values, or the
    rows (or values) of `x` and `y` selected by `condition`."""
    from tfgraph.ragged.ragged_functional_ops import map_flat_values

    if (x is None) != (y is None):
        raise ValueError("x and y must be either both None or both non-None")
    with name_scope("RaggedWhere", None, [condition, x, y]):
        condition = convert_to_tensor_or_ragged_tensor(condition, name="condition")
        if x is None:
            return _coordinate_where(condition)
        x = convert_to_tensor_or_ragged_tensor(x, name="x")
        y = convert_to_tensor_or_ragged_tensor(y, name="y")
        condition, x, y = match_row_splits_dtypes(condition, x, y)
        c_ragged, x_ragged, y_ragged = (isinstance(t, RaggedTensor) for t in (condition, x, y))
        if not (c_ragged or x_ragged or y_ragged):
            return array_ops.where(condition, x, y)
        if c_ragged and x_ragged and y_ragged:
            return map_flat_values(array_ops.where, condition, x, y)
        if not c_ragged:
            condition.shape.with_rank(1)
            x_and_y = concat([x, y], axis=0)
            x_nrows = _outer_nrows(x, x_and_y.row_splits.dtype)
            y_nrows = _outer_nrows(y, x_and_y.row_splits.dtype)
            indices = array_ops.where(
                condition, math_ops.range(x_nrows), x_nrows + math_ops.range(y_nrows)
            )
            return gather(x_and_y, indices)
        raise ValueError("Input shapes do not match.")


def _outer_nrows(t, out_type):
    if isinstance(t, RaggedTensor):
        return t.nrows(out_type=out_type)
    return array_ops.shape(t, out_type=out_type)[0]


def _coordinate_where(condition):
    if not isinstance(condition, RaggedTensor):
        return array_ops.where(condition)
    selected = _coordinate_where(condition.values)
    condition = condition.with_row_splits_dtype(selected.dtype)
    first_index = selected[:, 0]
    selected_rows = array_ops.gather(condition.value_rowids(), first_index)
    selected_row_starts = array_ops.gather(condition.row_splits, selected_rows)
    selected_cols = first_index - selected_row_starts
    return array_ops.concat(
        [
            array_ops.expand_dims(selected_rows, 1),
            array_ops.expand_dims(selected_cols, 1),
            selected[:, 1:],
        ],
        axis=1,
    )


# -- squeeze ----------------------------------------------------------------------------------
def squeeze(input, axis=None, name=None):
    """tf.squeeze of a RaggedTensor along `axis` (dims whose rows all have length 1)."""
    from tfgraph.framework.convert import constant
    from tfgraph.ops.control_flow_ops import with_dependencies

    with name_scope(name, "RaggedSqueeze", [input]):
        input = convert_to_tensor_or_ragged_tensor(input)
        if isinstance(input, Tensor):
            return array_ops.squeeze(input, axis, name)
        if axis is None:
            raise ValueError("Ragged.squeeze must have an axis argument.")
        if isinstance(axis, int):
            axis = [axis]
        elif not isinstance(axis, (list, tuple)) or not all(isinstance(d, int) for d in axis):
            raise TypeError("Axis must be a list or tuple of integers.")
        axis = [_positive_axis(d, input.shape.ndims, f"axis[{i}]") for i, d in enumerate(axis)]
        dense_dims = [d - input.ragged_rank for d in axis if d > input.ragged_rank]
        ragged_dims = [d for d in axis if d <= input.ragged_rank]
        checks = []
        one = constant(1, dtype=input.row_splits.dtype)
        for i, r in enumerate(input.nested_row_lengths()):
            if i + 1 in ragged_dims:
                checks.append(
                    check_ops.Assert(
                        math_ops.reduce_all(math_ops.equal(r, one)),
                        [f"the given axis (axis = {i + 1}) is not squeezable!"],
                    )
                )
        if 0 in ragged_dims:
            two = constant(2, dtype=dtypes.int32)
            checks.append(
                check_ops.Assert(
                    math_ops.equal(array_ops.size(input.row_splits), two),
                    ["the given axis (axis = 0) is not squeezable!"],
                )
            )
        squeezed = with_dependencies(checks, input.flat_values)
        if dense_dims:
            squeezed = array_ops.squeeze(squeezed, dense_dims)
        remaining = [s for i, s in enumerate(input.nested_row_splits) if i + 1 not in ragged_dims]
        if remaining and 0 in ragged_dims:
            remaining.pop(0)
        squeezed = RaggedTensor.from_nested_row_splits(squeezed, remaining)
        if set(range(input.ragged_rank + 1)).issubset(ragged_dims):
            squeezed = array_ops.squeeze(squeezed, [0], name)
        return squeezed


# -- tile -------------------------------------------------------------------------------------
def _repeat_ranges(params, splits, repeats):
    """`params[splits[i]:splits[i + 1]]` repeated `repeats` (or `repeats[i]`) times, in
    order (TF's ragged_util.repeat_ranges)."""
    from tfgraph.ops.control_flow_ops import with_dependencies
    from tfgraph.ops.ragged_ops import ragged_range
    from tfgraph.ops.repeat_ops import _repeat_with_axis

    splits_checks = [
        check_ops.assert_non_negative(
            splits, message="Input argument 'splits' must be non-negative"
        ),
        check_ops.assert_integer(
            splits,
            message=f"Input argument 'splits' must be integer, but got {splits.dtype} instead",
        ),
    ]
    repeats_checks = [
        check_ops.assert_non_negative(
            repeats, message="Input argument 'repeats' must be non-negative"
        ),
        check_ops.assert_integer(
            repeats,
            message=f"Input argument 'repeats' must be integer, but got {repeats.dtype} instead",
        ),
    ]
    splits = with_dependencies(splits_checks, splits)
    repeats = with_dependencies(repeats_checks, repeats)
    if repeats.shape.ndims != 0:
        starts = _repeat_with_axis(splits[:-1], repeats, 0)
        limits = _repeat_with_axis(splits[1:], repeats, 0)
    else:
        repeated = _repeat_with_axis(splits, repeats, 0)
        n = array_ops.shape(repeated, out_type=repeats.dtype)[0]
        starts = repeated[: n - repeats]
        limits = repeated[repeats:]
    one = array_ops.ones((), starts.dtype)
    _, offsets = ragged_range(starts, limits, one, Tsplits=dtypes.int64)
    return array_ops.gather(params, offsets)


def tile(input, multiples, name=None):
    """tf.tile of a RaggedTensor: each dimension's rows repeated `multiples[d]` times."""
    from tfgraph.ops.repeat_ops import _convert_to_int_tensor

    with name_scope(name, "RaggedTile", [input, multiples]):
        input = convert_to_tensor_or_ragged_tensor(input, name="input")
        if not is_ragged(input):
            return array_ops.tile(input, multiples, name)
        multiples = _convert_to_int_tensor(multiples, "multiples", input.row_splits.dtype)
        multiples.shape.with_rank(1)
        const = constant_value(multiples)
        return RaggedTensor.from_nested_row_splits(
            _tile_values(input, multiples, const),
            _tile_splits(input, multiples, const),
            validate=False,
        )


def _tile_values(rt, multiples, const):
    ragged_rank = rt.ragged_rank
    nested = rt.nested_row_splits
    ids = math_ops.range(nested[-1][-1])
    prev = None
    for axis in range(ragged_rank, 0, -1):
        splits = nested[axis - 1]
        if prev is not None:
            splits = array_ops.gather(prev * multiples[axis + 1], splits)
        if const is None or const[axis] != 1:
            ids = _repeat_ranges(ids, splits, multiples[axis])
        prev = splits
    values = array_ops.gather(rt.flat_values, ids)
    inner = array_ops.concat([multiples[:1], multiples[ragged_rank + 1 :]], axis=0)
    return array_ops.tile(values, inner)


def _tile_splits(rt, multiples, const):
    ragged_rank = rt.ragged_rank
    nested = rt.nested_row_splits
    projected = [{i: nested[i]} for i in range(ragged_rank)]
    for src in range(ragged_rank):
        for dst in range(src + 1, ragged_rank - 1):
            projected[src][dst] = array_ops.gather(nested[dst], projected[src][dst - 1])
    result = []
    for axis in range(ragged_rank):
        lengths = nested[axis][1:] - nested[axis][:-1]
        out_lengths = lengths * multiples[axis + 1]
        repeats = 1
        for d in range(axis - 1, -1, -1):
            if const is None or const[d + 1] != 1:
                splits = projected[d][axis - 1] * repeats
                out_lengths = _repeat_ranges(out_lengths, splits, multiples[d + 1])
            repeats *= multiples[d + 1]
        out_lengths = array_ops.tile(out_lengths, multiples[:1])
        result.append(_lengths_to_splits(out_lengths))
    return result
