"""Einsum: tf.einsum / tf.linalg.einsum as TF1 builds it (one `Einsum` op under an
`einsum` name scope, implicit outputs made explicit) and its gradient as TF computes it
(contractions with the other operand, then un-reducing and un-broadcasting)."""

from __future__ import annotations

import re

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output

__all__ = ["einsum"]

_ELLIPSIS = "..."
_LABELS = re.compile(r"^([a-zA-Z]|\.\.\.)*$")


def _split_equation(equation: str, n_inputs: int | None = None) -> tuple[list[str], str]:
    """(input subscripts, output subscripts) of an explicit equation; ValueError as TF."""
    equation = equation.replace(" ", "")
    if "->" not in equation:
        raise ValueError(f"Invalid Einsum equation {equation!r}: no '->'")
    lhs, out = equation.split("->", 1)
    ins = lhs.split(",")
    for subs in [*ins, out]:
        if not _LABELS.match(subs) or subs.count(_ELLIPSIS) > 1:
            raise ValueError(f"Invalid Einsum subscripts {subs!r} in equation {equation!r}")
    if n_inputs is not None and len(ins) != n_inputs:
        raise ValueError(f'Got {n_inputs} inputs for equation "{equation}", expecting {len(ins)}')
    if len(ins) > 2:
        raise ValueError(f"Einsum takes one or two inputs, got {len(ins)}: {equation!r}")
    present = set("".join(ins))
    for label in out.replace(_ELLIPSIS, ""):
        if label not in present:
            raise ValueError(
                f"Output subscripts contain the label {label} not present in the input subscripts."
            )
    return ins, out


def _labels_and_ellipsis(subs: str, dims: tuple) -> tuple[list[str], tuple]:
    """The per-axis labels of an operand of rank len(dims) (the ellipsis axes get
    labels '0', '1', ... from the right) and the dims the ellipsis covers."""
    if _ELLIPSIS not in subs:
        return list(subs), ()
    left, right = subs.split(_ELLIPSIS)
    n = len(dims) - len(left) - len(right)
    return [*left, *(str(n - 1 - i) for i in range(n)), *right], dims[len(left) : len(left) + n]


def _einsum_shape(op):
    equation = op._attrs["equation"]
    equation = equation.decode() if isinstance(equation, bytes) else equation
    ins, out = _split_equation(equation, len(op._inputs))
    shapes = [t._shape._dims for t in op._inputs]
    if any(s is None for s in shapes):
        return [TensorShape(None)]
    sizes: dict[str, int | None] = {}
    ellipsis_dims: tuple = ()
    for subs, dims in zip(ins, shapes):
        n_named = len(subs.replace(_ELLIPSIS, ""))
        if len(dims) < n_named or (_ELLIPSIS not in subs and len(dims) != n_named):
            raise ValueError(
                f"Input to einsum has rank {len(dims)} but the subscripts {subs!r} of "
                f"equation {equation!r} need {'at least ' if _ELLIPSIS in subs else ''}"
                f"{n_named} for '{op._name}' (op: 'Einsum')"
            )
        labels, ell = _labels_and_ellipsis(subs, dims)
        for label, d in zip(labels, dims):
            if label.isdigit():
                continue
            known = sizes.get(label)
            if known is not None and d is not None and known != d:
                raise ValueError(
                    f"Dimensions must be equal, but are {known} and {d} for '{op._name}' "
                    "(op: 'Einsum') with input shapes: " + ", ".join(_fmt(s) for s in shapes) + "."
                )
            if known is None:
                sizes[label] = d
        ellipsis_dims = _broadcast(ellipsis_dims, ell, op, shapes)
    dims_out: list = []
    for part in re.findall(r"\.\.\.|[a-zA-Z]", out):
        if part == _ELLIPSIS:
            dims_out.extend(ellipsis_dims)
        else:
            dims_out.append(sizes[part])
    return [TensorShape(dims_out)]


def _broadcast(a: tuple, b: tuple, op, shapes) -> tuple:
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == 1 or (x is None and y != 1):
            out.append(y)
        elif y == 1 or y is None or x == y:
            out.append(x)
        else:
            raise ValueError(
                f"Dimensions must be equal, but are {x} and {y} for '{op._name}' "
                "(op: 'Einsum') with input shapes: " + ", ".join(_fmt(s) for s in shapes) + "."
            )
    return tuple(out)


def _fmt(dims) -> str:
    if dims is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _runtime_error(op, ins: list[str], xs) -> errors.InvalidArgumentError:
    """TF's message for operands whose dimensions disagree with the equation."""
    sizes: dict[str, tuple[int, int]] = {}
    for i, (subs, x) in enumerate(zip(ins, xs)):
        dims = np.shape(x)
        n_named = len(subs.replace(_ELLIPSIS, ""))
        if len(dims) < n_named or (_ELLIPSIS not in subs and len(dims) != n_named):
            return errors.InvalidArgumentError(
                None,
                op,
                f"Input {i} to einsum has rank {len(dims)} but the subscripts {subs!r} "
                f"need {n_named}",
            )
        labels, _ = _labels_and_ellipsis(subs, dims)
        for axis, (label, d) in enumerate(zip(labels, dims)):
            if label.isdigit():
                continue
            if label in sizes and sizes[label][0] != d:
                return errors.InvalidArgumentError(
                    None,
                    op,
                    f"Expected dimension {sizes[label][0]} at axis {axis} of the input shaped "
                    f"{_fmt(dims)} but got dimension {d}",
                )
            sizes.setdefault(label, (d, axis))
    return errors.InvalidArgumentError(
        None, op, "Incompatible shapes for einsum: " + ", ".join(_fmt(np.shape(x)) for x in xs)
    )


def _einsum_kernel(op, ctx):
    equation = op._attrs["equation"]
    equation = equation.decode() if isinstance(equation, bytes) else equation
    ins, _ = _split_equation(equation)
    out_dtype = op._outputs[0].dtype.as_numpy_dtype

    lhs, out = equation.replace(" ", "").split("->")
    named = out.replace(_ELLIPSIS, "")
    if len(set(named)) == len(named):

        def kernel(*xs):
            try:
                return np.asarray(np.einsum(equation, *xs), dtype=out_dtype)
            except ValueError:
                raise _runtime_error(op, ins, xs) from None

        return kernel

    # A label repeated in the output (the gradient of a diagonal, "i->ii"): the values
    # go on the diagonal of a zero tensor, written through einsum's diagonal view.
    unique = _ELLIPSIS if out.startswith(_ELLIPSIS) else ""
    unique += "".join(dict.fromkeys(named))

    def diagonal_kernel(*xs):
        try:
            values = np.einsum(f"{lhs}->{unique}", *xs)
        except ValueError:
            raise _runtime_error(op, ins, xs) from None
        n_unique = len(set(named))
        size = dict(zip(unique.replace(_ELLIPSIS, ""), np.shape(values)[-n_unique:]))
        lead = np.shape(values)[: np.ndim(values) - n_unique]
        result = np.zeros(lead + tuple(size[c] for c in named), dtype=out_dtype)
        np.einsum(f"{out}->{unique}", result)[...] = values
        return result

    return diagonal_kernel


# -- gradient ------------------------------------------------------------------------------
def _axis_of(subs: str, label: str):
    """The axis of `label` in `subs`: from the left before an ellipsis, negative after."""
    parts = subs.split(_ELLIPSIS)
    i = parts[0].find(label)
    if i != -1:
        return i
    if len(parts) < 2:
        return None
    i = parts[1].find(label)
    return None if i == -1 else i - len(parts[1])


def _ellipsis_span(subs: str) -> tuple[int, int | None]:
    start = subs.find(_ELLIPSIS)
    if start == -1:
        return 0, 0
    rest = len(subs) - (start + len(_ELLIPSIS))
    return start, (-rest if rest > 0 else None)


def _grad_reduced(output_grad, output_subs, input_subs, input_shape, reduced_labels):
    """The gradient of a one-operand einsum that sums the labels `reduced_labels` out."""
    reduced_subs = "".join(sorted(reduced_labels))
    reduced_axes = [_axis_of(input_subs, s) for s in reduced_subs]
    repeated = len(set(input_subs)) + len(set(output_subs)) < len(input_subs) + len(output_subs)
    kept_subs = "".join(s for s in input_subs if s not in reduced_labels)
    reduced_dims = array_ops.stack([input_shape[ax] for ax in reduced_axes])
    if not repeated and kept_subs == output_subs:
        shape = math_ops.reduced_shape(input_shape, convert_to_tensor(reduced_axes))
        return array_ops.broadcast_to(array_ops.reshape(output_grad, shape), input_shape)
    grad_shape = array_ops.concat([reduced_dims, array_ops.shape(output_grad)], axis=0)
    keep_shape = array_ops.concat(
        [array_ops.ones(len(reduced_labels), dtype=dtypes.int32), array_ops.shape(output_grad)],
        axis=0,
    )
    broadcast = array_ops.broadcast_to(array_ops.reshape(output_grad, keep_shape), grad_shape)
    return _einsum_op([broadcast], f"{reduced_subs + output_subs}->{input_subs}")


def _grad_wrt(output_grad, other, input_shape, input_subs, other_subs, output_subs):
    reduced = set(input_subs).difference(set(output_subs + other_subs + "."))
    left_subs = "".join(s for s in input_subs if s not in reduced)
    grad = _einsum_op([output_grad, other], f"{output_subs},{other_subs}->{left_subs}")
    if not reduced:
        return grad
    return _grad_reduced(grad, left_subs, input_subs, input_shape, reduced)


def _einsum_grad(op, grad):
    equation = op._attrs["equation"]
    equation = equation.decode() if isinstance(equation, bytes) else equation
    input_subs, output_subs = equation.split("->")
    if len(op._inputs) == 1:
        input_shape = array_ops.shape(op._inputs[0])
        reduced = set(input_subs).difference(set(output_subs + _ELLIPSIS))
        if not reduced:
            return _einsum_op([grad], f"{output_subs}->{input_subs}")
        return _grad_reduced(grad, output_subs, input_subs, input_shape, reduced)
    x_subs, y_subs = input_subs.split(",")
    if _ELLIPSIS in output_subs:
        x_subs += "" if _ELLIPSIS in x_subs else _ELLIPSIS
        y_subs += "" if _ELLIPSIS in y_subs else _ELLIPSIS
    x, y = op._inputs
    if grad.dtype.is_complex:
        x, y = math_ops.conj(x), math_ops.conj(y)
    x_shape = array_ops.shape(x)
    y_shape = array_ops.shape(y)
    grad_x = _grad_wrt(grad, y, x_shape, x_subs, y_subs, output_subs)
    grad_y = _grad_wrt(grad, x, y_shape, y_subs, x_subs, output_subs)
    if _ELLIPSIS not in output_subs:
        return grad_x, grad_y
    bx_start, bx_end = _ellipsis_span(x_subs)
    by_start, by_end = _ellipsis_span(y_subs)
    xs, ys = x._shape, y._shape
    if (
        xs.is_fully_defined()
        and ys.is_fully_defined()
        and xs._dims[bx_start:bx_end] == ys._dims[by_start:by_end]
    ):
        return grad_x, grad_y
    rx, ry = array_ops.broadcast_gradient_args(x_shape[bx_start:bx_end], y_shape[by_start:by_end])
    grad_x = array_ops.reshape(math_ops.reduce_sum(grad_x, bx_start + rx), x_shape)
    grad_y = array_ops.reshape(math_ops.reduce_sum(grad_y, by_start + ry), y_shape)
    return grad_x, grad_y


register_op(
    "Einsum",
    inputs=["inputs: N * T"],
    outputs=["output: T"],
    attrs=["equation: string", "N: int >= 1", "T: type"],
    shape=_einsum_shape,
    make_kernel=_einsum_kernel,
    grad=_einsum_grad,
)


def _einsum_op(inputs, equation: str, name=None) -> Tensor:
    return op_output("Einsum", name, [list(inputs)], {"equation": equation.encode()})


def _explicit(equation: str) -> str:
    """An implicit-mode equation made explicit: the output lists the labels that appear
    once, in alphabetical order (after an ellipsis if the inputs have one)."""
    equation = equation.replace(" ", "")
    if "->" in equation:
        return equation
    labels = re.findall(r"[a-zA-Z]", equation)
    once = sorted(c for c in set(labels) if labels.count(c) == 1)
    return equation + "->" + (_ELLIPSIS if _ELLIPSIS in equation else "") + "".join(once)


def einsum(equation: str, *inputs, **kwargs) -> Tensor:
    """Tensor contraction over specified indices and outer product (numpy's einsum)."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(kwargs)}")
    with get_default_graph().name_scope(name or "einsum"):
        equation = _explicit(equation)
        _split_equation(equation, len(inputs))
        tensors = [convert_to_tensor(x, name="inputs") for x in inputs]
        return _einsum_op(tensors, equation)
