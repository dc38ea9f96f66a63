"""SparseToDense (`tf.sparse.to_dense`, `tf.sparse_tensor_to_dense`): a SparseTensor's
values scattered into a dense tensor, with TF's index checks and gradient."""

from __future__ import annotations

from typing import Any

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
        indices = np.asarray(indices)
        if indices.ndim < 2:  # (a vector of 1-D indices, or one scalar index)
            indices = indices.reshape(
                indices.size if indices.ndim else 1, -1 if indices.size else 1
            )
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
    """A SparseTensor whose static shape is what TF infers from `dense_shape`'s value."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    sp = SparseTensor(indices, values, dense_shape)
    if sp.dense_shape.op._type in ("SparseSlice", "SparseReshape"):
        # (values only C++ shape inference folds: TF's Python SparseTensor.shape does not)
        sp._static_shape = common_shapes.tf_constant_value_as_shape(sp.dense_shape)
    elif not sp.dense_shape.op._op_def.constant:
        sp._static_shape = common_shapes.constant_value_as_shape(sp.dense_shape)
    return sp


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


def _dense_dim0(op, at: int):
    value = common_shapes.constant_value(op._inputs[at])
    return None if value is None or len(value) == 0 else int(value[0])


def _indices2(indices) -> np.ndarray:
    indices = np.asarray(indices, dtype=np.int64)
    if indices.ndim == 2:  # (reshape cannot infer -1 for an empty [0, rank])
        return indices
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


def sparse_reorder(sp_input, name=None):
    """The same SparseTensor with its entries in row-major (canonical) order."""
    sp_input = _sparse(sp_input)
    op = apply_op("SparseReorder", name, [sp_input.indices, sp_input.values, sp_input.dense_shape])
    static = sp_input.shape
    if static.is_fully_defined():  # (TF: a constant dense shape, else an Identity of it)
        return _make_sparse(op._outputs[0], op._outputs[1], static.as_list())
    out = _make_sparse(op._outputs[0], op._outputs[1], array_ops.identity(sp_input.dense_shape))
    out._static_shape = static
    return out


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
    """The SparseTensor with dense shape `shape` (one dimension may be -1). As TF, its
    dense shape is a constant when TF's Python folding knows the new shape and the input
    is fully defined (the ops built are TF's, so later ops' seeds match TF's)."""
    from tfgraph.framework.graph import get_default_graph

    sp_input = _sparse(sp_input)
    shape = array_ops.cast(shape, dtypes.int64)
    with get_default_graph().name_scope(name or "SparseReshape") as scope:
        op = apply_op("SparseReshape", scope, [sp_input.indices, sp_input.dense_shape, shape])
        reshaped_shape = op._outputs[1]
        const = common_shapes.tf_constant_value_as_shape(shape)
        dims = const.as_list() if const.rank is not None else None
        if dims is not None and sp_input.shape.is_fully_defined():
            user = common_shapes.tf_constant_value(shape)
            if user is not None and sum(int(d) == -1 for d in np.asarray(user).reshape(-1)) > 1:
                raise ValueError(f"At most one dimension can be inferred (-1). Found: {list(user)}")
            original = list(dims)
            in_size = int(np.prod(sp_input.shape.as_list()))
            implied = sum(d is None for d in dims)
            if implied == 1 and 0 not in dims:
                i = original.index(None)
                dims[i] = int(in_size // np.prod(original[:i] + original[i + 1 :]))
            if implied == 0 or (implied == 1 and 0 not in dims):
                size = int(np.prod(dims))
                if size != in_size:
                    raise ValueError(
                        f"Cannot reshape a tensor with {in_size} elements to shape "
                        f"{original} ({size} elements)."
                    )
                reshaped_shape = constant(np.asarray(dims, np.int64))
        return _make_sparse(op._outputs[0], array_ops.identity(sp_input.values), reshaped_shape)


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


def sparse_reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """The sum of a SparseTensor's values along `axis` (all axes by default), dense."""
    op = _reduce("SparseReduceSum", sp_input, axis, keepdims, reduction_axes, keep_dims, None)
    return op._outputs[0]


def sparse_reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """The maximum of a SparseTensor's values along `axis` (all axes by default), dense;
    positions with no value reduce to the dtype's lowest value."""
    op = _reduce("SparseReduceMax", sp_input, axis, keepdims, reduction_axes, keep_dims, None)
    return op._outputs[0]


def sparse_reduce_sum_sparse(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None
):
    """`sparse_reduce_sum` as a SparseTensor."""
    op = _reduce("SparseReduceSumSparse", sp_input, axis, keepdims, reduction_axes, keep_dims, None)
    return _make_sparse(*op._outputs)


def sparse_reduce_max_sparse(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None
):
    """`sparse_reduce_max` as a SparseTensor."""
    op = _reduce("SparseReduceMaxSparse", sp_input, axis, keepdims, reduction_axes, keep_dims, None)
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


def sparse_add(a, b, threshold=None, thresh=None):
    """`a + b` where at least one is a SparseTensor: sparse + sparse is a SparseTensor
    (sums with magnitude below `threshold` dropped); sparse + dense is dense."""
    from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue

    if thresh is not None:
        threshold = thresh
    if threshold is None:
        threshold = 0
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


def _fmt_list(values) -> str:
    return "[" + ",".join(str(int(v)) for v in values) + "]"


# -- SparseConcat -------------------------------------------------------------------------
def _sparse_concat_shape(op):
    n = int(op._attrs["N"])
    rank = None
    for i in range(n):
        rank = rank or _rank_of(op, i, 2 * n + i)
    nnz = [_nnz(op, i) for i in range(n)]
    total = None if any(x is None for x in nnz) else sum(nnz)
    return [TensorShape([total, rank]), TensorShape([total]), TensorShape([rank])]


def _sparse_concat_kernel(op, ctx):
    n = int(op._attrs["N"])
    concat_dim = int(op._attrs["concat_dim"])

    def kernel(*args):
        indices = [_indices2(x) for x in args[:n]]
        values = [np.asarray(x) for x in args[n : 2 * n]]
        shapes = [np.asarray(x, np.int64) for x in args[2 * n :]]
        rank = len(shapes[0])
        if not -rank <= concat_dim < rank:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Concat dimension must be in range [{-rank}, {rank}), got {concat_dim}",
            )
        dim = concat_dim % rank
        for i, s in enumerate(shapes[1:], 1):
            if len(s) != rank:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Ranks of all input tensors must match: expected {rank} but got "
                    f"{len(s)} at position {i}",
                )
            for d in range(rank):
                if d != dim and s[d] != shapes[0][d]:
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"Input shapes must match: expected {shapes[0][d]} for dimension "
                        f"{d} but got {s[d]} at position {i}",
                    )
        offset = 0
        parts = []
        for ind, s in zip(indices, shapes):
            ind = ind.copy()
            ind[:, dim] += offset
            offset += int(s[dim])
            parts.append(ind)
        all_indices = np.concatenate(parts, axis=0) if parts else np.zeros((0, rank), np.int64)
        all_values = np.concatenate(values)
        if dim != 0:
            order = _order(all_indices)
            all_indices, all_values = all_indices[order], all_values[order]
        out_shape = shapes[0].copy()
        out_shape[dim] = offset
        return all_indices, all_values, out_shape

    return kernel


register_op(
    "SparseConcat",
    inputs=["indices: N * int64", "values: N * T", "shapes: N * int64"],
    outputs=["output_indices: int64", "output_values: T", "output_shape: int64"],
    attrs=["concat_dim: int", "N: int >= 2", "T: type"],
    shape=_sparse_concat_shape,
    make_kernel=_sparse_concat_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def sparse_concat(
    axis,
    sp_inputs,
    name=None,
    expand_nonconcat_dim=False,
    concat_dim=None,
    expand_nonconcat_dims=None,
):
    """Concatenates SparseTensors along `axis` (their other dimensions must match)."""
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    if concat_dim is not None:
        axis = concat_dim
    if expand_nonconcat_dim:
        raise NotImplementedError(
            "tfgraph's sparse_concat does not support expand_nonconcat_dim=True yet"
        )
    sp_inputs = [_sparse(sp, "sp_inputs") for sp in sp_inputs]
    if len(sp_inputs) == 1:
        return sp_inputs[0]
    axis = int(axis)
    op = apply_op(
        "SparseConcat",
        name,
        [
            [sp.indices for sp in sp_inputs],
            [sp.values for sp in sp_inputs],
            [sp.dense_shape for sp in sp_inputs],
        ],
        {"concat_dim": axis, "N": len(sp_inputs)},
    )
    static = [common_shapes.constant_value(sp.dense_shape) for sp in sp_inputs]
    if all(s is not None for s in static):
        rank = len(static[0])
        shape = np.asarray(static[0], np.int64).copy()
        shape[axis % rank] = sum(int(s[axis % rank]) for s in static)
        dense_shape = shape
    else:
        dense_shape = op._outputs[2]
    return _make_sparse(op._outputs[0], op._outputs[1], dense_shape)


# -- SparseSlice, SparseSliceGrad ---------------------------------------------------------
def _slice_entries(indices, shape, start, size):
    start = np.asarray(start, np.int64)
    size = np.asarray(size, np.int64)
    shape = np.asarray(shape, np.int64)
    end = np.minimum(start + size, shape)
    keep = np.all((indices >= start) & (indices < end), axis=1)
    out_shape = np.maximum(end - start, 0)
    return keep, out_shape


def _sparse_slice_kernel(op, ctx):
    def kernel(indices, values, shape, start, size):
        indices = _indices2(indices)
        rank = len(shape)
        if len(start) != rank or len(size) != rank:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Expected start and size to have length {rank} but got {len(start)} and "
                f"{len(size)}",
            )
        keep, out_shape = _slice_entries(indices, shape, start, size)
        return (
            indices[keep] - np.asarray(start, np.int64),
            np.asarray(values)[keep],
            out_shape.astype(np.int64),
        )

    return kernel


def _sparse_slice_grad(op, *grads):
    val_grad = op_output(
        "SparseSliceGrad", None, [grads[1], op.inputs[0], op.inputs[3], op.outputs[0]]
    )
    val_grad.set_shape(op.inputs[1].shape)
    return [None, val_grad, None, None, None]


register_op(
    "SparseSlice",
    inputs=["indices: int64", "values: T", "shape: int64", "start: int64", "size: int64"],
    outputs=["output_indices: int64", "output_values: T", "output_shape: int64"],
    attrs=["T: type"],
    shape=lambda op: [
        TensorShape([None, _rank_of(op, 0, 2)]),
        TensorShape([None]),
        TensorShape([_rank_of(op, 0, 2)]),
    ],
    make_kernel=_sparse_slice_kernel,
    grad=_sparse_slice_grad,
)


def _sparse_slice_grad_kernel(op, ctx):
    def kernel(grad, input_indices, input_start, output_indices):
        input_indices = _indices2(input_indices)
        output_indices = _indices2(output_indices)
        grad = np.asarray(grad)
        where = {tuple(ix): i for i, ix in enumerate(output_indices.tolist())}
        shifted = (input_indices - np.asarray(input_start, np.int64)).tolist()
        out = np.zeros(input_indices.shape[0], grad.dtype)
        for i, ix in enumerate(shifted):
            j = where.get(tuple(ix))
            if j is not None:
                out[i] = grad[j]
        return out

    return kernel


register_op(
    "SparseSliceGrad",
    inputs=[
        "backprop_val_grad: T",
        "input_indices: int64",
        "input_start: int64",
        "output_indices: int64",
    ],
    outputs=["val_grad: T"],
    attrs=["T: type"],
    shape=lambda op: [TensorShape([_nnz(op, 1)])],
    make_kernel=_sparse_slice_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def sparse_slice(sp_input, start, size, name=None):
    """The part of `sp_input` in the box at `start` of `size` (clipped to its shape)."""
    sp_input = _sparse(sp_input)
    start = convert_to_tensor(start, dtypes.int64)
    size = convert_to_tensor(size, dtypes.int64)
    op = apply_op(
        "SparseSlice", name, [sp_input.indices, sp_input.values, sp_input.dense_shape, start, size]
    )
    return _make_sparse(*op._outputs)


# -- SparseSplit -----------------------------------------------------------------------
def _split_bounds(dim: int, num_split: int) -> list[tuple[int, int]]:
    size, extra = divmod(dim, num_split)
    bounds, lo = [], 0
    for i in range(num_split):
        hi = lo + size + (1 if i < extra else 0)
        bounds.append((lo, hi))
        lo = hi
    return bounds


def _sparse_split_kernel(op, ctx):
    num_split = int(op._attrs["num_split"])

    def kernel(split_dim, indices, values, shape):
        indices = _indices2(indices)
        values = np.asarray(values)
        shape = np.asarray(shape, np.int64)
        rank = len(shape)
        axis = int(split_dim)
        if not -rank <= axis < rank:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input split_dim should be between -{rank} and {rank}, got {axis}",
            )
        axis %= rank
        if num_split > shape[axis]:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Input num_split should be between 1 and the splitting dimension size "
                f"({shape[axis]}), got {num_split}",
            )
        out_i, out_v, out_s = [], [], []
        for lo, hi in _split_bounds(int(shape[axis]), num_split):
            keep = (indices[:, axis] >= lo) & (indices[:, axis] < hi)
            ind = indices[keep].copy()
            ind[:, axis] -= lo
            out_i.append(ind)
            out_v.append(values[keep])
            s = shape.copy()
            s[axis] = hi - lo
            out_s.append(s)
        return tuple(out_i + out_v + out_s)

    return kernel


def _sparse_split_shape(op):
    n = int(op._attrs["num_split"])
    rank = _rank_of(op, 1, 3)
    return [TensorShape([None, rank])] * n + [TensorShape([None])] * n + [TensorShape([rank])] * n


register_op(
    "SparseSplit",
    inputs=["split_dim: int64", "indices: int64", "values: T", "shape: int64"],
    outputs=[
        "output_indices: num_split * int64",
        "output_values: num_split * T",
        "output_shape: num_split * int64",
    ],
    attrs=["num_split: int >= 1", "T: type"],
    shape=_sparse_split_shape,
    make_kernel=_sparse_split_kernel,
    grad=NOT_DIFFERENTIABLE,
)


class KeywordRequired:
    """The default of a first parameter that makes callers name the others (TF's
    marker: a positional argument replaces it and is refused)."""

    def __repr__(self) -> str:
        return "KW ARGS REQUIRED"


_KEYWORD_REQUIRED = KeywordRequired()


def sparse_split(
    keyword_required=_KEYWORD_REQUIRED,
    sp_input=None,
    num_split=None,
    axis=None,
    name=None,
    split_dim=None,
):
    """Splits `sp_input` into `num_split` SparseTensors along `axis` (the first
    `shape[axis] % num_split` pieces one larger)."""
    if not isinstance(keyword_required, KeywordRequired):
        raise ValueError("Keyword arguments are required for this function.")
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None:
        axis = split_dim
    if axis is None:
        raise ValueError("axis is required")
    sp_input = _sparse(sp_input)
    n = int(num_split)
    op = apply_op(
        "SparseSplit",
        name,
        [
            convert_to_tensor(axis, dtypes.int64),
            sp_input.indices,
            sp_input.values,
            sp_input.dense_shape,
        ],
        {"num_split": n},
    )
    outs = op._outputs
    return [_make_sparse(outs[i], outs[n + i], outs[2 * n + i]) for i in range(n)]


# -- SparseSparseMaximum / Minimum --------------------------------------------------------
def _sparse_sparse_cwise_kernel(fn):
    def make(op, ctx):
        def kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape):
            if not np.array_equal(np.asarray(a_shape), np.asarray(b_shape)):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "Operands do not have the same ranks; got shapes: "
                    f"{_fmt_list(a_shape)} and {_fmt_list(b_shape)}"
                    if len(a_shape) != len(b_shape)
                    else f"Operands' shapes do not match: got {_fmt_list(a_shape)} and "
                    f"{_fmt_list(b_shape)}",
                )
            a_indices, b_indices = _indices2(a_indices), _indices2(b_indices)
            a_values, b_values = np.asarray(a_values), np.asarray(b_values)
            zero = a_values.dtype.type(0)
            a = {tuple(ix): v for ix, v in zip(a_indices.tolist(), a_values)}
            b = {tuple(ix): v for ix, v in zip(b_indices.tolist(), b_values)}
            keys = sorted(set(a) | set(b))
            out = [fn(a.get(k, zero), b.get(k, zero)) for k in keys]
            rank = len(a_shape)
            return (
                np.asarray(keys, np.int64).reshape(len(keys), rank),
                np.asarray(out, a_values.dtype).reshape(len(keys)),
            )

        return kernel

    return make


def _no_grad(kind):
    def grad(op, *grads):
        raise NotImplementedError(f"Gradient for SparseSparse{kind} is not implemented.")

    return grad


for _kind, _fn in (("Maximum", np.maximum), ("Minimum", np.minimum)):
    register_op(
        f"SparseSparse{_kind}",
        inputs=[
            "a_indices: int64",
            "a_values: T",
            "a_shape: int64",
            "b_indices: int64",
            "b_values: T",
            "b_shape: int64",
        ],
        outputs=["output_indices: int64", "output_values: T"],
        attrs=["T: {float, double, int32, int64, uint8, int16, int8, uint16, half, bfloat16}"],
        shape=lambda op: [TensorShape([None, None]), TensorShape([None])],
        make_kernel=_sparse_sparse_cwise_kernel(_fn),
        grad=_no_grad(_kind),
    )


def _sparse_sparse(op_type, sp_a, sp_b, name):
    sp_a, sp_b = _sparse(sp_a, "sp_a"), _sparse(sp_b, "sp_b")
    op = apply_op(
        op_type,
        name,
        [sp_a.indices, sp_a.values, sp_a.dense_shape, sp_b.indices, sp_b.values, sp_b.dense_shape],
    )
    return _make_sparse(op._outputs[0], op._outputs[1], sp_a.dense_shape)


def sparse_maximum(sp_a, sp_b, name=None):
    """The elementwise maximum of two SparseTensors of one shape (an entry missing on one
    side counts as 0)."""
    return _sparse_sparse("SparseSparseMaximum", sp_a, sp_b, name)


def sparse_minimum(sp_a, sp_b, name=None):
    """The elementwise minimum of two SparseTensors of one shape (an entry missing on one
    side counts as 0)."""
    return _sparse_sparse("SparseSparseMinimum", sp_a, sp_b, name)


# -- SparseFillEmptyRows, SparseFillEmptyRowsGrad ----------------------------------------
def _sparse_fill_empty_rows_kernel(op, ctx):
    def kernel(indices, values, dense_shape, default_value):
        indices = _indices2(indices)
        values = np.asarray(values)
        dense_shape = np.asarray(dense_shape, np.int64)
        if dense_shape.size == 0:
            raise errors.InvalidArgumentError(None, op, "dense_shape must not be empty")
        rows = int(dense_shape[0])
        n = indices.shape[0]
        for i in range(n):
            r = indices[i, 0]
            if not 0 <= r < rows:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"indices({i}, 0) is invalid: {r} >= {rows}"
                    if r >= rows
                    else f"indices({i}, 0) is invalid: {r} < 0",
                )
        empty = np.ones(rows, bool)
        empty[indices[:, 0]] = False
        empty_rows = np.nonzero(empty)[0]
        filler = np.zeros((empty_rows.size, indices.shape[1]), np.int64)
        filler[:, 0] = empty_rows
        all_indices = np.concatenate([indices, filler])
        default = np.asarray(default_value).reshape(())
        all_values = np.concatenate([values, np.full(empty_rows.size, default, values.dtype)])
        order = np.argsort(all_indices[:, 0], kind="stable")
        reverse = np.empty(n, np.int64)
        position = np.empty(order.size, np.int64)
        position[order] = np.arange(order.size)
        reverse[:] = position[:n]
        return all_indices[order], all_values[order], empty, reverse

    return kernel


def _sparse_fill_empty_rows_grad(op, *grads):
    d_values, d_default = apply_op(
        "SparseFillEmptyRowsGrad", None, [op.outputs[3], grads[1]]
    )._outputs
    return [None, d_values, None, d_default]


register_op(
    "SparseFillEmptyRows",
    inputs=["indices: int64", "values: T", "dense_shape: int64", "default_value: T"],
    outputs=[
        "output_indices: int64",
        "output_values: T",
        "empty_row_indicator: bool",
        "reverse_index_map: int64",
    ],
    attrs=["T: type"],
    shape=lambda op: [
        TensorShape([None, _rank_of(op, 0, 2)]),
        TensorShape([None]),
        TensorShape([_dense_dim0(op, 2)]),
        TensorShape([_nnz(op, 0)]),
    ],
    make_kernel=_sparse_fill_empty_rows_kernel,
    grad=_sparse_fill_empty_rows_grad,
)


def _sparse_fill_empty_rows_grad_kernel(reverse_index_map, grad_values):
    grad_values = np.asarray(grad_values)
    reverse = np.asarray(reverse_index_map, np.int64)
    d_values = grad_values[reverse]
    visited = np.zeros(grad_values.shape[0], bool)
    visited[reverse] = True
    d_default = grad_values[~visited].sum(dtype=grad_values.dtype)
    return d_values, np.asarray(d_default, grad_values.dtype)


register_op(
    "SparseFillEmptyRowsGrad",
    inputs=["reverse_index_map: int64", "grad_values: T"],
    outputs=["d_values: T", "d_default_value: T"],
    attrs=["T: type"],
    shape=lambda op: [TensorShape([_nnz(op, 0)]), TensorShape([])],
    kernel=_sparse_fill_empty_rows_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """`sp_input` with a `default_value` entry at column 0 of every empty row, and the
    boolean vector of which rows were empty."""
    from tfgraph.framework.graph import get_default_graph

    sp_input = _sparse(sp_input)
    with get_default_graph().name_scope(name or "SparseFillEmptyRows"):
        default_value = convert_to_tensor(default_value, dtype=sp_input.values.dtype)
        op = apply_op(
            "SparseFillEmptyRows",
            "SparseFillEmptyRows",
            [sp_input.indices, sp_input.values, sp_input.dense_shape, default_value],
        )
        return _make_sparse(op._outputs[0], op._outputs[1], sp_input.dense_shape), op._outputs[2]


# -- SparseDenseCwiseAdd/Mul/Div (and SparseTensor's * and /), SparseSoftmax ----------------
def _truncating_div(x, y):
    if np.issubdtype(x.dtype, np.integer):  # C++ integer division truncates toward zero
        q = np.abs(x) // np.abs(y)
        return np.where((x < 0) != (y < 0), -q, q).astype(x.dtype)
    return np.true_divide(x, y).astype(x.dtype)


def _sparse_dense_cwise_kernel(fn, divides: bool):
    def make(op, ctx):
        def kernel(sp_indices, sp_values, sp_shape, dense):
            indices = _indices2(sp_indices)
            dense = np.asarray(dense)
            shape = tuple(int(d) for d in sp_shape)
            try:
                full = np.broadcast_to(dense, shape)
            except ValueError:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got "
                    f"incompatible shapes: {_fmt_list(shape)} vs. {_fmt_list(dense.shape)}",
                ) from None
            if divides and np.issubdtype(dense.dtype, np.integer) and not dense.all():
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "SparseDenseCwiseDiv cannot divide by zero,but input dense tensor "
                    "contains zero ",
                )
            return fn(np.asarray(sp_values), full[tuple(indices.T)])

        return kernel

    return make


def _sparse_dense_cwise_add_grad(op, grad):
    raise NotImplementedError("Gradient for SparseDenseCwiseAdd is currently not implemented yet.")


def _sparse_dense_cwise_mul_or_div_grad(is_mul: bool):
    """TF's gradient: d/dvalues at the dense values' broadcast positions, and d/ddense
    scattered back onto the dense operand's shape."""

    def grad_fn(op, grad):
        x_indices, x_shape, y = op.inputs[0], op.inputs[2], op.inputs[3]
        y_shape = array_ops.cast(array_ops.shape(y), dtypes.int64)
        num_added_dims = array_ops.expand_dims(array_ops.size(x_shape) - array_ops.size(y_shape), 0)
        augmented_y_shape = array_ops.concat(
            [array_ops.ones(num_added_dims, dtypes.int64), y_shape], 0
        )
        scaling = x_shape // augmented_y_shape
        scaled_indices = x_indices // scaling
        scaled_indices = array_ops.slice(
            scaled_indices, array_ops.concat([[0], num_added_dims], 0), [-1, -1]
        )
        dense_vals = array_ops.gather_nd(y, scaled_indices)
        if is_mul:
            dx = grad * dense_vals
            dy_val = grad * op.inputs[1]
        else:
            dx = grad / dense_vals
            dy_val = grad * (-op.inputs[1] / math_ops.square(dense_vals))
        dy = sparse_add(array_ops.zeros_like(y), _make_sparse(scaled_indices, dy_val, y_shape))
        return [None, dx, None, dy]

    return grad_fn


_CWISE: tuple[tuple[str, Any, Any], ...] = (
    ("Add", np.add, _sparse_dense_cwise_add_grad),
    ("Mul", np.multiply, _sparse_dense_cwise_mul_or_div_grad(True)),
    ("Div", _truncating_div, _sparse_dense_cwise_mul_or_div_grad(False)),
)
for _name, _fn, _grad in _CWISE:
    register_op(
        f"SparseDenseCwise{_name}",
        inputs=["sp_indices: int64", "sp_values: T", "sp_shape: int64", "dense: T"],
        outputs=["output: T"],
        attrs=["T: numbertype"],
        shape=lambda op: [TensorShape([_nnz(op, 0)])],
        make_kernel=_sparse_dense_cwise_kernel(_fn, divides=_name == "Div"),
        grad=_grad,
    )

# Conversions of `sp / dense` for integer values (None: no conversion), as TF's.
_TRUEDIV_TABLE = {
    "uint8": dtypes.float32,
    "int8": dtypes.float32,
    "uint16": dtypes.float32,
    "int16": dtypes.float32,
    "uint32": dtypes.float64,
    "int32": dtypes.float64,
    "uint64": dtypes.float64,
    "int64": dtypes.float64,
    "bfloat16": None,
    "float16": None,
    "float32": None,
    "float64": None,
    "complex64": None,
    "complex128": None,
}


def _cwise(kind: str):
    def build(sp_indices, sp_values, sp_shape, y, name=None):
        return op_output(f"SparseDenseCwise{kind}", name, [sp_indices, sp_values, sp_shape, y])

    return build


def _sparse_dense_truediv(sp_indices, sp_values, sp_shape, y, name=None):
    from tfgraph.framework.graph import get_default_graph

    with get_default_graph().name_scope(name or "truediv") as scope:
        sp_values = convert_to_tensor(sp_values, name="sp_values")
        y = convert_to_tensor(y, name="y")
        x_dtype, y_dtype = sp_values.dtype.base_dtype, y.dtype.base_dtype
        if x_dtype != y_dtype:
            raise TypeError(
                f"`x` and `y` must have the same dtype, got {x_dtype!r} != {y_dtype!r}."
            )
        if x_dtype.name not in _TRUEDIV_TABLE:
            raise TypeError(f"Invalid dtype {x_dtype!r} in __truediv__.")
        dtype = _TRUEDIV_TABLE[x_dtype.name]
        if dtype is not None:
            sp_values = op_output("Cast", None, [sp_values], {"DstT": dtype})
            y = op_output("Cast", None, [y], {"DstT": dtype})
        return _cwise("Div")(sp_indices, sp_values, sp_shape, y, name=scope)


def sparse_dense_binary_operator(sp_x, y, op_name: str):
    """`sp_x <op> y` for the operators TF gives SparseTensor ("mul", "div",
    "truediv"): its values combined with `y` broadcast to its dense shape."""
    from tfgraph.framework.graph import get_default_graph

    build = {"mul": _cwise("Mul"), "div": _cwise("Div"), "truediv": _sparse_dense_truediv}[op_name]
    with get_default_graph().name_scope(op_name) as scope:
        y = convert_to_tensor(y, dtype=sp_x.dtype.base_dtype, name="y")
        values = build(sp_x.indices, sp_x.values, sp_x.dense_shape, y, name=scope)
        return _make_sparse(sp_x.indices, values, sp_x.dense_shape)


def dense_times_sparse(x, sp_y, name=None):
    """`dense * sparse` (TF's _mul_dispatch): a SparseTensor of sp_y's values times x."""
    values = _cwise("Mul")(sp_y.indices, sp_y.values, sp_y.dense_shape, x, name)
    return _make_sparse(sp_y.indices, values, sp_y.dense_shape)


def _sparse_softmax_kernel(op, ctx):
    def kernel(sp_indices, sp_values, sp_shape):
        indices = _indices2(sp_indices)
        values = np.asarray(sp_values)
        if len(sp_shape) < 2:
            raise errors.InvalidArgumentError(
                None, op, f"Input should have rank >= 2, but received shape: {_fmt_list(sp_shape)}"
            )
        out = np.empty_like(values)
        groups: dict = {}
        for i, key in enumerate(map(tuple, indices[:, :-1].tolist())):
            groups.setdefault(key, []).append(i)
        for rows in groups.values():
            v = values[rows]
            e = np.exp(v - v.max())
            out[rows] = e / e.sum()
        return out

    return kernel


def _sparse_softmax_grad(op, grad):
    indices, shape = op.inputs[0], op.inputs[2]
    out_vals = op.outputs[0]
    sp_product = _make_sparse(indices, out_vals * grad, shape)
    sum_reduced = -sparse_reduce_sum(sp_product, [-1], keepdims=True)
    sp_sum = op_output("SparseDenseCwiseAdd", None, [indices, grad, shape, sum_reduced])
    return [None, sp_sum * out_vals, None]


register_op(
    "SparseSoftmax",
    inputs=["sp_indices: int64", "sp_values: T", "sp_shape: int64"],
    outputs=["output: T"],
    attrs=["T: {half, float, double}"],
    shape=lambda op: [TensorShape([_nnz(op, 1)])],
    make_kernel=_sparse_softmax_kernel,
    grad=_sparse_softmax_grad,
)


def sparse_softmax(sp_input, name=None):
    """Softmax over the last dimension of `sp_input`, among its present entries only."""
    from tfgraph.framework.graph import get_default_graph

    sp_input = _sparse(sp_input)
    with get_default_graph().name_scope(name or "SparseSoftmax"):
        out = op_output(
            "SparseSoftmax",
            "SparseSoftmax",
            [sp_input.indices, sp_input.values, sp_input.dense_shape],
        )
        return _make_sparse(sp_input.indices, out, sp_input.dense_shape)


# -- Python-level composites: reset_shape, merge, to_indicator, mask ----------------------
def sparse_reset_shape(sp_input, new_shape=None):
    """`sp_input` with dense shape `new_shape` (no smaller than its own), or, without it,
    the tight bounding box of its indices."""
    from tfgraph.ops import check_ops, control_flow_ops

    sp_input = _sparse(sp_input)
    in_indices = array_ops.identity(sp_input.indices)
    in_values = array_ops.identity(sp_input.values)
    in_shape = array_ops.identity(sp_input.dense_shape)
    if new_shape is None:
        low = math_ops.reduce_max(in_indices, axis=0)
        out_shape = math_ops.maximum(
            constant(0, dtype=dtypes.int64), math_ops.add(low, array_ops.ones_like(in_shape))
        )
        out = _make_sparse(in_indices, in_values, out_shape)
        n = out_shape.shape.as_list()[0] if out_shape.shape.rank == 1 else None
        # (TF's constant folding for static shapes stops at Max: a bounding box is only
        # known when the graph runs)
        out._static_shape = TensorShape(None if n is None else [None] * n)
        return out
    out_shape = convert_to_tensor(new_shape)
    out_shape.shape.with_rank(1)
    out_shape = array_ops.cast(out_shape, dtypes.int64)
    if out_shape.shape.rank is not None:
        a, b = out_shape.shape.as_list()[0], in_shape.shape.as_list()[0]
        if a is not None and b is not None and a != b:
            raise ValueError(f"Dimensions {a} and {b} are not compatible")
    const = common_shapes.constant_value(out_shape)
    in_static = sp_input.shape
    if const is not None and in_static.is_fully_defined():
        in_const = np.array(in_static.as_list())
        if not np.all(in_const <= const):
            raise ValueError(
                "Requested new_shape should have dimension sizes >= sp_input.shape.  Found "
                f"new_shape ({in_const}), sp_input.shape ({const})."
            )
        return _make_sparse(in_indices, in_values, np.asarray(const, np.int64))
    out_shape = control_flow_ops.with_dependencies(
        [check_ops.assert_equal(array_ops.shape(in_shape), array_ops.shape(out_shape))],
        out_shape,
    )
    out_shape = control_flow_ops.with_dependencies(
        [check_ops.assert_less_equal(in_shape, out_shape)], out_shape
    )
    return _make_sparse(in_indices, in_values, out_shape)


def _sparse_merge_impl(sp_ids, sp_values, vocab_size, name=None, already_sorted=False):
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.framework.ops import Tensor

    if isinstance(sp_ids, (list, tuple)):
        if not isinstance(vocab_size, (list, tuple)):
            raise TypeError(
                f"vocab_size has to be a list of Tensors or Python ints. Found {type(vocab_size)}"
            )
    else:
        sp_ids, vocab_size = [sp_ids], [vocab_size]
    for dim in vocab_size:
        if not isinstance(dim, (Tensor, int, np.integer)):
            raise TypeError(
                f"vocab_size has to be a list of Tensors or Python ints. Found {type(dim)}"
            )
    if len(sp_ids) != len(vocab_size):
        raise ValueError("sp_ids and vocab_size have to have equal lengths.")
    with get_default_graph().name_scope(name or "SparseMerge"):
        sp_ids = [_sparse(s, "sp_ids") for s in sp_ids]
        sp_values = _sparse(sp_values, "sp_values")
        ids = []
        for s in sp_ids:
            ids_dim = s.values
            if ids_dim.dtype != dtypes.int64:
                ids_dim = array_ops.cast(ids_dim, dtypes.int64)
            ids.append(array_ops.expand_dims(ids_dim, axis=1))
        vocab = [array_ops.cast(x, dtypes.int64) for x in vocab_size]
        keep = sp_ids[0].indices[:, :-1]
        new_indices = array_ops.concat([keep] + ids, 1)
        new_shape = array_ops.concat([sp_ids[0].dense_shape[:-1], vocab], 0)
        result = _make_sparse(new_indices, sp_values.values, new_shape)
        if already_sorted:
            return result
        ordered = sparse_reorder(result)
        return _make_sparse(ordered.indices, ordered.values, new_shape)


def sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False):
    """A SparseTensor whose last dimension is indexed by the ids `sp_ids` (of size
    `vocab_size`), holding `sp_values`' values (deprecated in TF, still in its API)."""
    return _sparse_merge_impl(sp_ids, sp_values, vocab_size, name, already_sorted)


def sparse_to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor, true at `[..., id]` for each id in the last dimension of the
    integer SparseTensor `sp_input`."""
    from tfgraph.framework.graph import get_default_graph

    sp_input = _sparse(sp_input)
    with get_default_graph().name_scope(name or "SparseToIndicator") as scope:
        num_entries = array_ops.shape(sp_input.indices)[0]
        new_values = array_ops.fill(array_ops.expand_dims(num_entries, 0), True)
        sp_values = _make_sparse(sp_input.indices, new_values, sp_input.dense_shape)
        sp_new = _sparse_merge_impl(sp_input, sp_values, vocab_size, scope)
        return sparse_tensor_to_dense(
            sp_new, default_value=False, validate_indices=False, name=scope
        )


def sparse_mask(a, mask_indices, name=None):
    """The IndexedSlices `a` without the slices whose index is in `mask_indices`."""
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.framework.indexed_slices import IndexedSlices

    with get_default_graph().name_scope(name or "sparse_mask") as scope:
        indices = a.indices
        out_indices, to_gather = array_ops.setdiff1d(indices, mask_indices)
        out_values = array_ops.gather(a.values, to_gather, name=scope)
        return IndexedSlices(out_values, out_indices, a.dense_shape)


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """A SparseTensor for a SparseTensor or SparseTensorValue, else `convert_to_tensor`."""
    from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue

    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype and not dtype.is_compatible_with(value.dtype):
            raise RuntimeError(
                f"Sparse dtype mismatch. Requested: {dtype.name},  Actual: {value.dtype.name}"
            )
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


# -- SerializeSparse, SerializeManySparse, DeserializeManySparse ------------------------------
def _tensor_bytes(array, dtype) -> bytes:
    """A serialized TensorProto as TF's `Tensor::AsProtoTensorContent` writes it: raw
    little-endian `tensor_content` (strings as `string_val`)."""
    from tfgraph import proto
    from tfgraph.io.tensor_proto import shape_to_proto

    array = np.asarray(array)
    tensor = proto.TensorProto()
    tensor.dtype = dtype.as_datatype_enum
    tensor.tensor_shape.CopyFrom(shape_to_proto(list(array.shape)))
    if dtype == dtypes.string:
        tensor.string_val.extend(
            v if isinstance(v, bytes) else str(v).encode() for v in array.reshape(-1)
        )
    else:
        little = np.ascontiguousarray(array, dtype=dtype.np_dtype).astype(
            np.dtype(dtype.np_dtype).newbyteorder("<"), copy=False
        )
        tensor.tensor_content = little.tobytes()
    return tensor.SerializeToString()


_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_type_name(dtype) -> str:
    name = dtypes.as_dtype(dtype).name
    return _TF_TYPE_NAMES.get(name, name)


def _parse_tensor(data: bytes, op):
    from tfgraph.io.tensor_proto import make_ndarray
    from tfgraph.proto import TensorProto

    proto = TensorProto()
    try:
        proto.ParseFromString(data)
    except Exception:
        raise errors.InvalidArgumentError(None, op, "Could not parse serialized proto") from None
    return make_ndarray(proto)


def _serialize_sparse_kernel(op, ctx):
    dtype = op._attrs["T"]

    def kernel(indices, values, shape):
        parts = [
            _tensor_bytes(_indices2(indices), dtypes.int64),
            _tensor_bytes(values, dtype),
            _tensor_bytes(np.asarray(shape, np.int64), dtypes.int64),
        ]
        return np.array(parts, dtype=object)

    return kernel


def _serialize_many_sparse_kernel(op, ctx):
    dtype = op._attrs["T"]

    def kernel(indices, values, shape):
        indices = _indices2(indices)
        values = np.asarray(values)
        shape = np.asarray(shape, np.int64)
        if len(shape) < 2:
            raise errors.InvalidArgumentError(
                None, op, f"Rank of input SparseTensor should be > 1, but saw rank: {len(shape)}"
            )
        rows = []
        for b in range(int(shape[0])):
            keep = indices[:, 0] == b
            rows.append(
                [
                    _tensor_bytes(indices[keep][:, 1:], dtypes.int64),
                    _tensor_bytes(values[keep], dtype),
                    _tensor_bytes(shape[1:], dtypes.int64),
                ]
            )
        return np.array(rows, dtype=object).reshape(int(shape[0]), 3)

    return kernel


_SERIALIZE_ARGS = {
    "inputs": ["sparse_indices: int64", "sparse_values: T", "sparse_shape: int64"],
    "outputs": ["serialized_sparse: out_type"],
}
register_op(
    "SerializeSparse",
    inputs=_SERIALIZE_ARGS["inputs"],
    outputs=_SERIALIZE_ARGS["outputs"],
    attrs=["T: type", "out_type: {string, variant} = string"],
    shape=lambda op: [TensorShape([3])],
    make_kernel=_serialize_sparse_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "SerializeManySparse",
    inputs=_SERIALIZE_ARGS["inputs"],
    outputs=_SERIALIZE_ARGS["outputs"],
    attrs=["T: type", "out_type: {string, variant} = string"],
    shape=lambda op: [TensorShape([None, 3])],
    make_kernel=_serialize_many_sparse_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _deserialize_many_sparse_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(serialized):
        serialized = np.asarray(serialized, dtype=object)
        if serialized.ndim != 2 or serialized.shape[1] != 3:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Serialized sparse should be a matrix with 3 columns, got shape "
                f"{list(serialized.shape)}",
            )
        all_i, all_v, shapes = [], [], []
        for b, (si, sv, ss) in enumerate(serialized):
            ind = np.asarray(_parse_tensor(si, op), np.int64)
            val = _parse_tensor(sv, op)
            shp = np.asarray(_parse_tensor(ss, op), np.int64)
            if val.dtype != dtype.np_dtype and not (dtype == dtypes.string and val.dtype == object):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Requested SparseTensor of type {_tf_type_name(dtype)} but SparseTensor[{b}]"
                    f".values.dtype() == {_tf_type_name(val.dtype)}",
                )
            if shapes and len(shp) != len(shapes[0]):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Inconsistent shape across SparseTensors: rank prior to SparseTensor[{b}] "
                    f"was: {len(shapes[0])} but rank of SparseTensor[{b}] is: {len(shp)}",
                )
            ind = ind.reshape(ind.shape[0] if ind.ndim else 0, len(shp))
            all_i.append(np.concatenate([np.full((ind.shape[0], 1), b, np.int64), ind], 1))
            all_v.append(val.reshape(-1))
            shapes.append(shp)
        if not shapes:
            raise errors.InvalidArgumentError(
                None, op, "Serialized sparse should have non-zero rows"
            )
        shape = np.max(np.stack(shapes), axis=0)
        return (
            np.concatenate(all_i),
            np.concatenate(all_v).astype(dtype.np_dtype),
            np.concatenate([[len(shapes)], shape]).astype(np.int64),
        )

    return kernel


register_op(
    "DeserializeManySparse",
    inputs=["serialized_sparse: string"],
    outputs=["sparse_indices: int64", "sparse_values: dtype", "sparse_shape: int64"],
    attrs=["dtype: type"],
    shape=lambda op: [TensorShape([None, None]), TensorShape([None]), TensorShape([None])],
    make_kernel=_deserialize_many_sparse_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def serialize_sparse(sp_input, name=None, out_type=dtypes.string):
    """The three parts of a SparseTensor as serialized TensorProtos (a string [3])."""
    sp_input = _sparse(sp_input)
    if dtypes.as_dtype(out_type) != dtypes.string:
        raise NotImplementedError("tfgraph serializes sparse tensors to strings only")
    return op_output(
        "SerializeSparse",
        name,
        [sp_input.indices, sp_input.values, sp_input.dense_shape],
        {"out_type": dtypes.string},
    )


def serialize_many_sparse(sp_input, name=None, out_type=dtypes.string):
    """Each minibatch entry (along dimension 0) of a SparseTensor serialized (a string
    [N, 3])."""
    sp_input = _sparse(sp_input)
    if dtypes.as_dtype(out_type) != dtypes.string:
        raise NotImplementedError("tfgraph serializes sparse tensors to strings only")
    return op_output(
        "SerializeManySparse",
        name,
        [sp_input.indices, sp_input.values, sp_input.dense_shape],
        {"out_type": dtypes.string},
    )


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """The SparseTensor of rank `rank` + 1 from `serialize_many_sparse` rows (its dense
    shape the largest of theirs)."""
    op = apply_op(
        "DeserializeManySparse", name, [serialized_sparse], {"dtype": dtypes.as_dtype(dtype)}
    )
    indices, values, shape = op._outputs
    if rank is not None:
        indices.set_shape([None, rank])
        shape.set_shape([rank])
    return _make_sparse(indices, values, shape)


# -- EditDistance ---------------------------------------------------------------------------
def _levenshtein(a: list, b: list) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
        previous = current
    return previous[-1]


def _groups(indices, values) -> dict:
    out: dict = {}
    for ix, v in zip(indices.tolist(), list(values)):
        out.setdefault(tuple(ix[:-1]), []).append(v)
    return out


def _edit_distance_kernel(op, ctx):
    normalize = bool(op._attrs["normalize"])

    def kernel(h_indices, h_values, h_shape, t_indices, t_values, t_shape):
        h_indices, t_indices = _indices2(h_indices), _indices2(t_indices)
        h_shape = np.asarray(h_shape, np.int64)
        t_shape = np.asarray(t_shape, np.int64)
        if (
            len(h_shape) != len(t_shape)
            or h_indices.shape[1] != len(h_shape)
            or (t_indices.shape[1] != len(t_shape))
        ):
            raise errors.InvalidArgumentError(
                None,
                op,
                "hypothesis_shape and truth_shape must have the same rank (and match their "
                f"indices): got {_fmt_list(h_shape)} and {_fmt_list(t_shape)}",
            )
        out_shape = np.maximum(h_shape[:-1], t_shape[:-1])
        out = np.zeros(out_shape, np.float32)
        hyp = _groups(h_indices, np.asarray(h_values).reshape(-1))
        truth = _groups(t_indices, np.asarray(t_values).reshape(-1))
        for loc in set(hyp) | set(truth):
            h, t = hyp.get(loc, []), truth.get(loc, [])
            if not t:
                value = np.inf if normalize else float(len(h))
            elif not h:
                value = 1.0 if normalize else float(len(t))
            else:
                value = float(_levenshtein(h, t))
                if normalize:
                    value /= len(t)
            out[loc] = value
        return out

    return kernel


def _edit_distance_shape(op):
    h = common_shapes.constant_value(op._inputs[2])
    t = common_shapes.constant_value(op._inputs[5])
    if h is not None and t is not None and len(h) == len(t):
        return [TensorShape([int(d) for d in np.maximum(h[:-1], t[:-1])])]
    rank = _rank_of(op, 0, 2) or _rank_of(op, 3, 5)
    return [TensorShape(None if rank is None else [None] * (rank - 1))]


register_op(
    "EditDistance",
    inputs=[
        "hypothesis_indices: int64",
        "hypothesis_values: T",
        "hypothesis_shape: int64",
        "truth_indices: int64",
        "truth_values: T",
        "truth_shape: int64",
    ],
    outputs=["output: float"],
    attrs=["normalize: bool = true", "T: type"],
    shape=_edit_distance_shape,
    make_kernel=_edit_distance_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """Levenshtein distances between the sequences (along the last dimension) of two
    SparseTensors, per position of the other dimensions; divided by the truth's length
    if `normalize`."""
    from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue

    if not isinstance(hypothesis, (SparseTensor, SparseTensorValue)):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, (SparseTensor, SparseTensorValue)):
        raise TypeError("Truth must be a SparseTensor.")
    hypothesis, truth = _sparse(hypothesis), _sparse(truth)
    return op_output(
        "EditDistance",
        name,
        [
            hypothesis.indices,
            hypothesis.values,
            hypothesis.dense_shape,
            truth.indices,
            truth.values,
            truth.dense_shape,
        ],
        {"normalize": bool(normalize)},
    )


# -- tf.sparse.from_dense / eye / expand_dims ---------------------------------------------
def from_dense(tensor, name=None):
    """The SparseTensor of `tensor`'s nonzero entries."""
    from tfgraph.framework.graph import get_default_graph

    with get_default_graph().name_scope(name or "dense_to_sparse"):
        tensor = convert_to_tensor(tensor)
        indices = array_ops.where_v2(math_ops.not_equal(tensor, array_ops.zeros_like(tensor)))
        values = array_ops.gather_nd(tensor, indices)
        shape = array_ops.shape(tensor, out_type=dtypes.int64)
        return _make_sparse(indices, values, shape)


def _make_int64_tensor(value, name):
    from tfgraph.framework.ops import Tensor

    if isinstance(value, int):
        return convert_to_tensor(value, name=name, dtype=dtypes.int64)
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be an integer value")
    if value.dtype == dtypes.int64:
        return value
    return array_ops.cast(value, dtypes.int64)


def sparse_eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """A sparse `num_rows` x `num_columns` identity matrix (square by default)."""
    from tfgraph.framework.graph import get_default_graph

    with get_default_graph().name_scope(name or "eye"):
        num_rows = _make_int64_tensor(num_rows, "num_rows")
        num_columns = (
            num_rows if num_columns is None else _make_int64_tensor(num_columns, "num_columns")
        )
        diag_size = math_ops.minimum(num_rows, num_columns)
        diag_range = math_ops.range(diag_size, dtype=dtypes.int64)
        return _make_sparse(
            array_ops.stack([diag_range, diag_range], axis=1),
            array_ops.ones(diag_size, dtype=dtype),
            [num_rows, num_columns],
        )


def sparse_expand_dims(sp_input, axis=None, name=None):
    """`sp_input` with a dimension of size 1 inserted at `axis` (default: last)."""
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.framework.ops import Tensor

    sp_input = _sparse(sp_input)
    rank = sp_input.dense_shape.get_shape().as_list()[0]
    if rank is None:
        rank = array_ops.shape(sp_input.dense_shape)[0]
    axis = -1 if axis is None else axis
    with get_default_graph().name_scope(name or "expand_dims"):
        if isinstance(axis, (int, np.integer)):
            axis = convert_to_tensor(axis, name="axis", dtype=dtypes.int32)
        elif not isinstance(axis, Tensor):
            raise TypeError(
                "axis must be an integer value in range [-rank(sp_input) - 1, rank(sp_input)]"
            )
        axis = array_ops.where_v2(axis >= 0, axis, axis + rank + 1)
        column_size = array_ops.shape(sp_input.indices)[0]
        new_index = array_ops.zeros([column_size, 1], dtype=dtypes.int64)
        indices_before = array_ops.slice(sp_input.indices, [0, 0], [-1, axis])
        indices_after = array_ops.slice(sp_input.indices, [0, axis], [-1, -1])
        indices = array_ops.concat([indices_before, new_index, indices_after], axis=1)
        shape_before = array_ops.slice(sp_input.dense_shape, [0], [axis])
        shape_after = array_ops.slice(sp_input.dense_shape, [axis], [-1])
        new_shape = convert_to_tensor([1], name="new_shape", dtype=dtypes.int64)
        shape = array_ops.concat([shape_before, new_shape, shape_after], axis=0)
        return _make_sparse(indices, sp_input.values, shape)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def serialize_sparse_v2(sp_input, out_type=dtypes.string, name=None):
    """TF2's `tf.io.serialize_sparse` (out_type before name)."""
    return serialize_sparse(sp_input, name=name, out_type=out_type)


def serialize_many_sparse_v2(sp_input, out_type=dtypes.string, name=None):
    """TF2's `tf.io.serialize_many_sparse` (out_type before name)."""
    return serialize_many_sparse(sp_input, name=name, out_type=out_type)


def sparse_add_v2(a, b, threshold=0):
    """TF2's `tf.sparse.add` (threshold=0, no thresh)."""
    return sparse_add(a, b, threshold=threshold)


def sparse_concat_v2(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """TF2's `tf.sparse.concat` (expand_nonconcat_dims before name)."""
    return sparse_concat(axis, sp_inputs, name=name, expand_nonconcat_dims=expand_nonconcat_dims)


def sparse_reduce_max_v2(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """TF2's `tf.sparse.reduce_max`: dense, or a SparseTensor with output_is_sparse."""
    if output_is_sparse:
        op = _reduce("SparseReduceMaxSparse", sp_input, axis, keepdims, None, None, name)
        return _make_sparse(*op._outputs)
    return _reduce("SparseReduceMax", sp_input, axis, keepdims, None, None, name)._outputs[0]


def sparse_reduce_sum_v2(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """TF2's `tf.sparse.reduce_sum`: dense, or a SparseTensor with output_is_sparse."""
    if output_is_sparse:
        op = _reduce("SparseReduceSumSparse", sp_input, axis, keepdims, None, None, name)
        return _make_sparse(*op._outputs)
    return _reduce("SparseReduceSum", sp_input, axis, keepdims, None, None, name)._outputs[0]


def sparse_split_v2(sp_input=None, num_split=None, axis=None, name=None):
    """TF2's `tf.sparse.split` (no keyword_required, no split_dim)."""
    return sparse_split(sp_input=sp_input, num_split=num_split, axis=axis, name=name)


def _replace_sparse_with_values(value, sparse_list: list):
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(value, SparseTensor):
        sparse_list.append(value)
        return value.values
    if isinstance(value, (list, tuple)):
        return type(value)(_replace_sparse_with_values(v, sparse_list) for v in value)
    if isinstance(value, dict):
        return {k: _replace_sparse_with_values(v, sparse_list) for k, v in value.items()}
    return value


def _sparse_compatible_checks(sparse_list: list) -> list:
    from tfgraph.eager.context import executing_eagerly
    from tfgraph.ops import check_ops

    first = sparse_list[0]
    checks = []
    for sp in sparse_list[1:]:
        for part in ("indices", "dense_shape"):
            a, b = getattr(first, part), getattr(sp, part)
            if executing_eagerly():
                x, y = np.asarray(a.numpy()), np.asarray(b.numpy())
                if x.shape != y.shape or not np.array_equal(x, y):
                    raise errors.InvalidArgumentError(
                        None, None, f"Mismatched SparseTensor.{part} in tf.sparse.map_values"
                    )
            else:
                checks.append(
                    check_ops.assert_equal(a, b, message=f"Mismatched SparseTensor.{part}")
                )
    return checks


def map_values(op, *args, **kwargs):
    """TF2's `tf.sparse.map_values`: `op` applied to the values of the SparseTensors in
    args/kwargs (which must share indices and dense_shape), on the first one's indices."""
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.framework.sparse_tensor import SparseTensor

    sparse_list: list = []
    inner_args = _replace_sparse_with_values(args, sparse_list)
    inner_kwargs = _replace_sparse_with_values(kwargs, sparse_list)
    if not sparse_list:
        raise ValueError("No SparseTensor in argument list of map_values")
    with get_default_graph().control_dependencies(_sparse_compatible_checks(sparse_list)):
        values = op(*inner_args, **inner_kwargs)
        return SparseTensor(sparse_list[0].indices, values, sparse_list[0].dense_shape)
