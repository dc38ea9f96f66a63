"""The distributed runtime on Ray: task actors, the executors that run subgraphs on
them, and the runner behind a `Session("grpc://...")`.

Each task of a cluster (`/job:ps/task:0`, `/job:worker/task:1`) is a named Ray actor,
`tfgraph:<host:port>` in namespace "tfgraph", created by that task's `tf.train.Server`
and owned by its process (if the process dies, Ray ends the actor, and the state on it
goes, as with a TF server). The actor keeps one resource store (variables, queues,
random streams) and runs the subgraphs sessions send it, concurrently (a threaded
actor), as a TF server runs its sessions' ops: a dequeue blocked on an empty queue does
not hold up the other workers, and updates lock their variables as `use_locking`
says, as in one process.

A session whose target is a server's runs each group of its partitioned run (see
partition.py) where the group's task lives: in this process for the session's own task
(sharing the session's store), through the task's actor for the others; values go
over Ray (its object store carries large arrays). A task that is gone makes the run
raise `UnavailableError`.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import numpy as np

from tfgraph import errors

__all__ = ["DistributedRunner", "actor_name", "connect"]

NAMESPACE = "tfgraph"
MAX_CONCURRENT_CALLS = 64  # (calls a task runs at once: blocked dequeues included)
_connect_lock = threading.Lock()


def actor_name(address: str) -> str:
    return f"tfgraph:{address}"


def _ray():
    try:
        import ray
    except ImportError:
        raise ImportError(
            "tfgraph's distributed runtime runs on Ray, which is not installed: "
            "pip install 'tfgraph-numpy[distributed]'"
        ) from None
    return ray


def connect():
    """Connects this process to the Ray cluster (once): `TFGRAPH_RAY_ADDRESS` or
    `RAY_ADDRESS` if set, else a cluster running on this machine (`ray start --head`),
    else a new local head node started for the purpose (it outlives this process, so
    the other tasks' processes find it; `ray stop` ends it)."""
    with _connect_lock:
        _use_token_if_present()  # (before Ray reads its configuration)
        ray = _ray()
        if ray.is_initialized():
            return ray
        address = os.environ.get("TFGRAPH_RAY_ADDRESS") or os.environ.get("RAY_ADDRESS")
        options = dict(namespace=NAMESPACE, log_to_driver=False, configure_logging=False)
        try:
            ray.init(address=address or "auto", **options)
        except ConnectionError:
            if address:
                raise
            _start_local_head()
            ray.init(address="auto", **options)
        return ray


def _use_token_if_present() -> None:
    """Ray (2.5x and newer) enables token authentication on a head node started where a
    token exists (`~/.ray/auth_token`, `$RAY_AUTH_TOKEN_PATH`, `$RAY_AUTH_TOKEN`), but its
    clients send the token only when `RAY_AUTH_MODE=token`: without it, connecting to
    such a cluster fails. Where a token exists and no mode was chosen, choose token mode
    (a cluster without authentication accepts such clients too)."""
    if "RAY_AUTH_MODE" in os.environ:
        return
    path = os.environ.get("RAY_AUTH_TOKEN_PATH") or os.path.expanduser("~/.ray/auth_token")
    if os.environ.get("RAY_AUTH_TOKEN") or os.path.isfile(path):
        os.environ["RAY_AUTH_MODE"] = "token"
        if "ray" in sys.modules:  # (Ray read its configuration on import: read it again)
            try:
                from ray._raylet import Config  # type: ignore[attr-defined]

                Config.initialize("")
            except (ImportError, AttributeError):
                pass


def _start_local_head() -> None:
    import fcntl
    import subprocess
    import tempfile

    lock_path = os.path.join(tempfile.gettempdir(), "tfgraph-ray-start.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # (tasks starting together start one head)
        probe = subprocess.run(
            [sys.executable, "-m", "ray.scripts.scripts", "status"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        if probe.returncode != 0:
            subprocess.run(
                [
                    sys.executable, "-m", "ray.scripts.scripts", "start", "--head",
                    "--disable-usage-stats", "--include-dashboard=false",
                ],
                capture_output=True,
                check=True,
                timeout=120,
            )  # fmt: skip


def _error_payload(e: BaseException):
    """An error as plain data (an OpError's op belongs to the task's graph)."""
    if isinstance(e, errors.OpError):
        return ("error", type(e).__name__, e.message, e.op.name if e.op is not None else None)
    return ("error", "UnknownError", f"{type(e).__name__}: {e}", None)


class TaskService:
    """What a task's actor does (Ray wraps it with `ray.remote`): keeps the task's
    resource store and runs subgraphs on it."""

    def __init__(self, server_def_bytes: bytes) -> None:
        from tfgraph.framework.resources import DeviceStores

        self._server_def = server_def_bytes
        self._stores = DeviceStores()
        self._callables: dict = {}
        self._lock = threading.Lock()

    def server_def(self) -> bytes:
        return self._server_def

    def ping(self) -> bool:
        return True

    def run(self, key: str, graph_def: bytes | None, n_outputs: int, targets, feeds):
        """Runs subgraph `key` (sent as `graph_def` the first time) with `feeds` for its
        placeholders; returns its outputs, or `("missing",)` if the subgraph is
        unknown here, or an error payload."""
        try:
            with self._lock:
                fn = self._callables.get(key)
                if fn is None:
                    if graph_def is None:
                        return ("missing",)
                    fn = self._callables[key] = _subgraph_callable(
                        graph_def, len(feeds), n_outputs, targets, self._stores
                    )
            return ("ok", fn(*feeds))  # (calls run concurrently, as ops on a TF server)
        except Exception as e:  # (returned, not raised: see _error_payload)
            return _error_payload(e)

    def reset(self, containers=None) -> None:
        self._stores.reset(containers)


def _subgraph_callable(graph_def_bytes: bytes, n_inputs: int, n_outputs: int, targets, stores):
    """A function running the subgraph with values for its placeholders, returning its
    first `n_outputs` fetches (the group's outputs, named `output_names`)."""
    from tfgraph import proto
    from tfgraph.client.session import Session
    from tfgraph.framework.graph import Graph
    from tfgraph.framework.importer import import_graph_def

    graph_def = proto.GraphDef.FromString(graph_def_bytes)
    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    sess = Session(graph=graph, _stores=stores)
    outputs, target_names = targets
    feed_list = [graph.get_tensor_by_name(f"tfgraph_recv_{k}:0") for k in range(n_inputs)]
    fetches = [graph.get_tensor_by_name(name) for name in outputs]
    ops = [graph.get_operation_by_name(name) for name in target_names]
    call = sess.make_callable([fetches, ops], feed_list)

    def run(*feeds):
        return [np.asarray(v) for v in call(*feeds)[0]]

    return run


class _LocalExecutor:
    """Runs groups of the session's own task in this process, on the session's store."""

    def __init__(self, stores) -> None:
        self._stores = stores
        self._callables: dict = {}

    def submit(self, group, feeds):
        fn = self._callables.get(group.key)
        if fn is None:
            fn = self._callables[group.key] = _subgraph_callable(
                group.graph_def, len(group.inputs), len(group.outputs), _targets(group),
                self._stores,
            )  # fmt: skip
        return ("ok", fn(*feeds))

    def result(self, pending):
        return pending


class _ActorExecutor:
    """Runs groups on another task's actor (the subgraph goes with the first call)."""

    def __init__(self, actor, task, closed: threading.Event) -> None:
        self._actor = actor
        self._task = task
        self._sent: set = set()
        self._closed = closed

    def _wait(self, ray, ref):
        """The call's result; a run still waiting when its session closes (a blocked
        dequeue, say) ends with CancelledError, as TF's session close cancels it."""
        while True:
            try:
                return ray.get(ref, timeout=0.5)
            except ray.exceptions.GetTimeoutError:
                if self._closed.is_set():
                    raise errors.CancelledError(
                        None, None, "Session was closed while a run was waiting on a task."
                    ) from None

    def submit(self, group, feeds):
        first = group.key not in self._sent
        self._sent.add(group.key)
        graph_def = group.graph_def if first else None
        return (group, feeds, self._call(group, graph_def, feeds))

    def _call(self, group, graph_def, feeds):
        return self._actor.run.remote(
            group.key, graph_def, len(group.outputs), _targets(group), feeds
        )

    def result(self, pending):
        ray = _ray()
        group, feeds, ref = pending
        try:
            out = self._wait(ray, ref)
            if out[0] == "missing":  # (the task restarted: send the subgraph again)
                out = self._wait(ray, self._call(group, group.graph_def, feeds))
        except (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError) as e:
            job, task = self._task
            raise errors.UnavailableError(
                None,
                None,
                f"/job:{job}/replica:0/task:{task} is unavailable: its server is gone "
                f"({type(e).__name__}).",
            ) from None
        return out


def _targets(group):
    outputs = [t.name for t in group.outputs]
    return (outputs, [op.name for op in group.ops])


class DistributedRunner:
    """`Session.run` for a session on a server's target (see the module docstring)."""

    def __init__(self, target: str, graph, stores) -> None:
        from tfgraph.distributed import server as server_lib

        self._graph = graph
        address = target[len("grpc://") :]
        server = server_lib.local_server(target)
        ray = connect()
        if server is not None:
            server_def = server.server_def
        else:
            try:
                actor = ray.get_actor(actor_name(address), namespace=NAMESPACE)
                server_def = _server_def_from(ray.get(actor.server_def.remote(), timeout=60))
            except (ValueError, ray.exceptions.RayActorError):
                raise errors.UnavailableError(
                    None, None, f"No server is running at {target}."
                ) from None
        self._cluster = {
            (job.name, int(index)): address_
            for job in server_def.cluster.job
            for index, address_ in job.tasks.items()
        }
        self._task = next(
            (t for t, a in self._cluster.items() if a == address),
            (server_def.job_name, server_def.task_index),
        )
        self._local_task = self._task if server is not None else None
        self._stores = stores
        self._executors: dict = {}
        self._partitions: dict = {}
        self._closed = threading.Event()

    def close(self) -> None:
        """Runs still waiting on other tasks end with CancelledError."""
        self._closed.set()

    def _executor(self, task):
        executor = self._executors.get(task)
        if executor is None:
            if task == self._local_task:
                executor = _LocalExecutor(self._stores)
            else:
                ray = _ray()
                try:
                    actor = ray.get_actor(actor_name(self._cluster[task]), namespace=NAMESPACE)
                except ValueError:
                    job, index = task
                    raise errors.UnavailableError(
                        None,
                        None,
                        f"/job:{job}/replica:0/task:{index} is unavailable: no server runs "
                        f"at {self._cluster[task]} (start it with tf.train.Server).",
                    ) from None
                executor = _ActorExecutor(actor, task, self._closed)
            self._executors[task] = executor
        return executor

    def run(self, fetch_tensors, target_ops, feed_tensors, feed_values) -> list:
        from tfgraph.distributed.partition import partition

        key = (tuple(fetch_tensors), tuple(target_ops), tuple(feed_tensors))
        cached = self._partitions.get(key)
        if cached is None or cached[0] != self._graph._mutation_count:
            plan = partition(
                fetch_tensors, target_ops, feed_tensors, self._task, set(self._cluster)
            )
            cached = self._partitions[key] = (self._graph._mutation_count, plan)
        plan = cached[1]
        values: dict = dict(zip(feed_tensors, feed_values))
        for wave in plan.waves:
            # (remote groups first: they run while this process runs its own group)
            ordered = sorted(wave, key=lambda g: g.task == self._local_task)
            pending = [
                (group, self._executor(group.task).submit(group, [values[t] for t in group.inputs]))
                for group in ordered
            ]
            for group, handle in pending:
                out = self._executor(group.task).result(handle)
                if out[0] != "ok":
                    raise _raise_from_payload(out, self._graph)
                values.update(zip(group.outputs, out[1]))
        return [values[t] for t in fetch_tensors]


def _raise_from_payload(payload, graph) -> errors.OpError:
    _, cls_name, message, op_name = payload
    cls = getattr(errors, cls_name, errors.UnknownError)
    op = None
    if op_name is not None:
        try:
            op = graph.get_operation_by_name(op_name)
        except (KeyError, ValueError):
            op = None
    return cls(None, op, message)


def _server_def_from(data: bytes):
    from tfgraph import proto

    return proto.ServerDef.FromString(data)


def wait_forever() -> None:
    while True:
        time.sleep(3600)
