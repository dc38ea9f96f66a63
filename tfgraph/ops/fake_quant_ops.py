"""The FakeQuantWithMinMax* ops (`tf.quantization.fake_quant_with_min_max_*`): inputs
clamped to a nudged [min, max] and rounded to its 2**num_bits levels, in float32 with
TF's arithmetic (tensorflow/core/kernels/fake_quant_ops_functor.h); their gradients are
the *Gradient ops, as TF registers them."""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "fake_quant_with_min_max_args",
    "fake_quant_with_min_max_args_gradient",
    "fake_quant_with_min_max_vars",
    "fake_quant_with_min_max_vars_gradient",
    "fake_quant_with_min_max_vars_per_channel",
    "fake_quant_with_min_max_vars_per_channel_gradient",
]

_F = np.float32


def _raise(op, message):
    raise errors.InvalidArgumentError(None, op, message + f"\n\t [[{{{{node {op.name}}}}}]]")


def _quant_range(op):
    """(quant_min, quant_max) of the op's attrs; TF's kernel constructor checks."""
    num_bits = op._attrs.get("num_bits", 8)
    if not 2 <= num_bits <= 16:
        return None
    return (1 if op._attrs.get("narrow_range", False) else 0), (1 << num_bits) - 1


def _nudge(mn, mx, qmin, qmax):
    """(nudged_min, nudged_max, scale, inv_scale), all float32, as TF's Nudge."""
    mn, mx = _F(mn), _F(mx)
    qmin_f, qmax_f = _F(qmin), _F(qmax)
    with np.errstate(all="ignore"):
        scale = (mx - mn) / (qmax_f - qmin_f)
        inv_scale = (qmax_f - qmin_f) / (mx - mn)
        zp_from_min = qmin_f - mn / scale
    if zp_from_min < qmin_f:
        zp = qmin
    elif zp_from_min > qmax_f:
        zp = qmax
    elif np.isnan(zp_from_min):
        zp = 0  # (an undefined cast in C++; x86 gives 0 after truncation to 16 bits)
    else:  # std::round: halves away from zero
        zp = int(np.floor(abs(float(zp_from_min)) + 0.5)) * (1 if zp_from_min >= 0 else -1)
        zp &= 0xFFFF
    with np.errstate(all="ignore"):
        return (qmin_f - _F(zp)) * scale, (qmax_f - _F(zp)) * scale, scale, inv_scale


def _quantize(x, mn, mx, qmin, qmax, divide):
    """One channel's fake quantization (x float32)."""
    if mn == 0 and mx == 0:
        return np.zeros_like(x)
    nmin, nmax, scale, inv_scale = _nudge(mn, mx, qmin, qmax)
    with np.errstate(all="ignore"):
        quant_zero = _F(np.floor(-nmin * inv_scale + _F(0.5)))
        shifted = np.maximum(np.minimum(x, nmax), nmin) - nmin
        scaled = shifted / scale if divide else shifted * inv_scale
        return (np.floor(scaled - quant_zero + _F(0.5)) * scale).astype(_F)


def _seq_sum(blocks):
    """Sequential float32 sum over axis 0 (numpy's reductions sum pairwise)."""
    return (
        np.cumsum(blocks, axis=0, dtype=_F)[-1] if len(blocks) else np.zeros(blocks.shape[1:], _F)
    )


def _eigen_sum(v, first=0, n=None):
    """Eigen's full sum of float32 `v[first:first+n]` as TF's CPU kernels compute it
    (AVX packets of 8, four accumulators, halving above 8192 values), bit for bit."""
    n = v.size if n is None else n
    if n > 8 * 1024:
        split = 8 * -(-(first + -(-n // 2)) // 8)
        left = min(split - first, n)
        acc = _eigen_sum(v, first, left)
        return _F(acc + _eigen_sum(v, split, n - left)) if left < n else acc
    v = v[first : first + n]
    v4, vs = n // 32 * 32, n // 8 * 8
    acc4 = _seq_sum(v[:v4].reshape(-1, 4, 8))
    p = ((acc4[0] + acc4[1]) + acc4[2]) + acc4[3]
    p = _seq_sum(np.concatenate([p[None], v[v4:vs].reshape(-1, 8)]))
    b = p[:4] + p[4:]
    tail = _seq_sum(np.concatenate([[_F(0)], v[vs:]]).astype(_F))
    return _F(tail + ((b[0] + b[2]) + (b[1] + b[3])))


def _backprop(g, x, mn, mx, qmin, qmax):
    """One channel's (backprop wrt inputs, wrt min, wrt max)."""
    if mn == 0 and mx == 0:
        return g, _F(0), _F(0)
    nmin, nmax, _, _ = _nudge(mn, mx, qmin, qmax)
    inside = (x >= nmin) & (x <= nmax)
    return (
        (g * inside.astype(_F)).astype(_F),
        _eigen_sum((g * (x < nmin).astype(_F)).ravel()),
        _eigen_sum((g * (x > nmax).astype(_F)).ravel()),
    )


def _unchanged(op):
    return [op._inputs[0]._shape]


def _args_kernel(op, ctx):
    rng = _quant_range(op)
    mn, mx = _F(op._attrs["min"]), _F(op._attrs["max"])

    def kernel(x):
        if rng is None:
            _raise(op, "num_bits must be between 2 and 16, inclusive")
        if not mn < mx:
            _raise(op, f"min has to be smaller than max, was: {mn:g} >= {mx:g}")
        return _quantize(np.asarray(x, _F), mn, mx, rng[0], rng[1], divide=False)

    return kernel


def _args_grad_kernel(op, ctx):
    rng = _quant_range(op)
    mn, mx = _F(op._attrs["min"]), _F(op._attrs["max"])

    def kernel(g, x):
        if rng is None:
            _raise(op, "num_bits must be between 2 and 16, inclusive")
        if not mn < mx:
            _raise(op, f"min has to be smaller than max, was: {mn:g} >= {mx:g}")
        if g.shape != x.shape:
            _raise(
                op,
                f"Inputs to operation {op.name} of type {op.type} must have the same size "
                f"and shape.  Input 0: {_fmt(g.shape)} != input 1: {_fmt(x.shape)}",
            )
        return _backprop(g, x, mn, mx, rng[0], rng[1])[0]

    return kernel


def _fmt(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _args_grad(op, grad):
    return [fake_quant_with_min_max_args_gradient(grad, op.inputs[0], **_attr_kwargs(op, True))]


def _attr_kwargs(op, with_range):
    out = {"num_bits": op.get_attr("num_bits"), "narrow_range": op.get_attr("narrow_range")}
    if with_range:
        out.update(min=op.get_attr("min"), max=op.get_attr("max"))
    return out


_ARGS_ATTRS = [
    "min: float = -6",
    "max: float = 6",
    "num_bits: int = 8",
    "narrow_range: bool = false",
]
_VARS_ATTRS = ["num_bits: int = 8", "narrow_range: bool = false"]

register_op(
    "FakeQuantWithMinMaxArgs",
    inputs=["inputs: float"],
    outputs=["outputs: float"],
    attrs=_ARGS_ATTRS,
    shape=_unchanged,
    make_kernel=_args_kernel,
    grad=_args_grad,
)
register_op(
    "FakeQuantWithMinMaxArgsGradient",
    inputs=["gradients: float", "inputs: float"],
    outputs=["backprops: float"],
    attrs=_ARGS_ATTRS,
    shape=_unchanged,
    make_kernel=_args_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- per tensor (Vars) and per channel ----------------------------------------------------
def _vars_shape(op):
    for t in op._inputs[-2:]:
        if t._shape.rank not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {t._shape.rank}")
    return [op._inputs[0]._shape]


def _vars_grad_shape(op):
    _vars_shape(op)
    shape = _merged(op._inputs[0]._shape, op._inputs[1]._shape)
    return [shape, TensorShape([]), TensorShape([])]


def _merged(a, b):
    try:
        return a.merge_with(b)
    except ValueError:
        raise ValueError(f"Shapes {a} and {b} must be equal") from None


def _channel_shapes(op, x):
    x = x.with_rank_at_least(1)
    depth = None if x.rank is None else x.as_list()[-1]
    for t in op._inputs[-2:]:
        s = t._shape.with_rank(1)
        d = s.as_list()[0]
        if depth is not None and d is not None and d != depth:
            raise ValueError(f"Dimensions must be equal, but are {depth} and {d}")
        depth = d if depth is None else depth
    return x, TensorShape([depth])


def _per_channel_shape(op):
    return [_channel_shapes(op, op._inputs[0]._shape)[0]]


def _per_channel_grad_shape(op):
    x, d = _channel_shapes(op, _merged(op._inputs[0]._shape, op._inputs[1]._shape))
    return [x, d, d]


def _vars_kernel(op, ctx):
    rng = _quant_range(op)

    def kernel(x, mn, mx):
        if rng is None:
            _raise(op, "num_bits must be between 2 and 16, inclusive")
        return _quantize(np.asarray(x, _F), _F(mn), _F(mx), rng[0], rng[1], divide=True)

    return kernel


def _vars_grad_kernel(op, ctx):
    rng = _quant_range(op)

    def kernel(g, x, mn, mx):
        if rng is None:
            _raise(op, "num_bits must be between 2 and 16, inclusive")
        return _backprop(g, x, _F(mn), _F(mx), rng[0], rng[1])

    return kernel


def _check_depth(op, x, mn, mx):
    depth = x.shape[-1]
    for name, v in (("min", mn), ("max", mx)):
        if v.shape[0] != depth:
            _raise(op, f"{name} has incorrect size, expected {depth} was {v.shape[0]}")


def _per_channel_kernel(op, ctx):
    rng = _quant_range(op)

    def kernel(x, mn, mx):
        if rng is None:
            _raise(op, "num_bits must be between 2 and 16, inclusive")
        _check_depth(op, x, mn, mx)
        out = np.empty(x.shape, _F)
        for i in range(x.shape[-1]):
            out[..., i] = _quantize(x[..., i], mn[i], mx[i], rng[0], rng[1], divide=False)
        return out

    return kernel


def _per_channel_grad_kernel(op, ctx):
    rng = _quant_range(op)

    def kernel(g, x, mn, mx):
        if rng is None:
            _raise(op, "num_bits must be between 2 and 16, inclusive")
        _check_depth(op, x, mn, mx)
        dx = np.empty(x.shape, _F)
        dmin, dmax = np.empty(mn.shape, _F), np.empty(mx.shape, _F)
        for i in range(x.shape[-1]):
            dx[..., i], dmin[i], dmax[i] = _backprop(
                g[..., i], x[..., i], mn[i], mx[i], rng[0], rng[1]
            )
        return dx, dmin, dmax

    return kernel


def _vars_grad(op, grad):
    return list(fake_quant_with_min_max_vars_gradient(grad, *op.inputs, **_attr_kwargs(op, False)))


def _per_channel_grad(op, grad):
    return list(
        fake_quant_with_min_max_vars_per_channel_gradient(
            grad, *op.inputs, **_attr_kwargs(op, False)
        )
    )


_GRAD_OUTPUTS = [
    "backprops_wrt_input: float",
    "backprop_wrt_min: float",
    "backprop_wrt_max: float",
]
for _name, _shape, _kernel, _grad_shape, _grad_kernel, _grad in (
    ("FakeQuantWithMinMaxVars", _vars_shape, _vars_kernel, _vars_grad_shape,
     _vars_grad_kernel, _vars_grad),
    ("FakeQuantWithMinMaxVarsPerChannel", _per_channel_shape, _per_channel_kernel,
     _per_channel_grad_shape, _per_channel_grad_kernel, _per_channel_grad),
):  # fmt: skip
    register_op(
        _name,
        inputs=["inputs: float", "min: float", "max: float"],
        outputs=["outputs: float"],
        attrs=_VARS_ATTRS,
        shape=_shape,
        make_kernel=_kernel,
        grad=_grad,
    )
    register_op(
        _name + "Gradient",
        inputs=["gradients: float", "inputs: float", "min: float", "max: float"],
        outputs=_GRAD_OUTPUTS,
        attrs=_VARS_ATTRS,
        shape=_grad_shape,
        make_kernel=_grad_kernel,
        grad=NOT_DIFFERENTIABLE,
    )


# -- public functions ---------------------------------------------------------------------
def fake_quant_with_min_max_args(inputs, min=-6, max=6, num_bits=8, narrow_range=False, name=None):
    """Fake-quantizes float `inputs` to [min, max] with `num_bits` bits."""
    attrs = {"min": float(min), "max": float(max), "num_bits": int(num_bits)}
    attrs["narrow_range"] = bool(narrow_range)
    return op_output("FakeQuantWithMinMaxArgs", name, [inputs], attrs)


def fake_quant_with_min_max_args_gradient(
    gradients, inputs, min=-6, max=6, num_bits=8, narrow_range=False, name=None
):
    """The gradient of `fake_quant_with_min_max_args`."""
    attrs = {"min": float(min), "max": float(max), "num_bits": int(num_bits)}
    attrs["narrow_range"] = bool(narrow_range)
    return op_output("FakeQuantWithMinMaxArgsGradient", name, [gradients, inputs], attrs)


def _vars_attrs(num_bits, narrow_range):
    return {"num_bits": int(num_bits), "narrow_range": bool(narrow_range)}


def fake_quant_with_min_max_vars(inputs, min, max, num_bits=8, narrow_range=False, name=None):
    """Fake-quantizes `inputs` to the scalar tensors [min, max]."""
    attrs = _vars_attrs(num_bits, narrow_range)
    return op_output("FakeQuantWithMinMaxVars", name, [inputs, min, max], attrs)


def fake_quant_with_min_max_vars_gradient(
    gradients, inputs, min, max, num_bits=8, narrow_range=False, name=None
):
    """The gradients of `fake_quant_with_min_max_vars` (wrt inputs, min, max)."""
    attrs = _vars_attrs(num_bits, narrow_range)
    op = apply_op("FakeQuantWithMinMaxVarsGradient", name, [gradients, inputs, min, max], attrs)
    return _GradOutputs("FakeQuantWithMinMaxVarsGradient", op.outputs)


def fake_quant_with_min_max_vars_per_channel(
    inputs, min, max, num_bits=8, narrow_range=False, name=None
):
    """Fake-quantizes `inputs` per last-dimension channel to [min[i], max[i]]."""
    attrs = _vars_attrs(num_bits, narrow_range)
    return op_output("FakeQuantWithMinMaxVarsPerChannel", name, [inputs, min, max], attrs)


def fake_quant_with_min_max_vars_per_channel_gradient(
    gradients, inputs, min, max, num_bits=8, narrow_range=False, name=None
):
    """The gradients of `fake_quant_with_min_max_vars_per_channel`."""
    attrs = _vars_attrs(num_bits, narrow_range)
    op_type = "FakeQuantWithMinMaxVarsPerChannelGradient"
    op = apply_op(op_type, name, [gradients, inputs, min, max], attrs)
    return _GradOutputs(op_type, op.outputs)


_GRAD_FIELDS = ["backprops_wrt_input", "backprop_wrt_min", "backprop_wrt_max"]
_TUPLES = {
    t: collections.namedtuple(t, _GRAD_FIELDS)
    for t in ("FakeQuantWithMinMaxVarsGradient", "FakeQuantWithMinMaxVarsPerChannelGradient")
}


def _GradOutputs(op_type, outputs):
    return _TUPLES[op_type](*outputs)
