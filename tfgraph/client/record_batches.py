"""Queue runners that move records in groups.

A TF1 input pipeline reads one record, parses it, scales it and enqueues it, op by op,
once per record (`reader.read(filename_queue)` -> `parse_single_example` -> `x / 255`
-> `shuffle_batch`). TF's C++ executor runs that for a few microseconds per record;
tfgraph's kernels are Python calls, each a few microseconds, and the runner threads
hold the interpreter lock the training step needs. So when every op between one
record source (an op with the `record_source` trait: ReaderReadV2) and an enqueue
(`record_sink`: QueueEnqueueV2) runs row-wise (the `rowwise` trait: cwise ops on equal
ranks, Cast, parsing fixed-shape features), a runner reads up to GROUP records of the
current file at once (framework/rows.py), runs those ops once on the group (each record a row) and
enqueues the rows in order: the same elements, in the same order, as GROUP runs.

What stays as one record at a time would have it:
* a group is what the current file holds, up to GROUP: reading never waits for the
  next file while it has records;
* an error reading a file (a corrupt record) comes after the records read before it;
* if running the group fails (a record that does not parse, raw records of unequal
  lengths) or returns values of unexpected shapes, its records go through the graph's
  own plan one by one: those before the bad one are enqueued, its error is raised with
  the failing op's name, and the rest wait for the runner's next call.

Anything else (ops that are not row-wise, random ops, variables, control inputs,
sparse features) runs record by record, as before. `TFGRAPH_RECORD_GROUP=1` turns
grouping off.
"""

from __future__ import annotations

import collections

from tfgraph.framework import rows
from tfgraph.framework.ops import Operation

__all__ = ["grouped_enqueue"]


def grouped_enqueue(session, enqueue_op: Operation):
    """A function enqueuing up to GROUP records per call through `enqueue_op`, or None
    when the ops feeding it do not all run row-wise (then run it record by record)."""
    from tfgraph.client.session import BaseSession

    if rows.GROUP <= 1 or not isinstance(session, BaseSession) or session._remote is not None:
        return None
    if not isinstance(enqueue_op, Operation):
        return None
    source = _row_source(enqueue_op)
    if source is None:
        return None
    return _GroupedEnqueue(session, enqueue_op, source)


def _row_source(enqueue_op: Operation) -> Operation | None:
    """The record source feeding every component of `enqueue_op` through row-wise ops
    only (other inputs pure and record-independent: constants), else None."""
    if enqueue_op._op_def.record_sink is None or enqueue_op._control_inputs:
        return None
    components = enqueue_op._inputs[1:]
    sources = [op for op in rows.ancestors(components, _is_source) if _is_source(op)]
    if len(sources) != 1 or sources[0]._control_inputs:
        return None
    if not rows.rowwise(components, sources[0]._outputs):
        return None
    return sources[0]


def _is_source(op: Operation) -> bool:
    return op._op_def.record_source is not None


class _GroupedEnqueue:
    """One runner thread's grouped enqueue (its records waiting to go one by one are
    its own)."""

    def __init__(self, session, enqueue_op: Operation, source: Operation) -> None:
        ctx = session._ctx
        self._session = session
        self._op = enqueue_op
        self._components = list(enqueue_op._inputs[1:])
        handles = [*source._inputs, enqueue_op._inputs[0]]
        self._handles = session._signature(handles, None, None).plan
        feeds = {t: None for t in source._outputs}
        self._rows = session._signature(self._components, feeds, None).plan
        read, sink = source._op_def.record_source, enqueue_op._op_def.record_sink
        assert read is not None and sink is not None  # (_row_source checked them)
        self._read = read(source, ctx)
        self._sink = sink(enqueue_op, ctx)
        self._one = session.make_callable(enqueue_op, feed_list=list(source._outputs))
        self._pending: collections.deque = collections.deque()
        self._grouped = True
        self._expected = [(t._dtype._base.as_numpy_dtype, t._shape._dims) for t in self._components]

    def __call__(self) -> None:
        if self._session._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._pending:
            self._one_by_one()
            return
        *inputs, queue = self._handles.run(())
        records = self._read(*inputs, rows.GROUP if self._grouped else 1)
        if self._grouped:
            try:
                values = self._rows.run(list(records))
            except Exception:
                values = None  # (the records go one by one: the bad one raises)
            if values is not None and self._as_expected(values, len(records[0])):
                self._sink(queue, *values)
                return
        self._pending.extend(zip(*records))
        self._one_by_one()

    def _as_expected(self, values: list, n: int) -> bool:
        if rows.rows_match(values, self._expected, n):
            return True
        self._grouped = False  # (a rule that does not hold: never group again)
        return False

    def _one_by_one(self) -> None:
        pending = self._pending
        while pending:
            key, value = pending.popleft()
            self._one(key, value)
