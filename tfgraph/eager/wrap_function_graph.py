"""`wrap_function` in TF1 graph mode: the traced function joins the default graph's
function library and each call adds a `StatefulPartitionedCall` op running it.

The trace happens in a function graph that captures the outer tensors it uses (the
lifted variables' handles among them): they become extra arguments of the function and
extra inputs of every call op, as in TF.
"""

from __future__ import annotations

import itertools

from tfgraph.framework import function_library, nest
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Operation, Tensor

__all__ = ["GraphWrappedFunction", "trace_graph"]

_counter = itertools.count(1)


def trace_graph(fn, signature, name: str, trace):
    """Traces `fn` (with `trace`, wrap_function's) into a function of the default
    graph's library; returns GraphWrappedFunction's arguments."""
    from tfgraph.data.function import FuncGraph
    from tfgraph.data.function_def import function_defs

    outer = get_default_graph()
    fname = f"__inference_{name}_{next(_counter)}"
    graph = FuncGraph(outer, fname)
    placeholders, outputs, variables = trace(fn, signature, graph, outer)
    flat = []
    for o in nest.flatten(outputs):
        if isinstance(o, Tensor):
            flat.append(graph.capture(o) if o._op._graph is not graph else o)
    ops = [o for o in nest.flatten(outputs) if isinstance(o, Operation)]
    captured = list(graph.captures)
    args = placeholders + [graph.captures[t] for t in captured]
    fdefs = function_defs(fname, graph._nodes, args, flat)
    fdef = fdefs[0]
    for i, t in enumerate(args):
        shapes = fdef.arg_attr[i].attr["_output_shapes"]
        shapes.list.shape.add().CopyFrom(t.shape.as_proto())
    for op in ops:
        fdef.signature.control_output.append(op.name)
        fdef.control_ret[op.name] = op.name
    library = outer._functions
    for f in fdefs:
        if f.signature.name not in library:
            library[f.signature.name] = function_library.GraphFunction(f, library)
    return library[fname], graph, placeholders, outputs, captured, variables, signature, name


class GraphWrappedFunction:
    """A `wrap_function` result in graph mode: calling it adds a call op."""

    def __init__(
        self, function, graph, placeholders, outputs, captured, variables, signature, name
    ) -> None:
        self._function = function
        self.graph = graph
        self._placeholders = placeholders
        self._structured_outputs = outputs
        self._captured = captured
        self._variables = variables
        self._signature = signature
        self._name = name

    @property
    def name(self) -> str:
        return str(self._function)

    @property
    def variables(self) -> list:
        return list(self._variables)

    @property
    def trainable_variables(self) -> list:
        return [v for v in self._variables if getattr(v, "trainable", True)]

    @property
    def inputs(self) -> list:
        return list(self._placeholders) + [self.graph.captures[t] for t in self._captured]

    @property
    def captured_inputs(self) -> list:
        return list(self._captured)

    @property
    def outputs(self) -> list:
        return [o for o in nest.flatten(self._structured_outputs) if isinstance(o, Tensor)]

    @property
    def structured_outputs(self):
        return self._structured_outputs

    @property
    def structured_input_signature(self):
        return (tuple(self._signature), {})

    def __call__(self, *args):
        from tfgraph.framework.convert import convert_to_tensor
        from tfgraph.ops.apply import apply_op

        if len(args) != len(self._placeholders):
            raise TypeError(
                f"{self._name} takes {len(self._placeholders)} positional tensor "
                f"argument(s) (its signature), got {len(args)}"
            )
        inputs = [
            convert_to_tensor(a, dtype=ph.dtype._base) for a, ph in zip(args, self._placeholders)
        ]
        inputs += self._captured
        fdef = self._function.fdef
        tout = [o.type for o in fdef.signature.output_arg]
        from tfgraph.framework import dtypes

        op = apply_op(
            "StatefulPartitionedCall",
            None,
            [inputs],
            {
                "Tin": [t.dtype._base for t in inputs],
                "Tout": [dtypes.as_dtype(t) for t in tout],
                "f": self._function,
            },
        )
        it = iter(op.outputs)

        def rebuild(o):
            if isinstance(o, Tensor):
                return next(it)
            return op if isinstance(o, Operation) else o

        return nest.map_structure(rebuild, self._structured_outputs)
