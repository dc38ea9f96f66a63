"""Control flow: NoOp, group, tuple, with_dependencies, and TF1 `cond` (Switch/Merge).

`cond(pred, true_fn, false_fn)` builds what TF1 builds: a Switch on the predicate with
`switch_t`/`switch_f` pivots and `pred_id`, each branch built inside a `CondContext`
that routes every outside tensor a branch uses through a Switch (a RefSwitch for
variables), and a Merge per output. At run time the untaken Switch output is *dead*:
ops fed by dead values do not run, and Merge forwards the live input (see
client/plan.py).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.resources import DEAD
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "CondContext",
    "cond",
    "group",
    "merge",
    "no_op",
    "op_context",
    "switch",
    "tuple",
    "with_dependencies",
]

_builtin_tuple = tuple

# The CondContext each op was created in (TF keeps it on the op as _control_flow_context);
# gradients of Switch and Merge need it.
_op_contexts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# The innermost control-flow context (cond branch or while loop) of every op made in one.
_op_cf_contexts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def op_context(op: Operation):
    """The `CondContext` `op` belongs to, or None."""
    return _op_contexts.get(op)


def set_cf_context(op: Operation, ctxt) -> None:
    """Records `ctxt` as the control-flow context `op` belongs to."""
    _op_cf_contexts[op] = ctxt


def cf_context(op: Operation):
    """The innermost control-flow context (CondContext or WhileContext) of `op`, or None."""
    ctxt = _op_contexts.get(op)
    return _op_cf_contexts.get(op) if ctxt is None else ctxt


def while_context_of(op: Operation):
    """The innermost WhileContext `op` is in, or None."""
    ctxt = cf_context(op)
    while ctxt is not None and not getattr(ctxt, "is_while_context", False):
        ctxt = ctxt.outer_context
    return ctxt


def is_loop_exit(op: Operation) -> bool:
    return op._op_def.control_flow == "exit"


def is_loop_switch(op: Operation) -> bool:
    """A Switch of a while loop (not one bringing a value into a cond branch)."""
    return (
        op._op_def.control_flow == "switch"
        and _op_contexts.get(op) is None
        and getattr(_op_cf_contexts.get(op), "is_while_context", False)
    )


def output_context(op: Operation):
    """The context `op`'s outputs live in (a loop's Exit: the loop's outer context)."""
    ctxt = cf_context(op)
    if ctxt is not None and is_loop_exit(op):
        ctxt = ctxt.outer_context
    return ctxt


# -- NoOp -----------------------------------------------------------------------------------
register_op("NoOp", kernel=lambda: None, grad=NOT_DIFFERENTIABLE)


def no_op(name: str | None = None) -> Operation:
    """An op that does nothing; useful as a control-dependency anchor."""
    return apply_op("NoOp", name, [])


def group(*inputs, **kwargs) -> Operation:
    """A NoOp that runs after all `inputs` (ops or tensors), as TF1 `tf.group`; None
    when executing eagerly (the inputs have run already), as TF. The one keyword
    argument is `name`."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError("Unknown keyword arguments: " + ", ".join(kwargs))
    g = get_default_graph()
    if g._executes_eagerly:
        return None  # type: ignore[return-value]  # (only ever eagerly)
    with g.name_scope(name or "group_deps") as scope:
        if not inputs:
            return no_op(name=scope)
        ops_by_device: dict[str, list[Operation]] = {}
        for inp in _flatten_composites(_flatten(inputs)):  # (as TF: expand_composites)
            op = inp if isinstance(inp, Operation) else _as_op(inp)
            ops_by_device.setdefault(op.device, []).append(op)
        if len(ops_by_device) == 1:
            ((device, deps),) = ops_by_device.items()
            return _group_on_device(deps, device, scope)
        devices = []
        for device in sorted(ops_by_device):
            devices.append(_group_on_device(ops_by_device[device], device, None))
        with g.control_dependencies(devices):
            return no_op(name=scope)


def _group_on_device(deps: list[Operation], device: str, name):
    g = get_default_graph()
    with g.device(device or None), g.control_dependencies(deps):
        return no_op(name=name)


def _flatten(items):
    for item in items:
        if isinstance(item, (list, _builtin_tuple, set)):
            yield from _flatten(item)
        elif isinstance(item, dict):
            yield from _flatten(list(item.values()))
        else:
            yield item


def _as_op(value) -> Operation:
    if isinstance(value, Tensor):
        return value.op
    if hasattr(value, "_handle") and isinstance(getattr(value, "op", None), Operation):
        return value.op  # a resource variable (an assign's result: the update), as TF
    conv = getattr(value, "_as_graph_element", None)
    if conv is not None:
        element = conv()
        return element.op if isinstance(element, Tensor) else element
    op = getattr(value, "op", None)
    if isinstance(op, Operation):
        return op
    raise TypeError(f"Expected an Operation or Tensor, got {value!r}")


def with_dependencies(
    dependencies, output_tensor, name: str | None = None
) -> Tensor | IndexedSlices:
    """`output_tensor` passed through an Identity that runs after `dependencies`."""
    g = get_default_graph()
    with g.name_scope(name or "control_dependency") as scope:
        with g.colocate_with(_as_op(output_tensor)), g.control_dependencies(dependencies):
            if isinstance(output_tensor, IndexedSlices):
                return IndexedSlices(
                    array_ops.identity(output_tensor.values, name=scope),
                    output_tensor.indices,
                    output_tensor.dense_shape,
                )
            output_tensor = convert_to_tensor(output_tensor)
            return array_ops.identity(output_tensor, name=scope)


def tuple(tensors, name: str | None = None, control_inputs=None) -> list:
    """The `tensors`, each available only after all of them are computed (eagerly: the
    tensors themselves, as TF)."""
    from tfgraph.eager.context import executing_eagerly

    if executing_eagerly():
        return list(tensors)
    g = get_default_graph()
    with g.name_scope(name or "tuple") as scope:
        # (a variable counts as a tensor: gated by its op, e.g. an assign's update)
        gating = [t if isinstance(t, Operation) else t.op for t in tensors if t is not None]
        if control_inputs:
            gating.extend(c.op if isinstance(c, Tensor) else c for c in control_inputs)
        gate = group(*sorted(set(gating), key=lambda op: op._id))
        out: list = []
        for t in tensors:
            if t is None:
                out.append(None)
            elif isinstance(t, Operation):
                with g.control_dependencies([gate]):
                    out.append(group(t))
            else:
                out.append(with_dependencies([gate], t))
        del scope
        return out


# -- Switch and Merge -----------------------------------------------------------------------
def _switch_shape(op):
    s = op._inputs[0]._shape
    pred = op._inputs[1]._shape
    if pred._dims is not None and len(pred._dims) != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {len(pred._dims)} for '{op.name}'")
    return [s, s]


def _switch_kernel(data, pred):
    return (DEAD, data) if pred else (data, DEAD)


def _switch_grad(op, *grad):
    """A Merge of the branch gradients. In a cond branch, the untaken side's gradient is
    the zeros the gradient pass made for it (alive only when that side is taken). A while
    loop's Switch is visited twice: first with the Exit's gradient (a `b_switch` Merge
    starts the grad loop's variable), then with the body's (its back edge)."""
    if is_loop_switch(op):
        grad_ctxt = op._graph._state.cf_context
        switch_map = grad_ctxt.grad_state.switch_map
        merge_grad = switch_map.get(op)
        if merge_grad is not None:
            if grad[1] is not None:
                nxt = _next_iteration(grad[1])
                merge_grad.op._update_input(1, nxt)
            return None, None
        if grad[0] is not None:
            merge_grad = merge([grad[0], grad[0]], name="b_switch")[0]
            switch_map[op] = merge_grad
            return merge_grad, None
        return None, None
    ctxt = op_context(op)
    if ctxt is not None:
        if grad[1 - ctxt.branch] is None:
            return None, None
        return merge(list(grad), name="cond_grad")[0], None
    false_grad = switch(grad[0], op._inputs[1])[0]
    true_grad = switch(grad[1], op._inputs[1])[1]
    return merge([false_grad, true_grad])[0], None


register_op(
    "Switch",
    inputs=["data: T", "pred: bool"],
    outputs=["output_false: T", "output_true: T"],
    attrs=["T: type"],
    shape=_switch_shape,
    kernel=_switch_kernel,
    grad=_switch_grad,
    control_flow="switch",
)
register_op(
    "RefSwitch",
    inputs=["data: Ref(T)", "pred: bool"],
    outputs=["output_false: Ref(T)", "output_true: Ref(T)"],
    attrs=["T: type"],
    shape=_switch_shape,
    kernel=_switch_kernel,
    grad=_switch_grad,
    allows_uninitialized_input=True,
    control_flow="switch",
)


def _merge_shape(op):
    shapes = [t._shape for t in op._inputs]
    out = shapes[0]
    for s in shapes[1:]:
        out = out.most_specific_compatible_shape(s)
    return [out, common_shapes.SCALAR]


def _merge_kernel(*inputs):
    for i, x in enumerate(inputs):
        if x is not DEAD:
            return x, np.int32(i)
    return DEAD, DEAD


def _merge_grad(op, grad, _):
    """A Switch of the gradient: on the cond's predicate for a cond's Merge, else on which
    input the Merge forwarded."""
    input_op = op._inputs[0]._op
    if getattr(output_context(input_op), "is_while_context", False):
        grad_ctxt = op._graph._state.cf_context
        return list(_switch_ref_or_tensor(grad, grad_ctxt.pivot))
    ctxt = op_context(input_op)
    if ctxt is not None:
        pred = ctxt.pred
        grad_ctxt = op._graph._state.cf_context
        grad_state = getattr(grad_ctxt, "grad_state", None)
        if grad_state is not None:  # (a cond in a loop: the predicate of each iteration)
            pred = grad_state.real_pred(pred)
        return list(_switch_ref_or_tensor(grad, pred, name="cond_grad"))
    from tfgraph.ops import math_ops

    n = len(op._inputs)
    conds = [math_ops.equal(op._outputs[1], i) for i in range(n)]
    return [_switch_ref_or_tensor(grad, conds[i])[1] for i in range(n)]


register_op(
    "Merge",
    inputs=["inputs: N * T"],
    outputs=["output: T", "value_index: int32"],
    attrs=["T: type", "N: int >= 1"],
    shape=_merge_shape,
    kernel=_merge_kernel,
    grad=_merge_grad,
    control_flow="merge",
)
register_op(
    "RefMerge",
    inputs=["inputs: N * T"],
    outputs=["output: T", "value_index: int32"],
    attrs=["T: type", "N: int >= 1"],
    shape=_merge_shape,
    kernel=_merge_kernel,
    grad=_merge_grad,
    control_flow="merge",
)


def switch(data, pred, name: str | None = None):
    """(output_false, output_true): `data` on the side `pred` selects, dead on the other."""
    g = get_default_graph()
    with g.name_scope(name or "Switch") as scope:
        data = convert_to_tensor(data, name="data")
        pred = convert_to_tensor(pred, name="pred")
        op_type = "RefSwitch" if data.dtype.is_ref_dtype else "Switch"
        op = apply_op(op_type, scope, [data, pred])
        return op._outputs[0], op._outputs[1]


def _switch_ref_or_tensor(data, pred, name: str = "Switch"):
    g = get_default_graph()
    data = convert_to_tensor(data, name="data")
    with g.colocate_with(data._op, ignore_existing=True):
        return switch(data, pred, name=name)


# -- loop ops (TF1 while loops: Enter/Merge/Switch/LoopCond/NextIteration/Exit) -----------
# A loop's ops form a frame: `Enter` brings a value from the parent frame (once, or at
# every iteration when `is_constant`), `Merge` takes it or the previous iteration's
# `NextIteration`, `LoopCond` decides, `Switch` sends the value on to the body or to
# `Exit`, which hands it back to the parent frame. Plans run a frame as one step that
# iterates a sub-plan (client/passes/frames.py); the kernels here only forward values.
def _enter_shape(op):
    # (TF's shape function: unknown unless the value is the same at every iteration)
    if op._attrs.get("is_constant", False):
        return [op._inputs[0]._shape]
    return [TensorShape(None)]


def _loop_cond_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 0:
        raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(dims)}")
    return [common_shapes.SCALAR]


def _forward(x):
    return x


_ENTER_ATTRS = [
    "T: type",
    "frame_name: string",
    "is_constant: bool = false",
    "parallel_iterations: int = 10",
]
_LOOP_GRADS = {
    "Enter": lambda op, grad: _enter_grad(op, grad),
    "Exit": lambda op, grad: _exit_grad(op, grad),
    "NextIteration": lambda op, grad: _next_iteration_grad(op, grad),
}
for _ref in (False, True):
    _arg = "Ref(T)" if _ref else "T"
    _prefix = "Ref" if _ref else ""
    for _name, _role, _attrs, _shape in (
        ("Enter", "enter", _ENTER_ATTRS, _enter_shape),
        ("Exit", "exit", ["T: type"], common_shapes.unchanged_shape),
        ("NextIteration", "next_iteration", ["T: type"], common_shapes.unchanged_shape),
    ):
        register_op(
            _prefix + _name,
            inputs=[f"data: {_arg}"],
            outputs=[f"output: {_arg}"],
            attrs=_attrs,
            shape=_shape,
            kernel=_forward,
            grad=_LOOP_GRADS[_name] if not _ref or _name == "Enter" else None,
            control_flow=_role,
            allows_uninitialized_input=_ref,
        )
register_op(
    "LoopCond",
    inputs=["input: bool"],
    outputs=["output: bool"],
    shape=_loop_cond_shape,
    kernel=_forward,
    grad=lambda op, grad: _loop_cond_grad(op, grad),
    control_flow="loop_cond",
)
# (runs once its control inputs have run, dead or not: it orders a loop's stack pushes
# and pops made inside conds before the next iteration)
register_op(
    "ControlTrigger",
    kernel=lambda: None,
    grad=NOT_DIFFERENTIABLE,
    control_flow="control_trigger",
)


def _next_iteration(data, name: str | None = None):
    return op_output("NextIteration", name or "NextIteration", [data])


def _enter_grad(op, grad):
    """In a grad loop: a loop variable's gradient leaves it through an Exit; a loop
    invariant's is summed over the iterations (an accumulator loop variable)."""
    grad_ctxt = op._graph._state.cf_context
    if (
        grad_ctxt is None
        or not getattr(grad_ctxt, "back_prop", True)
        or getattr(grad_ctxt, "grad_state", None) is None
    ):
        return grad
    if op._attrs.get("is_constant"):
        if isinstance(grad, IndexedSlices):
            grad = convert_to_tensor(grad)
        return grad_ctxt.add_backprop_accumulator(op, grad)
    result = op_output("Exit", "Exit", [grad])
    grad_ctxt.add_loop_exit(result)
    return result


def _exit_grad(op, grad):
    """The gradient enters the grad loop (`b_exit`)."""
    grad_ctxt = op._graph._state.cf_context
    op_ctxt = cf_context(op)
    if not op_ctxt.back_prop:
        return None
    if op_ctxt.grad_state is not None:
        raise TypeError("Second-order gradient for while loops not supported.")
    if isinstance(grad, IndexedSlices):
        grad = convert_to_tensor(grad)
    return grad_ctxt.add_grad_enter(grad)


def _next_iteration_grad(op, grad):
    return grad


def _loop_cond_grad(op, grad):
    return None


def merge(inputs, name: str | None = None):
    """(output, value_index): the first live tensor of `inputs` and its index."""
    g = get_default_graph()
    with g.name_scope(name or "Merge") as scope:
        inputs = [convert_to_tensor(t) for t in inputs]
        op = apply_op("Merge", scope, [inputs])
        return op._outputs[0], op._outputs[1]


# -- cond -----------------------------------------------------------------------------------
class ControlFlowContext:
    """What a cond branch and a while loop share: the tensors made inside (`_values`),
    the stand-ins for outside tensors (`_external_values`), the enclosing context, and
    the hook `Graph._create_op` calls (`add_op`) while the context is entered."""

    _graph: Any
    _name: str
    _values: set[str]
    _external_values: dict[str, Tensor]
    _outer_context: Any
    _context_stack: list
    _nested_contexts: list

    def _nest_in_current(self) -> None:
        """Records this context among the nested contexts of the one it is made in (a
        MetaGraphDef keeps nested contexts inside their outer context's proto)."""
        self._nested_contexts = []
        outer = self._graph._state.cf_context
        if outer is not None:
            outer._nested_contexts.append(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def outer_context(self):
        return self._outer_context

    @property
    def values(self) -> set[str]:
        return self._values

    @property
    def external_values(self) -> dict[str, Tensor]:
        return self._external_values

    def enter(self) -> None:
        """Makes this the current context (the first enter fixes the outer context)."""
        state = self._graph._state
        stack = self.__dict__.setdefault("_context_stack", [])
        if not self.__dict__.get("_outer_fixed"):
            self._outer_context = state.cf_context
            self._outer_fixed = True
        stack.append(state.cf_context)
        state.cf_context = self

    def exit(self) -> None:
        """Goes back to the context that was current at the matching `enter`."""
        self._graph._state.cf_context = self._context_stack.pop()

    def get_while_context(self):
        ctxt = self
        while ctxt is not None and not getattr(ctxt, "is_while_context", False):
            ctxt = ctxt._outer_context
        return ctxt

    def _known(self, val: Tensor) -> Tensor | None:
        """`val` as seen inside when it is known here already (made inside, or brought in
        before), else None."""
        if val.name not in self._values:
            return None
        result = self._external_values.get(val.name)
        return val if result is None else result

    def _bring_in_inputs(self, op: Operation) -> None:
        """An op with no inputs waits for the context's pivot (unless a control input made
        inside orders it already); an op's outside inputs are replaced by `add_value`'s."""
        if not op._inputs:
            if not any(
                c._outputs and c._outputs[0].name in self._values for c in op._control_inputs
            ):
                op._add_control_inputs([self._control_pivot().op])
            return
        for index, x in enumerate(op._inputs):
            real = self.add_value(x)
            if real is not x:
                op._update_input(index, real)

    def add_value(self, val: Tensor) -> Tensor:
        raise NotImplementedError

    def _control_pivot(self) -> Tensor:
        raise NotImplementedError


class CondContext(ControlFlowContext):
    """The context of one branch of a TF1 `cond`: which tensors live inside it and the
    Switch outputs that bring outside tensors in."""

    def __init__(self, pred: Tensor, pivot: Tensor, branch: int, name: str = "cond_text") -> None:
        self._pred = pred
        self._pivot = pivot
        self._branch = branch
        self._name = get_default_graph().unique_name(name)
        self._values: set[str] = {pred.name, pivot.name}
        self._external_values: dict[str, Tensor] = {pred.name: pred}
        self._outer_context = None
        self._graph = pred.graph
        self._nest_in_current()

    @property
    def pred(self) -> Tensor:
        return self._pred

    @property
    def pivot(self) -> Tensor:
        return self._pivot

    @property
    def branch(self) -> int:
        return self._branch

    def _control_pivot(self) -> Tensor:
        return self._pivot

    def add_value(self, val: Tensor) -> Tensor:
        """`val` as seen inside this branch: itself if produced inside, else a Switch."""
        known = self._known(val)
        if known is not None:
            return known
        result = val
        self._values.add(val.name)
        if self._outer_context is not None:
            result = self._outer_context.add_value(val)
            self._values.add(result.name)
            self._external_values[result.name] = result
        g = self._graph
        with g.control_dependencies(None):
            result = _switch_ref_or_tensor(result, self._pred)[self._branch]
        g.prevent_fetching(result.op)
        _op_contexts[result.op] = self
        ctx: CondContext | None = self
        while ctx is not None:
            ctx._values.add(result.name)
            ctx = ctx._outer_context
        self._external_values[val.name] = result
        return result

    def add_op(self, op: Operation) -> None:
        """Called for every op created in this branch (by Graph._create_op)."""
        _op_contexts[op] = self
        _op_cf_contexts[op] = self
        self._bring_in_inputs(op)
        ctx: CondContext | None = self
        while ctx is not None:
            ctx._values.update(t.name for t in op._outputs)
            ctx = ctx._outer_context

    def _process_output(self, val: Tensor) -> Tensor:
        if val.name not in self._values:
            self._values.add(val.name)
            real = val
            if self._outer_context is not None:
                real = self._outer_context.add_value(val)
                self._values.add(real.name)
                self._external_values[real.name] = real
            real = _switch_ref_or_tensor(real, self._pred)[self._branch]
            self._external_values[val.name] = real
            return real
        external = self._external_values.get(val.name)
        return val if external is None else external

    def build_branch(self, fn):
        """Calls `fn` inside this context; returns (its result, flat branch outputs)."""
        original = fn()
        if original is None:
            return None, None
        flat = list(_flatten_composites(_flatten([original])))
        out = []
        for v in flat:
            if isinstance(v, Operation):
                out.append(with_dependencies([v], self._pivot))
            else:
                out.append(self._process_output(convert_to_tensor(v)))
        return original, out


def _flatten_composites(items):
    """`items` with each SparseTensor expanded into its indices, values and dense_shape,
    each RaggedTensor into its flat values and row splits (as TF's
    nest.flatten(expand_composites=True))."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    for item in items:
        if isinstance(item, SparseTensor):
            yield from (item.indices, item.values, item.dense_shape)
        elif hasattr(item, "_tfgraph_components"):  # (a RaggedTensor: values, then splits)
            yield from item._tfgraph_components()
        else:
            yield item


def _pack_like(structure, flat: list):
    from tfgraph.framework.sparse_tensor import SparseTensor

    it = iter(flat)

    def build(s):
        if isinstance(s, SparseTensor):
            return SparseTensor(next(it), next(it), next(it))
        if hasattr(s, "_tfgraph_components"):
            return s._tfgraph_rebuild([next(it) for _ in s._tfgraph_components()])
        if isinstance(s, (list, _builtin_tuple)):
            if hasattr(s, "_fields"):  # (a namedtuple, LSTMStateTuple say)
                return type(s)(*[build(x) for x in s])
            return type(s)(build(x) for x in s)
        if isinstance(s, dict):
            return {k: build(v) for k, v in s.items()}
        return next(it)

    return build(structure)


def cond(
    pred,
    true_fn=None,
    false_fn=None,
    strict: bool = False,
    name: str | None = None,
    fn1=None,
    fn2=None,
):
    """`true_fn()` if `pred` else `false_fn()`, as a TF1 Switch/Merge subgraph."""
    if fn1 is not None:
        true_fn = fn1
    if fn2 is not None:
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    if isinstance(pred, bool):
        raise TypeError("'pred' must not be a Python bool.")
    from tfgraph.eager.context import executing_eagerly

    if executing_eagerly():  # (TF: the chosen branch runs, nothing is built)
        result = true_fn() if bool(pred) else false_fn()
        if not strict and isinstance(result, (list, _builtin_tuple)) and len(result) == 1:
            return result[0]
        return result
    g = get_default_graph()
    with g.name_scope(name or "cond"):
        pred = convert_to_tensor(pred)
        if pred.dtype._base is not dtypes.bool:
            raise TypeError(f"pred must be a bool tensor, got {pred.dtype.name}")
        p_2, p_1 = switch(pred, pred)
        pivot_1 = array_ops.identity(p_1, name="switch_t")
        pivot_2 = array_ops.identity(p_2, name="switch_f")
        pred = array_ops.identity(pred, name="pred_id")
        for t in (p_1, p_2, pivot_1, pivot_2, pred):
            g.prevent_fetching(t.op)
        context_t = CondContext(pred, pivot_1, branch=1)
        context_t.enter()
        try:
            orig_res_t, res_t = context_t.build_branch(true_fn)
            if orig_res_t is None:
                raise ValueError("'true_fn' must have a return value.")
        finally:
            context_t.exit()
        context_f = CondContext(pred, pivot_2, branch=0)
        context_f.enter()
        try:
            orig_res_f, res_f = context_f.build_branch(false_fn)
            if orig_res_f is None:
                raise ValueError("'false_fn' must have a return value.")
        finally:
            context_f.exit()
        if len(res_t) != len(res_f):
            raise ValueError(
                "true_fn and false_fn must return the same number of values: "
                f"{len(res_t)} vs {len(res_f)}"
            )
        for x, y in zip(res_t, res_f):
            if x.dtype._base is not y.dtype._base:
                raise ValueError(
                    "Outputs of 'true_fn' and 'false_fn' must have the same type(s). Received "
                    f"{x.dtype.name} from 'true_fn' and {y.dtype.name} from 'false_fn'."
                )
        merges = [merge([f, t])[0] for f, t in zip(res_f, res_t)]
        if context_t.outer_context is None:
            g.add_to_collection(GraphKeys.COND_CONTEXT, context_t)
            g.add_to_collection(GraphKeys.COND_CONTEXT, context_f)
        result = _pack_like(orig_res_t, merges)
        if not strict and isinstance(result, (list, _builtin_tuple)) and len(result) == 1:
            result = result[0]
        return result


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def cond_for_tf_v2(pred, true_fn=None, false_fn=None, name=None):
    """TF2's `tf.cond` (no strict, fn1, fn2): outputs keep the branches' structure."""
    return cond(pred, true_fn=true_fn, false_fn=false_fn, strict=True, name=name)


def tuple_v2(tensors, control_inputs=None, name=None):
    """TF2's `tf.tuple` (control_inputs before name)."""
    return tuple(tensors, name=name, control_inputs=control_inputs)
