"""Control-flow contexts in MetaGraphDefs: `CondContextDef` / `WhileContextDef` protos.

A MetaGraphDef keeps the contexts of top-level conds and while loops in its
`cond_context` / `while_context` collections (nested contexts ride inside their outer
context's proto), so that a program that imports the graph knows which ops live in which
branch or loop (TF needs it to take gradients through an imported loop). Export writes
what TF writes; import rebuilds context objects around the imported ops.
"""

from __future__ import annotations

from tfgraph import proto
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.meta_graph import (
    prepend_name_scope,
    register_proto_function,
    strip_name_scope,
)
from tfgraph.ops import control_flow_ops
from tfgraph.ops.control_flow_ops import CondContext, ControlFlowContext
from tfgraph.ops.while_loop import WhileContext

__all__ = ["from_control_flow_context_def", "to_control_flow_context_def"]


# -- export ---------------------------------------------------------------------------------
def _values_def(ctx: ControlFlowContext, scope):
    values_def = proto.ValuesDef()
    values_def.values.extend(strip_name_scope(v, scope) for v in sorted(ctx._values))
    for k, v in ctx._external_values.items():
        values_def.external_values[strip_name_scope(k, scope)] = strip_name_scope(v.name, scope)
    return values_def


def _add_nested(ctx: ControlFlowContext, context_def) -> None:
    # (TF writes nested contexts with their full names, whatever the export scope)
    for nested in ctx._nested_contexts:
        to_control_flow_context_def(nested, context_def.nested_contexts.add())


def _cond_to_proto(ctx: CondContext, export_scope=None):
    if export_scope and not ctx.name.startswith(export_scope):
        return None
    context_def = proto.CondContextDef(
        context_name=strip_name_scope(ctx.name, export_scope),
        pred_name=strip_name_scope(ctx.pred.name, export_scope),
        pivot_name=strip_name_scope(ctx.pivot.name, export_scope),
        branch=ctx.branch,
    )
    context_def.values_def.CopyFrom(_values_def(ctx, export_scope))
    _add_nested(ctx, context_def)
    return context_def


def _while_to_proto(ctx: WhileContext, export_scope=None):
    if export_scope and not ctx.name.startswith(export_scope):
        return None

    def strip(t):
        return strip_name_scope(t.name, export_scope)

    context_def = proto.WhileContextDef(
        context_name=strip_name_scope(ctx.name, export_scope),
        parallel_iterations=ctx._parallel_iterations,
        back_prop=ctx._back_prop,
        swap_memory=ctx._swap_memory,
        pivot_name=strip(ctx._pivot),
        pivot_for_pred_name=strip(ctx._pivot_for_pred),
        pivot_for_body_name=strip(ctx._pivot_for_body),
        loop_exit_names=[strip(t) for t in ctx._loop_exits],
        # (the loop variables' Enters and those gradients add; constant Enters are not
        # listed, as in TF)
        loop_enter_names=[strip(t) for t in ctx._loop_enters if not t.op._attrs.get("is_constant")],
    )
    if ctx._maximum_iterations is not None:
        context_def.maximum_iterations_name = strip(ctx._maximum_iterations)
    context_def.values_def.CopyFrom(_values_def(ctx, export_scope))
    _add_nested(ctx, context_def)
    return context_def


def to_control_flow_context_def(ctx: ControlFlowContext, context_def, export_scope=None) -> None:
    """Writes `ctx` into the `ControlFlowContextDef` `context_def`."""
    if isinstance(ctx, WhileContext):
        context_def.while_ctxt.CopyFrom(_while_to_proto(ctx, export_scope))
    elif isinstance(ctx, CondContext):
        context_def.cond_ctxt.CopyFrom(_cond_to_proto(ctx, export_scope))
    else:
        raise TypeError(f"not a control-flow context: {ctx!r}")


# -- import ---------------------------------------------------------------------------------
def _init_values(ctx: ControlFlowContext, values_def, import_scope, graph) -> set:
    """Sets the context's values from `values_def`; returns the names of the ops that live
    in it (its values that do not stand for an outside tensor)."""
    ctx._graph = graph
    ctx._values = {prepend_name_scope(v, import_scope) for v in values_def.values}
    ctx._external_values = {
        prepend_name_scope(k, import_scope): graph.as_graph_element(
            prepend_name_scope(v, import_scope)
        )
        for k, v in values_def.external_values.items()
    }
    ctx._outer_context = graph._state.cf_context
    ctx._outer_fixed = True
    ctx._nest_in_current()
    return {name.split(":")[0] for name in ctx._values - set(ctx._external_values)}


def _element(graph, name: str, import_scope):
    return graph.as_graph_element(prepend_name_scope(name, import_scope))


def _with_nested(ctx: ControlFlowContext, context_def, import_scope):
    ctx.enter()
    try:
        for nested_def in context_def.nested_contexts:
            from_control_flow_context_def(nested_def, import_scope)
    finally:
        ctx.exit()
    return ctx


def _cond_from_proto(context_def, import_scope=None) -> CondContext:
    graph = get_default_graph()
    ctx = CondContext.__new__(CondContext)
    ctx._name = prepend_name_scope(context_def.context_name, import_scope)
    ctx._pred = _element(graph, context_def.pred_name, import_scope)
    ctx._pivot = _element(graph, context_def.pivot_name, import_scope)
    ctx._branch = context_def.branch
    for op_name in _init_values(ctx, context_def.values_def, import_scope, graph):
        control_flow_ops._op_contexts[graph.as_graph_element(op_name)] = ctx
    return _with_nested(ctx, context_def, import_scope)


def _while_from_proto(context_def, import_scope=None) -> WhileContext:
    graph = get_default_graph()
    ctx = WhileContext.__new__(WhileContext)
    ctx._name = prepend_name_scope(context_def.context_name, import_scope)
    ctx._parallel_iterations = context_def.parallel_iterations
    ctx._back_prop = context_def.back_prop
    ctx._swap_memory = context_def.swap_memory
    ctx._grad_state = None
    ctx._maximum_iterations = (
        _element(graph, context_def.maximum_iterations_name, import_scope)
        if context_def.maximum_iterations_name
        else None
    )
    ctx._pivot = _element(graph, context_def.pivot_name, import_scope)
    ctx._pivot_for_pred = _element(graph, context_def.pivot_for_pred_name, import_scope)
    ctx._pivot_for_body = _element(graph, context_def.pivot_for_body_name, import_scope)
    ctx._loop_exits = [_element(graph, n, import_scope) for n in context_def.loop_exit_names]
    ctx._loop_enters = [_element(graph, n, import_scope) for n in context_def.loop_enter_names]
    for op_name in _init_values(ctx, context_def.values_def, import_scope, graph):
        control_flow_ops.set_cf_context(graph.as_graph_element(op_name), ctx)
    return _with_nested(ctx, context_def, import_scope)


def from_control_flow_context_def(context_def, import_scope=None) -> ControlFlowContext:
    """The context a `ControlFlowContextDef` describes, rebuilt around the graph's ops."""
    kind = context_def.WhichOneof("ctxt")
    if kind == "cond_ctxt":
        return _cond_from_proto(context_def.cond_ctxt, import_scope)
    if kind == "while_ctxt":
        return _while_from_proto(context_def.while_ctxt, import_scope)
    raise NotImplementedError(f"Unknown ControlFlowContextDef field: {kind}")


register_proto_function(
    GraphKeys.COND_CONTEXT,
    proto_type=lambda: proto.CondContextDef,
    to_proto=_cond_to_proto,
    from_proto=_cond_from_proto,
)
register_proto_function(
    GraphKeys.WHILE_CONTEXT,
    proto_type=lambda: proto.WhileContextDef,
    to_proto=_while_to_proto,
    from_proto=_while_from_proto,
)
