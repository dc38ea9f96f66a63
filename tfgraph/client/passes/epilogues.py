"""Convolutions fused with their epilogue: `relu(conv2d(x, w) + b)` as one step.

A TF1 convolution layer is a convolution, a bias add and an activation: three ops, and
the two after the convolution are each a pass over its output in memory (the MNIST
convnet's first layer at batch 128: 2.4 ms for the convolution, 2.9 ms more for the
bias and ReLU). TF's grappler (its remapper) rewrites such a chain into one fused
convolution that adds the bias and applies the activation to each sum before storing
it. This pass groups the same chains: a convolution whose op has the `fused_epilogue`
trait, then an op whose `epilogue` trait is "bias" (AddV2 or BiasAdd of a vector of
the output's channels), then one whose trait names an activation (Relu, Relu6); either
of the two may be missing.

The group's step runs the fused kernel where it applies (float32 on oneDNN,
platform/onednn.py); where it does not (no library, small or odd shapes, any error) it
runs the ops one by one as their own steps would, so values and errors are as without
the pass. The fused values have the same bits as op by op: oneDNN adds the bias to the
finished float32 sum, as the separate add does, and the activation is numpy's, run on
each piece of the batch while it is in cache (oneDNN's own ReLU turns NaNs into zeros;
TF's Relu keeps them).

Like a chain of elementwise ops (fuse.py), a group is a run of consecutive steps of the
plan's order (only constants, folded ops and forwarding ops between them), each member
reading the one before it, whose intermediate values nothing else reads, fetches or
feeds, except ops that read only their shape (the `static_value` trait: the Shape ops
of the add's gradient), which are given the group's result: it has their shape and
dtype. `TFGRAPH_FUSE=0` turns the pass off.
"""

from __future__ import annotations

from tfgraph.client.passes import fuse
from tfgraph.framework import dtypes
from tfgraph.framework.ops import Operation

__all__ = ["FusedConvolution", "epilogue_groups"]


def epilogue_groups(
    ordered, slots, anchors: dict, fed: set, dead_after: dict
) -> list[tuple[list[int], tuple]]:
    """The fusable convolution chains of `ordered`: (positions, epilogue) pairs, the
    epilogue such as ("bias", "relu"), each group at least a convolution and one op."""
    if not fuse.ENABLED:
        return []
    excluded = set(slots.aliased) | set(slots.live_of) | set(slots.lazy_inputs)
    keep = set(slots.fetch_slots) | set(slots.snapshot_of)
    readers: dict = {}  # tensor -> the ops reading its value (not only its shape)
    for op in ordered:
        if op in anchors or op._op_def.static_value is not None:
            continue
        for t in op._inputs:
            readers.setdefault(t, []).append(op)
    position = {op: i for i, op in enumerate(ordered)}
    groups = []
    for i, op in enumerate(ordered):
        if op._op_def.fused_epilogue is None or op in excluded or op in anchors:
            continue
        group, epilogue = [i], []  # type: tuple[list[int], list[str]]
        out = op._outputs[0]
        while len(epilogue) < 2:
            nxt = _next_member(out, readers)
            if nxt is not None and not _defers(
                ordered, group, position[nxt], slots, anchors, dead_after
            ):
                nxt = None
            if nxt is None or nxt in excluded or not _intermediate(out, slots, fed, keep):
                break
            role = nxt._op_def.epilogue and nxt._op_def.epilogue(nxt)
            if role == "bias" and not epilogue and _is_bias(nxt, out):
                epilogue.append("bias")
            elif role in ("relu", "relu6") and nxt._inputs[0] is out:
                epilogue.append(role)
            else:
                break
            group.append(position[nxt])
            out = nxt._outputs[0]
            if role != "bias":
                break
        # (an op joins at most one group: a member is the only reader of the one before)
        if epilogue and _no_references(ordered, group):
            groups.append((group, tuple(epilogue)))
    return groups


def _next_member(out, readers) -> Operation | None:
    """The one op reading `out`'s value, if it reads it once."""
    reading = readers.get(out, ())
    if len(reading) != 1 or reading[0]._inputs.count(out) != 1:
        return None
    return reading[0]


def _defers(ordered, group: list[int], last: int, slots, anchors, dead_after) -> bool:
    """Whether the group's work may move to position `last`: the ops between make no
    step (folded, constant, variable or forwarding ops) or are pure (a variable's read),
    none reads a member's value (its shape either), snapshots a value or frees one the
    group reads."""
    snapshot_of = slots.snapshot_of
    slot_of = slots.slot_of
    read = {slot_of[t] for p in group for t in ordered[p]._inputs}
    made = {t for p in group for t in ordered[p]._outputs}
    for p in range(group[-1] + 1, last):
        op = ordered[p]
        if op in anchors or op._op_def.constant:
            continue
        if any(t in snapshot_of for t in op._outputs) or read.intersection(dead_after.get(p, ())):
            return False
        if made.intersection(op._inputs):
            return False
        if not (op._op_def.is_pure or op._op_def.variable or op in slots.aliased):
            return False
        if op in slots.live_of:
            return False
    return True


def _intermediate(t, slots, fed: set, keep: set) -> bool:
    """Whether `t` may be left uncomputed: a float32 value with a slot, not fed, fetched
    or snapshotted."""
    s = slots.slot_of.get(t)
    return s is not None and t not in fed and s not in keep and t._dtype is dtypes.float32


def _is_bias(op: Operation, out) -> bool:
    """Whether `op` adds to the convolution output `out` a vector of its channels."""
    other = op._inputs[1] if op._inputs[0] is out else op._inputs[0]
    if other is out or other._dtype is not dtypes.float32:
        return False
    dims, bias_dims = out._shape._dims, other._shape._dims
    return (
        dims is not None
        and bias_dims is not None
        and len(dims) == 4
        and len(bias_dims) == 1
        and dims[3] is not None
        and bias_dims[0] == dims[3]
    )


def _no_references(ordered, group: list[int]) -> bool:
    """Whether the members read no reference (a variable's cell) directly."""
    return all(t._dtype._base is t._dtype for p in group for t in ordered[p]._inputs)


class FusedConvolution:
    """The step of a convolution group (`members` in order): the fused kernel on the
    convolution's inputs and the bias, else `fallback`, the members' own steps."""

    def __init__(self, members, kernel, slots, fallback: list, dead) -> None:
        slot_of = slots.slot_of
        self.fused_ops = tuple(members)
        self.kernel = kernel
        ins = [slot_of[t] for t in members[0]._inputs]
        prev = members[0]._outputs[0]
        for m in members[1:]:
            if m._op_def.epilogue(m) == "bias":
                ins.append(slot_of[m._inputs[1] if m._inputs[0] is prev else m._inputs[0]])
            prev = m._outputs[0]
        self.ins = tuple(ins)
        self.dead = tuple(dead)
        out = slot_of.get(members[-1]._outputs[0], -1)
        # intermediate values only shape readers read later: given the result
        later = [slot_of[m._outputs[0]] for m in members[:-1]]
        self.outs = tuple(s for s in later if s not in self.dead) + ((out,) if out >= 0 else ())
        self.fallback = tuple(fallback)

    def __call__(self, v) -> None:
        try:
            result = self.kernel(*[v[s] for s in self.ins])
        except Exception:  # (the ops one by one raise it as TF does, naming the op)
            result = None
        if result is None:
            from tfgraph.client.passes.lower import as_op_error  # (lower imports this)

            for step, op in self.fallback:
                try:
                    step(v)
                except Exception as e:
                    raise as_op_error(e, op) from e
            return
        for s in self.outs:
            v[s] = result
        for d in self.dead:
            v[d] = None
