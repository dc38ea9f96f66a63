"""Functions given to dataset transformations, traced once into their own graph.

TF traces `map`/`filter`/`flat_map`/`interleave` functions into a FunctionDef in the
graph's library and names it in the dataset op's `f` attr. Here the function is traced
into a `FuncGraph` (placeholders for the element's components, then the user's ops);
tensors of the outer graph the function uses are captured: a placeholder inside, the
outer tensor an `other_arguments` input of the dataset op. The attr holds a
`DatasetFunction`, a `str` (the function's name, as exported) that also carries the
traced graph; kernels bind it with `make_runner(ctx)`, which builds the function's
plan once (on first use) with the session's resources.
"""

from __future__ import annotations

import contextlib
import itertools

import numpy as np

from tfgraph.framework.graph import Graph, get_default_graph
from tfgraph.framework.ops import Tensor

__all__ = ["DatasetFunction", "FuncGraph"]

_counter = itertools.count(1)


class FuncGraph(Graph):
    """A graph a dataset function is traced into; outer tensors used in it are captured."""

    def __init__(self, outer: Graph, name: str) -> None:
        super().__init__()
        self._building_function = True
        self.outer = outer
        self.name = name
        self.captures: dict[Tensor, Tensor] = {}
        self.seed = outer.seed

    @contextlib.contextmanager
    def as_default(self):
        with super().as_default():
            Graph._functions_building += 1
            try:
                yield self
            finally:
                Graph._functions_building -= 1

    def capture(self, t: Tensor) -> Tensor:
        """The placeholder standing for outer tensor `t` inside this function."""
        if isinstance(self.outer, FuncGraph) and t._op._graph is not self.outer:
            t = self.outer.capture(t)
        inner = self.captures.get(t)
        if inner is None:
            from tfgraph.ops.array_ops import placeholder

            with self.as_default(), self.control_dependencies(None):
                inner = placeholder(t.dtype._base, t.shape, name=t._op._name.split("/")[-1])
            self.captures[t] = inner
        return inner

    def _create_op(self, op_type, inputs, attrs, name=None, control_inputs=None, **kwargs):
        for i, t in enumerate(inputs):
            if t.__class__ is Tensor and t._op._graph is not self:
                inputs[i] = self.capture(t)
        if control_inputs:
            control_inputs = [c for c in control_inputs if c._graph is self]
        return super()._create_op(op_type, inputs, attrs, name, control_inputs, **kwargs)


class DatasetFunction(str):
    """A traced function: its name (what NodeDefs export) with its graph and signature."""

    graph: FuncGraph
    inputs: list
    outputs: list
    structured_outputs: object
    captured: list

    def __new__(cls, name: str):
        return super().__new__(cls, name)

    def make_runner(self, ctx):
        """`run(*args, *captured_values) -> tuple of output values`, on the session's
        resources; the plan is built on first use."""
        from tfgraph.client.plan import ExecutionPlan, KernelContext

        graph, feeds, fetches = self.graph, self.inputs + self.placeholders, self.outputs
        plan = None

        def run(*values):
            nonlocal plan
            if plan is None:
                plan = ExecutionPlan(
                    graph, fetches, [], feeds, KernelContext(ctx.stores, ctx.config, graph)
                )
            return tuple(_as_array(v) for v in plan.run(values))

        return run

    def function_defs(self) -> list:
        """This function (and those its body names) as FunctionDefs."""
        from tfgraph.data.function_def import function_defs

        args = self.inputs + self.placeholders
        return function_defs(str(self), self.graph._nodes, args, self.outputs)

    @property
    def placeholders(self) -> list:
        return [self.graph.captures[t] for t in self.captured]


def _as_array(value):
    if value.__class__ is np.ndarray or not isinstance(value, (np.generic, bytes, int, float)):
        return value
    return np.asarray(value)


def trace(fn, kind: str, input_specs: list, pack, to_outputs, unpack_tuple: bool = True):
    """Traces `fn` on placeholders with `input_specs` (flat TensorSpecs), `pack` making
    the element structure from them and `to_outputs(result)` turning the result into
    (flat tensors, structure). Returns the DatasetFunction."""
    outer = get_default_graph()
    base = getattr(fn, "__name__", type(fn).__name__).replace("<", "").replace(">", "")
    name = f"__inference_Dataset_{kind}_{base}_{next(_counter)}"
    g = FuncGraph(outer, name)
    from tfgraph.ops.array_ops import placeholder

    with g.as_default():
        args = [
            placeholder(spec.dtype, spec.shape, name=f"args_{i}")
            for i, spec in enumerate(input_specs)
        ]
        element = pack(args)
        if unpack_tuple and isinstance(element, tuple) and not hasattr(element, "_fields"):
            result = fn(*element)
        else:
            result = fn(element)
        flat, structure = to_outputs(result)
        # An outer tensor returned as it is (not used by any op here) is captured too.
        flat = [
            g.capture(t) if isinstance(t, Tensor) and t._op._graph is not g else t for t in flat
        ]
    out = DatasetFunction(name)
    out.graph = g
    out.inputs = args
    out.outputs = flat
    out.structured_outputs = structure
    out.captured = list(g.captures)
    return out
