"""Frames: the ops of TF1 while loops, and how a plan runs them.

A loop's ops (Enter ... Exit, see ops/control_flow_ops.py) form a frame; loops nest.
`assign_frames` finds the frame each op runs in, following TF's executor: an Enter
runs in the child frame its `frame_name` names, an Exit hands its value back to the
parent frame, any other op runs in the frame of its inputs. The edge from a
NextIteration back to its Merge is a loop's back edge: ordering leaves it out.

A plan runs a frame as one step (`make_frame_step`) that iterates the frame's own
steps over the run's slot list: at the first iteration each Enter forwards its value
(later only constant Enters do; the others are dead, so each Merge takes its
NextIteration's value from the previous iteration), and the loop ends after the
iteration whose LoopCond is false, in which the Exits receive their values. The body
runs only while the condition holds, so only Merges, Switches, Exits and ops under a
cond inside the loop check for dead values; nested frames are steps of their parent's.
Where every value is live, the loop variables' Merges and Switches, their
NextIterations and forwarding ops (Identity) make no step: the frame step routes their
values itself (`_routes`; in dynamic_rnn's training step they were ~5,000 of ~10,800
steps).
"""

from __future__ import annotations

from tfgraph.client.passes.schedule import kahn
from tfgraph.framework.ops import Operation
from tfgraph.framework.resources import DEAD

__all__ = ["ORDERS_ONLY", "Frame", "FrameBlock", "assign_frames", "is_back_edge", "make_frame_step"]


class Frame:
    """One loop: its name, parent frame (None: the run's root) and the ops that run in
    it directly (nested frames' ops are in theirs)."""

    __slots__ = ("children", "name", "ops", "parent")

    def __init__(self, name: str, parent: Frame | None) -> None:
        self.name = name
        self.parent = parent
        self.ops: list[Operation] = []
        self.children: list[Frame] = []

    def ancestors(self):
        frame = self
        while frame is not None:
            yield frame
            frame = frame.parent

    def __repr__(self) -> str:
        return f"<Frame {self.name!r}>"


def is_back_edge(producer: Operation, consumer: Operation) -> bool:
    """Whether producer -> consumer is a loop's back edge (NextIteration -> Merge)."""
    return (
        producer._op_def.control_flow == "next_iteration"
        and consumer._op_def.control_flow == "merge"
    )


def assign_frames(needed: set[Operation]) -> dict[Operation, Frame]:
    """{op: the frame it runs in} for the ops of `needed` inside loops (ops of the root
    frame are left out: an empty result means the run has no loop)."""
    if not any(op._op_def.control_flow == "enter" for op in needed):
        return {}
    frame_of: dict[Operation, Frame | None] = {}
    children: dict[tuple[int, str], Frame] = {}
    for op in _forward_order(needed):
        frame_of[op] = _frame_of(op, frame_of, children)
    return {op: f for op, f in frame_of.items() if f is not None}


def _frame_of(op: Operation, frame_of: dict, children: dict) -> Frame | None:
    context = None  # (the root)
    for t in op._inputs:
        producer = t._op
        if producer in frame_of and not is_back_edge(producer, op):
            context = _output_context(producer, frame_of[producer])
            break
    else:
        for c in op._control_inputs:
            if c in frame_of:
                context = _output_context(c, frame_of[c])
                break
    if op._op_def.control_flow != "enter":
        return context
    name = op._attrs["frame_name"]
    name = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
    key = (id(context), name)
    child = children.get(key)
    if child is None:
        child = children[key] = Frame(name, context)
        if context is not None:
            context.children.append(child)
    return child


def _output_context(producer: Operation, frame: Frame | None) -> Frame | None:
    """The frame a producer's outputs live in: an Exit's are its parent frame's."""
    if producer._op_def.control_flow == "exit" and frame is not None:
        return frame.parent
    return frame


def _forward_order(needed: set[Operation]) -> list[Operation]:
    """`needed` in a topological order of its edges without back edges (by op id)."""
    return kahn(needed, skip_edge=is_back_edge)


def ORDERS_ONLY(v) -> None:
    """The plain step of a pure op whose values nothing reads (a NoOp; a value only
    control edges wait for): an op running plain is live, and its liveness slot stays
    set for the loop's run, so the frame step leaves it out (as the root's plan drops
    such ops, and TF's grappler does)."""


class FrameBlock:
    """The steps of one frame as lowering makes them (lower.py): for each op, in order,
    a dead-checking step and, where the op can run without checks, a plain one; nested
    frames enter as one step each."""

    __slots__ = (
        "cond",
        "constant_enters",
        "enters",
        "entries",
        "frame",
        "io",
        "next_slots",
        "ops",
        "specs",
        "variable_enters",
    )

    def __init__(self, frame: Frame | None) -> None:
        self.frame = frame
        self.entries: list[tuple] = []  # (op or FrameBlock, checked step, plain step)
        self.ops: list[Operation] = []  # every op of the frame and its nested frames
        self.enters: list[tuple[int, int, bool]] = []
        self.constant_enters: set[Operation] = set()  # (the frame's own)
        self.variable_enters: set[Operation] = set()  # (the frame's own)
        self.next_slots: list[int] = []
        self.cond = -1
        # {op: (input slots, output slots)} of the frame's own ops but Enters, and
        # {op: (kernel, single)} of those whose plain step `make_step` made
        self.io: dict[Operation, tuple] = {}
        self.specs: dict[Operation, tuple] = {}

    def step_op(self, entry) -> Operation | None:
        """The op naming an entry in errors (a nested frame: its first op)."""
        unit = entry[0]
        if isinstance(unit, FrameBlock):
            return unit.entries[0][0] if unit.entries else None
        return unit


# How an op of a frame depends on its loop's Switches (bits): through their false
# outputs (it runs after the loop: the Exits), through their true outputs (the body),
# or downstream of another Switch (a cond inside the loop: it may see dead values).
_AFTER, _BODY, _IN_COND = 1, 2, 4


def _sides(block: FrameBlock, loop_switches: set) -> dict:
    """{op or nested FrameBlock: bits} for the block's entries (see above)."""
    bits_of: dict = {}  # Tensor or Operation -> bits

    def bits_in(op: Operation) -> int:
        b = 0
        for t in op._inputs:
            b |= bits_of.get(t, 0)
        for c in op._control_inputs:
            b |= bits_of.get(c, 0)
        return b

    sides: dict = {}
    for entry in block.entries:
        unit = entry[0]
        if isinstance(unit, FrameBlock):  # (as one op: its Enters' inputs decide)
            b = 0
            for op in unit.ops:
                if op._op_def.control_flow == "enter":
                    b |= bits_in(op)
            members = unit.ops
        else:
            b = bits_in(unit)
            members = [unit]
        sides[unit] = b
        for op in members:
            bits_of[op] = b
            outs: tuple[int, ...]
            if op in loop_switches:
                outs = (b | _AFTER, b | _BODY)
                # (a control edge from a Switch that ran is live, as in TF's executor:
                # a `tuple` of its outputs in a grad loop waits for it every iteration)
                bits_of[op] = b
            elif op._op_def.control_flow == "switch":
                outs = (b | _IN_COND,) * len(op._outputs)
                bits_of[op] = b | _IN_COND
            else:
                outs = (b,) * len(op._outputs)
            for t, tb in zip(op._outputs, outs):
                bits_of[t] = tb
    return sides


def _skipped(block: FrameBlock, sides: dict) -> set:
    """The ops whose plain step is ORDERS_ONLY and that need not run: not under a cond
    inside the loop (they would run checked) and read by no op that runs. (Such an op read
    by one under a cond runs checked, as its reader needs its value.)"""
    runs: set = set()
    skipped: set = set()
    for unit, _, plain in reversed(block.entries):
        if isinstance(unit, FrameBlock):
            runs.update(unit.ops)
        elif (
            plain is ORDERS_ONLY
            and not sides[unit] & _IN_COND
            and not any(c in runs for t in unit._outputs for c in t._consumers)
        ):
            skipped.add(unit)
        else:
            runs.add(unit)
    return skipped


def _invariant(block: FrameBlock, sides: dict, skipped: set) -> set:
    """The body's pure ops whose values are the same at every iteration: constants (a
    loop's constants wait for its pivot) and pure ops of them and of the loop's constant
    Enters (a gradient loop's index arithmetic: ConcatOffset, FloorMod, shapes). Running
    plain, they run at the first iteration only; their slots keep the values."""
    found: set = set()
    constant_enters = block.constant_enters
    for unit, _, plain in block.entries:
        if isinstance(unit, FrameBlock) or unit in skipped or plain in (None, ORDERS_ONLY):
            continue
        op_def = unit._op_def
        if sides[unit] != _BODY or not op_def.is_pure or op_def.control_flow:
            continue
        if all(t._op in found or t._op in constant_enters for t in unit._inputs):
            found.add(unit)
    return found


def _parts(block: FrameBlock, entries: list, sides: dict, skipped: set):
    """The (step, op) pairs of the loop's head, body and after-part as plain running
    makes them from `entries` (every step checked in the head when an op is both in the
    body and after it), and the ops that run checked."""
    head: list = []
    body: list = []
    after: list = []
    checked_ops: list = []
    for entry in entries:
        unit, checked, plain = entry
        if unit in skipped:
            continue
        b = sides[unit]
        needs_check = plain is None or plain is ORDERS_ONLY or b & _IN_COND
        step = checked if needs_check else plain
        if needs_check and not isinstance(unit, FrameBlock):
            checked_ops.append(unit)
        part = after if b & _AFTER else body if b & _BODY else head
        part.append((step, block.step_op(entry)))
    if _all_checked(block, sides):
        head, body, after = [(e[1], block.step_op(e)) for e in block.entries], [], []
    return head, body, after, checked_ops


def _all_checked(block: FrameBlock, sides: dict) -> bool:
    """Whether an op is both in the body and after it: the loop runs every step checked."""
    return any(sides[e[0]] & _AFTER and sides[e[0]] & _BODY for e in block.entries)


class Routing:
    """What a frame's routing (`_routes`) needs to know of the whole plan: the ops that
    read each slot (in any frame) and the slots a run keeps (fetched or snapshotted)."""

    __slots__ = ("kept", "readers")

    def __init__(self, readers: dict[int, list], kept: set[int]) -> None:
        self.readers = readers
        self.kept = kept


class _Routes:
    """How a plain iteration routes the loop's values without steps (see `_routes`)."""

    __slots__ = ("dead_enters", "dropped", "falses", "merges", "rebuilt", "trues")

    def __init__(self) -> None:
        self.dropped: set = set()  # ops whose steps the plain iteration leaves out
        self.rebuilt: dict = {}  # {op: its plain step reading the routed slots}
        self.merges: list[tuple[int, int, int]] = []  # (out, first value, next value)
        self.trues: list[tuple[int, int]] = []  # (a loop Switch's true output, data)
        self.falses: list[tuple[int, int]] = []  # (its false output, data)
        self.dead_enters: tuple[int, ...] = ()  # set DEAD at every later iteration


def _routes(block: FrameBlock, sides: dict, skipped: set, loop_switches: set, routing: Routing):
    """The loop's routing ops as the plain iteration runs them: without steps.

    In a plain iteration every value is live, so a loop variable's Merge (of a variable
    Enter and a NextIteration in the body) takes the Enter's value at the first
    iteration and its NextIteration's input's at the others; its loop Switch passes
    its data to the body while the condition holds and to the Exit after; an op with
    the `forwards_input` trait (Identity: the control inputs of TF1's gradient
    `tuple`s only order it) hands on its input. The frame step does the first two
    itself, and the plain steps reading a forwarded value read its source instead
    (their steps are rebuilt), as long as every op reading it runs plain in this
    frame: a dead-checking step, a nested loop or a fetch still gets the routing op's
    step. (The root's plan aliases forwarding ops' slots the same way, slots.py.)"""
    from tfgraph.client.passes.lower import make_step

    # (the frame's own ops, in order: the routes come out the same at every plan)
    own = {e[0]: None for e in block.entries if not isinstance(e[0], FrameBlock)}
    io, specs, readers = block.io, block.specs, routing.readers

    def plain(op) -> bool:  # (runs its plain step, made by make_step, every iteration)
        return op in specs and op not in skipped and not sides[op] & _IN_COND

    def only_plain_readers(slot: int, also=()) -> bool:
        return slot not in routing.kept and all(
            r in also or r in skipped or (r in own and plain(r)) for r in readers.get(slot, ())
        )

    routes = _Routes()
    merges = _loop_merges(block, own, sides, plain, readers)
    switches = [op for op in own if op in loop_switches and op._inputs[0]._op in merges]
    switches = [op for op in switches if not sides[op] and not op._control_inputs]
    remap: dict[int, int] = {}  # {slot of a forwarded value: the slot of its source}
    for op in own:
        if (
            op._op_def.forwards_input
            and len(op._inputs) == 1
            and plain(op)
            and not op._inputs[0]._dtype.is_ref_dtype
            and not op._outputs[0]._dtype.is_ref_dtype
        ):
            (src,), (out,) = io[op]
            if out >= 0 and only_plain_readers(out, set(merges.values())):
                remap[out] = src
                routes.dropped.add(op)
    for op in switches:
        (data, _), outs = io[op]
        t = outs[1] if len(outs) > 1 else -1
        if t >= 0 and only_plain_readers(t, set(merges.values())):
            remap[t] = data
        elif t >= 0:
            routes.trues.append((t, data))
        if outs[0] >= 0:
            routes.falses.append((outs[0], data))

    def resolve(s: int) -> int:
        while s in remap:
            s = remap[s]
        return s

    for op, nxt in merges.items():
        routes.merges.append((io[op][1][0], io[op][0][0], resolve(io[nxt][0][0])))
    routes.dropped.update(merges, merges.values(), switches)
    for op in own:
        if op in routes.dropped or not plain(op):
            continue
        ins, outs = io[op]
        routed = tuple(resolve(s) for s in ins)
        if routed != ins:
            fn, single = specs[op]
            routes.rebuilt[op] = make_step(fn, routed, outs, single)
    routes.dead_enters = tuple(
        dst
        for _, dst, constant in block.enters
        if not constant and any(r not in merges for r in readers.get(dst, ()))
    )
    return routes


def _loop_merges(block: FrameBlock, own: dict, sides: dict, plain, readers: dict) -> dict:
    """{Merge: its NextIteration} of the loop variables a plain iteration routes: a Merge
    in the head, without control inputs, of a variable Enter and a NextIteration running
    plain in the body, whose only reader it is (and whose value_index nothing reads)."""
    merges: dict = {}
    for op in own:
        if op._op_def.control_flow != "merge" or sides[op] or op._control_inputs:
            continue
        _, outs = block.io[op]
        if len(op._inputs) != 2 or len(outs) != 1 or outs[0] < 0:
            continue  # (its value_index is read, or its value is fed)
        enter, nxt = (t._op for t in op._inputs)
        if enter not in block.variable_enters or nxt not in own:
            continue
        if nxt._op_def.control_flow != "next_iteration" or sides[nxt] != _BODY:
            continue
        if plain(nxt) and readers.get(block.io[nxt][1][0], ()) == [op]:
            merges[op] = nxt
    return merges


def make_frame_step(block: FrameBlock, live_of: dict, routing: Routing | None = None):
    """A step running a frame until its LoopCond (slot `block.cond`) is false.

    Each iteration runs the loop's head (Merges, the condition, LoopCond, its Switches)
    and, while the condition holds, the body; after the last, the Exits. At the first
    iteration each Enter forwards its value (later only constant Enters do; the others
    are dead, so each Merge takes its NextIteration's value from the previous
    iteration). Only Merges, Switches, Exits and ops under a cond inside the loop check
    for dead values; the rest run plain, the body's invariant ops (`_invariant`) at the
    first iteration only, and with `routing` the loop variables' routing ops as
    `_routes` says. A loop whose inputs are dead (in an untaken cond branch) runs every
    op checked, passing deadness on to its Exits."""
    enters = tuple(block.enters)
    own = [e[0] for e in block.entries if not isinstance(e[0], FrameBlock)]
    cond_ops = {op for op in own if op._op_def.control_flow == "loop_cond"}
    loop_switches = {
        op for op in own if op._op_def.control_flow == "switch" and op._inputs[1]._op in cond_ops
    }
    sides = _sides(block, loop_switches)
    skipped = _skipped(block, sides)
    invariant = _invariant(block, sides, skipped)
    entries = block.entries
    routes = None
    if routing is not None and not _all_checked(block, sides):
        routes = _routes(block, sides, skipped, loop_switches, routing)
        entries = [
            (u, c, routes.rebuilt.get(u, p)) for u, c, p in entries if u not in routes.dropped
        ]
    head, body, after, checked_ops = _parts(block, entries, sides, skipped)
    reset_live = {live_of[c] for op in checked_ops for c in op._control_inputs if c in live_of}
    if routes is not None:  # (dropped ops are live in a plain iteration)
        reset_live.update(live_of[op] for op in routes.dropped if op in live_of)
    reset_live_t = tuple(reset_live)
    generic = tuple((e[1], block.step_op(e)) for e in block.entries)
    head_t, body_t, after_t = tuple(head), tuple(body), tuple(after)
    later_t = tuple(e for e in body if e[1] not in invariant)  # (iterations after the first)
    iterate = _iterate(block)
    if routes is not None:
        plain_iterate = _iterate_routed(block, routes, (head_t, body_t, later_t, after_t))
    else:

        def plain_iterate(v) -> None:
            iterate(v, head_t, body_t, later_t, after_t)

    def frame(v) -> None:
        for src, _, _ in enters:
            if v[src] is DEAD:
                iterate(v, generic, (), (), ())
                return
        for s in reset_live_t:  # (plain steps leave their liveness slots alone)
            v[s] = True
        plain_iterate(v)

    # (the ops whose steps a plain iteration after the first runs: for tests and stats)
    frame.iteration_ops = tuple(op for _, op in head_t + later_t)  # type: ignore[attr-defined]
    return frame


def _run(v, part) -> None:
    """Runs a part's (step, op) pairs; an error becomes TF's, naming the step's op."""
    i = 0
    try:
        for i, (step, _) in enumerate(part):  # noqa: B007 - i names the failing op
            step(v)
    except Exception as e:
        from tfgraph.client.passes.lower import as_op_error

        raise as_op_error(e, part[i][1]) from e


def _iterate(block: FrameBlock):
    """`iterate(v, head, body, later, after)`: the loop with every routing op a step."""
    enters = tuple(block.enters)
    next_slots = tuple(block.next_slots)
    cond_slot = block.cond

    def iterate(v, head, body, later, after) -> None:
        for s in next_slots:
            v[s] = DEAD
        first = True
        while True:
            for src, dst, constant in enters:
                v[dst] = v[src] if (first or constant) else DEAD
            _run(v, head)
            go = v[cond_slot]
            if go is DEAD or not go:
                _run(v, after)
                return
            _run(v, body if first else later)
            first = False

    return iterate


def _iterate_routed(block: FrameBlock, routes: _Routes, parts: tuple):
    """The plain loop (`parts`: head, body, later iterations' body, after-part) with the
    frame step routing the loop variables as `routes` says."""
    head, body, later, after = parts
    enters = tuple(block.enters)
    next_slots = tuple(block.next_slots)
    cond_slot = block.cond
    merge_outs = tuple(m[0] for m in routes.merges)
    merge_firsts = tuple(m[1] for m in routes.merges)
    merge_nexts = tuple(m[2] for m in routes.merges)
    trues, falses, dead_enters = routes.trues, routes.falses, routes.dead_enters

    def iterate_routed(v) -> None:
        for s in next_slots:
            v[s] = DEAD
        for src, dst, _ in enters:  # (constant Enters keep their values: no rewrite)
            v[dst] = v[src]
        for out, src in zip(merge_outs, merge_firsts):
            v[out] = v[src]
        _run(v, head)
        first = True
        while True:
            go = v[cond_slot]
            if go is DEAD or not go:
                for f, data in falses:
                    v[f] = DEAD if go is DEAD else v[data]
                _run(v, after)
                return
            for t, data in trues:
                v[t] = v[data]
            _run(v, body if first else later)
            first = False
            for s in dead_enters:
                v[s] = DEAD
            values = [v[s] for s in merge_nexts]  # (all read first: variables may swap)
            for out, x in zip(merge_outs, values):
                v[out] = x
            _run(v, head)

    return iterate_routed
