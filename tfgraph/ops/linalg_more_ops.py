"""More of `tf.linalg`, as TF builds it: logdet, matvec, normalize, pinv, matrix_rank,
the LU family (the Lu op; lu_solve, lu_matrix_inverse, lu_reconstruct as TF's
composites) and logm (MatrixLogarithm)."""

from __future__ import annotations

import warnings

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, linalg_ops, math_ops
from tfgraph.ops import linear_operator_dispatch as _lod
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "banded_triangular_solve",
    "eig",
    "eigvals",
    "logdet",
    "logm",
    "lu",
    "lu_matrix_inverse",
    "lu_reconstruct",
    "lu_solve",
    "matrix_rank",
    "matvec",
    "normalize",
    "pinv",
]


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


def logdet(matrix, name=None):
    """log(det(matrix)) of a Hermitian positive definite matrix, via its Cholesky factor."""
    if _lod.is_linear_operator(matrix):
        # As TF: the body runs with the Cholesky dispatched to the operator; when that
        # fails, TF's fallback dispatch handles logdet itself.
        try:
            with _scope(name, "logdet"):
                chol = linalg_ops.cholesky(matrix)
                diag = math_ops.real(linalg_ops.matrix_diag_part(chol))
                return 2.0 * math_ops.reduce_sum(math_ops.log(diag), axis=[-1])
        except (TypeError, ValueError):
            return _lod.logdet(matrix, name)
    with _scope(name, "logdet"):
        chol = op_output("Cholesky", None, [matrix])
        return 2.0 * math_ops.reduce_sum(
            math_ops.log(math_ops.real(linalg_ops.matrix_diag_part(chol))), axis=[-1]
        )


def matvec(
    a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None
):
    """The matrix-vector product a @ b (b: a batch of vectors)."""
    with _scope(name, "MatVec") as scope:
        output = math_ops.matmul(
            a, array_ops.expand_dims(b, axis=-1), transpose_a=transpose_a, adjoint_a=adjoint_a
        )
        return array_ops.squeeze(output, axis=-1, name=None) if scope else output


def normalize(tensor, ord="euclidean", axis=None, name=None):
    """(tensor / its norm, the norm) with the norm kept as a broadcastable shape."""
    with _scope(name, "normalize"):
        tensor = convert_to_tensor(tensor)
        norm = linalg_ops.norm(tensor, ord, axis, keepdims=True)
        norm = array_ops.cast(norm, tensor.dtype._base)
        return tensor / norm, norm


def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse, from the SVD with singular values below
    rcond * max(singular value) dropped."""
    with _scope(name, "pinv"):
        a = convert_to_tensor(a, name="a")
        dtype = a.dtype._base.np_dtype
        if rcond is None:
            dims = a.shape.as_list()[-2:] if a.shape.rank is not None else [None, None]
            if None not in dims:
                max_rows_cols = float(max(dims))
            else:
                shape = array_ops.shape(a)
                max_rows_cols = array_ops.cast(
                    math_ops.maximum(shape[-2], shape[-1]), a.dtype._base
                )
            rcond = 10.0 * max_rows_cols * np.finfo(dtype).eps
        rcond = convert_to_tensor(rcond, dtype=a.dtype._base, name="rcond")
        s, u, v = linalg_ops.svd(a, full_matrices=False, compute_uv=True)
        cutoff = rcond * math_ops.reduce_max(s, axis=-1)
        s = array_ops.where_v2(s > array_ops.expand_dims(cutoff, -1), s, np.array(np.inf, dtype))
        a_pinv = math_ops.matmul(v / array_ops.expand_dims(s, -2), u, adjoint_b=True)
        if a.shape.rank is not None:
            a_pinv.set_shape(a.shape[:-2].concatenate([a.shape[-1], a.shape[-2]]))
        return a_pinv


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above `tol` (default: eps * max(rows, cols) *
    max singular value)."""
    with _scope(name, "matrix_rank"):
        a = convert_to_tensor(a, dtype=None, name="a")
        s = linalg_ops.svd(a, compute_uv=False)
        if tol is None:
            dims = a.shape.as_list()[-2:] if a.shape.rank is not None else [None, None]
            if None not in dims:
                m = np.max(dims)
            else:
                m = math_ops.reduce_max(array_ops.shape(a)[-2:])
            eps = np.finfo(a.dtype._base.np_dtype).eps
            tol = (
                eps
                * array_ops.cast(m, a.dtype._base)
                * math_ops.reduce_max(s, axis=-1, keepdims=True)
            )
        return math_ops.reduce_sum(array_ops.cast(s > tol, dtypes.int32), axis=-1)


# -- Lu -----------------------------------------------------------------------------------
def _lu_one(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial-pivoting LU of one square matrix: (L and U packed, the row permutation
    p with L @ U == a[p])."""
    n = a.shape[0]
    lu_ = np.array(a, dtype=a.dtype, copy=True)
    perm = np.arange(n)
    for k in range(n):
        pivot = k + int(np.argmax(np.abs(lu_[k:, k])))
        if pivot != k:
            lu_[[k, pivot]] = lu_[[pivot, k]]
            perm[[k, pivot]] = perm[[pivot, k]]
        if lu_[k, k] != 0:
            lu_[k + 1 :, k] /= lu_[k, k]
            lu_[k + 1 :, k + 1 :] -= np.outer(lu_[k + 1 :, k], lu_[k, k + 1 :])
    return lu_, perm


def _lu_kernel(op, ctx):
    idx_dtype = op._attrs["output_idx_type"].np_dtype

    def kernel(x):
        x = np.asarray(x)
        if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
            raise errors.InvalidArgumentError(
                None, op, f"Input matrix must be square; got {list(x.shape)}"
            )
        flat = x.reshape((-1,) + x.shape[-2:])
        lus, perms = [], []
        for m in flat:
            lu_, p = _lu_one(m)
            lus.append(lu_)
            perms.append(p)
        lu_ = np.stack(lus).reshape(x.shape) if lus else np.zeros_like(x)
        p = np.stack(perms).reshape(x.shape[:-1]) if perms else np.zeros(x.shape[:-1])
        return lu_, p.astype(idx_dtype)

    return kernel


def _lu_shape(op):
    shape = op._inputs[0]._shape
    if shape._dims is None:
        return [shape, TensorShape(None)]
    return [shape, TensorShape(shape._dims[:-1])]


register_op(
    "Lu",
    inputs=["input: T"],
    outputs=["lu: T", "p: output_idx_type"],
    attrs=[
        "T: {double, float, half, complex64, complex128}",
        "output_idx_type: {int32, int64} = int32",
    ],
    shape=_lu_shape,
    make_kernel=_lu_kernel,
)


def lu(input, output_idx_type=dtypes.int32, name=None):
    """(lu, p): L (unit lower, below the diagonal) and U packed, and the row
    permutation with L @ U == input[p]."""
    op = apply_op("Lu", name, [input], {"output_idx_type": dtypes.as_dtype(output_idx_type)})
    return op._outputs[0], op._outputs[1]


def _unit_lower(lower_upper):
    return linalg_ops.matrix_set_diag(
        linalg_ops.matrix_band_part(lower_upper, -1, 0),
        array_ops.ones(array_ops.shape(lower_upper)[:-1], dtype=lower_upper.dtype._base),
    )


def _lu_solve_checks(lower_upper, rhs):
    if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
        raise ValueError("Input `rhs` must have at least 2 dimensions.")
    lu_dim = lower_upper.shape.as_list()[-1] if lower_upper.shape.rank else None
    rhs_dim = rhs.shape.as_list()[-2] if rhs.shape.rank else None
    if lu_dim is not None and rhs_dim is not None and lu_dim != rhs_dim:
        raise ValueError("`lower_upper.shape[-1]` must equal `rhs.shape[-1]`.")


def _permuted_rhs(rhs, perm):
    if rhs.shape.rank == 2 and perm.shape.rank == 1:
        return array_ops.gather(rhs, perm, axis=-2)
    rhs_shape = array_ops.shape(rhs)
    from tfgraph.ops.manip_ops import broadcast_dynamic_shape

    batch_shape = broadcast_dynamic_shape(rhs_shape[:-2], array_ops.shape(perm)[:-1])
    d, m = rhs_shape[-2], rhs_shape[-1]
    rhs_broadcast_shape = array_ops.concat([batch_shape, [d, m]], axis=0)
    broadcast_rhs = array_ops.reshape(array_ops.broadcast_to(rhs, rhs_broadcast_shape), [-1, d, m])
    broadcast_perm = array_ops.reshape(
        array_ops.broadcast_to(perm, rhs_broadcast_shape[:-1]), [-1, d]
    )
    batch_size = math_ops.reduce_prod(batch_shape)
    batch_indices = array_ops.broadcast_to(
        math_ops.range(batch_size)[:, array_ops.newaxis], [batch_size, d]
    )
    broadcast_perm = array_ops.stack([batch_indices, broadcast_perm], axis=-1)
    return array_ops.reshape(
        array_ops.gather_nd(broadcast_rhs, broadcast_perm), rhs_broadcast_shape
    )


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """The solution X of A X = rhs given A's LU factorization (lu, perm)."""
    with _scope(name, "lu_solve"):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        perm = convert_to_tensor(perm, name="perm")
        rhs = convert_to_tensor(rhs, dtype=lower_upper.dtype._base, name="rhs")
        _lu_solve_checks(lower_upper, rhs)
        permuted = _permuted_rhs(rhs, perm)
        lower = _unit_lower(lower_upper)
        return linalg_ops.matrix_triangular_solve(
            lower_upper, linalg_ops.matrix_triangular_solve(lower, permuted), lower=False
        )


def _batch_eye(num_rows, batch_shape, dtype):
    """TF's eye(num_rows, batch_shape=...) for tensor sizes: ones on the diagonal."""
    with _scope(None, "eye"):
        diag_size = math_ops.minimum(num_rows, num_rows)
        batch_shape = convert_to_tensor(batch_shape, name="shape", dtype=dtypes.int32)
        diag_shape = array_ops.concat((batch_shape, [diag_size]), axis=0)
        return linalg_ops.matrix_diag(array_ops.ones(diag_shape, dtype=dtype))


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """The inverse of A from its LU factorization (lu, perm)."""
    with _scope(name, "lu_matrix_inverse"):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        perm = convert_to_tensor(perm, name="perm")
        shape = array_ops.shape(lower_upper)
        eye = _batch_eye(shape[-1], shape[:-2], lower_upper.dtype._base)
        return lu_solve(lower_upper, perm, rhs=eye, validate_args=False)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """A from its LU factorization: (L @ U)[invert_permutation(perm)]."""
    with _scope(name, "lu_reconstruct"):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        perm = convert_to_tensor(perm, name="perm")
        shape = array_ops.shape(lower_upper)
        lower = _unit_lower(lower_upper)
        upper = linalg_ops.matrix_band_part(lower_upper, 0, -1)
        x = math_ops.matmul(lower, upper)
        if lower_upper.shape.rank != 2:
            from tfgraph.functional_ops import map_fn

            batch_size = math_ops.reduce_prod(shape[:-2])
            d = shape[-1]
            x = array_ops.reshape(x, [batch_size, d, d])
            perm = array_ops.reshape(perm, [batch_size, d])
            perm = map_fn(array_ops.invert_permutation, perm)
            batch_indices = array_ops.broadcast_to(
                math_ops.range(batch_size)[:, array_ops.newaxis], [batch_size, d]
            )
            x = array_ops.gather_nd(x, array_ops.stack([batch_indices, perm], axis=-1))
            x = array_ops.reshape(x, shape)
        else:
            x = array_ops.gather(x, array_ops.invert_permutation(perm))
        x.set_shape(lower_upper.shape)
        return x


# -- MatrixLogarithm ------------------------------------------------------------------------
def _logm_kernel(x):
    import scipy.linalg

    x = np.asarray(x)
    flat = x.reshape((-1,) + x.shape[-2:])
    with warnings.catch_warnings():  # (scipy's accuracy estimate; TF says nothing)
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.stack([scipy.linalg.logm(m) for m in flat]) if len(flat) else flat
    return np.asarray(out, dtype=x.dtype).reshape(x.shape)


register_op(
    "MatrixLogarithm",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: {complex64, complex128}"],
    shape=common_shapes.unchanged_shape,
    kernel=_logm_kernel,
)


def logm(input, name=None):
    """The matrix logarithm of (a batch of) complex square matrices."""
    return op_output("MatrixLogarithm", name, [input])


# -- Eig: the nonsymmetric eigensolver (TF2's tf.linalg.eig / eigvals) ---------------------
def _eig_kernel(op, ctx):
    compute_v = op._attrs["compute_v"]
    out = op._attrs["Tout"].as_numpy_dtype

    def kernel(x):
        x = np.asarray(x)
        if x.size == 0:
            e = np.zeros(x.shape[:-1], out)
            return e, (np.zeros(x.shape, out) if compute_v else np.zeros((0,), out))
        if compute_v:
            e, v = np.linalg.eig(x)  # (unit-norm columns, as Eigen's ComplexEigenSolver)
            return e.astype(out), v.astype(out)
        return np.linalg.eigvals(x).astype(out), np.zeros((0,), out)

    return kernel


def _eig_grad(op, grad_e, grad_v):
    """TF's Eig gradient (distinct eigenvalues; Boeddeker et al., eq. 4.77)."""
    e = op._outputs[0]
    deps = [g for g in (grad_e, grad_v) if g is not None]
    with get_default_graph().control_dependencies(deps):
        if grad_e is None:
            grad_e = array_ops.zeros_like(e)
        if op._attrs["compute_v"]:
            v = op._outputs[1]
            if grad_v is None:
                grad_v = array_ops.zeros_like(v)
            vt = linalg_ops.adjoint(v)
            f = linalg_ops._reciprocal_gaps(e)
            f = math_ops.conj(f)
            vgv = math_ops.matmul(vt, grad_v)
            diag = linalg_ops.matrix_diag(
                linalg_ops.diag_part_matrix(array_ops.cast(math_ops.real(vgv), vgv.dtype))
            )
            mid = linalg_ops.matrix_diag(grad_e) + f * (
                vgv - math_ops.matmul(math_ops.matmul(vt, v), diag)
            )
        else:
            _, v = eig(op._inputs[0])
            vt = linalg_ops.adjoint(v)
            mid = linalg_ops.matrix_diag(grad_e)
        grad_a = linalg_ops.matrix_solve(vt, math_ops.matmul(mid, vt))
        return array_ops.cast(grad_a, op._inputs[0].dtype)


register_op(
    "Eig",
    inputs=["input: T"],
    outputs=["e: Tout", "v: Tout"],
    attrs=[
        "compute_v: bool = true",
        "T: {float, double, complex64, complex128}",
        "Tout: {complex64, complex128}",
    ],
    shape=linalg_ops._eig_shape,
    make_kernel=_eig_kernel,
    grad=_eig_grad,
)


def _eig_out_dtype(tensor):
    return (
        dtypes.complex128
        if tensor.dtype._base in (dtypes.float64, dtypes.complex128)
        else (dtypes.complex64)
    )


def eig(tensor, name=None):
    """(e, v): the eigenvalues (not ordered) and right eigenvectors (columns, unit norm)
    of each innermost N x N matrix, complex (complex64 for float32 and complex64 input,
    complex128 for float64 and complex128), so `tensor @ v[..., :, i] = e[..., i] *
    v[..., :, i]`. TF2 only (`tf.linalg.eig`)."""
    tensor = convert_to_tensor(tensor)
    op = apply_op("Eig", name, [tensor], {"compute_v": True, "Tout": _eig_out_dtype(tensor)})
    return op._outputs[0], op._outputs[1]


def eigvals(tensor, name=None):
    """The eigenvalues (complex, not ordered) of each innermost N x N matrix. TF2 only
    (`tf.linalg.eigvals`)."""
    tensor = convert_to_tensor(tensor)
    op = apply_op("Eig", name, [tensor], {"compute_v": False, "Tout": _eig_out_dtype(tensor)})
    return op._outputs[0]


# -- BandedTriangularSolve (TF2's tf.linalg.banded_triangular_solve) ------------------------
def _banded_shape(op):
    a, b = (t._shape._dims for t in op._inputs)
    if a is None or b is None:
        return [TensorShape(None)]
    shapes = f"{common_shapes._fmt(a)}, {common_shapes._fmt(b)}"
    for dims in (a, b):
        if len(dims) < 2:
            raise ValueError(
                f"Shape must be at least rank 2 but is rank {len(dims)} for '{op.name}' "
                f"(op: 'BandedTriangularSolve') with input shapes: {shapes}."
            )
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"Dimensions must be equal, but are {a[-1]} and {b[-2]} for '{op.name}' "
            f"(op: 'BandedTriangularSolve') with input shapes: {shapes}."
        )
    batch = common_shapes.broadcast_dims(a[:-2], b[:-2], op.name)
    if batch is None:
        return [TensorShape(None)]
    return [TensorShape._from_tuple(tuple(batch) + (b[-2], b[-1]))]


def _dense_from_bands(bands, lower: bool) -> np.ndarray:
    """The M x M triangular matrices `bands` (..., K, M) stores, aligned as TF's
    LEFT_RIGHT: for `lower`, row j is diagonal -j, right-aligned; else row j is
    diagonal K-1-j, left-aligned."""
    k, m = bands.shape[-2:]
    dense = np.zeros(bands.shape[:-2] + (m, m), bands.dtype)
    for j in range(min(k, m)):
        d = j if lower else k - 1 - j
        if d >= m:
            continue
        rows = np.arange(d, m) if lower else np.arange(0, m - d)
        cols = rows - d if lower else rows + d
        dense[..., rows, cols] = bands[..., j, rows]
    return dense


def _banded_kernel(op, ctx):
    lower, adjoint = op._attrs["lower"], op._attrs["adjoint"]

    def kernel(bands, rhs):
        bands, rhs = np.asarray(bands), np.asarray(rhs)
        work = np.promote_types(bands.dtype, np.float32)
        dense = _dense_from_bands(bands.astype(work), lower)
        if adjoint:
            dense = np.conj(np.swapaxes(dense, -1, -2))
        batch = np.broadcast_shapes(dense.shape[:-2], rhs.shape[:-2])
        dense = np.broadcast_to(dense, batch + dense.shape[-2:])
        b = np.broadcast_to(rhs.astype(work), batch + rhs.shape[-2:])
        if dense.shape[-1] == 0 or b.shape[-1] == 0:
            return np.zeros(b.shape, rhs.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.linalg.solve(dense, b)
        return out.astype(rhs.dtype)

    return kernel


def _banded_grad(op, grad):
    """TF's BandedTriangularSolve gradient."""
    num_bands = array_ops.shape(op._inputs[0])[-2]

    def keep_band(grad_a, lower):
        k = (-(num_bands - 1), 0) if lower else (0, num_bands - 1)
        return linalg_ops.matrix_diag_part(grad_a, k=k, align="LEFT_RIGHT")

    return linalg_ops.triangular_solve_grad(op, grad, banded_triangular_solve, keep_band)


register_op(
    "BandedTriangularSolve",
    inputs=["matrix: T", "rhs: T"],
    outputs=["output: T"],
    attrs=[
        "lower: bool = true",
        "adjoint: bool = false",
        "T: {double, float, half, complex64, complex128}",
    ],
    shape=_banded_shape,
    make_kernel=_banded_kernel,
    grad=_banded_grad,
)


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None):
    """Solves `A x = rhs` (or `adjoint(A) x = rhs`) for the M x M triangular matrices A
    whose K diagonals `bands` ([..., K, M]) stores, aligned as `tf.linalg.set_diag`'s
    'LEFT_RIGHT' (lower: row j is subdiagonal -j; upper: row j is superdiagonal K-1-j).
    Batch dimensions broadcast. TF2 only (`tf.linalg.banded_triangular_solve`)."""
    with _scope(name, "banded_triangular_solve"):
        return op_output(
            "BandedTriangularSolve", None, [bands, rhs], {"lower": lower, "adjoint": adjoint}
        )
