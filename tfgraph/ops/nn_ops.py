"""Neural-network ops: activations, softmax and friends (forward kernels, shape rules).

Kernels are numerically stable: softmax and log-softmax subtract the row maximum,
softplus is `logaddexp(0, x)`, ELU/SELU never evaluate `exp` of large positives.
`softmax`/`log_softmax` along an axis other than the last build TF's transpose
subgraph around the op, as TF1 does.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value

__all__ = [
    "elu",
    "leaky_relu",
    "log_softmax",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]

_FLOAT = "{bfloat16, half, float, double}"
_REAL = "{bfloat16, half, float, double, uint8, int8, uint16, int16, int32, uint32, uint64, int64}"

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# -- elementwise activations ----------------------------------------------------------------
def _relu(x):
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def _relu6(x):
    return np.minimum(np.maximum(x, 0), 6).astype(x.dtype, copy=False)


def _elu(x):
    return np.where(x < 0, np.expm1(np.minimum(x, 0)), x)


def _selu(x):
    neg = (_SELU_SCALE * _SELU_ALPHA) * np.expm1(np.minimum(x, 0))
    return np.where(x < 0, neg, _SELU_SCALE * x).astype(x.dtype, copy=False)


def _softplus(x):
    return np.logaddexp(x, 0).astype(x.dtype, copy=False)


def _softsign(x):
    return x / (1 + np.abs(x))


for _name, _kernel, _types in (
    ("Relu", _relu, _REAL),
    ("Relu6", _relu6, _REAL),
    ("Elu", _elu, _FLOAT),
    ("Selu", _selu, _FLOAT),
    ("Softplus", _softplus, _FLOAT),
    ("Softsign", _softsign, _FLOAT),
):
    register_op(
        _name,
        inputs=["features: T"],
        outputs=["activations: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.unchanged_shape,
        kernel=_kernel,
    )


def _leaky_relu_kernel(op, ctx):
    alpha = op._attrs["alpha"]

    def kernel(x):
        return np.where(x > 0, x, x * np.asarray(alpha, dtype=x.dtype))

    return kernel


register_op(
    "LeakyRelu",
    inputs=["features: T"],
    outputs=["activations: T"],
    attrs=["alpha: float = 0.2", "T: {half, bfloat16, float, double} = float"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_leaky_relu_kernel,
)


def relu(features, name: str | None = None) -> Tensor:
    """Rectified linear: max(features, 0)."""
    return op_output("Relu", name, [features])


def relu6(features, name: str | None = None) -> Tensor:
    """Rectified linear capped at 6: min(max(features, 0), 6)."""
    g = get_default_graph()
    with g.name_scope(name or "Relu6") as scope:
        features = convert_to_tensor(features, name="features")
        return op_output("Relu6", scope, [features])


def elu(features, name: str | None = None) -> Tensor:
    """Exponential linear unit: exp(features) - 1 where negative, else features."""
    return op_output("Elu", name, [features])


def selu(features, name: str | None = None) -> Tensor:
    """Scaled exponential linear unit (Klambauer et al.)."""
    return op_output("Selu", name, [features])


def softplus(features, name: str | None = None) -> Tensor:
    """log(exp(features) + 1), computed stably."""
    return op_output("Softplus", name, [features])


def softsign(features, name: str | None = None) -> Tensor:
    """features / (abs(features) + 1)."""
    return op_output("Softsign", name, [features])


def leaky_relu(features, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """max(features, alpha * features); integer features are cast to float32 first."""
    g = get_default_graph()
    with g.name_scope(name or "LeakyRelu") as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = array_ops.cast(features, dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        return op_output("LeakyRelu", scope, [features], {"alpha": float(alpha)})


sigmoid = math_ops.sigmoid
tanh = math_ops.tanh


# -- Softmax, LogSoftmax ----------------------------------------------------------------------
def _softmax_shape(op):
    shape = op._inputs[0]._shape
    if shape._dims is not None and len(shape._dims) < 1:
        raise common_shapes.shape_error(
            op, f"Shape must be at least rank 1 but is rank {len(shape._dims)}"
        )
    return [shape]


def _softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


for _name, _kernel in (("Softmax", _softmax), ("LogSoftmax", _log_softmax)):
    register_op(
        _name,
        inputs=["logits: T"],
        outputs=[("softmax" if _name == "Softmax" else "logsoftmax") + ": T"],
        attrs=[f"T: {_FLOAT}"],
        shape=_softmax_shape,
        kernel=_kernel,
    )


def _swap_axis(x, dim_index, last_index, name=None):
    """Transposes `x` so that `dim_index` and `last_index` trade places (TF's subgraph)."""
    perm = array_ops.concat(
        [
            math_ops.range(dim_index),
            [last_index],
            math_ops.range(dim_index + 1, last_index),
            [dim_index],
        ],
        0,
    )
    return array_ops.transpose(x, perm, name=name)


def _wrap_2d_function(inputs, op_type: str, dim, name):
    """Applies the last-axis op `op_type` along `dim`, transposing around it if needed."""
    inputs = convert_to_tensor(inputs)
    shape = inputs.shape
    if dim == -1 or dim == shape.ndims - 1:
        return op_output(op_type, name, [inputs])
    dim_val = constant_value(dim) if isinstance(dim, Tensor) else dim
    if dim_val is not None and not -shape.ndims <= dim_val < shape.ndims:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"`dim` must be in the range [{-shape.ndims}, {shape.ndims}) where {shape.ndims} is "
            f"the number of dimensions in the input. Received: dim={dim_val}",
        )
    ndims = array_ops.rank(inputs)
    if not isinstance(dim, Tensor):
        if dim < 0:
            dim += ndims
    else:
        dim = array_ops.where(math_ops.less(dim, 0), dim + ndims, dim)
    input_rank = array_ops.rank(inputs)
    dim_axis = dim % shape.ndims
    inputs = _swap_axis(inputs, dim_axis, math_ops.subtract(input_rank, 1))
    output = op_output(op_type, None, [inputs])
    output = _swap_axis(output, dim_axis, math_ops.subtract(input_rank, 1), name=name)
    output.set_shape(shape)
    return output


def _resolve_axis(axis, dim):
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    return -1 if axis is None else axis


def softmax(logits, axis=None, name: str | None = None, dim=None) -> Tensor:
    """exp(logits) / sum(exp(logits), axis), along `axis` (default: the last)."""
    return _wrap_2d_function(logits, "Softmax", _resolve_axis(axis, dim), name)


def log_softmax(logits, axis=None, name: str | None = None, dim=None) -> Tensor:
    """logits - log(sum(exp(logits), axis)), along `axis` (default: the last)."""
    return _wrap_2d_function(logits, "LogSoftmax", _resolve_axis(axis, dim), name)
