"""What TF's dispatch does when a LinearOperator reaches tf.linalg's functions:
`tf.matmul`, `tf.linalg.adjoint`, `cholesky`, `diag_part`, `det`, `inv`, `solve` and
`trace` call the operator's own methods (`logdet` reaches it through `cholesky`, and
falls back to `logdet` here). The functions check `is_linear_operator` first."""

from __future__ import annotations

__all__ = [
    "adjoint",
    "cholesky",
    "det",
    "diag_part",
    "inv",
    "is_linear_operator",
    "logdet",
    "matmul",
    "solve",
    "trace",
]


def is_linear_operator(x) -> bool:
    return getattr(type(x), "_is_linear_operator", False)


def adjoint(matrix, name=None):
    return matrix.adjoint(name)


def cholesky(input, name=None):
    return input.cholesky(name)


def diag_part(input, name="diag_part"):
    return input.diag_part(name)


def det(input, name=None):
    return input.determinant(name)


def inv(input, adjoint=False, name=None):
    result = input.inverse(name)
    return result.adjoint() if adjoint else result


def logdet(matrix, name=None):
    if matrix.is_positive_definite and matrix.is_self_adjoint:
        return matrix.log_abs_determinant(name)
    raise ValueError("Expected matrix to be self-adjoint positive definite.")


def matmul(
    a,
    b,
    transpose_a=False,
    transpose_b=False,
    adjoint_a=False,
    adjoint_b=False,
    a_is_sparse=False,
    b_is_sparse=False,
    name=None,
):
    if transpose_a or transpose_b:
        raise ValueError("Transposing not supported at this time.")
    if a_is_sparse or b_is_sparse:
        raise ValueError("Sparse methods not supported at this time.")
    if not is_linear_operator(a):
        # a @ B = (B^H @ a^H)^H
        from tfgraph.ops.linalg_ops import adjoint as dense_adjoint

        result = b.matmul(a, adjoint=not adjoint_b, adjoint_arg=not adjoint_a, name=name)
        return dense_adjoint(result)
    return a.matmul(b, adjoint=adjoint_a, adjoint_arg=adjoint_b, name=name)


def solve(matrix, rhs, adjoint=False, name=None):
    if not is_linear_operator(matrix):
        raise ValueError(
            "Passing in `matrix` as a Tensor and `rhs` as a LinearOperator is not supported."
        )
    return matrix.solve(rhs, adjoint=adjoint, name=name)


def trace(x, name=None):
    return x.trace(name)
