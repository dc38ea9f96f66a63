"""Renumbering: slots whose values have died are used again, lowest number first.

`assign_slots` gives every value a slot of its own, so a plan of 20,000 ops runs on a
list of 20,000 slots, copied from the template and dropped at every run, and each of
its steps holds slot numbers that are all different int objects (Python shares only
those up to 256). Renumbered, a plan of tiny ops keeps a few dozen slots: the list is
small, and the numbers its steps hold are the interpreter's shared small ints, which
stay in cache (a plan's steps are otherwise each a few cache lines the run has to
fetch).

A value is live from its op's step to the step where it dies (`frees`); a number freed
at a step is given again only to values of later steps. Ops run by another op's step
(a fused chain, a convolution with its epilogue, the products of a product sum) make
and free their values at that step. Values the plan's template holds (constants,
variables' cells, folded values) and fed, fetched and snapshotted values keep their
numbers for the whole run. Plans with loops or dead values are left as they are.
`TFGRAPH_RENUMBER=0` turns it off.
"""

from __future__ import annotations

import heapq
import os

from tfgraph.client.passes.slots import Slots

__all__ = ["ENABLED", "renumber_slots"]

ENABLED = os.environ.get("TFGRAPH_RENUMBER", "1") != "0"


def renumber_slots(ordered, slots: Slots, dead_after: dict, step_at: dict, anchors) -> dict:
    """Renumbers `slots` in place (see above) and returns `dead_after` in the new numbers.
    `step_at`: {position: the position of the step that runs that op} for grouped ops."""
    if slots.live_of:
        return dead_after
    slot_of = slots.slot_of
    kept = set(slots.feed_slots)  # (numbered after the others: they are never freed)
    kept.update(slots.snapshot_of.values())
    defs: dict[int, list[int]] = {}
    frees: dict[int, list[int]] = {}
    for i, op in enumerate(ordered):
        outs = [slot_of[t] for t in op._outputs if t in slot_of]
        at = step_at.get(i, i)
        if i in dead_after:
            frees.setdefault(at, []).extend(dead_after[i])
        if op in anchors or op._op_def.constant or op._op_def.variable:
            kept.update(outs)
        else:
            defs.setdefault(at, []).extend(s for s in outs if s not in kept)
    new: dict[int, int] = {}
    free: list[int] = []
    top = 0
    for i in sorted(defs.keys() | frees.keys()):
        for s in defs.get(i, ()):
            if s not in new:  # (an aliased op's value shares its input's slot)
                if free:
                    new[s] = heapq.heappop(free)
                else:
                    new[s] = top
                    top += 1
        for s in frees.get(i, ()):
            if s in new:
                heapq.heappush(free, new[s])
    for s in sorted(set(slot_of.values()) | kept):  # (the template's, fed, kept: at the end)
        if s not in new:
            new[s] = top
            top += 1
    _rewrite(slots, new, top)
    return {i: [new[s] for s in dead] for i, dead in dead_after.items()}


def _rewrite(slots: Slots, new: dict, n_slots: int) -> None:
    """`slots` in the new numbers."""
    for t, s in slots.slot_of.items():
        slots.slot_of[t] = new[s]
    slots.feed_slots = tuple(new[s] for s in slots.feed_slots)
    slots.fetch_slots = tuple(new[s] for s in slots.fetch_slots)
    for t, s in slots.snapshot_of.items():
        slots.snapshot_of[t] = new[s]
    for cells in slots.lazy_inputs.values():
        for k, s in cells.items():
            cells[k] = new[s]
    slots.n_slots = n_slots
