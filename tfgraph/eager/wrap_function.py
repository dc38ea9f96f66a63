"""`tf.compat.v1.wrap_function`: a TF1-style Python function traced once into a graph.

`wrap_function(fn, signature)` calls `fn` on placeholders made from `signature` (a list
of `TensorSpec`s) inside a graph of its own and returns a `WrappedFunction`: it has the
traced `.graph`, `.inputs` (the arguments' placeholders, then the captured tensors'),
`.outputs`, `.structured_outputs`, the `.variables` made while tracing, and calling it
runs the graph. Variables `fn` makes (`tf.get_variable`, `tf.Variable`) are lifted out
of the graph: they are resource variables created (and initialized, under eager
execution) outside it, and the graph reads them through captured handles.
`prune(feeds, fetches)` gives another function over the same graph that feeds
`feeds` (tensors or names) and returns `fetches` (any nesting of tensors, ops or names).
As in TF, there are no automatic control dependencies: an op runs only if what is
returned (or pruned to) needs it.

Under eager execution calls take and return eager tensors. In TF1 graph mode the
variables go into the default graph (in `tf.global_variables()`, initialized by the
usual initializer), the traced function into its function library, and a call adds a
`StatefulPartitionedCall` op running it, as TF does.
"""

from __future__ import annotations

import itertools

import numpy as np

from tfgraph.eager import context
from tfgraph.eager.function import (
    ConcreteFunction,
    FuncGraph,
    _output_tensor,
    _trace_state,
)
from tfgraph.framework import nest
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.tensor_spec import TensorSpec

__all__ = ["WrappedFunction", "wrap_function"]

_counter = itertools.count(1)


def _flat_specs(signature) -> list:
    specs = nest.flatten(signature)
    for s in specs:
        if not isinstance(s, TensorSpec):
            raise TypeError(
                f"wrap_function: every signature element must be a tf.TensorSpec; got {s!r}"
            )
    return specs


def _make_args(signature, specs: list) -> tuple[list, list]:
    """A placeholder per spec, named by the spec (else "Placeholder", as TF names them)."""
    from tfgraph.ops import array_ops

    placeholders = [array_ops.placeholder(s.dtype, s.shape, name=s.name) for s in specs]
    return placeholders, nest.pack_sequence_as(list(signature), placeholders)


class _Lifter:
    """A variable creator: records the variables made while tracing and makes them as
    resource variables outside the traced graph (in `outer`, or eagerly)."""

    def __init__(self, outer) -> None:
        self.outer = outer
        self.variables: list = []

    def __call__(self, next_creator, **kwargs):
        kwargs["use_resource"] = True
        if self.outer is None:
            v = next_creator(**kwargs)
        else:
            with self.outer.as_default():
                v = next_creator(**kwargs)
        self.variables.append(v)
        return v


class WrappedFunction(ConcreteFunction):
    """A function traced by `wrap_function`: its graph, and a callable running it."""

    def __init__(self, graph, arg_placeholders, outputs, variables, signature, name) -> None:
        self._fetch_ops = [o for o in nest.flatten(outputs) if isinstance(o, Operation)]
        super().__init__(graph, arg_placeholders, outputs, self._fetch_ops)
        self._variables = list(variables)
        self._signature = signature
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def variables(self) -> list:
        return list(self._variables)

    @property
    def trainable_variables(self) -> list:
        return [v for v in self._variables if getattr(v, "trainable", True)]

    @property
    def inputs(self) -> list:
        return list(self._arg_placeholders) + [ph for _, ph in self.graph.captures]

    @property
    def captured_inputs(self) -> list:
        return [value for value, _ in self.graph.captures]

    @property
    def structured_input_signature(self):
        return (tuple(self._signature), {})

    def _run(self, arg_values: list):
        result = super()._run(arg_values)
        return nest.map_structure(lambda o: None if isinstance(o, Operation) else o, result)

    def __call__(self, *args):
        if len(args) != len(self._arg_placeholders):
            raise TypeError(
                f"{self._name} takes {len(self._arg_placeholders)} positional tensor "
                f"argument(s) (its signature), got {len(args)}"
            )
        values = []
        for a, ph in zip(args, self._arg_placeholders):
            v = a._value if hasattr(a, "_value") else np.asarray(a)
            values.append(np.asarray(v, dtype=ph.dtype._base.np_dtype))
        return self._run(values)

    def prune(self, feeds, fetches, name=None, input_signature=None) -> WrappedFunction:
        """A function over this graph taking `feeds` and returning `fetches` (tensors,
        ops or their names, in any nesting); ops fetched run and return None."""
        g = self.graph
        flat_feeds = [g.as_graph_element(f) for f in nest.flatten(feeds)]
        for t in flat_feeds:
            if not isinstance(t, Tensor):
                raise ValueError(f"prune: feeds must be tensors of the function's graph; got {t}")
        fetched = nest.map_structure(
            lambda f: g.as_graph_element(f) if isinstance(f, (str, bytes)) else f, fetches
        )
        for f in nest.flatten(fetched):
            if not isinstance(f, (Tensor, Operation)) or f.graph is not g:
                raise ValueError(
                    f"prune: fetches must be tensors or ops of the function's graph; got {f}"
                )
        specs = input_signature or [TensorSpec(t.shape, t.dtype._base) for t in flat_feeds]
        return WrappedFunction(
            g, flat_feeds, fetched, self._variables, specs, name or f"{self._name}_pruned"
        )


def _trace(fn, signature, graph, outer):
    specs = _flat_specs(signature)
    lifter = _Lifter(outer)
    from tfgraph.variables import variable_creator_scope

    with graph.as_default(), variable_creator_scope(lifter):
        placeholders, args = _make_args(signature, specs)
        outputs = fn(*args)
        outputs = nest.map_structure(_output_tensor, outputs)
    return placeholders, outputs, lifter.variables


def wrap_function(fn, signature, name=None):
    """Wraps the TF1-style Python function `fn` into a callable `WrappedFunction`.

    Args:
        fn: a Python function building graph ops from its tensor arguments.
        signature: a (possibly nested) list of `tf.TensorSpec`s, one per argument.
        name: the function's name (default "wrapped_function").

    Returns:
        A `WrappedFunction`: call it with tensors (eager) or symbolic tensors (graph
        mode, where it adds a call op); see the module docstring.
    """
    signature = [] if signature is None else list(signature)
    name = name or "wrapped_function"
    if context.executing_eagerly():
        graph = FuncGraph(name)
        _trace_state.graphs.append(graph)
        try:
            placeholders, outputs, variables = _trace(fn, signature, graph, None)
        finally:
            _trace_state.graphs.pop()
        return WrappedFunction(graph, placeholders, outputs, variables, signature, name)
    from tfgraph.eager.wrap_function_graph import GraphWrappedFunction, trace_graph

    return GraphWrappedFunction(*trace_graph(fn, signature, name, _trace))
