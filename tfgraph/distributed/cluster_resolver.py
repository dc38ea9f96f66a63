"""`tf.distribute.cluster_resolver`: where a cluster's tasks are and which one this
process is. TFConfigClusterResolver reads the TF_CONFIG environment variable, as TF's.
The cloud resolvers (GCE, Kubernetes) need their client libraries, as in TF, and raise
TF's ImportError without them."""

from __future__ import annotations

import abc
import enum
import json
import os
import re

from tfgraph.training.server_lib import ClusterSpec

__all__ = [
    "ClusterResolver",
    "GCEClusterResolver",
    "KubernetesClusterResolver",
    "KubernetesExecutableLocation",
    "SimpleClusterResolver",
    "SlurmClusterResolver",
    "TFConfigClusterResolver",
    "UnionResolver",
]


def _address(spec: ClusterSpec, task_type, task_id, rpc_layer) -> str:
    address = spec.task_address(task_type, task_id)
    return f"{rpc_layer}://{address}" if rpc_layer else address


class ClusterResolver(metaclass=abc.ABCMeta):
    """Base class: a cluster spec, this task's type and index, and the master's URL."""

    task_type: str | None = None
    task_id: int | None = None
    rpc_layer: str | None = None

    @abc.abstractmethod
    def cluster_spec(self) -> ClusterSpec:
        """The cluster as a ClusterSpec."""

    @abc.abstractmethod
    def master(self, task_type=None, task_id=None, rpc_layer=None) -> str:
        """The session target of the given task (default: this task)."""

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None) -> dict:
        """{device type: count} of each task's accelerators: none on tfgraph's CPUs."""
        return {}

    @property
    def environment(self) -> str:
        return ""


class SimpleClusterResolver(ClusterResolver):
    """A resolver holding a given ClusterSpec and master."""

    def __init__(
        self,
        cluster_spec,
        master="",
        task_type=None,
        task_id=None,
        environment="",
        num_accelerators=None,
        rpc_layer=None,
    ) -> None:
        if not isinstance(cluster_spec, ClusterSpec):
            raise TypeError("cluster_spec must be a `tf.train.ClusterSpec`.")
        if not isinstance(master, str):
            raise TypeError("master must be a string.")
        self._cluster_spec = cluster_spec
        self._master = master
        self.task_type = task_type
        self.task_id = task_id
        self._environment = environment
        self._num_accelerators = num_accelerators
        self.rpc_layer = rpc_layer

    def cluster_spec(self) -> ClusterSpec:
        return self._cluster_spec

    def master(self, task_type=None, task_id=None, rpc_layer=None) -> str:
        if task_type is not None and task_id is not None:
            return _address(self._cluster_spec, task_type, task_id, rpc_layer or self.rpc_layer)
        return self._master

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None) -> dict:
        return dict(self._num_accelerators or {})

    @property
    def environment(self) -> str:
        return self._environment


def _tf_config() -> dict:
    return json.loads(os.environ.get("TF_CONFIG") or "{}")


class TFConfigClusterResolver(ClusterResolver):
    """The cluster, task and RPC layer from the TF_CONFIG environment variable (a JSON
    object with "cluster", "task": {"type", "index"}, "rpc_layer", "environment"), read
    at each call."""

    def __init__(self, task_type=None, task_id=None, rpc_layer=None, environment=None):
        self._task_type = task_type
        self._task_id = task_id
        self._rpc_layer = rpc_layer
        self._environment = environment

    @property
    def task_type(self):
        if self._task_type is not None:
            return self._task_type
        task = _tf_config().get("task", {})
        return str(task["type"]) if "type" in task else None

    @task_type.setter
    def task_type(self, value):
        self._task_type = value

    @property
    def task_id(self):
        if self._task_id is not None:
            return self._task_id
        task = _tf_config().get("task", {})
        return int(task["index"]) if "index" in task else None

    @task_id.setter
    def task_id(self, value):
        self._task_id = value

    @property
    def rpc_layer(self):
        return self._rpc_layer if self._rpc_layer is not None else _tf_config().get("rpc_layer")

    @rpc_layer.setter
    def rpc_layer(self, value):
        self._rpc_layer = value

    @property
    def environment(self):
        return (
            self._environment
            if self._environment is not None
            else (_tf_config().get("environment"))
        )

    def cluster_spec(self) -> ClusterSpec:
        return ClusterSpec(_tf_config().get("cluster", {}))

    def master(self, task_type=None, task_id=None, rpc_layer=None) -> str:
        task_type = self.task_type if task_type is None else task_type
        task_id = self.task_id if task_id is None else task_id
        if task_type is None or task_id is None:
            return ""
        return _address(self.cluster_spec(), task_type, task_id, rpc_layer or self.rpc_layer)


class UnionResolver(ClusterResolver):
    """The union of several resolvers' clusters; master, task and RPC layer come from
    the first resolver unless given."""

    def __init__(self, *args, **kwargs) -> None:
        if not args:
            raise ValueError("At least one ClusterResolver is required.")
        for arg in args:
            if not isinstance(arg, ClusterResolver):
                raise TypeError("All arguments must be a sub-class of `ClusterResolver.`")
        self._resolvers = args
        self.task_type = kwargs.pop("task_type", args[0].task_type)
        self.task_id = kwargs.pop("task_id", args[0].task_id)
        self.rpc_layer = kwargs.pop("rpc_layer", args[0].rpc_layer)
        if kwargs:
            raise ValueError(f"Unexpected kwargs provided {kwargs!r}")

    def cluster_spec(self) -> ClusterSpec:
        merged: dict = {}
        for resolver in self._resolvers:
            for job, tasks in resolver.cluster_spec().as_dict().items():
                if isinstance(tasks, dict):
                    target = merged.setdefault(job, {})
                    if not isinstance(target, dict):
                        target = merged[job] = dict(enumerate(target))
                    for i, address in tasks.items():
                        if i in target:
                            raise KeyError(
                                f"Duplicate keys detected when merging two "
                                f"ClusterSpecs: {job} task {i}"
                            )
                        target[i] = address
                else:
                    current = merged.setdefault(job, [])
                    if isinstance(current, dict):
                        current.update(dict(enumerate(tasks, len(current))))
                    else:
                        current.extend(tasks)
        return ClusterSpec(merged)

    def master(self, task_type=None, task_id=None, rpc_layer=None) -> str:
        if task_type is not None and task_id is not None:
            return _address(self.cluster_spec(), task_type, task_id, rpc_layer or self.rpc_layer)
        return self._resolvers[0].master(rpc_layer=rpc_layer)

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None) -> dict:
        return self._resolvers[0].num_accelerators(task_type, task_id, config_proto)

    @property
    def environment(self):
        return self._resolvers[0].environment


class GCEClusterResolver(ClusterResolver):
    """A cluster from a Google Compute Engine instance group (needs googleapiclient)."""

    def __init__(
        self,
        project,
        zone,
        instance_group,
        port,
        task_type="worker",
        task_id=0,
        rpc_layer="grpc",
        credentials="default",
        service=None,
    ) -> None:
        raise ImportError("googleapiclient must be installed before using the GCE cluster resolver")

    def cluster_spec(self):  # pragma: no cover - construction always raises
        raise NotImplementedError

    def master(self, task_type=None, task_id=None, rpc_layer=None):  # pragma: no cover
        raise NotImplementedError


class KubernetesExecutableLocation(enum.Enum):
    """Whether a KubernetesClusterResolver runs inside the cluster or outside it."""

    WITHIN_CLUSTER = 0
    OFF_CLUSTER = 1


class KubernetesClusterResolver(ClusterResolver):
    """A cluster from Kubernetes pods (needs the `kubernetes` client library)."""

    def __init__(
        self,
        job_to_label_mapping=None,
        tf_server_port=8470,
        rpc_layer="grpc",
        override_client=None,
        executable_location=KubernetesExecutableLocation.WITHIN_CLUSTER,
    ) -> None:
        raise ImportError(
            "The Kubernetes Python client must be installed before using the Kubernetes "
            "Cluster Resolver. To install the Kubernetes Python client, run `pip install "
            "kubernetes` on your command line."
        )

    def cluster_spec(self):  # pragma: no cover - construction always raises
        raise NotImplementedError

    def master(self, task_type=None, task_id=None, rpc_layer=None):  # pragma: no cover
        raise NotImplementedError


def _slurm(name: str) -> str:
    key = "SLURM_" + name
    if key not in os.environ:
        raise RuntimeError(f"{key} not found in environment. Not running inside a SLURM step?")
    return os.environ[key]


def _hostlist_parts(hostlist: str) -> list[str]:
    """'n[1-2],m5' -> ['n[1-2]', 'm5']: split at the commas outside brackets."""
    parts, depth, current = [], 0, ""
    for ch in hostlist:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current] if current else parts


def expand_hostlist(hostlist: str) -> list[str]:
    """A Slurm host list ('n[1-2],m5,o[03-04,7]') as host names, in order."""
    hosts = []
    for part in _hostlist_parts(hostlist):
        m = re.fullmatch(r"([^,\[\]]*)(?:\[([^\]]+)\])?", part)
        if m is None:
            raise ValueError(f'Invalid hostlist format "{hostlist}": Invalid part: {part}')
        if m.group(2) is None:
            hosts.append(m.group(1))
            continue
        for item in m.group(2).split(","):
            lo, _, hi = item.partition("-")
            hosts.extend(
                m.group(1) + str(i).zfill(len(lo)) for i in range(int(lo), int(hi or lo) + 1)
            )
    return hosts


def expand_tasks_per_node(tasks_per_node: str) -> list[int]:
    """Slurm's '3(x2),1' as [3, 3, 1]."""
    out: list[int] = []
    for part in tasks_per_node.split(","):
        m = re.fullmatch(r"(\d+)(?:\(x(\d+)\))?", part)
        if m is None:
            raise ValueError(f'Invalid tasks-per-node list format "{tasks_per_node}"')
        out.extend([int(m.group(1))] * int(m.group(2) or 1))
    return out


class SlurmClusterResolver(ClusterResolver):
    """A cluster from the Slurm job step's environment (SLURM_PROCID, SLURM_STEP_NUM_TASKS,
    SLURM_STEP_NODELIST, SLURM_STEP_TASKS_PER_NODE): tasks are packed on the sorted
    nodes, ports from `port_base`, and assigned to the jobs in sorted job order. tfgraph
    has no GPUs, so `gpus_per_node` defaults to 0 and tasks then get none."""

    def __init__(
        self,
        jobs=None,
        port_base=8888,
        gpus_per_node=None,
        gpus_per_task=None,
        tasks_per_node=None,
        auto_set_gpu=True,
        rpc_layer="grpc",
    ) -> None:
        self._rank = int(_slurm("PROCID"))
        self._jobs = jobs if jobs is not None else {"worker": int(_slurm("STEP_NUM_TASKS"))}
        self._port_base = port_base
        if tasks_per_node is None:
            hosts = expand_hostlist(_slurm("STEP_NODELIST"))
            counts = expand_tasks_per_node(_slurm("STEP_TASKS_PER_NODE"))
            self._tasks = dict(zip(hosts, counts))
        elif isinstance(tasks_per_node, dict):
            self._tasks = dict(tasks_per_node)
        else:
            hosts = expand_hostlist(_slurm("STEP_NODELIST"))
            self._tasks = {host: int(tasks_per_node) for host in hosts}
        most = max(self._tasks.values())
        self._gpus_per_node = 0 if gpus_per_node is None else gpus_per_node
        self._gpus_per_task = (
            self._gpus_per_node // most if gpus_per_task is None else gpus_per_task
        )
        self._auto_set_gpu = auto_set_gpu
        self.task_type = None
        self.task_id = None
        self.rpc_layer = rpc_layer
        if most * self._gpus_per_task > self._gpus_per_node:
            raise RuntimeError("Requested more GPUs per node than available.")
        if sum(self._jobs.values()) != sum(self._tasks.values()):
            raise RuntimeError(
                f"Requested {sum(self._jobs.values())} tasks but only "
                f"{sum(self._tasks.values())} were assigned."
            )

    def _task_list(self) -> tuple[list[str], list[str]]:
        addresses, gpus = [], []
        per = self._gpus_per_task
        for host, count in sorted(self._tasks.items()):
            slots = count if per == 0 else min(count, len(range(0, self._gpus_per_node, per)))
            for i in range(slots):
                addresses.append(f"{host}:{self._port_base + i}")
                gpus.append(",".join(str(g) for g in range(i * per, i * per + per)))
        return addresses, gpus

    def cluster_spec(self) -> ClusterSpec:
        addresses, gpus = self._task_list()
        jobs, start = {}, 0
        for job, count in sorted(self._jobs.items()):
            jobs[job] = addresses[start : start + count]
            if start <= self._rank < start + count:
                self.task_type, self.task_id = job, self._rank - start
            start += count
        if self._auto_set_gpu and self._gpus_per_task:
            os.environ["CUDA_VISIBLE_DEVICES"] = gpus[self._rank]
        return ClusterSpec(jobs)

    def get_task_info(self) -> tuple:
        return self.task_type, self.task_id

    def master(self, task_type=None, task_id=None, rpc_layer=None) -> str:
        task_type = self.task_type if task_type is None else task_type
        task_id = self.task_id if task_id is None else task_id
        if task_type is None or task_id is None:
            return ""
        return _address(self.cluster_spec(), task_type, task_id, rpc_layer or self.rpc_layer)

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None) -> dict:
        return {"GPU": self._gpus_per_task}
