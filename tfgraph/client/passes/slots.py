"""Slots: an index in a run's flat value list for every value a run holds."""

from __future__ import annotations

from tfgraph.framework.ops import Operation, Tensor

__all__ = ["Slots", "assign_slots"]


class Slots:
    """Where a plan keeps each value: `slot_of` maps a tensor to its slot; ops in
    `aliased` forward their input and share its slot (they are no step); a fetched
    reference is read into a slot of its own (`snapshot_of`) right after its op runs;
    an op that may see dead values has a liveness slot (`live_of`).

    In TF a read of a variable (an Identity of its reference, `v/read`) aliases the
    variable's buffer, which updates change in place, so what an op reads is the
    variable's value when that op runs. An op the plan orders after an update of the
    variable it reads (`with control_dependencies([assign]): y = v * 2`) therefore
    reads the variable's cell when it runs (`lazy_inputs`: {op: {input position: the
    cell's slot}}); others take the read's value, as TF's executor, which runs them as
    soon as they are ready, gives them. A fetched read is the value at the end of the
    run, like a fetched variable."""

    __slots__ = (
        "aliased",
        "feed_slots",
        "fetch_slots",
        "lazy_inputs",
        "live_of",
        "n_slots",
        "ref_fetches",
        "slot_of",
        "snapshot_of",
    )

    def __init__(self) -> None:
        self.slot_of: dict[Tensor, int] = {}
        self.aliased: set[Operation] = set()
        self.lazy_inputs: dict[Operation, dict[int, int]] = {}
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
            # (a forwarded read of a variable that waits for something is a step: it may
            # have to read the variable late, see `_lazy_inputs`)
            and not (op._control_inputs and inputs[0]._op._op_def.forwards_input)
        ):
            slot_of[op._outputs[0]] = slot_of[inputs[0]]
            slots.aliased.add(op)
    reads = _variable_reads(ordered, slot_of, excluded)
    if reads:
        slots.lazy_inputs = _lazy_inputs(ordered, reads, slot_of, excluded)
    fetch_slots = [reads[t] if t in reads and t not in fed else slots.new(t) for t in fetch_tensors]
    n = len(slot_of)
    # A fetched reference (a variable, an Assign's output) is checked right after its op
    # runs, as TF does, into a slot of its own, and read when the run ends.
    for t in fetch_tensors:
        if t._dtype.is_ref_dtype and t not in fed and t not in slots.snapshot_of:
            slots.snapshot_of[t] = n
            n += 1
    snapshot_of = slots.snapshot_of
    slots.fetch_slots = tuple(snapshot_of.get(t, s) for t, s in zip(fetch_tensors, fetch_slots))
    slots.ref_fetches = tuple(
        k for k, t in enumerate(fetch_tensors) if t in snapshot_of or (t in reads and t not in fed)
    )
    for op in region:
        slots.live_of[op] = n
        n += 1
    slots.n_slots = n
    return slots


def _variable_reads(ordered, slot_of: dict, excluded: set) -> dict[Tensor, int]:
    """{a read of a variable (its `forwards_input` op on the variable's reference, and
    value-forwarding ops of such a read): the slot of the variable's cell}."""
    reads: dict[Tensor, int] = {}
    for op in ordered:
        if not op._op_def.forwards_input or len(op._inputs) != 1 or op in excluded:
            continue
        source, out = op._inputs[0], op._outputs[0]
        if out._dtype.is_ref_dtype:
            continue
        if source._dtype.is_ref_dtype and source in slot_of:
            reads[out] = slot_of[source]
        elif source in reads:
            reads[out] = reads[source]
    return reads


def _lazy_inputs(ordered, reads: dict, slot_of: dict, excluded: set) -> dict:
    """{op: {input position: cell slot}} for the ops that read a variable the plan
    updates before them (see `Slots`). One pass in order: each op's mask holds the
    cells updated upstream of it (data and control edges)."""
    cells = set(reads.values())
    mask_of: dict[Operation, int] = {}
    lazy: dict[Operation, dict[int, int]] = {}
    for op in ordered:
        mask = 0
        for t in op._inputs:
            mask |= mask_of.get(t._op, 0)
        for c in op._control_inputs:
            mask |= mask_of.get(c, 0)
        if mask and op not in excluded and op._op_def.control_flow is None:
            for k, t in enumerate(op._inputs):
                cell = reads.get(t)
                if cell is not None and mask >> cell & 1:
                    lazy.setdefault(op, {})[k] = cell
        for t, is_ref in zip(op._inputs, op._op_def.flat_ref_flags(op._attrs)):
            if is_ref and t._dtype.is_ref_dtype:
                cell = slot_of.get(t)
                if cell is not None and cell in cells:
                    mask |= 1 << cell  # (op updates that variable in place)
        if mask:
            mask_of[op] = mask
    return lazy
