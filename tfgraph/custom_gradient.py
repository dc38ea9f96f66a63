"""`tf.custom_gradient` in graph mode as TF1 builds it: the function's results and its
inputs pass through one IdentityN op whose gradient is overridden (a gradient
registered as "CustomGradient-<uid>" calling the user's gradient function)."""

from __future__ import annotations

import functools
import inspect
import itertools

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.gradients import RegisterGradient
from tfgraph.ops import array_ops

__all__ = ["custom_gradient", "grad_pass_through", "hessians", "recompute_grad"]

_uids = itertools.count(1)


def _flatten(value) -> list:
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flatten(v)]
    return [value]


def _pack_like(structure, flat: list):
    it = iter(flat)

    def pack(s):
        if isinstance(s, (list, tuple)):
            return type(s)(pack(v) for v in s)
        return next(it)

    return pack(structure)


def custom_gradient(f=None):
    """Decorates `f(*args) -> (result, grad_fn)`: `result` is used forward, and
    `grad_fn(*result_grads)` gives the gradients of `args` (graph mode; functions that
    read variables and want their gradients are not supported)."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if kwargs:
            raise ValueError(
                "The custom_gradient decorator currently supports keywords arguments only "
                "when eager execution is enabled."
            )
        args = [convert_to_tensor(a) for a in args]
        result, grad_fn = f(*args)
        spec = inspect.getfullargspec(grad_fn)
        if "variables" in spec.args or "variables" in spec.kwonlyargs:
            raise NotImplementedError(
                "tfgraph's custom_gradient does not pass `variables` to the gradient function"
            )
        flat_result = [convert_to_tensor(t) for t in _flatten(result)]
        for t in flat_result:
            array_ops.identity(t)  # TF builds (and leaves unused) one Identity per result
        n_results = len(flat_result)

        def actual_grad_fn(op, *result_grads):
            input_grads = grad_fn(*result_grads[:n_results])
            input_grads = (
                list(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
            )
            if len(input_grads) != len(args):
                raise ValueError(
                    f"custom_gradient function expected to return {len(args)} gradients, but "
                    f"returned {len(input_grads)} instead."
                )
            return [None] * n_results + input_grads

        name = f"CustomGradient-{next(_uids)}"
        RegisterGradient(name)(actual_grad_fn)
        with get_default_graph().gradient_override_map({"IdentityN": name}):
            outputs = array_ops.identity_n(flat_result + args)
        return _pack_like(result, outputs[:n_results])

    return decorated


def recompute_grad(f):
    """TF's `tf.recompute_grad(f)`: `f` whose activations would be recomputed in the
    backward pass to save memory. tfgraph keeps every value of a run anyway, so this
    returns `f` unchanged in behaviour: the same values and gradients."""

    @functools.wraps(f)
    def inner(*args, **kwargs):
        return f(*args, **kwargs)

    return inner


def hessians(
    ys,
    xs,
    name: str = "hessians",
    colocate_gradients_with_ops: bool = False,
    gate_gradients: bool = False,
    aggregation_method=None,
):
    """The Hessian of `sum(ys)` with respect to each of `xs`: for x of shape S, a tensor
    of shape S + S. TF builds a while loop over the gradient's elements; tfgraph unrolls
    it (one gradient per element), so each x must have a fully known shape."""
    from tfgraph.gradients import gradients

    del colocate_gradients_with_ops, gate_gradients
    xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    out: list = []
    with get_default_graph().name_scope(name):
        for i, x in enumerate(xs):
            dims = x.shape.as_list() if x.shape.ndims is not None else None
            if dims is None or None in dims:
                raise ValueError(
                    f"tfgraph's hessians needs a fully known shape for xs[{i}] "
                    f"({x.name} has shape {x.shape})"
                )
            (grad,) = gradients(ys, x, aggregation_method=aggregation_method)
            if grad is None:
                out.append(None)
                continue
            flat = array_ops.reshape(grad, [-1])
            n = 1
            for d in dims:
                n *= d
            rows = []
            for k in range(n):
                (row,) = gradients(flat[k], x, aggregation_method=aggregation_method)
                rows.append(array_ops.zeros_like(x) if row is None else row)
            out.append(array_ops.reshape(array_ops.stack(rows), dims + dims))
    return out


def grad_pass_through(f):
    """`f` with an identity gradient: the gradients of its results pass to its arguments
    unchanged (e.g. through an assignment, which has no gradient of its own)."""

    @custom_gradient
    def _grad_pass_through_op(*args, **kwargs):
        def grad(*args, **kwargs):
            variables = kwargs.get("variables")
            if variables is not None:
                return args, [None] * len(variables)
            return args

        return f(*args, **kwargs), grad

    return functools.wraps(f)(_grad_pass_through_op)


def hessians_v2(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """TF2's `tf.hessians` (name last, no colocate_gradients_with_ops)."""
    return hessians(
        ys, xs, name=name, gate_gradients=gate_gradients, aggregation_method=aggregation_method
    )
