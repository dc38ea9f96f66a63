"""Object-based checkpoints: `tf.train.Checkpoint` and `tf.train.CheckpointManager`.

A checkpoint saves the objects reachable from its root (its keyword arguments): each
object's trackable attributes (variables, `tf.Module`s, other checkpoints, and lists,
tuples and dicts of them) are its children, named by attribute name, list index or
dict key. A variable is saved under the key `<path>/.ATTRIBUTES/VARIABLE_VALUE` of its
path from the root, and the graph of objects (nodes in breadth-first order, each with
its children and saved attributes) goes into the bundle as the serialized
`TrackableObjectGraph` `_CHECKPOINTABLE_OBJECT_GRAPH`, as TF writes it, so TF restores
tfgraph's checkpoints into the same Python structure and the other way round.
Restoring matches objects by that graph, not by variable names.

Values are read and assigned eagerly, or through a session in graph mode
(`save(..., session=sess)`, `restore(...).run_restore_ops(sess)`).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.eager import context
from tfgraph.training.python_state import PY_STATE, PythonState
from tfgraph.variables import Variable

__all__ = ["Checkpoint", "CheckpointManager"]

_OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_VARIABLE_VALUE = "VARIABLE_VALUE"
_ESCAPE = "."


def _escape(name: str) -> str:
    """A local name as TF writes it in checkpoint keys ("/" and "." escaped)."""
    return name.replace(_ESCAPE, _ESCAPE + _ESCAPE).replace("/", _ESCAPE + "S")


def _is_trackable(value) -> bool:
    from tfgraph.module import Module

    if isinstance(value, (Variable, Module, Checkpoint, PythonState)):
        return True
    if hasattr(value, "_trackable_children"):
        return True
    if isinstance(value, (list, tuple)):
        return any(_is_trackable(v) for v in value)
    if isinstance(value, dict):
        return any(_is_trackable(v) for v in value.values())
    return False


def _children(obj) -> list[tuple[str, object]]:
    """An object's named trackable children, in TF's order."""
    if isinstance(obj, (Variable, PythonState)):
        return []
    custom = getattr(obj, "_trackable_children", None)
    if callable(custom):
        return list(custom().items())
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj) if _is_trackable(v)]
    if isinstance(obj, dict):
        return [(str(k), v) for k, v in obj.items() if _is_trackable(v)]
    attrs = getattr(obj, "__dict__", {})
    return [(k, v) for k, v in attrs.items() if _is_trackable(v)]


class _ObjectGraph:
    """The objects reachable from a root, breadth first (TF's node order)."""

    def __init__(self, root) -> None:
        self.nodes: list = [root]
        self.paths: list[list[str]] = [[]]
        self.children: list[list[tuple[str, int]]] = []
        index = {id(root): 0}
        i = 0
        while i < len(self.nodes):
            kids = []
            for name, child in _children(self.nodes[i]):
                j = index.get(id(child))
                if j is None:
                    j = index[id(child)] = len(self.nodes)
                    self.nodes.append(child)
                    self.paths.append(self.paths[i] + [name])
                kids.append((name, j))
            self.children.append(kids)
            i += 1

    def key(self, i: int, attribute: str = _VARIABLE_VALUE) -> str:
        return "/".join(_escape(p) for p in self.paths[i]) + f"/.ATTRIBUTES/{attribute}"

    def proto(self):
        from tfgraph import proto

        graph = proto.TrackableObjectGraph()
        for i, obj in enumerate(self.nodes):
            node = graph.nodes.add()
            for name, j in self.children[i]:
                ref = node.children.add()
                ref.node_id = j
                ref.local_name = name
            if isinstance(obj, Variable):
                attr = node.attributes.add()
                attr.name = _VARIABLE_VALUE
                attr.full_name = obj.name[:-2] if obj.name.endswith(":0") else obj.name
                attr.checkpoint_key = self.key(i)
            elif isinstance(obj, PythonState):
                attr = node.attributes.add()
                attr.name = PY_STATE
                attr.checkpoint_key = self.key(i, PY_STATE)
            node.has_checkpoint_values.value = True
        return graph


def _values(variables: list, session) -> list[np.ndarray]:
    if not variables:
        return []
    if context.executing_eagerly() and all(getattr(v, "_eager", False) for v in variables):
        return [np.asarray(v.value()) for v in variables]
    session = _session(session)
    return session.run(list(variables))


def _session(session):
    if session is not None:
        return session
    from tfgraph.framework.default_session import get_default_session

    session = get_default_session()
    if session is None:
        raise ValueError(
            "Saving or restoring a checkpoint in graph mode needs a session: pass "
            "`session=` or run it inside `with tf.Session():`."
        )
    return session


def _assign(variables: list, values: list, session) -> None:
    if not variables:
        return
    if all(getattr(v, "_eager", False) for v in variables):
        for v, value in zip(variables, values):
            v.assign(value)
        return
    session = _session(session)
    for v, value in zip(variables, values):
        v.load(value, session)


class CheckpointLoadStatus:
    """What `Checkpoint.restore` returns: which saved values and objects matched."""

    def __init__(self, ckpt, saved_graph, reader, matched, unmatched_saved, unmatched_objects):
        self._ckpt = ckpt
        self._saved_graph = saved_graph
        self._reader = reader
        self._matched = matched  # [(variable, key)]
        self._unmatched_saved = unmatched_saved  # checkpoint keys no object took
        self._unmatched_objects = unmatched_objects  # our variables with no saved value
        self._restored = False

    def _restore(self, session=None) -> None:
        if self._restored:
            return
        variables = [v for v, _ in self._matched if isinstance(v, Variable)]
        values = [self._reader.get_tensor(k) for v, k in self._matched if isinstance(v, Variable)]
        _assign(variables, values, session)
        for obj, key in self._matched:
            if isinstance(obj, PythonState):
                raw = self._reader.get_tensor(key)
                obj.deserialize(raw if isinstance(raw, bytes) else np.asarray(raw)[()])
        self._restored = True

    def assert_consumed(self):
        """Raises AssertionError unless every saved value and every object matched."""
        if self._unmatched_saved:
            raise AssertionError(
                f"Unresolved object in checkpoint: {sorted(self._unmatched_saved)}"
            )
        if self._unmatched_objects:
            raise AssertionError(
                "Some Python objects were not bound to checkpointed values, likely due to "
                f"changes in the Python program: {self._unmatched_objects}"
            )
        return self

    def assert_existing_objects_matched(self):
        """Raises AssertionError if an existing object has no saved value."""
        if self._unmatched_objects:
            raise AssertionError(
                "Some Python objects were not bound to checkpointed values, likely due to "
                f"changes in the Python program: {self._unmatched_objects}"
            )
        return self

    def assert_nontrivial_match(self):
        if not self._matched:
            raise AssertionError("Nothing except the root object matched a checkpointed value.")
        return self

    def expect_partial(self):
        """Silences warnings about values not restored (there are none here)."""
        return self

    def run_restore_ops(self, session=None) -> None:
        """Graph mode: assigns the restored values in `session`."""
        self._restore(session)

    def initialize_or_restore(self, session=None) -> None:
        """Restores the matched variables; in a graph, also initializes the others."""
        self._restore(session)
        rest = [
            v
            for v in self._unmatched_objects
            if isinstance(v, Variable) and not getattr(v, "_eager", False)
        ]
        if rest:
            _session(session).run([v.initializer for v in rest])


class _InitializationOnlyStatus:
    """`restore(None)`: nothing to restore; graph mode initializes the variables."""

    def __init__(self, root) -> None:
        self._root = root

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    assert_existing_objects_matched = assert_consumed
    assert_nontrivial_match = assert_consumed

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None) -> None:
        return None

    def initialize_or_restore(self, session=None) -> None:
        variables = [o for o in _ObjectGraph(self._root).nodes if isinstance(o, Variable)]
        if variables and not all(getattr(v, "_eager", False) for v in variables):
            _session(session).run([v.initializer for v in variables])


def _session_and_options(session, options):
    """(session, options) of a save: TF1's Checkpoint takes `session` second, TF2's
    `options`; a CheckpointOptions passed second is taken as the options."""
    from tfgraph.training.checkpoint_options import CheckpointOptions

    if isinstance(session, CheckpointOptions) and options is None:
        return None, session
    return session, options


class Checkpoint:
    """Saves and restores trackable objects (TF2's `tf.train.Checkpoint`).

    Example:
        ckpt = tf.train.Checkpoint(model=model, step=step_variable)
        path = ckpt.save("/tmp/ckpts/ckpt")       # /tmp/ckpts/ckpt-1
        ckpt.restore(path).assert_consumed()
    """

    def __init__(self, root=None, **kwargs) -> None:
        if root is not None and not _is_trackable(root):
            raise ValueError(
                f"`Checkpoint` was expecting root to be a trackable object (an object "
                f"derived from `Trackable`), got {root}."
            )
        for k, v in sorted(kwargs.items()):
            if not _is_trackable(v):
                raise ValueError(
                    f"`Checkpoint` was expecting {k} to be a trackable object (an object "
                    f"derived from `Trackable`), got {v}. If you believe this object "
                    "should be trackable (i.e. it is part of the TensorFlow Python API "
                    "and manages state), please open an issue."
                )
        self._root = root
        self._kwargs = dict(sorted(kwargs.items()))
        self._save_counter: Any = None

    def _trackable_children(self) -> dict:
        out: dict = {}
        if self._root is not None:
            out.update(dict(_children(self._root)))
        out.update(self._kwargs)
        if self._save_counter is not None:
            out["save_counter"] = self._save_counter
        return out

    def __getattr__(self, name):
        kwargs = self.__dict__.get("_kwargs", {})
        if name in kwargs:
            return kwargs[name]
        raise AttributeError(name)

    @property
    def save_counter(self):
        """How many times `save` ran (an int64 variable, saved with the checkpoint)."""
        self._maybe_create_save_counter()
        return self._save_counter

    def _maybe_create_save_counter(self) -> None:
        if self._save_counter is None:
            from tfgraph.eager.function import init_scope
            from tfgraph.framework import dtypes

            with init_scope():
                self._save_counter = Variable(
                    0, dtype=dtypes.int64, trainable=False, name="save_counter",
                    use_resource=True if context.executing_eagerly() else None,
                )  # fmt: skip

    # -- writing -------------------------------------------------------------------------
    def write(self, file_prefix, session=None, options=None) -> str:
        """Writes the objects' values under exactly `file_prefix`; then runs the write
        callbacks of `options` (a `tf.train.CheckpointOptions`)."""
        from tfgraph.io.bundle import BundleWriter
        from tfgraph.training.checkpoint_options import run_write_callbacks

        session, options = _session_and_options(session, options)

        file_prefix = os.fspath(file_prefix)
        graph = _ObjectGraph(self)
        variables = [(i, o) for i, o in enumerate(graph.nodes) if isinstance(o, Variable)]
        values = _values([o for _, o in variables], session)
        callback = getattr(options, "experimental_sharding_callback", None)
        if callback is not None:
            from tfgraph.training.checkpoint_sharding import write_sharded

            write_sharded(file_prefix, _save_entries(graph, variables, values), callback)
            run_write_callbacks(options, file_prefix)
            return file_prefix
        with BundleWriter(file_prefix) as writer:
            writer.add(_OBJECT_GRAPH_KEY, np.array(graph.proto().SerializeToString(), object))
            for (i, var), value in zip(variables, values):
                writer.add(graph.key(i), value, var.dtype)
            for i, obj in enumerate(graph.nodes):
                if isinstance(obj, PythonState):
                    writer.add(graph.key(i, PY_STATE), np.array(_state_bytes(obj), object))
        run_write_callbacks(options, file_prefix)
        return file_prefix

    def save(self, file_prefix, session=None, options=None) -> str:
        """Increments `save_counter`, writes `file_prefix-<counter>` and records it as the
        latest checkpoint of its directory (the `checkpoint` state file)."""
        from tfgraph.training import checkpoint_management

        session, options = _session_and_options(session, options)
        self._maybe_create_save_counter()
        counter = self._save_counter
        if getattr(counter, "_eager", False):
            counter.assign_add(1)
            number = int(counter.numpy())
        else:
            sess = _session(session)
            if not sess.run(counter.is_initialized() if hasattr(counter, "is_initialized")
                            else _var_initialized(counter)):  # fmt: skip
                sess.run(counter.initializer)
            number = int(sess.run(counter.assign_add(1)))
        path = self.write(f"{os.fspath(file_prefix)}-{number}", session=session, options=options)
        directory = os.path.dirname(path) or "."
        state = checkpoint_management.get_checkpoint_state(directory)
        previous = list(state.all_model_checkpoint_paths) if state is not None else []
        checkpoint_management.update_checkpoint_state_internal(
            directory,
            path,
            all_model_checkpoint_paths=[p for p in previous if p != path] + [path],
            save_relative_paths=True,
        )
        return path

    # -- reading -------------------------------------------------------------------------
    def read(self, save_path, options=None):
        """Restores from exactly `save_path` (the save counter is restored too)."""
        return self.restore(save_path, options)

    def restore(self, save_path, options=None):
        """Matches the saved object graph against these objects and assigns the values
        (at once when executing eagerly; by `run_restore_ops(session)` in a graph)."""
        from tfgraph import proto
        from tfgraph.training.checkpoint_utils import load_checkpoint

        if save_path is None:
            return _InitializationOnlyStatus(self)
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):
            from tfgraph.training.checkpoint_management import latest_checkpoint

            save_path = latest_checkpoint(save_path) or save_path
        try:
            reader = load_checkpoint(save_path)
        except errors.OpError:
            raise errors.NotFoundError(
                None, None, f"Failed to restore from checkpoint {save_path}: not found"
            ) from None
        if not reader.has_tensor(_OBJECT_GRAPH_KEY):
            raise ValueError(
                f"The checkpoint at {save_path} is a name-based (tf.compat.v1.train.Saver) "
                "checkpoint, not an object-based one: restore it with tf.train.Saver."
            )
        saved = proto.TrackableObjectGraph()
        raw = reader.get_tensor(_OBJECT_GRAPH_KEY)
        saved.ParseFromString(raw if isinstance(raw, bytes) else bytes(np.asarray(raw)[()]))
        if "save_counter" in {c.local_name for c in saved.nodes[0].children}:
            self._maybe_create_save_counter()
        status = _match(self, saved, reader)
        if context.executing_eagerly():
            status._restore()
        return status


def _save_entries(graph, variables, values) -> list:
    """(checkpoint key, value, dtype, trackable) of everything saved, in TF's order:
    the objects' tensors breadth first, then the object graph."""
    from tfgraph.framework import dtypes

    by_node = {i: (var, value) for (i, var), value in zip(variables, values)}
    out = []
    for i, obj in enumerate(graph.nodes):
        if i in by_node:
            var, value = by_node[i]
            out.append((graph.key(i), value, var.dtype.base_dtype, var))
        elif isinstance(obj, PythonState):
            out.append((graph.key(i, PY_STATE), _state_bytes(obj), dtypes.string, obj))
    proto_bytes = graph.proto().SerializeToString()
    out.append((_OBJECT_GRAPH_KEY, proto_bytes, dtypes.string, None))
    return out


def _state_bytes(obj) -> bytes:
    value = obj.serialize()
    return value.encode() if isinstance(value, str) else bytes(value)


def _var_initialized(v):
    from tfgraph.ops import state_ops

    return state_ops.is_variable_initialized(v)


def _match(root, saved, reader) -> CheckpointLoadStatus:
    """Pairs saved nodes with our objects, walking both graphs from the roots."""
    matched: list = []
    used_keys: set = set()
    seen: set = set()
    stack = [(0, root)]
    visited_nodes = {0}
    while stack:
        node_id, obj = stack.pop()
        seen.add(id(obj))
        node = saved.nodes[node_id]
        if isinstance(obj, (Variable, PythonState)):
            wanted = _VARIABLE_VALUE if isinstance(obj, Variable) else PY_STATE
            for attr in node.attributes:
                if attr.name == wanted:
                    matched.append((obj, attr.checkpoint_key))
                    used_keys.add(attr.checkpoint_key)
            continue
        ours = dict(_children(obj))
        for ref in node.children:
            child = ours.get(ref.local_name)
            if child is not None and ref.node_id not in visited_nodes:
                visited_nodes.add(ref.node_id)
                stack.append((ref.node_id, child))
    saved_keys = {a.checkpoint_key for n in saved.nodes for a in n.attributes}
    ours_all = _ObjectGraph(root).nodes
    unmatched_objects = [
        o
        for o in ours_all
        if isinstance(o, (Variable, PythonState)) and not any(o is m for m, _ in matched)
    ]
    return CheckpointLoadStatus(
        root, saved, reader, matched, saved_keys - used_keys, unmatched_objects
    )


class CheckpointManager:
    """Keeps the latest `max_to_keep` checkpoints of a `Checkpoint` in `directory`."""

    def __init__(
        self,
        checkpoint,
        directory,
        max_to_keep,
        keep_checkpoint_every_n_hours=None,
        checkpoint_name: str = "ckpt",
        step_counter=None,
        checkpoint_interval=None,
        init_fn=None,
    ) -> None:
        from tfgraph.training import checkpoint_management

        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(
                f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}."
            )
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._init_fn = init_fn
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._last_preserved = time.time()
        state = checkpoint_management.get_checkpoint_state(self._directory)
        self._checkpoints: list[str] = []
        self._stamps: dict[str, float] = {}
        if state is not None:  # as TF: only files newer than the last preserved one count
            now = self._last_preserved
            self._last_preserved = min(state.last_preserved_timestamp, now)
            paths = list(state.all_model_checkpoint_paths)
            stamps = list(state.all_model_checkpoint_timestamps) or [self._last_preserved] * len(
                paths
            )
            for p, t in zip(paths, stamps):
                if min(t, now) > self._last_preserved and _exists(p):
                    self._checkpoints.append(p)
                    self._stamps[p] = min(t, now)

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoints(self) -> list[str]:
        return list(self._checkpoints)

    @property
    def latest_checkpoint(self) -> str | None:
        return self._checkpoints[-1] if self._checkpoints else None

    @property
    def checkpoint(self):
        return self._checkpoint

    def save(self, checkpoint_number=None, check_interval: bool = True, options=None) -> str:
        """Saves a checkpoint (numbered `checkpoint_number`, or by the save counter) and
        deletes the oldest beyond `max_to_keep`."""
        from tfgraph.training import checkpoint_management

        ckpt = self._checkpoint
        ckpt._maybe_create_save_counter()
        counter = ckpt._save_counter
        if getattr(counter, "_eager", False):  # TF counts every save, numbered or not
            counter.assign_add(1)
            number = int(counter.numpy())
        else:  # graph mode: the default session, as TF's
            sess = _session(None)
            if not sess.run(_var_initialized(counter)):
                sess.run(counter.initializer)
            number = int(sess.run(counter.assign_add(1)))
        if checkpoint_number is not None:
            number = int(checkpoint_number)
        path = ckpt.write(f"{self._prefix}-{number}", options=options)
        self._checkpoints = [p for p in self._checkpoints if p != path] + [path]
        self._stamps[path] = time.time()
        self._sweep()
        checkpoint_management.update_checkpoint_state_internal(
            self._directory,
            path,
            all_model_checkpoint_paths=self._checkpoints,
            all_model_checkpoint_timestamps=[self._stamps[p] for p in self._checkpoints],
            last_preserved_timestamp=self._last_preserved,
            save_relative_paths=True,
        )
        return path

    def _sweep(self) -> None:
        from tfgraph.training import checkpoint_management

        if self._max_to_keep is None:
            return
        while len(self._checkpoints) > self._max_to_keep:
            oldest = self._checkpoints.pop(0)
            stamp = self._stamps.pop(oldest, self._last_preserved)
            if self._keep_every and stamp - self._keep_every * 3600.0 >= self._last_preserved:
                self._last_preserved = stamp
                continue
            checkpoint_management.remove_checkpoint(oldest)

    def restore_or_initialize(self):
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None


def _exists(prefix: str) -> bool:
    return os.path.exists(prefix + ".index")
