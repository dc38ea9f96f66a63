"""Scheduling: a deterministic topological order of the needed ops."""

from __future__ import annotations

import heapq

from tfgraph import errors
from tfgraph.framework.ops import Operation

__all__ = ["order"]


def order(needed: set[Operation]) -> list[Operation]:
    """`needed` in topological order, ties broken by op id (creation order): creation
    order itself when it is topological (the common case, checked in one pass), else
    Kahn's algorithm."""
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
