"""Linear-algebra ops used by initializers: Qr and `eye`."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_fallbacks, array_ops
from tfgraph.ops.apply import apply_op
from tfgraph.ops.common_shapes import UNKNOWN

__all__ = ["eye", "qr"]


def _qr_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [UNKNOWN, UNKNOWN]
    if len(dims) < 2:
        raise ValueError(
            f"Shape must be at least rank 2 but is rank {len(dims)} for '{op.name}' (op: 'Qr')"
        )
    *batch, m, n = dims
    if op._attrs["full_matrices"]:
        q, r = (m, m), (m, n)
    else:
        k = None if m is None or n is None else min(m, n)
        q, r = (m, k), (k, n)
    return [TensorShape._from_tuple((*batch, *q)), TensorShape._from_tuple((*batch, *r))]


def _qr_kernel(op, ctx):
    mode = "complete" if op._attrs["full_matrices"] else "reduced"

    def kernel(x):
        x = np.asarray(x)
        q, r = np.linalg.qr(x, mode=mode)
        return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)

    return kernel


register_op(
    "Qr",
    inputs=["input: T"],
    outputs=["q: T", "r: T"],
    attrs=["full_matrices: bool = false", "T: {double, float, half, complex64, complex128}"],
    shape=_qr_shape,
    make_kernel=_qr_kernel,
)


def qr(input, full_matrices: bool = False, name: str | None = None):
    """The QR decomposition of (a batch of) matrices: `(q, r)`."""
    op = apply_op("Qr", name, [input], {"full_matrices": bool(full_matrices)})
    return op._outputs[0], op._outputs[1]


def eye(num_rows: int, num_columns: int | None = None, dtype=dtypes.float32, name=None):
    """An identity matrix (`tf.eye` for static sizes), built as TF builds it:
    `eye/ones` on the diagonal of `eye/diag` (square) or `eye/set_diag` over
    `eye/zeros`."""
    g = get_default_graph()
    with g.name_scope(name or "eye"):
        is_square = num_columns is None or num_columns == num_rows
        num_columns = num_rows if num_columns is None else num_columns
        diag_size = min(num_rows, num_columns)
        ones = array_ops.ones([diag_size], dtype=dtype)
        if is_square:
            return array_fallbacks.matrix_diag(ones)
        zeros = array_ops.zeros([num_rows, num_columns], dtype=dtype)
        return array_fallbacks.matrix_set_diag(zeros, ones)
