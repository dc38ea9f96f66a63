"""Special functions: Erf, Erfc, Lgamma, Digamma, Polygamma, Zeta, Igamma(c), Betainc,
inverse hyperbolics, Rint, Xlogy/Xlog1py; and the composites tf.lbeta, tf.log_sigmoid.

Kernels use scipy.special (imported on first use); gradients build TF's subgraphs
(tensorflow/python/ops/math_grad.py) with the same ops and names.
"""

from __future__ import annotations

import functools

import numpy as np

from tfgraph import errors
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, common_shapes, math_ops, nn_ops
from tfgraph.ops.apply import op_output

__all__ = [
    "acosh",
    "asinh",
    "atanh",
    "bessel_i0e",
    "bessel_i1e",
    "betainc",
    "digamma",
    "erf",
    "erfc",
    "igamma",
    "igammac",
    "lbeta",
    "lgamma",
    "log_sigmoid",
    "polygamma",
    "rint",
    "xlog1py",
    "xlogy",
    "zeta",
]

_FLOAT = "{bfloat16, half, float, double}"
_FLOAT_COMPLEX = "{bfloat16, half, float, double, complex64, complex128}"
_F32_64 = "{float, double}"


@functools.cache
def _special():
    import scipy.special

    return scipy.special


def _sp(fn_name: str):
    """A kernel calling scipy.special.<fn_name>, keeping the inputs' dtype."""

    def kernel(*xs):
        out = getattr(_special(), fn_name)(*xs)
        return np.asarray(out, dtype=np.result_type(*xs))

    kernel.__name__ = fn_name
    return kernel


def _digamma(x):
    out = np.asarray(_special().digamma(x), dtype=np.asarray(x).dtype)
    # Eigen's digamma is nan at every pole, 0 included (scipy: -inf at 0).
    return np.where(np.asarray(x) == 0, np.nan, out).astype(out.dtype)


def _rint(x):
    return np.rint(x)


def _polygamma(n, x):
    sp = _special()
    n, x = np.broadcast_arrays(n, x)
    out = np.full(x.shape, np.nan, dtype=np.result_type(n, x))
    ok = (n >= 0) & (n == np.floor(n))
    if ok.any():
        out[ok] = sp.polygamma(n[ok].astype(np.int64), x[ok])
    return out


def _zeta(x, q):
    sp = _special()
    with np.errstate(all="ignore"):
        out = np.asarray(sp.zeta(x, q), dtype=np.result_type(x, q))
    # TF's Hurwitz zeta: nan below x = 1, inf at x = 1.
    out = np.where(np.asarray(x) < 1, np.nan, out)
    return np.where(np.asarray(x) == 1, np.inf, out).astype(out.dtype)


def _igamma_grad_a(a, x):
    """d/da of the regularized lower incomplete gamma P(a, x), by Richardson-extrapolated
    central differences in float64 (scipy has no closed form for it)."""
    sp = _special()
    dtype = np.result_type(a, x)
    a64 = np.asarray(a, np.float64)
    x64 = np.asarray(x, np.float64)
    h = 1e-3 * np.maximum(1.0, np.abs(a64))
    h = np.minimum(h, 0.5 * a64)  # stay inside a > 0

    def diff(step):
        return (sp.gammainc(a64 + step, x64) - sp.gammainc(a64 - step, x64)) / (2 * step)

    with np.errstate(all="ignore"):
        d1, d2 = diff(h), diff(h / 2)
        out = (4 * d2 - d1) / 3
    return np.asarray(out, dtype=dtype)


def _deps(grad):
    return get_default_graph().control_dependencies([grad])


# -- gradients (TF's math_grad.py) ---------------------------------------------------------
def _erf_grad(op, grad):
    x = op._inputs[0]
    two_over_root_pi = constant(2 / np.sqrt(np.pi), dtype=grad.dtype._base)
    with _deps(grad):
        x = math_ops.conj(x)
        return grad * two_over_root_pi * math_ops.exp(-math_ops.square(x))


def _erfc_grad(op, grad):
    x = op._inputs[0]
    minus_two_over_root_pi = constant(-2 / np.sqrt(np.pi), dtype=grad.dtype._base)
    with _deps(grad):
        x = math_ops.conj(x)
        return grad * minus_two_over_root_pi * math_ops.exp(-math_ops.square(x))


def _lgamma_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x = math_ops.conj(x)
        return grad * digamma(x)


def _digamma_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x = math_ops.conj(x)
        partial_x = polygamma(array_ops.constant(1, dtype=x.dtype), x)
        return grad * partial_x


def _asinh_grad(op, grad):
    y = op._outputs[0]
    with _deps(grad):
        y = math_ops.conj(y)
        return grad / math_ops.cosh(y)


def _acosh_grad(op, grad):
    y = op._outputs[0]
    with _deps(grad):
        y = math_ops.conj(y)
        return grad / math_ops.sinh(y)


def _atanh_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x = math_ops.conj(x)
        x2 = math_ops.square(x)
        one = constant(1, dtype=grad.dtype._base)
        inv = math_ops.reciprocal(math_ops.subtract(one, x2))
        return grad * inv


def _rint_grad(op, grad):
    return [None]


def _sum_to(value, axes, shape):
    return array_ops.reshape(math_ops.reduce_sum(value, axes), shape)


def _igamma_grad(op, grad):
    a, x = op._inputs
    sa = array_ops.shape(a)
    sx = array_ops.shape(x)
    ra, rx = array_ops.broadcast_gradient_args(sa, sx)
    with _deps(grad):
        partial_a = op_output("IgammaGradA", None, [a, x])
        partial_x = math_ops.exp(-x + (a - 1) * math_ops.log(x) - lgamma(a))
        return (_sum_to(partial_a * grad, ra, sa), _sum_to(partial_x * grad, rx, sx))


def _igammac_grad(op, grad):
    ga, gx = _igamma_grad(op, grad)
    return (-ga, -gx)


def _betainc_grad(op, grad):
    a, b, x = op._inputs
    sa = array_ops.shape(a)
    sx = array_ops.shape(x)
    _, rx = array_ops.broadcast_gradient_args(sa, sx)
    log_beta = (
        op_output("Lgamma", None, [a])
        + op_output("Lgamma", None, [b])
        - op_output("Lgamma", None, [a + b])
    )
    partial_x = math_ops.exp(xlog1py(b - 1, -x) + xlogy(a - 1, x) - log_beta)
    return (None, None, _sum_to(partial_x * grad, rx, sx))


def _zeta_grad(op, grad):
    x, q = op._inputs
    sx = array_ops.shape(x)
    sq = array_ops.shape(q)
    _, rq = array_ops.broadcast_gradient_args(sx, sq)
    with _deps(grad):
        x = math_ops.conj(x)
        q = math_ops.conj(q)
        partial_q = -x * zeta(x + 1, q)
        return (None, _sum_to(partial_q * grad, rq, sq))


def _polygamma_grad(op, grad):
    n, x = op._inputs
    sn = array_ops.shape(n)
    sx = array_ops.shape(x)
    _, rx = array_ops.broadcast_gradient_args(sn, sx)
    with _deps(grad):
        n = math_ops.conj(n)
        x = math_ops.conj(x)
        partial_x = polygamma(n + 1, x)
        return (None, _sum_to(partial_x * grad, rx, sx))


def _xlogy_grad(op, grad):
    x, y = op._inputs
    sx = array_ops.shape(x)
    sy = array_ops.shape(y)
    rx, ry = array_ops.broadcast_gradient_args(sx, sy)
    with _deps(grad):
        not_zero_x = array_ops.cast(
            math_ops.not_equal(x, array_ops.cast(0.0, dtype=x.dtype)), dtype=x.dtype
        )
        partial_x = xlogy(not_zero_x, y)
        partial_y = op_output("Xdivy", None, [x, y])
        return (_sum_to(partial_x * grad, rx, sx), _sum_to(partial_y * grad, ry, sy))


def _xlog1py_grad(op, grad):
    x, y = op._inputs
    sx = array_ops.shape(x)
    sy = array_ops.shape(y)
    rx, ry = array_ops.broadcast_gradient_args(sx, sy)
    with _deps(grad):
        not_zero_x = array_ops.cast(
            math_ops.not_equal(x, array_ops.cast(0.0, dtype=x.dtype)), dtype=x.dtype
        )
        partial_x = xlog1py(not_zero_x, y)
        partial_y = op_output("Xdivy", None, [x, y + 1.0])
        return (_sum_to(partial_x * grad, rx, sx), _sum_to(partial_y * grad, ry, sy))


def _xdivy_grad(op, grad):
    x, y = op._inputs
    sx = array_ops.shape(x)
    sy = array_ops.shape(y)
    rx, ry = array_ops.broadcast_gradient_args(sx, sy)
    with _deps(grad):
        not_zero_x = array_ops.cast(
            math_ops.not_equal(x, array_ops.cast(0.0, dtype=x.dtype)), dtype=x.dtype
        )
        partial_x = op_output("Xdivy", None, [not_zero_x, y])
        partial_y = op_output("Xdivy", None, [math_ops.negative(x), y**2])
        return (_sum_to(partial_x * grad, rx, sx), _sum_to(partial_y * grad, ry, sy))


def _xlogy_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(x == 0, np.zeros_like(x * y), x * np.log(y)).astype(np.result_type(x, y))


def _xlog1py_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(x == 0, np.zeros_like(x * y), x * np.log1p(y)).astype(np.result_type(x, y))


def _xdivy_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(x == 0, np.zeros_like(x * y), x / y).astype(np.result_type(x, y))


_UNARY = {
    # op type: (kernel, allowed types, gradient)
    "Erf": (_sp("erf"), _FLOAT, _erf_grad),
    "Erfc": (_sp("erfc"), _FLOAT, _erfc_grad),
    "Lgamma": (_sp("gammaln"), _FLOAT, _lgamma_grad),
    "Digamma": (_digamma, _FLOAT, _digamma_grad),
    "Acosh": (np.arccosh, _FLOAT_COMPLEX, _acosh_grad),
    "Asinh": (np.arcsinh, _FLOAT_COMPLEX, _asinh_grad),
    "Atanh": (np.arctanh, _FLOAT_COMPLEX, _atanh_grad),
    "Rint": (_rint, _FLOAT, _rint_grad),
}
for _name, (_kernel, _types, _grad) in _UNARY.items():
    register_op(
        _name,
        inputs=["x: T"],
        outputs=["y: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.unchanged_shape,
        kernel=_kernel,
        grad=_grad,
    )

_XTYPES = "{half, bfloat16, float, double, complex64, complex128}"
_BINARY = {
    # op type: (input names, kernel, allowed types, gradient)
    "Polygamma": (("a", "x"), _polygamma, _F32_64, _polygamma_grad),
    "Zeta": (("x", "q"), _zeta, _F32_64, _zeta_grad),
    "Igamma": (("a", "x"), _sp("gammainc"), _FLOAT, _igamma_grad),
    "Igammac": (("a", "x"), _sp("gammaincc"), _FLOAT, _igammac_grad),
    "Xlogy": (("x", "y"), _xlogy_kernel, _XTYPES, _xlogy_grad),
    "Xlog1py": (("x", "y"), _xlog1py_kernel, _XTYPES, _xlog1py_grad),
    "Xdivy": (("x", "y"), _xdivy_kernel, _XTYPES, _xdivy_grad),
}
for _name, ((_a, _b), _kernel, _types, _grad) in _BINARY.items():
    register_op(
        _name,
        inputs=[f"{_a}: T", f"{_b}: T"],
        outputs=["z: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.broadcast_shape,
        make_kernel=common_shapes.broadcasting_kernel(_kernel),
        grad=_grad,
    )

register_op(
    "IgammaGradA",
    inputs=["a: T", "x: T"],
    outputs=["z: T"],
    attrs=[f"T: {_F32_64}"],
    shape=common_shapes.broadcast_shape,
    make_kernel=common_shapes.broadcasting_kernel(_igamma_grad_a),
)


# -- Betainc: a, b and x of one shape, or scalars ----------------------------------------------
def _betainc_shape(op):
    out = None
    for t in op._inputs:
        if t._shape.ndims == 0:
            continue
        out = t._shape if out is None else common_shapes.merge_shapes(out, t._shape, op)
    return [op._inputs[0]._shape if out is None else out]


def _betainc_kernel(op, ctx):
    def kernel(a, b, x):
        for other, label in ((b, "b"), (x, "x")):
            if np.ndim(a) != 0 and np.ndim(other) != 0 and np.shape(a) != np.shape(other):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Shapes of a and {label} are inconsistent: {_fmt_dims(a)} vs. "
                    f"{_fmt_dims(other)}",
                )
        if np.ndim(b) != 0 and np.ndim(x) != 0 and np.shape(b) != np.shape(x):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Shapes of b and x are inconsistent: {_fmt_dims(b)} vs. {_fmt_dims(x)}",
            )
        with np.errstate(all="ignore"):
            out = _special().betainc(a, b, x)
        return np.asarray(out, dtype=np.result_type(a, b, x))

    return kernel


def _fmt_dims(v) -> str:
    return "[" + ",".join(str(d) for d in np.shape(v)) + "]"


register_op(
    "Betainc",
    inputs=["a: T", "b: T", "x: T"],
    outputs=["z: T"],
    attrs=[f"T: {_F32_64}"],
    shape=_betainc_shape,
    make_kernel=_betainc_kernel,
    grad=_betainc_grad,
)


# -- public functions --------------------------------------------------------------------------
def _unary(op_type: str, public: str):
    def fn(x, name: str | None = None) -> Tensor:
        return op_output(op_type, name, [x])

    fn.__name__ = public
    fn.__doc__ = f"Elementwise `{op_type}` of `x`."
    return fn


erf = _unary("Erf", "erf")
erfc = _unary("Erfc", "erfc")
lgamma = _unary("Lgamma", "lgamma")
digamma = _unary("Digamma", "digamma")
acosh = _unary("Acosh", "acosh")
asinh = _unary("Asinh", "asinh")
atanh = _unary("Atanh", "atanh")
rint = _unary("Rint", "rint")


def polygamma(a, x, name: str | None = None) -> Tensor:
    """The polygamma function psi^(a)(x) (nan for a non-integer or negative `a`)."""
    return op_output("Polygamma", name, [a, x])


def zeta(x, q, name: str | None = None) -> Tensor:
    """The Hurwitz zeta function sum_n (q + n)^-x."""
    return op_output("Zeta", name, [x, q])


def igamma(a, x, name: str | None = None) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x)."""
    return op_output("Igamma", name, [a, x])


def igammac(a, x, name: str | None = None) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return op_output("Igammac", name, [a, x])


def betainc(a, b, x, name: str | None = None) -> Tensor:
    """The regularized incomplete beta function I_x(a, b)."""
    return op_output("Betainc", name, [a, b, x])


def xlogy(x, y, name: str | None = None) -> Tensor:
    """x * log(y), 0 where x == 0."""
    return op_output("Xlogy", name, [x, y])


def xlog1py(x, y, name: str | None = None) -> Tensor:
    """x * log1p(y), 0 where x == 0."""
    with get_default_graph().name_scope(name or "xlog1py"):
        return op_output("Xlog1py", None, [x, y])


def xdivy(x, y, name: str | None = None) -> Tensor:
    """x / y, 0 where x == 0."""
    return op_output("Xdivy", name, [x, y])


def lbeta(x, name: str | None = None) -> Tensor:
    """log(|Beta(x)|) reduced along the last dimension, as TF's composite of Lgamma/Sum."""
    g = get_default_graph()
    with g.name_scope(name or "lbeta"):
        x = convert_to_tensor(x, name="x")
        log_prod_gamma_x = math_ops.reduce_sum(lgamma(x), axis=[-1])
        sum_x = math_ops.reduce_sum(x, axis=[-1])
        log_gamma_sum_x = lgamma(sum_x)
        return log_prod_gamma_x - log_gamma_sum_x


def log_sigmoid(x, name: str | None = None) -> Tensor:
    """log(sigmoid(x)) as -softplus(-x), TF's LogSigmoid composite."""
    g = get_default_graph()
    with g.name_scope(name or "LogSigmoid") as scope:
        x = convert_to_tensor(x, name="x")
        return math_ops.negative(nn_ops.softplus(-x), name=scope)


def bessel_i0e(x, name=None) -> Tensor:
    """exp(-|x|) I0(x): the BesselI0e op (registered in math_more_ops)."""
    from tfgraph.ops import math_more_ops

    return math_more_ops.bessel_i0e(x, name)


def bessel_i1e(x, name=None) -> Tensor:
    """exp(-|x|) I1(x): the BesselI1e op (registered in math_more_ops)."""
    from tfgraph.ops import math_more_ops

    return math_more_ops.bessel_i1e(x, name)
