"""SparseToDense (`tf.sparse.to_dense`, `tf.sparse_tensor_to_dense`): a SparseTensor's
values scattered into a dense tensor, with TF's index checks and gradient."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import constant_value_as_shape

__all__ = ["sparse_tensor_to_dense", "sparse_to_dense"]


def _index_text(index) -> str:
    return "[" + ",".join(str(int(i)) for i in index) + "]"


def _sparse_to_dense_kernel(op, ctx):
    validate = bool(op._attrs["validate_indices"])

    def kernel(indices, output_shape, values, default_value):
        shape = tuple(int(d) for d in np.reshape(output_shape, -1))
        indices = np.asarray(indices).reshape(len(indices) if np.ndim(indices) else 1, -1)
        if np.ndim(indices) == 2 and indices.shape[1] != len(shape):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"sparse_indices should have {len(shape)} columns, got {indices.shape[1]}",
            )
        values = np.asarray(values)
        n = indices.shape[0]
        if values.ndim and values.shape[0] != n:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"sparse_values has incorrect shape {list(values.shape)}, should be [] or [{n}]",
            )
        if validate:
            previous = None
            for i, index in enumerate(indices):
                if any(d < 0 or d >= s for d, s in zip(index, shape)):
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"indices[{i}] = {_index_text(index)} is out of bounds: need 0 <= index "
                        f"< {_index_text(shape)}",
                    )
                key = tuple(int(d) for d in index)
                if previous is not None and key <= previous:
                    if key == previous:
                        raise errors.InvalidArgumentError(
                            None, op, f"indices[{i}] = {_index_text(index)} is repeated"
                        )
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"indices[{i}] = {_index_text(index)} is out of order. Many sparse ops "
                        "require sorted indices.\n    Use `tf.sparse.reorder` to create a "
                        "correctly ordered copy.\n\n",
                    )
                previous = key
        out = np.empty(shape, dtype=values.dtype)
        out[...] = np.asarray(default_value).reshape(())[()]
        if n:
            out[tuple(indices.T)] = values
        return out

    return kernel


def _sparse_to_dense_shape(op):
    return [constant_value_as_shape(op._inputs[1])]


def _sparse_to_dense_grad(op, grad):
    sparse_indices, output_shape = op.inputs[0], op.inputs[1]
    sparse_values_grad = array_ops.gather_nd(grad, sparse_indices)
    default_value_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(sparse_values_grad)
    return [
        array_ops.zeros_like(sparse_indices),
        array_ops.zeros_like(output_shape),
        sparse_values_grad,
        default_value_grad,
    ]


register_op(
    "SparseToDense",
    inputs=[
        "sparse_indices: Tindices",
        "output_shape: Tindices",
        "sparse_values: T",
        "default_value: T",
    ],
    outputs=["dense: T"],
    attrs=["validate_indices: bool = true", "T: type", "Tindices: {int32, int64}"],
    shape=_sparse_to_dense_shape,
    make_kernel=_sparse_to_dense_kernel,
    grad=_sparse_to_dense_grad,
)


def sparse_to_dense(
    sparse_indices,
    output_shape,
    sparse_values,
    default_value=0,
    validate_indices=True,
    name=None,
):
    """A dense tensor of `output_shape` holding `sparse_values` at `sparse_indices` and
    `default_value` elsewhere."""
    return op_output(
        "SparseToDense",
        name,
        [sparse_indices, output_shape, sparse_values, default_value],
        {"validate_indices": bool(validate_indices)},
    )


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor a SparseTensor stands for (`default_value`, else 0 or "", where
    it has no value)."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(sp_input).__name__}")
    if default_value is None:
        default_value = array_ops.zeros([], dtype=sp_input.dtype)
    return op_output(
        "SparseToDense",
        name,
        [sp_input.indices, sp_input.dense_shape, sp_input.values, default_value],
        {"validate_indices": bool(validate_indices)},
    )


# -- helpers ------------------------------------------------------------------------------
def _sparse(sp_input, what: str = "Input"):
    from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue

    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"{what} must be a SparseTensor.")
    return sp_input


def _make_sparse(indices, values, dense_shape):
    from tfgraph.framework.sparse_tensor import SparseTensor

    return SparseTensor(indices, values, dense_shape)


def _rank_of(op, indices_at: int | None, shape_at: int | None):
    """The sparse tensor's rank from its indices' columns or its dense_shape's length."""
    if indices_at is not None:
        dims = op._inputs[indices_at]._shape
        if dims.rank == 2 and dims.as_list()[1] is not None:
            return dims.as_list()[1]
    if shape_at is not None:
        dims = op._inputs[shape_at]._shape
        if dims.rank == 1 and dims.as_list()[0] is not None:
            return dims.as_list()[0]
    return None


def _nnz(op, at: int):
    dims = op._inputs[at]._shape
    return dims.as_list()[0] if dims.rank is not None and dims.rank >= 1 else None


def _indices2(indices) -> np.ndarray:
    indices = np.asarray(indices, dtype=np.int64)
    return indices.reshape(indices.shape[0] if indices.ndim else 0, -1)


def _order(indices: np.ndarray) -> np.ndarray:
    """The stable row-major order of `indices`' rows."""
    if indices.shape[0] == 0 or indices.shape[1] == 0:
        return np.arange(indices.shape[0])
    return np.lexsort(indices.T[::-1])


# -- SparseTensorDenseMatMul -------------------------------------------------------------
def _sparse_dense_matmul_shape(op):
    adj_a, adj_b = bool(op._attrs["adjoint_a"]), bool(op._attrs["adjoint_b"])
    b = op._inputs[3]._shape
    if b.rank is not None and b.rank != 2:
        raise common_shapes.shape_error(op, f"Shape must be rank 2 but is rank {b.rank}")
    a_shape = common_shapes.constant_value(op._inputs[2])
    rows = None
    b_dims = [None, None] if b.rank is None else b.as_list()
    if adj_b:
        b_dims = b_dims[::-1]
    if a_shape is not None:
        rows = int(a_shape[1] if adj_a else a_shape[0])
        inner = int(a_shape[0] if adj_a else a_shape[1])
        if b_dims[0] is not None and inner != b_dims[0]:
            raise common_shapes.shape_error(
                op, f"Dimensions must be equal, but are {inner} and {b_dims[0]}"
            )
    cols = b_dims[1]
    return [TensorShape([rows, cols])]


def _sparse_dense_matmul_kernel(op, ctx):
    adj_a, adj_b = bool(op._attrs["adjoint_a"]), bool(op._attrs["adjoint_b"])

    def kernel(a_indices, a_values, a_shape, b):
        a_indices = _indices2(a_indices)
        b = np.asarray(b)
        if adj_b:
            b = np.conj(b.T)
        rows, inner = int(a_shape[0]), int(a_shape[1])
        r, c = a_indices[:, 0], a_indices[:, 1]
        values = np.asarray(a_values)
        if adj_a:
            rows, inner, r, c, values = inner, rows, c, r, np.conj(values)
        if inner != b.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Cannot multiply A and B because inner dimension does not match: {inner} vs. "
                f"{b.shape[0]}.  Did you forget a transpose?  Dimensions of A: "
                f"[{int(a_shape[0])}, {int(a_shape[1])}).  Dimensions of B: "
                f"[{','.join(map(str, np.shape(b)))}]",
            )
        for i, (ri, ci) in enumerate(zip(r, c)):
            if not (0 <= ri < rows):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"k ({ri}) from index[{i},{1 if adj_a else 0}] out of bounds (>={rows})",
                )
            if not (0 <= ci < inner):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"k ({ci}) from index[{i},{0 if adj_a else 1}] out of bounds (>={inner})",
                )
        out = np.zeros((rows, b.shape[1]), dtype=np.result_type(values.dtype, b.dtype))
        np.add.at(out, r, values[:, None] * b[c])
        return out.astype(b.dtype, copy=False)

    return kernel


def _sparse_dense_matmul_grad(op, grad):
    a_indices, a_values, a_shape, b = op.inputs
    adj_a, adj_b = bool(op.get_attr("adjoint_a")), bool(op.get_attr("adjoint_b"))
    b_grad = op_output(
        "SparseTensorDenseMatMul",
        None,
        [a_indices, a_values, a_shape, grad],
        {"adjoint_a": not adj_a, "adjoint_b": False},
    )
    if adj_b:
        b_grad = array_ops.transpose(b_grad)
    rows = array_ops.reshape(array_ops.strided_slice(a_indices, [0, 0], [0, 1], end_mask=1), [-1])
    cols = array_ops.reshape(array_ops.strided_slice(a_indices, [0, 1], [0, 2], end_mask=1), [-1])
    parts_a = array_ops.gather(grad, cols if adj_a else rows)
    parts_b = array_ops.gather(array_ops.transpose(b) if adj_b else b, rows if adj_a else cols)
    a_values_grad = math_ops.reduce_sum(parts_a * parts_b, axis=1)
    return [None, a_values_grad, None, b_grad]


register_op(
    "SparseTensorDenseMatMul",
    inputs=["a_indices: Tindices", "a_values: T", "a_shape: int64", "b: T"],
    outputs=["product: T"],
    attrs=[
        "T: type",
        "Tindices: {int32, int64} = int64",
        "adjoint_a: bool = false",
        "adjoint_b: bool = false",
    ],
    shape=_sparse_dense_matmul_shape,
    make_kernel=_sparse_dense_matmul_kernel,
    grad=_sparse_dense_matmul_grad,
)


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """`sp_a @ b` for a rank-2 SparseTensor `sp_a` and a dense matrix `b`."""
    from tfgraph.framework.graph import get_default_graph

    sp_a = _sparse(sp_a, "sp_a")
    with get_default_graph().name_scope(name or "SparseTensorDenseMatMul"):
        b = convert_to_tensor(b, name="b")
        return op_output(
            "SparseTensorDenseMatMul",
            "SparseTensorDenseMatMul",
            [sp_a.indices, sp_a.values, sp_a.dense_shape, b],
            {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)},
        )


# -- SparseReorder ----------------------------------------------------------------------
def _sparse_reorder_shape(op):
    rank = _rank_of(op, 0, 2)
    n = _nnz(op, 0)
    return [TensorShape([n, rank]), TensorShape([n])]


def _sparse_reorder_kernel(indices, values, shape):
    indices = _indices2(indices)
    order = _order(indices)
    return indices[order], np.asarray(values)[order]


def _sparse_reorder_grad(op, unused_indices_grad, values_grad):
    input_indices, _, input_shape = op.inputs
    n = array_ops.shape(input_indices)[0]
    entries = math_ops.range(n)
    _, reordered = apply_op("SparseReorder", None, [input_indices, entries, input_shape])._outputs
    inverted = array_ops.invert_permutation(reordered)
    return [None, array_ops.gather(values_grad, inverted), None]


register_op(
    "SparseReorder",
    inputs=["input_indices: int64", "input_values: T", "input_shape: int64"],
    outputs=["output_indices: int64", "output_values: T"],
    attrs=["T: type"],
    shape=_sparse_reorder_shape,
    kernel=_sparse_reorder_kernel,
    grad=_sparse_reorder_grad,
)


def _static_dense_shape(sp):
    """TF's SparseTensor keeps a known dense shape as a fresh constant."""
    value = common_shapes.constant_value(sp.dense_shape)
    return sp.dense_shape if value is None else value


def sparse_reorder(sp_input, name=None):
    """The same SparseTensor with its entries in row-major (canonical) order."""
    sp_input = _sparse(sp_input)
    op = apply_op("SparseReorder", name, [sp_input.indices, sp_input.values, sp_input.dense_shape])
    return _make_sparse(op._outputs[0], op._outputs[1], _static_dense_shape(sp_input))


# -- SparseReshape ----------------------------------------------------------------------
def _sparse_reshape_shape(op):
    n = _nnz(op, 0)
    out_rank = _rank_of(op, None, 2)
    return [TensorShape([n, out_rank]), TensorShape([out_rank])]


def _sparse_reshape_kernel(op, ctx):
    def kernel(indices, shape, new_shape):
        indices = _indices2(indices)
        shape = np.asarray(shape, dtype=np.int64)
        new_shape = np.asarray(new_shape, dtype=np.int64).copy()
        total = int(np.prod(shape))
        unknown = [i for i, d in enumerate(new_shape) if d == -1]
        if len(unknown) > 1:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"only one output dimension may be -1, not both {unknown[0]} and {unknown[1]}",
            )
        known = int(np.prod([d for d in new_shape if d != -1]))
        if unknown:
            new_shape[unknown[0]] = total // known if known else 0
            if known == 0 or total % known:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Input to reshape is a SparseTensor with {total} dense values, but the "
                    f"requested shape requires a multiple of {known}. input_shape="
                    f"[{','.join(map(str, shape))}] output_shape=[{','.join(map(str, new_shape))}]",
                )
        if int(np.prod(new_shape)) != total:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input to reshape is a tensor with {total} dense values, but the requested "
                f"shape has {int(np.prod(new_shape))}. input_shape="
                f"[{','.join(map(str, shape))}] output_shape=[{','.join(map(str, new_shape))}]",
            )
        flat = (
            np.ravel_multi_index(tuple(indices.T), tuple(shape))
            if indices.size
            else (np.zeros(indices.shape[0], np.int64))
        )
        out = (
            np.stack(np.unravel_index(flat, tuple(new_shape)), axis=1)
            if len(new_shape)
            else (np.zeros((indices.shape[0], 0), np.int64))
        )
        return out.astype(np.int64).reshape(indices.shape[0], len(new_shape)), new_shape

    return kernel


register_op(
    "SparseReshape",
    inputs=["input_indices: int64", "input_shape: int64", "new_shape: int64"],
    outputs=["output_indices: int64", "output_shape: int64"],
    shape=_sparse_reshape_shape,
    make_kernel=_sparse_reshape_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def sparse_reshape(sp_input, shape, name=None):
    """The SparseTensor with dense shape `shape` (one dimension may be -1)."""
    from tfgraph.framework.graph import get_default_graph

    sp_input = _sparse(sp_input)
    shape = array_ops.cast(shape, dtypes.int64)
    op = apply_op("SparseReshape", name, [sp_input.indices, sp_input.dense_shape, shape])
    in_shape = common_shapes.constant_value(sp_input.dense_shape)
    new = common_shapes.constant_value(shape)
    if in_shape is not None and new is not None:
        total = int(np.prod(in_shape))
        known = int(np.prod([d for d in new if d != -1]))
        text = "[" + ", ".join("None" if d == -1 else str(int(d)) for d in new) + "]"
        if (-1 in list(new) and (known == 0 or total % known)) or (
            -1 not in list(new) and known != total
        ):
            raise ValueError(
                f"Cannot reshape a tensor with {total} elements to shape {text} ({known} elements)."
            )
    with get_default_graph().name_scope(op.name + "/"):
        values = array_ops.identity(sp_input.values)
        static = common_shapes.constant_value(op._outputs[1])
        in_shape = common_shapes.constant_value(sp_input.dense_shape)
        new = common_shapes.constant_value(shape)
        if static is None and in_shape is not None and new is not None:
            new = np.asarray(new, np.int64).copy()
            if (new == -1).sum() == 1:
                known = int(np.prod(new[new != -1]))
                if known:
                    new[new == -1] = int(np.prod(in_shape)) // known
            static = new
        dense_shape = (
            constant(np.asarray(static, np.int64)) if static is not None else op._outputs[1]
        )
    return _make_sparse(op._outputs[0], values, dense_shape)


def sparse_transpose(sp_input, perm=None, name=None):
    """The SparseTensor with its dimensions permuted by `perm` (default: reversed)."""
    from tfgraph.framework.graph import get_default_graph

    sp_input = _sparse(sp_input)
    with get_default_graph().name_scope(name or "SparseTranspose"):
        if perm is None:
            rank = sp_input.shape.rank
            if rank is not None:
                perm = list(reversed(range(rank)))
            else:
                rank_t = array_ops.rank(sp_input)
                perm = (rank_t - 1) - math_ops.range(0, rank_t, 1)
        indices = sp_input.indices
        transposed = array_ops.transpose(array_ops.gather(array_ops.transpose(indices), perm))
        perm_value = common_shapes.constant_value(convert_to_tensor(perm))
        shape_value = common_shapes.constant_value(sp_input.dense_shape)
        if perm_value is not None and shape_value is not None:
            dense_shape = np.asarray(shape_value, np.int64)[np.asarray(perm_value)]
        else:
            dense_shape = array_ops.gather(sp_input.dense_shape, perm)
        return sparse_reorder(_make_sparse(transposed, sp_input.values, dense_shape))


def sparse_retain(sp_input, to_retain):
    """The entries of `sp_input` where the boolean vector `to_retain` is true."""
    sp_input = _sparse(sp_input)
    to_retain = convert_to_tensor(to_retain)
    retain_shape = to_retain.shape
    if retain_shape.rank is not None and retain_shape.rank != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {retain_shape.rank}")
    nnz = sp_input.values.shape
    if retain_shape.rank == 1 and nnz.rank == 1:
        a, b = retain_shape.as_list()[0], nnz.as_list()[0]
        if a is not None and b is not None and a != b:
            raise ValueError(f"Dimensions {a} and {b} are not compatible")
    where_true = array_ops.reshape(array_ops.where(to_retain), [-1])
    new_indices = array_ops.gather(sp_input.indices, where_true)
    new_values = array_ops.gather(sp_input.values, where_true)
    out = _make_sparse(new_indices, new_values, array_ops.identity(sp_input.dense_shape))
    out._static_shape = sp_input.shape
    return out


# -- SparseReduceSum / Max (dense and sparse results) ---------------------------------
def _reduce_axes(op, axes, rank):
    axes = np.asarray(axes, dtype=np.int64).reshape(-1)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise errors.InvalidArgumentError(
                None, op, f"Invalid reduction dimension {a}, for input with {rank} dimensions."
            )
        out.append(int(a) % rank)
    return sorted(set(out))


def _sparse_reduce(op, kind, indices, values, shape, axes):
    keep = bool(op._attrs["keep_dims"])
    indices = _indices2(indices)
    shape = np.asarray(shape, np.int64)
    values = np.asarray(values)
    rank = len(shape)
    axes = _reduce_axes(op, axes, rank)
    kept = [d for d in range(rank) if d not in axes]
    out_shape = [int(shape[d]) for d in kept]
    where = tuple(indices[:, kept].T) if kept else ()
    if kind == "sum":
        out = np.zeros(out_shape, values.dtype)
        if kept:
            np.add.at(out, where, values)
        else:
            out[()] = values.sum(dtype=values.dtype)
    else:
        if np.issubdtype(values.dtype, np.floating):
            lowest = -np.inf
        else:
            lowest = np.iinfo(values.dtype).min
        out = np.full(out_shape, lowest, values.dtype)
        if kept:
            np.maximum.at(out, where, values)
        elif values.size:
            out[()] = values.max()
    if keep:
        out = out.reshape([1 if d in axes else int(shape[d]) for d in range(rank)])
    return out


def _sparse_reduce_dense_kernel(kind):
    def make(op, ctx):
        return lambda i, v, s, a: _sparse_reduce(op, kind, i, v, s, a)

    return make


def _sparse_reduce_sparse_kernel(kind):
    def make(op, ctx):
        keep = bool(op._attrs["keep_dims"])

        def kernel(indices, values, shape, axes):
            indices = _indices2(indices)
            shape = np.asarray(shape, np.int64)
            rank = len(shape)
            reduced = _reduce_axes(op, axes, rank)
            dense = _sparse_reduce(op, kind, indices, values, shape, axes)
            kept = [d for d in range(rank) if d not in reduced]
            if keep:
                groups = indices.copy()
                groups[:, reduced] = 0
            else:
                groups = indices[:, kept]
            if groups.shape[0]:
                groups = np.unique(groups, axis=0)
                groups = groups[_order(groups)]
            out_values = dense[tuple(groups.T)] if groups.shape[0] else dense.reshape(-1)[:0]
            return groups.astype(np.int64), out_values, np.asarray(dense.shape, np.int64)

        return kernel

    return make


def _sparse_reduce_shape(op):
    axes = common_shapes.constant_value(op._inputs[3])
    shape = common_shapes.constant_value(op._inputs[2])
    keep = bool(op._attrs["keep_dims"])
    if axes is None or shape is None:
        return [TensorShape(None)]
    rank = len(shape)
    axes = {int(a) % rank for a in np.reshape(axes, -1)} if rank else set()
    return [
        TensorShape(
            [1 if d in axes else int(shape[d]) for d in range(rank)]
            if keep
            else [int(shape[d]) for d in range(rank) if d not in axes]
        )
    ]


def _sparse_reduce_sparse_shape(op):
    return [TensorShape(None), TensorShape([None]), TensorShape([None])]


def _sparse_reduce_sum_grad(op, out_grad):
    sp_indices, _, sp_shape, reduction_axes = op.inputs
    kept = math_ops.reduced_shape(sp_shape, reduction_axes)
    out_grad_reshaped = array_ops.reshape(out_grad, kept)
    scale = sp_shape // array_ops.cast(kept, dtypes.int64)
    return [None, array_ops.gather_nd(out_grad_reshaped, sp_indices // scale), None, None]


_REDUCE_INPUTS = [
    "input_indices: int64",
    "input_values: T",
    "input_shape: int64",
    "reduction_axes: int32",
]
_REDUCE_ATTRS = ["keep_dims: bool = false", "T: type"]
register_op(
    "SparseReduceSum",
    outputs=["output: T"],
    shape=_sparse_reduce_shape,
    make_kernel=_sparse_reduce_dense_kernel("sum"),
    grad=_sparse_reduce_sum_grad,
    inputs=_REDUCE_INPUTS,
    attrs=_REDUCE_ATTRS,
)
register_op(
    "SparseReduceMax",
    outputs=["output: T"],
    shape=_sparse_reduce_shape,
    make_kernel=_sparse_reduce_dense_kernel("max"),
    grad=NOT_DIFFERENTIABLE,
    inputs=_REDUCE_INPUTS,
    attrs=_REDUCE_ATTRS,
)
for _kind, _type in (("sum", "SparseReduceSumSparse"), ("max", "SparseReduceMaxSparse")):
    register_op(
        _type,
        outputs=["output_indices: int64", "output_values: T", "output_shape: int64"],
        shape=_sparse_reduce_sparse_shape,
        make_kernel=_sparse_reduce_sparse_kernel(_kind),
        grad=NOT_DIFFERENTIABLE,
        inputs=_REDUCE_INPUTS,
        attrs=_REDUCE_ATTRS,
    )


def _reduction_axes(sp_input, axis):
    if axis is None:
        rank = sp_input.shape.rank
        if rank is not None:
            return constant(np.arange(rank, dtype=np.int32))
        return math_ops.range(array_ops.size(sp_input.dense_shape))
    return axis


def _reduce(op_type, sp_input, axis, keepdims, reduction_axes, keep_dims, name):
    if keepdims is None:
        keepdims = bool(keep_dims)
    if reduction_axes is not None:
        axis = reduction_axes
    sp_input = _sparse(sp_input)
    return apply_op(
        op_type,
        name,
        [sp_input.indices, sp_input.values, sp_input.dense_shape, _reduction_axes(sp_input, axis)],
        {"keep_dims": bool(keepdims)},
    )


def sparse_reduce_sum(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name=None
):
    """The sum of a SparseTensor's values along `axis` (all axes by default), dense."""
    op = _reduce("SparseReduceSum", sp_input, axis, keepdims, reduction_axes, keep_dims, name)
    return op._outputs[0]


def sparse_reduce_max(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name=None
):
    """The maximum of a SparseTensor's values along `axis` (all axes by default), dense;
    positions with no value reduce to the dtype's lowest value."""
    op = _reduce("SparseReduceMax", sp_input, axis, keepdims, reduction_axes, keep_dims, name)
    return op._outputs[0]


def sparse_reduce_sum_sparse(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name=None
):
    """`sparse_reduce_sum` as a SparseTensor."""
    op = _reduce("SparseReduceSumSparse", sp_input, axis, keepdims, reduction_axes, keep_dims, name)
    return _make_sparse(*op._outputs)


def sparse_reduce_max_sparse(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name=None
):
    """`sparse_reduce_max` as a SparseTensor."""
    op = _reduce("SparseReduceMaxSparse", sp_input, axis, keepdims, reduction_axes, keep_dims, name)
    return _make_sparse(*op._outputs)


# -- SparseAdd, SparseTensorDenseAdd -------------------------------------------------
def _sparse_add_kernel(op, ctx):
    def kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh):
        a_indices, b_indices = _indices2(a_indices), _indices2(b_indices)
        if len(a_shape) != len(b_shape):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Operands do not have the same ranks; got shapes: "
                f"[{','.join(map(str, a_shape))}] and [{','.join(map(str, b_shape))}]",
            )
        for d, (x, y) in enumerate(zip(a_shape, b_shape)):
            if x != y:
                raise errors.InvalidArgumentError(
                    None, op, f"Operands' shapes do not match: got {x} and {y} for dimension {d}"
                )
        sums = {}
        order = []
        for idx, v in zip(map(tuple, a_indices.tolist()), np.asarray(a_values)):
            if idx not in sums:
                order.append(idx)
                sums[idx] = v
            else:
                sums[idx] = sums[idx] + v
        for idx, v in zip(map(tuple, b_indices.tolist()), np.asarray(b_values)):
            if idx not in sums:
                order.append(idx)
                sums[idx] = v
            else:
                sums[idx] = sums[idx] + v
        order.sort()
        thresh = np.asarray(thresh)
        kept = [i for i in order if np.abs(sums[i]) >= thresh]
        rank = len(a_shape)
        out_values = np.asarray([sums[i] for i in kept], dtype=np.asarray(a_values).dtype)
        return (
            np.asarray(kept, np.int64).reshape(len(kept), rank),
            out_values,
            np.asarray(a_shape, np.int64),
        )

    return kernel


def _sparse_add_shape(op):
    rank = _rank_of(op, 0, 2) or _rank_of(op, 3, 5)
    return [TensorShape([None, rank]), TensorShape([None]), TensorShape([rank])]


def _sparse_add_grad(op, *grads):
    val_grad = grads[1]
    a_indices, b_indices = op.inputs[0], op.inputs[3]
    sum_indices = op.outputs[0]
    a_grad, b_grad = apply_op(
        "SparseAddGrad", None, [val_grad, a_indices, b_indices, sum_indices]
    )._outputs
    return [None, a_grad, None, None, b_grad, None, None]


register_op(
    "SparseAdd",
    inputs=[
        "a_indices: int64",
        "a_values: T",
        "a_shape: int64",
        "b_indices: int64",
        "b_values: T",
        "b_shape: int64",
        "thresh: Treal",
    ],
    outputs=["sum_indices: int64", "sum_values: T", "sum_shape: int64"],
    attrs=["T: type", "Treal: type"],
    shape=_sparse_add_shape,
    make_kernel=_sparse_add_kernel,
    grad=_sparse_add_grad,
)


def _sparse_add_grad_kernel(grad, a_indices, b_indices, sum_indices):
    where = {idx: i for i, idx in enumerate(map(tuple, _indices2(sum_indices).tolist()))}
    grad = np.asarray(grad)

    def pick(indices):
        rows = [where.get(idx) for idx in map(tuple, _indices2(indices).tolist())]
        return np.asarray(
            [grad[r] if r is not None else grad.dtype.type(0) for r in rows], dtype=grad.dtype
        )

    return pick(a_indices), pick(b_indices)


register_op(
    "SparseAddGrad",
    inputs=[
        "backprop_val_grad: T",
        "a_indices: int64",
        "b_indices: int64",
        "sum_indices: int64",
    ],
    outputs=["a_val_grad: T", "b_val_grad: T"],
    attrs=["T: type"],
    shape=lambda op: [TensorShape([_nnz(op, 1)]), TensorShape([_nnz(op, 2)])],
    kernel=_sparse_add_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _sparse_dense_add_kernel(indices, values, shape, b):
    out = np.array(b, copy=True)
    indices = _indices2(indices)
    np.add.at(out, tuple(indices.T), np.asarray(values))
    return out


register_op(
    "SparseTensorDenseAdd",
    inputs=["a_indices: Tindices", "a_values: T", "a_shape: Tindices", "b: T"],
    outputs=["output: T"],
    attrs=["T: type", "Tindices: {int32, int64}"],
    shape=lambda op: [op._inputs[3]._shape],
    kernel=_sparse_dense_add_kernel,
    grad=lambda op, grad: [None, array_ops.gather_nd(grad, op.inputs[0]), None, grad],
)


def sparse_add(a, b, threshold=0, thresh=None):
    """`a + b` where at least one is a SparseTensor: sparse + sparse is a SparseTensor
    (sums with magnitude below `threshold` dropped); sparse + dense is dense."""
    from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue

    if thresh is not None:
        threshold = thresh
    sparse_types = (SparseTensor, SparseTensorValue)
    if not any(isinstance(x, sparse_types) for x in (a, b)):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add?")
    if all(isinstance(x, sparse_types) for x in (a, b)):
        a, b = _sparse(a), _sparse(b)
        a.shape.assert_is_compatible_with(b.shape)
        thresh_t = convert_to_tensor(threshold, dtype=a.values.dtype.real_dtype, name="threshold")
        op = apply_op(
            "SparseAdd",
            None,
            [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape, thresh_t],
        )
        shape_value = common_shapes.constant_value(a.dense_shape)
        dense_shape = op._outputs[2] if shape_value is None else shape_value
        return _make_sparse(op._outputs[0], op._outputs[1], dense_shape)
    if isinstance(b, sparse_types):
        a, b = b, a
    a = _sparse(a)
    b = convert_to_tensor(b, dtype=a.dtype)
    return op_output("SparseTensorDenseAdd", None, [a.indices, a.values, a.dense_shape, b])


# -- sparse_placeholder ---------------------------------------------------------------
def sparse_placeholder(dtype, shape=None, name=None):
    """A SparseTensor whose indices, values and dense shape are fed: feed it a
    `SparseTensorValue` or an `(indices, values, dense_shape)` tuple."""
    from tfgraph.framework.sparse_tensor import SparseTensor
    from tfgraph.framework.tensor_shape import as_shape

    if shape is None:
        values = array_ops.placeholder(dtype, shape=[None], name=_sub(name, "values"))
        indices = array_ops.placeholder(
            dtypes.int64, shape=[None, None], name=_sub(name, "indices")
        )
        dense_shape = array_ops.placeholder(dtypes.int64, shape=[None], name=_sub(name, "shape"))
        return SparseTensor(indices, values, dense_shape)
    shape = as_shape(shape)
    rank = shape.rank
    if rank is None:
        dense_shape = array_ops.placeholder(dtypes.int64, shape=[None], name=_sub(name, "shape"))
    else:
        default = np.asarray([-1 if d is None else d for d in shape.as_list()], np.int64)
        dense_shape = array_ops.placeholder_with_default(default, [rank], name=_sub(name, "shape"))
    values = array_ops.placeholder(dtype, shape=[None], name=_sub(name, "values"))
    indices = array_ops.placeholder(dtypes.int64, shape=[None, rank], name=_sub(name, "indices"))
    sp = SparseTensor(indices, values, dense_shape)
    sp._static_shape = shape
    return sp


def _sub(name, part):
    return None if name is None else f"{name}/{part}"
