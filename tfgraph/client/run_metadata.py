"""`RunMetadata` for a traced `Session.run`: step stats and partition graphs.

Asked for through `RunOptions` (`trace_level` above NO_TRACE, or
`output_partition_graphs`), a run fills `run_metadata` as TF's direct session does for
its one CPU device: `step_stats.dev_stats[0]` holds a `NodeExecStats` per executed node
(`_SOURCE` first, then each op in execution order with its wall-clock start and
duration and TF's `timeline_label`, then a `_retval_*` node per fetch), and
`partition_graphs` the executed graph with `_Arg` / `_Retval` nodes for feeds and
fetches. Ops the plan folded into constants at build time did not run, so they have no
stats. Output tensor descriptions and memory figures are not recorded.
"""

from __future__ import annotations

import threading

from tfgraph.framework import dtypes

__all__ = ["LOCAL_CPU", "fill_partition_graphs", "fill_step_stats"]

LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def _retval_name(t, k: int) -> str:
    return f"_retval_{t.op.name}_{t.value_index}_{k}"


def _arg_name(t, k: int) -> str:
    return f"_arg_{t.op.name}_{t.value_index}_{k}"


def _label(op) -> str:
    inputs = ", ".join(t.op.name if t.value_index == 0 else t.name for t in op._inputs)
    return f"{op.name} = {op.type}({inputs})"


def fill_step_stats(run_metadata, records: list, fetch_tensors, start_ns: int) -> None:
    """Adds this run's `DeviceStepStats` to `run_metadata.step_stats`."""
    dev = run_metadata.step_stats.dev_stats.add()
    dev.device = LOCAL_CPU
    thread_id = threading.get_native_id() & 0xFFFFFFFF
    end_ns = records[-1][2] if records else start_ns

    def add(name: str, label: str, start: int, end: int) -> None:
        stats = dev.node_stats.add()
        stats.node_name = name
        stats.timeline_label = label
        stats.scheduled_micros = stats.all_start_micros = start // 1000
        stats.scheduled_nanos = stats.all_start_nanos = start
        stats.op_end_rel_micros = stats.all_end_rel_micros = (end - start) // 1000
        stats.op_end_rel_nanos = stats.all_end_rel_nanos = end - start
        stats.thread_id = thread_id

    add("_SOURCE", "_SOURCE = NoOp()", start_ns, start_ns)
    for op, start, end in records:
        if op is not None:  # (a step of the plan's own, not an op)
            add(op.name, _label(op), start, end)
    for k, t in enumerate(fetch_tensors):
        add(_retval_name(t, k), f"{_retval_name(t, k)} = _Retval({t.op.name})", end_ns, end_ns)


def fill_partition_graphs(run_metadata, plan) -> None:
    """Adds the graph this run executed (one partition: the local CPU)."""
    graph_def = run_metadata.partition_graphs.add()
    fed = {t: _arg_name(t, k) for k, t in enumerate(plan.feed_tensors)}
    for k, t in enumerate(plan.feed_tensors):
        node = graph_def.node.add()
        node.name, node.op, node.device = fed[t], "_Arg", LOCAL_CPU
        node.attr["T"].type = dtypes.as_dtype(t.dtype)._base.as_datatype_enum
        node.attr["index"].i = k
    # The executed ops and what they read (before constant folding: a valid graph)
    needed: dict = {}
    stack = list(plan.ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed[op] = None
        stack.extend(t.op for t in op._inputs if t not in fed)
        stack.extend(op._control_inputs)
    for op in sorted(needed, key=lambda o: o._id):
        if op._outputs and all(t in fed for t in op._outputs):
            continue  # (a fed placeholder: its _Arg stands for it)
        node = graph_def.node.add()
        node.CopyFrom(op.node_def)
        node.device = LOCAL_CPU
        for i, t in enumerate(op._inputs):
            if t in fed:
                node.input[i] = fed[t]
    for k, t in enumerate(plan.fetch_tensors):
        node = graph_def.node.add()
        node.name, node.op, node.device = _retval_name(t, k), "_Retval", LOCAL_CPU
        node.input.append(fed.get(t) or (t.op.name if t.value_index == 0 else t.name))
        node.attr["T"].type = dtypes.as_dtype(t.dtype)._base.as_datatype_enum
        node.attr["index"].i = k
