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

__all__ = [
    "diag_part",
    "eye",
    "matrix_band_part",
    "matrix_diag",
    "matrix_set_diag",
    "matrix_triangular_solve",
    "qr",
]


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


def _adjoint(x):
    """`tf.linalg.adjoint`: the conjugate transpose of the two innermost dimensions."""
    g = get_default_graph()
    with g.name_scope("adjoint"):
        with g.name_scope("matrix_transpose"):
            n = x._shape.ndims
            perm = list(range(n - 2)) + [n - 1, n - 2]
            return array_ops.transpose(x, perm, conjugate=True)


def _triangular_solve_upper(x, r):
    """matmul(x, adjoint(inverse(r))) for an upper-triangular r."""
    return _adjoint(matrix_triangular_solve(r, _adjoint(x), lower=False, adjoint=False))


def _qr_grad_square_and_deep(q, r, dq, dr):
    from tfgraph.ops import math_ops

    qdq = math_ops.matmul(q, dq, adjoint_a=True)
    qdq_ = qdq - _adjoint(qdq)
    rdr = math_ops.matmul(r, dr, adjoint_b=True)
    rdr_ = rdr - _adjoint(rdr)
    tril = matrix_band_part(qdq_ + rdr_, -1, 0)
    grad_a = math_ops.matmul(q, dr + _triangular_solve_upper(tril, r))
    grad_b = _triangular_solve_upper(dq - math_ops.matmul(q, qdq), r)
    ret = grad_a + grad_b
    if q.dtype.is_complex:
        m = rdr - _adjoint(qdq)
        eyem = matrix_set_diag(array_ops.zeros_like(m), diag_part_matrix(m))
        correction = eyem - array_ops.cast(math_ops.real(eyem), q.dtype._base)
        ret = ret + _triangular_solve_upper(math_ops.matmul(q, _adjoint(correction)), r)
    return ret


def _qr_grad(op, dq, dr):
    """TF's QR backpropagation (https://arxiv.org/abs/2009.10071), for static shapes."""
    from tfgraph.ops import math_ops

    q, r = op._outputs
    rd, qd = r._shape._dims, q._shape._dims
    if rd is None or rd[-2] is None or rd[-1] is None:
        raise NotImplementedError(
            f"QrGrad not implemented with dynamic shapes. Received r.shape: {r.shape}"
        )
    if rd[-2] > rd[-1] and qd[-2] == qd[-1]:
        raise NotImplementedError(
            "QrGrad not implemented when nrows > ncols and full_matrices is true. Received "
            f"r.shape={r.shape} with nrows={rd[-2]}and ncols={rd[-1]}."
        )
    num_rows, num_cols = qd[-2], rd[-1]
    if num_rows >= num_cols:
        return _qr_grad_square_and_deep(q, r, dq, dr)
    a = op._inputs[0]
    y = a[..., :, num_rows:]
    u = r[..., :, :num_rows]
    dv = dr[..., :, num_rows:]
    du = dr[..., :, :num_rows]
    dy = math_ops.matmul(q, dv)
    dx = _qr_grad_square_and_deep(q, u, dq + math_ops.matmul(y, dv, adjoint_b=True), du)
    return array_ops.concat([dx, dy], axis=-1)


register_op(
    "Qr",
    inputs=["input: T"],
    outputs=["q: T", "r: T"],
    attrs=["full_matrices: bool = false", "T: {double, float, half, complex64, complex128}"],
    shape=_qr_shape,
    make_kernel=_qr_kernel,
    grad=_qr_grad,
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


def diag_part_matrix(x):
    """The main diagonals of a batch of matrices (op MatrixDiagPartV3, k = 0)."""
    zero = np.zeros((), dtype=x.dtype._base.np_dtype)
    return op_output("MatrixDiagPartV3", "diag_part", [x, 0, zero])


# -- MatrixBandPart, MatrixTriangularSolve ------------------------------------------------------
def _band_part_kernel(op, ctx):
    def kernel(x, num_lower, num_upper):
        x = np.asarray(x)
        lo, up = int(num_lower), int(num_upper)
        m, n = x.shape[-2:]
        if lo > m or up > n:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"num_lower must be negative or less or equal to number of rows ({m}) got: {lo}"
                if lo > m
                else f"num_upper must be negative or less or equal to number of columns ({n}) "
                f"got: {up}",
            )
        i = np.arange(m)[:, None]
        j = np.arange(n)[None, :]
        keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
        return np.where(keep, x, np.zeros((), dtype=x.dtype))

    return kernel


def _band_part_grad(op, grad):
    return matrix_band_part(grad, op._inputs[1], op._inputs[2]), None, None


register_op(
    "MatrixBandPart",
    inputs=["input: T", "num_lower: Tindex", "num_upper: Tindex"],
    outputs=["band: T"],
    attrs=["T: type", "Tindex: {int32, int64} = int64"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_band_part_kernel,
    grad=_band_part_grad,
)


def matrix_band_part(input, num_lower, num_upper, name: str | None = None):
    """The band of each innermost matrix: `num_lower` subdiagonals and `num_upper`
    superdiagonals kept (negative: all), the rest zero."""
    return op_output("MatrixBandPart", name, [input, num_lower, num_upper])


def _triangular_solve_shape(op):
    a, b = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if a is None or b is None:
        return [UNKNOWN]
    if len(a) < 2 or len(b) < 2:
        raise ValueError(
            f"Shape must be at least rank 2 for '{op.name}' (op: 'MatrixTriangularSolve')"
        )
    from tfgraph.ops import common_shapes

    batch = common_shapes.broadcast_dims(a[:-2], b[:-2], op.name)
    return [TensorShape._from_tuple(batch + b[-2:])]


def _triangular_solve_kernel(op, ctx):
    lower, adjoint = op._attrs["lower"], op._attrs["adjoint"]

    def kernel(matrix, rhs):
        tri = np.tril(matrix) if lower else np.triu(matrix)
        if adjoint:
            tri = np.conj(np.swapaxes(tri, -1, -2))
        batch = np.broadcast_shapes(tri.shape[:-2], rhs.shape[:-2])
        tri = np.broadcast_to(tri, batch + tri.shape[-2:])
        rhs = np.broadcast_to(rhs, batch + rhs.shape[-2:])
        try:
            return np.linalg.solve(tri, rhs).astype(matrix.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, op, "Input matrix is not invertible.") from None

    return kernel


def _triangular_solve_grad(op, grad):
    from tfgraph.ops import math_ops

    a, b = op._inputs
    adjoint_a, lower_a = op._attrs["adjoint"], op._attrs["lower"]
    c = op._outputs[0]
    grad_b = matrix_triangular_solve(a, grad, lower=lower_a, adjoint=not adjoint_a)
    if adjoint_a:
        grad_a = -math_ops.matmul(c, grad_b, adjoint_b=True)
    else:
        grad_a = -math_ops.matmul(grad_b, c, adjoint_b=True)
    if lower_a:
        grad_a = matrix_band_part(grad_a, -1, 0)
    else:
        grad_a = matrix_band_part(grad_a, 0, -1)
    if (
        a._shape.is_fully_defined()
        and b._shape.is_fully_defined()
        and a._shape[:-2] == b._shape[:-2]
    ):
        return grad_a, grad_b
    a_shape = array_ops.shape(a)
    b_shape = array_ops.shape(b)
    ra, rb = array_ops.broadcast_gradient_args(a_shape[:-2], b_shape[:-2])
    grad_a = array_ops.reshape(math_ops.reduce_sum(grad_a, axis=ra), a_shape)
    grad_b = array_ops.reshape(math_ops.reduce_sum(grad_b, axis=rb), b_shape)
    return grad_a, grad_b


register_op(
    "MatrixTriangularSolve",
    inputs=["matrix: T", "rhs: T"],
    outputs=["output: T"],
    attrs=[
        "lower: bool = true",
        "adjoint: bool = false",
        "T: {bfloat16, double, float, half, complex64, complex128}",
    ],
    shape=_triangular_solve_shape,
    make_kernel=_triangular_solve_kernel,
    grad=_triangular_solve_grad,
)


def matrix_triangular_solve(matrix, rhs, lower: bool = True, adjoint: bool = False, name=None):
    """Solves `matrix @ x = rhs` for x, reading only the lower (or upper) triangle of
    `matrix` (its adjoint when `adjoint`)."""
    g = get_default_graph()
    with g.name_scope(name or "triangular_solve"):
        return op_output(
            "MatrixTriangularSolve", None, [matrix, rhs], {"lower": lower, "adjoint": adjoint}
        )
