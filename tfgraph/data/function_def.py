"""Dataset functions as `FunctionDef`s for the GraphDef's library, so TensorFlow can
import and run exported input pipelines.

A body op's input is written as TF's function bodies write it: an argument by its
name, another op's output as `op:output_arg:index`."""

from __future__ import annotations

from tfgraph import proto
from tfgraph.framework import node_def

__all__ = ["function_defs"]


def _output_ref(t, args: dict) -> str:
    name = args.get(t)
    if name is not None:
        return name
    op = t._op
    index = t._value_index
    for arg in op._op_def.outputs:
        if arg.number_attr is not None:
            count = op._attrs.get(arg.number_attr, 1)
        elif arg.type_list_attr is not None:
            count = len(op._attrs.get(arg.type_list_attr, ()))
        else:
            count = 1
        if index < count:
            return f"{op._name}:{arg.name}:{index}"
        index -= count
    raise ValueError(f"{t.name} is no output of {op._name}")


def _attr_functions(op) -> list:
    return [v for v in op._attrs.values() if callable(getattr(v, "function_defs", None))]


def function_defs(name: str, ops, arg_tensors, outputs) -> list:
    """The FunctionDef `name` (arguments `arg_tensors`, body `ops`, returning `outputs`)
    followed by those of the functions its body names."""
    fdef = proto.FunctionDef()
    fdef.signature.name = name
    args = {}
    for t in arg_tensors:
        arg = fdef.signature.input_arg.add()
        arg.name = t._op._name
        arg.type = t.dtype._base.as_datatype_enum
        args[t] = arg.name
    arg_ops = {t._op for t in arg_tensors}
    nested: list = []
    for op in ops:
        if op in arg_ops:
            continue
        nd = node_def.to_node_def(op)
        del nd.input[:]
        nd.input.extend(_output_ref(t, args) for t in op._inputs)
        nd.input.extend("^" + c._name for c in op._control_inputs if c not in arg_ops)
        fdef.node_def.append(nd)
        for fn in _attr_functions(op):
            nested.extend(fn.function_defs())
    for i, t in enumerate(outputs):
        arg = fdef.signature.output_arg.add()
        arg.name = f"output_{i}"
        arg.type = t.dtype._base.as_datatype_enum
        fdef.ret[arg.name] = _output_ref(t, args)
    return [fdef, *nested]


def ancestors(tensor) -> list:
    """The ops `tensor` depends on (data and control edges), in graph order."""
    seen, stack = set(), [tensor._op]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t._op for t in op._inputs)
        stack.extend(op._control_inputs)
    return sorted(seen, key=lambda op: op._id)
