"""Ragged op types: RaggedTensorToTensor, RaggedTensorToSparse, RaggedRange and
RaggedGather, each with TF's OpDef, a numpy kernel and TF's gradient (or none).

The RaggedTensor class and its functions (tfgraph/ragged/) build these the way TF's
Python builds them.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value

__all__ = ["ragged_gather", "ragged_range", "ragged_tensor_to_sparse", "ragged_tensor_to_tensor"]


def _b(s) -> str:
    return s.decode() if isinstance(s, bytes) else str(s)


# -- index computation shared by the kernels -------------------------------------------------
def _rowids_from_splits(splits: np.ndarray) -> np.ndarray:
    lengths: np.ndarray = np.diff(splits.astype(np.int64))
    return np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)


def _level_indices(nrows: int, partitions, nvals: int, op):
    """For each flat value, its index in every ragged dimension ([nvals, ragged_rank+1]),
    plus the bounding size of each of those dimensions."""
    idx = np.arange(nrows, dtype=np.int64)[:, None]
    sizes = [nrows]
    for kind, t in partitions:
        t = np.asarray(t).astype(np.int64)
        nparents = idx.shape[0]
        if kind == "ROW_SPLITS":
            if t.size == 0 or t[0] != 0 or np.any(np.diff(t) < 0) or t.size - 1 != nparents:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "Invalid row_splits: the splits must be sorted, start at 0 "
                    f"and have {nparents + 1} entries",
                )
            splits = t
            rowids = _rowids_from_splits(splits)
        else:  # VALUE_ROWIDS
            rowids = t
            if rowids.size and (
                np.any(np.diff(rowids) < 0) or rowids[0] < 0 or rowids[-1] >= nparents
            ):
                raise errors.InvalidArgumentError(None, op, "Invalid value_rowids")
            counts = (
                np.bincount(rowids, minlength=nparents)
                if rowids.size
                else np.zeros(nparents, np.int64)
            )
            splits = np.concatenate([[0], np.cumsum(counts)])
        pos = np.arange(rowids.size, dtype=np.int64) - splits[rowids]
        idx = np.concatenate([idx[rowids], pos[:, None]], axis=1)
        sizes.append(int(np.max(np.diff(splits))) if nparents else 0)
    if idx.shape[0] != nvals:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Invalid row partitions: they cover {idx.shape[0]} values, but there are {nvals}",
        )
    return idx, sizes


# -- RaggedTensorToTensor --------------------------------------------------------------------
def _to_tensor_shape(op):
    shape_t, values = op._inputs[0], op._inputs[1]
    types = [_b(t) for t in op._attrs["row_partition_types"]]
    ragged_rank = sum(1 for t in types if t != "FIRST_DIM_SIZE")
    vshape = values._shape
    if vshape.ndims is None:
        return [UNKNOWN]
    rank = ragged_rank + vshape.ndims
    dims = [None] * (ragged_rank + 1) + list(vshape.as_list()[1:])
    given = constant_value(shape_t)
    if given is not None and np.ndim(given) == 1:
        if len(given) != rank:
            raise ValueError(
                f"The shape of the result has rank {len(given)}, but it must have rank {rank}"
            )
        dims = [int(g) if g >= 0 else d for g, d in zip(given, dims)]
    return [TensorShape(dims)]


def _to_tensor_kernel(op, ctx):
    types = [_b(t) for t in op._attrs["row_partition_types"]]

    def kernel(shape, values, default_value, *partitions):
        values = np.asarray(values)
        parts = list(zip(types, partitions))
        if types[0] == "FIRST_DIM_SIZE":
            nrows = int(parts[0][1])
            parts = parts[1:]
        else:
            nrows = len(parts[0][1]) - 1
        idx, sizes = _level_indices(nrows, parts, values.shape[0], op)
        inner = list(values.shape[1:])
        full = sizes + inner
        shape = np.asarray(shape)
        if shape.ndim == 1:
            full = [int(g) if g >= 0 else f for g, f in zip(shape, full)]
        out_inner = full[len(sizes) :]
        try:
            default = np.broadcast_to(np.asarray(default_value, values.dtype), out_inner)
        except ValueError:
            raise errors.InvalidArgumentError(
                None, op, "default_value must be broadcastable to the inner shape of values"
            ) from None
        out = np.empty(full, values.dtype)
        out[...] = default
        keep = np.all(idx < np.asarray(full[: len(sizes)], np.int64), axis=1)
        src = values[keep]
        if out_inner != inner:  # (inner dims truncated or padded by `shape`)
            padded = np.empty([src.shape[0], *out_inner], values.dtype)
            padded[...] = default
            sl = tuple(slice(0, min(a, b)) for a, b in zip(out_inner, inner))
            window = (slice(None),) + sl
            padded[window] = src[window]
            src = padded
        out[tuple(idx[keep].T)] = src
        return out

    return kernel


def _rank_ignoring_leading_ones(value):
    dims = value.shape.as_list() if value.shape.ndims is not None else None
    if dims is not None:
        n = len(dims)
        for d in dims:
            if d == 1:
                n -= 1
            elif d is None:
                n = None
                break
            else:
                break
        if n is not None:
            return n
    shape = array_ops.shape(value)
    ones = array_ops.cast(math_ops.equal(shape, 1), dtypes.int32)
    return array_ops.rank(value) - math_ops.reduce_sum(math_ops.cumprod(ones))


def _to_tensor_grad(op, grad):
    flat_values, default_value = op.inputs[1], op.inputs[2]
    partitions = op.inputs[3:]
    types = op.get_attr("row_partition_types")
    flat_shape = array_ops.shape(flat_values)
    ragged_rank = sum(1 for t in types if _b(t) != "FIRST_DIM_SIZE")
    indices = ragged_tensor_to_tensor(
        shape=array_ops.shape(grad)[: 1 + ragged_rank],
        values=math_ops.range(flat_shape[0]),
        default_value=-1,
        row_partition_types=types,
        row_partition_tensors=partitions,
    )
    mask = math_ops.not_equal(indices, -1)
    values_grad = IndexedSlices(
        values=array_ops.boolean_mask(grad, mask),
        indices=array_ops.boolean_mask(indices, mask),
        dense_shape=flat_shape,
    )
    default_grads = array_ops.boolean_mask(grad, math_ops.logical_not(mask))
    dims = math_ops.range(
        array_ops.rank(default_grads) - _rank_ignoring_leading_ones(default_value)
    )
    default_grad = math_ops.reduce_sum(default_grads, axis=dims)
    default_grad = array_ops.reshape(default_grad, array_ops.shape(default_value))
    return [None, values_grad, default_grad] + [None for _ in partitions]


register_op(
    "RaggedTensorToTensor",
    inputs=[
        "shape: Tshape",
        "values: T",
        "default_value: T",
        "row_partition_tensors: num_row_partition_tensors * Tindex",
    ],
    outputs=["result: T"],
    attrs=[
        "T: type",
        "Tindex: {int64, int32}",
        "Tshape: {int64, int32}",
        "num_row_partition_tensors: int >= 1",
        "row_partition_types: list(string)",
    ],
    shape=_to_tensor_shape,
    make_kernel=_to_tensor_kernel,
    grad=_to_tensor_grad,
)


def ragged_tensor_to_tensor(
    shape, values, default_value, row_partition_types, row_partition_tensors, name=None
):
    types = [t if isinstance(t, bytes) else str(t).encode() for t in row_partition_types]
    return op_output(
        "RaggedTensorToTensor",
        name,
        [shape, values, default_value, list(row_partition_tensors)],
        {"row_partition_types": types},
    )


# -- RaggedTensorToSparse --------------------------------------------------------------------
def _to_sparse_shape(op):
    values = op._inputs[-1]
    n = op._attrs["RAGGED_RANK"]
    rank = None if values._shape.ndims is None else values._shape.ndims + n
    nvals = values._shape.num_elements()
    return [
        TensorShape([nvals, rank]),
        TensorShape([nvals]),
        TensorShape([rank]),
    ]


def _to_sparse_kernel(op, ctx):
    def kernel(*args):
        splits, values = args[:-1], np.asarray(args[-1])
        nrows = len(splits[0]) - 1
        parts = [("ROW_SPLITS", s) for s in splits]
        idx, sizes = _level_indices(nrows, parts, values.shape[0], op)
        inner = values.shape[1:]
        n_inner = int(np.prod(inner)) if inner else 1
        if inner:
            inner_idx = np.stack(np.unravel_index(np.arange(n_inner), inner), axis=1)
            idx = np.concatenate(
                [np.repeat(idx, n_inner, axis=0), np.tile(inner_idx, (idx.shape[0], 1))], axis=1
            )
        dense_shape = np.asarray(sizes + list(inner), np.int64)
        return idx.astype(np.int64), values.reshape(-1), dense_shape

    return kernel


def _to_sparse_grad(op, *grads):
    flat_values = op.inputs[-1]
    values_grad = array_ops.reshape(grads[1], array_ops.shape(flat_values))
    return [None] * (len(op.inputs) - 1) + [values_grad]


register_op(
    "RaggedTensorToSparse",
    inputs=["rt_nested_splits: RAGGED_RANK * Tsplits", "rt_dense_values: T"],
    outputs=["sparse_indices: int64", "sparse_values: T", "sparse_dense_shape: int64"],
    attrs=["RAGGED_RANK: int >= 1", "T: type", "Tsplits: {int32, int64} = int64"],
    shape=_to_sparse_shape,
    make_kernel=_to_sparse_kernel,
    grad=_to_sparse_grad,
)


def ragged_tensor_to_sparse(rt_nested_splits, rt_dense_values, name=None):
    op = apply_op("RaggedTensorToSparse", name, [list(rt_nested_splits), rt_dense_values])
    return tuple(op.outputs)


# -- RaggedRange -----------------------------------------------------------------------------
def _range_shape(op):
    dims = [t._shape for t in op._inputs]
    n = None
    for s in dims:
        if s.ndims is not None and s.ndims > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank {s.ndims}")
        if s.ndims == 1:
            d = s.as_list()[0]
            n = d if n is None else n
    if all(s.ndims == 0 for s in dims):
        n = 1
    return [TensorShape([None if n is None else n + 1]), TensorShape([None])]


def _range_kernel(op, ctx):
    splits_dtype = dtypes.as_dtype(op._attrs["Tsplits"]).as_numpy_dtype

    def kernel(starts, limits, deltas):
        arrs = [np.asarray(a) for a in (starts, limits, deltas)]
        sizes = {a.shape[0] for a in arrs if a.ndim == 1}
        if any(a.ndim > 1 for a in arrs):
            raise errors.InvalidArgumentError(None, op, "starts must be a scalar or vector")
        if len(sizes) > 1:
            raise errors.InvalidArgumentError(
                None, op, "starts, limits, and deltas must have the same shape"
            )
        n = sizes.pop() if sizes else 1
        s, lim, d = (np.broadcast_to(a.reshape(-1) if a.ndim else a, (n,)) for a in arrs)
        if np.any(d == 0):
            raise errors.InvalidArgumentError(None, op, "Requires delta != 0")
        dtype = arrs[0].dtype
        empty = ((d > 0) & (lim < s)) | ((d < 0) & (lim > s))
        if dtype.kind in "iu":
            a, b, c = (x.astype(np.int64) for x in (s, lim, d))
            sizes = (np.abs(b - a) + np.abs(c) - 1) // np.abs(c)
        else:
            sizes = np.ceil(np.abs((lim - s) / d)).astype(np.int64)
        sizes = np.where(empty, 0, sizes)
        splits = np.concatenate([[0], np.cumsum(sizes)]).astype(splits_dtype)
        pos = np.arange(int(splits[-1])) - np.repeat(splits[:-1].astype(np.int64), sizes)
        values = np.repeat(s, sizes) + pos.astype(dtype) * np.repeat(d, sizes)
        return splits, values.astype(dtype)

    return kernel


register_op(
    "RaggedRange",
    inputs=["starts: T", "limits: T", "deltas: T"],
    outputs=["rt_nested_splits: Tsplits", "rt_dense_values: T"],
    attrs=[
        "T: {bfloat16, float, double, int32, int64} = int32",
        "Tsplits: {int32, int64} = int64",
    ],
    shape=_range_shape,
    make_kernel=_range_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def ragged_range(starts, limits, deltas, Tsplits=dtypes.int64, name=None):
    op = apply_op(
        "RaggedRange", name, [starts, limits, deltas], {"Tsplits": dtypes.as_dtype(Tsplits)._base}
    )
    return op.outputs[0], op.outputs[1]


# -- RaggedGather ----------------------------------------------------------------------------
def _gather_shape(op):
    n_out = op._attrs["OUTPUT_RAGGED_RANK"]
    values = op._inputs[-2]
    vs = values._shape
    out_values = UNKNOWN if vs.ndims is None else TensorShape([None] + vs.as_list()[1:])
    return [TensorShape([None])] * n_out + [out_values]


def _gather_kernel(op, ctx):
    n_params = op._attrs["PARAMS_RAGGED_RANK"]

    def kernel(*args):
        splits = [np.asarray(s) for s in args[:n_params]]
        values, indices = np.asarray(args[n_params]), np.asarray(args[n_params + 1])
        nrows = len(splits[0]) - 1
        flat_idx = indices.reshape(-1).astype(np.int64)
        bad = (flat_idx < 0) | (flat_idx >= nrows)
        if np.any(bad):
            i = int(flat_idx[np.argmax(bad)])
            raise errors.InvalidArgumentError(
                None, op, f"indices[{int(np.argmax(bad))}] = {i} is not in [0, {nrows})"
            )
        out_splits = []
        # (an index tensor of rank k adds k-1 uniform outer splits)
        for dim_i in range(indices.ndim - 1):
            outer = int(np.prod(indices.shape[: dim_i + 1]))
            width = indices.shape[dim_i + 1]
            out_splits.append(np.arange(outer + 1, dtype=splits[0].dtype) * width)
        rows = flat_idx
        for s in splits:
            s = s.astype(np.int64)
            lo, hi = s[rows], s[rows + 1]
            lengths = hi - lo
            offsets = np.concatenate([[0], np.cumsum(lengths)])
            out_splits.append(offsets.astype(splits[0].dtype))
            # (the rows' items, in order: lo[i] .. hi[i]-1 for each selected row i)
            rows = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1] - lo, lengths)
        return (*out_splits, values[rows])

    return kernel


register_op(
    "RaggedGather",
    inputs=[
        "params_nested_splits: PARAMS_RAGGED_RANK * Tsplits",
        "params_dense_values: Tvalues",
        "indices: Tindices",
    ],
    outputs=[
        "output_nested_splits: OUTPUT_RAGGED_RANK * Tsplits",
        "output_dense_values: Tvalues",
    ],
    attrs=[
        "Tvalues: type",
        "Tindices: {int32, int64}",
        "Tsplits: {int32, int64} = int64",
        "PARAMS_RAGGED_RANK: int >= 1",
        "OUTPUT_RAGGED_RANK: int >= 0",
    ],
    shape=_gather_shape,
    make_kernel=_gather_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def ragged_gather(
    params_nested_splits, params_dense_values, indices, OUTPUT_RAGGED_RANK, name=None
):
    op = apply_op(
        "RaggedGather",
        name,
        [list(params_nested_splits), params_dense_values, indices],
        {"OUTPUT_RAGGED_RANK": OUTPUT_RAGGED_RANK},
    )
    return list(op.outputs[:-1]), op.outputs[-1]
