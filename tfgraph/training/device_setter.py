"""`tf.train.replica_device_setter`: place variables on parameter servers, round-robin
or by load, and everything else on the worker.

The returned device function is used as `with tf.device(setter):`. Ops whose type is
in `ps_ops` (variables by default) go to `ps_device` with a task chosen by
`ps_strategy`; other ops go to `worker_device`. Fields the op already has (from inner
`tf.device` blocks) win when `merge_devices` is True.

`GreedyLoadBalancingStrategy(num_tasks, load_fn)` puts each variable on the least
loaded task so far (TF1's `tf.contrib.training` strategy; `byte_size_load_fn` measures
a variable by its size in bytes).
"""

from __future__ import annotations

import logging

import numpy as np

from tfgraph.framework.device import DeviceSpec
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.training.server_lib import ClusterSpec

__all__ = [
    "STANDARD_PS_OPS",
    "GreedyLoadBalancingStrategy",
    "byte_size_load_fn",
    "replica_device_setter",
]

STANDARD_PS_OPS = (
    "Variable",
    "VariableV2",
    "AutoReloadVariable",
    "MutableHashTable",
    "MutableHashTableV2",
    "MutableHashTableOfTensors",
    "MutableHashTableOfTensorsV2",
    "MutableDenseHashTable",
    "MutableDenseHashTableV2",
    "VarHandleOp",
    "BoostedTreesEnsembleResourceHandleOp",
    "BoostedTreesQuantileStreamResourceHandleOp",
    "ResourceConditionalAccumulator",
    "DecisionTreeResource",
)


class _RoundRobinStrategy:
    """Assigns ps tasks 0, 1, ..., num_tasks-1, 0, ... in turn."""

    def __init__(self, num_tasks: int) -> None:
        self._num_tasks = num_tasks
        self._next_task = 0

    def __call__(self, unused_op) -> int:
        task = self._next_task
        self._next_task = (self._next_task + 1) % self._num_tasks
        return task


class GreedyLoadBalancingStrategy:
    """Places each op on the ps task with the least load so far (ties: lowest index).

    Args:
        num_tasks: the number of ps tasks.
        load_fn: `load_fn(op)` -> the load the op adds (e.g. `byte_size_load_fn`).
    """

    def __init__(self, num_tasks: int, load_fn) -> None:
        self._num_tasks = num_tasks
        self._load_fn = load_fn
        self._ps_loads = np.zeros(num_tasks)

    def __call__(self, op) -> int:
        task = int(np.argmin(self._ps_loads))
        self._ps_loads[task] += self._load_fn(op)
        return task


def byte_size_load_fn(op) -> int:
    """The size in bytes of `op`'s single output (for variables: the variable's size).

    Raises:
        ValueError: if `op` has not exactly one output, or its shape is not fully known.
    """
    if len(op.outputs) != 1:
        raise ValueError(f"Op {op} must have a single output")
    output = op.outputs[0]
    shape = output.get_shape()
    if not shape.is_fully_defined():
        # A variable's output shape is set after device functions run; use its attr.
        attr = op._attrs.get("shape")
        if attr is not None:
            shape = TensorShape(attr)
    shape.assert_is_fully_defined()
    return shape.num_elements() * output.dtype.size


class _ReplicaDeviceChooser:
    def __init__(self, ps_tasks, ps_device, worker_device, merge_devices, ps_ops, ps_strategy):
        self._ps_tasks = ps_tasks
        self._ps_device = ps_device
        self._worker_device = worker_device
        self._merge_devices = merge_devices
        self._ps_ops = ps_ops
        self._ps_strategy = ps_strategy

    def device_function(self, op) -> str:
        """The device of `op`: a ps task for ps ops, the worker otherwise."""
        if not self._merge_devices and op.device:
            return op.device
        current = DeviceSpec.from_string(op.device or "")
        if self._ps_tasks and self._ps_device and op.type in self._ps_ops:
            ps_device = DeviceSpec.from_string(self._ps_device)
            current_job, ps_job = current.job, ps_device.job
            if ps_job and (not current_job or current_job == ps_job):
                ps_device = ps_device.replace(task=self._ps_strategy(op))
            return ps_device.make_merged_spec(current).to_string()
        worker = DeviceSpec.from_string(self._worker_device or "")
        return worker.make_merged_spec(current).to_string()


def replica_device_setter(
    ps_tasks: int = 0,
    ps_device: str = "/job:ps",
    worker_device: str = "/job:worker",
    merge_devices: bool = True,
    cluster=None,
    ps_ops=None,
    ps_strategy=None,
):
    """A device function for `tf.device` placing variables on parameter servers.

    Args:
        ps_tasks: the number of ps tasks (taken from `cluster` when given).
        ps_device: the ps job's device ("/job:ps").
        worker_device: the device for all other ops ("/job:worker").
        merge_devices: whether devices the op already has are merged in (else kept).
        cluster: a ClusterSpec or dict; its ps job sets `ps_tasks`.
        ps_ops: op types placed on ps (default: the variable op types).
        ps_strategy: `fn(op) -> task index` (default: round robin).

    Returns:
        The device function, or None when there are no ps tasks.
    """
    if cluster is not None:
        if isinstance(cluster, ClusterSpec):
            cluster_spec = cluster.as_dict()
        else:
            cluster_spec = ClusterSpec(cluster).as_dict()
        ps_job_name = DeviceSpec.from_string(ps_device).job
        if ps_job_name not in cluster_spec or cluster_spec[ps_job_name] is None:
            return None
        ps_tasks = len(cluster_spec[ps_job_name])
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(STANDARD_PS_OPS)
    if not merge_devices:
        logging.getLogger("tfgraph").warning(
            "DEPRECATION: It is recommended to set merge_devices=true in replica_device_setter"
        )
    if ps_strategy is None:
        ps_strategy = _RoundRobinStrategy(ps_tasks)
    if not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    chooser = _ReplicaDeviceChooser(
        ps_tasks, ps_device, worker_device, merge_devices, ps_ops, ps_strategy
    )
    return chooser.device_function
