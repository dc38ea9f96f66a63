"""Which subgraphs run on many records at once: the `rowwise` trait over a subgraph.

Records flow through a TF1 input pipeline one at a time (a reader's record, a
dataset's element). When every op between the record tensors and some outputs is
row-wise (registry trait `rowwise`: given a leading record dimension on its per-record
inputs, its kernel returns each record's outputs as rows), the same plan runs on a
group of records stacked along a new first axis and returns the group's outputs,
row by row what one run per record gives. Queue runners (client/record_batches.py) and
`Dataset.map` (ops/dataset_ops.py) use this.
"""

from __future__ import annotations

import os

from tfgraph.framework.ops import Operation, Tensor

__all__ = ["GROUP", "ancestors", "record_shapes", "rows_match", "rowwise"]

# Records per group: measured on the MNIST-style pipelines, the cost per record falls
# little beyond 32 while the first elements wait longer. TFGRAPH_RECORD_GROUP=1: no groups.
GROUP = int(os.environ.get("TFGRAPH_RECORD_GROUP", "32"))


def ancestors(outputs, stop) -> list[Operation]:
    """The ops `outputs` need, inputs before the ops reading them, not walking past an op
    for which `stop(op)` is true (it is included)."""
    order: list[Operation] = []
    seen: set = set()
    stack = [(t._op, False) for t in reversed(outputs)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        if stop(node):
            continue
        stack.extend((t._op, False) for t in node._inputs)
        stack.extend((c, False) for c in node._control_inputs)
    return order


def rowwise(outputs, rows, fixed=frozenset()) -> bool:
    """Whether `outputs` are computed from the per-record tensors `rows` by row-wise ops
    only, each output depending on them: every other op they need is pure (or in
    `fixed`: values the same for every record, such as a function's captured inputs),
    and none has control inputs."""
    rows = set(rows)
    sources = {t._op for t in rows}
    for op in ancestors(outputs, lambda op: op in sources or op in fixed):
        if op in fixed or (op in sources and all(t in rows for t in op._outputs)):
            continue
        if op._control_inputs:
            return False
        flags = [t in rows for t in op._inputs]
        if any(flags):
            rule = op._op_def.rowwise
            if rule is None or not rule(op, flags):
                return False
            rows.update(op._outputs)
        elif not op._op_def.is_pure:
            return False  # (a value that may differ from one run to the next)
    return all(t in rows for t in outputs)


def record_shapes(tensors: list[Tensor]) -> list:
    """(numpy dtype, static dims) of each tensor: what each row of a group must match."""
    return [(t._dtype._base.as_numpy_dtype, t._shape._dims) for t in tensors]


def rows_match(values, expected: list, n: int) -> bool:
    """Whether each value is an array of `n` rows of its tensor's dtype and static shape."""
    for value, (np_dtype, dims) in zip(values, expected):
        shape = getattr(value, "shape", None)
        if (
            shape is None
            or value.dtype != np_dtype
            or dims is None
            or len(shape) != len(dims) + 1
            or shape[0] != n
            or any(d is not None and d != s for d, s in zip(dims, shape[1:]))
        ):
            return False
    return True
