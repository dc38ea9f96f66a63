"""Linear-algebra ops: Qr, `eye` and the diagonal helpers (the diagonal op types DiagPart,
MatrixDiagV3 and MatrixSetDiagV3 are declared, with their gradients, in array_ops)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN

__all__ = ["diag_part", "eye", "matrix_diag", "matrix_set_diag", "qr"]


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
            return matrix_diag(ones)
        zeros = array_ops.zeros([num_rows, num_columns], dtype=dtype)
        return matrix_set_diag(zeros, ones)


def diag_part(input, name: str = "DiagPart"):
    """The diagonal of a rank-2k tensor (`tf.linalg.tensor_diag_part`, op DiagPart)."""
    return op_output("DiagPart", name, [input])


# -- MatrixDiagV3, MatrixSetDiagV3 (main diagonal, k = 0) --------------------------------------
def matrix_diag(diagonal, name: str = "diag", num_rows=-1, num_cols=-1, padding_value=0):
    """A batch of matrices with `diagonal` on the main diagonal (op MatrixDiagV3)."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.graph import get_default_graph

    g = get_default_graph()
    with g.name_scope(name) as scope:
        diagonal = convert_to_tensor(diagonal, name="diagonal")
        return op_output("MatrixDiagV3", scope, [diagonal, 0, num_rows, num_cols, padding_value])


def matrix_set_diag(input, diagonal, name: str = "set_diag"):
    """`input` with its main diagonal replaced by `diagonal` (op MatrixSetDiagV3)."""
    return op_output("MatrixSetDiagV3", name, [input, diagonal, 0])
