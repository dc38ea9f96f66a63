"""Queues: FIFOQueueV2, RandomShuffleQueueV2, PaddingFIFOQueueV2, PriorityQueueV2, the
QueueEnqueue/Dequeue/Close/Size/IsClosed ops on them, and `tf.FIFOQueue` & co.

A queue lives in the running session's resource store (keyed by its shared name, else
by its op's name), created the first time its op runs; its handle is the `_Queue`
object. Enqueues block while the queue is full and dequeues while it holds too few
elements, other threads' `Session.run` calls making progress meanwhile. A blocked call
ends with DeadlineExceededError when the run's `RunOptions.timeout_in_ms` (or the
session's `operation_timeout_in_ms`) passes, with OutOfRangeError when the queue is
closed with too few elements left, and with CancelledError when the session closes or
`close(cancel_pending_enqueues=True)` cancels a pending enqueue. Messages are TF's.

RandomShuffleQueue draws with a numpy Philox stream seeded by (seed, seed2): seeded
orders repeat run after run, but differ from TensorFlow's.
"""

from __future__ import annotations

import collections
import hashlib
import heapq
import itertools
import threading
import time
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes as dtypes_mod
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.random_seed import get_seed
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.run_deadline import remaining
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "FIFOQueue",
    "PaddingFIFOQueue",
    "PriorityQueue",
    "QueueBase",
    "RandomShuffleQueue",
]

_resource_ids = itertools.count()


def _dims(shape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class _Queue:
    """One queue's state in a session: its elements (tuples of arrays) under a
    condition variable."""

    kind = "FIFOQueue"

    def __init__(self, name: str, dtypes, shapes, capacity: int, timeout_ms: int) -> None:
        self.name = name
        self.dtypes = dtypes
        self.shapes = shapes  # a tuple of dims (None for an unknown dim) per component, or None
        self.full_shapes = (
            None
            if shapes is None or any(d is None for shape in shapes for d in shape)
            else [tuple(shape) for shape in shapes]
        )
        self.capacity = capacity if capacity >= 0 else None
        # One lock, two conditions: enqueues (and a closing close) wait on `cond`,
        # dequeues on `readable`, and each side wakes the other only when that can help
        # (a dequeue of 128 is not woken by each of the 127 enqueues before it is ready).
        lock = threading.Lock()
        self.cond = threading.Condition(lock)
        self.readable = threading.Condition(lock)
        self.wants: list[int] = []  # the counts waiting dequeues need
        self.items: Any = collections.deque()
        self.closed = False
        self.closing = False  # close() waits for the enqueues pending before it
        self.waiting_enqueues = 0
        self.cancel_enqueues = False
        self.cancelled = False
        self.timeout_ms = timeout_ms

    # -- what subclasses change ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self.items)

    def _put(self, element) -> None:
        self.items.append(element)

    def _pop(self):
        return self.items.popleft()

    def _pop_many(self, n: int) -> list:
        return [self._pop() for _ in range(n)]

    def _available(self) -> int:
        return len(self)

    def _stack(self, op, batch):
        out = []
        for k, dtype in enumerate(self.dtypes):
            values = [element[k] for element in batch]
            if not values:
                out.append(np.zeros((0, *self.shapes[k]), dtype=dtype.np_dtype))
            elif self.full_shapes is not None:  # (shapes and dtypes checked at enqueue)
                out.append(_stack_equal(values, dtype.np_dtype, self.full_shapes[k]))
            else:
                out.append(np.stack(values))
        return out

    def check_many_shapes(self, op) -> None:
        if self.shapes is None or any(d is None for shape in self.shapes for d in shape):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"{self.kind}'s DequeueMany and DequeueUpTo require the components to have "
                "specified shapes.",
            )

    # -- waiting ----------------------------------------------------------------------
    def _deadline(self):
        left = remaining(self.timeout_ms)
        return None if left is None else time.monotonic() + left

    def _wait(self, deadline, cond=None) -> None:
        cond = cond or self.cond
        if deadline is None:
            cond.wait()
            return
        left = deadline - time.monotonic()
        if left <= 0 or not cond.wait(left):
            if deadline - time.monotonic() <= 0:
                raise errors.DeadlineExceededError(None, None, "Timed out waiting for notification")

    def cancel(self) -> None:
        """The session is closing: every blocked call ends with CancelledError."""
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()
            self.readable.notify_all()

    # -- operations --------------------------------------------------------------------
    def check_shapes(self, op, components, many: bool) -> None:
        if self.shapes is None:
            return
        if not many and self.full_shapes is not None:  # (fully defined: compare at once)
            if all(v.shape == s for v, s in zip(components, self.full_shapes)):
                return
        for k, (value, shape) in enumerate(zip(components, self.shapes)):
            got = value.shape[1:] if many else value.shape
            if len(got) != len(shape) or any(d is not None and d != g for d, g in zip(shape, got)):
                expected = ([value.shape[0]] if many else []) + list(shape)
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Shape mismatch in tuple component {k}. Expected {_dims(expected)}, got "
                    f"{_dims(value.shape)}",
                )

    def enqueue(self, op, elements) -> None:
        if len(elements) == 1:  # (one element with room for it: what queue runners do)
            with self.cond:
                if not (self.closed or self.closing or self.cancelled) and (
                    self.capacity is None or len(self) < self.capacity
                ):
                    self._put(elements[0])
                    if self.wants and self._available() >= min(self.wants):
                        self.readable.notify_all()
                    return
        deadline = self._deadline()
        with self.cond:
            pending = collections.deque(elements)
            waited = False
            try:
                while pending:
                    if self.cancelled or (waited and self.cancel_enqueues):
                        raise errors.CancelledError(None, op, "Enqueue operation was cancelled")
                    if (self.closed or self.closing) and not waited:
                        raise errors.CancelledError(
                            None, op, f"{self.kind} '{self.name}' is closed."
                        )
                    if self.capacity is None or len(self) < self.capacity:
                        while pending and (self.capacity is None or len(self) < self.capacity):
                            self._put(pending.popleft())
                        if self.wants and self._available() >= min(self.wants):
                            self.readable.notify_all()
                        continue
                    if not waited:
                        waited = True
                        self.waiting_enqueues += 1
                    self._wait(deadline)
            finally:
                if waited:
                    self.waiting_enqueues -= 1
                    self.cond.notify_all()

    def dequeue(self, op, n: int, up_to: bool):
        """`n` elements (one when `n` is None), blocking until there are enough."""
        deadline = self._deadline()
        want = 1 if n is None else n
        waited = False
        with self.cond:
            while True:
                if self.cancelled:
                    raise errors.CancelledError(None, op, "Dequeue operation was cancelled")
                size = len(self)
                available = size if self.closed else self._available()
                if available >= want or (self.closed and up_to and size > 0):
                    batch = self._pop_many(min(want, size))
                    if self.waiting_enqueues:
                        self.cond.notify_all()
                    break
                if self.closed:
                    # (TF's waiting dequeue holds what had arrived when the queue closed,
                    # and reports what it still lacked)
                    requested, current = (want - size, 0) if waited else (want, size)
                    raise errors.OutOfRangeError(
                        None,
                        op,
                        f"{self.kind} '{self.name}' is closed and has insufficient elements "
                        f"(requested {requested}, current size {current})",
                    )
                self.wants.append(want)
                try:
                    self._wait(deadline, self.readable)
                finally:
                    self.wants.remove(want)
                waited = True
        if n is None:
            return batch[0]
        return self._stack(op, batch)

    def close(self, op, cancel_pending_enqueues: bool) -> None:
        """Closes the queue. As TF's, a close that does not cancel pending enqueues
        takes effect once the enqueues waiting before it have completed."""
        with self.cond:
            if cancel_pending_enqueues or self.closed:
                self.closed = True
                self.cancel_enqueues = self.cancel_enqueues or cancel_pending_enqueues
                self.cond.notify_all()
                self.readable.notify_all()
                return
            self.closing = True
            deadline = self._deadline()
            try:
                while self.waiting_enqueues and not self.cancelled and not self.cancel_enqueues:
                    self._wait(deadline)
            except errors.OpError:
                self.closing = False  # (a close that timed out did not happen)
                raise
            self.closed = True
            self.cond.notify_all()
            self.readable.notify_all()


def _stack_equal(values: list, np_dtype, shape) -> np.ndarray:
    """np.stack of arrays of one numeric dtype and shape, copied without releasing the
    interpreter lock. np.stack copies element by element, releasing the lock for each
    element of more than 500 values; beside queue-runner threads busy in Python, every
    re-acquisition waits for them (measured: 128 MNIST rows, 57 us alone, 4.4 ms beside a
    busy Python thread). Joining their bytes holds the lock: 13 us either way."""
    if np_dtype.hasobject:
        return np.stack(values)
    try:
        data = bytearray().join(values)
    except (BufferError, TypeError):  # (a strided view: numpy copies it)
        return np.stack(values)
    return np.frombuffer(data, np_dtype).reshape((len(values), *shape))


class _RandomShuffleQueue(_Queue):
    kind = "RandomShuffleQueue"

    def __init__(self, name, dtypes, shapes, capacity, timeout_ms, min_after_dequeue, rng):
        super().__init__(name, dtypes, shapes, capacity, timeout_ms)
        self.items = []
        self.min_after_dequeue = min_after_dequeue
        self.rng = rng

    def _put(self, element) -> None:
        self.items.append(element)

    def _pop(self):
        items = self.items
        k = int(self.rng.integers(len(items)))
        items[k], items[-1] = items[-1], items[k]
        return items.pop()

    def _pop_many(self, n: int) -> list:
        """`n` random elements: the draws for all of them in one call (one per element
        cost 3 us, a third of a queue runner's time dequeuing a batch of 128)."""
        if n <= 1:
            return [self._pop() for _ in range(n)]
        items = self.items
        size = len(items)
        picks = self.rng.integers(np.arange(size, size - n, -1)).tolist()
        out = []
        for k in picks:
            items[k], items[-1] = items[-1], items[k]
            out.append(items.pop())
        return out

    def _available(self) -> int:
        return len(self.items) - self.min_after_dequeue


class _PaddingFIFOQueue(_Queue):
    kind = "PaddingFIFOQueue"

    def check_many_shapes(self, op) -> None:
        """Padding queues batch components of any shape."""

    def _stack(self, op, batch):
        out = []
        for k, dtype in enumerate(self.dtypes):
            values = [element[k] for element in batch]
            rank = len(self.shapes[k])
            if not values:
                dims = tuple(0 if d is None else d for d in self.shapes[k])
                out.append(np.zeros((0, *dims), dtype=dtype.np_dtype))
                continue
            size = [max(v.shape[i] for v in values) for i in range(rank)]
            if dtype.np_dtype.kind == "O":
                arr = np.full((len(values), *size), b"", dtype=object)
            else:
                arr = np.zeros((len(values), *size), dtype=dtype.np_dtype)
            for i, v in enumerate(values):
                if v.ndim == 0:
                    arr[i] = v[()]
                else:
                    arr[(i,) + tuple(slice(0, s) for s in v.shape)] = v
            out.append(arr)
        return out


class _PriorityQueue(_Queue):
    kind = "PriorityQueue"

    def __init__(self, name, dtypes, shapes, capacity, timeout_ms) -> None:
        super().__init__(name, dtypes, shapes, capacity, timeout_ms)
        self.items = []
        self._order = itertools.count()

    def _put(self, element) -> None:
        heapq.heappush(self.items, (int(element[0]), next(self._order), element))

    def _pop(self):
        return heapq.heappop(self.items)[2]


# -- queue ops -------------------------------------------------------------------------------
def _shapes_attr(op):
    shapes = op._attrs.get("shapes") or []
    if not shapes:
        return None
    return tuple(tuple(s.as_list()) if s.rank is not None else None for s in shapes)


def _queue_kernel(make):
    def make_kernel(op, ctx):
        store = ctx.resources_for(op)
        attrs = op._attrs
        shared = attrs["shared_name"].decode() if attrs["shared_name"] else ""
        key = ("queue", attrs["container"], shared or op._name)
        timeout_ms = int(getattr(ctx.config, "operation_timeout_in_ms", 0) or 0)

        def factory():
            name = shared or f"_{next(_resource_ids)}_{op._name}"
            return make(op, ctx, name, list(attrs["component_types"]), _shapes_attr(op), timeout_ms)

        def kernel():
            return store.state(key, factory)

        return kernel

    return make_kernel


_QUEUE_ATTRS = [
    "component_types: list(type) >= 1",
    "shapes: list(shape) >= 0 = []",
    "capacity: int = -1",
    "container: string = ''",
    "shared_name: string = ''",
]


def _fifo(op, ctx, name, types, shapes, timeout_ms):
    return _Queue(name, types, shapes, op._attrs["capacity"], timeout_ms)


def _padding(op, ctx, name, types, shapes, timeout_ms):
    return _PaddingFIFOQueue(name, types, shapes, op._attrs["capacity"], timeout_ms)


def _priority(op, ctx, name, types, shapes, timeout_ms):
    if shapes is not None:
        shapes = ((), *shapes)
    types = [dtypes_mod.int64, *types]
    return _PriorityQueue(name, types, shapes, op._attrs["capacity"], timeout_ms)


def _shuffle(op, ctx, name, types, shapes, timeout_ms):
    from tfgraph.ops.random_ops import _new_generator

    attrs = op._attrs
    rng = _new_generator(attrs["seed"], attrs["seed2"])
    return _RandomShuffleQueue(
        name, types, shapes, attrs["capacity"], timeout_ms, attrs["min_after_dequeue"], rng
    )


_scalar = common_shapes.scalar_shape
for _type, _make, _attrs in (
    ("FIFOQueueV2", _fifo, _QUEUE_ATTRS),
    ("PaddingFIFOQueueV2", _padding, _QUEUE_ATTRS),
    (
        "RandomShuffleQueueV2",
        _shuffle,
        [
            *_QUEUE_ATTRS[:3],
            "min_after_dequeue: int = 0",
            "seed: int = 0",
            "seed2: int = 0",
            *_QUEUE_ATTRS[3:],
        ],
    ),
    (
        "PriorityQueueV2",
        _priority,
        ["component_types: list(type) >= 0 = []", "shapes: list(shape) >= 0", *_QUEUE_ATTRS[2:]],
    ),
):
    register_op(
        _type,
        outputs=["handle: resource"],
        attrs=_attrs,
        shape=_scalar,
        make_kernel=_queue_kernel(_make),
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def _arrays(queue, components):
    return [np.asarray(c, dtype=t.np_dtype) for c, t in zip(components, queue.dtypes)]


def _enqueue_kernel(op, ctx):
    def enqueue(queue, *components):
        values = _arrays(queue, components)
        queue.check_shapes(op, values, many=False)
        queue.enqueue(op, [tuple(values)])

    return enqueue


def _enqueue_many_kernel(op, ctx):
    def enqueue_many(queue, *components):
        values = _arrays(queue, components)
        if any(v.ndim == 0 for v in values):
            raise errors.InvalidArgumentError(
                None, op, "Tuple components must have at least one dimension to enqueue many"
            )
        n = values[0].shape[0]
        for k, v in enumerate(values):
            if v.shape[0] != n:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Expected batch size of {n} for tuple component {k} but got {v.shape[0]}",
                )
        queue.check_shapes(op, values, many=True)
        queue.enqueue(op, [tuple(np.asarray(v[i], v.dtype) for v in values) for i in range(n)])

    return enqueue_many


def _enqueue_rows_kernel(op, ctx):
    """QueueEnqueueV2 on a group of records: each row of the components (a copy, not a
    view keeping the group alive) enqueued as one element, in order."""

    def enqueue_rows(queue, *components):
        values = _arrays(queue, components)
        queue.check_shapes(op, values, many=True)
        queue.enqueue(op, list(zip(*[[np.array(row) for row in v] for v in values])))

    return enqueue_rows


_ENQUEUE_ATTRS = ["Tcomponents: list(type) >= 1", "timeout_ms: int = -1"]

for _type, _make_enqueue, _sink in (
    ("QueueEnqueueV2", _enqueue_kernel, _enqueue_rows_kernel),
    ("QueueEnqueueManyV2", _enqueue_many_kernel, None),
):
    register_op(
        _type,
        inputs=["handle: resource", "components: Tcomponents"],
        attrs=_ENQUEUE_ATTRS,
        shape=lambda op: [],
        make_kernel=_make_enqueue,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
        record_sink=_sink,
    )


def _unknown_components(op):
    return [TensorShape(None) for _ in op._attrs["component_types"]]


def _dequeue_kernel(op, ctx):
    def dequeue(queue):
        return queue.dequeue(op, None, False)

    return dequeue


def _dequeue_many_kernel(up_to: bool):
    def make_kernel(op, ctx):
        def dequeue_many(queue, n):
            n = int(n)
            if n < 0:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Request{' up to' if up_to else ''} a negative number of elements: {n}",
                )
            queue.check_many_shapes(op)
            return queue.dequeue(op, n, up_to)

        return dequeue_many

    return make_kernel


register_op(
    "QueueDequeueV2",
    inputs=["handle: resource"],
    outputs=["components: component_types"],
    attrs=["component_types: list(type) >= 1", "timeout_ms: int = -1"],
    shape=_unknown_components,
    make_kernel=_dequeue_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
for _type, _up_to in (("QueueDequeueManyV2", False), ("QueueDequeueUpToV2", True)):
    register_op(
        _type,
        inputs=["handle: resource", "n: int32"],
        outputs=["components: component_types"],
        attrs=["component_types: list(type) >= 1", "timeout_ms: int = -1"],
        shape=_unknown_components,
        make_kernel=_dequeue_many_kernel(_up_to),
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def _close_kernel(op, ctx):
    cancel = bool(op._attrs["cancel_pending_enqueues"])

    def close(queue):
        queue.close(op, cancel)

    return close


register_op(
    "QueueCloseV2",
    inputs=["handle: resource"],
    attrs=["cancel_pending_enqueues: bool = false"],
    shape=lambda op: [],
    make_kernel=_close_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "QueueSizeV2",
    inputs=["handle: resource"],
    outputs=["size: int32"],
    shape=_scalar,
    kernel=lambda queue: np.int32(len(queue)),
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "QueueIsClosedV2",
    inputs=["handle: resource"],
    outputs=["is_closed: bool"],
    shape=_scalar,
    kernel=lambda queue: np.bool_(queue.closed),
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- public classes ---------------------------------------------------------------------------
def _as_type_list(dtypes):
    if not isinstance(dtypes, (list, tuple)):
        dtypes = [dtypes]
    return [dtypes_mod.as_dtype(d).base_dtype for d in dtypes]


def _as_shape_list(shapes, dtypes, unknown_dim_allowed: bool = False, unknown_rank_allowed=False):
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    elif not isinstance(shapes, (list, tuple)):
        raise TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.")
    elif all(s is None or isinstance(s, int) for s in shapes):
        shapes = [shapes]
    shapes = [as_shape(s) for s in shapes]
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    if not unknown_rank_allowed and any(s.rank is None for s in shapes):
        raise ValueError("All shapes must have a defined rank.")
    return shapes


class QueueBase:
    """Base class for queue implementations (TF1 `tf.QueueBase`)."""

    def __init__(self, dtypes, shapes, names, queue_ref) -> None:
        self._dtypes = dtypes
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [TensorShape(s) for s in shapes]
        else:
            self._shapes = [TensorShape(None) for _ in dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
            self._names: list | None = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @staticmethod
    def from_list(index, queues):
        raise NotImplementedError("QueueBase.from_list is not supported by tfgraph.")

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self) -> str:
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _check_enqueue_dtypes(self, vals):
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError(
                    f"Keys in dictionary to enqueue do not match names of Queue.  Dictionary: "
                    f"{sorted(vals.keys())},Queue: {sorted(self._names)}"
                )
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        tensors = []
        for i, (val, dtype) in enumerate(zip(vals, self._dtypes)):
            tensors.append(convert_to_tensor(val, dtype=dtype, name=f"component_{i}"))
        if len(tensors) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} tensors to enqueue, got {len(vals)}")
        return tensors

    def _scope(self, name, default):
        return get_default_graph().name_scope(name or f"{self._name}_{default}")

    def enqueue(self, vals, name=None):
        """An op adding one element (a tuple of tensors) to this queue."""
        with self._scope(name, "enqueue") as scope:
            vals = self._check_enqueue_dtypes(vals)
            for val, shape in zip(vals, self._shapes):
                val.shape.assert_is_compatible_with(shape)
            return apply_op("QueueEnqueueV2", scope, [self._queue_ref, vals])

    def enqueue_many(self, vals, name=None):
        """An op adding the elements along dimension 0 of `vals` to this queue."""
        with self._scope(name, "EnqueueMany") as scope:
            vals = self._check_enqueue_dtypes(vals)
            batch_dim = vals[0].shape.with_rank_at_least(1)[0]
            for val, shape in zip(vals, self._shapes):
                batch_dim = batch_dim.merge_with(val.shape.with_rank_at_least(1)[0])
                val.shape[1:].assert_is_compatible_with(shape)
            return apply_op("QueueEnqueueManyV2", scope, [self._queue_ref, vals])

    def _dequeue_return(self, tensors):
        if self._names:
            return dict(zip(self._names, tensors))
        if len(tensors) == 1:
            return tensors[0]
        return tensors

    def dequeue(self, name=None):
        """One element of this queue (blocks until there is one)."""
        if name is None:
            name = f"{self._name}_Dequeue"
        op = apply_op(
            "QueueDequeueV2", name, [self._queue_ref], {"component_types": list(self._dtypes)}
        )
        tensors = list(op._outputs)
        for t, shape in zip(tensors, self._shapes):
            t.set_shape(shape)
        return self._dequeue_return(tensors)

    def _dequeue_n(self, op_type, n, name, default, static_n: bool):
        if name is None:
            name = f"{self._name}_{default}"
        op = apply_op(
            op_type,
            name,
            [self._queue_ref, convert_to_tensor(n, dtype=dtypes_mod.int32, name="n")],
            {"component_types": list(self._dtypes)},
        )
        from tfgraph.ops.common_shapes import constant_value

        batch = None
        if static_n:
            value = constant_value(op._inputs[1])
            batch = None if value is None else int(value)
        tensors = list(op._outputs)
        for t, shape in zip(tensors, self._shapes):
            t.set_shape(TensorShape([batch]).concatenate(shape))
        return self._dequeue_return(tensors)

    def dequeue_many(self, n, name=None):
        """`n` elements of this queue, concatenated along a new dimension 0."""
        return self._dequeue_n("QueueDequeueManyV2", n, name, "DequeueMany", True)

    def dequeue_up_to(self, n, name=None):
        """Up to `n` elements (fewer only once the queue is closed)."""
        return self._dequeue_n("QueueDequeueUpToV2", n, name, "DequeueUpTo", False)

    def close(self, cancel_pending_enqueues: bool = False, name=None):
        """An op closing this queue: later enqueues fail, dequeues drain what is left."""
        if name is None:
            name = f"{self._name}_Close"
        return apply_op(
            "QueueCloseV2",
            name,
            [self._queue_ref],
            {"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
        )

    def is_closed(self, name=None):
        """A bool scalar: whether the queue is closed."""
        if name is None:
            name = f"{self._name}_Is_Closed"
        return op_output("QueueIsClosedV2", name, [self._queue_ref])

    def size(self, name=None):
        """An int32 scalar: the number of elements in the queue."""
        if name is None:
            name = f"{self._name}_Size"
        return op_output("QueueSizeV2", name, [self._queue_ref])


def _shape_attrs(shapes):
    return [] if shapes is None else list(shapes)


class FIFOQueue(QueueBase):
    """A queue handing out elements in first-in first-out order."""

    def __init__(
        self,
        capacity,
        dtypes,
        shapes=None,
        names=None,
        shared_name=None,
        name="fifo_queue",
    ) -> None:
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        ref = op_output(
            "FIFOQueueV2",
            name,
            [],
            {
                "component_types": dtypes,
                "shapes": _shape_attrs(shapes),
                "capacity": int(capacity),
                "container": b"",
                "shared_name": (shared_name or "").encode(),
            },
        )
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose dequeue_many pads components of variable shape with zeros."""

    def __init__(
        self,
        capacity,
        dtypes,
        shapes,
        names=None,
        shared_name=None,
        name="padding_fifo_queue",
    ) -> None:
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes, unknown_dim_allowed=True)
        if len(dtypes) != len(shapes):
            raise ValueError(
                "Shapes must be provided for all components, but received "
                f"{len(dtypes)} dtypes and {len(shapes)} shapes."
            )
        ref = op_output(
            "PaddingFIFOQueueV2",
            name,
            [],
            {
                "component_types": dtypes,
                "shapes": list(shapes),
                "capacity": int(capacity),
                "container": b"",
                "shared_name": (shared_name or "").encode(),
            },
        )
        super().__init__(dtypes, shapes, names, ref)


class PriorityQueue(QueueBase):
    """A queue dequeuing by ascending int64 priority (each element's first component)."""

    def __init__(
        self,
        capacity,
        types,
        shapes=None,
        names=None,
        shared_name=None,
        name="priority_queue",
    ) -> None:
        types = _as_type_list(types)
        shapes = _as_shape_list(shapes, types)
        ref = op_output(
            "PriorityQueueV2",
            name,
            [],
            {
                "component_types": types,
                "shapes": _shape_attrs(shapes),
                "capacity": int(capacity),
                "container": b"",
                "shared_name": (shared_name or "").encode(),
            },
        )
        priority_dtypes = [dtypes_mod.int64, *types]
        priority_shapes = [TensorShape([]), *shapes] if shapes else shapes
        super().__init__(priority_dtypes, priority_shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """A queue dequeuing elements in random order, keeping `min_after_dequeue` back until
    it is closed."""

    def __init__(
        self,
        capacity,
        min_after_dequeue,
        dtypes,
        shapes=None,
        names=None,
        seed=None,
        shared_name=None,
        name="random_shuffle_queue",
    ) -> None:
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        seed1, seed2 = get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        elif seed is None and shared_name is not None:
            # (as TF: a shared queue's seed2 comes from its name)
            string = (str(seed1) + shared_name).encode("utf-8")
            seed2 = int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF
        ref = op_output(
            "RandomShuffleQueueV2",
            name,
            [],
            {
                "component_types": dtypes,
                "shapes": _shape_attrs(shapes),
                "capacity": int(capacity),
                "min_after_dequeue": int(min_after_dequeue),
                "seed": int(seed1 or 0),
                "seed2": int(seed2 or 0),
                "container": b"",
                "shared_name": (shared_name or "").encode(),
            },
        )
        super().__init__(dtypes, shapes, names, ref)
