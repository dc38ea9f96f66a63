"""Linear-algebra ops: Qr, diagonals (DiagPart, MatrixDiagV3, MatrixSetDiagV3) and `eye`."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value

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


def _diag_part_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [UNKNOWN]
    if len(dims) % 2:
        raise ValueError(
            f"Input must have even rank <= 6, input rank is {len(dims)} for '{op.name}' "
            "(op: 'DiagPart')"
        )
    half = len(dims) // 2
    return [TensorShape._from_tuple(dims[:half])]


def _diag_part_kernel(x):
    x = np.asarray(x)
    half = x.ndim // 2
    n = int(np.prod(x.shape[:half]))
    return x.reshape(n, n).diagonal().reshape(x.shape[:half]).copy()


def _diag_part_grad(op, grad):
    return op_output("Diag", None, [grad])


register_op(
    "DiagPart",
    inputs=["input: T"],
    outputs=["diagonal: T"],
    attrs=["T: {bfloat16, half, float, double, int32, int64, complex64, complex128}"],
    shape=_diag_part_shape,
    kernel=_diag_part_kernel,
    grad=_diag_part_grad,
)


def diag_part(input, name: str = "DiagPart"):
    """The diagonal of a rank-2k tensor (`tf.linalg.tensor_diag_part`, op DiagPart)."""
    return op_output("DiagPart", name, [input])


# -- MatrixDiagV3, MatrixSetDiagV3 (main diagonal, k = 0) --------------------------------------
_ALIGN = "align: {'LEFT_RIGHT', 'RIGHT_LEFT', 'LEFT_LEFT', 'RIGHT_RIGHT'} = 'RIGHT_LEFT'"


def _matrix_diag_shape(op):
    diag = op._inputs[0]._shape._dims
    rows = constant_value(op._inputs[2])
    cols = constant_value(op._inputs[3])
    if diag is None:
        return [UNKNOWN]
    n = diag[-1]
    r = int(rows) if rows is not None and int(rows) > 0 else n
    c = int(cols) if cols is not None and int(cols) > 0 else n
    return [TensorShape._from_tuple((*diag[:-1], r, c))]


def _matrix_diag_kernel(op, ctx):
    def kernel(diag, k, num_rows, num_cols, padding):
        if int(np.reshape(k, -1)[0]) != 0:
            raise errors.UnimplementedError(None, op, "tfgraph supports MatrixDiagV3 with k=0 only")
        diag = np.asarray(diag)
        n = diag.shape[-1]
        rows = int(num_rows) if int(num_rows) > 0 else n
        cols = int(num_cols) if int(num_cols) > 0 else n
        out = np.full((*diag.shape[:-1], rows, cols), padding, dtype=diag.dtype)
        m = min(rows, cols, n)
        idx = np.arange(m)
        out[..., idx, idx] = diag[..., :m]
        return out

    return kernel


def _matrix_diag_part_op(x, k, align):
    zero = np.zeros((), dtype=x.dtype._base.np_dtype)
    return op_output("MatrixDiagPartV3", "diag_part", [x, k, zero], {"align": align})


def _matrix_diag_grad(op, grad):
    return _matrix_diag_part_op(grad, op._inputs[1], op._attrs["align"]), None, None, None, None


register_op(
    "MatrixDiagV3",
    inputs=["diagonal: T", "k: int32", "num_rows: int32", "num_cols: int32", "padding_value: T"],
    outputs=["output: T"],
    attrs=["T: type", _ALIGN],
    shape=_matrix_diag_shape,
    make_kernel=_matrix_diag_kernel,
    grad=_matrix_diag_grad,
)


def matrix_diag(diagonal, name: str = "diag", num_rows=-1, num_cols=-1, padding_value=0):
    """A batch of matrices with `diagonal` on the main diagonal (op MatrixDiagV3)."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.graph import get_default_graph

    g = get_default_graph()
    with g.name_scope(name) as scope:
        diagonal = convert_to_tensor(diagonal, name="diagonal")
        return op_output("MatrixDiagV3", scope, [diagonal, 0, num_rows, num_cols, padding_value])


def _matrix_set_diag_kernel(op, ctx):
    def kernel(x, diag, k):
        if int(np.reshape(k, -1)[0]) != 0:
            raise errors.UnimplementedError(
                None, op, "tfgraph supports MatrixSetDiagV3 with k=0 only"
            )
        out = np.array(x, copy=True)
        m = min(out.shape[-2], out.shape[-1])
        idx = np.arange(m)
        out[..., idx, idx] = np.asarray(diag)[..., :m]
        return out

    return kernel


def _matrix_set_diag_grad(op, grad):
    diag, k = op._inputs[1], op._inputs[2]
    align = op._attrs["align"]
    if diag._shape.is_fully_defined():
        diag_shape = diag._shape.as_list()
    else:  # main diagonal only: [batch..., min(rows, cols)]
        grad_shape = array_ops.shape(grad)
        diag_shape = array_ops.concat(
            [grad_shape[:-2], [op_output("Min", None, [grad_shape[-2:], 0])]], 0
        )
    grad_input = op_output(
        "MatrixSetDiagV3",
        "set_diag",
        [grad, array_ops.zeros(diag_shape, dtype=grad.dtype._base), k],
        {"align": align},
    )
    return grad_input, _matrix_diag_part_op(grad, k, align), None


register_op(
    "MatrixSetDiagV3",
    inputs=["input: T", "diagonal: T", "k: int32"],
    outputs=["output: T"],
    attrs=["T: type", _ALIGN],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_matrix_set_diag_kernel,
    grad=_matrix_set_diag_grad,
)


def matrix_set_diag(input, diagonal, name: str = "set_diag"):
    """`input` with its main diagonal replaced by `diagonal` (op MatrixSetDiagV3)."""
    return op_output("MatrixSetDiagV3", name, [input, diagonal, 0])


# -- Diag, MatrixDiagPartV3 (gradients of the diagonal ops) -----------------------------------
_DIAG_TYPES = "{bfloat16, half, float, double, int32, int64, complex64, complex128}"


def _diag_shape(op):
    dims = op._inputs[0]._shape._dims
    return [UNKNOWN if dims is None else TensorShape._from_tuple(dims + dims)]


def _diag_kernel(d):
    d = np.asarray(d)
    n = d.size
    out = np.zeros((n, n), dtype=d.dtype)
    out[np.arange(n), np.arange(n)] = d.reshape(-1)
    return out.reshape(d.shape + d.shape)


register_op(
    "Diag",
    inputs=["diagonal: T"],
    outputs=["output: T"],
    attrs=[f"T: {_DIAG_TYPES}"],
    shape=_diag_shape,
    kernel=_diag_kernel,
    grad=lambda op, grad: op_output("DiagPart", None, [grad]),
)


def _matrix_diag_part_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [UNKNOWN]
    if len(dims) < 2:
        raise ValueError(
            f"Shape must be at least rank 2 but is rank {len(dims)} for '{op.name}' "
            "(op: 'MatrixDiagPartV3')"
        )
    m, n = dims[-2:]
    d = None if m is None or n is None else min(m, n)
    return [TensorShape._from_tuple(dims[:-2] + (d,))]


def _matrix_diag_part_kernel(op, ctx):
    def kernel(x, k, padding):
        if np.any(np.reshape(k, -1) != 0):
            raise errors.UnimplementedError(
                None, op, "tfgraph supports MatrixDiagPartV3 with k=0 only"
            )
        return np.ascontiguousarray(np.diagonal(x, axis1=-2, axis2=-1))

    return kernel


def _matrix_diag_part_grad(op, grad):
    x, k = op._inputs[0], op._inputs[1]
    align = op._attrs["align"]
    dims = x._shape._dims
    if dims is not None and None not in dims[-2:]:
        rows, cols = dims[-2:]
        zero = np.zeros((), dtype=grad.dtype._base.np_dtype)
        diag = op_output("MatrixDiagV3", "diag", [grad, k, rows, cols, zero], {"align": align})
        return diag, None, None
    zeros = array_ops.zeros_like(x)
    return (
        op_output("MatrixSetDiagV3", "set_diag", [zeros, grad, k], {"align": align}),
        None,
        None,
    )


register_op(
    "MatrixDiagPartV3",
    inputs=["input: T", "k: int32", "padding_value: T"],
    outputs=["diagonal: T"],
    attrs=["T: type", _ALIGN],
    shape=_matrix_diag_part_shape,
    make_kernel=_matrix_diag_part_kernel,
    grad=_matrix_diag_part_grad,
)
