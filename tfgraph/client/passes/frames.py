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
iteration whose LoopCond is false, in which the Exits receive their values. Every op
of a frame runs as a dead-checking step; nested frames are steps of their parent's.
"""

from __future__ import annotations

from tfgraph.client.passes.schedule import kahn
from tfgraph.framework.ops import Operation
from tfgraph.framework.resources import DEAD

__all__ = ["Frame", "assign_frames", "is_back_edge", "make_frame_step"]


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


def make_frame_step(
    steps: tuple, step_ops: tuple, enters: tuple, next_slots: tuple, cond_slot: int
):
    """A step running a frame's `steps` until its LoopCond (slot `cond_slot`) is false.

    `enters` are (input slot, output slot, is_constant) of the frame's Enters: each
    forwards its value at the first iteration, constant ones at every iteration;
    `next_slots` are the output slots of its NextIterations (dead before the first
    iteration, so its Merges take their Enter's value)."""
    from tfgraph.client.passes.lower import as_op_error

    def frame(v):
        for s in next_slots:
            v[s] = DEAD
        first = True
        while True:
            for src, dst, constant in enters:
                v[dst] = v[src] if (first or constant) else DEAD
            first = False
            i = 0
            try:
                for i, step in enumerate(steps):  # noqa: B007 - i names the failing op
                    step(v)
            except Exception as e:
                raise as_op_error(e, step_ops[i]) from e
            go = v[cond_slot]
            if go is DEAD or not go:
                return

    return frame
