"""Splitting one `Session.run` across the tasks of a cluster (no Ray here).

The ops a run needs are grouped by the task their device names (`/job:ps/task:0`);
ops without a job run on the session's own task. Ops then fall into *waves*: an op
joins the wave of its latest same-task predecessor, and comes one wave after a
predecessor on another task. Each (wave, task) group is one call to that task: its ops
become a subgraph (inputs from other groups replaced by placeholders, devices and
colocation cleared, control edges from earlier waves dropped, since those ops have
run), fed the values earlier groups produced and fetching what later groups, or the
caller, need. Groups of one wave run concurrently on their tasks. A training step
under `replica_device_setter` is three waves: variable reads on the ps, the model on
the worker, the updates on the ps.

Variables keep their op names in every subgraph, so a task's resource store (keyed by
container and shared name) holds one variable per name, shared by every subgraph and
every worker that runs on it, as on TF's parameter servers.
"""

from __future__ import annotations

import dataclasses
import itertools
import uuid

from tfgraph import errors
from tfgraph.framework.device import DeviceSpec
from tfgraph.framework.ops import Operation

__all__ = ["Group", "Partition", "partition", "task_of"]

Task = tuple[str, int]
_keys = itertools.count()
_PROCESS = uuid.uuid4().hex[:12]  # (subgraph keys are unique across worker processes)


def task_of(op: Operation, default: Task, known: set) -> Task:
    """The (job, task) whose process runs `op`."""
    device = op._device
    if not device or "job:" not in device:
        return default
    spec = DeviceSpec.from_string(device)
    task = (str(spec.job), spec.task or 0)
    if task not in known:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"Cannot assign a device for operation {op.name}: {{{{node {op.name}}}}} was "
            f"explicitly assigned to {device} but the cluster has no task "
            f"/job:{task[0]}/task:{task[1]}. Make sure the device specification refers to a "
            "task of the ClusterSpec.",
        )
    return task


@dataclasses.dataclass
class Group:
    """The ops of one task in one wave, and how they talk to the other groups."""

    task: Task
    wave: int
    ops: list  # in graph order
    inputs: list  # tensors produced elsewhere (or fed), in placeholder order
    outputs: list  # tensors other groups or the caller need
    key: str = ""  # names the subgraph on the task
    graph_def: bytes = b""


@dataclasses.dataclass
class Partition:
    waves: list  # [[Group, ...] per wave]
    tasks: set


def _needed(fetch_tensors, target_ops, fed: set) -> list:
    needed: dict = {}
    stack = [t.op for t in fetch_tensors if t not in fed] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed[op] = None
        stack.extend(t.op for t in op._inputs if t not in fed)
        stack.extend(op._control_inputs)
    return sorted(needed, key=lambda o: o._id)  # (creation order is topological)


def _placeholder_name(k: int) -> str:
    return f"tfgraph_recv_{k}"


def _subgraph_def(group: Group):
    """The group's ops as a GraphDef: inputs from other groups are placeholders."""
    from tfgraph import proto

    index = {t: k for k, t in enumerate(group.inputs)}
    members = set(group.ops)
    graph_def = proto.GraphDef()
    for k, t in enumerate(group.inputs):
        node = graph_def.node.add()
        node.name, node.op = _placeholder_name(k), "Placeholder"
        node.attr["dtype"].type = t.dtype._base.as_datatype_enum
    for op in group.ops:
        node = graph_def.node.add()
        node.CopyFrom(op.node_def)
        node.device = ""
        if "_class" in node.attr:
            del node.attr["_class"]
        del node.input[:]
        for t in op._inputs:
            k_in = index.get(t)
            if k_in is not None:
                node.input.append(_placeholder_name(k_in))
            else:
                node.input.append(t.op.name if t.value_index == 0 else t.name)
        for c in op._control_inputs:
            if c in members:
                node.input.append("^" + c.name)
    graph_def.versions.producer = 1
    return graph_def


def _is_handle_source(op) -> bool:
    """A variable or other stateful resource op with no inputs (`VariableV2`,
    `VarHandleOp`, a queue or reader op): what it outputs is a reference to state on
    its task, so it is copied into every group of that task that uses it."""
    outs = op._outputs
    return (
        not op._inputs
        and bool(outs)
        and all(t._dtype is not t._dtype._base or t._dtype._base.name == "resource" for t in outs)
    )


def partition(fetch_tensors, target_ops, feed_tensors, default: Task, known: set) -> Partition:
    """The waves and groups of one run (see the module docstring)."""
    fed = set(feed_tensors)
    ops = _needed(fetch_tensors, target_ops, fed)
    task = {op: task_of(op, default, known) for op in ops}
    sources = {op for op in ops if _is_handle_source(op)}
    consumers: dict = {op: [] for op in ops}
    for op in ops:
        for t in op._inputs:
            if t not in fed and t.op in consumers:
                consumers[t.op].append(op)
        for c in op._control_inputs:
            if c in consumers:
                consumers[c].append(op)
    # A join (no data in or out: a NoOp grouping updates) does nothing itself: it runs
    # on the task of what waits for it, saving a round trip to its own task.
    targets = set(target_ops)
    for op in reversed(ops):
        if op._inputs or op._outputs or op in targets:
            continue
        waiting = {task[c] for c in consumers[op]}
        if len(waiting) == 1:
            task[op] = waiting.pop()
    wave: dict = {}
    for op in ops:
        if op in sources:
            continue
        w = 0
        preds = [t.op for t in op._inputs if t not in fed] + list(op._control_inputs)
        for p in preds:
            if p in wave:
                w = max(w, wave[p] + (task[p] != task[op]))
        wave[op] = w
        if op._op_def.control_flow and any(task[p] != task[op] for p in preds if p in task):
            raise errors.UnimplementedError(
                None,
                op,
                f"Control flow across tasks is not supported: {op.name} ({op.type}) on "
                f"/job:{task[op][0]}/task:{task[op][1]} takes inputs from another task. "
                "Place a loop or cond and what it reads on one task.",
            )
    # As late as its consumers allow (a constant joins the group that uses it, or the
    # last group of its task before a use elsewhere), if its task has a group there.
    fetched = {t.op for t in fetch_tensors} | targets
    present = {(wave[o], task[o]) for o in wave}
    for op in reversed(ops):
        if op in sources or op in fetched:
            continue
        users = [c for c in consumers[op] if c in wave]
        if not users or len(users) != len(consumers[op]):
            continue
        latest = min(wave[c] - (task[c] != task[op]) for c in users)
        if latest > wave[op] and (latest, task[op]) in present:
            wave[op] = latest
    groups: dict = {}
    for op in ops:
        if op not in sources:
            groups.setdefault((wave[op], task[op]), {})[op] = None
    # Handle sources join the groups of their task that use them; they get a group of
    # their own (in wave 0) only to be fetched or read from another task.
    fetched_ops = {t.op for t in fetch_tensors if t not in fed} | set(target_ops)
    home: dict = {}
    for op in ops:
        for t in op._inputs:
            src = t.op
            if src not in sources or t in fed:
                continue
            if task[src] == task[op] and op not in sources:
                groups[(wave[op], task[op])][src] = None
            else:
                if t._dtype._base.name == "resource":
                    raise errors.UnimplementedError(
                        None,
                        op,
                        f"{op.name} on /job:{task[op][0]}/task:{task[op][1]} uses the resource "
                        f"{src.name} of another task; place them on one task.",
                    )
                home[src] = (0, task[src])
    for src in sources:
        if src in fetched_ops:
            home[src] = (0, task[src])
    for src, gid in home.items():
        groups.setdefault(gid, {})[src] = None
    producer = {}  # tensor -> the group that computes it for others
    for gid, members in groups.items():
        for op in members:
            if op not in sources or home.get(op) == gid:
                for t in op._outputs:
                    producer[t] = gid
    fetch_set = set(fetch_tensors)
    wanted: dict = {gid: {} for gid in groups}
    inputs: dict = {gid: {} for gid in groups}
    for gid, members in groups.items():
        for op in members:
            for t in op._inputs:
                if t in fed or t.op not in members:
                    inputs[gid][t] = None
                    if t not in fed:
                        wanted[producer[t]][t] = None
    for t in fetch_tensors:
        if t not in fed:
            wanted[producer[t]][t] = None
    waves: list = [[] for _ in range(max((w for w, _ in groups), default=-1) + 1)]
    for gid in sorted(groups):
        members = sorted(groups[gid], key=lambda o: o._id)
        outputs = [t for op in members for t in op._outputs if t in wanted[gid]]
        group = Group(gid[1], gid[0], members, list(inputs[gid]), outputs)
        group.key = f"{_PROCESS}-{next(_keys)}"
        group.graph_def = _subgraph_def(group).SerializeToString()
        waves[gid[0]].append(group)
    del fetch_set
    return Partition(waves, set(task.values()))
