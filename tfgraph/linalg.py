"""`tf.linalg`: matrix functions and decompositions (re-exports only). Names TF 2.21's
compat.v1 has here that tfgraph lacks are listed in docs/api_exclusions.md."""

from tfgraph import linalg_experimental as experimental
from tfgraph.ops.clip_ops import global_norm
from tfgraph.ops.einsum_ops import einsum
from tfgraph.ops.linalg_more_ops import (
    logdet,
    logm,
    lu,
    lu_matrix_inverse,
    lu_reconstruct,
    lu_solve,
    matrix_rank,
    matvec,
    normalize,
    pinv,
)
from tfgraph.ops.linalg_ops import (
    adjoint,
    cholesky,
    cholesky_solve,
    eye,
    matrix_transpose,
    norm,
    qr,
    slogdet,
    svd,
    trace,
)
from tfgraph.ops.linalg_ops import diag as tensor_diag
from tfgraph.ops.linalg_ops import diag_part as tensor_diag_part
from tfgraph.ops.linalg_ops import matrix_band_part as band_part
from tfgraph.ops.linalg_ops import matrix_determinant as det
from tfgraph.ops.linalg_ops import matrix_diag as diag
from tfgraph.ops.linalg_ops import matrix_diag_part as diag_part
from tfgraph.ops.linalg_ops import matrix_inverse as inv
from tfgraph.ops.linalg_ops import matrix_set_diag as set_diag
from tfgraph.ops.linalg_ops import matrix_solve as solve
from tfgraph.ops.linalg_ops import matrix_solve_ls as lstsq
from tfgraph.ops.linalg_ops import matrix_square_root as sqrtm
from tfgraph.ops.linalg_ops import matrix_transpose as transpose
from tfgraph.ops.linalg_ops import matrix_triangular_solve as triangular_solve
from tfgraph.ops.linalg_ops import self_adjoint_eig as eigh
from tfgraph.ops.linalg_ops import self_adjoint_eigvals as eigvalsh
from tfgraph.ops.linear_operator import LinearOperator
from tfgraph.ops.linear_operator_basic import (
    LinearOperatorDiag,
    LinearOperatorFullMatrix,
    LinearOperatorIdentity,
    LinearOperatorLowerTriangular,
    LinearOperatorScaledIdentity,
)
from tfgraph.ops.linear_operator_block import LinearOperatorBlockLowerTriangular
from tfgraph.ops.linear_operator_composite import (
    LinearOperatorAdjoint,
    LinearOperatorBlockDiag,
    LinearOperatorComposition,
    LinearOperatorInversion,
    LinearOperatorKronecker,
)
from tfgraph.ops.linear_operator_more import (
    LinearOperatorHouseholder,
    LinearOperatorLowRankUpdate,
    LinearOperatorPermutation,
    LinearOperatorZeros,
)
from tfgraph.ops.linear_operator_structured import (
    LinearOperatorCirculant,
    LinearOperatorCirculant2D,
    LinearOperatorCirculant3D,
    LinearOperatorToeplitz,
    LinearOperatorTridiag,
)
from tfgraph.ops.manip_ops import cross
from tfgraph.ops.math_ops import matmul, tensordot
from tfgraph.ops.nn_ops import l2_normalize
from tfgraph.ops.tridiagonal_eigh import eigh_tridiagonal
from tfgraph.ops.tridiagonal_ops import matrix_exponential as expm
from tfgraph.ops.tridiagonal_ops import tridiagonal_matmul, tridiagonal_solve

__all__ = [
    "LinearOperator",
    "LinearOperatorAdjoint",
    "LinearOperatorBlockDiag",
    "LinearOperatorBlockLowerTriangular",
    "LinearOperatorCirculant",
    "LinearOperatorCirculant2D",
    "LinearOperatorCirculant3D",
    "LinearOperatorComposition",
    "LinearOperatorDiag",
    "LinearOperatorFullMatrix",
    "LinearOperatorHouseholder",
    "LinearOperatorIdentity",
    "LinearOperatorInversion",
    "LinearOperatorKronecker",
    "LinearOperatorLowRankUpdate",
    "LinearOperatorLowerTriangular",
    "LinearOperatorPermutation",
    "LinearOperatorScaledIdentity",
    "LinearOperatorToeplitz",
    "LinearOperatorTridiag",
    "LinearOperatorZeros",
    "adjoint",
    "band_part",
    "cholesky",
    "cholesky_solve",
    "cross",
    "det",
    "diag",
    "diag_part",
    "eigh",
    "eigh_tridiagonal",
    "eigvalsh",
    "einsum",
    "experimental",
    "expm",
    "eye",
    "global_norm",
    "inv",
    "l2_normalize",
    "logdet",
    "logm",
    "lstsq",
    "lu",
    "lu_matrix_inverse",
    "lu_reconstruct",
    "lu_solve",
    "matmul",
    "matrix_rank",
    "matrix_transpose",
    "matvec",
    "norm",
    "normalize",
    "pinv",
    "qr",
    "set_diag",
    "slogdet",
    "solve",
    "sqrtm",
    "svd",
    "tensor_diag",
    "tensor_diag_part",
    "tensordot",
    "trace",
    "transpose",
    "triangular_solve",
    "tridiagonal_matmul",
    "tridiagonal_solve",
]
