"""Gradients of function calls and functional conditionals (`PartitionedCall`,
`StatefulPartitionedCall`, `If`, `StatelessIf`, `Case`, `StatelessCase`).

As TF's `_IfGrad`/`_CaseGrad`, the gradient of an op calling function(s) is the same
kind of op calling gradient functions: each branch's body is instantiated afresh, the
incoming gradients become extra arguments, `tf.gradients` of the body's results with
respect to its arguments is taken inside, and the result is written as a FunctionDef
into the graph's library. A gradient function recomputes the forward body it needs
(TF instead returns the forward intermediates from the forward op). Every branch returns
a gradient for the same arguments: zeros where a branch does not depend on one (for a
captured resource variable, zeros shaped like its value). Arguments no branch
differentiates get no gradient.
"""

from __future__ import annotations

from tfgraph.framework import dtypes, function_library

__all__ = ["call_grad", "case_grad", "if_grad"]


def _function(op, fn):
    if not isinstance(fn, function_library.GraphFunction):
        raise LookupError(
            f"No gradient for {op.type} op {op.name}: function {str(fn)!r} is not in the "
            "graph's function library"
        )
    return fn


def _branch_grads(fn, outer_outputs, grad_idx: list[int]):
    """(body, dy placeholders, input gradients or None) of a fresh instance of `fn`."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.indexed_slices import IndexedSlices
    from tfgraph.gradients import gradients
    from tfgraph.ops.array_ops import placeholder

    body = function_library._instantiate(fn, fn.call_attrs)
    with body.graph.as_default():
        dys = [
            placeholder(outer_outputs[k].dtype._base, outer_outputs[k].shape, name=f"dy_{k}")
            for k in grad_idx
        ]
        grads = gradients(
            [body.outputs[k] for k in grad_idx], body.inputs, grad_ys=dys, name="grad"
        )
        grads = [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g for g in grads]
    return body, dys, grads


def _zeros_for(body, i: int, dtype):
    from tfgraph.ops.array_ops import zeros_like
    from tfgraph.ops.resource_variable_ops import read_variable_op

    x = body.inputs[i]
    with body.graph.as_default():
        if x.dtype._base is dtypes.resource:
            return zeros_like(read_variable_op(x, dtype))
        return zeros_like(x)


def _unique_name(library: dict, base: str) -> str:
    name, k = base, 1
    while name in library:
        k += 1
        name = f"{base}_{k}"
    return name


def _grad_functions(op, fns: list, out_grads, skip: int):
    """Gradient functions for `fns` (the op's branches; its first `skip` inputs are not
    arguments). Returns (functions, differentiated argument indices, their dtypes,
    dy tensors passed in)."""
    from tfgraph.data.function_def import function_defs

    grad_idx = [k for k, g in enumerate(out_grads) if g is not None]
    branches = [_branch_grads(fn, op.outputs, grad_idx) for fn in fns]
    n_args = len(op.inputs) - skip
    diff, types = [], []
    for i in range(n_args):
        found = [grads[i] for _, _, grads in branches if grads[i] is not None]
        if found:
            diff.append(i)
            types.append(found[0].dtype._base)
    library = op.graph._functions
    out = []
    for fn, (body, dys, grads) in zip(fns, branches):
        results = [
            grads[i] if grads[i] is not None else _zeros_for(body, i, t)
            for i, t in zip(diff, types)
        ]
        name = _unique_name(library, f"{fn}_grad")
        fdefs = function_defs(name, body.graph._nodes, body.inputs + dys, results)
        for fdef in fdefs:
            if fdef.signature.name not in library:
                library[fdef.signature.name] = function_library.GraphFunction(fdef, library)
        out.append(library[name])
    return out, diff, types, [out_grads[k] for k in grad_idx]


def _finish(op, grad_op, diff: list[int], skip: int) -> list:
    result: list = [None] * len(op.inputs)
    for k, i in enumerate(diff):
        result[skip + i] = grad_op.outputs[k]
    return result


def _apply(op_type: str, inputs: list, attrs: dict):
    from tfgraph.ops.apply import apply_op

    return apply_op(op_type, None, inputs, attrs)


def call_grad(op, *out_grads):
    """PartitionedCall / StatefulPartitionedCall: a PartitionedCall of f's gradient."""
    fn = _function(op, op._attrs["f"])
    (gfn,), diff, types, dys = _grad_functions(op, [fn], out_grads, 0)
    if not diff:
        return [None] * len(op.inputs)
    args = list(op.inputs) + dys
    grad_op = _apply(
        "PartitionedCall",
        [args],
        {"Tin": [t.dtype._base for t in args], "Tout": types, "f": gfn},
    )
    return _finish(op, grad_op, diff, 0)


def if_grad(op, *out_grads):
    """If / StatelessIf: the same op over both branches' gradient functions."""
    fns = [_function(op, op._attrs[a]) for a in ("then_branch", "else_branch")]
    (then_fn, else_fn), diff, types, dys = _grad_functions(op, fns, out_grads, 1)
    if not diff:
        return [None] * len(op.inputs)
    args = list(op.inputs[1:]) + dys
    grad_op = _apply(
        op.type,
        [op.inputs[0], args],
        {
            "Tcond": op.inputs[0].dtype._base,
            "Tin": [t.dtype._base for t in args],
            "Tout": types,
            "then_branch": then_fn,
            "else_branch": else_fn,
        },
    )
    return _finish(op, grad_op, diff, 1)


def case_grad(op, *out_grads):
    """Case / StatelessCase: the same op over every branch's gradient function."""
    fns = [_function(op, fn) for fn in op._attrs["branches"]]
    grad_fns, diff, types, dys = _grad_functions(op, fns, out_grads, 1)
    if not diff:
        return [None] * len(op.inputs)
    args = list(op.inputs[1:]) + dys
    grad_op = _apply(
        op.type,
        [op.inputs[0], args],
        {"Tin": [t.dtype._base for t in args], "Tout": types, "branches": grad_fns},
    )
    return _finish(op, grad_op, diff, 1)
