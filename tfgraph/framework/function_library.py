"""A graph's function library: the `FunctionDef`s of a GraphDef's `library`.

TF2-era graphs (tf.function, v2 `cond`/`while_loop`, `wrap_function`, many frozen
graphs) name functions in attrs: `PartitionedCall`'s `f`, `If`'s `then_branch`,
`While`'s `body`. Importing such a GraphDef stores each FunctionDef on the graph as a
`GraphFunction`: a `str` (the function's name, which NodeDefs export) that also carries
the FunctionDef and the library it belongs to. Exporting the graph writes the library
back unchanged.

Running a function instantiates its body: the FunctionDef becomes a small graph (one
Placeholder per argument, then the body's nodes, whose `node:output_arg:index` inputs
become `node:flat_index` and whose `$T` attr placeholders take the caller's attrs),
imported through the same registry as any GraphDef. Kernels bind it with
`make_runner(ctx)`, which builds the body's plan on first use with the session's
resources (`ctx.plan_for`): the plan and everything it holds belong to the session.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes, registry
from tfgraph.framework.tensor_shape import TensorShape

__all__ = ["FunctionBody", "GraphFunction", "add_functions"]


class FunctionBody:
    """An instantiated function: its graph, argument placeholders, return tensors and
    the ops its `control_ret` names (run for their effects)."""

    __slots__ = ("control_outputs", "graph", "inputs", "outputs")

    def __init__(self, graph, inputs: list, outputs: list, control_outputs: list) -> None:
        self.graph = graph
        self.inputs = inputs
        self.outputs = outputs
        self.control_outputs = control_outputs


class GraphFunction(str):
    """A library function: its name (what NodeDefs export) with its `FunctionDef` and
    the library (name -> GraphFunction) its body's calls are looked up in."""

    fdef: Any
    library: dict
    call_attrs: dict
    _bodies: dict
    _lock: Any
    _op_def: Any

    def __new__(cls, fdef, library: dict):
        self = super().__new__(cls, fdef.signature.name)
        self.fdef = fdef
        self.library = library
        self.call_attrs = {}
        self._bodies = {}
        self._lock = threading.Lock()
        self._op_def = None
        return self

    def with_attrs(self, attrs) -> GraphFunction:
        """This function as a caller names it with attrs (a NodeDef's `func.attr`: the
        values of the body's `$T` placeholders); it shares the instantiations."""
        from tfgraph import proto

        out = GraphFunction(self.fdef, self.library)
        for k, v in attrs.items():
            out.call_attrs[k] = proto.AttrValue()
            out.call_attrs[k].CopyFrom(v)
        out._bodies = self._bodies
        out._lock = self._lock
        return out

    @property
    def name(self) -> str:
        return str(self)

    @property
    def signature(self):
        return self.fdef.signature

    def function_defs(self) -> list:
        """This FunctionDef and those of the library functions its body calls."""
        out, seen, stack = [], set(), [self]
        while stack:
            fn = stack.pop()
            if str(fn) in seen:
                continue
            seen.add(str(fn))
            out.append(fn.fdef)
            for name in _called_names(fn.fdef):
                callee = self.library.get(name)
                if callee is not None:
                    stack.append(callee)
        return out

    def instantiate(self, attrs: dict | None = None) -> FunctionBody:
        """The body as a graph, its `$T` placeholders bound to `attrs` (name ->
        AttrValue); one graph per distinct attrs."""
        attrs = attrs or self.call_attrs
        key = tuple(sorted((k, v.SerializeToString()) for k, v in attrs.items()))
        with self._lock:
            body = self._bodies.get(key)
            if body is None:
                body = _instantiate(self, attrs)
                self._bodies[key] = body
        return body

    @property
    def op_def(self):
        """The OpDef of nodes whose op type is this function's name (graphs of TF1's
        `Defun`): its signature's arguments as inputs and outputs, its body as kernel.
        None for polymorphic functions (their types come from attrs)."""
        if self._op_def is None:
            self._op_def = _function_op_def(self)
        return self._op_def or None

    def make_runner(self, ctx, attrs: dict | None = None):
        """`run(*args) -> tuple of output values`, on the session's resources (`ctx`);
        the body's plan is built on first use."""
        body = self.instantiate(attrs)
        plan = None

        def run(*values):
            nonlocal plan
            if plan is None:
                plan = ctx.plan_for(body.graph, body.outputs, body.control_outputs, body.inputs)
            return tuple(_as_array(v) for v in plan.run(values))

        return run


def _function_op_def(fn: GraphFunction):
    sig = fn.signature
    args = list(sig.input_arg) + list(sig.output_arg)
    if any(a.type_attr or a.number_attr or a.type_list_attr for a in args):
        return False
    n_out = len(sig.output_arg)

    def make_kernel(node, ctx):
        run = fn.make_runner(ctx)
        if n_out == 1:
            return lambda *values: run(*values)[0]
        return run

    def grad(op, *out_grads):
        from tfgraph.ops.function_call_grad import grad_of_call

        return grad_of_call(op, fn, out_grads)

    def arg(a) -> str:
        return f"{a.name.replace('/', '_').replace(':', '_')}: {dtypes.as_dtype(a.type).name}"

    return registry.OpDef(
        str(fn),
        [arg(a) for a in sig.input_arg],
        [arg(a) for a in sig.output_arg],
        [],
        lambda node: output_shapes(fn),
        None,
        make_kernel,
        grad,
        True,
        False,
    )


def _as_array(value):
    if value.__class__ is np.ndarray or not isinstance(value, (np.generic, bytes, int, float)):
        return value
    return np.asarray(value)


def _called_names(fdef) -> list[str]:
    names = []
    for nd in fdef.node_def:
        names.append(nd.op)
        for av in nd.attr.values():
            which = av.WhichOneof("value")
            if which == "func":
                names.append(av.func.name)
            elif which == "list":
                names.extend(f.name for f in av.list.func)
    return names


def add_functions(graph, library) -> list[str]:
    """Stores the FunctionDefs of `library` (a FunctionDefLibrary) on `graph`; returns
    the names added. A name already defined differently is a ValueError, as in TF."""
    functions = graph._functions
    added: list[str] = []
    for fdef in library.function:
        name = fdef.signature.name
        existing = functions.get(name)
        if existing is not None:
            if existing.fdef.SerializeToString(deterministic=True) != fdef.SerializeToString(
                deterministic=True
            ):
                for n in added:
                    del functions[n]
                raise ValueError(
                    f"Cannot add function '{name}' because a different function with the "
                    "same name already exists."
                )
            continue
        if registry.lookup(name) is not None:
            for n in added:
                del functions[n]
            raise ValueError(
                f"Cannot add function '{name}' because an op with the same name already exists."
            )
        from tfgraph import proto

        copy = proto.FunctionDef()
        copy.CopyFrom(fdef)
        functions[name] = GraphFunction(copy, functions)
        added.append(name)
    return added


# -- instantiation ---------------------------------------------------------------------


def _arg_type(arg, attrs: dict, fn) -> dtypes.DType:
    if arg.number_attr or arg.type_list_attr:
        raise errors.UnimplementedError(
            None,
            None,
            f"function {fn}: argument {arg.name!r} is a list of tensors; tfgraph runs "
            "functions whose arguments and results are single tensors",
        )
    if arg.type_attr:
        av = attrs.get(arg.type_attr)
        if av is None:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"function {fn}: attr {arg.type_attr!r} of argument {arg.name!r} is not "
                "given by the caller",
            )
        return dtypes.as_dtype(av.type)
    return dtypes.as_dtype(arg.type)


def _substitute(nd, attrs: dict, fn) -> None:
    for key, av in nd.attr.items():
        if av.WhichOneof("value") == "placeholder":
            value = attrs.get(av.placeholder)
            if value is None:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"function {fn}: attr placeholder ${av.placeholder} of node {nd.name} "
                    "is not given by the caller",
                )
            nd.attr[key].CopyFrom(value)


def _attr_int(nd, op_def, name: str, kind: str) -> int:
    av = nd.attr.get(name)
    if av is not None:
        return av.i if kind == "i" else len(av.list.type)
    decl = op_def.attrs.get(name)
    default = decl.default if decl is not None and decl.has_default else None
    if default is None:
        return 1
    return int(default) if kind == "i" else len(default)


def _output_ranges(nd, library) -> dict[str, tuple[int, int]]:
    """Output arg name -> (first flat index, count) for body node `nd`."""
    callee = library.get(nd.op)
    if callee is not None:
        return {a.name: (k, 1) for k, a in enumerate(callee.signature.output_arg)}
    op_def = registry.lookup(nd.op)
    if op_def is None:
        raise errors.NotFoundError(
            None,
            None,
            f"Op type not registered '{nd.op}' in binary running on tfgraph (node "
            f"'{nd.name}' of a function body): tfgraph's op registry has no entry for it "
            "and the library defines no function of that name.",
        )
    out, start = {}, 0
    for arg in op_def.outputs:
        if arg.number_attr is not None:
            count = _attr_int(nd, op_def, arg.number_attr, "i")
        elif arg.type_list_attr is not None:
            count = _attr_int(nd, op_def, arg.type_list_attr, "list")
        else:
            count = 1
        out[arg.name] = (start, count)
        start += count
    return out


def _tensor_name(ref: str, ranges: dict, args: set, fn) -> str:
    if ref in args:
        return ref + ":0"
    parts = ref.split(":")
    if len(parts) == 3 and parts[0] in ranges:
        node, arg, index = parts
        span = ranges[node].get(arg)
        if span is not None and int(index) < span[1]:
            return f"{node}:{span[0] + int(index)}"
    if len(parts) == 1 and parts[0] in ranges:
        return ref + ":0"
    raise errors.InvalidArgumentError(
        None, None, f"function {fn}: input {ref!r} names no argument or node output of its body"
    )


def _call_node(nd, callee) -> None:
    """A body node calling library function `callee` as its op: a
    StatefulPartitionedCall (the node's own attrs bind the callee's `$T`s)."""
    from tfgraph import proto
    from tfgraph.framework import node_def

    call_attrs = {}
    for k, v in nd.attr.items():
        if not k.startswith("_"):
            call_attrs[k] = proto.AttrValue()
            call_attrs[k].CopyFrom(v)
    sig = callee.signature
    tin = [_arg_type(a, call_attrs, callee) for a in sig.input_arg]
    tout = [_arg_type(a, call_attrs, callee) for a in sig.output_arg]
    nd.op = "StatefulPartitionedCall"
    for k in call_attrs:
        del nd.attr[k]
    nd.attr["Tin"].CopyFrom(node_def.attr_value_from_python(tin, "list(type)"))
    nd.attr["Tout"].CopyFrom(node_def.attr_value_from_python(tout, "list(type)"))
    nd.attr["f"].func.name = str(callee)
    for k, v in call_attrs.items():
        nd.attr["f"].func.attr[k].CopyFrom(v)


def _arg_shape(fdef, i: int):
    arg_attr = fdef.arg_attr.get(i)
    if arg_attr is not None:
        shapes = arg_attr.attr.get("_output_shapes")
        if shapes is not None and len(shapes.list.shape) == 1:
            return shapes.list.shape[0]
    return None


def _body_graph_def(fn, attrs: dict):
    from tfgraph import proto

    fdef = fn.fdef
    gd = proto.GraphDef()
    args = set()
    for i, arg in enumerate(fdef.signature.input_arg):
        nd = gd.node.add(name=arg.name, op="Placeholder")
        nd.attr["dtype"].type = _arg_type(arg, attrs, fn).as_datatype_enum
        shape = _arg_shape(fdef, i)
        if shape is not None:
            nd.attr["shape"].shape.CopyFrom(shape)
        else:
            nd.attr["shape"].shape.unknown_rank = True
        args.add(arg.name)
    ranges = {}
    for src in fdef.node_def:
        nd = gd.node.add()
        nd.CopyFrom(src)
        _substitute(nd, attrs, fn)
        ranges[nd.name] = _output_ranges(nd, fn.library)
        callee = fn.library.get(nd.op)
        if callee is not None and registry.lookup(nd.op) is None:
            _call_node(nd, callee)
    for nd in gd.node[len(args) :]:
        inputs = [s if s.startswith("^") else _tensor_name(s, ranges, args, fn) for s in nd.input]
        del nd.input[:]
        nd.input.extend(inputs)
    return gd, args, ranges


def _instantiate(fn: GraphFunction, attrs: dict) -> FunctionBody:
    from tfgraph.framework.graph import Graph
    from tfgraph.framework.importer import import_graph_def

    gd, args, ranges = _body_graph_def(fn, attrs)
    g = Graph()
    g._functions = fn.library
    with g.as_default():
        import_graph_def(gd, name="")
    sig = fn.signature
    inputs = [g._nodes_by_name[a.name]._outputs[0] for a in sig.input_arg]
    outputs = []
    for a in sig.output_arg:
        ref = fn.fdef.ret.get(a.name)
        if ref is None:
            raise errors.InvalidArgumentError(
                None, None, f"function {fn}: no ret value for output {a.name!r}"
            )
        op_name, _, index = _tensor_name(ref, ranges, args, fn).rpartition(":")
        outputs.append(g._nodes_by_name[op_name]._outputs[int(index)])
    control = [g._nodes_by_name[n] for n in fn.fdef.control_ret.values()]
    return FunctionBody(g, inputs, outputs, control)


def output_shapes(fn, attrs: dict | None = None) -> list[TensorShape]:
    """The static shapes of `fn`'s results (unknown where its body cannot tell)."""
    try:
        return [t._shape for t in fn.instantiate(attrs).outputs]
    except Exception:  # (shapes are a hint; running reports the error)
        return [TensorShape(None) for _ in fn.signature.output_arg]
