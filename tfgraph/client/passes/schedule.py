"""Scheduling: a deterministic topological order of the needed ops."""

from __future__ import annotations

import heapq

from tfgraph import errors
from tfgraph.framework.ops import Operation

__all__ = ["kahn", "order"]


def order(needed: set[Operation], frame_of: dict | None = None) -> list[Operation]:
    """`needed` in topological order, ties broken by op id (creation order): creation
    order itself when it is topological (the common case, checked in one pass), else
    Kahn's algorithm. With loops (`frame_of`, see frames.py), each frame's ops come in
    one block, in order without its back edges, after what its Enters read."""
    if frame_of:
        return _order_level(None, needed, frame_of)
    ops = sorted(needed, key=lambda o: o._id)
    for op in ops:
        oid = op._id
        for t in op._inputs:
            if t._op._id >= oid and t._op in needed:
                return kahn(needed)
        for c in op._control_inputs:
            if c._id >= oid and c in needed:
                return kahn(needed)
    return ops


def kahn(needed: set[Operation], skip_edge=None) -> list[Operation]:
    """Kahn's algorithm over `needed`, ready ops by id; `skip_edge(producer, consumer)`
    leaves data edges out (a loop's back edges)."""
    pending: dict[Operation, int] = {}
    users: dict[Operation, list[Operation]] = {op: [] for op in needed}
    for op in needed:
        preds = {
            t._op
            for t in op._inputs
            if t._op in needed and (skip_edge is None or not skip_edge(t._op, op))
        }
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
        for pu in preds:
            users[pu].add(u)
    ready = [(first_id[u], k, u) for k, u in enumerate(units) if pending[u] == 0]
    heapq.heapify(ready)
    ids = {u: k for k, u in enumerate(units)}
    out: list[Operation] = []
    done = 0
    while ready:
        _, _, u = heapq.heappop(ready)
        done += 1
        if isinstance(u, Operation):
            out.append(u)
        else:
            out.extend(_order_level(u, set(units[u]), frame_of))
        for w in users[u]:
            pending[w] -= 1
            if pending[w] == 0:
                heapq.heappush(ready, (first_id[w], ids[w], w))
    if done != len(units):
        stuck = [u for u in units if pending[u] > 0]
        raise errors.InvalidArgumentError(
            None, None, f"Graph has a cycle through {stuck[:5]} outside a loop's back edge"
        )
    return out
