"""Set operations along the last dimension: `DenseToDenseSetOperation` (what
`weights_broadcast_ops.assert_broadcastable` uses to find invalid weight dims)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op
from tfgraph.ops.common_shapes import shape_error

__all__ = ["dense_to_dense_set_operation"]

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


def _set_kernel(op, ctx):
    operation = op._attrs["set_operation"]
    if operation not in _OPERATIONS:
        raise errors.InvalidArgumentError(
            None, op, f"Invalid set_operation {operation.decode(errors='replace')}."
        )
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
        groups = a.shape[:-1]
        a2 = a.reshape(-1, a.shape[-1])
        b2 = b.reshape(-1, b.shape[-1])
        indices, values = [], []
        max_size = 0
        for g in range(a2.shape[0]):
            sa, sb = set(a2[g].tolist()), set(b2[g].tolist())
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
        rank = a.ndim
        idx = np.asarray(indices, dtype=np.int64).reshape(-1, rank)
        vals = np.asarray(values, dtype=out_dtype) if values else np.zeros(0, out_dtype)
        shape = np.asarray([*groups, max_size], dtype=np.int64)
        return idx, vals, shape

    return kernel


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
