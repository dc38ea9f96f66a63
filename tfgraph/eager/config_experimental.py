"""The rest of `tf.config.experimental` as TF answers on a CPU-only machine: runtime
switches that are remembered (tfgraph computes the same either way) and memory
queries that fail as TF's do, since the CPU allocator keeps no statistics."""

from __future__ import annotations

import re
from typing import Any

from tfgraph.framework import random_seed

__all__ = [
    "ClusterDeviceFilters",
    "disable_mlir_bridge",
    "enable_mlir_bridge",
    "enable_op_determinism",
    "enable_tensor_float_32_execution",
    "get_device_details",
    "get_device_policy",
    "get_memory_info",
    "get_memory_usage",
    "get_synchronous_execution",
    "reset_memory_stats",
    "set_device_policy",
    "set_synchronous_execution",
    "tensor_float_32_execution_enabled",
]

_DEVICE_POLICIES = ("warn", "explicit", "silent", "silent_for_int32")
_state: dict[str, Any] = {
    "device_policy": "silent",
    "synchronous": True,
    "tf32": True,
    "mlir_bridge": None,
}


def get_device_policy() -> str:
    """The placement policy for tensors on the wrong device ("silent" unless set)."""
    return _state["device_policy"]


def set_device_policy(device_policy) -> None:
    """Sets the placement policy: one of "warn", "explicit", "silent",
    "silent_for_int32", or None for the default ("silent"). tfgraph has one device,
    so no tensor is ever copied."""
    if device_policy is None:
        device_policy = "silent"
    if device_policy not in _DEVICE_POLICIES:
        raise ValueError(
            f"Invalid argument `device_policy`: {device_policy!r}. Please refer to "
            "https://www.tensorflow.org/api_docs/python/tf/config/experimental/"
            "set_device_policy for valid `device_policy` arguments."
        )
    _state["device_policy"] = device_policy


def get_synchronous_execution() -> bool:
    """Whether eager ops run synchronously (True unless set)."""
    return _state["synchronous"]


def set_synchronous_execution(enable) -> None:
    """Records the setting (None means the default, True); tfgraph's ops always run
    synchronously."""
    _state["synchronous"] = True if enable is None else bool(enable)


def tensor_float_32_execution_enabled() -> bool:
    """Whether TensorFloat-32 is allowed (True unless disabled)."""
    return _state["tf32"]


def enable_tensor_float_32_execution(enabled) -> None:
    """Records the setting; on a CPU it changes no result (in TF as here)."""
    _state["tf32"] = bool(enabled)


def enable_mlir_bridge() -> None:
    """Records that TF's MLIR bridge is requested (tfgraph has no graph compiler)."""
    _state["mlir_bridge"] = True


def disable_mlir_bridge() -> None:
    """Records that TF's MLIR bridge is turned off (tfgraph has no graph compiler)."""
    _state["mlir_bridge"] = False


def enable_op_determinism() -> None:
    """TF's switch for ops that give the same bits every run. tfgraph's kernels always do
    for a given thread count (products shared by threads are cut by shape only,
    tf.data keeps its order); as in TF, random ops made without any seed raise
    RuntimeError from now on."""
    random_seed.enable_op_determinism()


def get_device_details(device) -> dict:
    """Details of a physical device: the CPU has none ({})."""
    from tfgraph.eager.config import PhysicalDevice, list_physical_devices

    if not isinstance(device, PhysicalDevice):
        raise ValueError(f"device must be a tf.config.PhysicalDevice, but got: {device}")
    if device not in list_physical_devices():
        raise ValueError(
            "The PhysicalDevice must be one obtained from calling "
            f"`tf.config.list_physical_devices`, but got: {device}"
        )
    return {}


_LOCAL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(\d+)$")
_PART = re.compile(
    r"^(job:[^/]+|replica:\d+|task:\d+|device:[A-Za-z_][A-Za-z0-9_]*:(\d+|\*)|(cpu|gpu):(\d+|\*))$"
)


def _is_local_cpu(device: str) -> bool:
    """Whether the device string names tfgraph's CPU; ValueError (TF's phrase) when it
    does not parse."""
    if device == "":
        return True
    if device.startswith("/"):
        parts = device[1:].split("/")
        if all(_PART.match(p) for p in parts):
            kinds = [p for p in parts if p.startswith(("device:", "cpu:", "gpu:"))]
            last = kinds[-1] if kinds else "device:CPU:0"
            return last in ("device:CPU:0", "cpu:0")
    else:
        match = _LOCAL.match(device)
        if match:
            return match.group(1) == "CPU" and int(match.group(2)) == 0
    raise ValueError(
        f"Failed parsing device name: {device!r}. Note a valid device string should at "
        'least contain a device type and a device index, like "GPU:0".'
    )


def _cpu_or_raise(device: str) -> None:
    if not _is_local_cpu(device):
        raise ValueError(f"No matching devices found for {device!r}")


def get_memory_info(device) -> dict:
    """Memory statistics of a device: TF's CPU allocator keeps none, so for the CPU
    this raises ValueError as TF does (and for any other device, there is none)."""
    _cpu_or_raise(device)
    raise ValueError(f"Allocator stats not available for device {device!r}")


def get_memory_usage(device) -> int:
    """Deprecated form of `get_memory_info(device)['current']` (ValueError on a CPU)."""
    return get_memory_info(device)["current"]


def reset_memory_stats(device) -> None:
    """Resets a device's peak-memory statistic: not possible for the CPU (ValueError,
    as in TF)."""
    _cpu_or_raise(device)
    raise ValueError(f"Cannot reset memory stats for device {device!r}")


class ClusterDeviceFilters:
    """Device filters for the remote workers of a cluster: for each job and task, the
    device names that worker may see (used by `experimental_connect_to_cluster`)."""

    def __init__(self) -> None:
        self._device_filters: dict = {}

    def set_device_filters(self, job_name, task_index, device_filters) -> None:
        """Sets the filters (a list of str) of task `task_index` of job `job_name`."""
        assert all(isinstance(df, str) for df in device_filters)
        self._device_filters.setdefault(job_name, {})[task_index] = list(device_filters)
