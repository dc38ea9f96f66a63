"""`tf.function`: trace a Python function into a graph once per input signature, then
run the traced graph as a cached session plan.

A call computes a key from its arguments (tensors by dtype and shape, Python values by
value, variables by identity); an unseen key traces the function into a `FuncGraph`:
tensor arguments become placeholders, eager tensors the body uses (variables' handles
among them) are captured as extra placeholders, and the body's stateful ops are chained
in program order, as TF's automatic control dependencies do. Running feeds the
arguments' and captures' values to the plan and wraps what it returns as eager tensors.
Variables may be created on the first trace only; they are created eagerly (lifted out
of the graph), as TensorFlow does.
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref

import numpy as np

from tfgraph.eager import context
from tfgraph.eager.tensor import EagerTensor
from tfgraph.framework import dtypes, nest
from tfgraph.framework.graph import Graph, _default_graph_stack
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.tensor_spec import TensorSpec

__all__ = ["ConcreteFunction", "FuncGraph", "Function", "function", "init_scope"]


class FuncGraph(Graph):
    """The graph a `tf.function` traces into; eager tensors it meets become inputs."""

    _traces_function = True  # (variables made while tracing are resource variables)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._building_function = True
        self.inputs: list[Tensor] = []
        self._captures: dict[int, tuple[EagerTensor, Tensor]] = {}
        self.variables_created = 0

    def capture(self, value: EagerTensor) -> Tensor:
        """The placeholder standing for eager tensor `value` inside this graph."""
        hit = self._captures.get(id(value))
        if hit is not None:
            return hit[1]
        from tfgraph.ops import array_ops

        with self.as_default(), self.name_scope(None), self.control_dependencies(None):
            shape = None if value._dtype._base is dtypes.resource else value.shape
            ph = array_ops.placeholder(value._dtype._base, shape, name="capture")
        self._captures[id(value)] = (value, ph)
        return ph

    @property
    def captures(self) -> list:
        return [pair for pair in self._captures.values()]


class _InitScope:
    """`init_scope()`: leaves every graph being built (a function trace) for the
    enclosing eager context, as variable creation inside `tf.function` needs."""

    def __enter__(self):
        stack = _default_graph_stack.stack
        self._saved = list(stack)
        self._deps = None
        if context.eager_enabled():
            while stack and not stack[-1]._executes_eagerly:
                stack.pop()
        else:  # TF1 graph mode: out of control-dependency blocks only
            from tfgraph.framework.graph import get_default_graph

            self._deps = get_default_graph().control_dependencies(None)
            self._deps.__enter__()
        return None

    def __exit__(self, *exc) -> None:
        if self._deps is not None:
            self._deps.__exit__(*exc)
        _default_graph_stack.stack[:] = self._saved


def init_scope() -> _InitScope:
    return _InitScope()


class _TraceState(threading.local):
    def __init__(self) -> None:
        self.graphs: list[FuncGraph] = []


_trace_state = _TraceState()


def tracing_graph() -> FuncGraph | None:
    """The `FuncGraph` being traced in this thread, if any."""
    return _trace_state.graphs[-1] if _trace_state.graphs else None


def note_variable_created() -> None:
    """Called by variables made while a function is traced (they are lifted out)."""
    g = tracing_graph()
    if g is not None:
        g.variables_created += 1


class ConcreteFunction:
    """One trace of a `tf.function`: its graph and a callable running it."""

    def __init__(self, graph: FuncGraph, arg_placeholders, outputs, stateful) -> None:
        from tfgraph.client.session import Session

        self.graph = graph
        self._arg_placeholders = arg_placeholders
        self._structured_outputs = outputs
        self._flat_outputs = [o for o in nest.flatten(outputs) if isinstance(o, Tensor)]
        captures = graph.captures
        self._capture_values = [value for value, _ in captures]
        feeds = list(arg_placeholders) + [ph for _, ph in captures]
        self._session = Session(graph=graph)
        targets = list(stateful)
        self._n_out = len(self._flat_outputs)
        fetches = self._flat_outputs + targets
        feed_dict = {ph: None for ph in feeds}
        sig = self._session._signature(fetches, feed_dict or None, None)
        self._plan = sig.plan
        self._out_dtypes = [o.dtype._base for o in self._flat_outputs]

    @property
    def structured_outputs(self):
        return self._structured_outputs

    @property
    def inputs(self) -> list:
        return list(self._arg_placeholders)

    @property
    def outputs(self) -> list:
        return list(self._flat_outputs)

    def _run(self, arg_values: list):
        values = self._plan.run(arg_values + [t._value for t in self._capture_values])
        flat = [EagerTensor(v, dt) for v, dt in zip(values[: self._n_out], self._out_dtypes)]
        it = iter(flat)
        return nest.map_structure(
            lambda o: next(it) if isinstance(o, Tensor) else o, self._structured_outputs
        )

    def __call__(self, *args, **kwargs):
        flat = [a for a in nest.flatten((args, kwargs)) if _is_tensor_arg(a)]
        return self._run([_value_of(a, ph) for a, ph in zip(flat, self._arg_placeholders)])


def _is_tensor_arg(value) -> bool:
    return isinstance(value, (EagerTensor, np.ndarray, TensorSpec))


def _value_of(value, placeholder):
    if value.__class__ is EagerTensor:
        return value._value
    return np.asarray(value, dtype=placeholder.dtype._base.np_dtype)


def _spec_of(value):
    """The part of a call's cache key that argument `value` contributes."""
    if value.__class__ is EagerTensor:
        return ("T", value._dtype, value._value.shape if hasattr(value._value, "shape") else ())
    if isinstance(value, np.ndarray):
        return ("T", dtypes.as_dtype(value.dtype), value.shape)
    if isinstance(value, TensorSpec):
        return ("S", value)
    if hasattr(value, "handle") and hasattr(value, "assign"):  # a variable: by identity
        return ("V", id(value))
    try:
        hash(value)
    except TypeError:
        return ("O", id(value))
    return ("P", value)  # (by equality, as TF: 2 and 2.0 share a trace)


class Function:
    """A Python function that runs as traced graphs (TF2's `tf.function`)."""

    def __init__(self, python_function, name: str, input_signature=None) -> None:
        self._python_function = python_function
        self._name = name
        self._input_signature = None if input_signature is None else list(input_signature)
        self._traces: dict = {}
        self._tracing_count = 0
        self._lock = threading.RLock()
        self._created_variables = False
        self._bound: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return None if self._input_signature is None else tuple(self._input_signature)

    def experimental_get_tracing_count(self) -> int:
        return self._tracing_count

    def __get__(self, instance, owner):
        if instance is None:
            return self
        bound = self._bound.get(instance)
        if bound is None:
            bound = Function(
                functools.partial(self._python_function, instance),
                self._name,
                self._input_signature,
            )
            self._bound[instance] = bound
        return bound

    # -- calls ---------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        from tfgraph.eager.config import functions_run_eagerly

        if not context.executing_eagerly() or functions_run_eagerly():
            # Building a graph (TF1 graph mode or another trace): the body's ops go into
            # it directly (TF would add one call op; the values are the same).
            return self._python_function(*args, **kwargs)
        concrete, flat_args = self._concrete_for(args, kwargs)
        return concrete._run(flat_args)

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The trace for these arguments (tensors or TensorSpecs), tracing if needed."""
        if self._input_signature is not None:
            if "signature" not in self._traces:
                self._traces["signature"] = self._trace(tuple(self._input_signature), {})
            return self._traces["signature"]
        flat = nest.flatten((args, kwargs))
        key = tuple(_spec_of(a) for a in flat)
        if key not in self._traces:
            self._traces[key] = self._trace(args, kwargs)
        return self._traces[key]

    def _concrete_for(self, args, kwargs):
        if self._input_signature is not None:
            tensors = self._check_signature(args, kwargs)
            concrete = self._traces.get("signature")
            if concrete is None:
                with self._lock:
                    concrete = self._traces.get("signature")
                    if concrete is None:
                        concrete = self._trace(tuple(self._input_signature), {})
                        self._traces["signature"] = concrete
            return concrete, [t._value for t in tensors]
        flat = nest.flatten((args, kwargs))
        key = tuple(_spec_of(a) for a in flat)
        concrete = self._traces.get(key)
        if concrete is None:
            with self._lock:
                concrete = self._traces.get(key)
                if concrete is None:
                    concrete = self._trace(args, kwargs)
                    self._traces[key] = concrete
        tensors = [a for a in flat if _is_tensor_arg(a)]
        values = [_value_of(a, ph) for a, ph in zip(tensors, concrete._arg_placeholders)]
        return concrete, values

    def _check_signature(self, args, kwargs):
        if kwargs:
            raise TypeError(
                f"{self._name}() got unexpected keyword arguments {sorted(kwargs)}: a "
                "function with an input_signature takes positional tensors only"
            )
        specs = self._input_signature
        if len(args) != len(specs):
            raise TypeError(
                f"{self._name}() takes {len(specs)} positional arguments (its "
                f"input_signature) but {len(args)} were given"
            )
        out = []
        for i, (arg, spec) in enumerate(zip(args, specs)):
            t = arg if isinstance(arg, EagerTensor) else _to_eager(arg, spec.dtype)
            if not spec.is_compatible_with(t):
                raise TypeError(
                    f"Binding inputs to tf.function `{self._name}` failed due to `Can not "
                    f"cast {TensorSpec(t.shape, t.dtype)!r} to {spec!r}`. Received args: "
                    f"{args} and kwargs: {{}} for signature: {specs}. (argument {i})"
                )
            out.append(t)
        return out

    def _trace(self, args, kwargs) -> ConcreteFunction:
        first = not self._traces
        concrete, created = self._trace_once(args, kwargs)
        if created:
            if not first or self._created_variables:
                raise ValueError(
                    f"tf.function only supports singleton tf.Variables created on the first "
                    f"call. Make sure the tf.Variable is only created once or created outside "
                    f"tf.function. (function {self._name})"
                )
            self._created_variables = True
            # As TF: trace again now the variables exist; it must not create more.
            concrete, created = self._trace_once(args, kwargs)
            if created:
                raise ValueError(
                    "tf.function only supports singleton tf.Variables created on the first "
                    "call. Make sure the tf.Variable is only created once or created outside "
                    f"tf.function. (function {self._name})"
                )
        return concrete

    def _trace_once(self, args, kwargs):
        self._tracing_count += 1
        graph = FuncGraph(self._name)
        placeholders: list[Tensor] = []
        _trace_state.graphs.append(graph)
        try:
            with graph.as_default():
                from tfgraph.ops import array_ops

                names = iter(_argument_names(self._python_function, args, kwargs))

                def to_placeholder(a):
                    name = next(names)
                    if isinstance(a, EagerTensor):
                        spec = TensorSpec(a.shape, a.dtype)
                    elif isinstance(a, np.ndarray):
                        spec = TensorSpec(a.shape, dtypes.as_dtype(a.dtype))
                    elif isinstance(a, TensorSpec):
                        spec = a
                    else:
                        return a
                    ph = array_ops.placeholder(spec.dtype, spec.shape, name=spec.name or name)
                    placeholders.append(ph)
                    return ph

                traced_args, traced_kwargs = nest.map_structure(to_placeholder, (args, kwargs))
                outputs = self._python_function(*traced_args, **traced_kwargs)
                outputs = nest.map_structure(_output_tensor, outputs)
                stateful = _chain_stateful_ops(graph)
        finally:
            _trace_state.graphs.pop()
        concrete = ConcreteFunction(graph, placeholders, outputs, stateful)
        concrete._traced_args = (self._python_function, args, kwargs)  # (for SavedModels)
        return concrete, graph.variables_created > 0


def _argument_names(python_function, args, kwargs) -> list[str]:
    """A placeholder name per flattened argument: its parameter's name (TF's)."""
    import inspect

    flat_count = len(nest.flatten((args, kwargs)))
    try:
        bound = inspect.signature(python_function).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return ["arg"] * flat_count
    by_id: dict[int, str] = {}
    for pname, value in bound.arguments.items():
        for leaf in nest.flatten(value):
            by_id.setdefault(id(leaf), pname)
    return [by_id.get(id(leaf), "arg") for leaf in nest.flatten((args, kwargs))]


def _output_tensor(value):
    if isinstance(value, (Tensor, Operation)) or value is None:
        return value
    conv = getattr(value, "_as_graph_element", None)
    if conv is not None or hasattr(value, "handle"):
        from tfgraph.framework.convert import convert_to_tensor

        return convert_to_tensor(value)
    if isinstance(value, (int, float, bool, np.ndarray, np.generic)):
        return value
    return value


def _chain_stateful_ops(graph: FuncGraph) -> list[Operation]:
    """Runs the trace's stateful ops in program order (TF's automatic control
    dependencies); returns them as run targets, so side effects happen unfetched."""
    stateful = [
        op
        for op in graph.get_operations()
        if op._op_def.is_stateful and not op._op_def.placeholder and not op._op_def.variable
    ]
    for prev, op in itertools.pairwise(stateful):
        op._add_control_input(prev)
    return stateful


def _to_eager(value, dtype) -> EagerTensor:
    from tfgraph.eager.tensor import eager_tensor

    return eager_tensor(value, dtype)


def function(
    func=None,
    input_signature=None,
    autograph: bool = True,
    jit_compile=None,
    reduce_retracing: bool = False,
    experimental_implements=None,
    experimental_autograph_options=None,
    experimental_attributes=None,
    experimental_relax_shapes=None,
    experimental_compile=None,
    experimental_follow_type_hints=None,
):
    """Compiles `func` into traced graphs run as cached plans (TF2's `tf.function`).

    Control flow in the body must use `tf.cond` / `tf.while_loop` (no AutoGraph: Python
    `if`/`for` on tensors run at trace time only, on the traced values' Python truth,
    which fails for symbolic tensors as TF1 graph code does).
    """

    def decorate(f):
        name = getattr(f, "__name__", "function")
        return Function(f, name, input_signature)

    if func is None:
        return decorate
    return decorate(func)
