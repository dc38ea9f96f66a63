"""`tf.GradientTape`: records eager ops and differentiates them with the registry's
gradient functions.

A recording tape keeps the ops (`EagerOp`s, with their input and output tensors) whose
inputs it tracks: watched tensors, read variables and the outputs of ops it already
recorded. `gradient()` walks those ops backwards, calling each op type's registered
gradient on the op and its outputs' gradients; the gradient ops run eagerly, so a tape
recording around that call (nested tapes) differentiates the gradient again.
"""

from __future__ import annotations

import contextlib
import threading
import weakref

from tfgraph import errors
from tfgraph.eager import context, execute
from tfgraph.eager.tensor import EagerTensor
from tfgraph.framework import dtypes, nest
from tfgraph.framework.indexed_slices import IndexedSlices

__all__ = ["GradientTape", "watch_variable_access"]

_DIFFERENTIABLE = frozenset(
    (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.complex64,
     dtypes.complex128, dtypes.resource, dtypes.variant)
)  # fmt: skip


class _Tapes(threading.local):
    def __init__(self) -> None:
        self.stack: list[GradientTape] = []


_tapes = _Tapes()
# Trainable variables by the id of their handle: a tape that watches accessed variables
# watches a trainable variable when an op reads its handle.
_trainable_handles: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def watch_variable_access(variable) -> None:
    """Registers an eager variable so tapes can see it being read (called by the
    variable when it is created)."""
    handle = getattr(variable, "handle", None)
    if handle is not None and getattr(variable, "trainable", False):
        _trainable_handles[id(handle)] = variable


def _record(op) -> None:
    for tape in _tapes.stack:
        if tape._recording:
            tape._maybe_record(op)


def _update_hook() -> None:
    execute._record_hook = _record if any(t._recording for t in _tapes.stack) else None


def _source_tensor(x):
    """The tensor a source or watched value stands for (a variable: its handle)."""
    if isinstance(x, EagerTensor):
        return x
    handle = getattr(x, "handle", None)
    if isinstance(handle, EagerTensor):
        return handle
    raise ValueError(
        f"Passed in object {x!r} of type {type(x).__name__!r}, not tf.Tensor or tf.Variable "
        "or ExtensionType."
    )


class GradientTape:
    """Records operations for automatic differentiation (TF2's `tf.GradientTape`).

    Args:
        persistent: whether `gradient` may be called more than once.
        watch_accessed_variables: watch every trainable variable read while recording.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recording = False
        self._used = False
        self._reset()

    def _reset(self) -> None:
        self._ops: list = []
        self._tracked: dict[int, object] = {}  # id -> the tensor (kept alive: ids stay unique)
        self._watched_variables: dict[int, object] = {}

    # -- recording ------------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        self._symbolic = not context.executing_eagerly()
        if self._symbolic:  # building a graph (a tf.function trace): tf.gradients serves
            return self
        _tapes.stack.append(self)
        self._recording = True
        _update_hook()
        return self

    def __exit__(self, *exc) -> None:
        self._recording = False
        if self in _tapes.stack:
            _tapes.stack.remove(self)
        _update_hook()

    @contextlib.contextmanager
    def stop_recording(self):
        """A block in which this tape records nothing."""
        if not self._recording:
            raise ValueError("Tape must be recording when calling stop_recording.")
        self._recording = False
        _update_hook()
        try:
            yield
        finally:
            self._recording = True
            _update_hook()

    def reset(self) -> None:
        """Forgets everything recorded so far."""
        self._reset()

    def watch(self, tensor) -> None:
        """Makes the tape track `tensor` (a tensor, a variable, or a structure of them)."""
        if getattr(self, "_symbolic", False):
            return  # the graph's own edges say what depends on what
        for x in nest.flatten(tensor):
            t = _source_tensor(x)
            if t._dtype._base not in _DIFFERENTIABLE:
                continue  # TF warns and ignores integer tensors
            self._tracked[id(t)] = t
            if t._dtype._base is dtypes.resource:
                self._watched_variables[id(t)] = x

    def watched_variables(self) -> tuple:
        return tuple(self._watched_variables.values())

    def _maybe_record(self, op) -> None:
        tracked = self._tracked
        hit = False
        for t in op._inputs:
            if id(t) in tracked:
                hit = True
            elif self._watch_accessed and t._dtype._base is dtypes.resource:
                variable = _trainable_handles.get(id(t))
                if variable is not None:
                    tracked[id(t)] = t
                    self._watched_variables[id(t)] = variable
                    hit = True
        if not hit:
            return
        self._ops.append(op)
        for o in op._outputs:
            if o._dtype._base in _DIFFERENTIABLE:
                tracked[id(o)] = o

    # -- differentiation -------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """The gradients of `target` with respect to `sources` (same structure)."""
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians)"
            )
        self._used = True
        if getattr(self, "_symbolic", False):
            return _symbolic_gradient(target, sources, output_gradients, unconnected_gradients)
        flat_targets = [_source_tensor(t) for t in nest.flatten(target)]
        flat_sources = nest.flatten(sources)
        source_tensors = [_source_tensor(s) for s in flat_sources]
        if output_gradients is None:
            seeds = [None] * len(flat_targets)
        else:
            seeds = nest.flatten(output_gradients)
        was_recording = self._recording
        self._recording = False
        _update_hook()
        try:
            grads = self._backward(flat_targets, seeds, source_tensors)
        finally:
            self._recording = was_recording
            _update_hook()
        mode = getattr(unconnected_gradients, "value", unconnected_gradients)
        out = []
        for s in source_tensors:
            g = _aggregate(grads.get(id(s)))
            if g is None and mode == "zero":
                from tfgraph.ops import array_ops

                g = array_ops.zeros_like(s) if s._dtype._base is not dtypes.resource else None
            out.append(g)
        if not self._persistent:
            self._reset()
        return nest.pack_sequence_as(sources, out)

    def _backward(self, targets, seeds, sources) -> dict:
        from tfgraph.gradients import get_gradient_function
        from tfgraph.ops import array_ops

        relevant = self._relevant_ops(sources)
        grads: dict[int, list] = {}
        for t, seed in zip(targets, seeds):
            grads.setdefault(id(t), []).append(array_ops.ones_like(t) if seed is None else seed)
        for op in reversed(self._ops):
            if id(op) not in relevant:
                continue
            out_grads = [_aggregate(grads.get(id(o))) for o in op._outputs]
            if all(g is None for g in out_grads):
                continue
            try:
                fn = get_gradient_function(op)
            except LookupError:
                raise LookupError(f"No gradient defined for operation'{op._name}' (op type: "
                                  f"{op._type}). In general every operation must have an "
                                  "associated `@tf.RegisterGradient` for correct autodiff."
                                  ) from None  # fmt: skip
            if fn is None:
                continue
            for i, g in enumerate(out_grads):
                if g is None and op._outputs[i]._dtype._base in _DIFFERENTIABLE:
                    out_grads[i] = array_ops.zeros_like(op._outputs[i])
            in_grads = fn(op, *out_grads)
            if not isinstance(in_grads, (list, tuple)):
                in_grads = [in_grads]
            for t, g in zip(op._inputs, in_grads):
                if g is not None and t._dtype._base in _DIFFERENTIABLE:
                    grads.setdefault(id(t), []).append(g)
        return grads

    def _relevant_ops(self, sources) -> set:
        """Ids of the recorded ops that depend on a source."""
        reached = {id(s) for s in sources}
        relevant = set()
        for op in self._ops:
            if any(id(t) in reached for t in op._inputs):
                relevant.add(id(op))
                reached.update(id(o) for o in op._outputs)
        return relevant

    def jacobian(self, target, sources, unconnected_gradients="none", **kwargs):
        """d target[i...] / d source, one row per element of `target` (looped)."""
        from tfgraph.ops import array_ops

        if not self._persistent and self._used:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians)"
            )
        persistent, self._persistent = self._persistent, True
        try:
            t = _source_tensor(target)
            n = int(t._value.size) if hasattr(t._value, "size") else 1
            flat_sources = nest.flatten(sources)
            rows: list[list] = [[] for _ in flat_sources]
            for i in range(n):
                seed = _one_hot_like(t, i)
                gs = nest.flatten(
                    self.gradient(t, sources, output_gradients=seed,
                                  unconnected_gradients=unconnected_gradients)
                )  # fmt: skip
                for k, g in enumerate(gs):
                    rows[k].append(g)
        finally:
            self._persistent = persistent
            self._used = True
        out = []
        for s, row in zip(flat_sources, rows):
            src = _source_tensor(s)
            if any(g is None for g in row):
                out.append(None)
                continue
            dense = [_dense(g) for g in row]
            stacked = array_ops.stack(dense)
            shape = list(t.shape.as_list()) + list(src.shape.as_list())
            out.append(array_ops.reshape(stacked, shape))
        return nest.pack_sequence_as(sources, out)


def _symbolic_gradient(target, sources, output_gradients, unconnected_gradients):
    """`tape.gradient` while a graph is built: `tf.gradients` on the graph (variables
    are differentiated through the handle the graph reads them from)."""
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.gradients import UnconnectedGradients, gradients

    g = get_default_graph()
    flat_sources = nest.flatten(sources)
    xs = []
    for s in flat_sources:
        handle = getattr(s, "handle", None)
        if isinstance(handle, EagerTensor) and hasattr(g, "capture"):
            xs.append(g.capture(handle))
        elif handle is not None and not isinstance(s, EagerTensor):
            xs.append(handle)
        else:
            xs.append(s)
    mode = getattr(unconnected_gradients, "value", unconnected_gradients)
    grads = gradients(
        nest.flatten(target),
        xs,
        grad_ys=None if output_gradients is None else nest.flatten(output_gradients),
        unconnected_gradients=UnconnectedGradients(mode),
    )
    return nest.pack_sequence_as(sources, grads)


def _one_hot_like(t: EagerTensor, i: int) -> EagerTensor:
    import numpy as np

    seed = np.zeros(np.shape(t._value), dtype=t._dtype.np_dtype)
    seed.reshape(-1)[i] = 1
    return EagerTensor(seed, t._dtype)


def _dense(g):
    if isinstance(g, IndexedSlices):
        from tfgraph.framework.convert import convert_to_tensor

        return convert_to_tensor(g)
    return g


def _aggregate(grad_list):
    if not grad_list:
        return None
    if len(grad_list) == 1:
        return grad_list[0]
    if all(isinstance(g, IndexedSlices) for g in grad_list):
        from tfgraph.ops import array_ops

        return IndexedSlices(
            array_ops.concat([g.values for g in grad_list], 0),
            array_ops.concat([g.indices for g in grad_list], 0),
            grad_list[0].dense_shape,
        )
    from tfgraph.ops import math_ops

    try:
        return math_ops.add_n([_dense(g) for g in grad_list])
    except errors.OpError:
        total = _dense(grad_list[0])
        for g in grad_list[1:]:
            total = total + _dense(g)
        return total
