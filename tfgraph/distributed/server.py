"""`tf.train.Server`: one task of a distributed cluster, served by a Ray actor.

`Server(cluster, job_name, task_index)` connects this process to the Ray cluster (see
runtime.connect) and starts the task's actor, named after the task's address in the
ClusterSpec. The address names the task; tfgraph listens on no port of its own (Ray's
ports carry the traffic). `server.target` is `grpc://host:port`, as in TF: a
`tf.Session(server.target)` runs ops without a job on this task, in this process, and
ops pinned to other tasks on their servers. `join()` blocks for as long as the process
lives (a parameter server's whole job).
"""

from __future__ import annotations

import threading

from tfgraph import errors

__all__ = ["Server", "create_local_cluster", "local_server"]

_servers: dict = {}  # target -> Server started in this process
_servers_lock = threading.Lock()


def local_server(target: str):
    """The Server started in this process for `target`, or None."""
    return _servers.get(target)


def _server_def(server_or_cluster_def, job_name, task_index, protocol, config):
    from tfgraph import proto
    from tfgraph.training.server_lib import ClusterSpec

    if type(server_or_cluster_def).__name__ == "ServerDef":
        server_def = proto.ServerDef()
        server_def.CopyFrom(server_or_cluster_def)
        if job_name is not None:
            server_def.job_name = job_name
        if task_index is not None:
            server_def.task_index = task_index
        if protocol is not None:
            server_def.protocol = protocol
        if config is not None:
            server_def.default_session_config.CopyFrom(config)
        return server_def
    cluster = ClusterSpec(server_or_cluster_def)
    jobs = cluster.jobs
    if job_name is None:
        if len(jobs) != 1:
            raise ValueError("Must specify an explicit `job_name`.")
        job_name = jobs[0]
    if task_index is None:
        tasks = cluster.task_indices(job_name)
        if len(tasks) != 1:
            raise ValueError("Must specify an explicit `task_index`.")
        task_index = tasks[0]
    server_def = proto.ServerDef(
        job_name=job_name, task_index=int(task_index), protocol=protocol or "grpc"
    )
    server_def.cluster.CopyFrom(cluster.as_cluster_def())
    if config is not None:
        server_def.default_session_config.CopyFrom(config)
    return server_def


class Server:
    """An in-process server for one task of a cluster (TF1 `tf.train.Server`).

    Args:
        server_or_cluster_def: a ClusterSpec, a dict for one, a ClusterDef, or a
            ServerDef.
        job_name, task_index: which task this process serves (optional when the
            cluster has only one).
        protocol: "grpc" (the transport is Ray's whatever is named).
        config: the default ConfigProto of sessions on this server.
        start: start serving now.
    """

    def __init__(
        self,
        server_or_cluster_def,
        job_name=None,
        task_index=None,
        protocol=None,
        config=None,
        start: bool = True,
    ) -> None:
        self._server_def = _server_def(
            server_or_cluster_def, job_name, task_index, protocol, config
        )
        job = next(
            (j for j in self._server_def.cluster.job if j.name == self._server_def.job_name), None
        )
        if job is None or self._server_def.task_index not in job.tasks:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Task {self._server_def.task_index} was not defined in job "
                f'"{self._server_def.job_name}"',
            )
        self._address = job.tasks[self._server_def.task_index]
        self._actor = None
        if start:
            self.start()

    @property
    def server_def(self):
        return self._server_def

    @property
    def target(self) -> str:
        return f"grpc://{self._address}"

    def start(self) -> None:
        """Starts the task's actor (once)."""
        if self._actor is not None:
            return
        from tfgraph.distributed import runtime

        ray = runtime.connect()
        name = runtime.actor_name(self._address)
        try:
            ray.get_actor(name, namespace=runtime.NAMESPACE)
        except ValueError:
            pass
        else:
            raise errors.UnknownError(
                None,
                None,
                f"Could not start server for /job:{self._server_def.job_name}/replica:0/task:"
                f"{self._server_def.task_index}: a server already serves {self._address}.",
            )
        service = ray.remote(runtime.TaskService)
        actor = service.options(
            name=name,
            namespace=runtime.NAMESPACE,
            num_cpus=0,
            max_restarts=0,
            max_concurrency=runtime.MAX_CONCURRENT_CALLS,
        ).remote(self._server_def.SerializeToString())
        ray.get(actor.ping.remote(), timeout=120)
        self._actor = actor
        with _servers_lock:
            _servers[self.target] = self

    def join(self) -> None:
        """Blocks until the process ends (servers run until they are killed)."""
        from tfgraph.distributed import runtime

        runtime.wait_forever()

    @staticmethod
    def create_local_server(config=None, start: bool = True) -> Server:
        """A server for a one-task cluster on this machine ("localhost", a free port)."""
        import socket

        with socket.socket() as s:
            s.bind(("localhost", 0))
            port = s.getsockname()[1]
        return Server({"localhost": [f"localhost:{port}"]}, config=config, start=start)


def _free_ports(count: int) -> list[int]:
    """`count` distinct unused local ports above 10000 (as TF's portpicker gives)."""
    import socket

    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as s:
            s.bind(("localhost", 0))
            port = s.getsockname()[1]
        if port > 10000 and port not in ports:
            ports.append(port)
    return ports


def create_local_cluster(
    num_workers: int, num_ps: int, protocol: str = "grpc", worker_config=None, ps_config=None
) -> tuple[list[Server], list[Server]]:
    """Starts `num_workers` worker and `num_ps` ps servers of one cluster on this machine
    (jobs "worker" and "ps", tasks at localhost ports) and returns `(workers, ps_servers)`;
    `tf.Session(workers[i].target)` runs graphs on the cluster."""
    ports = _free_ports(num_workers + num_ps)
    cluster = {
        "worker": [f"localhost:{p}" for p in ports[:num_workers]],
        "ps": [f"localhost:{p}" for p in ports[num_workers:]],
    }
    from tfgraph.training.server_lib import ClusterSpec

    spec = ClusterSpec(cluster)
    workers = [
        Server(spec, "worker", i, protocol=protocol, config=worker_config)
        for i in range(num_workers)
    ]
    ps_servers = [Server(spec, "ps", i, protocol=protocol, config=ps_config) for i in range(num_ps)]
    return workers, ps_servers
