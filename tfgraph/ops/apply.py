"""`apply_op`: how a public function adds one registered op to the graph.

It mirrors what TensorFlow's generated op wrappers do: open a name scope named after
the op (or `name`), convert each input in argument order (a Python value takes the
dtype already bound to its type attr, so `x + 1` makes a float constant for a float
`x`), then create the op. When every input is already a tensor no scope is needed
and the op name is uniquified directly (same result, less work).
"""

from __future__ import annotations

import contextlib

from tfgraph.framework import dtypes, registry
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import Graph, get_default_graph
from tfgraph.framework.ops import Operation, Tensor

__all__ = ["apply_op", "graph_of", "op_output"]


def graph_of(values):
    """The graph of the first tensor-like value, else the default graph (always the
    default graph while a function is traced: it captures outer tensors)."""
    if Graph._functions_building:
        return get_default_graph()
    for v in values:
        if v.__class__ is Tensor:
            return v._op._graph
        g = getattr(v, "graph", None)
        if g is not None and hasattr(g, "_create_op"):
            return g
    return get_default_graph()


def _cheap_tensor(value, as_ref: bool):
    """`value` as a Tensor if that needs no new op (a Tensor or a Variable), else None."""
    if value.__class__ is Tensor:
        return value
    conv = getattr(type(value), "_as_input_tensor", None)
    return None if conv is None else conv(value, as_ref)


def apply_op(op_type: str, name, inputs, attrs=None) -> Operation:
    """Adds an op of type `op_type` with `inputs` (one entry per input argument; a list
    for list arguments) and `attrs` (a fresh dict the op may keep); returns the op."""
    op_def = registry.get(op_type)
    if attrs is None:
        attrs = {}
    args = op_def.inputs
    if len(inputs) != len(args):
        raise TypeError(
            f"{op_type} takes {len(args)} inputs ({', '.join(a.name for a in args)}), "
            f"got {len(inputs)}"
        )
    flat: list | None = []
    for arg, value in zip(args, inputs):
        if arg.is_list:
            for v in value:
                t = _cheap_tensor(v, arg.is_ref)
                if t is None:
                    flat = None
                    break
                flat.append(t)  # type: ignore[union-attr]  # not None: a None breaks out
        else:
            t = _cheap_tensor(value, arg.is_ref)
            if t is None:
                flat = None
            else:
                flat.append(t)  # type: ignore[union-attr]  # not None: a None breaks out
        if flat is None:
            break
    if flat is not None:
        if flat and not Graph._functions_building:
            g = flat[0]._op._graph
        else:  # (a function being traced captures the outer tensors it is given)
            g = get_default_graph()
        return _create(g, op_def, flat, attrs, name or op_type)
    g = graph_of(_flat_values(args, inputs))
    if g is get_default_graph():
        return _convert_and_create(g, op_def, args, inputs, attrs, name)
    with g.as_default():  # constants for Python inputs go into the inputs' graph
        return _convert_and_create(g, op_def, args, inputs, attrs, name)


def _convert_and_create(g, op_def, args, inputs, attrs, name) -> Operation:
    with g.name_scope(name or op_def.name) as scope:
        flat = []
        for arg, value in zip(args, inputs):
            if arg.is_list:
                flat.extend(_convert_list(arg, value, attrs))
            else:
                flat.append(_convert_one(arg, value, attrs, op_def))
        return _create(g, op_def, flat, attrs, scope)


def _create(g, op_def, flat, attrs, name) -> Operation:
    """Creates the op; ops with reference inputs are colocated with those variables, as
    TensorFlow's op library does."""
    if op_def.has_ref_inputs:
        refs = [t._op for t, is_ref in zip(flat, op_def.flat_ref_flags(attrs)) if is_ref]
        if len(refs) == 1:  # the common case (Assign, AssignAdd, ...): no ExitStack
            with g.colocate_with(refs[0]):
                return g._create_op(op_def.name, flat, attrs, name)
        if refs:
            with contextlib.ExitStack() as stack:
                for ref_op in refs:
                    stack.enter_context(g.colocate_with(ref_op))
                return g._create_op(op_def.name, flat, attrs, name)
    return g._create_op(op_def.name, flat, attrs, name)


def _flat_values(args, inputs):
    out = []
    for arg, value in zip(args, inputs):
        if arg.is_list:
            out.extend(value)
        else:
            out.append(value)
    return out


def _convert_one(arg, value, attrs, op_def=None) -> Tensor:
    dtype = arg.dtype
    hint = None
    t = None
    if dtype is None and arg.type_attr is not None:
        dtype = attrs.get(arg.type_attr)
        decl = op_def.attrs.get(arg.type_attr) if op_def is not None else None
        if dtype is None and decl is not None:
            # As TF's op_def_library: convert as inferred; if that type is not allowed,
            # convert again preferring the attr's default (`reduce_sum(x, [])` leaves a
            # float `reduction_indices` const behind and uses an int32 one).
            hint = decl.default if decl.has_default else None
            if decl.allowed is not None:
                try:
                    inferred = convert_to_tensor(value, name=arg.name, as_ref=arg.is_ref)
                except TypeError:
                    inferred = None
                if inferred is not None and inferred.dtype._base in decl.allowed:
                    t = inferred
    if t is None:
        t = convert_to_tensor(value, dtype=dtype, name=arg.name, as_ref=arg.is_ref, dtype_hint=hint)
    if arg.type_attr is not None and arg.type_attr not in attrs:
        attrs[arg.type_attr] = t.dtype._base
    return t


def _convert_list(arg, values, attrs) -> list[Tensor]:
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"Expected list for '{arg.name}' argument, got {values!r}")
    dtype = arg.dtype
    if dtype is None and arg.type_attr is not None:
        dtype = attrs.get(arg.type_attr)
        if dtype is None:
            for v in values:
                if isinstance(v, Tensor) or hasattr(v, "_as_graph_element"):
                    dtype = dtypes.as_dtype(v.dtype)._base
                    break
    out = []
    for i, v in enumerate(values):
        n = f"{arg.name}_{i}"  # (as TF, even for one element: `data_0`)
        out.append(convert_to_tensor(v, dtype=dtype, name=n, as_ref=arg.is_ref))
    if arg.type_attr is not None and arg.type_attr not in attrs and out:
        attrs[arg.type_attr] = out[0].dtype._base
    if arg.number_attr is not None:
        attrs.setdefault(arg.number_attr, len(out))
    return out


# Functions called with each tensor `op_output` returns, which may return another in
# its place (`tf.debugging.enable_check_numerics` instruments float outputs this way).
OUTPUT_HOOKS: list = []


def op_output(op_type: str, name, inputs, attrs=None) -> Tensor:
    """`apply_op(...)` for single-output ops: returns the output tensor."""
    out = apply_op(op_type, name, inputs, attrs)._outputs[0]
    if OUTPUT_HOOKS:
        for hook in OUTPUT_HOOKS:
            out = hook(out)
    return out
