"""Names whose work happens in TensorFlow's eager runtime or debugger: in TF1 graph mode
they fail or do nothing exactly as TensorFlow 2.21 does there."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tfgraph.platform import tf_logging

_TENSOR_DEBUG_MODES = (
    "UNSPECIFIED",
    "NO_TENSOR",
    "CURT_HEALTH",
    "CONCISE_HEALTH",
    "FULL_HEALTH",
    "SHAPE",
    "FULL_NUMERICS",
    "FULL_TENSOR",
    "REDUCE_INF_NAN_THREE_SLOTS",
)


def _eager() -> bool:
    from tfgraph.platform.v2_toggles import executing_eagerly

    return executing_eagerly()


def sync_devices() -> None:
    """Waits for all ops queued on all devices (eager mode; tfgraph's ops run synchronously).

    Raises:
        RuntimeError: in graph mode, as TensorFlow.
    """
    if not _eager():
        raise RuntimeError("sync_devices() must only be called in Eager mode, outside tf.functions")


def experimental_connect_to_host(remote_host=None, job_name: str = "worker") -> None:
    """Connects eager execution to remote hosts (`tf.config.experimental_connect_to_host`).

    Raises:
        ValueError: in graph mode, as TensorFlow.
        NotImplementedError: in eager mode: tfgraph runs remote work through
            `tf.train.Server` and `grpc://` session targets, not remote eager contexts.
    """
    del remote_host, job_name
    _connect()


def experimental_connect_to_cluster(
    cluster_spec_or_resolver,
    job_name: str = "localhost",
    task_index: int = 0,
    protocol=None,
    make_master_device_default: bool = True,
    cluster_device_filters=None,
) -> None:
    """Connects eager execution to a cluster (`tf.config.experimental_connect_to_cluster`).

    Raises:
        ValueError: in graph mode, as TensorFlow.
        NotImplementedError: in eager mode (see `experimental_connect_to_host`).
    """
    del cluster_spec_or_resolver, job_name, task_index, protocol
    del make_master_device_default, cluster_device_filters
    _connect()


def _connect() -> None:
    if not _eager():
        raise ValueError(
            "`tf.config.experimental_connect_to_cluster` can only be called in eager mode."
        )
    raise NotImplementedError(
        "tfgraph does not connect eager execution to remote hosts; build a graph and run it "
        "with tf.Session('grpc://host:port') against a tf.train.Server instead."
    )


@dataclass
class DebugDumpConfig:
    """What `enable_dump_debug_info` was asked to record."""

    dump_root: str
    tensor_debug_mode: str
    circular_buffer_size: int
    op_regex: object = None
    tensor_dtypes: object = None


_dump: dict[str, DebugDumpConfig | None] = {"config": None}


def enable_dump_debug_info(
    dump_root,
    tensor_debug_mode: str = "NO_TENSOR",
    circular_buffer_size: int = 1000,
    op_regex=None,
    tensor_dtypes=None,
) -> DebugDumpConfig:
    """Turns on debugger dumping to `dump_root`, checking its arguments as TensorFlow does.

    tfgraph creates `dump_root` but writes no debug-event files: TensorFlow's tfdbg v2
    files (`tfdbg_events.*`) are written by its C++ runtime as ops execute.

    Returns:
        The dumping configuration.

    Raises:
        ValueError: an unknown `tensor_debug_mode`, or dumping already on with another
            circular-buffer size or tensor-debug mode.
    """
    if tensor_debug_mode not in _TENSOR_DEBUG_MODES:
        raise ValueError(
            f"Invalid value in tensor_debug_mode ('{tensor_debug_mode}'). Valid options are: "
            f"{list(_TENSOR_DEBUG_MODES)}"
        )
    current = _dump["config"]
    if current is not None:
        if current.circular_buffer_size != circular_buffer_size:
            raise ValueError(
                "There is already a dumping callback configured with a different circular-buffer "
                f"size ({current.circular_buffer_size}). Therefore the newly request "
                f"circular-buffer size ({circular_buffer_size}) will not be honored."
            )
        if current.tensor_debug_mode != tensor_debug_mode:
            raise ValueError(
                f"There is already a dumping callback configured for dump root "
                f"{current.dump_root} with a different tensor-debug mode "
                f"({current.tensor_debug_mode}). Therefore the newly request tensor-debug mode "
                f"({tensor_debug_mode}) size will not be honored."
            )
        return current
    os.makedirs(os.fspath(dump_root), exist_ok=True)
    config = DebugDumpConfig(
        os.fspath(dump_root), tensor_debug_mode, circular_buffer_size, op_regex, tensor_dtypes
    )
    _dump["config"] = config
    tf_logging.info(f"Enabled dumping callback (tfgraph writes no debug events): {dump_root}")
    return config


def disable_dump_debug_info() -> None:
    """Turns debugger dumping off (no effect when it is off)."""
    _dump["config"] = None
