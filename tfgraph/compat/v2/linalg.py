"""`tf.linalg` under TF2 (`tfgraph.compat.v2.linalg`, re-exports only):
`tfgraph.linalg`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.linalg as _v1
from tfgraph.ops.linalg_more_ops import banded_triangular_solve, eig, eigvals
from tfgraph.ops.linalg_ops import (
    norm_v2 as norm,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))
