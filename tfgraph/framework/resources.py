"""Runtime state containers that a Session owns: reference cells and the resource store.

Graph objects never hold values. A `VariableV2` op's kernel hands out a `RefCell` kept
in the running session's `ResourceStore`, keyed by the op's (container, shared name);
ops that take a reference input (Assign, ApplyAdam, ...) update the cell, and ops that
take a value read it (raising FailedPreconditionError when it is uninitialized).
"""

from __future__ import annotations

import threading

import numpy as np

from tfgraph import errors
from tfgraph.framework.device import DeviceSpec

__all__ = ["DEAD", "DeviceStores", "RefCell", "ResourceHandle", "ResourceStore", "freeze"]


def freeze(value):
    """Marks an array read-only (numpy scalars already are); returns it. Values a session
    keeps are frozen, so fetching them hands out a copy and nobody mutates them."""
    if value.__class__ is np.ndarray:
        value.flags.writeable = False
    return value


class _Dead:
    """The value of a tensor on the untaken side of a Switch (see client/plan.py)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEAD"


DEAD = _Dead()


class RefCell:
    """The mutable storage behind a reference tensor (a TF1 variable).

    `value` is a read-only numpy array, or None while uninitialized; it is what reads see
    and is never made writeable, so a value handed out (a fetch, a plan slot) never
    changes afterwards, even while another thread updates the variable.

    Stores go through `set` (a value others may share) or `own` (a fresh array nobody
    else references). For an owned array the cell keeps two handles on one buffer: the
    array itself (`writer`, writeable, private to the cell) and a read-only view of it
    (`value`). A training op may write through `writer` in place, under `lock`, when
    nothing but the cell references either handle (views of `value` reference `writer`
    as their base); see ops/training_ops.py.
    """

    __slots__ = ("dtype", "lock", "name", "value", "writer")

    def __init__(self, name: str, dtype) -> None:
        self.name = name
        self.dtype = dtype
        self.value: np.ndarray | None = None
        self.writer: np.ndarray | None = None
        self.lock = threading.Lock()

    def read(self, op_name: str) -> np.ndarray:
        value = self.value
        if value is None:
            raise errors.FailedPreconditionError(
                None,
                None,
                f"Attempting to use uninitialized value {self.name}\n\t [[{{{{node {op_name}}}}}]]",
            )
        return value

    def set(self, value) -> None:
        """Stores `value`, which others may hold too (it is frozen, never written)."""
        if value.__class__ is not np.ndarray and not isinstance(value, np.generic):
            value = np.asarray(value, dtype=self.dtype.np_dtype)
        self.writer = None
        self.value = freeze(value)

    def own(self, array) -> None:
        """Stores `array`, which the caller made and nobody else references: later
        updates may write it in place. Storing the cell's own `writer` again (after an
        in-place update) keeps both handles as they are."""
        if array is self.writer:
            return
        if array.__class__ is np.ndarray and array.flags.owndata and array.flags.writeable:
            view = array.view()
            view.flags.writeable = False
            self.writer = array
            self.value = view
        else:
            self.set(array)

    def __repr__(self) -> str:
        state = "uninitialized" if self.value is None else f"shape={self.value.shape}"
        return f"<RefCell {self.name} {state}>"


class ResourceStore:
    """All state of one session: variable cells and per-op kernel state (RNG streams...)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cells: dict[tuple[str, str], RefCell] = {}
        self.kernel_state: dict[object, object] = {}

    def cell(self, container: str, name: str, dtype) -> RefCell:
        key = (container, name)
        cell = self.cells.get(key)
        if cell is None:
            with self.lock:
                cell = self.cells.get(key)
                if cell is None:
                    cell = self.cells[key] = RefCell(name, dtype)
        return cell

    def state(self, key, factory):
        """Per-op kernel state, created once per session by `factory()`."""
        value = self.kernel_state.get(key)
        if value is None:
            with self.lock:
                value = self.kernel_state.get(key)
                if value is None:
                    value = self.kernel_state[key] = factory()
        return value

    def reset(self, containers=None) -> None:
        with self.lock:
            if containers is None:
                for value in self.kernel_state.values():
                    cancel = getattr(value, "cancel", None)
                    if cancel is not None:  # (a queue: wakes its blocked callers)
                        cancel()
                self.cells.clear()
                self.kernel_state.clear()
            else:
                for key in [k for k in self.cells if k[0] in containers]:
                    del self.cells[key]


def _task_of(device: str) -> tuple[str, int, int] | None:
    """(job, replica, task) a device string names, or None for the local task (no job,
    or job `localhost`, replica and task 0)."""
    if not device:
        return None
    spec = DeviceSpec.from_string(device)
    job, replica, task = spec.job, spec.replica or 0, spec.task or 0
    if job in (None, "localhost") and replica == 0 and task == 0:
        return None
    return (job or "localhost", replica, task)


class DeviceStores:
    """The resource stores of one session, one per task its ops' devices name.

    Ops placed on another task (`/job:ps/task:0`) keep their state apart from the local
    task's, in that task's store: a distributed runtime hands each task's store to the
    process that serves the task. Stores are made on first use; lookups happen when a
    plan binds its kernels, never per run.
    """

    def __init__(self) -> None:
        self.local = ResourceStore()
        self._tasks: dict[tuple[str, int, int], ResourceStore] = {}
        self._lock = threading.Lock()

    def for_device(self, device: str) -> ResourceStore:
        task = _task_of(device)
        if task is None:
            return self.local
        with self._lock:
            store = self._tasks.get(task)
            if store is None:
                store = self._tasks[task] = ResourceStore()
        return store

    def tasks(self) -> dict[tuple[str, int, int], ResourceStore]:
        """The stores of tasks other than the local one, by (job, replica, task)."""
        return dict(self._tasks)

    def reset(self, containers=None) -> None:
        self.local.reset(containers)
        for store in self.tasks().values():
            store.reset(containers)


class ResourceHandle:
    """The value of a `resource` tensor naming a variable: the cell holding its value.

    `VarHandleOp`'s kernel returns one per (container, shared name) of its device's store
    in graph mode, or a new one per call for eager variables (whose shared name is TF's
    anonymous name); resource ops read and update the cell through it.
    """

    __slots__ = ("cell", "container", "dtype", "name", "shape")

    def __init__(self, cell: RefCell, container: str, name: str, dtype, shape) -> None:
        self.cell = cell
        self.container = container
        self.name = name
        self.dtype = dtype
        self.shape = shape

    def __repr__(self) -> str:
        return f"<ResourceHandle {self.container or 'localhost'}/{self.name}>"

    def __deepcopy__(self, memo) -> ResourceHandle:
        """A handle to a new cell holding a copy of this one's value."""
        cell = RefCell(self.cell.name, self.cell.dtype)
        if self.cell.value is not None:
            cell.own(np.array(self.cell.value, copy=True))
        return ResourceHandle(cell, self.container, self.name, self.dtype, self.shape)
