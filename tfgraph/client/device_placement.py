"""Device placement: every op runs on this process's CPU; requested devices are checked.

TF assigns every node of the graph to a device when a session first sees it. An op
asking for a device this process does not have (a GPU, another job or task) fails with
InvalidArgumentError unless `allow_soft_placement` is set, in which case it runs on the
CPU and the graph keeps the requested device string.
"""

from __future__ import annotations

import sys

from tfgraph import errors
from tfgraph.framework.device import DeviceSpec

__all__ = ["LOCAL_CPU", "PlacementChecker", "list_devices"]

LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


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


def list_devices(session) -> list[_DeviceAttributes]:  # noqa: ARG001
    return [_DeviceAttributes(LOCAL_CPU, "CPU", 268435456)]


def _is_local_cpu(spec: DeviceSpec) -> bool:
    return (
        spec.job in (None, "localhost")
        and spec.replica in (None, 0)
        and spec.task in (None, 0)
        and spec.device_type in (None, "CPU")
        and spec.device_index in (None, 0)
    )


class PlacementChecker:
    """Checks the devices of the graph's ops once each, as a session first sees them."""

    def __init__(self, session) -> None:
        self._session = session
        self._checked = 0
        config = session._config
        self._soft = bool(getattr(config, "allow_soft_placement", False))
        self._log = bool(getattr(config, "log_device_placement", False))
        self._cache: dict[str, bool] = {"": True}

    def check(self, mapper, feed_tensors) -> None:  # noqa: ARG002
        graph = self._session.graph
        ops = graph._nodes
        start, end = self._checked, len(ops)
        for op in ops[start:end]:
            device = op._device
            ok = self._cache.get(device)
            if ok is None:
                ok = self._cache[device] = _is_local_cpu(DeviceSpec.from_string(device))
            if not ok and not self._soft:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Cannot assign a device for operation {op.name}: {{{{node {op.name}}}}} was "
                    f"explicitly assigned to {device} but available devices are "
                    f"[ {LOCAL_CPU} ]. Make sure the device specification refers to a valid "
                    "device."
                    + (
                        " The requested device appears to be a GPU, but CUDA is not enabled."
                        if "GPU" in device.upper()
                        else ""
                    ),
                )
        if self._log:
            for op in ops[start:end]:
                print(f"{op.name}: ({op.type}): {LOCAL_CPU}", file=sys.stderr)
        self._checked = end
