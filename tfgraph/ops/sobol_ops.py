"""SobolSample (`tf.math.sobol_sample`): points of the Sobol low-discrepancy sequence.

TF generates the sequence from Joe and Kuo's direction numbers (up to 21200 dimensions)
in Gray-code order and leaves out its first point (the origin): output row i is point
1 + skip + i. SciPy's `scipy.stats.qmc.Sobol` (unscrambled) is built on the same
published direction numbers, so the points here are SciPy's, which are TF's bit for
bit (float32 output: the float64 points rounded).
"""

from __future__ import annotations

import warnings

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.graph import name_scope
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value

__all__ = ["sobol_sample"]

_MAX_DIM = 21200


def _scalar(op, index: int) -> None:
    dims = op._inputs[index]._shape._dims
    if dims is not None and len(dims) != 0:
        raise ValueError(
            f"Shape must be rank 0 but is rank {len(dims)} for '{op.name}' (op: '{op.type}')"
        )


def _shape(op):
    for i in range(3):
        _scalar(op, i)
    dim, num = constant_value(op._inputs[0]), constant_value(op._inputs[1])
    return [TensorShape([None if num is None else int(num), None if dim is None else int(dim)])]


def _kernel(op, ctx):
    np_dtype = op._attrs["dtype"].np_dtype

    def kernel(dim, num_results, skip):
        dim, num_results, skip = int(dim), int(num_results), int(skip)
        if dim < 1:
            raise errors.InvalidArgumentError(None, op, "dim must be at least one")
        if dim > _MAX_DIM:
            raise errors.InvalidArgumentError(None, op, f"dim must be at most {_MAX_DIM}")
        if num_results < 1:
            raise errors.InvalidArgumentError(None, op, "num_results must be at least one")
        if skip < 0:
            raise errors.InvalidArgumentError(None, op, "skip must be non-negative")
        from scipy.stats import qmc

        engine = qmc.Sobol(dim, scramble=False)
        engine.fast_forward(1 + skip)
        with warnings.catch_warnings():  # (SciPy's note on sample sizes of powers of 2)
            warnings.simplefilter("ignore")
            points = engine.random(num_results)
        return points.astype(np_dtype)

    return kernel


register_op(  # (TF registers no gradient for it)
    "SobolSample",
    inputs=["dim: int32", "num_results: int32", "skip: int32"],
    outputs=["samples: dtype"],
    attrs=["dtype: {float, double} = float"],
    shape=_shape,
    make_kernel=_kernel,
)


def sobol_sample(dim, num_results, skip=0, dtype=dtypes.float32, name=None):
    """`num_results` points of the `dim`-dimensional Sobol sequence after skipping `skip`
    (`tf.math.sobol_sample`): a [num_results, dim] tensor in [0, 1)."""
    with name_scope(name, "sobol", [dim, num_results, skip]):
        return op_output(
            "SobolSample", None, [dim, num_results, skip], {"dtype": dtypes.as_dtype(dtype)}
        )
