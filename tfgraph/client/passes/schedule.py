"""Scheduling: a deterministic topological order of the needed ops.

Ops come in creation order where edges allow, with one exception that TF's executor
makes: it runs every op as soon as its inputs are ready, so an op that reads state
(a variable, through `v/read` or a ReadVariableOp) and depends on nothing that writes
state runs at the start of a step, before the step's updates, even when it was made
after them (the global step read of TF's hooks, made after the train op; an accuracy
made after `minimize`, fetched with it). Such ops are therefore ordered before every
op that may write state (see `writes_state`) and what depends on one.
"""

from __future__ import annotations

import heapq

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.ops import Operation

__all__ = ["kahn", "order", "writes_state"]


def writes_state(op: Operation) -> bool:
    """Whether running `op` may change state that other ops read: it takes a reference
    (other than through a control-flow or forwarding op: RefSwitch, RefIdentity) or a
    resource, and its op is not one that only reads them (the `reads_state` trait)."""
    op_def = op._op_def
    if op_def.reads_state or op_def.control_flow is not None or op_def.forwards_input:
        return False
    if op_def.has_ref_inputs:
        for t, is_ref in zip(op._inputs, op_def.flat_ref_flags(op._attrs)):
            if is_ref and t._dtype.is_ref_dtype:
                return True
    return any(t._dtype is dtypes.resource for t in op._inputs)


def order(needed: set[Operation], frame_of: dict | None = None) -> list[Operation]:
    """`needed` in topological order, ties broken by op id (creation order), with the
    ops that depend on no state write before those that do (see the module docstring):
    creation order itself when that is it (the common case, checked in one pass), else
    Kahn's algorithm. With loops (`frame_of`, see frames.py), each frame's ops come in
    one block, in order without its back edges, after what its Enters read."""
    if frame_of:
        return _order_level(None, needed, frame_of)
    ops = sorted(needed, key=lambda o: o._id)
    after_write: set[Operation] = set()  # (ops that write state, or depend on one)
    hoist = False  # (an op that depends on no write comes after one that does)
    for op in ops:
        oid = op._id
        late = False
        for t in op._inputs:
            p = t._op
            if p in needed:
                if p._id >= oid:
                    return kahn(needed, reads_first=True)
                late = late or p in after_write
        for c in op._control_inputs:
            if c in needed:
                if c._id >= oid:
                    return kahn(needed, reads_first=True)
                late = late or c in after_write
        if late or writes_state(op):
            after_write.add(op)
        elif after_write:
            hoist = True
    if hoist:  # (a stable partition: still topological)
        return [op for op in ops if op not in after_write] + [op for op in ops if op in after_write]
    return ops


def kahn(needed: set[Operation], skip_edge=None, reads_first: bool = False) -> list[Operation]:
    """Kahn's algorithm over `needed`, ready ops by id; `skip_edge(producer, consumer)`
    leaves data edges out (a loop's back edges). `reads_first`: ready ops that depend
    on no state write (`writes_state`) before those that do."""
    pending: dict[Operation, int] = {}
    users: dict[Operation, list[Operation]] = {op: [] for op in needed}
    preds_of: dict[Operation, set[Operation]] = {}
    for op in needed:
        preds = {
            t._op
            for t in op._inputs
            if t._op in needed and (skip_edge is None or not skip_edge(t._op, op))
        }
        preds.update(c for c in op._control_inputs if c in needed)
        pending[op] = len(preds)
        preds_of[op] = preds
        for p in preds:
            users[p].append(op)
    after_write: set[Operation] = set()

    def key(op) -> tuple:
        if not reads_first:
            return (0, op._id)
        if writes_state(op) or not after_write.isdisjoint(preds_of[op]):
            after_write.add(op)
            return (1, op._id)
        return (0, op._id)

    ready = [(*key(op), op) for op, n in pending.items() if n == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        *_, op = heapq.heappop(ready)
        out.append(op)
        for u in users[op]:
            pending[u] -= 1
            if pending[u] == 0:
                heapq.heappush(ready, (*key(u), u))
    if len(out) != len(needed):
        stuck = sorted((op for op in needed if pending[op] > 0), key=lambda o: o._id)
        raise errors.InvalidArgumentError(
            None,
            stuck[0],
            "Graph has a cycle through ops "
            + ", ".join(o.name for o in stuck[:5])
            + " that is not a while loop's (a NextIteration feeding a Merge).",
        )
    return out


def _order_level(level, needed: set[Operation], frame_of: dict) -> list[Operation]:
    """The ops of frame `level` (None: the root) and its nested frames, in order: the
    level's ops and child frames are ordered as units, each child then expanded."""
    from tfgraph.client.passes.frames import is_back_edge

    def unit(op):
        frame = frame_of.get(op)
        while frame is not None and frame.parent is not level:
            frame = frame.parent
        return op if frame is None else frame

    def inside(op) -> bool:
        frame = frame_of.get(op)
        return level is None or (frame is not None and level in frame.ancestors())

    members = [op for op in needed if inside(op)]
    units: dict = {}
    first_id: dict = {}
    for op in members:
        u = unit(op)
        if u is not op or frame_of.get(op) is level:
            units.setdefault(u, []).append(op)
            first_id[u] = min(first_id.get(u, op._id), op._id)
    pending = dict.fromkeys(units, 0)
    users: dict = {u: set() for u in units}
    preds_of: dict = {}
    for u, ops in units.items():
        preds = set()
        for op in ops:
            sources = [t._op for t in op._inputs if not is_back_edge(t._op, op)]
            sources.extend(op._control_inputs)
            for p in sources:
                if p in needed and inside(p):
                    pu = unit(p)
                    if pu is not u and pu in units:
                        preds.add(pu)
        pending[u] = len(preds)
        preds_of[u] = preds
        for pu in preds:
            users[pu].add(u)
    after_write: set = set()

    def key(u) -> tuple:
        # (at the root: units that depend on no state write first, see `order`)
        late = level is None and (
            not after_write.isdisjoint(preds_of[u]) or any(map(writes_state, units[u]))
        )
        if late:
            after_write.add(u)
        return (late, first_id[u], ids[u])

    ids = {u: k for k, u in enumerate(units)}
    ready = [(*key(u), u) for u in units if pending[u] == 0]
    heapq.heapify(ready)
    out: list[Operation] = []
    done = 0
    while ready:
        *_, u = heapq.heappop(ready)
        done += 1
        if isinstance(u, Operation):
            out.append(u)
        else:
            out.extend(_order_level(u, set(units[u]), frame_of))
        for w in users[u]:
            pending[w] -= 1
            if pending[w] == 0:
                heapq.heappush(ready, (*key(w), w))
    if done != len(units):
        stuck = [u for u in units if pending[u] > 0]
        raise errors.InvalidArgumentError(
            None, None, f"Graph has a cycle through {stuck[:5]} outside a loop's back edge"
        )
    return out
