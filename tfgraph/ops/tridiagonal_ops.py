"""Tridiagonal systems and the matrix exponential, as TF builds them:
TridiagonalMatMul and TridiagonalSolve (op, kernel, shape rule and TF's gradients),
`tf.linalg.tridiagonal_matmul` / `tridiagonal_solve` in their three diagonal formats,
and `tf.linalg.expm` (TF's scaling-and-squaring Pade composite)."""

from __future__ import annotations

import logging

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.ops import array_ops, linalg_ops, math_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import shape_error

__all__ = ["matrix_exponential", "tridiagonal_matmul", "tridiagonal_solve"]

_LOG = logging.getLogger("tfgraph")
_TYPES = "{double, float, complex64, complex128}"


# -- shape rules ---------------------------------------------------------------------------
def _merge_dim(op, a, b, message=None):
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise shape_error(op, message or f"Dimensions must be equal, but are {a} and {b}")


def _merge_batch(op, a, b):
    if len(a) != len(b):
        raise shape_error(op, f"Shapes must be equal rank, but are {len(a)} and {len(b)}")
    out = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x is not None and y is not None and x != y:
            raise shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                f"[{','.join(map(str, a))}] and [{','.join(map(str, b))}].",
            )
        out.append(x if x is not None else y)
    return out


def _rank_at_least_2(op, dims):
    if len(dims) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(dims)}")


def _solve_shape(op):
    d, r = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if d is None or r is None:
        return [TensorShape(r)]
    _rank_at_least_2(op, d)
    _rank_at_least_2(op, r)
    if d[-2] is not None and d[-2] != 3:
        raise shape_error(op, f"Dimension must be 3 but is {d[-2]}")
    batch = _merge_batch(op, list(d[:-2]), list(r[:-2]))
    m = _merge_dim(op, d[-1], r[-2])
    return [TensorShape(batch + [m, r[-1]])]


def _matmul_shape(op):
    dims = [t._shape._dims for t in op._inputs]
    if any(d is None for d in dims):
        return [TensorShape(dims[3])]
    for d in dims:
        _rank_at_least_2(op, d)
    batch = list(dims[0][:-2])
    for d in dims[1:]:
        batch = _merge_batch(op, batch, list(d[:-2]))
    for d in dims[:3]:
        if d[-2] is not None and d[-2] != 1:
            raise shape_error(op, f"Dimension must be 1 but is {d[-2]}")
    m = dims[0][-1]
    for d in dims[1:3]:
        m = _merge_dim(op, m, d[-1])
    m = _merge_dim(op, m, dims[3][-2])
    return [TensorShape(batch + [m, dims[3][-1]])]


# -- kernels -------------------------------------------------------------------------------
def _tridiagonal_matmul_kernel(superdiag, maindiag, subdiag, rhs):
    sup = np.swapaxes(superdiag, -1, -2)
    main = np.swapaxes(maindiag, -1, -2)
    sub = np.swapaxes(subdiag, -1, -2)
    out = main * rhs
    if rhs.shape[-2] > 1:
        out[..., :-1, :] += sup[..., :-1, :] * rhs[..., 1:, :]
        out[..., 1:, :] += sub[..., 1:, :] * rhs[..., :-1, :]
    return out.astype(rhs.dtype, copy=False)


def _eliminate(sup, main, sub, x):
    """Gaussian elimination with partial pivoting (rows i, i+1 swap when the subdiagonal
    entry is larger). Returns U's three bands (a: pivots, b, c) and the updated rhs."""
    n = main.shape[-1]
    a = np.zeros_like(main)
    b = np.zeros_like(main)
    c = np.zeros_like(main)
    ra, rb = main[:, 0].copy(), sup[:, 0].copy() if n > 1 else np.zeros_like(main[:, 0])
    rc = np.zeros_like(ra)
    xi = x[:, 0].copy()
    for i in range(n - 1):
        la, lb = sub[:, i + 1], main[:, i + 1]
        lc = sup[:, i + 1] if i + 1 < n - 1 else np.zeros_like(lb)
        xn = x[:, i + 1]
        swap = np.abs(ra) < np.abs(la)
        with np.errstate(divide="ignore", invalid="ignore"):
            f_keep = np.where(ra != 0, la / np.where(ra != 0, ra, 1), 0)
            f_swap = ra / np.where(swap, la, 1)
        a[:, i] = np.where(swap, la, ra)
        b[:, i] = np.where(swap, lb, rb)
        c[:, i] = np.where(swap, lc, rc)
        s = swap[:, None]
        x_top = np.where(s, xn, xi)
        x_new = np.where(s, xi - f_swap[:, None] * xn, xn - f_keep[:, None] * xi)
        ra_new = np.where(swap, rb - f_swap * lb, lb - f_keep * rb)
        rb_new = np.where(swap, rc - f_swap * lc, lc - f_keep * rc)
        x[:, i] = x_top
        ra, rb, rc, xi = ra_new, rb_new, np.zeros_like(ra), x_new
    a[:, n - 1] = ra
    x[:, n - 1] = xi
    return a, b, c, x


def _back_substitute(a, b, c, x):
    n = a.shape[-1]
    out = np.zeros_like(x)
    for i in range(n - 1, -1, -1):
        acc = x[:, i].copy()
        if i + 1 < n:
            acc -= b[:, i, None] * out[:, i + 1]
        if i + 2 < n:
            acc -= c[:, i, None] * out[:, i + 2]
        out[:, i] = acc / a[:, i, None]
    return out


def _thomas(sup, main, sub, x):
    """Elimination without pivoting; a zero pivot gives non-finite values."""
    n = main.shape[-1]
    d = main.copy()
    x = x.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n - 1):
            f = sub[:, i + 1] / d[:, i]
            d[:, i + 1] = d[:, i + 1] - f * sup[:, i]
            x[:, i + 1] = x[:, i + 1] - f[:, None] * x[:, i]
        out = np.zeros_like(x)
        for i in range(n - 1, -1, -1):
            acc = x[:, i] - (sup[:, i, None] * out[:, i + 1] if i + 1 < n else 0)
            out[:, i] = acc / d[:, i, None]
    return out


def _solve_systems(diags, rhs, partial_pivoting, perturb_singular):
    batch = diags.shape[:-2]
    m, k = rhs.shape[-2], rhs.shape[-1]
    d = diags.reshape((-1, 3, m))
    x = rhs.reshape((-1, m, k)).copy()
    sup, main, sub = d[:, 0, :], d[:, 1, :], d[:, 2, :]
    if m == 0 or d.shape[0] == 0:
        return rhs.copy()
    if not partial_pivoting:
        out = _thomas(sup, main, sub, x)
        if not np.all(np.isfinite(out)):
            _LOG.warning(
                "The matrix is either not invertible, or requires pivoting. Try setting "
                "partial_pivoting = True."
            )
        return out.reshape(batch + (m, k))
    a, b, c, x = _eliminate(sup, main, sub, x)
    if perturb_singular:
        eps = np.finfo(a.real.dtype).eps
        scale = np.max(np.abs(np.concatenate([a, b, c], axis=-1)), axis=-1, keepdims=True)
        a = np.where(a == 0, (eps * scale).astype(a.dtype), a)
    singular = np.any(a == 0, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _back_substitute(a, b, c, x)
    if np.any(singular):
        _LOG.warning("The matrix is not invertible.")
        out[singular] = np.nan
    return out.reshape(batch + (m, k))


def _tridiagonal_solve_kernel(op, ctx):
    pivoting = op._attrs["partial_pivoting"]
    perturb = op._attrs["perturb_singular"]

    def kernel(diagonals, rhs):
        out = _solve_systems(diagonals, rhs, pivoting, perturb)
        return out.astype(rhs.dtype, copy=False)

    return kernel


# -- gradients (TF's) -------------------------------------------------------------------------
def _shift(x, left):
    rank = array_ops.rank(x)
    zeros = array_ops.zeros((rank - 2, 2), dtype=dtypes.int32)
    pad = [[0, 1], [0, 0]] if left else [[1, 0], [0, 0]]
    pad = array_ops.concat([zeros, constant(pad)], axis=0)
    return array_ops.pad(x[..., 1:, :] if left else x[..., :-1, :], pad)


def _tridiagonal_matmul_grad(op, grad):
    sup_c, main_c, sub_c = (linalg_ops.matrix_transpose(t, conjugate=True) for t in op._inputs[:3])
    rhs_conj = math_ops.conj(op._inputs[3])
    sup_g = math_ops.reduce_sum(_shift(rhs_conj, True) * grad, axis=-1)
    main_g = math_ops.reduce_sum(rhs_conj * grad, axis=-1)
    sub_g = math_ops.reduce_sum(_shift(rhs_conj, False) * grad, axis=-1)
    rhs_g = _shift(sup_c * grad, False) + main_c * grad + _shift(sub_c * grad, True)
    return (
        array_ops.expand_dims(sup_g, -2),
        array_ops.expand_dims(main_g, -2),
        array_ops.expand_dims(sub_g, -2),
        rhs_g,
    )


def _pad_last(x, pad):
    rank = array_ops.rank(x)
    zeros = array_ops.zeros((rank - 1, 2), dtype=dtypes.int32)
    return array_ops.pad(x, array_ops.concat((zeros, constant([pad])), axis=0))


def _transpose_tridiagonal(diags):
    diag = diags[..., 1, :]
    if diags.shape.is_fully_defined():
        zeros = array_ops.zeros(diags.shape[:-2].as_list() + [1], dtype=diags.dtype)
        superdiag = array_ops.concat((diags[..., 2, 1:], zeros), axis=-1)
        subdiag = array_ops.concat((zeros, diags[..., 0, :-1]), axis=-1)
    else:
        superdiag = _pad_last(diags[..., 2, 1:], [0, 1])
        subdiag = _pad_last(diags[..., 0, :-1], [1, 0])
    return array_ops.stack([superdiag, diag, subdiag], axis=-2)


def _matmul_three_diagonals(x, y_tr):
    diag = math_ops.reduce_sum(x * y_tr, axis=-1)
    if y_tr.shape.is_fully_defined():
        zeros = array_ops.zeros(x.shape[:-2].as_list() + [1, x.shape[-1].value], dtype=x.dtype)
        sup = math_ops.reduce_sum(x * array_ops.concat((y_tr[..., 1:, :], zeros), axis=-2), -1)
        sub = math_ops.reduce_sum(x * array_ops.concat((zeros, y_tr[..., :-1, :]), axis=-2), -1)
    else:
        sup = math_ops.reduce_sum(x * _shift(y_tr, True), axis=-1)
        sub = math_ops.reduce_sum(x * _shift(y_tr, False), axis=-1)
    return array_ops.stack([sup, diag, sub], axis=-2)


def _tridiagonal_solve_grad(op, grad):
    diags = op._inputs[0]
    x = op._outputs[0]
    grad_rhs = _solve_op(
        _transpose_tridiagonal(diags),
        grad,
        op._attrs["partial_pivoting"],
        op._attrs["perturb_singular"],
    )
    grad_diags = -_matmul_three_diagonals(grad_rhs, x)
    return grad_diags, grad_rhs


register_op(
    "TridiagonalMatMul",
    inputs=["superdiag: T", "maindiag: T", "subdiag: T", "rhs: T"],
    outputs=["output: T"],
    attrs=[f"T: {_TYPES}"],
    shape=_matmul_shape,
    kernel=_tridiagonal_matmul_kernel,
    grad=_tridiagonal_matmul_grad,
)

register_op(
    "TridiagonalSolve",
    inputs=["diagonals: T", "rhs: T"],
    outputs=["output: T"],
    attrs=["partial_pivoting: bool = true", "perturb_singular: bool = false", f"T: {_TYPES}"],
    shape=_solve_shape,
    make_kernel=_tridiagonal_solve_kernel,
    grad=_tridiagonal_solve_grad,
)


def _solve_op(diagonals, rhs, partial_pivoting=True, perturb_singular=False, name=None):
    return op_output(
        "TridiagonalSolve",
        name,
        [diagonals, rhs],
        {"partial_pivoting": partial_pivoting, "perturb_singular": perturb_singular},
    )


# -- public functions ------------------------------------------------------------------------
def _diags_from_matrix(diagonals):
    m1 = dimension_value(diagonals.shape[-1])
    m2 = dimension_value(diagonals.shape[-2])
    if m1 and m2 and m1 != m2:
        raise ValueError(f"Expected last two dimensions of diagonals to be same, got {m1} and {m2}")
    # TF reads the three bands with matrix_diag_part(k=(-1, 1), align="LEFT_RIGHT");
    # the same values from the main diagonals of the shifted blocks:
    main = linalg_ops.matrix_diag_part(diagonals)
    sup = _pad_last(linalg_ops.matrix_diag_part(diagonals[..., :-1, 1:]), [0, 1])
    sub = _pad_last(linalg_ops.matrix_diag_part(diagonals[..., 1:, :-1]), [1, 0])
    return array_ops.stack([sup, main, sub], axis=-2)


def _pad_sequence(diagonals):
    if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
        raise ValueError("Expected diagonals to be a sequence of length 3.")
    superdiag, maindiag, subdiag = (convert_to_tensor(d) for d in diagonals)
    if not subdiag.shape[:-1].is_compatible_with(maindiag.shape[:-1]) or not superdiag.shape[
        :-1
    ].is_compatible_with(maindiag.shape[:-1]):
        raise ValueError(
            "Tensors representing the three diagonals must have the same shape,except for "
            f"the last dimension, got {subdiag.shape}, {maindiag.shape}, {superdiag.shape}"
        )
    m = dimension_value(maindiag.shape[-1])

    def pad_if_necessary(t, name, last_dim_padding):
        n = dimension_value(t.shape[-1])
        if not n or n == m:
            return t
        if n == m - 1:
            paddings = [[0, 0] for _ in range(len(t.shape) - 1)] + [last_dim_padding]
            return array_ops.pad(t, paddings)
        raise ValueError(f"Expected {name} to be have length {m} or {m - 1}, got {n}.")

    subdiag = pad_if_necessary(subdiag, "subdiagonal", [1, 0])
    superdiag = pad_if_necessary(superdiag, "superdiagonal", [0, 1])
    return array_ops.stack((superdiag, maindiag, subdiag), axis=-2)


def tridiagonal_solve(
    diagonals,
    rhs,
    diagonals_format="compact",
    transpose_rhs=False,
    conjugate_rhs=False,
    name=None,
    partial_pivoting=True,
    perturb_singular=False,
):
    """Solves the tridiagonal systems `A x = rhs` (diagonals in compact [..., 3, M],
    sequence (super, main, sub) or full matrix format)."""
    if perturb_singular and not partial_pivoting:
        raise ValueError("partial_pivoting must be True if perturb_singular is.")
    if diagonals_format == "compact":
        pass
    elif diagonals_format == "sequence":
        diagonals = _pad_sequence(diagonals)
    elif diagonals_format == "matrix":
        diagonals = _diags_from_matrix(convert_to_tensor(diagonals))
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    return _solve_compact(
        convert_to_tensor(diagonals),
        convert_to_tensor(rhs),
        transpose_rhs,
        conjugate_rhs,
        partial_pivoting,
        perturb_singular,
        name,
    )


def _check_ranks(diagonals, rhs):
    diags_rank, rhs_rank = diagonals.shape.rank, rhs.shape.rank
    if diags_rank:
        if diags_rank < 2:
            raise ValueError(f"Expected diagonals to have rank at least 2, got {diags_rank}")
        if rhs_rank and rhs_rank != diags_rank and rhs_rank != diags_rank - 1:
            raise ValueError(
                f"Expected the rank of rhs to be {diags_rank - 1} or {diags_rank}, got {rhs_rank}"
            )
        if rhs_rank and not diagonals.shape[:-2].is_compatible_with(rhs.shape[: diags_rank - 2]):
            raise ValueError(
                f"Batch shapes {diagonals.shape[:-2]} and {rhs.shape[: diags_rank - 2]} are "
                "incompatible"
            )
    if dimension_value(diagonals.shape[-2]) and diagonals.shape[-2] != 3:
        raise ValueError(f"Expected 3 diagonals got {diagonals.shape[-2]}")


def _check_lhs_rhs(diagonals, rhs):
    m, n = dimension_value(diagonals.shape[-1]), dimension_value(rhs.shape[-2])
    if m and n and m != n:
        raise ValueError(
            "Expected number of left-hand sided and right-hand sides to be equal, got "
            f"{diagonals.shape[-1]} and {rhs.shape[-2]}"
        )


def _solve_compact(diagonals, rhs, transpose_rhs, conjugate_rhs, pivoting, perturb, name):
    _check_ranks(diagonals, rhs)
    diags_rank, rhs_rank = diagonals.shape.rank, rhs.shape.rank
    if rhs_rank and diags_rank and rhs_rank == diags_rank - 1:
        if conjugate_rhs:
            rhs = math_ops.conj(rhs)
        rhs = array_ops.expand_dims(rhs, -1)
        _check_lhs_rhs(diagonals, rhs)
        return array_ops.squeeze(_solve_op(diagonals, rhs, pivoting, perturb, name), -1)
    if transpose_rhs:
        rhs = linalg_ops.matrix_transpose(rhs, conjugate=conjugate_rhs)
    elif conjugate_rhs:
        rhs = math_ops.conj(rhs)
    _check_lhs_rhs(diagonals, rhs)
    return _solve_op(diagonals, rhs, pivoting, perturb, name)


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """The product of a tridiagonal matrix (compact, sequence or matrix format) and rhs."""
    if diagonals_format == "compact":
        diagonals = convert_to_tensor(diagonals)
        superdiag, maindiag, subdiag = (diagonals[..., i, :] for i in range(3))
    elif diagonals_format == "sequence":
        superdiag, maindiag, subdiag = diagonals
    elif diagonals_format == "matrix":
        diags = _diags_from_matrix(convert_to_tensor(diagonals))
        superdiag, maindiag, subdiag = (diags[..., i, :] for i in range(3))
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    superdiag = array_ops.expand_dims(superdiag, -2)
    maindiag = array_ops.expand_dims(maindiag, -2)
    subdiag = array_ops.expand_dims(subdiag, -2)
    return op_output("TridiagonalMatMul", name, [superdiag, maindiag, subdiag, rhs])


# -- expm ------------------------------------------------------------------------------------
_PADE = {
    3: [120.0, 60.0, 12.0],
    5: [30240.0, 15120.0, 3360.0, 420.0, 30.0],
    7: [17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0],
    9: [
        17643225600.0,
        8821612800.0,
        2075673600.0,
        302702400.0,
        30270240.0,
        2162160.0,
        110880.0,
        3960.0,
        90.0,
    ],
    13: [
        6.476475253248e16,
        3.238237626624e16,
        7771770303897600.0,
        1187353796428800.0,
        129060195264000.0,
        10559470521600.0,
        670442572800.0,
        33522128640.0,
        1323241920.0,
        40840800.0,
        960960.0,
        16380.0,
        182.0,
    ],
}


def _pade(matrix, order):
    """(U, V) of the order-`order` Pade approximant, as TF's _matrix_exp_padeN."""
    b = [constant(x, matrix.dtype) for x in _PADE[order]]
    ident = _eye_like(matrix)
    mm = math_ops.matmul
    m2 = mm(matrix, matrix)
    if order == 3:
        return mm(matrix, m2 + b[1] * ident), b[2] * m2 + b[0] * ident
    m4 = mm(m2, m2)
    if order == 5:
        u = mm(matrix, m4 + b[3] * m2 + b[1] * ident)
        return u, b[4] * m4 + b[2] * m2 + b[0] * ident
    m6 = mm(m4, m2)
    if order == 7:
        u = mm(matrix, m6 + b[5] * m4 + b[3] * m2 + b[1] * ident)
        return u, b[6] * m6 + b[4] * m4 + b[2] * m2 + b[0] * ident
    if order == 9:
        m8 = mm(m6, m2)
        u = mm(matrix, m8 + b[7] * m6 + b[5] * m4 + b[3] * m2 + b[1] * ident)
        return u, b[8] * m8 + b[6] * m6 + b[4] * m4 + b[2] * m2 + b[0] * ident
    tmp_u = mm(m6, m6 + b[11] * m4 + b[9] * m2) + b[7] * m6 + b[5] * m4 + b[3] * m2 + b[1] * ident
    tmp_v = b[12] * m6 + b[10] * m4 + b[8] * m2
    v = mm(m6, tmp_v) + b[6] * m6 + b[4] * m4 + b[2] * m2 + b[0] * ident
    return mm(matrix, tmp_u), v


def _eye_like(matrix):
    shape = array_ops.shape(matrix)
    ones = array_ops.ones(array_ops.concat([shape[:-2], [shape[-2]]], 0), dtype=matrix.dtype)
    return linalg_ops.matrix_diag(ones)


def _expm_u_v(matrix, l1_norm, const):
    def nest_where(vals, cases):
        cond = math_ops.less(l1_norm, const(vals[0]))
        if len(vals) == 1:
            return array_ops.where_v2(cond, cases[0], cases[1])
        return array_ops.where_v2(cond, cases[0], nest_where(vals[1:], cases[1:]))

    single = matrix.dtype in (dtypes.float16, dtypes.float32, dtypes.complex64)
    maxnorm = const(3.92572478313866 if single else 5.371920351148152)
    squarings = math_ops.maximum(
        math_ops.floor(math_ops.log(l1_norm / maxnorm) / math_ops.log(const(2.0))), 0
    )
    scaled = matrix / array_ops.cast(math_ops.pow(const(2.0), squarings), matrix.dtype)
    if single:
        pairs = [_pade(matrix, 3), _pade(matrix, 5), _pade(scaled, 7)]
        conds = (0.4258730016922831, 1.880152677804762)
    else:
        pairs = [_pade(matrix, o) for o in (3, 5, 7, 9)] + [_pade(scaled, 13)]
        conds = (0.01495585217958292, 0.253939833006323, 0.9504178996162932, 2.097847961257068)
    u = nest_where(conds, [p[0] for p in pairs])
    v = nest_where(conds, [p[1] for p in pairs])
    return u, v, squarings


def matrix_exponential(input, name=None):
    """exp(input) of a [batch] square matrix by scaling and squaring (TF's algorithm)."""
    from tfgraph.ops.control_flow_ops import cond
    from tfgraph.ops.while_loop import while_loop

    with get_default_graph().name_scope(name or "matrix_exponential"):
        matrix = convert_to_tensor(input, name="input")
        if matrix.shape[-2:] == [0, 0]:
            return matrix
        if matrix.dtype not in (
            dtypes.float16,
            dtypes.float32,
            dtypes.complex64,
            dtypes.float64,
            dtypes.complex128,
        ):
            raise ValueError(f"tf.linalg.expm does not support matrices of type {matrix.dtype}")
        batch_shape = matrix.shape[:-2]
        if not batch_shape.is_fully_defined():
            batch_shape = array_ops.shape(matrix)[:-2]
        matrix = array_ops.reshape(
            matrix, array_ops.concat(([-1], array_ops.shape(matrix)[-2:]), axis=0)
        )
        col_sums = math_ops.reduce_sum(
            math_ops.abs(matrix), axis=array_ops.size(array_ops.shape(matrix)) - 2
        )
        l1_norm = math_ops.reduce_max(col_sums, axis=-1)[..., array_ops.newaxis, array_ops.newaxis]

        def const(x):
            return constant(x, l1_norm.dtype)

        u, v, squarings = _expm_u_v(matrix, l1_norm, const)
        is_finite = math_ops.is_finite(math_ops.reduce_max(l1_norm))
        nan = constant(np.nan, matrix.dtype)
        result = cond(
            is_finite,
            lambda: linalg_ops.matrix_solve(-u + v, u + v),
            lambda: array_ops.fill(array_ops.shape(matrix), nan),
        )
        max_squarings = math_ops.reduce_max(squarings)
        i = const(0.0)

        def c(i, _):
            return cond(is_finite, lambda: math_ops.less(i, max_squarings), lambda: constant(False))

        def b(i, r):
            return i + 1, array_ops.where_v2(math_ops.less(i, squarings), math_ops.matmul(r, r), r)

        _, result = while_loop(c, b, [i, result])
        if not matrix.shape.is_fully_defined():
            return array_ops.reshape(
                result, array_ops.concat((batch_shape, array_ops.shape(result)[-2:]), axis=0)
            )
        return array_ops.reshape(result, batch_shape.concatenate(result.shape[-2:]).as_list())
