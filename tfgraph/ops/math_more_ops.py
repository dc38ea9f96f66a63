"""More of `tf.math`, as TF builds it: modified Bessel functions (BesselI0/I0e/I1/I1e),
`tf.math.special`'s Bessel J/K/Y, Dawson, exponential integral, Fresnel and Spence ops,
Erfinv, Ndtri and erfcinv, MulNoNan and reciprocal_no_nan, EuclideanNorm,
CumulativeLogsumexp, NextAfter and polyval; kernels from numpy/scipy, gradients as
TF's math_grad.py."""

from __future__ import annotations

import functools

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import op_output

__all__ = [
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "bessel_j0",
    "bessel_j1",
    "bessel_k0",
    "bessel_k0e",
    "bessel_k1",
    "bessel_k1e",
    "bessel_y0",
    "bessel_y1",
    "bucketize",
    "cumulative_logsumexp",
    "dawsn",
    "erfcinv",
    "erfinv",
    "expint",
    "fresnel_cos",
    "fresnel_sin",
    "multiply_no_nan",
    "ndtri",
    "nextafter",
    "polyval",
    "reciprocal_no_nan",
    "reduce_euclidean_norm",
    "spence",
]

_FLOAT = "{bfloat16, half, float, double}"


@functools.cache
def _special():
    import scipy.special

    return scipy.special


def _scipy(fn_name: str):
    def kernel(x):
        x = np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(getattr(_special(), fn_name)(x), dtype=x.dtype)

    return kernel


def _deps(grad):
    return get_default_graph().control_dependencies([grad])


# -- gradients (TF's math_grad.py) ----------------------------------------------------------
def _bessel_i0_grad(op, grad):
    with _deps(grad):
        return grad * bessel_i1(op._inputs[0])


def _bessel_i0e_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        return grad * (bessel_i1e(x) - math_ops.sign(x) * y)


def _bessel_i1_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        dy_dx = array_ops.where_v2(
            math_ops.equal(x, 0.0),
            array_ops.cast(1.0, x.dtype),
            bessel_i0(x) - math_ops.div(y, x),
        )
        return grad * dy_dx


def _bessel_i1e_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        dy_dx = array_ops.where_v2(
            math_ops.equal(x, 0.0),
            array_ops.cast(0.5, x.dtype),
            bessel_i0e(x) - y * (math_ops.sign(x) + math_ops.reciprocal(x)),
        )
        return grad * dy_dx


def _erfinv_grad(op, grad):
    root_pi_over_two = constant(np.sqrt(np.pi) / 2, dtype=grad.dtype._base)
    with _deps(grad):
        return grad * root_pi_over_two * math_ops.exp(math_ops.square(op._outputs[0]))


def _ndtri_grad(op, grad):
    root_two_pi = constant(np.sqrt(2 * np.pi), dtype=grad.dtype._base)
    with _deps(grad):
        return grad * root_two_pi * math_ops.exp(math_ops.square(op._outputs[0]) / 2.0)


# -- tf.math.special (TF's special_math_grad: the same formulas) ----------------------------
def _bessel_j0_grad(op, grad):
    with _deps(grad):
        return grad * -bessel_j1(op._inputs[0])


def _bessel_k0_grad(op, grad):
    with _deps(grad):
        return grad * -bessel_k1(op._inputs[0])


def _bessel_y0_grad(op, grad):
    with _deps(grad):
        return grad * -bessel_y1(op._inputs[0])


def _bessel_j1_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        dy_dx = array_ops.where_v2(
            math_ops.equal(x, 0.0), array_ops.cast(0.5, x.dtype), bessel_j0(x) - math_ops.div(y, x)
        )
        return grad * dy_dx


def _bessel_k0e_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        return grad * (y - bessel_k1e(x))


def _bessel_k1_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        return grad * (-bessel_k0(x) - math_ops.div(y, x))


def _bessel_k1e_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        return grad * (y * (1.0 - math_ops.reciprocal(x)) - bessel_k0e(x))


def _bessel_y1_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        return grad * (bessel_y0(x) - math_ops.div(y, x))


def _dawsn_grad(op, grad):
    x, y = op._inputs[0], op._outputs[0]
    with _deps(grad):
        return grad * (1.0 - 2 * x * y)


def _expint_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * math_ops.exp(x) / x


def _fresnel_grad(trig):
    def grad(op, g):
        x = op._inputs[0]
        with _deps(g):
            return g * trig(np.pi / 2 * math_ops.square(x))

    return grad


def _spence_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        partial = math_ops.log(x) / (1 - x)
        partial = array_ops.where(math_ops.equal(x, 1.0), -array_ops.ones_like(x), partial)
        return grad * partial


def _fresnel(which: int):
    def kernel(x):
        x = np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(_special().fresnel(x)[which], dtype=x.dtype)

    return kernel


_SPECIAL = {  # op -> (scipy function or kernel, gradient)
    "BesselJ0": ("j0", _bessel_j0_grad),
    "BesselJ1": ("j1", _bessel_j1_grad),
    "BesselK0": ("k0", _bessel_k0_grad),
    "BesselK0e": ("k0e", _bessel_k0e_grad),
    "BesselK1": ("k1", _bessel_k1_grad),
    "BesselK1e": ("k1e", _bessel_k1e_grad),
    "BesselY0": ("y0", _bessel_y0_grad),
    "BesselY1": ("y1", _bessel_y1_grad),
    "Dawsn": ("dawsn", _dawsn_grad),
    "Expint": ("expi", _expint_grad),
    "FresnelCos": (_fresnel(1), _fresnel_grad(math_ops.cos)),
    "FresnelSin": (_fresnel(0), _fresnel_grad(math_ops.sin)),
    "Spence": ("spence", _spence_grad),
}
for _name, (_fn, _grad) in _SPECIAL.items():
    register_op(
        _name,
        inputs=["x: T"],
        outputs=["y: T"],
        attrs=[f"T: {_FLOAT}"],
        shape=common_shapes.unchanged_shape,
        kernel=_scipy(_fn) if isinstance(_fn, str) else _fn,
        grad=_grad,
    )


def _scoped_unary(op_type: str, public: str):
    def fn(x, name=None) -> Tensor:
        with get_default_graph().name_scope(name or public):
            return op_output(op_type, None, [x])  # (x converted as the op's input "x")

    fn.__name__ = public
    fn.__doc__ = f"Elementwise {public} of `x` (one {op_type} op)."
    return fn


bessel_j0 = _scoped_unary("BesselJ0", "bessel_j0")
bessel_j1 = _scoped_unary("BesselJ1", "bessel_j1")
bessel_k0 = _scoped_unary("BesselK0", "bessel_k0")
bessel_k0e = _scoped_unary("BesselK0e", "bessel_k0e")
bessel_k1 = _scoped_unary("BesselK1", "bessel_k1")
bessel_k1e = _scoped_unary("BesselK1e", "bessel_k1e")
bessel_y0 = _scoped_unary("BesselY0", "bessel_y0")
bessel_y1 = _scoped_unary("BesselY1", "bessel_y1")
dawsn = _scoped_unary("Dawsn", "dawsn")
expint = _scoped_unary("Expint", "expint")
fresnel_cos = _scoped_unary("FresnelCos", "fresnel_cos")
fresnel_sin = _scoped_unary("FresnelSin", "fresnel_sin")
spence = _scoped_unary("Spence", "spence")


_UNARY = {
    "BesselI0": ("i0", _bessel_i0_grad),
    "BesselI0e": ("i0e", _bessel_i0e_grad),
    "BesselI1": ("i1", _bessel_i1_grad),
    "BesselI1e": ("i1e", _bessel_i1e_grad),
    "Erfinv": ("erfinv", _erfinv_grad),
    "Ndtri": ("ndtri", _ndtri_grad),
}
for _name, (_fn, _grad) in _UNARY.items():
    register_op(
        _name,
        inputs=["x: T"],
        outputs=["y: T"],
        attrs=[f"T: {_FLOAT}"],
        shape=common_shapes.unchanged_shape,
        kernel=_scipy(_fn),
        grad=_grad,
    )


bessel_i0 = _scoped_unary("BesselI0", "bessel_i0")
bessel_i0e = _scoped_unary("BesselI0e", "bessel_i0e")
bessel_i1 = _scoped_unary("BesselI1", "bessel_i1")
bessel_i1e = _scoped_unary("BesselI1e", "bessel_i1e")
erfinv = _scoped_unary("Erfinv", "erfinv")
ndtri = _scoped_unary("Ndtri", "ndtri")


def erfcinv(x, name=None) -> Tensor:
    """The inverse of erfc: -ndtri(x / 2) / sqrt(2)."""
    with get_default_graph().name_scope(name or "erfcinv"):
        x = convert_to_tensor(x, name="start")
        return -ndtri(0.5 * x) * np.sqrt(0.5)


# -- MulNoNan ---------------------------------------------------------------------------
def _mul_no_nan_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(y == 0, np.zeros_like(x * y), x * y).astype(np.result_type(x, y))


def _mul_no_nan_grad(op, grad):
    x, y = op._inputs
    gx = op_output("MulNoNan", None, [grad, y])
    gy = op_output("MulNoNan", None, [x, grad])
    if isinstance(grad, Tensor) and x.shape.is_fully_defined() and x.shape == y.shape == grad.shape:
        return gx, gy
    return math_ops.reduce_gradient_args(x, y, gx, gy)


register_op(
    "MulNoNan",
    inputs=["x: T", "y: T"],
    outputs=["z: T"],
    attrs=["T: {bfloat16, half, float, double, complex64, complex128}"],
    shape=common_shapes.broadcast_shape,
    make_kernel=common_shapes.broadcasting_kernel(_mul_no_nan_kernel),
    grad=_mul_no_nan_grad,
)


def multiply_no_nan(x, y, name=None) -> Tensor:
    """x * y, but 0 wherever y is 0 (even where x is inf or nan)."""
    with get_default_graph().name_scope(name or "multiply_no_nan") as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype._base)
        if x.dtype._base != y.dtype._base:
            raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
        return op_output("MulNoNan", scope, [x, y])


def reciprocal_no_nan(x, name=None) -> Tensor:
    """1 / x, but 0 where x is 0."""
    with get_default_graph().name_scope(name or "reciprocal_no_nan") as scope:
        x = convert_to_tensor(x, name="x")
        one = constant(1, dtype=x.dtype._base, name="one")
        return op_output("DivNoNan", scope, [one, x])


# -- EuclideanNorm ------------------------------------------------------------------------
def _euclidean_norm(x, axis, keepdims):
    x = np.asarray(x)
    squares = (x * np.conj(x)).real if np.iscomplexobj(x) else x * x
    out = np.sqrt(np.add.reduce(squares, axis=axis, keepdims=keepdims, dtype=squares.dtype))
    return np.asarray(out).astype(x.dtype)


def _euclidean_norm_grad(op, grad):
    output = op._outputs[0]
    if not op.get_attr("keep_dims"):
        kept = math_ops.reduced_shape(array_ops.shape(op._inputs[0]), op._inputs[1])
        output = array_ops.reshape(output, kept)
        grad = array_ops.reshape(grad, kept)
    return math_ops.truediv(op._inputs[0], output / grad), None


register_op(
    "EuclideanNorm",
    inputs=["input: T", "reduction_indices: Tidx"],
    outputs=["output: T"],
    attrs=[
        "keep_dims: bool = false",
        "T: {float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, "
        "qint32, bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64}",
        "Tidx: {int32, int64} = int32",
    ],
    shape=math_ops._reduction_shape,
    make_kernel=math_ops._make_reduction(_euclidean_norm),
    grad=_euclidean_norm_grad,
)

_reduce_euclidean_norm = math_ops._reduce("EuclideanNorm", "EuclideanNorm")


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """The Euclidean norm of `input_tensor` along `axis` (all axes when None; TF's
    signature has no TF1 aliases)."""
    return _reduce_euclidean_norm(input_tensor, axis, keepdims, name)


reduce_euclidean_norm.__doc__ = "The Euclidean norm sqrt(sum(x**2)) over `axis`."


# -- CumulativeLogsumexp --------------------------------------------------------------------
def _cumulative_logsumexp_kernel(op, ctx):
    exclusive, reverse = op._attrs["exclusive"], op._attrs["reverse"]

    def kernel(x, axis):
        x = np.asarray(x)
        a = int(axis)
        r = x.ndim
        if not -r <= a < r:
            raise errors.InvalidArgumentError(
                None, op, f"ScanOp: Expected scan axis in the range [{-r}, {r}), but got {a}"
            )
        a %= r
        if reverse:
            x = np.flip(x, a)
        with np.errstate(all="ignore"):
            out = np.logaddexp.accumulate(x, axis=a)
        if exclusive:
            out = np.roll(out, 1, axis=a)
            out[(slice(None),) * a + (0,)] = -np.inf
        if reverse:
            out = np.flip(out, a)
        return out.astype(x.dtype)

    return kernel


def _cumulative_logsumexp_grad(op, grad):
    x, axis = op._inputs
    out = op._outputs[0]
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    lowest = grad.dtype._base.min
    log_grad_positive = array_ops.where_v2(math_ops.greater(grad, 0), math_ops.log(grad), lowest)
    log_grad_negative = array_ops.where_v2(math_ops.less(grad, 0), math_ops.log(-grad), lowest)
    output_pos = math_ops.exp(
        cumulative_logsumexp(
            log_grad_positive - out, axis=axis, reverse=not reverse, exclusive=exclusive
        )
        + x
    )
    output_neg = math_ops.exp(
        cumulative_logsumexp(
            log_grad_negative - out, axis=axis, reverse=not reverse, exclusive=exclusive
        )
        + x
    )
    return [output_pos - output_neg, None]


register_op(
    "CumulativeLogsumexp",
    inputs=["x: T", "axis: Tidx"],
    outputs=["out: T"],
    attrs=[
        "exclusive: bool = false",
        "reverse: bool = false",
        f"T: {_FLOAT}",
        "Tidx: {int32, int64} = int32",
    ],
    shape=common_shapes.unchanged_shape,
    make_kernel=_cumulative_logsumexp_kernel,
    grad=_cumulative_logsumexp_grad,
)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """log(cumsum(exp(x))) along `axis`, computed stably."""
    with get_default_graph().name_scope(name or "CumulativeLogsumexp") as scope:
        x = convert_to_tensor(x, name="x")
        return op_output(
            "CumulativeLogsumexp",
            scope,
            [x, convert_to_tensor(axis, dtype=dtypes.int32, name="axis")],
            {"exclusive": exclusive, "reverse": reverse},
        )


# -- NextAfter ------------------------------------------------------------------------------
def _next_after_grad(op, grad):
    x1, x2 = op._inputs
    s_x1, s_x2 = array_ops.shape(x1), array_ops.shape(x2)
    r_x1, r_x2 = array_ops.broadcast_gradient_args(s_x1, s_x2)
    with _deps(grad):
        partial_x1 = array_ops.ones(s_x1, dtype=x1.dtype._base)
        partial_x2 = array_ops.zeros(s_x2, dtype=x2.dtype._base)
        return (
            array_ops.reshape(math_ops.reduce_sum(partial_x1 * grad, r_x1), s_x1),
            array_ops.reshape(math_ops.reduce_sum(partial_x2 * grad, r_x2), s_x2),
        )


register_op(
    "NextAfter",
    inputs=["x1: T", "x2: T"],
    outputs=["output: T"],
    attrs=["T: {double, float} = float"],
    shape=common_shapes.broadcast_shape,
    make_kernel=common_shapes.broadcasting_kernel(np.nextafter),
    grad=_next_after_grad,
)


def nextafter(x1, x2, name=None) -> Tensor:
    """The next representable value after x1 in the direction of x2."""
    return op_output("NextAfter", name, [x1, x2])


# -- polyval ------------------------------------------------------------------------------
def polyval(coeffs, x, name=None) -> Tensor:
    """sum_i coeffs[i] * x**(n - 1 - i), by Horner's scheme (coeffs: a list)."""
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    with get_default_graph().name_scope(name or "polyval"):
        x = convert_to_tensor(x, name="x")
        if len(coeffs) < 1:
            return array_ops.zeros_like(x, name=name)
        coeffs = [
            convert_to_tensor(coeff, name=f"coeff_{index}") for index, coeff in enumerate(coeffs)
        ]
        p = coeffs[0]
        for c in coeffs[1:]:
            p = c + p * x
        return p


# -- Bucketize ------------------------------------------------------------------------------
def _bucketize_kernel(op, ctx):
    boundaries = np.asarray(op._attrs["boundaries"], np.float64)

    def kernel(x):
        return np.searchsorted(boundaries, np.asarray(x), side="right").astype(np.int32)

    return kernel


register_op(
    "Bucketize",
    inputs=["input: T"],
    outputs=["output: int32"],
    attrs=["T: {int32, int64, float, double}", "boundaries: list(float)"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_bucketize_kernel,
)


def bucketize(input, boundaries, name=None) -> Tensor:
    """The index of the bucket of each value: i with boundaries[i-1] <= x < boundaries[i]."""
    return op_output("Bucketize", name, [input], {"boundaries": [float(b) for b in boundaries]})


# -- LinSpace (TF1's tf.lin_space / math_ops.lin_space: one op) ---------------------------
def _lin_space_shape(op):
    num = common_shapes.constant_value(op._inputs[2])
    return [TensorShape([None if num is None else int(num)])]


def _lin_space_kernel(op, ctx):
    dtype = op._attrs["T"].as_numpy_dtype

    def kernel(start, stop, num):
        if np.ndim(start) or np.ndim(stop) or np.ndim(num):
            raise errors.InvalidArgumentError(None, op, "start, stop and num must be scalars")
        num = int(num)
        if num <= 0:
            raise errors.InvalidArgumentError(None, op, f"Requires num > 0: {num}")
        if num == 1:
            return np.asarray([start], dtype)
        step = (stop - start) / (num - 1)
        out = start + step * np.arange(num, dtype=np.float64)
        out[-1] = stop
        return out.astype(dtype)

    return kernel


register_op(
    "LinSpace",
    inputs=["start: T", "stop: T", "num: Tidx"],
    outputs=["output: T"],
    attrs=["T: {bfloat16, half, float, double}", "Tidx: {int32, int64} = int32"],
    shape=_lin_space_shape,
    make_kernel=_lin_space_kernel,
    grad=NOT_DIFFERENTIABLE,  # (as TF: ops.NotDifferentiable("LinSpace"))
)


def lin_space(start, stop, num, name=None) -> Tensor:
    """`num` evenly spaced values from `start` to `stop` (both included): TF1's
    `tf.lin_space`, a single LinSpace op."""
    return op_output("LinSpace", name, [start, stop, num])
