"""Control flow: which ops may see dead values.

A Switch forwards its data to one output; the other output is dead. Ops downstream
of a Switch, through data or control edges, may therefore receive dead values: they
skip their kernel and pass deadness on (a Merge runs unless all its inputs are dead).
Only those ops get dead-checking steps (lower.py); the rest of the plan is folded,
aliased and freed as usual.
"""

from __future__ import annotations

from tfgraph.framework.ops import Operation

__all__ = ["dead_region"]


def dead_region(ordered: list[Operation]) -> list[Operation]:
    """The ops of `ordered` (a topological order) downstream of a Switch, in order."""
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
