"""Control flow: which ops may see dead values.

A Switch forwards its data to one output; the other output is dead. Ops downstream
of a Switch, through data or control edges, may therefore receive dead values: they
skip their kernel and pass deadness on (a Merge runs unless all its inputs are dead).
Only those ops get dead-checking steps (lower.py); the rest of the plan is folded,
aliased and freed as usual.

A cond's Merge joins its two branches, one of which is live whenever the cond's own
inputs are: what follows it is live again. So each value carries the condition under
which it is live, a conjunction of (predicate, branch) literals (the predicate
followed back through Identity ops, since TF1's cond switches its pivot on `pred` and
its data on `Identity(pred)`): a Switch's output adds its branch to its input's, an op
takes the union of its inputs' (control inputs too), and a Merge whose inputs are
A + (p, false) and A + (p, true) is live under A. A Merge whose inputs do not combine
so stays possibly dead, and so does everything after it. Ops live under the empty
condition are not in the region. Plans with loops keep the simple rule (everything
downstream of a Switch).
"""

from __future__ import annotations

from tfgraph.framework.ops import Operation

__all__ = ["dead_region"]

_ALWAYS: frozenset = frozenset()
_LOOP_ROLES = frozenset({"enter", "exit", "next_iteration", "loop_cond"})


def dead_region(ordered: list[Operation]) -> list[Operation]:
    """The ops of `ordered` (a topological order) that may see dead values, in order."""
    if any(op._op_def.control_flow in _LOOP_ROLES for op in ordered):
        return _downstream_of_switches(ordered)
    live: dict = {}  # tensor -> its liveness condition (absent: always live)
    ran: dict = {}  # op -> the condition under which it runs
    region: list[Operation] = []
    for op in ordered:
        ins = [live.get(t, _ALWAYS) for t in op._inputs]
        controls = frozenset().union(*(ran.get(c, _ALWAYS) for c in op._control_inputs))
        role = op._op_def.control_flow
        if role == "merge":
            if not any(ins) and not controls:
                continue
            region.append(op)
            out = _either(ins, op) | controls
            ran[op] = out
            for t in op._outputs:
                live[t] = out
            continue
        cond = controls.union(*ins)
        if cond:
            region.append(op)
            ran[op] = cond
        if role == "switch":
            pred = _source(op._inputs[1])
            for branch, t in enumerate(op._outputs[:2]):
                live[t] = cond | {(pred, branch)}
        elif cond:
            for t in op._outputs:
                live[t] = cond
    return region


def _either(conditions: list, merge: Operation) -> frozenset:
    """The condition under which at least one of `conditions` holds, if it is one
    conjunction; else a literal of the Merge's own (possibly dead)."""
    unique = set(conditions)
    if _ALWAYS in unique:
        return _ALWAYS
    if len(unique) == 1:
        return unique.pop()
    if len(unique) == 2:
        a, b = unique
        da, db = a - b, b - a
        if len(da) == 1 and len(db) == 1:
            ((pa, ba),) = da
            ((pb, bb),) = db
            if pa is pb and ba != bb:
                return a & b
    return frozenset({(merge, -1)})


def _source(t):
    """The tensor `t` forwards (through Identity-like ops)."""
    while t._op._op_def.forwards_input and t._op._inputs:
        t = t._op._inputs[0]
    return t


def _downstream_of_switches(ordered: list[Operation]) -> list[Operation]:
    producers: set[Operation] = set()
    region: list[Operation] = []
    for op in ordered:
        if producers and (
            any(t._op in producers for t in op._inputs)
            or any(c in producers for c in op._control_inputs)
        ):
            region.append(op)
            producers.add(op)
        if op._op_def.control_flow == "switch":
            producers.add(op)
    return region
