"""Liveness: where each slot's value dies, so the step that last reads it frees it."""

from __future__ import annotations

from tfgraph.client.passes.slots import Slots
from tfgraph.framework.ops import Operation

__all__ = ["frees"]


def frees(
    ordered: list[Operation], slots: Slots, anchors: dict, sums: list | None = None
) -> dict[int, list[int]]:
    """{position in `ordered`: the slots no later op reads}. Fed and fetched slots are
    kept, and so are values the plan's template holds for every run (constants, the
    variables' cells, folded values): the template keeps them alive anyway. (Plans with
    loops free nothing: an iteration reads its values again.) The products of `sums`
    (products.py) read nothing: their sum's step reads their operands."""
    slot_of = slots.slot_of
    reads: dict[Operation, list] = {}
    for group in sums or ():
        reads[group.total] = group.operands()
        reads.update((p, []) for p in group.products)
    last_use: dict[int, int] = {}
    keep = set(slots.fetch_slots)
    keep.update(slots.feed_slots)
    for i, op in enumerate(ordered):
        if op in anchors or op._op_def.constant or op._op_def.variable:
            for t in op._outputs:
                s = slot_of.get(t)
                if s is not None:
                    keep.add(s)
            if op in anchors:
                continue  # (a folded op reads nothing)
        for t in reads.get(op, op._inputs):
            last_use[slot_of[t]] = i
    out: dict[int, list[int]] = {}
    for s, i in last_use.items():
        if s not in keep:
            out.setdefault(i, []).append(s)
    return out
