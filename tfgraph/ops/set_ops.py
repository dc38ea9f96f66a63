"""Set operations along the last dimension: `DenseToDenseSetOperation` (what
`weights_broadcast_ops.assert_broadcastable` uses to find invalid weight dims)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op
from tfgraph.ops.common_shapes import shape_error

__all__ = [
    "dense_to_dense_set_operation",
    "set_difference",
    "set_intersection",
    "set_size",
    "set_union",
]

_OPERATIONS = frozenset({b"a-b", b"b-a", b"intersection", b"union"})


def _set_shape(op):
    a, b = op._inputs[0]._shape, op._inputs[1]._shape
    rank = None
    for s in (a, b):
        if s._dims is not None:
            if len(s._dims) < 2:
                raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(s._dims)}")
            rank = len(s._dims)
    if a._dims is not None and b._dims is not None:
        if len(a._dims) != len(b._dims):
            raise shape_error(
                op, f"Shapes must be equal rank, but are {len(a._dims)} and {len(b._dims)}"
            )
        ga, gb = a._dims[:-1], b._dims[:-1]
        for i, (x, y) in enumerate(zip(ga, gb)):
            if x is not None and y is not None and x != y:
                fa = "[" + ",".join("?" if d is None else str(d) for d in ga) + "]"
                fb = "[" + ",".join("?" if d is None else str(d) for d in gb) + "]"
                raise shape_error(
                    op,
                    f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes "
                    f"are {fa} and {fb}.",
                )
    return [
        TensorShape([None, rank]),
        TensorShape([None]),
        TensorShape([rank]),
    ]


def _operation(op) -> bytes:
    operation = op._attrs["set_operation"]
    if operation not in _OPERATIONS:
        raise errors.InvalidArgumentError(
            None, op, f"Invalid set_operation {operation.decode(errors='replace')}."
        )
    return operation


def _dense_rows(x) -> tuple[tuple, list]:
    """(group shape, a set per group) of a dense [..., n] set tensor."""
    return x.shape[:-1], [set(r) for r in x.reshape(-1, x.shape[-1]).tolist()]


def _sparse_rows(op, indices, values, shape) -> tuple[tuple, list]:
    """(group shape, a set per group) of a sparse set tensor (its last dimension)."""
    indices, shape = np.asarray(indices), tuple(int(d) for d in np.asarray(shape))
    if len(shape) < 2:
        raise errors.InvalidArgumentError(None, op, f"Invalid rank {len(shape)}.")
    groups = shape[:-1]
    rows: list = [set() for _ in range(int(np.prod(groups)) if groups else 1)]
    flat = np.ravel_multi_index(indices[:, :-1].T, groups) if len(indices) else []
    for g, v in zip(np.asarray(flat).tolist(), np.asarray(values).tolist()):
        rows[g].add(v)
    return groups, rows


def _combine(op, operation: bytes, groups: tuple, rows_a: list, rows_b: list, dtype):
    indices, values = [], []
    max_size = 0
    for g, (sa, sb) in enumerate(zip(rows_a, rows_b)):
        if operation == b"a-b":
            result = sa - sb
        elif operation == b"b-a":
            result = sb - sa
        elif operation == b"intersection":
            result = sa & sb
        else:
            result = sa | sb
        result = sorted(result)
        max_size = max(max_size, len(result))
        group_index = np.unravel_index(g, groups) if groups else ()
        for k, v in enumerate(result):
            indices.append([*(int(i) for i in group_index), k])
            values.append(v)
    rank = len(groups) + 1
    idx = np.asarray(indices, dtype=np.int64).reshape(-1, rank)
    vals = np.asarray(values, dtype=dtype) if values else np.zeros(0, dtype)
    return idx, vals, np.asarray([*groups, max_size], dtype=np.int64)


def _mismatch(op, a: tuple, b: tuple) -> None:
    if a != b:
        raise errors.InvalidArgumentError(
            None, op,
            f"Shapes [{','.join(map(str, a))}] vs [{','.join(map(str, b))}] mismatch in the "
            f"first {len(a)} dimensions.",
        )  # fmt: skip


def _set_kernel(op, ctx):
    operation = _operation(op)
    out_dtype = op._attrs["T"].np_dtype

    def kernel(set1, set2):
        a, b = np.asarray(set1), np.asarray(set2)
        if a.ndim < 2 or b.ndim < 2:
            raise errors.InvalidArgumentError(None, op, "Set operations require rank >= 2 inputs")
        if a.shape[:-1] != b.shape[:-1]:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Shapes ["
                + ",".join(map(str, a.shape))
                + "] vs ["
                + ",".join(map(str, b.shape))
                + "] mismatch in the first "
                f"{a.ndim - 1} dimensions.",
            )
        groups, rows_a = _dense_rows(a)
        _, rows_b = _dense_rows(b)
        return _combine(op, operation, groups, rows_a, rows_b, out_dtype)

    return kernel


def _dense_sparse_kernel(op, ctx):
    operation = _operation(op)
    out_dtype = op._attrs["T"].np_dtype

    def kernel(set1, indices2, values2, shape2):
        groups, rows_a = _dense_rows(np.asarray(set1))
        groups_b, rows_b = _sparse_rows(op, indices2, values2, shape2)
        _mismatch(op, tuple(groups), tuple(groups_b))
        return _combine(op, operation, tuple(groups), rows_a, rows_b, out_dtype)

    return kernel


def _sparse_sparse_kernel(op, ctx):
    operation = _operation(op)
    out_dtype = op._attrs["T"].np_dtype

    def kernel(indices1, values1, shape1, indices2, values2, shape2):
        groups, rows_a = _sparse_rows(op, indices1, values1, shape1)
        groups_b, rows_b = _sparse_rows(op, indices2, values2, shape2)
        _mismatch(op, groups, groups_b)
        return _combine(op, operation, groups, rows_a, rows_b, out_dtype)

    return kernel


def _set_size_kernel(op, ctx):
    def kernel(indices, values, shape):
        groups, rows = _sparse_rows(op, indices, values, shape)
        return np.asarray([len(r) for r in rows], np.int32).reshape(groups)

    return kernel


_SET_T = "T: {int8, int16, int32, int64, uint8, uint16, string}"
_SET_OUTPUTS = ["result_indices: int64", "result_values: T", "result_shape: int64"]


def _sparse_result_shape(op):
    return [TensorShape([None, None]), TensorShape([None]), TensorShape([None])]


register_op(
    "DenseToSparseSetOperation",
    inputs=["set1: T", "set2_indices: int64", "set2_values: T", "set2_shape: int64"],
    outputs=_SET_OUTPUTS,
    attrs=["set_operation: string", "validate_indices: bool = true", _SET_T],
    shape=_sparse_result_shape,
    make_kernel=_dense_sparse_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "SparseToSparseSetOperation",
    inputs=[
        "set1_indices: int64",
        "set1_values: T",
        "set1_shape: int64",
        "set2_indices: int64",
        "set2_values: T",
        "set2_shape: int64",
    ],
    outputs=_SET_OUTPUTS,
    attrs=["set_operation: string", "validate_indices: bool = true", _SET_T],
    shape=_sparse_result_shape,
    make_kernel=_sparse_sparse_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "SetSize",
    inputs=["set_indices: int64", "set_values: T", "set_shape: int64"],
    outputs=["size: int32"],
    attrs=["validate_indices: bool = true", _SET_T],
    shape=lambda op: [TensorShape(None)],
    make_kernel=_set_size_kernel,
    grad=NOT_DIFFERENTIABLE,
)


register_op(
    "DenseToDenseSetOperation",
    inputs=["set1: T", "set2: T"],
    outputs=["result_indices: int64", "result_values: T", "result_shape: int64"],
    attrs=[
        "set_operation: string",
        "validate_indices: bool = true",
        "T: {int8, int16, int32, int64, uint8, uint16, string}",
    ],
    shape=_set_shape,
    make_kernel=_set_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def dense_to_dense_set_operation(set1, set2, set_operation, validate_indices=True, name=None):
    """(indices, values, dense_shape) of the sparse result of `set_operation` ("a-b",
    "b-a", "intersection", "union") applied along the last dimension."""
    op = apply_op(
        "DenseToDenseSetOperation",
        name,
        [set1, set2],
        {"set_operation": set_operation.encode(), "validate_indices": bool(validate_indices)},
    )
    return tuple(op.outputs)


# -- tf.sets ------------------------------------------------------------------------------------
_VALID = ("int8", "int16", "int32", "int64", "uint8", "uint16", "string")


def _convert(a, b):
    from tfgraph.ops.sparse_ops import convert_to_tensor_or_sparse_tensor

    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    if a.dtype._base.name not in _VALID:
        raise TypeError(f"'a' has invalid dtype `{a.dtype}` not in supported dtypes: `{_VALID}`.")
    b = convert_to_tensor_or_sparse_tensor(b, name="b")
    if b.dtype._base != a.dtype._base:
        raise TypeError(f"Types don't match, {a.dtype} vs {b.dtype}.")
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _set_operation(a, b, set_operation: str, validate_indices: bool):
    from tfgraph.framework.sparse_tensor import SparseTensor

    attrs = {"set_operation": set_operation.encode(), "validate_indices": bool(validate_indices)}
    if isinstance(a, SparseTensor):
        if not isinstance(b, SparseTensor):
            raise ValueError(
                "Sparse,Dense is not supported, but Dense,Sparse is. Please flip the order "
                "of your inputs."
            )
        inputs = [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape]
        op = apply_op("SparseToSparseSetOperation", None, inputs, attrs)
    elif isinstance(b, SparseTensor):
        op = apply_op(
            "DenseToSparseSetOperation", None, [a, b.indices, b.values, b.dense_shape], attrs
        )
    else:
        op = apply_op("DenseToDenseSetOperation", None, [a, b], attrs)
    return SparseTensor(*op.outputs)


def set_size(a, validate_indices=True):
    """The number of unique elements along the last dimension of the SparseTensor `a`."""
    from tfgraph.framework.sparse_tensor import SparseTensor
    from tfgraph.ops.sparse_ops import convert_to_tensor_or_sparse_tensor

    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a}.")
    if a.values.dtype._base.name not in _VALID:
        raise TypeError(f"Invalid dtype `{a.values.dtype}` not in supported dtypes: `{_VALID}`.")
    return apply_op(
        "SetSize", None, [a.indices, a.values, a.dense_shape],
        {"validate_indices": bool(validate_indices)},
    )._outputs[0]  # fmt: skip


def set_intersection(a, b, validate_indices=True):
    """The sets of elements in both `a` and `b`, along their last dimension (a
    SparseTensor; `a`, `b` dense or sparse)."""
    a, b, _ = _convert(a, b)
    return _set_operation(a, b, "intersection", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """The sets of elements of `a` not in `b` (or of `b` not in `a`), along the last
    dimension."""
    a, b, flipped = _convert(a, b)
    if flipped:
        aminusb = not aminusb
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


def set_union(a, b, validate_indices=True):
    """The sets of elements of `a` or `b`, along the last dimension."""
    a, b, _ = _convert(a, b)
    return _set_operation(a, b, "union", validate_indices)
