"""`ExecutionPlan`: a pruned, ordered, slot-indexed program for one kind of `Session.run`.

A plan is built once per (fetches, targets, fed tensors) and cached by the session.
Building it prunes the graph to what the fetches need, orders the ops
deterministically (creation order when that is topological, else Kahn's algorithm by
op id), computes once what is the same at every run (constants, static shapes and pure
ops on them, as TF's graph optimizer folds them), gives every live value a slot in a
flat list (an Identity of a value shares its input's slot), binds every kernel to its
op's attrs and the session's resources, and records where each slot dies. Running it
is a loop of pre-bound closures over that list, one per op that computes something
(each frees the values that die with it): no graph walking, no name lookups.
"""

from __future__ import annotations

import gc
import heapq

import numpy as np

from tfgraph import errors
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.resources import DEAD, ResourceStore, freeze

__all__ = ["ExecutionPlan", "KernelContext"]

# Python exceptions from kernels become these TF error classes.
_ERROR_CLASSES = {
    ValueError: errors.InvalidArgumentError,
    IndexError: errors.InvalidArgumentError,
    TypeError: errors.InvalidArgumentError,
    KeyError: errors.InvalidArgumentError,
    ZeroDivisionError: errors.InvalidArgumentError,
    FloatingPointError: errors.InvalidArgumentError,
    OverflowError: errors.InvalidArgumentError,
    MemoryError: errors.ResourceExhaustedError,
    NotImplementedError: errors.UnimplementedError,
}


class KernelContext:
    """What a kernel factory may use: the session's resources, config and devices."""

    __slots__ = ("config", "graph", "resources")

    def __init__(self, resources: ResourceStore, config, graph) -> None:
        self.resources = resources
        self.config = config
        self.graph = graph


def _order(needed: set[Operation]) -> list[Operation]:
    """Deterministic topological order of `needed` (by op id, i.e. creation order)."""
    ops = sorted(needed, key=lambda o: o._id)
    for op in ops:
        oid = op._id
        for t in op._inputs:
            if t._op._id >= oid and t._op in needed:
                return _kahn(needed)
        for c in op._control_inputs:
            if c._id >= oid and c in needed:
                return _kahn(needed)
    return ops


def _kahn(needed: set[Operation]) -> list[Operation]:
    pending: dict[Operation, int] = {}
    users: dict[Operation, list[Operation]] = {op: [] for op in needed}
    for op in needed:
        preds = {t._op for t in op._inputs if t._op in needed}
        preds.update(c for c in op._control_inputs if c in needed)
        pending[op] = len(preds)
        for p in preds:
            users[p].append(op)
    ready = [(op._id, op) for op, n in pending.items() if n == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, op = heapq.heappop(ready)
        out.append(op)
        for u in users[op]:
            pending[u] -= 1
            if pending[u] == 0:
                heapq.heappush(ready, (u._id, u))
    if len(out) != len(needed):
        stuck = sorted((op for op in needed if pending[op] > 0), key=lambda o: o._id)
        raise errors.InvalidArgumentError(
            None,
            stuck[0],
            "Graph has a cycle through ops "
            + ", ".join(o.name for o in stuck[:5])
            + "; tfgraph cannot order them (TF1 while loops are not supported).",
        )
    return out


# Ops with effects that TF's OpDefs do not mark stateful: never dropped as unused.
_EFFECT_TYPES = frozenset(
    {"Assert", "Print", "PrintV2", "CheckNumerics", "CheckNumericsV2", "Placeholder",
     "PlaceholderV2", "PlaceholderWithDefault"}
)  # fmt: skip


def _is_pure_alone(op: Operation) -> bool:
    """Whether `op` itself only computes its outputs, ignoring its control inputs."""
    op_def = op._op_def
    return not (
        op_def.is_stateful
        or op_def.has_ref_inputs
        or op._type in _EFFECT_TYPES
        or any(t._dtype.is_ref_dtype for t in op._outputs)
    )


def _is_pure(op: Operation, cache: dict) -> bool:
    """Whether running `op` only computes its outputs: not stateful, no reference inputs
    or outputs (no variable updates), no other effects, and every control input pure
    (a NoOp grouping pure ops is pure; one grouping updates is not). Walks control
    chains with an explicit stack: a chain thousands of ops long is no recursion."""
    pure = cache.get(op)
    if pure is not None:
        return pure
    stack = [op]
    while stack:
        top = stack[-1]
        if top in cache:
            stack.pop()
            continue
        pending = [c for c in top._control_inputs if c not in cache]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        cache[top] = _is_pure_alone(top) and all(cache[c] for c in top._control_inputs)
    return cache[op]


def _drop_unused_pure_ops(needed: set[Operation], keep: set[Operation]) -> set[Operation]:
    """`needed` without the pure ops whose outputs nothing reads (reached only through
    control dependencies), as TF's graph optimizer prunes them: e.g. the gradient with
    respect to a placeholder that `tf.gradients` computes for a MatMul and groups with
    the weights' gradient (gate_gradients). Running them could change nothing but time."""
    consumers = dict.fromkeys(needed, 0)
    for op in needed:
        for t in op._inputs:
            producer = t._op
            if producer in consumers:
                consumers[producer] += 1
    cache: dict = {}
    work = [op for op, n in consumers.items() if n == 0 and op not in keep]
    removed: set[Operation] = set()
    while work:
        op = work.pop()
        if op in removed or not _is_pure(op, cache):
            continue
        removed.add(op)
        for t in op._inputs:
            producer = t._op
            if producer in consumers:
                consumers[producer] -= 1
                if consumers[producer] == 0 and producer not in keep:
                    work.append(producer)
    return needed - removed if removed else needed


def _prune(fetch_tensors, target_ops, fed: set, anchors: dict) -> set[Operation]:
    """The ops the fetches and targets need. The inputs of fed tensors' ops are not
    needed; nor are those of folded ops (`anchors`, see `_fold_constants`), whose
    anchors are needed instead."""
    needed: set[Operation] = set()
    stack = [t._op for t in fetch_tensors if t not in fed]
    stack.extend(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        anchored = anchors.get(op)
        if anchored is not None:
            stack.extend(anchored)
            continue
        for t in op._inputs:
            if t not in fed:
                stack.append(t._op)
        for c in op._control_inputs:
            # As in TF, a control dependency on a fed placeholder is met by the feed.
            if c._type in _PLACEHOLDER_TYPES and c._outputs[0] in fed:
                continue
            stack.append(c)
    return needed


# Constant folding, as TF's graph optimizer does it: the largest value folded (TF's
# limit), and the ops whose value is their input's static shape once that is known.
_FOLD_MAX_BYTES = 10 * 1024 * 1024
_SHAPE_TYPES = frozenset({"Shape", "Size", "Rank"})


def _static_shape_value(op: Operation):
    """The value of a Shape, Size or Rank op whose input has a fully defined static
    shape (shape inference guarantees it at run time, feeds included), else None."""
    dims = op._inputs[0]._shape._dims
    if dims is None or (op._type != "Rank" and None in dims):
        return None
    if op._type == "Rank":
        return np.array(len(dims), np.int32)
    np_dtype = op._attrs["out_type"].np_dtype
    if op._type == "Shape":
        return np.array(dims, np_dtype)
    return np.array(int(np.prod(dims, dtype=np.int64)), np_dtype)


def _fold_constants(ordered: list[Operation], fed: set, ctx):
    """The values of the outputs that are the same at every run, computed once here:
    constants, the static shapes of tensors (`_SHAPE_TYPES`), and the outputs of pure
    ops (`_is_pure`, no reference inputs, no control inputs) whose inputs are all such
    values. A value over `_FOLD_MAX_BYTES`, or an op whose kernel fails, is left to run
    (its error surfaces at run time). Folded values are frozen: runs share them.

    Returns ({tensor: value}, {folded op: anchors}). As in TF, where a materialized
    shape keeps a control dependency on the shaped tensor's op, a folded value's
    anchors are the ops whose static shapes it used: they still run (reading an
    uninitialized variable still fails), though their values are not needed for it."""
    values: dict[Tensor, object] = {}
    anchors: dict[Operation, tuple[Operation, ...]] = {}
    cache: dict = {}
    known = values.__contains__
    for op in ordered:
        # (cheap tests first: most ops of a big graph have an input that is not known)
        if op._control_inputs:
            continue  # (a constant with control inputs too: what it waits for must run)
        op_type = op._type
        inputs = op._inputs
        value = None  # (a static shape's)
        if op_type in _SHAPE_TYPES:
            value = _static_shape_value(op)
            if value is None:
                continue
        elif op_type != "Const" and not (inputs and all(map(known, inputs))):
            continue
        outputs = op._outputs
        if not outputs or (fed and any(t in fed for t in outputs)):
            continue
        if op_type == "Const":
            values[outputs[0]] = _bind_kernel(op, ctx)()
            anchors[op] = ()
            continue
        if not _is_pure(op, cache) or any(t._dtype.is_ref_dtype for t in inputs):
            continue
        if value is not None:
            results = [value]
            shaped = inputs[0]._op
            anchored = anchors.get(shaped, (shaped,))
        else:
            try:
                result = _bind_kernel(op, ctx)(*[values[t] for t in inputs])
            except Exception:  # the run will raise it, with its context
                continue
            results = [result] if op._op_def.single_output else list(result)
            anchored = tuple({a: None for t in inputs for a in anchors[t._op]})
        if len(results) != len(outputs) or any(
            getattr(v, "nbytes", 0) > _FOLD_MAX_BYTES for v in results
        ):
            continue
        for t, v in zip(outputs, results):
            values[t] = freeze(v)
        anchors[op] = anchored
    for op in [op for op in anchors if op._type == "Const"]:
        del anchors[op]  # constants are pre-filled anyway
        del values[op._outputs[0]]
    return values, anchors


def _deref_wrapper(fn, positions: tuple[int, ...], op_name: str):
    """Wraps `fn` so the reference inputs at `positions` are read as values."""

    def call(*args):
        args = list(args)
        for p in positions:
            if args[p] is not DEAD:
                args[p] = args[p].read(op_name)
        return fn(*args)

    return call


def _make_step(
    fn, ins: tuple[int, ...], outs: tuple[int, ...], single: bool, dead: tuple[int, ...] = ()
):
    """A closure running `fn` on slots `ins` and storing results in slots `outs`
    (-1 = discard), then freeing the slots `dead` (values no later step reads). `single`:
    `fn` returns one value rather than a sequence. The common shapes (one output, up to
    three inputs, at most one slot to free) get closures of their own: a run is a loop
    of these calls, and for small ops the call is most of the time."""
    n = len(ins)
    o = outs[0] if single and outs else -1
    if single and o >= 0 and n == 2 and len(dead) == 2:  # a binary op on two temporaries
        a, b = ins
        d, e = dead

        def step(v):
            v[o] = fn(v[a], v[b])
            v[d] = v[e] = None

        return step
    if single and o >= 0 and n <= 3 and len(dead) <= 1:
        if dead:
            (d,) = dead
            if n == 0:

                def step(v):
                    v[o] = fn()
                    v[d] = None

            elif n == 1:
                (a,) = ins

                def step(v):
                    v[o] = fn(v[a])
                    v[d] = None

            elif n == 2:
                a, b = ins

                def step(v):
                    v[o] = fn(v[a], v[b])
                    v[d] = None

            else:
                a, b, c = ins

                def step(v):
                    v[o] = fn(v[a], v[b], v[c])
                    v[d] = None

        elif n == 0:

            def step(v):
                v[o] = fn()

        elif n == 1:
            (a,) = ins

            def step(v):
                v[o] = fn(v[a])

        elif n == 2:
            a, b = ins

            def step(v):
                v[o] = fn(v[a], v[b])

        else:
            a, b, c = ins

            def step(v):
                v[o] = fn(v[a], v[b], v[c])

        return step
    if single:
        if o >= 0:

            def general(v):
                v[o] = fn(*[v[i] for i in ins])
                for d in dead:
                    v[d] = None

        else:

            def general(v):
                fn(*[v[i] for i in ins])
                for d in dead:
                    v[d] = None

        return general
    pairs = tuple((k, s) for k, s in enumerate(outs) if s >= 0)

    def multi(v):
        result = fn(*[v[i] for i in ins])
        for k, s in pairs:
            v[s] = result[k]
        for d in dead:
            v[d] = None

    return multi


_SWITCH_TYPES = frozenset({"Switch", "RefSwitch"})
_PLACEHOLDER_TYPES = frozenset({"Placeholder", "PlaceholderV2"})
# Ops with no inputs whose kernel returns the same object at every run of a session.
_CONSTANT_TYPES = frozenset({"Const", "VariableV2"})
_MERGE_TYPES = frozenset({"Merge", "RefMerge"})


def _make_dead_step(fn, ins, outs, single: bool, ctrl_live, live: int, is_merge: bool):
    """A step for an op that may receive dead values (downstream of a Switch): it does
    not run when an input or a control input is dead and then marks its outputs dead.
    A Merge runs unless all its inputs are dead."""
    out_slots = tuple(s for s in outs if s >= 0)

    def step(v):
        dead = False
        for c in ctrl_live:
            if v[c] is DEAD:
                dead = True
                break
        if not dead:
            args = [v[i] for i in ins]
            if is_merge:
                dead = all(a is DEAD for a in args)
            else:
                dead = any(a is DEAD for a in args)
        if dead:
            for s in out_slots:
                v[s] = DEAD
            v[live] = DEAD
            return
        result = fn(*args)
        if single:
            if outs and outs[0] >= 0:
                v[outs[0]] = result
        else:
            for k, s in enumerate(outs):
                if s >= 0:
                    v[s] = result[k]
        v[live] = True

    return step


def _make_snapshot(src: int, dst: int, tensor: Tensor):
    """Checks the reference in slot `src` (a fetched variable) right after its op runs,
    as TF's _Retval does (so fetching an uninitialized variable fails there), and keeps
    the cell in slot `dst`: its value is read when the run ends. TF's fetched ref tensor
    aliases the variable's buffer, so `sess.run([train_op, global_step])` returns the
    value after the run's in-place updates; reading at the end gives the same."""
    retval = f"_retval_{tensor.op.name}_{tensor.value_index}_0"

    def snapshot(v):
        ref = v[src]
        if ref is not DEAD:
            ref.read(retval)
        v[dst] = ref

    return snapshot


def _make_free(slots: tuple[int, ...]):
    def free(v):
        for s in slots:
            v[s] = None

    return free


class ExecutionPlan:
    """The compiled form of one `Session.run` signature."""

    __slots__ = (
        "feed_slots",
        "feed_tensors",
        "fetch_slots",
        "fetch_tensors",
        "has_dead",
        "mutation_count",
        "n_slots",
        "ops",
        "ref_fetches",
        "step_ops",
        "steps",
        "template",
    )

    def __init__(
        self,
        graph,
        fetch_tensors: list[Tensor],
        target_ops: list[Operation],
        feed_tensors: list[Tensor],
        ctx: KernelContext,
    ) -> None:
        # Building a plan allocates a burst of closures and tuples that all survive; the
        # cyclic GC would rescan the whole graph over and over meanwhile (it doubled the
        # time to initialize 5,000 variables), so it pauses, as `timeit` does.
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(graph, fetch_tensors, target_ops, feed_tensors, ctx)
        finally:
            if gc_enabled:
                gc.enable()

    def _build(self, graph, fetch_tensors, target_ops, feed_tensors, ctx) -> None:
        self.mutation_count = graph._mutation_count
        self.fetch_tensors = fetch_tensors
        self.feed_tensors = feed_tensors
        fed = set(feed_tensors)

        # 1. prune to what the fetches and targets need; then fold what is constant
        # (values known when the plan is built) and prune again above the folded ops.
        needed = _prune(fetch_tensors, target_ops, fed, {})
        folded: dict[Tensor, object] = {}
        anchors: dict[Operation, tuple] = {}
        self.has_dead = any(op._type in _SWITCH_TYPES for op in needed)
        if not self.has_dead:
            keep_ops = {t._op for t in fetch_tensors}
            keep_ops.update(target_ops)
            needed = _drop_unused_pure_ops(needed, keep_ops)
        ordered = _order(needed)
        if not self.has_dead:
            folded, anchors = _fold_constants(ordered, fed, ctx)
            if folded:
                needed = _prune(fetch_tensors, target_ops, fed, anchors)
                for op in needed:
                    keep_ops.update(anchors.get(op, ()))
                needed = _drop_unused_pure_ops(needed, keep_ops)
                ordered = [op for op in ordered if op in needed]  # (still topological)
        self.ops = ordered

        # 2. slots for every value that is fed, consumed or fetched, and (3.) the last use
        # of every slot, so dead values are freed during the run.
        slot_of: dict[Tensor, int] = {}

        def slot(t: Tensor) -> int:
            s = slot_of.get(t)
            if s is None:
                s = slot_of[t] = len(slot_of)
            return s

        self.feed_slots = tuple(slot(t) for t in feed_tensors)
        # An Identity of a value (not of a reference: reading a variable is a step) is no
        # step: its output shares its input's slot. It keeps its place in the order, so
        # what its control inputs order still comes after them.
        aliased: set[Operation] = set()
        last_use: dict[int, int] = {}
        for i, op in enumerate(ordered):
            if folded and op in anchors:
                continue  # (its value is in the template: its inputs are not read)
            for t in op._inputs:
                s = slot_of.get(t)
                if s is None:
                    s = slot_of[t] = len(slot_of)
                last_use[s] = i
            if (
                op._type == "Identity"
                and not self.has_dead
                and not op._inputs[0]._dtype.is_ref_dtype
                and op._outputs[0] not in slot_of
            ):
                slot_of[op._outputs[0]] = slot_of[op._inputs[0]]
                aliased.add(op)
        self.fetch_slots = tuple(slot(t) for t in fetch_tensors)
        self.n_slots = len(slot_of)
        # A fetched reference (a variable, an Assign's output) is checked right after its
        # op runs, as TF does, into a slot of its own, and read when the run ends.
        snapshot_of: dict[Tensor, int] = {}
        for t in fetch_tensors:
            if t._dtype.is_ref_dtype and t not in fed and t not in snapshot_of:
                snapshot_of[t] = self.n_slots
                self.n_slots += 1
        if snapshot_of:
            self.fetch_slots = tuple(
                snapshot_of.get(t, s) for t, s in zip(fetch_tensors, self.fetch_slots)
            )
        self.ref_fetches = tuple(k for k, t in enumerate(fetch_tensors) if t in snapshot_of)
        # (Every slot is fed, fetched or read, so each one not kept has a last use.)
        keep = set(self.fetch_slots) | set(self.feed_slots)
        # Values the template holds for every run (constants, variables' cells, folded
        # values) need no freeing: the template keeps them alive anyway.
        for op in ordered:
            if op._type in _CONSTANT_TYPES or op in anchors:
                keep.update(slot_of[t] for t in op._outputs if t in slot_of)
        frees: dict[int, list[int]] = {}
        for s, i in last_use.items():
            if s not in keep:
                frees.setdefault(i, []).append(s)

        # 4. ops downstream of a Switch may see dead values: they get checking steps and a
        # liveness slot (read by ops that have them as control inputs).
        maybe_dead: dict[Operation, int] = {}
        if self.has_dead:
            producers: set[Operation] = set()
            for op in ordered:
                if any(t._op in producers for t in op._inputs) or any(
                    c in producers for c in op._control_inputs
                ):
                    maybe_dead[op] = self.n_slots
                    self.n_slots += 1
                    producers.add(op)
                if op._type in _SWITCH_TYPES:
                    producers.add(op)
            frees = {}  # keep dead markers readable; small graphs, no frees needed

        # 5. bind kernels. Ops whose output never changes within a session (constants, the
        # variables' cells) are run once here: their values start every run's slot list.
        template = [None] * self.n_slots
        steps = []
        step_ops = []
        for i, op in enumerate(ordered):
            if folded and op in anchors:
                for t in op._outputs:
                    out_slot = slot_of.get(t)
                    if out_slot is not None:
                        template[out_slot] = folded[t]
                continue
            if op in aliased or (op._type == "NoOp" and not self.has_dead):
                # (a NoOp only orders: the order already holds it)
                dead = frees.get(i)
                if dead:
                    steps.append(_make_free(tuple(dead)))
                    step_ops.append(op)
                continue
            fn = _bind_kernel(op, ctx)
            if op._type in _CONSTANT_TYPES and op not in maybe_dead:
                out_slot = slot_of.get(op._outputs[0])
                if out_slot is not None:
                    template[out_slot] = fn()
                snap = snapshot_of.get(op._outputs[0])
                if snap is not None:
                    steps.append(_make_snapshot(out_slot, snap, op._outputs[0]))
                    step_ops.append(None)
                dead = frees.get(i)
                if dead:
                    steps.append(_make_free(tuple(dead)))
                    step_ops.append(op)
                continue
            inputs = op._inputs
            for t in inputs:
                if t._dtype._base is not t._dtype:  # a reference input: maybe read it
                    deref = tuple(
                        k
                        for k, (t, arg_is_ref) in enumerate(zip(inputs, _input_is_ref(op)))
                        if t._dtype.is_ref_dtype and not arg_is_ref
                    )
                    if deref:
                        if op._type == "Identity" and len(inputs) == 1:
                            name = op._name
                            fn = lambda cell, name=name: cell.read(name)  # noqa: E731
                        else:
                            fn = _deref_wrapper(fn, deref, op._name)
                    break
            ins = tuple([slot_of[t] for t in inputs])
            outputs = op._outputs
            # (a fed output keeps its fed value: the op may run for its other outputs
            # or for a control dependency)
            if len(outputs) == 1:
                out_slot = slot_of.get(outputs[0])
                outs = (-1 if out_slot is None or outputs[0] in fed else out_slot,)
            else:
                outs = tuple(-1 if t in fed else slot_of.get(t, -1) for t in outputs)
                while outs and outs[-1] < 0 and len(outs) > 1:
                    outs = outs[:-1]
            single = op._op_def.single_output or not outputs
            live = maybe_dead.get(op) if maybe_dead else None
            if live is not None:
                ctrl_live = tuple(maybe_dead[c] for c in op._control_inputs if c in maybe_dead)
                steps.append(
                    _make_dead_step(
                        fn, ins, outs, single, ctrl_live, live, op._type in _MERGE_TYPES
                    )
                )
            else:
                # (the op's dead inputs are freed in its step, unless a snapshot of its
                # output comes between)
                snapshots = [t for t in op._outputs if t in snapshot_of]
                dead = () if snapshots else tuple(frees.pop(i, ()))
                steps.append(_make_step(fn, ins, outs, single, dead))
            step_ops.append(op)
            for t in op._outputs:
                snap = snapshot_of.get(t)
                if snap is not None:
                    steps.append(_make_snapshot(slot_of[t], snap, t))
                    step_ops.append(None)
            dead = frees.get(i)
            if dead:
                steps.append(_make_free(tuple(dead)))
                step_ops.append(op)
        self.steps = tuple(steps)
        self.step_ops = tuple(step_ops)
        self.template = template

    def run(self, feed_values) -> list:
        """Runs the plan; `feed_values` are already converted, in `feed_tensors` order.
        Returns the raw values of `fetch_tensors`."""
        vals = self.template.copy()
        for s, value in zip(self.feed_slots, feed_values):
            vals[s] = value
        i = 0
        try:
            for i, step in enumerate(self.steps):  # noqa: B007 - i names the failing op
                step(vals)
        except Exception as e:
            raise _as_op_error(e, self.step_ops[i]) from e
        out = [vals[s] for s in self.fetch_slots]
        for k in self.ref_fetches:
            if out[k] is not DEAD:
                out[k] = out[k].value
        if self.has_dead:
            for k, value in enumerate(out):
                if value is DEAD:
                    raise errors.InvalidArgumentError(
                        None, self.fetch_tensors[k].op, f"Retval[{k}] does not have value"
                    )
        return out


def _input_is_ref(op: Operation) -> list[bool]:
    """For each flat input of `op`, whether its OpDef argument is a reference."""
    out: list[bool] = []
    attrs = op._attrs
    for arg in op._op_def.inputs:
        if arg.number_attr is not None:
            out.extend([arg.is_ref] * attrs[arg.number_attr])
        elif arg.type_list_attr is not None:
            out.extend([arg.is_ref] * len(attrs[arg.type_list_attr]))
        else:
            out.append(arg.is_ref)
    return out


def _bind_kernel(op: Operation, ctx: KernelContext):
    op_def = op._op_def
    if op_def.make_kernel is not None:
        return op_def.make_kernel(op, ctx)
    if op_def.kernel is not None:
        return op_def.kernel
    raise errors.UnimplementedError(
        None,
        op,
        f"tfgraph has no kernel for op type '{op._type}' (node {op._name}); it can be built "
        "and exported but not run.",
    )


def _as_op_error(e: Exception, op: Operation | None) -> errors.OpError:
    if isinstance(e, errors.OpError) and op is None:
        return e
    if op is None:
        return errors.InternalError(None, None, f"{type(e).__name__}: {e}")
    if isinstance(e, errors.OpError):
        if e._op is None:
            e._op = op
            if "[[{{node" not in e._message:
                e._message += f"\n\t [[{{{{node {op._name}}}}}]]"
                e.args = (e._message,)
        return e
    cls = _ERROR_CLASSES.get(type(e))
    if cls is None:
        cls = next(
            (c for base, c in _ERROR_CLASSES.items() if isinstance(e, base)), errors.UnknownError
        )
    message = f"{op._type} op '{op._name}' failed: {e}\n\t [[{{{{node {op._name}}}}}]]"
    return cls(None, op, message)


def fetch_value(value):
    """A fetched value as TF returns it: numpy scalars for 0-d, a private copy for values
    the session keeps (variables, constants)."""
    cls = value.__class__
    if cls is np.ndarray:
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable:
            return value.copy()
        return value
    return value
