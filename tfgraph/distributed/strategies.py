"""The concrete strategies of `tf.distribute` (TF1 flavours): the default strategy,
OneDeviceStrategy, MirroredStrategy, CentralStorageStrategy, MultiWorkerMirroredStrategy
and ParameterServerStrategy.

tfgraph runs every replica of a strategy in this process's one graph. On a CPU-only
machine TF's strategies have one replica on the CPU; so do these. A strategy given
several local devices is refused (NotImplementedError), and the multi-worker strategies
take their cluster from a cluster resolver (TF_CONFIG) but replicate over this task's
device only: their between-graph, cross-task reductions are not built.
"""

from __future__ import annotations

import functools

from tfgraph.distributed.cross_device_ops import CommunicationImplementation, CrossDeviceOps
from tfgraph.distributed.strategy import canonical_device
from tfgraph.distributed.strategy_base import Strategy, StrategyExtended
from tfgraph.resource_variables import ResourceVariable

__all__ = [
    "CentralStorageStrategy",
    "MirroredStrategy",
    "MirroredVariable",
    "MultiWorkerMirroredStrategy",
    "OneDeviceStrategy",
    "ParameterServerStrategy",
    "default_strategy",
]

_CPU = "/replica:0/task:0/device:CPU:0"


class _DefaultStrategy(Strategy):
    """The strategy in effect outside any `scope()`: no placement, no replication."""

    def __init__(self) -> None:
        super().__init__(_DefaultExtended(self))

    def scope(self):
        from tfgraph.distributed.strategy import _entered

        return _entered(self, None)

    def run(self, fn, args=(), kwargs=None, options=None):
        return fn(*args, **(kwargs or {}))


class _DefaultExtended(StrategyExtended):
    def __init__(self, strategy) -> None:
        super().__init__(strategy, (_CPU,), (_CPU,))

    def update(self, var, fn, args=(), kwargs=None, group=True):
        from tfgraph.framework.graph import get_default_graph

        with get_default_graph().colocate_with(var):
            return fn(var, *args, **(kwargs or {}))


@functools.lru_cache(maxsize=1)
def default_strategy() -> Strategy:
    return _DefaultStrategy()


def _local_devices(devices, who: str) -> tuple:
    out = tuple(canonical_device(d) for d in devices)
    if not out:
        raise ValueError(f"{who}: got an empty `devices` list; give at least one device")
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: No duplicates allowed in `devices` argument: {devices}")
    if len(out) > 1:
        raise NotImplementedError(
            f"{who} over several devices {list(out)} is not supported by tfgraph: it runs "
            "one replica per strategy; give one device (or none for the CPU)"
        )
    return out


class OneDeviceStrategy(Strategy):
    """Everything (variables and computation) on one device, as one replica."""

    def __init__(self, device: str) -> None:
        devices = _local_devices([device], "OneDeviceStrategy")
        super().__init__(StrategyExtended(self, devices, devices))


class MirroredVariable(ResourceVariable):
    """A variable mirrored on every replica of a MirroredStrategy (one replica: one
    resource variable, named as the variable)."""

    @property
    def values(self) -> tuple:
        return (self,)

    @property
    def primary(self):
        return self

    @property
    def devices(self) -> tuple:
        return (self.device,)


class MirroredStrategy(Strategy):
    """Synchronous replication over the local devices (default: the CPU, one replica);
    variables are MirroredVariables."""

    def __init__(self, devices=None, cross_device_ops=None) -> None:
        if cross_device_ops is not None and not isinstance(cross_device_ops, CrossDeviceOps):
            raise ValueError(
                "cross_device_ops must be a tf.distribute.CrossDeviceOps (ReductionToOneDevice, "
                f"HierarchicalCopyAllReduce, NcclAllReduce), got {cross_device_ops!r}"
            )
        devices = _local_devices(devices or [_CPU], "MirroredStrategy")
        super().__init__(StrategyExtended(self, devices, devices, update_scope="update_0"))
        self._cross_device_ops = cross_device_ops

    def _wrap_variable(self, v):
        v.__class__ = MirroredVariable
        return v


class CentralStorageStrategy(Strategy):
    """Variables on one parameter device (the CPU), computation replicated on the compute
    devices (one replica on a CPU-only machine)."""

    def __init__(self, compute_devices=None, parameter_device=None) -> None:
        compute = _local_devices(compute_devices or [_CPU], "CentralStorageStrategy")
        params = (canonical_device(parameter_device or _CPU),)
        super().__init__(StrategyExtended(self, compute, params))


def _resolver(cluster_resolver):
    if cluster_resolver is None:
        from tfgraph.distributed.cluster_resolver import TFConfigClusterResolver

        return TFConfigClusterResolver()
    return cluster_resolver


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous replication across the cluster's workers (TF_CONFIG) with collective
    ops. tfgraph builds this task's replica and counts the cluster's replicas as TF does,
    but builds no cross-worker all-reduce: `all_reduce`/`reduce` over several workers
    raise NotImplementedError (tf.train.SyncReplicasOptimizer runs on the Ray runtime)."""

    def __init__(
        self,
        communication=CommunicationImplementation.AUTO,
        cluster_resolver=None,
    ) -> None:
        resolver = _resolver(cluster_resolver)
        spec = resolver.cluster_spec().as_dict()
        workers = len(spec.get("worker", [])) + len(spec.get("chief", []))
        device = _task_device(resolver) if workers and resolver.task_type else _CPU
        super().__init__(StrategyExtended(self, (device,), (device,), update_scope="update_0"))
        self.cluster_resolver = resolver
        self._communication = communication
        self._num_replicas = max(workers, 1)

    @property
    def num_replicas_in_sync(self) -> int:
        return self._num_replicas

    def _wrap_variable(self, v):
        v.__class__ = MirroredVariable
        return v


class ParameterServerStrategy(Strategy):
    """TF1's ParameterServerStrategy: variables on the cluster's parameter servers
    (round-robin, as tf.train.replica_device_setter places them), computation on this
    worker; with no cluster, everything on the CPU, as in TF."""

    def __init__(self, cluster_resolver=None) -> None:
        resolver = _resolver(cluster_resolver)
        ps = resolver.cluster_spec().as_dict().get("ps", [])
        if ps and resolver.task_type:
            worker = _task_device(resolver)
            params = tuple(f"/job:ps/task:{i}" for i in range(len(ps)))
        else:
            worker, params = _CPU, (_CPU,)
        super().__init__(_RoundRobinExtended(self, (worker,), params))
        self.cluster_resolver = resolver

    def _wrap_variable(self, v):
        v.__class__ = _ParameterServerVariable
        return v


class _ParameterServerVariable(ResourceVariable):
    """A variable on a parameter server: reads run on the ps (tfgraph's runtime does not
    pass resource handles between tasks), their values go to the worker."""

    def value(self):
        from tfgraph.framework.graph import get_default_graph

        if self._eager or not self.device:
            return super().value()
        with get_default_graph().device(self.device):
            return super().value()


class _RoundRobinExtended(StrategyExtended):
    def __init__(self, strategy, worker_devices, parameter_devices) -> None:
        super().__init__(strategy, worker_devices, parameter_devices)
        self._next_ps = 0

    def _variable_device(self) -> str:
        if self._colocate_device:
            return self._colocate_device
        device = self._parameter_devices[self._next_ps % len(self._parameter_devices)]
        self._next_ps += 1
        return device


def _task_device(resolver) -> str:
    return f"/job:{resolver.task_type}/replica:0/task:{resolver.task_id or 0}/device:CPU:0"
