"""Linear-algebra ops: Qr, diagonals (Diag, DiagPart, MatrixDiagV3, MatrixSetDiagV3), `eye`,
triangular and general solves, inverses, determinants, Cholesky, eigen and singular value
decompositions, matrix square roots; gradients as TF's linalg_grad.py builds them."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops import linear_operator_dispatch as _lod
from tfgraph.ops import matrix_diag_kernels as _mdk
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value

__all__ = [
    "adjoint",
    "cholesky",
    "cholesky_solve",
    "diag",
    "diag_part",
    "eye",
    "matrix_band_part",
    "matrix_determinant",
    "matrix_diag",
    "matrix_diag_part",
    "matrix_inverse",
    "matrix_set_diag",
    "matrix_solve",
    "matrix_solve_ls",
    "matrix_square_root",
    "matrix_transpose",
    "matrix_triangular_solve",
    "norm",
    "qr",
    "self_adjoint_eig",
    "self_adjoint_eigvals",
    "slogdet",
    "svd",
    "trace",
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


def eye(
    num_rows: int, num_columns: int | None = None, batch_shape=None, dtype=dtypes.float32, name=None
):
    """An identity matrix, or a `batch_shape` batch of them (`tf.eye` for static sizes;
    `batch_shape` a list or an int32 tensor), built as TF builds it: `eye/ones` on the
    diagonal of `eye/diag` (square) or `eye/set_diag` over `eye/zeros`."""
    from tfgraph.framework.convert import convert_to_tensor

    g = get_default_graph()
    with g.name_scope(name or "eye"):
        is_square = num_columns is None or num_columns == num_rows
        num_columns = num_rows if num_columns is None else num_columns
        diag_size = min(num_rows, num_columns)
        batch_shape = [] if batch_shape is None else batch_shape
        shape: Any
        if isinstance(batch_shape, Tensor):
            batch_shape = convert_to_tensor(batch_shape, name="shape", dtype=dtypes.int32)
            diag_shape: Any = array_ops.concat((batch_shape, [diag_size]), axis=0)
            shape = (
                None
                if is_square
                else array_ops.concat((batch_shape, [num_rows, num_columns]), axis=0)
            )
        else:
            batch = TensorShape(batch_shape).as_list()
            diag_shape, shape = batch + [diag_size], batch + [num_rows, num_columns]
        ones = array_ops.ones(diag_shape, dtype=dtype)
        if is_square:
            return matrix_diag(ones)
        zeros = array_ops.zeros(shape, dtype=dtype)
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


def diag_part(input, name: str | None = None):
    """The diagonal of a rank-2k tensor (`tf.linalg.tensor_diag_part`, op DiagPart)."""
    return op_output("DiagPart", name, [input])


# -- MatrixDiagV3, MatrixSetDiagV3 (diagonal bands k, TF's align) ----------------------------
_ALIGN = "align: {'LEFT_RIGHT', 'RIGHT_LEFT', 'LEFT_LEFT', 'RIGHT_RIGHT'} = 'RIGHT_LEFT'"


def _static_band(op, index: int = 1):
    k = constant_value(op._inputs[index])
    if k is None:
        return None
    try:
        return _mdk.band(k)
    except ValueError as e:
        raise ValueError(f"{e} for '{op.name}' (op: '{op.type}')") from None


def _matrix_diag_shape(op):
    diag = op._inputs[0]._shape._dims
    k = _static_band(op)
    rows, cols = constant_value(op._inputs[2]), constant_value(op._inputs[3])
    if diag is None or k is None:
        return [UNKNOWN]
    lo, hi = k
    batch, width = (diag[:-1], diag[-1]) if lo == hi else (diag[:-2], diag[-1])
    if lo != hi and diag[-2] is not None:
        _static_check(op, _mdk.check_num_diags, diag[-2], lo, hi)
    if rows is None or cols is None:
        return [TensorShape._from_tuple((*batch, None, None))]
    if width is None:
        r, c = (int(rows) if int(rows) > 0 else None), (int(cols) if int(cols) > 0 else None)
    else:
        try:
            r, c = _mdk.matrix_rows_cols(width, lo, hi, int(rows), int(cols))
        except ValueError as e:
            raise ValueError(f"{e} for '{op.name}' (op: 'MatrixDiagV3')") from None
    return [TensorShape._from_tuple((*batch, r, c))]


def _static_check(op, check, *args) -> None:
    try:
        check(*args)
    except ValueError as e:
        raise ValueError(f"{e} for '{op.name}' (op: '{op.type}')") from None


def _run_checked(op, fn, *args):
    try:
        return fn(*args)
    except ValueError as e:
        raise errors.InvalidArgumentError(None, op, str(e)) from None


def _matrix_diag_kernel(op, ctx):
    align = op._attrs["align"]

    def kernel(diag, k, num_rows, num_cols, padding):
        diag = np.asarray(diag)
        return _run_checked(op, _mdk.matrix_diag, diag, k, num_rows, num_cols, padding, align)

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


def matrix_diag(
    diagonal,
    name: str = "diag",
    k=0,
    num_rows=-1,
    num_cols=-1,
    padding_value=0,
    align="RIGHT_LEFT",
):
    """A batch of matrices with `diagonal` on diagonal `k` (or the band k = [lower,
    upper], upper diagonal first), `padding_value` elsewhere (op MatrixDiagV3)."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.graph import get_default_graph

    g = get_default_graph()
    with g.name_scope(name) as scope:
        diagonal = convert_to_tensor(diagonal, name="diagonal")
        if diagonal.dtype._base is dtypes.bool:
            padding_value = bool(padding_value)
        attrs = {"align": _align_attr(align)}
        inputs = [diagonal, k, num_rows, num_cols, padding_value]
        return op_output("MatrixDiagV3", scope, inputs, attrs)


def _matrix_set_diag_shape(op):
    dims, k = op._inputs[0]._shape._dims, _static_band(op, 2)
    if dims is not None and len(dims) >= 2 and k is not None:
        _static_check(op, _mdk.check_bounds, dims[-2], dims[-1], *k)
    return [op._inputs[0]._shape]


def _matrix_set_diag_kernel(op, ctx):
    align = op._attrs["align"]

    def kernel(x, diag, k):
        return _run_checked(op, _mdk.set_diag, np.asarray(x), np.asarray(diag), k, align)

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
    shape=_matrix_set_diag_shape,
    make_kernel=_matrix_set_diag_kernel,
    grad=_matrix_set_diag_grad,
)


def matrix_set_diag(input, diagonal, name: str = "set_diag", k=0, align="RIGHT_LEFT"):
    """`input` with its diagonal `k` (or band k = [lower, upper]) replaced by `diagonal`
    (op MatrixSetDiagV3)."""
    return op_output("MatrixSetDiagV3", name, [input, diagonal, k], {"align": _align_attr(align)})


def _align_attr(align):
    return align.encode() if isinstance(align, str) else align


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
    k = _static_band(op)
    if k is None:
        return [UNKNOWN]
    lo, hi = k
    m, n = dims[-2:]
    _static_check(op, _mdk.check_bounds, m, n, lo, hi)
    width = None if m is None or n is None else min(m + min(hi, 0), n - max(lo, 0))
    num = () if lo == hi else (hi - lo + 1,)
    return [TensorShape._from_tuple((*dims[:-2], *num, width))]


def _matrix_diag_part_kernel(op, ctx):
    align = op._attrs["align"]

    def kernel(x, k, padding):
        return _run_checked(op, _mdk.diag_part, np.asarray(x), k, padding, align)

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


def triangular_solve_grad(op, grad, solve, keep_band):
    """TF's gradients of a triangular solve (MatrixTriangularSolve, BandedTriangularSolve):
    `solve(a, g, lower, adjoint)` solves with the op's matrix, `keep_band(grad_a, lower)`
    keeps the part of the matrix's gradient that the matrix stores; batch dimensions the
    solve broadcast are summed away."""
    from tfgraph.ops import math_ops

    a, b = op._inputs
    adjoint_a, lower_a = op._attrs["adjoint"], op._attrs["lower"]
    c = op._outputs[0]
    grad_b = solve(a, grad, lower=lower_a, adjoint=not adjoint_a)
    if adjoint_a:
        grad_a = -math_ops.matmul(c, grad_b, adjoint_b=True)
    else:
        grad_a = -math_ops.matmul(grad_b, c, adjoint_b=True)
    grad_a = keep_band(grad_a, lower_a)
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


def _triangular_solve_grad(op, grad):
    def keep_band(grad_a, lower):
        return matrix_band_part(grad_a, -1, 0) if lower else matrix_band_part(grad_a, 0, -1)

    return triangular_solve_grad(op, grad, matrix_triangular_solve, keep_band)


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


# -- square-matrix ops: MatrixDeterminant, LogMatrixDeterminant, MatrixInverse, MatrixSolve,
#    Cholesky, SelfAdjointEigV2, Svd, MatrixSquareRoot -------------------------------------------
_LINALG_TYPES = "{half, float, double, complex64, complex128}"


def _fmt_dims(dims) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _square_dims(op, index: int = 0):
    """The static dims of input `index`, checked to be a batch of square matrices."""
    dims = op._inputs[index]._shape._dims
    if dims is None:
        return None
    shapes = ", ".join(
        "?" if t._shape._dims is None else _fmt_dims(t._shape._dims) for t in op._inputs
    )
    if len(dims) < 2:
        raise ValueError(
            f"Shape must be at least rank 2 but is rank {len(dims)} for '{op.name}' "
            f"(op: '{op.type}') with input shapes: {shapes}."
        )
    rows, cols = dims[-2], dims[-1]
    if rows is not None and cols is not None and rows != cols:
        raise ValueError(
            f"Dimensions must be equal, but are {cols} and {rows} for '{op.name}' "
            f"(op: '{op.type}') with input shapes: {shapes}."
        )
    return dims


def _determinant_shape(op):
    dims = _square_dims(op)
    return [UNKNOWN if dims is None else TensorShape._from_tuple(dims[:-2])]


def _log_determinant_shape(op):
    shape = _determinant_shape(op)[0]
    return [shape, shape]


def _same_square_shape(op):
    dims = _square_dims(op)
    return [UNKNOWN if dims is None else TensorShape._from_tuple(dims)]


def _solve_shape(op):
    a = _square_dims(op, 0)
    b = op._inputs[1]._shape._dims
    if a is None or b is None:
        return [UNKNOWN]
    shapes = f"{_fmt_dims(a)}, {_fmt_dims(b)}"
    if len(b) < 2:
        raise ValueError(
            f"Shape must be at least rank 2 but is rank {len(b)} for '{op.name}' "
            f"(op: '{op.type}') with input shapes: {shapes}."
        )
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"Dimensions must be equal, but are {a[-1]} and {b[-2]} for '{op.name}' "
            f"(op: '{op.type}') with input shapes: {shapes}."
        )
    if len(a) != len(b):
        raise ValueError(
            f"Shapes must be equal rank, but are {len(a)} and {len(b)} for '{op.name}' "
            f"(op: '{op.type}') with input shapes: {shapes}."
        )
    from tfgraph.ops import common_shapes

    batch = common_shapes.merge_shapes(
        TensorShape._from_tuple(a[:-2]), TensorShape._from_tuple(b[:-2]), op
    )._dims
    return [TensorShape._from_tuple(tuple(batch) + (a[-1], b[-1]))]


def _adjoint_np(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _det_kernel(x):
    return np.asarray(np.linalg.det(x) if x.size else np.ones(x.shape[:-2]), dtype=x.dtype)


def _log_det_kernel(x):
    if not x.size:
        return np.ones(x.shape[:-2], x.dtype), np.zeros(x.shape[:-2], x.real.dtype).astype(x.dtype)
    sign, logdet = np.linalg.slogdet(x)
    return sign.astype(x.dtype), logdet.astype(x.dtype)


def _inverse_kernel(op, ctx):
    adjoint = op._attrs.get("adjoint", False)

    def kernel(x):
        if adjoint:
            x = _adjoint_np(x)
        try:
            return np.linalg.inv(x).astype(x.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, op, "Input is not invertible.") from None

    return kernel


def _solve_kernel(op, ctx):
    adjoint = op._attrs.get("adjoint", False)

    def kernel(matrix, rhs):
        if adjoint:
            matrix = _adjoint_np(matrix)
        if matrix.shape[:-2] != rhs.shape[:-2] or matrix.shape[-1] != rhs.shape[-2]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input matrix and right-hand side must have the same number of rows: "
                f"{_fmt_dims(matrix.shape)} vs. {_fmt_dims(rhs.shape)}",
            )
        try:
            return np.linalg.solve(matrix, rhs).astype(matrix.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, op, "Input matrix is not invertible.") from None

    return kernel


def _cholesky_kernel(x):
    # As TF's CPU kernel, a matrix that is not positive definite gives no error; its
    # factor is not meaningful (here: nan).
    try:
        return np.linalg.cholesky(x).astype(x.dtype, copy=False)
    except np.linalg.LinAlgError:
        flat = x.reshape((-1,) + x.shape[-2:])
        out = np.empty_like(flat)
        for i, m in enumerate(flat):
            try:
                out[i] = np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                out[i] = np.nan
        return out.reshape(x.shape)


def _eig_shape(op):
    dims = _square_dims(op)
    if dims is None:
        return [UNKNOWN, UNKNOWN]
    n = dims[-1] if dims[-1] is not None else dims[-2]
    e = TensorShape._from_tuple(dims[:-2] + (n,))
    v = TensorShape._from_tuple(dims[:-2] + (n, n)) if op._attrs["compute_v"] else UNKNOWN
    if not op._attrs["compute_v"]:
        v = TensorShape._from_tuple((0,))
    return [e, v]


def _eig_kernel(op, ctx):
    compute_v = op._attrs["compute_v"]

    def kernel(x):
        if compute_v:
            e, v = np.linalg.eigh(x, UPLO="L")
            return e.astype(x.real.dtype, copy=False), v.astype(x.dtype, copy=False)
        e = np.linalg.eigvalsh(x, UPLO="L")
        return e.astype(x.real.dtype, copy=False), np.zeros((0,), x.dtype)

    return kernel


def _svd_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [UNKNOWN, UNKNOWN, UNKNOWN]
    if len(dims) < 2:
        raise ValueError(
            f"Shape must be at least rank 2 but is rank {len(dims)} for '{op.name}' "
            f"(op: 'Svd') with input shapes: {_fmt_dims(dims)}."
        )
    m, n = dims[-2], dims[-1]
    batch = dims[:-2]
    p = None if m is None or n is None else min(m, n)
    s = TensorShape._from_tuple(batch + (p,))
    if not op._attrs["compute_uv"]:
        return [s, TensorShape._from_tuple((0,)), TensorShape._from_tuple((0,))]
    full = op._attrs["full_matrices"]
    u = TensorShape._from_tuple(batch + (m, m if full else p))
    v = TensorShape._from_tuple(batch + (n, n if full else p))
    return [s, u, v]


def _svd_kernel(op, ctx):
    compute_uv, full = op._attrs["compute_uv"], op._attrs["full_matrices"]

    def kernel(x):
        real = x.real.dtype
        if not compute_uv:
            s = np.linalg.svd(x, compute_uv=False)
            return s.astype(real), np.zeros((0,), x.dtype), np.zeros((0,), x.dtype)
        u, s, vh = np.linalg.svd(x, full_matrices=full)
        return s.astype(real), u.astype(x.dtype), _adjoint_np(vh).astype(x.dtype)

    return kernel


def _sqrtm_kernel(op, ctx):
    def kernel(x):
        import scipy.linalg

        flat = x.reshape((-1,) + x.shape[-2:])
        out = np.empty_like(flat)
        for i, m in enumerate(flat):
            out[i] = np.asarray(scipy.linalg.sqrtm(m)).astype(x.dtype)
        return out.reshape(x.shape)

    return kernel


# -- gradients (TF's linalg_grad.py) -------------------------------------------------------------
def _concat_shape_11(c):
    return array_ops.concat([array_ops.shape(c), [1, 1]], 0)


def _determinant_grad(op, grad):
    a, c = op._inputs[0], op._outputs[0]
    a_adj_inv = matrix_inverse(a, adjoint=True)
    multipliers = array_ops.reshape(grad * c, _concat_shape_11(c))
    return multipliers * a_adj_inv


def _log_determinant_grad(op, _, grad_b):
    a, c = op._inputs[0], op._outputs[1]
    a_adj_inv = matrix_inverse(a, adjoint=True)
    multipliers = array_ops.reshape(grad_b, _concat_shape_11(c))
    return multipliers * a_adj_inv


def _inverse_grad(op, grad):
    from tfgraph.ops import math_ops

    ainv = op._outputs[0]
    adj = bool(op._attrs.get("adjoint", False))
    inner = math_ops.matmul(grad, ainv, adjoint_a=adj, adjoint_b=not adj)
    return -math_ops.matmul(ainv, inner, adjoint_a=not adj)


def _solve_grad(op, grad):
    from tfgraph.ops import math_ops

    a, c = op._inputs[0], op._outputs[0]
    adj = bool(op._attrs.get("adjoint", False))
    grad_b = matrix_solve(a, grad, adjoint=not adj)
    if adj:
        grad_a = -math_ops.matmul(c, grad_b, adjoint_b=True)
    else:
        grad_a = -math_ops.matmul(grad_b, c, adjoint_b=True)
    return grad_a, grad_b


def _eye_like(lower):
    """An identity batch shaped as `lower`, built from its shape as TF's Cholesky
    gradient builds it (`eye(num_rows, batch_shape=...)`)."""
    from tfgraph.ops import math_ops

    num_rows = array_ops.shape(lower)[-1]
    batch_shape = array_ops.shape(lower)[:-2]
    with get_default_graph().name_scope("eye"):
        diag_size = math_ops.minimum(num_rows, num_rows)
        diag_shape = array_ops.concat([batch_shape, [diag_size]], 0)
        ones = array_ops.ones(diag_shape, dtype=lower.dtype._base)
        return matrix_diag(ones)


def _cholesky_grad(op, grad):
    from tfgraph.ops import math_ops

    lower = op._outputs[0]
    l_inverse = matrix_triangular_solve(lower, _eye_like(lower))
    middle = math_ops.matmul(lower, grad, adjoint_a=True)
    middle = matrix_set_diag(middle, 0.5 * diag_part_matrix(middle))
    middle = matrix_band_part(middle, -1, 0)
    grad_a = math_ops.matmul(math_ops.matmul(l_inverse, middle, adjoint_a=True), l_inverse)
    grad_a += adjoint(grad_a)
    return grad_a * 0.5


def _safe_reciprocal(x, epsilon=1e-20):
    from tfgraph.ops import math_ops

    return x * math_ops.reciprocal(x * x + epsilon)


def _reciprocal_gaps(e, diagonal_like=None):
    """The matrix of 1 / (e[j] - e[i]) (guarded near 0) with a zero diagonal (a
    zeros_like of `diagonal_like`, default `e`, as TF's graph has it): the eigenvalue-gap
    factor of TF's eigen- and singular-decomposition gradients."""
    return matrix_set_diag(
        _safe_reciprocal(array_ops.expand_dims(e, -2) - array_ops.expand_dims(e, -1)),
        array_ops.zeros_like(e if diagonal_like is None else diagonal_like),
    )


def _eig_grad(op, grad_e, grad_v):
    from tfgraph.ops import math_ops

    e = op._outputs[0]
    deps = [g for g in (grad_e, grad_v) if g is not None]
    with get_default_graph().control_dependencies(deps):
        if grad_e is None:
            grad_e = array_ops.zeros_like(e)
        if op._attrs["compute_v"]:
            v = op._outputs[1]
            f = _reciprocal_gaps(e)
            if grad_v is None:
                grad_v = array_ops.zeros_like(v)
            grad_a = math_ops.matmul(
                v,
                math_ops.matmul(
                    matrix_diag(grad_e) + f * math_ops.matmul(v, grad_v, adjoint_a=True),
                    v,
                    adjoint_b=True,
                ),
            )
        else:
            _, v = self_adjoint_eig(op._inputs[0])
            grad_a = math_ops.matmul(v, math_ops.matmul(matrix_diag(grad_e), v, adjoint_b=True))
        grad_a = matrix_band_part(grad_a + adjoint(grad_a), -1, 0)
        return matrix_set_diag(grad_a, 0.5 * diag_part_matrix(grad_a))


for _name, _shape, _kernel, _grad, _attrs, _outs in (
    ("MatrixDeterminant", _determinant_shape, _det_kernel, _determinant_grad, [], ["output: T"]),
    (
        "LogMatrixDeterminant",
        _log_determinant_shape,
        _log_det_kernel,
        _log_determinant_grad,
        [],
        ["sign: T", "log_abs_determinant: T"],
    ),
    ("Cholesky", _same_square_shape, _cholesky_kernel, _cholesky_grad, [], ["output: T"]),
):
    register_op(
        _name,
        inputs=["input: T"],
        outputs=_outs,
        attrs=[*_attrs, f"T: {_LINALG_TYPES}"],
        shape=_shape,
        kernel=_kernel,
        grad=_grad,
    )

register_op(
    "MatrixInverse",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["adjoint: bool = false", f"T: {_LINALG_TYPES}"],
    shape=_same_square_shape,
    make_kernel=_inverse_kernel,
    grad=_inverse_grad,
)
register_op(
    "MatrixSolve",
    inputs=["matrix: T", "rhs: T"],
    outputs=["output: T"],
    attrs=["adjoint: bool = false", f"T: {_LINALG_TYPES}"],
    shape=_solve_shape,
    make_kernel=_solve_kernel,
    grad=_solve_grad,
)
register_op(
    "SelfAdjointEigV2",
    inputs=["input: T"],
    outputs=["e: T", "v: T"],
    attrs=["compute_v: bool = true", f"T: {_LINALG_TYPES}"],
    shape=_eig_shape,
    make_kernel=_eig_kernel,
    grad=_eig_grad,
)


def _svd_grad_terms(u, v, s, grad_s, grad_u, grad_v, m, n, full_matrices):
    """TF's SVD backpropagation for m <= n (u: m x m, v1 = v[..., :m])."""
    from tfgraph.ops import math_ops

    s_mat = matrix_diag(s)
    s2 = math_ops.square(s)
    f = _reciprocal_gaps(s2, diagonal_like=s)
    s_inv_mat = matrix_diag(_safe_reciprocal(s))
    v1, grad_v1 = v[..., :, :m], grad_v[..., :, :m]
    u_gu = math_ops.matmul(u, grad_u, adjoint_a=True)
    v_gv = math_ops.matmul(v1, grad_v1, adjoint_a=True)
    f_u, f_v = f * u_gu, f * v_gv
    term1_nouv = (
        matrix_diag(grad_s)
        + math_ops.matmul(f_u + _adjoint(f_u), s_mat)
        + math_ops.matmul(s_mat, f_v + _adjoint(f_v))
    )
    grad_a = math_ops.matmul(u, math_ops.matmul(term1_nouv, v1, adjoint_b=True))
    if m != n:
        gv1t = _adjoint(grad_v1)
        term2_nous = gv1t - math_ops.matmul(math_ops.matmul(gv1t, v1), v1, adjoint_b=True)
        if full_matrices:
            v2, grad_v2 = v[..., :, m:n], grad_v[..., :, m:n]
            v1t_gv2 = math_ops.matmul(v1, grad_v2, adjoint_a=True)
            term2_nous -= math_ops.matmul(v1t_gv2, v2, adjoint_b=True)
        grad_a = grad_a + math_ops.matmul(math_ops.matmul(u, s_inv_mat), term2_nous)
    if u.dtype.is_complex:
        s_shape = array_ops.shape(s)
        eye = matrix_diag(array_ops.ones(s_shape, dtype=u.dtype._base))
        lv = eye * v_gv
        term3_nouv = math_ops.matmul(s_inv_mat, _adjoint(lv) - lv)
        grad_a = grad_a + 0.5 * math_ops.matmul(u, math_ops.matmul(term3_nouv, v1, adjoint_b=True))
    return grad_a


def _svd_grad(op, grad_s, grad_u, grad_v):
    """TF's SVD gradient (linalg_grad.py), for static inner matrix shapes."""
    from tfgraph.ops import math_ops

    a = op._inputs[0]
    a_shape = a.shape
    grad_s = array_ops.cast(grad_s, a.dtype._base)
    if not op.get_attr("compute_uv"):
        _, u, v = svd(a, compute_uv=True)
        grad_a = math_ops.matmul(u, math_ops.matmul(matrix_diag(grad_s), v, adjoint_b=True))
        grad_a.set_shape(a_shape)
        return grad_a
    full_matrices = op.get_attr("full_matrices")
    dims = a_shape.as_list() if a_shape.rank is not None else None
    if dims is None or dims[-2] is None or dims[-1] is None:
        raise NotImplementedError(
            "SVD gradient has not been implemented for input with unknown inner matrix shape."
        )
    m, n = dims[-2], dims[-1]
    s, u, v = op._outputs
    s = array_ops.cast(s, a.dtype._base)
    use_adjoint = m > n
    if use_adjoint:
        m, n, u, v, grad_u, grad_v = n, m, v, u, grad_v, grad_u
    with get_default_graph().control_dependencies([grad_s, grad_u, grad_v]):
        if full_matrices and abs(m - n) > 1:
            raise NotImplementedError(
                "svd gradient is not implemented for abs(m - n) > 1 when full_matrices is "
                f"True. Received: m={m} and n={n} from op input={a} with shape={a_shape}."
            )
        grad_a = _svd_grad_terms(u, v, s, grad_s, grad_u, grad_v, m, n, full_matrices)
        if use_adjoint:
            grad_a = _adjoint(grad_a)
        grad_a.set_shape(a_shape)
        return grad_a


register_op(
    "Svd",
    inputs=["input: T"],
    outputs=["s: T", "u: T", "v: T"],
    attrs=["compute_uv: bool = true", "full_matrices: bool = false", f"T: {_LINALG_TYPES}"],
    shape=_svd_shape,
    make_kernel=_svd_kernel,
    grad=_svd_grad,
)


def _kronecker_product(b1, b2):
    """The Kronecker product of two batches of square matrices."""
    from tfgraph.ops import math_ops

    b1_shape, b2_shape = array_ops.shape(b1), array_ops.shape(b2)
    b1_order, b2_order = b1_shape[-1], b2_shape[-1]
    batch = array_ops.slice(b1_shape, [0], [math_ops.subtract(array_ops.size(b1_shape), 2)])
    b1 = array_ops.reshape(b1, array_ops.concat([batch, [b1_order], [1], [b1_order], [1]], 0))
    b2 = array_ops.reshape(b2, array_ops.concat([batch, [1], [b2_order], [1], [b2_order]], 0))
    order_prod = b1_order * b2_order
    return array_ops.reshape(b1 * b2, array_ops.concat([batch, [order_prod], [order_prod]], 0))


def _matrix_square_root_grad(op, grad):
    """TF's gradient: solve the Sylvester equation R dX + dX R = grad, written as a
    linear system with Kronecker products."""
    from tfgraph.ops import math_ops

    sqrtm = op._outputs[0]
    shape = array_ops.shape(sqrtm)
    order = shape[-1]
    matrix_count = math_ops.reduce_prod(shape[0:-2])
    eye = matrix_diag(array_ops.ones(array_ops.reshape(order, [1]), dtype=sqrtm.dtype._base))
    eye_batch = array_ops.reshape(
        array_ops.tile(array_ops.reshape(eye, [-1]), array_ops.reshape(matrix_count, [1])), shape
    )
    sqrtm_t = matrix_transpose(sqrtm)
    ksum = _kronecker_product(eye_batch, sqrtm_t) + _kronecker_product(sqrtm, eye_batch)
    batch = array_ops.slice(shape, [0], [math_ops.subtract(array_ops.size(shape), 2)])
    vec_da = array_ops.reshape(
        matrix_transpose(grad), array_ops.concat([batch, [order * order], [1]], 0)
    )
    vec_dsqrtm = matrix_solve(ksum, vec_da)
    return matrix_transpose(array_ops.reshape(vec_dsqrtm, shape))


register_op(
    "MatrixSquareRoot",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=[f"T: {_LINALG_TYPES}"],
    shape=_same_square_shape,
    make_kernel=_sqrtm_kernel,
    grad=_matrix_square_root_grad,
)


# -- public functions --------------------------------------------------------------------------
def matrix_determinant(input, name: str | None = None):
    """The determinant of each innermost square matrix."""
    if _lod.is_linear_operator(input):
        return _lod.det(input, name)

    return op_output("MatrixDeterminant", name, [input])


def slogdet(input, name: str | None = None):
    """(sign, log |det|) of each innermost square matrix."""
    op = apply_op("LogMatrixDeterminant", name, [input])
    return op._outputs[0], op._outputs[1]


def matrix_inverse(input, adjoint: bool = False, name: str | None = None):
    """The inverse of each innermost square matrix (of its adjoint when `adjoint`)."""
    if _lod.is_linear_operator(input):
        return _lod.inv(input, adjoint, name)

    return op_output("MatrixInverse", name, [input], {"adjoint": bool(adjoint)})


def matrix_solve(matrix, rhs, adjoint: bool = False, name: str | None = None):
    """Solves `matrix @ x = rhs` (`adjoint(matrix) @ x = rhs` when `adjoint`)."""
    if _lod.is_linear_operator(matrix) or _lod.is_linear_operator(rhs):
        return _lod.solve(matrix, rhs, adjoint, name)

    return op_output("MatrixSolve", name, [matrix, rhs], {"adjoint": bool(adjoint)})


def cholesky(input, name: str | None = None):
    """The lower-triangular Cholesky factor of each innermost Hermitian PD matrix."""
    if _lod.is_linear_operator(input):
        return _lod.cholesky(input, name)

    return op_output("Cholesky", name, [input])


def cholesky_solve(chol, rhs, name: str | None = None):
    """Solves `A x = rhs` given `chol`, the Cholesky factor of A (two triangular solves)."""
    with get_default_graph().name_scope(name or "cholesky_solve"):
        y = op_output("MatrixTriangularSolve", None, [chol, rhs], {"lower": True, "adjoint": False})
        return op_output("MatrixTriangularSolve", None, [chol, y], {"lower": True, "adjoint": True})


def self_adjoint_eig(tensor, name: str | None = None):
    """(eigenvalues, eigenvectors) of each innermost self-adjoint matrix (lower triangle)."""
    op = apply_op("SelfAdjointEigV2", name, [tensor], {"compute_v": True})
    return op._outputs[0], op._outputs[1]


def self_adjoint_eigvals(tensor, name: str | None = None):
    """The eigenvalues of each innermost self-adjoint matrix (lower triangle)."""
    op = apply_op("SelfAdjointEigV2", name, [tensor], {"compute_v": False})
    return op._outputs[0]


def svd(tensor, full_matrices: bool = False, compute_uv: bool = True, name: str | None = None):
    """The singular values (and, with `compute_uv`, u and v) of each innermost matrix:
    `s` when `compute_uv` is false, else `(s, u, v)` as TF returns them."""
    op = apply_op(
        "Svd",
        name,
        [tensor],
        {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)},
    )
    from tfgraph.ops import math_ops

    s = op._outputs[0]
    if s.dtype.is_complex:  # TF returns the (real) singular values as real numbers
        s = math_ops.real(s)
    if compute_uv:
        return s, op._outputs[1], op._outputs[2]
    return s


def matrix_square_root(input, name: str | None = None):
    """The principal square root of each innermost square matrix."""
    return op_output("MatrixSquareRoot", name, [input])


def matrix_transpose(a, name: str = "matrix_transpose", conjugate: bool = False):
    """Transposes the two innermost dimensions (TF's Transpose with a full permutation)."""
    from tfgraph.framework.convert import convert_to_tensor

    with get_default_graph().name_scope(name):
        a = convert_to_tensor(a, name="a")
        ndims = a._shape.ndims
        perm: Any
        if ndims is None:
            from tfgraph.ops import math_ops

            rank = array_ops.rank(a)
            perm = array_ops.concat([math_ops.range(rank - 2), [rank - 1, rank - 2]], 0)
        else:
            if ndims < 2:
                raise ValueError(
                    f"Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = "
                    f"{a} with shape: {a.shape}"
                )
            perm = list(range(ndims - 2)) + [ndims - 1, ndims - 2]
        return array_ops.transpose(a, perm=perm, conjugate=conjugate)


def adjoint(matrix, name: str | None = None):
    """The conjugate transpose of the two innermost dimensions."""
    if _lod.is_linear_operator(matrix):
        return _lod.adjoint(matrix, name)

    with get_default_graph().name_scope(name or "adjoint"):
        return matrix_transpose(matrix, conjugate=True)


def trace(x, name: str | None = None):
    """The sum of each innermost matrix's main diagonal."""
    if _lod.is_linear_operator(x):
        return _lod.trace(x, name)

    from tfgraph.ops import math_ops

    with get_default_graph().name_scope(name or "Trace") as scope:
        return math_ops.reduce_sum(diag_part_matrix(x), [-1], name=scope)


def diag(diagonal, name: str | None = None):
    """A tensor with `diagonal` on its diagonal (rank doubles; op Diag)."""
    return op_output("Diag", name, [diagonal])


def matrix_diag_part(input, name: str = "diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """Diagonal `k` (or the band k = [lower, upper], upper diagonal first, short ones
    padded with `padding_value`) of a batch of matrices (op MatrixDiagPartV3)."""
    if _lod.is_linear_operator(input):
        return _lod.diag_part(input, name)

    from tfgraph.framework.convert import convert_to_tensor

    with get_default_graph().name_scope(name) as scope:
        input = convert_to_tensor(input, name="input")
        pad = np.asarray(padding_value, dtype=input.dtype._base.np_dtype)
        attrs = {"align": _align_attr(align)}
        return op_output("MatrixDiagPartV3", scope, [input, k, pad], attrs)


def _matrix_2_norm(tensor, axis) -> Tensor:
    """The largest singular value over the two `axis` dimensions (kept, size 1), built as
    TF builds it: map_fns normalising the axes and inverting the permutation, and an Svd
    of the tensor with those axes moved last."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.functional_ops import map_fn
    from tfgraph.ops import control_flow_ops, math_ops

    rank = array_ops.rank(tensor)
    positive_axis = map_fn(
        lambda i: control_flow_ops.cond(i >= 0, lambda: i, lambda: i + rank),
        convert_to_tensor(axis),
    )
    axes = math_ops.range(rank)
    perm_before = array_ops.concat(
        [array_ops.list_diff(axes, positive_axis, dtypes.int32)[0], positive_axis], axis=0
    )
    perm_after = map_fn(
        lambda i: array_ops.cast(
            array_ops.squeeze(array_ops.where_v2(math_ops.equal(perm_before, i))),
            dtype=dtypes.int32,
        ),
        axes,
    )
    permed = array_ops.transpose(tensor, perm=perm_before)
    singular_values = apply_op(
        "Svd", None, [permed], {"compute_uv": False, "full_matrices": False}
    )._outputs[0]
    matrix_2_norm = array_ops.expand_dims(
        math_ops.reduce_max(math_ops.abs(singular_values), axis=-1, keepdims=True), axis=-1
    )
    return array_ops.transpose(matrix_2_norm, perm=perm_after)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):
    """Vector and matrix norms, as TF's composite (`ord` 'euclidean'/'fro'/2, 1, inf or
    any p > 0; a tuple `axis` of two for matrix norms; the matrix 2-norm is the largest
    singular value)."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.ops import math_ops

    keepdims = keep_dims if keepdims is None else keepdims
    keepdims = bool(keepdims) if keepdims is not None else False
    is_matrix_norm = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix_norm:
        axis = tuple(axis)
        if not isinstance(axis[0], int) or not isinstance(axis[1], int) or axis[0] == axis[1]:
            raise ValueError(
                f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
            )
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if ord not in supported:
            raise ValueError(f"'ord' must be a supported matrix norm in {supported}, got {ord}")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(
                f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
            )
        if (not np.isreal(ord) or ord <= 0) and ord not in ["euclidean", 1, 2, np.inf]:
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (axis,)
    with get_default_graph().name_scope(name or "norm"):
        tensor = convert_to_tensor(tensor)
        if is_matrix_norm and ord in [2, 2.0]:
            result = _matrix_2_norm(tensor, axis)
        elif ord in ["fro", "euclidean", 2, 2.0]:
            result = math_ops.sqrt(
                math_ops.reduce_sum(tensor * math_ops.conj(tensor), axis, keepdims=True)
            )
        else:
            result = math_ops.abs(tensor)
            if ord == 1:
                sum_axis = None if axis is None else axis[0]
                result = math_ops.reduce_sum(result, sum_axis, keepdims=True)
                if is_matrix_norm:
                    result = math_ops.reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix_norm:
                    result = math_ops.reduce_sum(result, axis[1], keepdims=True)
                max_axis = None if axis is None else axis[0]
                result = math_ops.reduce_max(result, max_axis, keepdims=True)
            else:
                result = math_ops.pow(
                    math_ops.reduce_sum(math_ops.pow(result, ord), axis, keepdims=True),
                    1.0 / ord,
                )
        if not keepdims:
            result = array_ops.squeeze(result, axis)
        return result


# -- matrix_solve_ls --------------------------------------------------------------------------
def _regularized_gramian_cholesky(matrix, l2_regularizer, first_kind: bool):
    """cholesky(A^H A + l2 I) (`first_kind`) or cholesky(A A^H + l2 I)."""
    from tfgraph.framework.ops import Tensor
    from tfgraph.ops import math_ops

    gramian = math_ops.matmul(matrix, matrix, adjoint_a=first_kind, adjoint_b=not first_kind)
    if isinstance(l2_regularizer, Tensor) or l2_regularizer != 0:
        dims = matrix.shape.as_list()
        small = dims[-1] if first_kind else dims[-2]
        if small is None:
            raise NotImplementedError("tfgraph's matrix_solve_ls needs static matrix dims")
        identity = eye(small, dtype=matrix.dtype)
        gramian += l2_regularizer * identity
    return cholesky(gramian)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solutions x of `matrix @ x = rhs` (minimizing
    ||A x - b||^2 + l2_regularizer ||x||^2) for each innermost matrix: with `fast`, by
    the Cholesky factor of the regularized Gramian (TF's composite, differentiable);
    otherwise by a complete orthogonal decomposition (numpy's lstsq; no gradient)."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.ops import math_ops

    matrix = convert_to_tensor(matrix, name="matrix")
    if matrix.dtype == dtypes.complex128 and l2_regularizer != 0:
        raise ValueError("complex128 with l2_regularizer != 0 not yet supported")
    if not fast:
        return op_output(
            "MatrixSolveLs", name, [matrix, rhs, convert_to_tensor(l2_regularizer, dtypes.float64)],
            {"fast": False},
        )  # fmt: skip
    with get_default_graph().name_scope(name or "matrix_solve_ls"):
        rhs = convert_to_tensor(rhs, name="rhs")
        rows, cols = matrix.shape.as_list()[-2:]
        if rows is None or cols is None:
            raise NotImplementedError("tfgraph's matrix_solve_ls needs static matrix dims")
        if rows >= cols:  # overdetermined
            chol = _regularized_gramian_cholesky(matrix, l2_regularizer, first_kind=True)
            return cholesky_solve(chol, math_ops.matmul(matrix, rhs, adjoint_a=True))
        chol = _regularized_gramian_cholesky(matrix, l2_regularizer, first_kind=False)
        return math_ops.matmul(matrix, cholesky_solve(chol, rhs), adjoint_a=True)


def _solve_ls_kernel(op, ctx):
    def kernel(matrix, rhs, l2):
        matrix, rhs = np.asarray(matrix), np.asarray(rhs)
        l2 = float(l2)
        flat_a = matrix.reshape(-1, *matrix.shape[-2:])
        flat_b = rhs.reshape(-1, *rhs.shape[-2:])
        out = []
        for a, b in zip(flat_a, flat_b):
            if l2:
                a = np.concatenate([a, np.sqrt(l2) * np.eye(a.shape[1], dtype=a.dtype)])
                b = np.concatenate([b, np.zeros((a.shape[1], b.shape[1]), b.dtype)])
            out.append(np.linalg.lstsq(a, b, rcond=None)[0])
        return np.asarray(out, dtype=matrix.dtype).reshape(
            *matrix.shape[:-2], matrix.shape[-1], rhs.shape[-1]
        )

    return kernel


def _solve_ls_shape(op):
    a, b = op._inputs[0]._shape, op._inputs[1]._shape
    if a._dims is None or b._dims is None:
        return [TensorShape(None)]
    return [TensorShape([*a._dims[:-2], a._dims[-1], b._dims[-1]])]


def _solve_ls_grad(op, grad):
    raise NotImplementedError("Gradient not defined for fast=False")


register_op(
    "MatrixSolveLs",
    inputs=["matrix: T", "rhs: T", "l2_regularizer: double"],
    outputs=["output: T"],
    attrs=["T: {double, float, half, complex64, complex128}", "fast: bool = true"],
    shape=_solve_ls_shape,
    make_kernel=_solve_ls_kernel,
    grad=_solve_ls_grad,
)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def norm_v2(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """TF2's `tf.norm` (no keep_dims)."""
    return norm(tensor, ord=ord, axis=axis, keepdims=keepdims, name=name)
