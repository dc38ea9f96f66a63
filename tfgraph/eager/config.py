"""`tf.config`: the devices tfgraph has (one CPU) and the runtime switches TF2 scripts set.

Settings that only matter to GPUs or TF's thread pools are accepted and remembered, so
scripts that set them run; they do not change how tfgraph computes.
"""

from __future__ import annotations

import collections
import types
from typing import Any

from tfgraph.eager import config_experimental as _config_experimental
from tfgraph.platform import parallel

__all__ = [
    "LogicalDevice",
    "LogicalDeviceConfiguration",
    "PhysicalDevice",
    "functions_run_eagerly",
    "get_logical_device_configuration",
    "get_soft_device_placement",
    "get_visible_devices",
    "list_logical_devices",
    "list_physical_devices",
    "run_functions_eagerly",
    "set_logical_device_configuration",
    "set_soft_device_placement",
    "set_visible_devices",
]

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])
LogicalDeviceConfiguration = collections.namedtuple(
    "LogicalDeviceConfiguration",
    ["memory_limit", "experimental_priority", "experimental_device_ordinal"],
    defaults=(None, None, None),
)

_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_settings: dict[str, Any] = {
    "soft_placement": True,
    "run_eagerly": False,
    "visible": [_CPU],
    "memory_growth": {},
    "logical": {},
    "inter_op": 0,
    "intra_op": 0,
}


def list_physical_devices(device_type: str | None = None) -> list:
    """The machine's devices: one CPU (no GPU, TPU)."""
    return [d for d in [_CPU] if device_type is None or d.device_type == device_type.upper()]


def list_logical_devices(device_type: str | None = None) -> list:
    return [
        LogicalDevice("/device:CPU:0", "CPU")
        for d in _settings["visible"]
        if device_type is None or d.device_type == device_type.upper()
    ]


def get_visible_devices(device_type: str | None = None) -> list:
    return [d for d in _settings["visible"] if device_type is None or d.device_type == device_type]


def set_visible_devices(devices, device_type: str | None = None) -> None:
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for d in devices:
        if d not in list_physical_devices():
            raise ValueError(f"Unrecognized device: {d!r}")
    if device_type is None or device_type == "CPU":
        _settings["visible"] = [d for d in devices if d.device_type == "CPU"] or [_CPU]


def get_logical_device_configuration(device) -> list | None:
    return _settings["logical"].get(device)


def set_logical_device_configuration(device, logical_devices) -> None:
    _settings["logical"][device] = logical_devices


def get_soft_device_placement() -> bool:
    return _settings["soft_placement"]


def set_soft_device_placement(enabled: bool) -> None:
    """Accepted: tfgraph always places ops on its one CPU."""
    _settings["soft_placement"] = bool(enabled)


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Makes `tf.function`s run their Python bodies op by op (for debugging)."""
    _settings["run_eagerly"] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _settings["run_eagerly"]


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly


def _set_memory_growth(device, enable: bool) -> None:
    if device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}")
    _settings["memory_growth"][device] = bool(enable)


def _get_memory_growth(device) -> bool:
    return _settings["memory_growth"].get(device, False)


experimental = types.SimpleNamespace(
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices,
    set_visible_devices=set_visible_devices,
    set_memory_growth=_set_memory_growth,
    get_memory_growth=_get_memory_growth,
    set_virtual_device_configuration=set_logical_device_configuration,
    get_virtual_device_configuration=get_logical_device_configuration,
    VirtualDeviceConfiguration=LogicalDeviceConfiguration,
    **{name: getattr(_config_experimental, name) for name in _config_experimental.__all__},
)


def _threads(key):
    def get() -> int:
        return _settings[key]

    def set_(n: int) -> None:
        _settings[key] = int(n)

    return get, set_


_get_inter, _set_inter = _threads("inter_op")
_get_intra, _store_intra = _threads("intra_op")


def _set_intra(n: int) -> None:
    """Kernels outside a session whose ConfigProto sets its own use at most `n` threads
    (0: all); tfgraph runs ops one at a time, so inter-op threads change nothing."""
    _store_intra(n)
    parallel.set_default_limit(int(n))


threading = types.SimpleNamespace(
    get_inter_op_parallelism_threads=_get_inter,
    set_inter_op_parallelism_threads=_set_inter,
    get_intra_op_parallelism_threads=_get_intra,
    set_intra_op_parallelism_threads=_set_intra,
)


# -- tf.config.optimizer: Grappler and XLA settings (stored; tfgraph has neither) ----------
# TF reports a toggle only once it is set (True for ON), and the two booleans always.
_TOGGLES = (
    "layout_optimizer",
    "constant_folding",
    "shape_optimization",
    "remapping",
    "arithmetic_optimization",
    "dependency_optimization",
    "loop_optimization",
    "function_optimization",
    "debug_stripper",
    "scoped_allocator_optimization",
    "pin_to_host_optimization",
    "implementation_selector",
    "auto_mixed_precision",
    "use_plugin_optimizers",
    "auto_mixed_precision_onednn_bfloat16",
    "auto_mixed_precision_mkl",
)
_BOOLS = ("disable_model_pruning", "disable_meta_optimizer")
_optimizer: dict[str, Any] = {"jit": False, "options": {}}


def _get_jit() -> str:
    """ "autoclustering" when JIT compilation was turned on by `set_jit`, else ""."""
    return "autoclustering" if _optimizer["jit"] else ""


def _set_jit(enabled) -> None:
    """Records whether JIT compilation is on (True or "autoclustering"); tfgraph has no
    XLA, so nothing is compiled either way."""
    _optimizer["jit"] = enabled in (True, "autoclustering")


def _get_experimental_options() -> dict:
    """The optimizer options set so far, as TF reports them."""
    stored = _optimizer["options"]
    out: dict[str, Any] = {}
    for key in _TOGGLES[:9]:
        if stored.get(key) is not None:
            out[key] = bool(stored[key])
    out["disable_model_pruning"] = bool(stored.get("disable_model_pruning", False))
    for key in _TOGGLES[9:14]:
        if stored.get(key) is not None:
            out[key] = bool(stored[key])
    out["disable_meta_optimizer"] = bool(stored.get("disable_meta_optimizer", False))
    for key in _TOGGLES[14:]:
        if stored.get(key) is not None:
            out[key] = bool(stored[key])
    if stored.get("min_graph_nodes"):
        out["min_graph_nodes"] = int(stored["min_graph_nodes"])
    return out


def _set_experimental_options(options: dict) -> None:
    """Records Grappler options (names TF does not know are ignored, as in TF); tfgraph
    has no graph rewriter, so they change nothing."""
    known = {*_TOGGLES, *_BOOLS, "min_graph_nodes"}
    _optimizer["options"].update({k: v for k, v in options.items() if k in known})


optimizer = types.SimpleNamespace(
    get_jit=_get_jit,
    set_jit=_set_jit,
    get_experimental_options=_get_experimental_options,
    set_experimental_options=_set_experimental_options,
)
