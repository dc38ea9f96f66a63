"""`tf.train.ClusterSpec`: the jobs and tasks of a distributed TensorFlow cluster.

A cluster maps job names ("ps", "worker") to task addresses, given as a list (task i
is the i-th address) or a dict {task index: address}. tfgraph runs everything in one
process, so a ClusterSpec only describes devices (e.g. for `replica_device_setter`).
"""

from __future__ import annotations

__all__ = ["ClusterSpec"]


def _as_bytes(value, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"{what} {value!r} must be bytes or unicode")


def _as_text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class ClusterSpec:
    """A cluster as a set of jobs, each a set of tasks with network addresses.

    Args:
        cluster: a dict {job name: [addresses] or {task index: address}}, a
            `ClusterDef` protocol buffer, or another ClusterSpec.
    """

    def __init__(self, cluster) -> None:
        self._cluster_def = None
        if isinstance(cluster, dict):
            self._cluster_spec: dict[str, dict[int, str]] = {}
            for job_name, tasks in cluster.items():
                if isinstance(tasks, (list, tuple)):
                    job_tasks = dict(enumerate(tasks))
                elif isinstance(tasks, dict):
                    job_tasks = {int(i): task for i, task in tasks.items()}
                else:
                    raise TypeError(
                        f"The tasks for job {job_name!r} must be a list or a dictionary from "
                        "integers to strings."
                    )
                self._cluster_spec[job_name] = job_tasks
            self._validate()
        elif isinstance(cluster, ClusterSpec):
            self._cluster_spec = {job: dict(tasks) for job, tasks in cluster._cluster_spec.items()}
        elif type(cluster).__name__ == "ClusterDef" and hasattr(cluster, "job"):
            self._cluster_def = cluster
            self._cluster_spec = {
                _as_text(job_def.name): {int(i): _as_text(t) for i, t in job_def.tasks.items()}
                for job_def in cluster.job
            }
        else:
            raise TypeError(
                "`cluster` must be a dictionary mapping one or more job names to lists of "
                "network addresses, or a `ClusterDef` protocol buffer"
            )

    def _validate(self) -> None:
        for job_name, tasks in self._cluster_spec.items():
            _as_bytes(job_name, "Job name")
            for address in tasks.values():
                _as_bytes(address, "Task address")

    def __bool__(self) -> bool:
        return bool(self._cluster_spec)

    def __eq__(self, other) -> bool:
        if isinstance(other, ClusterSpec):
            other = other._cluster_spec
        return self._cluster_spec == other

    def __ne__(self, other) -> bool:
        return not self == other

    # Unhashable (a mutable-looking value type), as in TF; mypy flags the None override.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        d = self.as_dict()
        items = [repr(k) + ": " + repr(d[k]) for k in sorted(d)]
        return "ClusterSpec({" + ", ".join(items) + "})"

    def as_dict(self) -> dict:
        """{job: [addresses]} (or {job: {index: address}} when task indices have gaps)."""
        out: dict[str, list | dict[int, str]] = {}
        for job in self.jobs:
            indices = self.task_indices(job)
            if not indices:
                out[job] = {}
            elif max(indices) + 1 == len(indices):
                out[job] = self.job_tasks(job)
            else:
                out[job] = {i: self.task_address(job, i) for i in indices}
        return out

    def as_cluster_def(self):
        """This cluster as a `ClusterDef` protocol buffer (jobs sorted by name)."""
        if self._cluster_def is None:
            from tfgraph import proto

            cluster_def = proto.ClusterDef()
            for job_name, tasks in sorted(self._cluster_spec.items()):
                job_def = cluster_def.job.add()
                job_def.name = _as_text(job_name)
                for i, address in sorted(tasks.items()):
                    job_def.tasks[i] = _as_text(address)
            self._cluster_def = cluster_def
        return self._cluster_def

    @property
    def jobs(self) -> list[str]:
        return list(self._cluster_spec)

    def _job(self, job_name) -> dict[int, str]:
        try:
            return self._cluster_spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name) -> int:
        return len(self._job(job_name))

    def task_indices(self, job_name) -> list[int]:
        return sorted(self._job(job_name))

    def task_address(self, job_name, task_index: int) -> str:
        job = self._job(job_name)
        try:
            return job[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}") from None

    def job_tasks(self, job_name) -> list:
        """The addresses of `job_name`'s tasks by index (None where an index is missing)."""
        job = self._job(job_name)
        out: list[str | None] = [None] * (max(job) + 1)
        for i, task in job.items():
            out[i] = task
        return out
