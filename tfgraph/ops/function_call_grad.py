"""Gradients of function calls, functional conditionals and while loops
(`PartitionedCall`, `StatefulPartitionedCall`, `If`, `StatelessIf`, `Case`,
`StatelessCase`, `While`, `StatelessWhile`).

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

__all__ = ["call_grad", "case_grad", "grad_of_call", "if_grad", "while_grad"]


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
    return grad_of_call(op, _function(op, op._attrs["f"]), out_grads)


def grad_of_call(op, fn, out_grads) -> list:
    """The input gradients of `op`, a call of library function `fn` (a PartitionedCall,
    or a node whose op type is the function's name)."""
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


# -- while loops -----------------------------------------------------------------------
_FLOATS = frozenset(
    {dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64}
    | {dtypes.complex64, dtypes.complex128}
)
_DIFFERENTIABLE = _FLOATS | {dtypes.variant}


def _make_function(library: dict, name: str, types: list, build):
    """A library function of arguments typed `types` whose results `build(args)`
    returns (built in a graph of its own, written as a FunctionDef)."""
    from tfgraph.data.function_def import function_defs
    from tfgraph.framework.graph import Graph
    from tfgraph.ops.array_ops import placeholder

    name = _unique_name(library, name)
    g = Graph()
    g._functions = library
    with g.as_default():
        args = [placeholder(t, None, name=f"arg_{i}") for i, t in enumerate(types)]
        outputs = build(args)
    for fdef in function_defs(name, g._nodes, args, outputs):
        if fdef.signature.name not in library:
            library[fdef.signature.name] = function_library.GraphFunction(fdef, library)
    return library[name]


def _call_fn(fn, inputs: list, tout: list) -> list:
    op = _apply(
        "PartitionedCall",
        [inputs],
        {"Tin": [t.dtype._base for t in inputs], "Tout": tout, "f": fn},
    )
    return list(op.outputs)


def _while(inputs: list, cond, body) -> list:
    op = _apply(
        "StatelessWhile",
        [inputs],
        {"T": [t.dtype._base for t in inputs], "cond": cond, "body": body},
    )
    return list(op.outputs)


def _vjp_function(library, base: str, body_fn, types: list, diff: list[int]):
    """vjp(L..., dD...) -> the gradients of body_fn's results `diff` with respect to its
    arguments `diff`, given those results' gradients dD."""
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.indexed_slices import IndexedSlices
    from tfgraph.gradients import gradients
    from tfgraph.ops.array_ops import zeros_like

    n = len(types)

    def build(args):
        outs = _call_fn(body_fn, args[:n], types)
        dys = args[n:]
        grads = gradients([outs[i] for i in diff], [args[i] for i in diff], grad_ys=dys)
        return [
            zeros_like(args[i])
            if g is None
            else (convert_to_tensor(g) if isinstance(g, IndexedSlices) else g)
            for i, g in zip(diff, grads)
        ]

    return _make_function(library, f"{base}_vjp", types + [types[i] for i in diff], build)


def while_grad(op, *out_grads):
    """While / StatelessWhile, by recomputation: count the forward iterations N, then
    for k = N-1 .. 0 recompute the loop state after k iterations from the initial
    values (an inner while loop) and apply the body's vector-Jacobian product. It needs
    no stored intermediates and takes O(N^2) body evaluations; a body with random
    ops would be recomputed with fresh draws."""
    from tfgraph.ops import math_ops
    from tfgraph.ops.array_ops import constant

    cond_fn = _function(op, op._attrs["cond"])
    body_fn = _function(op, op._attrs["body"])
    types = [dtypes.as_dtype(t)._base for t in op._attrs["T"]]
    n = len(types)
    # (a variant loop variable, a TensorList, carries its elements' gradients)
    diff = [i for i in range(n) if types[i] in _DIFFERENTIABLE and out_grads[i] is not None]
    if not diff:
        return [None] * n
    library = op.graph._functions
    base = op.name.replace("/", "_") + "_grad"
    i32 = dtypes.int32

    def count_cond(a):
        return _call_fn(cond_fn, a[1:], [dtypes.bool])

    def count_body(a):
        return [math_ops.add(a[0], 1), *_call_fn(body_fn, a[1:], types)]

    def rec_cond(a):
        return [math_ops.less(a[0], a[1])]

    def rec_body(a):
        return [math_ops.add(a[0], 1), a[1], *_call_fn(body_fn, a[2:], types)]

    count_c = _make_function(library, f"{base}_count_cond", [i32, *types], count_cond)
    count_b = _make_function(library, f"{base}_count_body", [i32, *types], count_body)
    rec_c = _make_function(library, f"{base}_recompute_cond", [i32, i32, *types], rec_cond)
    rec_b = _make_function(library, f"{base}_recompute_body", [i32, i32, *types], rec_body)
    vjp = _vjp_function(library, base, body_fn, types, diff)
    d_types = [types[i] for i in diff]

    def grad_cond(a):
        return [math_ops.greater(a[0], 0)]

    def grad_body(a):
        k, init, ds = a[0], a[1 : 1 + n], a[1 + n :]
        prev = math_ops.subtract(k, 1)
        state = _while([constant(0), prev, *init], rec_c, rec_b)[2:]
        return [prev, *init, *_call_fn(vjp, state + ds, d_types)]

    grad_c = _make_function(library, f"{base}_cond", [i32, *types, *d_types], grad_cond)
    grad_b = _make_function(library, f"{base}_body", [i32, *types, *d_types], grad_body)
    inputs = list(op.inputs)
    count = _while([constant(0), *inputs], count_c, count_b)[0]
    result = _while([count, *inputs, *[out_grads[i] for i in diff]], grad_c, grad_b)
    grads: list = [None] * n
    for k, i in enumerate(diff):
        grads[i] = result[1 + n + k]
    return grads


def gradient_body(fn):
    """(graph, feeds, fetches) computing `fn`'s input gradients from its inputs and one
    gradient per result (TF's SymbolicGradient): zeros for inputs nothing reaches."""
    from tfgraph.gradients import gradients
    from tfgraph.ops.array_ops import placeholder, zeros_like

    body = function_library._instantiate(fn, fn.call_attrs)
    with body.graph.as_default():
        dys = [placeholder(t.dtype._base, None, name=f"dy_{k}") for k, t in enumerate(body.outputs)]
        wanted = [k for k, t in enumerate(body.outputs) if t.dtype._base in _FLOATS]
        grads = gradients(
            [body.outputs[k] for k in wanted],
            body.inputs,
            grad_ys=[dys[k] for k in wanted],
            name="grad",
        )
        results = [zeros_like(x) if g is None else _dense(g) for x, g in zip(body.inputs, grads)]
    return body.graph, body.inputs + dys, results


def _dense(g):
    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.indexed_slices import IndexedSlices

    return convert_to_tensor(g) if isinstance(g, IndexedSlices) else g
