"""`tf.CriticalSection` and its ops (MutexV2, MutexLock, ConsumeMutexLock).

A mutex is session state: MutexV2's kernel hands out the `_Mutex` of its (container,
shared name) in the op's resource store, so every run of one session (from any thread)
shares it. MutexLock waits until the mutex is free and returns a `_MutexLock` holding it;
the lock is released when ConsumeMutexLock runs (or, as in TF, when the lock value is
dropped without being consumed, e.g. by a failing run).

`CriticalSection.execute(fn)` builds the graph TF builds: the lock, `fn`'s ops under a
control dependency on it, identities of the results, ConsumeMutexLock after them, and
the returned identities after that. Its build-time checks (locking a section inside
itself, one resource used exclusively by two sections) raise TF's ValueErrors.
"""

from __future__ import annotations

import contextlib
import threading
from collections import namedtuple

from tfgraph import errors
from tfgraph.eager.context import executing_eagerly
from tfgraph.framework import dtypes, nest
from tfgraph.framework import graph as graph_mod
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, common_shapes, control_flow_ops
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["CriticalSection", "consume_mutex_lock", "mutex_lock", "mutex_v2"]

CRITICAL_SECTIONS = "critical_sections"
CRITICAL_SECTION_EXECUTIONS = "critical_section_executions"


class _Mutex:
    """A session's mutex: free, or held by one `_MutexLock`."""

    __slots__ = ("cond", "holder", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.cond = threading.Condition()
        self.holder: int | None = None  # the thread that took the lock

    def acquire(self, op) -> _MutexLock:
        me = threading.get_ident()
        with self.cond:
            while self.holder is not None:
                if self.holder == me:
                    raise errors.InternalError(
                        None,
                        op,
                        f"{op.name}: the mutex {self.name} is held by a lock this same step "
                        "has not consumed yet; tfgraph runs a step's ops one at a time, so "
                        "it would wait forever. Order the two executions with a control "
                        "dependency (run the first execute's outputs before the second).",
                    )
                self.cond.wait()
            self.holder = me
        return _MutexLock(self)

    def release(self) -> None:
        with self.cond:
            self.holder = None
            self.cond.notify()


class _MutexLock:
    """MutexLock's value: holds its mutex until released (idempotent) or dropped."""

    __slots__ = ("__weakref__", "mutex")

    def __init__(self, mutex: _Mutex) -> None:
        self.mutex: _Mutex | None = mutex

    def release(self) -> None:
        mutex, self.mutex = self.mutex, None
        if mutex is not None:
            mutex.release()

    def __del__(self) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "released" if self.mutex is None else f"holding {self.mutex.name}"
        return f"<MutexLock {state}>"


def _mutex_v2_kernel(op, ctx):
    container = (op._attrs.get("container") or b"").decode()
    shared = (op._attrs.get("shared_name") or b"").decode() or op.name
    store = ctx.resources_for(op)
    mutex = store.state(("mutex", container, shared), lambda: _Mutex(shared))

    def kernel():
        return mutex

    return kernel


def _mutex_lock_kernel(op, ctx):
    def kernel(mutex):
        if not isinstance(mutex, _Mutex):
            raise errors.InvalidArgumentError(
                None, op, f"{op.name}: input 0 is not a mutex (expected MutexV2's output)"
            )
        return mutex.acquire(op)

    return kernel


def _consume_kernel(op, ctx):
    def kernel(lock):
        if not isinstance(lock, _MutexLock):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"{op.name}: input 0 is not a mutex lock (expected MutexLock's output)",
            )
        lock.release()

    return kernel


def _scalar_input_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 0:
        raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(dims)}")
    return [common_shapes.SCALAR]


register_op(
    "MutexV2",
    outputs=["resource: resource"],
    attrs=["container: string = ''", "shared_name: string = ''"],
    shape=lambda op: [common_shapes.SCALAR],
    make_kernel=_mutex_v2_kernel,
    stateful=True,
)
register_op(
    "MutexLock",
    inputs=["mutex: resource"],
    outputs=["mutex_lock: variant"],
    shape=_scalar_input_shape,
    make_kernel=_mutex_lock_kernel,
    stateful=True,
)
register_op(
    "ConsumeMutexLock",
    inputs=["mutex_lock: variant"],
    shape=lambda op: [],
    make_kernel=_consume_kernel,
    stateful=True,
    side_effect=True,
)


def mutex_v2(container: str = "", shared_name: str = "", name: str | None = None):
    """A mutex resource (MutexV2), shared by name within a session."""
    return op_output(
        "MutexV2",
        name or "MutexV2",
        [],
        {"container": container.encode(), "shared_name": shared_name.encode()},
    )


def mutex_lock(mutex, name: str | None = None):
    """Waits for `mutex` and takes it (MutexLock); the lock is held until consumed."""
    return op_output("MutexLock", name or "MutexLock", [mutex])


def consume_mutex_lock(mutex_lock, name: str | None = None) -> Operation:
    """Releases the lock `mutex_lock` holds (ConsumeMutexLock)."""
    return apply_op("ConsumeMutexLock", name or "ConsumeMutexLock", [mutex_lock])


_ExecutionSignature = namedtuple(
    "_ExecutionSignature", ("op", "handle", "resources", "exclusive_resource_access")
)

_STACK = threading.local()


def _stack() -> list:
    stack = getattr(_STACK, "value", None)
    if stack is None:
        stack = _STACK.value = []
    return stack


@contextlib.contextmanager
def _push_signature(signature):
    stack = _stack()
    if signature in stack:
        raise ValueError(
            f"Attempting to lock a CriticalSection (signature={signature}) in which we are "
            "already running. This is illegal and may cause deadlocks."
        )
    stack.append(signature)
    try:
        yield
    finally:
        stack.pop()


def _identity(x):
    from tfgraph.ops.tensor_array_ops import TensorArray

    if isinstance(x, TensorArray):
        return x.identity()
    if isinstance(x, Operation):
        return control_flow_ops.group(x)
    if isinstance(x, Tensor):
        return array_ops.identity(x)
    with graph_mod.name_scope(None, "Identity", [x]) as scope:  # (a variable: read inside)
        return array_ops.identity(convert_to_tensor(x), name=scope)


def _colocation(op):
    return op._attrs.get("_class")


class CriticalSection:
    """A mutex in the graph: subgraphs run through `execute` run one at a time.

    ```python
    v = tf.get_variable("v", initializer=0.0, use_resource=True)
    cs = tf.CriticalSection(name="counter")
    def count():
        value = v.read_value()
        with tf.control_dependencies([value]):
            with tf.control_dependencies([v.assign_add(1.0)]):
                return tf.identity(value)
    next_value = cs.execute(count)  # each run sees a distinct value, across threads
    ```

    Args:
        name: the MutexV2 op's name (default "CriticalSection").
        shared_name: the mutex's shared name (default: the op's name).
        critical_section_def: not supported (as in TF).
        import_scope: unused.
    """

    def __init__(self, name=None, shared_name=None, critical_section_def=None, import_scope=None):
        if critical_section_def and name is not None:
            raise ValueError(
                f"Arguments critical_section_def={critical_section_def} and "
                f"shared_name={shared_name} are mutually exclusive. Please only specify "
                "one of them."
            )
        if critical_section_def:
            raise ValueError("Argument `critical_section_def` is not supported.")
        with graph_mod.name_scope(name, "CriticalSection", []) as scope:
            with graph_mod.init_scope():
                container = graph_mod.get_default_graph()._container or ""
                if shared_name is None:
                    shared_name = scope
                self._handle = mutex_v2(shared_name=shared_name, container=container, name=scope)
                self._signature = (
                    container,
                    shared_name or id(self._handle),
                    self._handle.op.device or _colocation(self._handle.op),
                )
        graph_mod.add_to_collections(CRITICAL_SECTIONS, self)

    @property
    def name(self) -> str:
        """The name of the MutexV2 op."""
        return self._handle.op.name

    def execute(self, fn, exclusive_resource_access: bool = True, name=None):
        """Runs `fn()` inside the critical section; returns its results' identities,
        which are computed only after the lock is released.

        Raises:
            ValueError: `fn` locks this section again, or uses a resource another
                section uses while either asks for exclusive access.
        """
        if executing_eagerly():
            return self._execute_eagerly(fn)
        with graph_mod.name_scope(name, "critical_section_execute", []):
            with _push_signature(self._signature):
                lock = mutex_lock(self._handle)
                g = graph_mod.get_default_graph()
                existing = set(g.get_operations())
                with graph_mod.control_dependencies([lock]):
                    r = fn()
                created = [op for op in g.get_operations() if op not in existing]
            self._add_control_dependencies_to_lock(created, lock.op)
            resources: list = []
            for op in created:
                for t in op.inputs:
                    if t.dtype == dtypes.resource and not any(t is s for s in resources):
                        resources.append(t)
            if any(self._is_self_handle(x) for x in resources):
                raise ValueError(
                    "Attempting to lock a CriticalSection in which we are already running "
                    f"(signature={self._signature}). This is illegal and may cause deadlocks."
                )
            self._check_multiple_access(resources, exclusive_resource_access)
            r_flat = [_identity(x) for x in nest.flatten(r)]
            with graph_mod.control_dependencies(r_flat):
                with graph_mod.colocate_with(self._handle.op):
                    consumed = consume_mutex_lock(lock)
                r = nest.pack_sequence_as(r, control_flow_ops.tuple(nest.flatten(r)))
            with graph_mod.control_dependencies([consumed]):
                outputs = nest.map_structure(_identity, r)
            graph_mod.add_to_collections(
                CRITICAL_SECTION_EXECUTIONS,
                _ExecutionSignature(lock.op, self._handle, resources, exclusive_resource_access),
            )
            return outputs

    def _execute_eagerly(self, fn):
        """`fn()` while this section's mutex is held (released when it returns)."""
        with _push_signature(self._signature):
            lock = mutex_lock(self._handle)
            try:
                r = fn()
            finally:
                consume_mutex_lock(lock)
        return nest.map_structure(lambda x: x if x is None else _identity(x), r)

    def _add_control_dependencies_to_lock(self, created, lock_op) -> None:
        """Everything `fn`'s ops read from outside runs before the lock is taken."""
        args = {t.op for op in created for t in op.inputs}
        args.update(c for op in created for c in op.control_inputs)
        args.difference_update(created)
        args.difference_update(lock_op.control_inputs)
        args.difference_update(t.op for t in lock_op.inputs)
        args.discard(lock_op)
        if args:
            lock_op._add_control_input(control_flow_ops.group(*sorted(args, key=lambda o: o._id)))

    def _is_self_handle(self, x) -> bool:
        op = x.op
        mine = self._handle.op
        return bool(
            op.type == "MutexV2"
            and op.get_attr("shared_name")
            and op.get_attr("shared_name") == mine.get_attr("shared_name")
            and (op.device == mine.device or _colocation(op) == _colocation(mine))
        )

    def _check_multiple_access(self, resources, exclusive: bool) -> None:
        for sg in graph_mod.get_collection(CRITICAL_SECTION_EXECUTIONS):
            if self._is_self_handle(sg.handle):
                continue
            if not (exclusive or sg.exclusive_resource_access):
                continue
            shared = [t for t in resources if any(t is s for s in sg.resources)]
            if shared:
                raise ValueError(
                    f"This execution would access resources: {shared}. Either this lock "
                    f"(CriticalSection: {self._handle}) or lock '{sg}' (CriticalSection: "
                    f"{sg.handle}) requested exclusive resource access of this resource. "
                    "Did you mean to call execute with keyword argument "
                    "exclusive_resource_access=False?"
                )
