"""QuantizeAndDequantizeV2 / V4 / V4Grad (`tf.quantization.quantize_and_dequantize`,
`quantize_and_dequantize_v2`): float values rounded to the grid of a `num_bits` integer
type and mapped back, as TF's kernel (quantize_and_dequantize_op.h) computes them.

The range is the given [input_min, input_max] (`range_given`) or the data's own min and
max; the scale keeps 0 exact and takes the side of the range that limits it. V2's
gradient passes `grad` straight through; V4's masks it to [input_min, input_max].
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["quantize_and_dequantize", "quantize_and_dequantize_v2"]

_QDQ_ATTRS = [
    "signed_input: bool = true",
    "num_bits: int = 8",
    "range_given: bool = false",
    "T: {bfloat16, half, float, double}",
    "round_mode: {'HALF_TO_EVEN', 'HALF_UP'} = 'HALF_TO_EVEN'",
    "narrow_range: bool = false",
    "axis: int = -1",
]


def _node(op) -> str:
    return f"\n\t [[{{{{node {op.name}}}}}]]"


def _range_params(signed: bool, num_bits: int, narrow: bool, mn, mx, t):
    """TF's ComputeQuantizationRange: (min, max, scale, inverse scale) in dtype `t`."""
    if signed:
        qmin = -(1 << (num_bits - 1)) + (1 if narrow else 0)
        qmax = (1 << (num_bits - 1)) - 1
    else:
        qmin, qmax = 0, (1 << num_bits) - 1
    big = np.finfo(t).max
    mn, mx = t(mn), t(mx)
    from_min = t(qmin / mn) if qmin * mn > 0 else big
    from_max = t(qmax / mx) if qmax * mx > 0 else big
    if from_min < from_max:
        inverse = t(mn / t(qmin))
        return mn, t(t(qmax) * inverse), from_min, inverse
    inverse = t(mx / t(qmax))
    return t(t(qmin) * inverse), mx, from_max, inverse


def _qdq_slice(x, mn, mx, attrs, clamp: bool):
    t = x.dtype.type
    lo, hi, scale, inverse = _range_params(
        attrs["signed_input"], attrs["num_bits"], attrs["narrow_range"], mn, mx, t
    )
    if clamp:
        x = np.minimum(np.maximum(x, lo), hi)
    y = x * scale
    if attrs["round_mode"] == b"HALF_UP":
        y = np.floor(y + t(0.5))
    else:
        y = np.rint(y)
    return (y * inverse).astype(x.dtype)


def _check_attrs(op, attrs, x) -> None:
    bits, signed, axis = attrs["num_bits"], attrs["signed_input"], attrs["axis"]
    if not 0 < bits < (62 if signed else 63):
        raise errors.InvalidArgumentError(
            None,
            op,
            f"num_bits is out of range: {bits} with signed_input_ {int(signed)}{_node(op)}",
        )
    if axis < -1:
        raise errors.InvalidArgumentError(
            None, op, f"Axis must be at least -1. Found {axis}{_node(op)}"
        )
    if axis != -1 and axis >= x.ndim:
        raise errors.InvalidArgumentError(
            None, op, f"Shape must be at least rank {axis + 1} but is rank {x.ndim}{_node(op)}"
        )


_C_NAMES = {"float16": "HALF", "bfloat16": "BFLOAT16"}


def _qdq_kernel(op, ctx):
    attrs = dict(op._attrs)
    axis = attrs["axis"]
    given = attrs["range_given"]
    dtype_name = attrs["T"].name
    c_name = _C_NAMES.get(dtype_name, dtype_name.upper())

    def kernel(x, mn, mx):
        if dtype_name not in ("float32", "float64"):  # (TF registers CPU kernels for these)
            raise errors.InvalidArgumentError(
                None,
                op,
                f"No OpKernel was registered to support Op '{op.type}' used by "
                f"{{{{node {op.name}}}}} with these attrs: [T=DT_{c_name}]: TF's CPU kernels "
                "take float32 or float64; cast the input first.",
            )
        x = np.asarray(x)
        dtype = x.dtype
        _check_attrs(op, attrs, x)
        if given and np.ndim(mn) != 0:  # (TF's kernel: a given range is one scalar pair)
            raise errors.InvalidArgumentError(None, op, f"input_min must be a scalar.{_node(op)}")
        if axis == -1:
            lo, hi = (np.ravel(mn)[0], np.ravel(mx)[0]) if given else (x.min(), x.max())
            if given and lo > hi:
                raise errors.InvalidArgumentError(
                    None, op, f"Invalid range: input_min {lo} > input_max {hi}{_node(op)}"
                )
            return _qdq_slice(x, lo, hi, attrs, given).astype(dtype)
        xs = x.reshape(int(np.prod(x.shape[:axis])), x.shape[axis], -1)
        out = np.empty_like(xs)
        for i in range(xs.shape[1]):
            chip = xs[:, i]
            lo, hi = (mn[i], mx[i]) if given else (chip.min(), chip.max())
            if given and lo > hi:
                raise errors.InvalidArgumentError(
                    None, op, f"Invalid range: input_min {lo} > input_max {hi}{_node(op)}"
                )
            out[:, i] = _qdq_slice(chip, lo, hi, attrs, given)
        return out.reshape(x.shape).astype(dtype)

    return kernel


def _minmax_shape(op, x: TensorShape, first: int) -> TensorShape:
    axis = op._attrs["axis"]
    want = 0 if axis == -1 else 1
    depth = None
    if axis != -1 and x.rank is not None:
        if axis >= x.rank:
            raise common_shapes.shape_error(
                op, f"Shape must be at least rank {axis + 1} but is rank {x.rank}"
            )
        depth = x.as_list()[axis]
    for t in op._inputs[first : first + 2]:
        s = t._shape
        if s.rank is not None and s.rank != want:
            raise common_shapes.shape_error(op, f"Shape must be rank {want} but is rank {s.rank}")
        if want and s.rank is not None:
            d = s.as_list()[0]
            if depth is not None and d is not None and d != depth:
                raise common_shapes.shape_error(
                    op, f"Dimensions must be equal, but are {d} and {depth}"
                )
            depth = d if depth is None else depth
    return TensorShape([]) if axis == -1 else TensorShape([depth])


def _qdq_shape(op):
    x = op._inputs[0]._shape
    _minmax_shape(op, x, 1)
    return [x]


def _v2_grad(op, grad):
    return [grad, None, None]


def _v4_grad(op, grad):
    return list(
        apply_op(
            "QuantizeAndDequantizeV4Grad",
            None,
            [grad, op.inputs[0], op.inputs[1], op.inputs[2]],
            {"axis": op.get_attr("axis")},
        ).outputs
    )


for _name, _grad in (("QuantizeAndDequantizeV2", _v2_grad), ("QuantizeAndDequantizeV4", _v4_grad)):
    register_op(
        _name,
        inputs=["input: T", "input_min: T", "input_max: T"],
        outputs=["output: T"],
        attrs=_QDQ_ATTRS,
        shape=_qdq_shape,
        make_kernel=_qdq_kernel,
        grad=_grad,
    )


def _v4_grad_kernel(op, ctx):
    axis = op._attrs["axis"]

    def kernel(g, x, mn, mx):
        g, x = np.asarray(g), np.asarray(x)
        if axis == -1:
            inside = (x >= np.ravel(mn)[0]) & (x <= np.ravel(mx)[0])
        else:
            shape = [1] * x.ndim
            shape[axis] = -1
            lo, hi = np.reshape(mn, shape), np.reshape(mx, shape)
            inside = (x >= lo) & (x <= hi)
        zero = np.zeros(np.shape(mn), x.dtype)
        return (g * inside).astype(x.dtype), zero, zero.copy()

    return kernel


def _v4_grad_shape(op):
    x = op._inputs[1]._shape
    s = _minmax_shape(op, x, 2)
    return [x, s, s]


register_op(
    "QuantizeAndDequantizeV4Grad",
    inputs=["gradients: T", "input: T", "input_min: T", "input_max: T"],
    outputs=["input_backprop: T", "input_min_backprop: T", "input_max_backprop: T"],
    attrs=["T: {bfloat16, half, float, double}", "axis: int = -1"],
    shape=_v4_grad_shape,
    make_kernel=_v4_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _qdq(op_type, input, input_min, input_max, signed_input, num_bits, range_given,
         round_mode, name, narrow_range, axis):  # fmt: skip
    from tfgraph.framework.convert import convert_to_tensor

    input = convert_to_tensor(input)
    if axis is None:
        axis = -1
    elif axis < 0:
        if input.shape.ndims is None:
            raise ValueError("input should have known rank to use negative axis.")
        axis %= input.shape.ndims
    return op_output(
        op_type,
        name,
        [input, input_min, input_max],
        {
            "signed_input": bool(signed_input),
            "num_bits": int(num_bits),
            "range_given": bool(range_given),
            "round_mode": round_mode.encode() if isinstance(round_mode, str) else round_mode,
            "narrow_range": bool(narrow_range),
            "axis": int(axis),
        },
    )


def quantize_and_dequantize(
    input,
    input_min,
    input_max,
    signed_input=True,
    num_bits=8,
    range_given=False,
    round_mode="HALF_TO_EVEN",
    name=None,
    narrow_range=False,
    axis=None,
):
    """Quantizes then dequantizes `input` (QuantizeAndDequantizeV2; its gradient passes
    through unchanged). Deprecated in TF for `quantize_and_dequantize_v2`."""
    return _qdq("QuantizeAndDequantizeV2", input, input_min, input_max, signed_input,
                num_bits, range_given, round_mode, name, narrow_range, axis)  # fmt: skip


def quantize_and_dequantize_v2(
    input,
    input_min,
    input_max,
    signed_input=True,
    num_bits=8,
    range_given=False,
    round_mode="HALF_TO_EVEN",
    name=None,
    narrow_range=False,
    axis=None,
):
    """Quantizes then dequantizes `input` (QuantizeAndDequantizeV4): the values are
    rounded to `num_bits` levels of [input_min, input_max] (or the data's range unless
    `range_given`); the gradient is zero outside [input_min, input_max]."""
    return _qdq("QuantizeAndDequantizeV4", input, input_min, input_max, signed_input,
                num_bits, range_given, round_mode, name, narrow_range, axis)  # fmt: skip
