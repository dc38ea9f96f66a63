"""Array ops that initializers and partitioned variables need (Slice, DiagPart,
MatrixDiagV3, MatrixSetDiagV3), registered here only when `array_ops` does not already
declare them.

`array_ops` is imported first, so once it declares one of these op types its entry
wins and the one here is skipped; the public helpers below then build whichever entry
is registered. Remove an entry here when `array_ops` owns it.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import registry
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops  # noqa: F401 - registers array_ops' entries first
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value

__all__ = ["diag_part", "matrix_diag", "matrix_set_diag", "slice"]


def _register_if_absent(name: str, **kwargs) -> None:
    if registry.lookup(name) is None:
        register_op(name, **kwargs)


# -- Slice --------------------------------------------------------------------------------------
def _slice_shape(op):
    x = op._inputs[0]._shape._dims
    begin = constant_value(op._inputs[1])
    size = constant_value(op._inputs[2])
    if size is None:
        n = op._inputs[2]._shape._dims
        if n is not None and len(n) == 1 and n[0] is not None:
            return [TensorShape._from_tuple((None,) * n[0])]
        return [UNKNOWN]
    size = [int(s) for s in np.reshape(size, -1)]
    if x is not None and len(x) != len(size):
        raise ValueError(
            f"Shape must be rank {len(size)} but is rank {len(x)} for '{op.name}' (op: 'Slice')"
        )
    out = []
    for i, s in enumerate(size):
        if s >= 0:
            out.append(s)
        elif begin is not None and x is not None and x[i] is not None:
            out.append(x[i] - int(np.reshape(begin, -1)[i]))
        else:
            out.append(None)
    return [TensorShape._from_tuple(tuple(out))]


def _slice_kernel(op, ctx):
    def kernel(x, begin, size):
        x = np.asarray(x)
        index = []
        for d, (b, s) in enumerate(zip(np.reshape(begin, -1), np.reshape(size, -1), strict=True)):
            b, s = int(b), int(s)
            end = x.shape[d] if s == -1 else b + s
            if b < 0 or end > x.shape[d] or end < b:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Expected size[{d}] in [0, {x.shape[d] - b}], but got {s}",
                )
            index.append(slice(b, end))
        return x[tuple(index)]

    return kernel


_register_if_absent(
    "Slice",
    inputs=["input: T", "begin: Index", "size: Index"],
    outputs=["output: T"],
    attrs=["T: type", "Index: {int32, int64}"],
    shape=_slice_shape,
    make_kernel=_slice_kernel,
)


def slice(input_, begin, size, name: str | None = None):
    """The `size`-element block of `input_` starting at `begin` (`tf.slice`)."""
    return op_output("Slice", name, [input_, begin, size])


# -- DiagPart -------------------------------------------------------------------------------
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


_register_if_absent(
    "DiagPart",
    inputs=["input: T"],
    outputs=["diagonal: T"],
    attrs=["T: {bfloat16, half, float, double, int32, int64, complex64, complex128}"],
    shape=_diag_part_shape,
    kernel=_diag_part_kernel,
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


_register_if_absent(
    "MatrixDiagV3",
    inputs=["diagonal: T", "k: int32", "num_rows: int32", "num_cols: int32", "padding_value: T"],
    outputs=["output: T"],
    attrs=["T: type", _ALIGN],
    shape=_matrix_diag_shape,
    make_kernel=_matrix_diag_kernel,
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


_register_if_absent(
    "MatrixSetDiagV3",
    inputs=["input: T", "diagonal: T", "k: int32"],
    outputs=["output: T"],
    attrs=["T: type", _ALIGN],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_matrix_set_diag_kernel,
)


def matrix_set_diag(input, diagonal, name: str = "set_diag"):
    """`input` with its main diagonal replaced by `diagonal` (op MatrixSetDiagV3)."""
    return op_output("MatrixSetDiagV3", name, [input, diagonal, 0])
