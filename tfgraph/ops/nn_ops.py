"""Neural-network ops: activations, softmax and friends (forward kernels, shape rules).

Kernels are numerically stable: softmax and log-softmax subtract the row maximum,
softplus is `logaddexp(0, x)`, ELU/SELU never evaluate `exp` of large positives.
`softmax`/`log_softmax` along an axis other than the last build TF's transpose
subgraph around the op, as TF1 does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN as UNKNOWN_SHAPE
from tfgraph.ops.common_shapes import constant_value
from tfgraph.platform import parallel

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
    # max(x, 0) against an array of zeros, written into that array: numpy's maximum
    # with a scalar operand takes a slow loop (3x slower for float32).
    x = np.asarray(x)
    out = np.zeros(x.shape, x.dtype)
    return np.maximum(x, out, out=out)


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


# -- activation gradients: (gradients, features or outputs) -> backprops ----------------------
def _relu_grad_kernel(g, x, out=None):
    # gradients * (features > 0), as TF's kernel computes it (3x faster than np.where,
    # and NaN/-0.0 propagate as in TF); big ones over the kernel threads; into `out`
    # (the gradients' own array, when the plan forwards it) where it fits.
    if g.shape != x.shape or not (g.flags.c_contiguous and x.flags.c_contiguous):
        return np.multiply(g, x > 0, dtype=g.dtype)
    if out is None or out.shape != g.shape or out.dtype != g.dtype:
        out = np.empty(g.shape, g.dtype)
    parallel.elementwise(_masked_by_positive, out, g, x)
    return out


def _masked_by_positive(g, x, out):
    np.multiply(g, x > 0, out=out, dtype=out.dtype)


def _relu6_grad_kernel(g, x, out=None):
    return np.multiply(g, (x > 0) & (x < 6), out=out, dtype=g.dtype)


def _elu_grad_kernel(g, y):
    return np.where(y < 0, g * (y + 1), g)


def _selu_grad_kernel(g, y):
    scale = np.asarray(_SELU_SCALE, dtype=g.dtype)
    scale_alpha = np.asarray(_SELU_SCALE * _SELU_ALPHA, dtype=g.dtype)
    return np.where(y < 0, g * (y + scale_alpha), g * scale)


def _softsign_grad_kernel(g, x):
    d = 1 + np.abs(x)
    return g / (d * d)


def _grad_op(op_type: str, g, x, attrs=None) -> Tensor:
    return op_output(op_type, None, [g, x], attrs)


def _relu_grad(op, grad):
    return _grad_op("ReluGrad", grad, op._outputs[0])


def _relu6_grad(op, grad):
    return _grad_op("Relu6Grad", grad, op._outputs[0])


def _elu_grad(op, grad):
    return _grad_op("EluGrad", grad, op._outputs[0])


def _selu_grad(op, grad):
    return _grad_op("SeluGrad", grad, op._outputs[0])


def _softplus_grad(op, grad):
    return grad * math_ops.sigmoid(op._inputs[0])


def _softsign_grad(op, grad):
    return _grad_op("SoftsignGrad", grad, op._inputs[0])


def _relu_grad_grad(op, grad):
    x = op._inputs[1]
    return _grad_op("ReluGrad", grad, x), array_ops.zeros_like(x)


def _relu6_grad_grad(op, grad):
    x = op._inputs[1]
    return _grad_op("Relu6Grad", grad, x), array_ops.zeros_like(x)


def _elu_grad_grad(op, grad):
    elu_x = op._inputs[1]
    return (
        _grad_op("EluGrad", grad, elu_x),
        array_ops.where(elu_x < 0, grad * op._inputs[0], array_ops.zeros_like(elu_x)),
    )


def _selu_grad_grad(op, grad):
    selu_x = op._inputs[1]
    return (
        _grad_op("SeluGrad", grad, selu_x),
        array_ops.where(selu_x < 0.0, grad * op._inputs[0], array_ops.zeros_like(selu_x)),
    )


# The registration loops below rebind these to functions of several signatures (or None).
_kernel: Any
_grad: Any

_EPILOGUES = {"Relu": lambda op: "relu", "Relu6": lambda op: "relu6"}

for _name, _kernel, _types, _grad in (
    ("Relu", _relu, _REAL, _relu_grad),
    ("Relu6", _relu6, _REAL, _relu6_grad),
    ("Elu", _elu, _FLOAT, _elu_grad),
    ("Selu", _selu, _FLOAT, _selu_grad),
    ("Softplus", _softplus, _FLOAT, _softplus_grad),
    ("Softsign", _softsign, _FLOAT, _softsign_grad),
):
    register_op(
        _name,
        inputs=["features: T"],
        outputs=["activations: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.unchanged_shape,
        kernel=_kernel,
        grad=_grad,
        # (Relu's kernel is maximum against zeros: fused chains run it as that ufunc)
        ufunc_form=(np.maximum, 0) if _name == "Relu" else None,
        # (what a convolution's fused epilogue may end with, as TF's remapper fuses)
        epilogue=_EPILOGUES.get(_name),
    )


def _same_shape_kernel(kernel):
    """A kernel of two same-shaped inputs whose shape failure says what TF says."""

    def make(op, ctx):
        def checked(a, b, **out):
            try:
                return kernel(a, b, **out)
            except ValueError:
                if np.shape(a) == np.shape(b):
                    raise
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Inputs to operation {op.name} of type {op.type} must have the same size "
                    f"and shape.  Input 0: {_dims_str(np.shape(a))} != input 1: "
                    f"{_dims_str(np.shape(b))}",
                ) from None

        return checked

    return make


def _pair_shape(op):
    return [common_shapes.merge_shapes(op._inputs[0]._shape, op._inputs[1]._shape, op)]


for _name, _second, _kernel, _types, _grad in (
    ("ReluGrad", "features", _relu_grad_kernel, _REAL, _relu_grad_grad),
    ("Relu6Grad", "features", _relu6_grad_kernel, _REAL, _relu6_grad_grad),
    ("EluGrad", "outputs", _elu_grad_kernel, _FLOAT, _elu_grad_grad),
    ("SeluGrad", "outputs", _selu_grad_kernel, _FLOAT, _selu_grad_grad),
    # TF defines no gradient for SoftsignGrad (tf.gradients raises LookupError through it).
    ("SoftsignGrad", "features", _softsign_grad_kernel, _FLOAT, None),
):
    register_op(
        _name,
        inputs=["gradients: T", f"{_second}: T"],
        outputs=["backprops: T"],
        attrs=[f"T: {_types}"],
        shape=_pair_shape,
        make_kernel=_same_shape_kernel(_kernel),
        grad=_grad,
        # (writes into the dying gradient's array, as TF's kernels forward it)
        overwrites_input=(0,) if _name in ("ReluGrad", "Relu6Grad") else (),
    )


def _leaky_relu_kernel(op, ctx):
    alpha = op._attrs["alpha"]

    def kernel(x):
        return np.where(x > 0, x, x * np.asarray(alpha, dtype=x.dtype))

    return kernel


def _leaky_relu_grad_kernel(op, ctx):
    alpha = op._attrs["alpha"]

    def kernel(g, x):
        return np.where(x > 0, g, g * np.asarray(alpha, dtype=g.dtype))

    return kernel


def _leaky_relu_grad(op, grad):
    return _grad_op("LeakyReluGrad", grad, op._inputs[0], {"alpha": op._attrs["alpha"]})


def _leaky_relu_grad_grad(op, grad):
    x = op._inputs[1]
    return (
        _grad_op("LeakyReluGrad", grad, x, {"alpha": op._attrs["alpha"]}),
        array_ops.zeros_like(x),
    )


register_op(
    "LeakyRelu",
    inputs=["features: T"],
    outputs=["activations: T"],
    attrs=["alpha: float = 0.2", "T: {half, bfloat16, float, double} = float"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_leaky_relu_kernel,
    grad=_leaky_relu_grad,
)
register_op(
    "LeakyReluGrad",
    inputs=["gradients: T", "features: T"],
    outputs=["backprops: T"],
    attrs=["alpha: float = 0.2", "T: {half, bfloat16, float, double} = float"],
    shape=_pair_shape,
    make_kernel=_leaky_relu_grad_kernel,
    grad=_leaky_relu_grad_grad,
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
    try:
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    except ValueError:
        return _softmax_of_nothing(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax(x):
    try:
        shifted = x - np.max(x, axis=-1, keepdims=True)
    except ValueError:
        return _softmax_of_nothing(x)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _softmax_kernel(kernel):
    def make(op, ctx):
        if op._inputs[0]._shape._dims is not None:
            return kernel  # the shape rule has checked the rank

        def checked(x):
            if x.ndim == 0:  # (numpy would reduce a scalar over axis -1)
                return _softmax_of_nothing(x)
            return kernel(x)

        return checked

    return make


def _softmax_of_nothing(x):
    """Softmax of a scalar (TF refuses it) or of an empty tensor (TF returns it)."""
    if np.ndim(x) == 0:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got []")
    return np.empty(np.shape(x), dtype=np.asarray(x).dtype)


def _softmax_grad(op, grad_softmax):
    softmax = op._outputs[0]
    sum_channels = math_ops.reduce_sum(grad_softmax * softmax, -1, keepdims=True)
    return (grad_softmax - sum_channels) * softmax


def _log_softmax_grad(op, grad):
    softmax = math_ops.exp(op._outputs[0])
    return grad - math_ops.reduce_sum(grad, -1, keepdims=True) * softmax


for _name, _kernel, _grad in (
    ("Softmax", _softmax, _softmax_grad),
    ("LogSoftmax", _log_softmax, _log_softmax_grad),
):
    register_op(
        _name,
        inputs=["logits: T"],
        outputs=[("softmax" if _name == "Softmax" else "logsoftmax") + ": T"],
        attrs=[f"T: {_FLOAT}"],
        shape=_softmax_shape,
        make_kernel=_softmax_kernel(_kernel),
        grad=_grad,
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


# -- SoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogits ---------------------------
def _xent_shape(op):
    features, labels = op._inputs[0]._shape, op._inputs[1]._shape
    for s in (features, labels):
        if s._dims is not None and len(s._dims) != 2:
            raise common_shapes.shape_error(op, f"Shape must be rank 2 but is rank {len(s._dims)}")
    fd = features._dims or (None, None)
    ld = labels._dims or (None, None)
    batch = common_shapes.broadcast_dims((fd[0],), (ld[0],), op._name)[0]
    classes = fd[1]
    if fd[1] is not None and ld[1] is not None:
        if fd[1] != ld[1]:
            raise common_shapes.shape_error(
                op, f"Dimensions must be equal, but are {fd[1]} and {ld[1]}"
            )
    elif classes is None:
        classes = ld[1]
    return [TensorShape._from_tuple((batch,)), TensorShape._from_tuple((batch, classes))]


def _row_max(x):
    """The maximum of each row of the matrix `x`, as a column. Picked through argmax
    (a NaN is its row's maximum, as with `max`): numpy's max over a short inner axis
    is several times slower."""
    if not x.shape[1]:  # no classes: nothing to shift (TF's loss is then 0)
        return np.zeros((x.shape[0], 1), x.dtype)
    rows = np.arange(x.shape[0])
    return x[rows, x.argmax(axis=1)][:, None]


def _row_sum(x):
    """The sum of each row of the matrix `x`. float32/float64 rows go through a BLAS
    matrix-vector product, several times faster than numpy's sum over a short axis."""
    if x.dtype.char in "fd":
        return x @ np.ones(x.shape[1], x.dtype)
    return np.add.reduce(x, axis=1)


def _xent_kernel(features, labels):
    """Loss and backprop in one pass, with the row maximum subtracted for stability:
    loss = sum(labels * (log(sum(exp(shifted))) - shifted)), backprop = softmax - labels."""
    if features.shape != labels.shape:  # the batch dimension broadcasts
        try:
            features, labels = np.broadcast_arrays(features, labels)
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                None,
                "logits and labels must be broadcastable: logits_size="
                f"{_dims_str(features.shape)} labels_size={_dims_str(labels.shape)}",
            ) from None
    shifted = features - _row_max(features)
    e = np.exp(shifted)
    s = _row_sum(e)[:, None]
    np.subtract(np.log(s), shifted, out=shifted)  # now -log_softmax
    shifted *= labels
    loss = np.add.reduce(shifted, axis=1)
    e /= s
    e -= labels
    return loss, e


def _dims_str(shape) -> str:
    return "[" + ",".join(map(str, shape)) + "]"


def _broadcast_mul(vec, mat):
    return array_ops.expand_dims(vec, -1) * mat


def _is_zeros(t) -> bool:
    """Whether `t` is known to be zero (the zeros the gradient pass fills in)."""
    op = t._op
    if op._type == "ZerosLike":
        return True
    if op._type == "Const":
        v = op._attrs["value"]
        return v.dtype.kind in "fc" and not np.any(v)
    return False


def _xent_second_order(op, grad_grad, grad):
    if grad_grad is None or _is_zeros(grad_grad):
        return grad
    logits = op._inputs[0]
    softmax = op_output("Softmax", None, [logits])
    return grad + (
        (
            grad_grad
            - array_ops.squeeze(
                math_ops.matmul(
                    array_ops.expand_dims(grad_grad, 1), array_ops.expand_dims(softmax, 2)
                ),
                axis=1,
            )
        )
        * softmax
    )


def _xent_grad(op, grad_loss, grad_grad):
    grad = _broadcast_mul(grad_loss, op._outputs[1])
    grad = _xent_second_order(op, grad_grad, grad)
    logits = op._inputs[0]
    return grad, _broadcast_mul(grad_loss, -op_output("LogSoftmax", None, [logits]))


register_op(
    "SoftmaxCrossEntropyWithLogits",
    inputs=["features: T", "labels: T"],
    outputs=["loss: T", "backprop: T"],
    attrs=[f"T: {_FLOAT}"],
    shape=_xent_shape,
    kernel=_xent_kernel,
    grad=_xent_grad,
)


def _sparse_xent_shape(op):
    features, labels = op._inputs[0]._shape, op._inputs[1]._shape
    if features._dims is not None and len(features._dims) != 2:
        raise common_shapes.shape_error(
            op, f"Shape must be rank 2 but is rank {len(features._dims)}"
        )
    if labels._dims is not None and len(labels._dims) != 1:
        raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {len(labels._dims)}")
    fd = features._dims or (None, None)
    batch = fd[0]
    if labels._dims is not None:
        if batch is not None and labels._dims[0] is not None and batch != labels._dims[0]:
            raise common_shapes.shape_error(
                op, f"Dimensions must be equal, but are {batch} and {labels._dims[0]}"
            )
        if batch is None:
            batch = labels._dims[0]
    return [TensorShape._from_tuple((batch,)), TensorShape._from_tuple((batch, fd[1]))]


def _sparse_xent_kernel(op, ctx):
    def kernel(features, labels):
        if features.ndim != 2 or np.shape(labels) != features.shape[:1]:
            if features.ndim != 2:
                raise errors.InvalidArgumentError(
                    None, None, f"logits must be 2-D, but got shape {_dims_str(features.shape)}"
                )
            raise errors.InvalidArgumentError(
                None,
                None,
                "logits and labels must have the same first dimension, got logits shape "
                f"{_dims_str(features.shape)} and labels shape {_dims_str(np.shape(labels))}",
            )
        n, c = features.shape
        if c == 0:
            raise errors.InvalidArgumentError(
                None, op, f"Must have at least one class, but got logits shape [{n},{c}]"
            )
        labels = np.asarray(labels)
        if labels.size and (labels.min() < 0 or labels.max() >= c):
            values = " ".join(str(v) for v in labels.tolist())
            bad = labels[(labels < 0) | (labels >= c)][0]
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Received a label value of {bad} which is outside the valid range of [0, {c})."
                f"  Label values: {values}",
            )
        shifted = features - _row_max(features)
        rows = np.arange(n)
        picked = shifted[rows, labels]
        e = np.exp(shifted, out=shifted)
        s = _row_sum(e)
        loss = np.log(s)
        loss -= picked
        e /= s[:, None]
        e[rows, labels] -= 1
        return loss.astype(features.dtype, copy=False), e

    return kernel


def _sparse_xent_grad(op, grad_loss, grad_grad):
    grad = _broadcast_mul(grad_loss, op._outputs[1])
    return _xent_second_order(op, grad_grad, grad), None


register_op(
    "SparseSoftmaxCrossEntropyWithLogits",
    inputs=["features: T", "labels: Tlabels"],
    outputs=["loss: T", "backprop: T"],
    attrs=[f"T: {_FLOAT}", "Tlabels: {int32, int64} = int64"],
    shape=_sparse_xent_shape,
    make_kernel=_sparse_xent_kernel,
    grad=_sparse_xent_grad,
)


def _flatten_outer_dims(logits):
    """`logits` reshaped to 2-D [-1, last dimension], as TF builds it."""
    r = array_ops.rank(logits)
    last_dim_size = array_ops.slice(array_ops.shape(logits), [math_ops.subtract(r, 1)], [1])
    output = array_ops.reshape(logits, array_ops.concat([[-1], last_dim_size], 0))
    dims = logits._shape._dims
    if dims is not None:
        product = 1
        for d in dims[:-1]:
            if d is None:
                product = None
                break
            product *= d
        if product is not None:
            output.set_shape([product, dims[-1]])
    return output


def _ensure_xent_args(name: str, labels, logits) -> None:
    if labels is None or logits is None:
        raise ValueError(
            f"Both `labels` and `logits` must be provided for {name}Received: labels={labels} "
            f"and logits={logits}"
        )


def _softmax_xent_v2(labels, logits, axis, name, default_name: str) -> Tensor:
    if axis is None:
        axis = -1
    g = get_default_graph()
    with g.name_scope(name or default_name) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        to_float32 = logits.dtype._base in (dtypes.float16, dtypes.bfloat16)
        precise_logits = array_ops.cast(logits, dtypes.float32) if to_float32 else logits
        labels = array_ops.cast(labels, precise_logits.dtype._base)
        input_rank = array_ops.rank(precise_logits)
        shape = logits._shape
        if axis != -1:

            def move_dim_to_end(tensor, dim_index, rank_):
                return array_ops.transpose(
                    tensor,
                    array_ops.concat(
                        [
                            math_ops.range(dim_index),
                            math_ops.range(dim_index + 1, rank_),
                            [dim_index],
                        ],
                        0,
                    ),
                )

            precise_logits = move_dim_to_end(precise_logits, axis, input_rank)
            labels = move_dim_to_end(labels, axis, input_rank)
        input_shape = array_ops.shape(precise_logits)
        precise_logits = _flatten_outer_dims(precise_logits)
        labels = _flatten_outer_dims(labels)
        cost = apply_op("SoftmaxCrossEntropyWithLogits", scope, [precise_logits, labels])._outputs[
            0
        ]
        output_shape = array_ops.slice(input_shape, [0], [math_ops.subtract(input_rank, 1)])
        cost = array_ops.reshape(cost, output_shape)
        if shape._dims is not None:
            dims = list(shape._dims)
            del dims[axis]
            cost.set_shape(dims)
        if to_float32:
            return array_ops.cast(cost, logits.dtype._base)
        return cost


def softmax_cross_entropy_with_logits_v2(
    labels, logits, axis=None, name: str | None = None, dim=None
) -> Tensor:
    """Softmax cross entropy between `logits` and the distributions `labels` along
    `axis`; gradients flow into both."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    _ensure_xent_args("softmax_cross_entropy_with_logits", labels, logits)
    return _softmax_xent_v2(labels, logits, axis, name, "softmax_cross_entropy_with_logits")


def softmax_cross_entropy_with_logits(
    labels=None, logits=None, dim=-1, name: str | None = None, axis=None
) -> Tensor:
    """TF1's softmax cross entropy: like `_v2`, but no gradient flows into `labels`."""
    if axis is not None:
        dim = axis
    _ensure_xent_args("softmax_cross_entropy_with_logits", labels, logits)
    g = get_default_graph()
    with g.name_scope(name or "softmax_cross_entropy_with_logits_sg") as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return _softmax_xent_v2(labels, logits, dim, scope, "softmax_cross_entropy_with_logits")


def sparse_softmax_cross_entropy_with_logits(
    labels=None, logits=None, name: str | None = None
) -> Tensor:
    """Softmax cross entropy of `logits` [..., classes] against integer class `labels`
    [...]; InvalidArgumentError at run time for labels outside [0, classes)."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", labels, logits)
    g = get_default_graph()
    with g.name_scope(name or "SparseSoftmaxCrossEntropyWithLogits"):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        f16 = logits.dtype._base is dtypes.float16
        precise_logits = array_ops.cast(logits, dtypes.float32) if f16 else logits
        labels_static = labels._shape
        labels_shape = array_ops.shape(labels)
        logits_shape = logits._shape
        static_defined = labels_static.is_fully_defined() and (
            logits_shape.ndims is not None and logits_shape[:-1].is_fully_defined()
        )
        if logits_shape.ndims == 0:
            raise ValueError(f"`logits` cannot be a scalar. Received logits={logits}`")
        if (
            logits_shape.ndims is not None
            and labels_static.ndims is not None
            and labels_static.ndims != logits_shape.ndims - 1
        ):
            raise ValueError(
                "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                f"labels.shape={labels_static} of rank {labels_static.ndims} and "
                f"logits.shape={logits_shape} of rank {logits_shape.ndims}"
            )
        if static_defined and labels_static != logits_shape[:-1]:
            raise ValueError(
                "`labels.shape` must equal `logits.shape` except for the last dimension. "
                f"Received: labels.shape={labels_static} and logits.shape={logits_shape}"
            )
        if logits_shape.ndims == 2:
            cost = apply_op(
                "SparseSoftmaxCrossEntropyWithLogits", name, [precise_logits, labels]
            )._outputs[0]
            return array_ops.cast(cost, dtypes.float16) if f16 else cost
        checks = []
        if not static_defined:
            from tfgraph.ops import check_ops

            checks.append(
                check_ops.assert_equal(array_ops.shape(labels), array_ops.shape(logits)[:-1])
            )
        with g.control_dependencies(checks):
            num_classes = array_ops.shape(logits)[array_ops.rank(logits) - 1]
            precise_logits = array_ops.reshape(precise_logits, [-1, num_classes])
            labels = array_ops.reshape(labels, [-1])
            cost = apply_op(
                "SparseSoftmaxCrossEntropyWithLogits", name, [precise_logits, labels]
            )._outputs[0]
            cost = array_ops.reshape(cost, labels_shape)
            cost.set_shape(labels_static)
            return array_ops.cast(cost, dtypes.float16) if f16 else cost


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name: str | None = None) -> Tensor:
    """Logistic loss max(x, 0) - x * z + log(1 + exp(-|x|)), elementwise."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", labels, logits)
    g = get_default_graph()
    with g.name_scope(name or "logistic_loss") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(
                "`logits` and `labels` must have the same shape, received "
                f"({logits.shape} vs {labels.shape})."
            )
        zeros = array_ops.zeros_like(logits, dtype=logits.dtype._base)
        cond = logits >= zeros
        relu_logits = array_ops.where(cond, logits, zeros)
        neg_abs_logits = array_ops.where(cond, -logits, logits)
        return math_ops.add(
            relu_logits - logits * labels,
            math_ops.log1p(math_ops.exp(neg_abs_logits)),
            name=scope,
        )


def weighted_cross_entropy_with_logits(
    labels=None, logits=None, pos_weight=None, name: str | None = None, targets=None
) -> Tensor:
    """Logistic loss with positive examples weighted by `pos_weight`."""
    if targets is not None:
        if labels is not None:
            raise ValueError("Cannot specify both 'labels' and 'targets'")
        labels = targets
    g = get_default_graph()
    with g.name_scope(name or "logistic_loss") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(
                "`logits` and `labels` must have the same shape, received "
                f"({logits.shape} vs {labels.shape})."
            )
        log_weight = 1 + (pos_weight - 1) * labels
        return math_ops.add(
            (1 - labels) * logits,
            log_weight * (math_ops.log1p(math_ops.exp(-math_ops.abs(logits))) + relu(-logits)),
            name=scope,
        )


# -- L2Loss, l2_normalize, moments, batch_normalization ------------------------------------
def _l2_loss_kernel(t):
    flat = np.ravel(t)
    if flat.dtype == np.float16:
        return np.asarray(np.dot(flat.astype(np.float32), flat) / 2, dtype=np.float16)
    return np.asarray(np.dot(flat, flat) / 2, dtype=flat.dtype)


def _l2_loss_grad(op, grad):
    return op._inputs[0] * grad


register_op(
    "L2Loss",
    inputs=["t: T"],
    outputs=["output: T"],
    attrs=[f"T: {_FLOAT}"],
    shape=common_shapes.scalar_shape,
    kernel=_l2_loss_kernel,
    grad=_l2_loss_grad,
)


def l2_loss(t, name: str | None = None) -> Tensor:
    """sum(t ** 2) / 2."""
    return op_output("L2Loss", name, [t])


def l2_normalize(x, axis=None, epsilon: float = 1e-12, name: str | None = None, dim=None):
    """`x / sqrt(max(sum(x ** 2, axis), epsilon))`."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    g = get_default_graph()
    with g.name_scope(name or "l2_normalize") as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.is_complex:
            square_real = math_ops.square(math_ops.real(x))
            square_imag = math_ops.square(math_ops.imag(x))
            square_sum = math_ops.real(
                math_ops.reduce_sum(square_real + square_imag, axis, keepdims=True)
            )
            x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
            norm_real = math_ops.multiply(math_ops.real(x), x_inv_norm)
            norm_imag = math_ops.multiply(math_ops.imag(x), x_inv_norm)
            return math_ops.complex(norm_real, norm_imag, name=scope)
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


def moments(x, axes, shift=None, name: str | None = None, keep_dims=None, keepdims=None):
    """(mean, variance) of `x` over `axes` (the biased, population variance)."""
    del shift
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
        keepdims = keep_dims
    keepdims = bool(keepdims)
    g = get_default_graph()
    with g.name_scope(name or "moments"):
        x = convert_to_tensor(x)
        f16 = x.dtype._base is dtypes.float16
        y = array_ops.cast(x, dtypes.float32) if f16 else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)),
            axes,
            keepdims=True,
            name="variance",
        )
        if not keepdims:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if f16:
            return array_ops.cast(mean, dtypes.float16), array_ops.cast(variance, dtypes.float16)
        return mean, variance


def batch_normalization(
    x, mean, variance, offset, scale, variance_epsilon, name: str | None = None
) -> Tensor:
    """`scale * (x - mean) / sqrt(variance + variance_epsilon) + offset`, built as TF
    builds it."""
    g = get_default_graph()
    with g.name_scope(name or "batchnorm"):
        inv = math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        x = convert_to_tensor(x)
        return x * array_ops.cast(inv, x.dtype._base) + array_ops.cast(
            offset - mean * inv if offset is not None else -mean * inv, x.dtype._base
        )


# -- FusedBatchNormV3 -------------------------------------------------------------------------
def _channel_axis(data_format: bytes, ndim: int) -> int:
    return 1 if data_format in (b"NCHW", b"NCDHW") else ndim - 1


def _fused_batch_norm_shape(op):
    x = op._inputs[0]._shape
    fmt = op._attrs["data_format"]
    if x._dims is not None and len(x._dims) not in (4, 5):
        raise common_shapes.shape_error(op, f"Shape must be rank 4 but is rank {len(x._dims)}")
    c = None if x._dims is None else x._dims[_channel_axis(fmt, len(x._dims))]
    for t in op._inputs[1:]:
        d = t._shape._dims
        if d is not None and len(d) != 1:
            raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {len(d)}")
    vec = TensorShape._from_tuple((c,))
    return [x, vec, vec, vec, vec, TensorShape(None)]


def _fused_batch_norm_kernel(op, ctx):
    eps = op._attrs["epsilon"]
    factor = op._attrs["exponential_avg_factor"]
    training = op._attrs["is_training"]
    fmt = op._attrs["data_format"]

    def kernel(x, scale, offset, mean, variance):
        c_axis = _channel_axis(fmt, x.ndim)
        axes = tuple(i for i in range(x.ndim) if i != c_axis)
        bshape = [1] * x.ndim
        bshape[c_axis] = -1
        u = scale.dtype
        xf = x.astype(np.float32, copy=False)
        if training:
            batch_mean = xf.mean(axis=axes)
            centered = xf - batch_mean.reshape(bshape)
            batch_var = np.mean(centered * centered, axis=axes)
            n = x.size // x.shape[c_axis]
            unbiased = batch_var * (n / max(n - 1, 1))
            inv = 1 / np.sqrt(batch_var + eps)
            y = centered * (inv * scale).reshape(bshape) + offset.reshape(bshape)
            if factor != 1.0:
                running_mean = (1 - factor) * mean + factor * batch_mean
                running_var = (1 - factor) * variance + factor * unbiased
            else:
                running_mean, running_var = batch_mean, unbiased
            return (
                y.astype(x.dtype, copy=False),
                running_mean.astype(u, copy=False),
                running_var.astype(u, copy=False),
                batch_mean.astype(u, copy=False),
                batch_var.astype(u, copy=False),
                np.zeros((), dtype=u),
            )
        inv = 1 / np.sqrt(variance + eps)
        y = (xf - mean.reshape(bshape)) * (inv * scale).reshape(bshape) + offset.reshape(bshape)
        zeros = np.zeros(mean.shape, dtype=u)
        return (
            y.astype(x.dtype, copy=False),
            mean,
            variance,
            zeros,
            zeros.copy(),
            np.zeros((), dtype=u),
        )

    return kernel


def _fused_batch_norm_grad(op, *grad):
    x = op._inputs[0]
    grad_y = grad[0]
    scale = op._inputs[1]
    attrs = {
        "epsilon": op._attrs["epsilon"],
        "data_format": op._attrs["data_format"],
        "is_training": op._attrs["is_training"],
    }
    fmt = op._attrs["data_format"]
    if op._attrs["is_training"]:
        outs = apply_op(
            "FusedBatchNormGradV3",
            None,
            [grad_y, x, scale, op._outputs[3], op._outputs[4], op._outputs[5]],
            attrs,
        )._outputs
        return outs[0], outs[1], outs[2], None, None
    pop_mean, pop_var = op._inputs[3], op._inputs[4]
    if fmt == b"NCHW":
        x = array_ops.transpose(x, [0, 2, 3, 1])
        grad_y = array_ops.transpose(grad_y, [0, 2, 3, 1])
    elif fmt == b"NCDHW":
        x = array_ops.transpose(x, [0, 2, 3, 4, 1])
        grad_y = array_ops.transpose(grad_y, [0, 2, 3, 4, 1])
    attrs["data_format"] = b"NHWC" if fmt in (b"NCHW", b"NHWC") else b"NDHWC"
    outs = apply_op(
        "FusedBatchNormGradV3",
        None,
        [grad_y, x, scale, pop_mean, pop_var, op._outputs[5]],
        attrs,
    )._outputs
    dx = outs[0]
    if fmt == b"NCHW":
        dx = array_ops.transpose(dx, [0, 3, 1, 2])
    elif fmt == b"NCDHW":
        dx = array_ops.transpose(dx, [0, 4, 1, 2, 3])
    return dx, outs[1], outs[2], None, None


_BN_FORMATS = "{'NHWC', 'NCHW', 'NDHWC', 'NCDHW'}"

register_op(
    "FusedBatchNormV3",
    inputs=["x: T", "scale: U", "offset: U", "mean: U", "variance: U"],
    outputs=[
        "y: T",
        "batch_mean: U",
        "batch_variance: U",
        "reserve_space_1: U",
        "reserve_space_2: U",
        "reserve_space_3: U",
    ],
    attrs=[
        "T: {half, bfloat16, float}",
        "U: {bfloat16, float}",
        "epsilon: float = 0.0001",
        "exponential_avg_factor: float = 1.0",
        f"data_format: {_BN_FORMATS} = 'NHWC'",
        "is_training: bool = true",
    ],
    shape=_fused_batch_norm_shape,
    make_kernel=_fused_batch_norm_kernel,
    grad=_fused_batch_norm_grad,
)


def _fused_batch_norm_grad_shape(op):
    x = op._inputs[1]._shape
    c = op._inputs[2]._shape
    return [x, c, c, TensorShape._from_tuple((0,)), TensorShape._from_tuple((0,))]


def _fused_batch_norm_grad_kernel(op, ctx):
    eps = op._attrs["epsilon"]
    training = op._attrs["is_training"]
    fmt = op._attrs["data_format"]

    def kernel(dy, x, scale, mean, var, _reserve):
        c_axis = _channel_axis(fmt, x.ndim)
        axes = tuple(i for i in range(x.ndim) if i != c_axis)
        bshape = [1] * x.ndim
        bshape[c_axis] = -1
        dyf = dy.astype(np.float32, copy=False)
        xf = x.astype(np.float32, copy=False)
        inv = 1 / np.sqrt(var + eps)
        centered = xf - mean.reshape(bshape)
        offset_backprop = dyf.sum(axis=axes)
        scale_backprop = (dyf * centered).sum(axis=axes) * inv
        if training:
            n = x.size // x.shape[c_axis]
            mean_dy = offset_backprop / n
            mean_dy_xc = (dyf * centered).sum(axis=axes) / n
            dx = (scale * inv).reshape(bshape) * (
                dyf - mean_dy.reshape(bshape) - centered * (mean_dy_xc * inv * inv).reshape(bshape)
            )
        else:
            dx = dyf * (scale * inv).reshape(bshape)
        u = scale.dtype
        empty = np.zeros((0,), dtype=u)
        return (
            dx.astype(x.dtype, copy=False),
            scale_backprop.astype(u, copy=False),
            offset_backprop.astype(u, copy=False),
            empty,
            empty.copy(),
        )

    return kernel


def _batch_norm_grad_composite(grad_y, x, scale, pop_mean, pop_var, epsilon, data_format, training):
    """TF's _BatchNormGrad: FusedBatchNormGrad's outputs built from differentiable ops."""
    x_dtype = x.dtype._base
    if x_dtype in (dtypes.float16, dtypes.bfloat16):
        x = array_ops.cast(x, dtypes.float32)
        grad_y = array_ops.cast(grad_y, dtypes.float32)
    channels_first = data_format in (b"NCHW", b"NCDHW")
    ndim = 5 if data_format in (b"NDHWC", b"NCDHW") else 4
    reduce_axis = [0] + list(range(2, ndim)) if channels_first else list(range(ndim - 1))
    bshape = [1, array_ops.size(scale)] + [1] * (ndim - 2)
    if training:
        keepdims = channels_first
        if channels_first:
            scale = array_ops.reshape(scale, bshape)
        mean_grad_y = math_ops.reduce_mean(grad_y, reduce_axis, keepdims=keepdims)
        mean_x = math_ops.reduce_mean(x, reduce_axis, keepdims=keepdims)
        var_x = math_ops.reduce_mean(
            math_ops.squared_difference(x, array_ops.stop_gradient(mean_x)),
            reduce_axis,
            keepdims=keepdims,
        )
        grad_y_offset = grad_y - mean_grad_y
        x_offset = x - mean_x
        mean = math_ops.reduce_mean(grad_y * x_offset, axis=reduce_axis, keepdims=keepdims)
        grad_x = (
            scale
            * math_ops.rsqrt(var_x + epsilon)
            * (grad_y_offset - math_ops.reciprocal(var_x + epsilon) * mean * x_offset)
        )
        grad_scale = math_ops.rsqrt(var_x + epsilon) * math_ops.reduce_sum(
            grad_y * x_offset, axis=reduce_axis, keepdims=keepdims
        )
        if channels_first:
            grad_scale = array_ops.squeeze(grad_scale)
        grad_offset = math_ops.reduce_sum(grad_y, axis=reduce_axis)
        return array_ops.cast(grad_x, x_dtype), grad_scale, grad_offset
    if channels_first:
        pop_mean = array_ops.reshape(pop_mean, bshape)
        pop_var = array_ops.reshape(pop_var, bshape)
        scale = array_ops.reshape(scale, bshape)
    grad_offset = math_ops.reduce_sum(grad_y, axis=reduce_axis)
    var_rsqrt = math_ops.rsqrt(pop_var + epsilon)
    grad_scale = math_ops.reduce_sum(grad_y * (x - pop_mean) * var_rsqrt, axis=reduce_axis)
    grad_x = grad_y * scale * var_rsqrt
    return array_ops.cast(grad_x, x_dtype), grad_scale, grad_offset


def _fused_batch_norm_grad_grad(op, *grad):
    """Differentiates TF's composite form of the batch norm gradient (TF records it on a
    tape; here a nested gradient pass treats grad_y, x and scale as independent)."""
    from tfgraph.gradients import gradients

    grad_y, x, scale, pop_mean, pop_var = op._inputs[:5]
    a = op._attrs
    outs = _batch_norm_grad_composite(
        grad_y, x, scale, pop_mean, pop_var, a["epsilon"], a["data_format"], a["is_training"]
    )
    wrt = [grad_y, x, scale]
    pairs = [(o, g) for o, g in zip(outs, grad[:3]) if g is not None]
    ggy, gx, gscale = gradients(
        [o for o, _ in pairs], wrt, grad_ys=[g for _, g in pairs], stop_gradients=wrt
    )
    return ggy, gx, gscale, None, None, None


register_op(
    "FusedBatchNormGradV3",
    inputs=[
        "y_backprop: T",
        "x: T",
        "scale: float",
        "reserve_space_1: U",
        "reserve_space_2: U",
        "reserve_space_3: U",
    ],
    outputs=[
        "x_backprop: T",
        "scale_backprop: U",
        "offset_backprop: U",
        "reserve_space_4: U",
        "reserve_space_5: U",
    ],
    attrs=[
        "T: {half, bfloat16, float}",
        "U: {float}",
        "epsilon: float = 0.0001",
        f"data_format: {_BN_FORMATS} = 'NHWC'",
        "is_training: bool = true",
    ],
    shape=_fused_batch_norm_grad_shape,
    make_kernel=_fused_batch_norm_grad_kernel,
    grad=_fused_batch_norm_grad_grad,
)


def fused_batch_norm(
    x,
    scale,
    offset,
    mean=None,
    variance=None,
    epsilon: float = 0.001,
    data_format: str = "NHWC",
    is_training: bool = True,
    name: str | None = None,
    exponential_avg_factor: float = 1.0,
):
    """Batch normalization of 4-D `x` in one op: (y, running mean, running variance).

    Training normalizes with the batch statistics (and returns the unbiased batch
    variance, mixed with `variance` by `exponential_avg_factor`); inference uses `mean`
    and `variance`.
    """
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError(
            "Both `mean` and `variance` must be a 1D tensor when `is_training` is False or "
            f"`exponential_avg_factor` != 1.0. Received: `mean` {mean!r} and `variance` "
            f"{variance!r}"
        )
    x = convert_to_tensor(x, name="input")
    scale = convert_to_tensor(scale, name="scale")
    offset = convert_to_tensor(offset, name="offset")
    if mean is None:
        mean = constant([])
    if variance is None:
        variance = constant([])
    op = apply_op(
        "FusedBatchNormV3",
        name,
        [x, scale, offset, mean, variance],
        {
            "epsilon": float(epsilon),
            "exponential_avg_factor": float(exponential_avg_factor),
            "data_format": data_format.encode() if isinstance(data_format, str) else data_format,
            "is_training": bool(is_training),
        },
    )
    return op._outputs[0], op._outputs[1], op._outputs[2]


# -- LRN ------------------------------------------------------------------------------------
def _lrn_norm(x, r: int, bias: float, alpha: float):
    """bias + alpha * (sum of squares over the channel window of radius r)."""
    sq = (x * x).astype(np.float64)
    c = x.shape[-1]
    csum = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(sq, axis=-1)], axis=-1)
    lo = np.clip(np.arange(c) - r, 0, c)
    hi = np.clip(np.arange(c) + r + 1, 0, c)
    return bias + alpha * (csum[..., hi] - csum[..., lo])


def _lrn_kernel(op, ctx):
    a = op._attrs
    r, bias, alpha, beta = a["depth_radius"], a["bias"], a["alpha"], a["beta"]

    def kernel(x):
        if x.ndim != 4:
            raise errors.InvalidArgumentError(None, op, "input must be 4-dimensional")
        n = _lrn_norm(x, r, bias, alpha)
        return (x / n**beta).astype(x.dtype)

    return kernel


def _lrn_grad_kernel(op, ctx):
    a = op._attrs
    r, bias, alpha, beta = a["depth_radius"], a["bias"], a["alpha"], a["beta"]

    def kernel(dy, x, y):
        xf = x.astype(np.float64)
        n = _lrn_norm(x, r, bias, alpha)
        c = x.shape[-1]
        dyf = dy.astype(np.float64)
        t = dyf * xf * n ** (-beta - 1)
        csum = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(t, axis=-1)], axis=-1)
        lo = np.clip(np.arange(c) - r, 0, c)
        hi = np.clip(np.arange(c) + r + 1, 0, c)
        window = csum[..., hi] - csum[..., lo]
        dx = dyf * n ** (-beta) - 2 * alpha * beta * xf * window
        return dx.astype(x.dtype)

    return kernel


def _lrn_grad(op, grad):
    a = op._attrs
    attrs = {k: a[k] for k in ("depth_radius", "bias", "alpha", "beta")}
    return [op_output("LRNGrad", None, [grad, op._inputs[0], op._outputs[0]], attrs)]


_LRN_ATTRS = [
    "depth_radius: int = 5",
    "bias: float = 1.0",
    "alpha: float = 1.0",
    "beta: float = 0.5",
    "T: {half, bfloat16, float} = float",
]

register_op(
    "LRN",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=_LRN_ATTRS,
    shape=common_shapes.unchanged_shape,
    make_kernel=_lrn_kernel,
    grad=_lrn_grad,
)
register_op(
    "LRNGrad",
    inputs=["input_grads: T", "input_image: T", "output_image: T"],
    outputs=["output: T"],
    attrs=_LRN_ATTRS,
    shape=common_shapes.unchanged_shape,
    make_kernel=_lrn_grad_kernel,
)


def local_response_normalization(
    input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name: str | None = None
) -> Tensor:
    """input / (bias + alpha * sum(input ** 2 over nearby channels)) ** beta."""
    attrs = {
        "depth_radius": int(depth_radius),
        "bias": float(bias),
        "alpha": float(alpha),
        "beta": float(beta),
    }
    return op_output("LRN", name, [input], attrs)


lrn = local_response_normalization


# -- InTopKV2, TopKV2 ---------------------------------------------------------------------------
def _in_top_k_shape(op):
    p, t = op._inputs[0]._shape, op._inputs[1]._shape
    if p._dims is not None and len(p._dims) != 2:
        raise common_shapes.shape_error(op, f"Shape must be rank 2 but is rank {len(p._dims)}")
    batch = None if p._dims is None else p._dims[0]
    if t._dims is not None:
        if len(t._dims) != 1:
            raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {len(t._dims)}")
        batch = batch if batch is not None else t._dims[0]
    return [TensorShape._from_tuple((batch,))]


def _in_top_k_kernel(op, ctx):
    def kernel(predictions, targets, k):
        n, c = predictions.shape
        if targets.shape != (n,):
            raise errors.InvalidArgumentError(
                None, op, "First dimension of predictions must match length of targets"
            )
        out = np.zeros(n, dtype=bool)
        valid = (targets >= 0) & (targets < c)
        rows = np.nonzero(valid)[0]
        target_pred = predictions[rows, targets[rows]]
        finite_rows = np.isfinite(predictions[rows]).all(axis=1)
        more = (predictions[rows] > target_pred[:, None]).sum(axis=1)
        out[rows] = finite_rows & (more < int(k))
        return out

    return kernel


register_op(
    "InTopKV2",
    inputs=["predictions: float", "targets: T", "k: T"],
    outputs=["precision: bool"],
    attrs=["T: {int32, int64} = int32"],
    shape=_in_top_k_shape,
    make_kernel=_in_top_k_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def in_top_k(predictions, targets, k, name: str | None = None) -> Tensor:
    """Whether each target is among the `k` largest predictions of its row."""
    g = get_default_graph()
    with g.name_scope(name or "in_top_k"):
        return op_output("InTopKV2", name, [predictions, targets, k])


def _top_k_shape(op):
    dims = op._inputs[0]._shape._dims
    k = constant_value(op._inputs[1])
    if dims is None:
        return [UNKNOWN_SHAPE, UNKNOWN_SHAPE]
    if not dims:
        raise common_shapes.shape_error(op, "Shape must be at least rank 1 but is rank 0")
    if k is not None:
        k = int(k)
        if k < 0:
            raise common_shapes.shape_error(op, f"Need k >= 0, got {k}")
        if dims[-1] is not None and dims[-1] < k:
            raise ValueError(
                f"input must have last dimension >= k = {k} but is {dims[-1]} for "
                f"'{{{{node {op.name}}}}} = TopKV2[...]' with input shapes: "
                f"{common_shapes.fmt_shape(op._inputs[0]._shape)}, []"
            )
    out = TensorShape._from_tuple(dims[:-1] + (k,))
    return [out, out]


def _top_k_kernel(op, ctx):
    index_dtype = op._attrs["index_type"].np_dtype

    def kernel(x, k):
        try:
            k = int(k)
        except TypeError:
            raise errors.InvalidArgumentError(
                None, None, f"k must be scalar, got shape {_dims_str(np.shape(k))}"
            ) from None
        if k < 0:
            raise errors.InvalidArgumentError(None, op, f"Need k >= 0, got {k}")
        c = x.shape[-1]
        if c < k:
            raise errors.InvalidArgumentError(
                None, op, f"input must have at least k columns. Had {c}, needed {k}"
            )
        if k == 0:
            return np.zeros(x.shape[:-1] + (0,), x.dtype), np.zeros(
                x.shape[:-1] + (0,), index_dtype
            )
        if np.issubdtype(x.dtype, np.floating):
            order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
        else:
            order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
        values = np.take_along_axis(x, order, axis=-1)
        return values, order.astype(index_dtype)

    return kernel


def _top_k_grad(op, grad, _):
    in_shape = array_ops.shape(op._inputs[0])
    ind_shape = array_ops.shape(op._outputs[1])
    ind_lastdim = array_ops.gather(
        array_ops.cast(ind_shape, dtypes.int64), array_ops.size(ind_shape) - 1
    )
    ind_2d = array_ops.reshape(op._outputs[1], array_ops.stack([-1, ind_lastdim]))
    in_lastdim = array_ops.gather(
        array_ops.cast(in_shape, dtypes.int64), array_ops.size(in_shape) - 1
    )
    outerdim = array_ops.shape(ind_2d)[0]
    ind = array_ops.reshape(
        ind_2d
        + array_ops.cast(
            array_ops.expand_dims(
                math_ops.range(0, array_ops.cast(outerdim, dtypes.int64) * in_lastdim, in_lastdim),
                -1,
            ),
            dtypes.int32,
        ),
        [-1],
    )
    return [
        array_ops.reshape(
            array_ops.scatter_nd(
                array_ops.expand_dims(ind, -1),
                array_ops.reshape(grad, [-1]),
                [math_ops.reduce_prod(in_shape)],
            ),
            in_shape,
        ),
        array_ops.zeros([], dtype=dtypes.int32),
    ]


register_op(
    "TopKV2",
    inputs=["input: T", "k: Tk"],
    outputs=["values: T", "indices: index_type"],
    attrs=[
        "sorted: bool = true",
        f"T: {_REAL}",
        "Tk: {int16, int32, int64} = int32",
        "index_type: {int16, int32, int64} = int32",
    ],
    shape=_top_k_shape,
    make_kernel=_top_k_kernel,
    grad=_top_k_grad,
)


def top_k(input, k=1, sorted: bool = True, index_type=dtypes.int32, name: str | None = None):
    """(values, indices) of the `k` largest entries of each row (ties: lower index first)."""
    op = apply_op(
        "TopKV2",
        name,
        [input, k],
        {"sorted": bool(sorted), "index_type": dtypes.as_dtype(index_type)._base},
    )
    return TopKResult(op._outputs)


class TopKResult(tuple):
    """`(values, indices)` as a named pair, as TF returns it."""

    __slots__ = ()

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]


def xw_plus_b(x, weights, biases, name: str | None = None) -> Tensor:
    """matmul(x, weights) + biases (a MatMul and a BiasAdd)."""
    from tfgraph.ops import conv_ops

    g = get_default_graph()
    with g.name_scope(name or "xw_plus_b") as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        mm = math_ops.matmul(x, weights)
        return conv_ops.bias_add(mm, biases, name=scope)


# -- dropout --------------------------------------------------------------------------------
def _get_noise_shape(x, noise_shape):
    if noise_shape is None:
        return array_ops.shape(x)
    try:
        ns = as_shape(noise_shape)
    except (TypeError, ValueError):
        return noise_shape
    if x.shape._dims is not None and ns._dims is not None and len(x.shape._dims) == len(ns._dims):
        dims = [d if n is None and d is not None else n for d, n in zip(x.shape._dims, ns._dims)]
        return TensorShape(dims)
    return noise_shape


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name: str | None = None, rate=None):
    """Zeroes elements of `x` with probability `rate` (= 1 - `keep_prob`) and scales the
    rest by 1 / (1 - rate); `seed` makes the mask repeatable as `tf.set_random_seed`."""
    try:
        rate_from_keep_prob = 1.0 - keep_prob if keep_prob is not None else None
    except TypeError:
        raise ValueError(
            "`keep_prob` must be a floating point number or Tensor. Received: "
            f"keep_prob={keep_prob}"
        ) from None
    if rate is not None and rate_from_keep_prob is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'")
    if rate is None:
        rate = rate_from_keep_prob
    if rate is None:
        raise ValueError(f"`rate` must be provided. Received: rate={rate}")
    return dropout_v2(x, rate, noise_shape=noise_shape, seed=seed, name=name)


def dropout_v2(x, rate, noise_shape=None, seed=None, name: str | None = None):
    """TF2-style dropout: zeroes elements with probability `rate`."""
    from tfgraph.framework.random_seed import get_seed
    from tfgraph.ops import random_ops

    def sampler(shape, dtype):
        return random_ops.random_uniform(shape, seed=seed, dtype=dtype)

    return _dropout(x, rate, noise_shape, sampler, lambda: get_seed(seed), name, "dropout")


def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name: str | None = None):
    """`tf.nn.experimental.stateless_dropout`: dropout whose mask is
    `tf.random.stateless_uniform(noise_shape, seed, alg=rng_alg) >= rate` (the same mask
    for the same seed, as TF's)."""
    from tfgraph.ops import stateless_random_ops

    def sampler(shape, dtype):
        alg = "auto_select" if rng_alg is None else rng_alg
        return stateless_random_ops.stateless_uniform(shape, seed=seed, dtype=dtype, alg=alg)

    return _dropout(x, rate, noise_shape, sampler, lambda: None, name, "stateless_dropout")


def general_dropout(x, rate, uniform_sampler, noise_shape=None, name: str | None = None):
    """`tf.nn.experimental.general_dropout`: dropout whose mask is
    `uniform_sampler(shape=noise_shape, dtype=x.dtype) >= rate`."""
    return _dropout(x, rate, noise_shape, uniform_sampler, lambda: None, name, "general_dropout")


def _dropout(x, rate, noise_shape, sampler, on_rate_zero, name, default_name: str):
    """Zeroes elements of `x` where `sampler(shape=..., dtype=...)` (uniform in [0, 1)) is
    below `rate` and scales the others by 1 / (1 - rate)."""
    import numbers

    g = get_default_graph()
    with g.name_scope(name or default_name):
        is_rate_number = isinstance(rate, numbers.Real)
        if is_rate_number and (rate < 0 or rate >= 1):
            raise ValueError(
                "`rate` must be a scalar tensor or a float in the range [0, 1). Received: "
                f"rate={rate}"
            )
        x = convert_to_tensor(x, name="x")
        x_dtype = x.dtype._base
        if not x_dtype.is_floating:
            raise ValueError(
                "`x.dtype` must be a floating point tensor as `x` will be scaled. Received: "
                f"x_dtype={x.dtype!r}"
            )
        if is_rate_number and rate == 0:
            on_rate_zero()
            return x
        if not isinstance(rate, Tensor) and not hasattr(rate, "_as_graph_element"):
            if not is_rate_number:
                raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
            scale = convert_to_tensor(1 / (1 - rate), dtype=x_dtype)
            ret = op_output("Mul", None, [x, scale])
        else:
            rate = convert_to_tensor(rate)
            if rate.shape.ndims not in (None, 0):
                raise ValueError(f"Shape {rate.shape} must have rank 0")
            if rate.dtype._base is not x_dtype:
                if not rate.dtype.is_compatible_with(x_dtype):
                    raise ValueError(
                        "`x.dtype` must be compatible with `rate.dtype`. Received: "
                        f"x.dtype={x.dtype!r} and rate.dtype={rate.dtype!r}"
                    )
                rate = op_output("Cast", "rate", [rate], {"DstT": x_dtype})
            one = constant(1, dtype=x_dtype)
            ret = op_output("RealDiv", None, [x, op_output("Sub", None, [one, rate])])
        noise_shape = _get_noise_shape(x, noise_shape)
        random_tensor = sampler(shape=noise_shape, dtype=x_dtype)
        keep_mask = random_tensor >= rate
        zero = constant(0, dtype=x_dtype)
        ret = op_output("SelectV2", None, [keep_mask, ret, zero])
        ret.set_shape(x.shape)
        return ret


# -- embedding_lookup -------------------------------------------------------------------------
def embedding_lookup(
    params,
    ids,
    partition_strategy: str = "mod",
    name: str | None = None,
    validate_indices: bool = True,
    max_norm=None,
) -> Tensor:
    """Rows `ids` of `params` (a tensor or a list of partitions, split "mod" or "div").

    Its gradient with respect to the params is an IndexedSlices of the looked-up rows.
    """
    del validate_indices
    from tfgraph.ops import clip_ops

    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Length of params is currently 0. Need at least one param.")
    if hasattr(params, "_get_variable_list"):
        params = list(params)  # a PartitionedVariable: its partitions
    if not isinstance(params, list):
        params = [params] if not isinstance(params, tuple) else list(params)
    g = get_default_graph()

    def clip(values, ids_t):
        if max_norm is None:
            return values
        ids_rank = ids_t.shape.ndims
        params_rank = values.shape.ndims
        if ids_rank and params_rank:
            axes = list(range(ids_rank, params_rank))
        else:
            axes = math_ops.range(array_ops.rank(ids_t), array_ops.rank(values))
        return clip_ops.clip_by_norm(values, max_norm, axes=axes)

    with g.name_scope(name or "embedding_lookup") as scope:
        n = len(params)
        params = [convert_to_tensor(p, name="params") for p in params]
        ids = convert_to_tensor(ids, name="ids")
        if n == 1:
            with g.colocate_with(params[0]._op):
                result = clip(array_ops.gather(params[0], ids, name=scope), ids)
            return array_ops.identity(result)
        flat_ids = array_ops.reshape(ids, [-1])
        original_indices = math_ops.range(array_ops.size(flat_ids, out_type=dtypes.int32))
        if partition_strategy == "mod":
            p_assignments = flat_ids % n
            new_ids = flat_ids // n
        elif partition_strategy == "div":
            dims0 = [p._shape[0].value if p._shape.ndims else None for p in params]
            if all(d is not None for d in dims0):
                num_total_ids = constant(sum(dims0), flat_ids.dtype._base)
            else:
                sizes = []
                for p, d in zip(params, dims0):
                    if d is not None:
                        sizes.append(d)
                    else:
                        with g.colocate_with(p._op):
                            sizes.append(array_ops.shape(p)[0])
                num_total_ids = math_ops.reduce_sum(
                    array_ops.cast(array_ops.stack(sizes), flat_ids.dtype._base)
                )
            ids_per_partition = num_total_ids // n
            extras = num_total_ids % n
            p_assignments = math_ops.maximum(
                flat_ids // (ids_per_partition + 1), (flat_ids - extras) // ids_per_partition
            )
            new_ids = array_ops.where(
                p_assignments < extras,
                flat_ids % (ids_per_partition + 1),
                (flat_ids - extras) % ids_per_partition,
            )
        else:
            raise ValueError(
                f"Unrecognized partition strategy: {partition_strategy}.Must be one of either "
                "`mod` or `div`."
            )
        p_assignments = array_ops.cast(p_assignments, dtypes.int32)
        gather_ids = array_ops.dynamic_partition(new_ids, p_assignments, n)
        pindices = array_ops.dynamic_partition(original_indices, p_assignments, n)
        partitioned = []
        for p in range(n):
            with g.device(None), g.colocate_with(params[p]._op):
                partitioned.append(array_ops.gather(params[p], gather_ids[p]))
        ret = array_ops.parallel_dynamic_stitch(pindices, partitioned, name=scope)
        element_shape_s = params[0].shape[1:]
        for p in params[1:]:
            element_shape_s = element_shape_s.merge_with(p.shape[1:])
        if element_shape_s.is_fully_defined():
            element_shape_d = element_shape_s.as_list()
        else:
            with g.colocate_with(params[0]._op):
                params_shape = array_ops.shape(params[0])
            element_shape_d = params_shape[1:]
        ret = array_ops.reshape(ret, array_ops.concat([array_ops.shape(ids), element_shape_d], 0))
        ret.set_shape(ids.shape.concatenate(element_shape_s))
        return clip(ret, ids)


__all__ += [
    "batch_normalization",
    "dropout",
    "embedding_lookup",
    "fused_batch_norm",
    "in_top_k",
    "l2_loss",
    "l2_normalize",
    "local_response_normalization",
    "lrn",
    "moments",
    "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "sparse_softmax_cross_entropy_with_logits",
    "top_k",
    "weighted_cross_entropy_with_logits",
    "xw_plus_b",
]


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def in_top_k_v2(targets, predictions, k, name=None):
    """TF2's `tf.math.in_top_k`: targets first."""
    return in_top_k(predictions, targets, k, name=name)


def softmax_v2(logits, axis=None, name=None):
    """TF2's `tf.nn.softmax` (no `dim`)."""
    return softmax(logits, axis=axis, name=name)


def log_softmax_v2(logits, axis=None, name=None):
    """TF2's `tf.nn.log_softmax` (no `dim`)."""
    return log_softmax(logits, axis=axis, name=name)


def embedding_lookup_v2(params, ids, max_norm=None, name=None):
    """TF2's `tf.nn.embedding_lookup`: sharded params are split "div"-wise."""
    return embedding_lookup(params, ids, "div", name=name, max_norm=max_norm)


def moments_v2(x, axes, shift=None, keepdims=False, name=None):
    """TF2's `tf.nn.moments` (keepdims=False, before `name`)."""
    return moments(x, axes, shift=shift, name=name, keepdims=keepdims)


def softmax_cross_entropy_with_logits_tf2(labels, logits, axis=-1, name=None):
    """TF2's `tf.nn.softmax_cross_entropy_with_logits`: gradients flow into labels too
    (TF1's `softmax_cross_entropy_with_logits_v2`)."""
    return softmax_cross_entropy_with_logits_v2(labels, logits, axis=axis, name=name)


def sparse_softmax_cross_entropy_with_logits_v2(labels, logits, name=None):
    """TF2's `tf.nn.sparse_softmax_cross_entropy_with_logits` (labels, logits required)."""
    return sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name=name)


def weighted_cross_entropy_with_logits_v2(labels, logits, pos_weight, name=None):
    """TF2's `tf.nn.weighted_cross_entropy_with_logits` (no `targets`)."""
    return weighted_cross_entropy_with_logits(
        labels=labels, logits=logits, pos_weight=pos_weight, name=name
    )
