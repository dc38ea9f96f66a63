"""Device placement: every op runs on this process's CPU; requested devices are checked.

TensorFlow places the whole graph whenever a session runs it after it grew. Each op's
requested device must name this process (`/job:localhost/replica:0/task:0`, any part
may be omitted) and its CPU 0. Otherwise:

* a different job, replica or task is an InvalidArgumentError, even with
  `allow_soft_placement` (TF's soft placement only relaxes the device type/index);
* another device type or index (`/gpu:1`, `/device:CPU:1`, `/device:TPU:0`) is an
  InvalidArgumentError unless `allow_soft_placement` is set; then the op runs on the
  CPU and the graph keeps the requested device string.

Errors name the first offending op in TF's placement order: ops in creation order,
except that "generators" (no inputs, one non-reference output, e.g. Const) come last.
With `log_device_placement`, each placement pass prints `name: (Type): device` for
every op to stdout, and the same line in TF's log format to stderr (unless
TF_CPP_MIN_LOG_LEVEL hides INFO logs), as TensorFlow does.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from tfgraph import errors
from tfgraph.framework.device import DeviceSpec

__all__ = ["LOCAL_CPU", "PlacementChecker", "list_devices", "log_device_mapping"]

LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"

_OK = 0
_SOFT = 1  # runs on the CPU only with allow_soft_placement
_BAD_TASK = 2  # another job/replica/task: never placeable here
_MALFORMED = 3


class _DeviceAttributes:
    """What `Session.list_devices()` returns for each device (TF's `_DeviceAttributes`)."""

    def __init__(self, name: str, device_type: str, memory_limit_bytes: int) -> None:
        self.name = name
        self.device_type = device_type
        self.memory_limit_bytes = memory_limit_bytes
        self.incarnation = 0

    def __repr__(self) -> str:
        return (
            f"_DeviceAttributes({self.name}, {self.device_type}, {self.memory_limit_bytes}, "
            f"{self.incarnation})"
        )


def list_devices(session) -> list[_DeviceAttributes]:
    return [_DeviceAttributes(LOCAL_CPU, "CPU", 268435456)]


def _classify(device: str) -> int:
    if not device:
        return _OK
    try:
        spec = DeviceSpec.from_string(device)
    except ValueError:
        return _MALFORMED
    if (
        spec.job not in (None, "localhost")
        or spec.replica not in (None, 0)
        or spec.task not in (None, 0)
    ):
        return _BAD_TASK
    if spec.device_type in (None, "CPU") and spec.device_index in (None, 0):
        return _OK
    return _SOFT


def _info_logging_enabled() -> bool:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") or 0) < 1
    except ValueError:
        return True


def _log_info(source: str, message: str) -> None:
    """`message` on stderr in TensorFlow's C++ INFO log format."""
    if _info_logging_enabled():
        sys.stderr.write(
            f"I0000 00:00:{time.time():.6f} {threading.get_native_id():8d} {source}] {message}\n"
        )


def log_device_mapping() -> None:
    """What a TF session logs at creation when `log_device_placement` is set."""
    _log_info("direct_session.cc:382", "Device mapping: no known devices.")


def _is_generator(op) -> bool:
    """TF's placer places these last, next to their consumers."""
    outputs = op._outputs
    return not op._inputs and len(outputs) == 1 and outputs[0]._dtype._base is outputs[0]._dtype


def _placement_order(ops):
    first, generators = [], []
    for op in ops:
        (generators if _is_generator(op) else first).append(op)
    return first + generators


def _explicit_error(op, device: str, kind: int) -> errors.InvalidArgumentError:
    name = op.name
    if kind == _MALFORMED:
        message = (
            f"Malformed device specification '{device}' in node: {{name:'{name}' "
            f"id:{op._id + 2} op device:{{requested: '{device}', assigned: ''}}}}"
        )
    else:
        message = (
            f"Cannot assign a device for operation {name}: {{{{node {name}}}}} was explicitly "
            f"assigned to {device} but available devices are [ {LOCAL_CPU} ]. Make sure the "
            "device specification refers to a valid device."
        )
        if DeviceSpec.from_string(device).device_type == "GPU":
            message += " The requested device appears to be a GPU, but CUDA is not enabled."
    return errors.InvalidArgumentError(None, op, f"{message}\n\t [[{name}]]")


def _colocation_error(op, group_device: str, members) -> errors.InvalidArgumentError:
    name = op.name
    own = op._device
    if own:
        try:
            own = DeviceSpec.from_string(own).to_string()
        except ValueError:
            pass
    lines = "".join(f"  {m.name} ({m.type}) {m._device}\n" for m in members)
    message = (
        f"Cannot assign a device for operation {name}: Could not satisfy explicit device "
        f"specification '{own}' because the node {{{{colocation_node {name}}}}} was colocated "
        f"with a group of nodes that required incompatible device '{group_device}'. All "
        f"available devices [{LOCAL_CPU}]. \nColocation Debug Info:\nColocation members, "
        f"user-requested devices, and framework assigned devices, if any:\n{lines}"
    )
    return errors.InvalidArgumentError(None, op, f"{message}\n\t [[{{{{node {name}}}}}]]")


class _ColocationGroups:
    """Ops joined by their `loc:@` colocation groups (as TF's placer joins them), with
    each group's requested device: the merge of its members' devices."""

    def __init__(self, ops) -> None:
        parent: dict[bytes, bytes] = {}

        def find(x: bytes) -> bytes:
            root = parent.setdefault(x, x)
            while root != parent[root]:
                root = parent[root]
            while parent[x] != root:
                parent[x], x = root, parent[x]
            return root

        first_group = []
        for op in ops:
            groups = op.colocation_groups()
            root = find(groups[0])
            for other in groups[1:]:
                other_root = find(other)
                if other_root != root:
                    parent[other_root] = root
            first_group.append(groups[0])
        self.root_of = {op: find(g) for op, g in zip(ops, first_group, strict=True)}
        self.members: dict[bytes, list] = {}
        fields: dict[bytes, list] = {}
        for op in ops:
            root = self.root_of[op]
            self.members.setdefault(root, []).append(op)
            if not op._device:
                continue
            try:
                spec = DeviceSpec.from_string(op._device)
            except ValueError:
                continue
            merged = fields.setdefault(root, [None] * 5)
            for i, value in enumerate(
                (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index)
            ):
                if merged[i] is None:
                    merged[i] = value
        self.device = {root: DeviceSpec(*f).to_string() for root, f in fields.items()}


class PlacementChecker:
    """Checks (and logs) device placement each time a session sees the graph grow."""

    def __init__(self, session) -> None:
        self._graph = session.graph  # not the session: no reference cycle keeps it alive
        self._checked = 0
        config = session._config
        self._soft = bool(getattr(config, "allow_soft_placement", False))
        self._log = bool(getattr(config, "log_device_placement", False))
        self._cache: dict[str, int] = {"": _OK}
        # (InteractiveSession sets `place_pruned_graph`: TF then places only the ops each
        # run needs, so an unplaceable op elsewhere in the graph does no harm)
        graph_options = getattr(config, "graph_options", None)
        self._pruned = bool(getattr(graph_options, "place_pruned_graph", False))
        self._placed: set = set()

    def _kind(self, device: str) -> int:
        kind = self._cache.get(device)
        if kind is None:
            kind = self._cache[device] = _classify(device)
        return kind

    def _placeable(self, device: str) -> bool:
        kind = self._kind(device)
        return kind == _OK or (kind == _SOFT and self._soft)

    def check(self, mapper, feed_tensors) -> None:
        if self._pruned:
            self._check_pruned(mapper, feed_tensors)
            return
        ops = self._graph._nodes
        start, end = self._checked, len(ops)
        if start == end:
            return
        if not self._log:
            # Every earlier op was placeable; if every new op's own device is too, so are
            # the merged devices of their colocation groups.
            if all(self._placeable(op._device) for op in ops[start:end]):
                self._checked = end
                return
        # TF places (and logs) the whole graph whenever it grew.
        graph_ops = ops[:end]
        groups = _ColocationGroups(graph_ops)
        for op in _placement_order(graph_ops):
            self._check_op(op, groups)
            if self._log:
                line = f"{op.name}: ({op.type}): {LOCAL_CPU}"
                print(line, flush=True)
                _log_info("placer.cc:162", line)
        self._checked = end

    def _check_op(self, op, groups: _ColocationGroups) -> None:
        device = op._device
        if device and not self._placeable(device):
            raise _explicit_error(op, device, self._kind(device))
        root = groups.root_of[op]
        group_device = groups.device.get(root, "")
        if group_device and not self._placeable(group_device):
            raise _colocation_error(op, group_device, groups.members[root])

    def _check_pruned(self, mapper, feed_tensors) -> None:
        """Places the ops this run needs (from the fetches back to the feeds)."""
        fed = set(feed_tensors)
        needed: dict = {}
        stack = [t.op for t in mapper.tensors if t not in fed] + list(mapper.ops)
        while stack:
            op = stack.pop()
            if op in needed:
                continue
            needed[op] = None
            stack.extend(t.op for t in op._inputs if t not in fed)
            stack.extend(op._control_inputs)
        new_ops = [op for op in self._graph._nodes if op in needed and op not in self._placed]
        if not new_ops:
            return
        if self._log or not all(self._placeable(op._device) for op in new_ops):
            groups = _ColocationGroups(new_ops)
            for op in _placement_order(new_ops):
                self._check_op(op, groups)
                if self._log:
                    line = f"{op.name}: ({op.type}): {LOCAL_CPU}"
                    print(line, flush=True)
                    _log_info("placer.cc:162", line)
        self._placed.update(new_ops)
