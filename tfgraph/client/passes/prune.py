"""Pruning: the ops a run needs, and the pure ones it can leave out."""

from __future__ import annotations

from tfgraph.framework.ops import Operation

__all__ = ["drop_unused_pure_ops", "is_pure", "needed_ops"]


def needed_ops(fetch_tensors, target_ops, fed: set, anchors: dict) -> set[Operation]:
    """The ops the fetches and targets need. The inputs of fed tensors' ops are not
    needed; nor are those of folded ops (`anchors`, see fold.py), whose anchors are
    needed instead. As in TF, a control dependency on a fed placeholder is met by the
    feed."""
    needed: set[Operation] = set()
    stack = [t._op for t in fetch_tensors if t not in fed]
    stack.extend(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        anchored = anchors.get(op)
        if anchored is not None:
            stack.extend(anchored)
            continue
        for t in op._inputs:
            if t not in fed:
                stack.append(t._op)
        for c in op._control_inputs:
            if c._op_def.placeholder and c._outputs[0] in fed:
                continue
            stack.append(c)
    return needed


def is_pure(op: Operation, cache: dict) -> bool:
    """Whether running `op` only computes its outputs: a pure op (registry trait) whose
    control inputs are all pure (a NoOp grouping pure ops is pure; one grouping updates
    is not). Walks control chains with an explicit stack: a chain thousands of ops long
    is no recursion."""
    pure = cache.get(op)
    if pure is not None:
        return pure
    stack = [op]
    while stack:
        top = stack[-1]
        if top in cache:
            stack.pop()
            continue
        pending = [c for c in top._control_inputs if c not in cache]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        cache[top] = top._op_def.is_pure and all(cache[c] for c in top._control_inputs)
    return cache[op]


def drop_unused_pure_ops(needed: set[Operation], keep: set[Operation]) -> set[Operation]:
    """`needed` without the pure ops whose outputs nothing reads (reached only through
    control dependencies), as TF's graph optimizer prunes them: e.g. the gradient with
    respect to a placeholder that `tf.gradients` computes for a MatMul and groups with
    the weights' gradient (gate_gradients). Running them could change nothing but time.
    Ops in `keep` stay."""
    consumers = dict.fromkeys(needed, 0)
    for op in needed:
        for t in op._inputs:
            producer = t._op
            if producer in consumers:
                consumers[producer] += 1
    cache: dict = {}
    work = [op for op, n in consumers.items() if n == 0 and op not in keep]
    removed: set[Operation] = set()
    while work:
        op = work.pop()
        if op in removed or not is_pure(op, cache):
            continue
        removed.add(op)
        for t in op._inputs:
            producer = t._op
            if producer in consumers:
                consumers[producer] -= 1
                if consumers[producer] == 0 and producer not in keep:
                    work.append(producer)
    return needed - removed if removed else needed
