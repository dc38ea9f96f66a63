"""Slots: an index in a run's flat value list for every value a run holds."""

from __future__ import annotations

from tfgraph.framework.ops import Operation, Tensor

__all__ = ["Slots", "assign_slots"]


class Slots:
    """Where a plan keeps each value: `slot_of` maps a tensor to its slot; ops in
    `aliased` forward their input and share its slot (they are no step); a fetched
    reference is read into a slot of its own (`snapshot_of`) right after its op runs;
    an op that may see dead values has a liveness slot (`live_of`)."""

    __slots__ = (
        "aliased",
        "feed_slots",
        "fetch_slots",
        "live_of",
        "n_slots",
        "ref_fetches",
        "slot_of",
        "snapshot_of",
    )

    def __init__(self) -> None:
        self.slot_of: dict[Tensor, int] = {}
        self.aliased: set[Operation] = set()
        self.feed_slots: tuple[int, ...] = ()
        self.fetch_slots: tuple[int, ...] = ()
        self.snapshot_of: dict[Tensor, int] = {}
        self.ref_fetches: tuple[int, ...] = ()
        self.live_of: dict[Operation, int] = {}
        self.n_slots = 0

    def new(self, t: Tensor) -> int:
        s = self.slot_of.get(t)
        if s is None:
            s = self.slot_of[t] = len(self.slot_of)
        return s


def assign_slots(
    ordered: list[Operation],
    feed_tensors: list[Tensor],
    fetch_tensors: list[Tensor],
    fed: set,
    anchors: dict,
    region: list[Operation],
) -> Slots:
    """Slots for every value that is fed, read or fetched by the ops `ordered` (folded
    ops, keys of `anchors`, read nothing: their values are in the plan's template).

    An op with the `forwards_input` trait whose input is a value (not a reference:
    reading a variable is a step) and that may not see dead values (not in `region`)
    shares its input's slot. It keeps its place in the order, so what its control
    inputs order still comes after them."""
    slots = Slots()
    slot_of = slots.slot_of
    slots.feed_slots = tuple(slots.new(t) for t in feed_tensors)
    excluded = set(region)
    for op in ordered:
        if op in anchors:
            continue
        inputs = op._inputs
        for t in inputs:
            if t not in slot_of:
                slot_of[t] = len(slot_of)
        if (
            op._op_def.forwards_input
            and len(inputs) == 1
            and not inputs[0]._dtype.is_ref_dtype
            and op._outputs[0] not in slot_of
            and op not in excluded
        ):
            slot_of[op._outputs[0]] = slot_of[inputs[0]]
            slots.aliased.add(op)
    fetch_slots = [slots.new(t) for t in fetch_tensors]
    n = len(slot_of)
    # A fetched reference (a variable, an Assign's output) is checked right after its op
    # runs, as TF does, into a slot of its own, and read when the run ends.
    for t in fetch_tensors:
        if t._dtype.is_ref_dtype and t not in fed and t not in slots.snapshot_of:
            slots.snapshot_of[t] = n
            n += 1
    snapshot_of = slots.snapshot_of
    slots.fetch_slots = tuple(snapshot_of.get(t, s) for t, s in zip(fetch_tensors, fetch_slots))
    slots.ref_fetches = tuple(k for k, t in enumerate(fetch_tensors) if t in snapshot_of)
    for op in region:
        slots.live_of[op] = n
        n += 1
    slots.n_slots = n
    return slots
