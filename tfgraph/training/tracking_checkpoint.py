"""Object-based checkpoints: `tf.compat.v1.train.Checkpoint` (graph mode).

A checkpoint stores each variable under a key made from the path of attribute names
that leads to it from the root (`model/layer/w/.ATTRIBUTES/VARIABLE_VALUE`), plus the
serialized `TrackableObjectGraph` under `_CHECKPOINTABLE_OBJECT_GRAPH`; restoring walks
that graph by names from the root, so files interchange with TensorFlow's.

Trackable values: variables, `tf.Module`s, `Checkpoint`s, and lists, tuples and dicts
held by a module (their elements are children named "0", "1", ... or by the dict key).
The only difference between graph and eager mode is `_read_values` / `_assign`.
"""

from __future__ import annotations

import os
import time

import numpy as np

from tfgraph import proto
from tfgraph.framework import dtypes
from tfgraph.io.bundle import BundleReader, BundleWriter
from tfgraph.module import Module
from tfgraph.training import checkpoint_management
from tfgraph.variables import Variable

__all__ = ["Checkpoint", "CheckpointLoadStatus", "CheckpointManager", "InitializationOnlyStatus"]

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_VALUE_ATTR = "VARIABLE_VALUE"


def _escape(name: str) -> str:
    return name.replace(".", "..").replace("/", ".S")


def _is_trackable(value) -> bool:
    return isinstance(value, (Variable, Module, Checkpoint, list, tuple, dict))


def _children(obj) -> list[tuple[str, object]]:
    """(local name, child) pairs in TF's order (attribute assignment order)."""
    if isinstance(obj, Checkpoint):
        return obj._checkpoint_children()
    if isinstance(obj, Module):
        items = list(vars(obj).items())
    elif isinstance(obj, dict):
        items = [(str(k), v) for k, v in obj.items()]
    elif isinstance(obj, (list, tuple)):
        items = [(str(i), v) for i, v in enumerate(obj)]
    else:
        return []
    return [(k, v) for k, v in items if _is_trackable(v)]


def _walk(root) -> tuple[list, list[list[tuple[str, int]]], list[str]]:
    """Breadth-first object graph: objects, each one's (name, node id) children, paths."""
    objects = [root]
    paths = [""]
    ids = {id(root): 0}
    edges: list[list[tuple[str, int]]] = []
    i = 0
    while i < len(objects):
        refs = []
        for name, child in _children(objects[i]):
            if id(child) not in ids:
                ids[id(child)] = len(objects)
                objects.append(child)
                prefix = paths[i] + "/" if paths[i] else ""
                paths.append(prefix + _escape(name))
            refs.append((name, ids[id(child)]))
        edges.append(refs)
        i += 1
    return objects, edges, paths


def _session(session):
    if session is None:
        from tfgraph.framework.default_session import get_default_session

        session = get_default_session()
        if session is None:
            raise ValueError(
                "Either session argument should be provided or default session should be "
                "established"
            )
    return session


def _read_values(variables: list, session) -> list[np.ndarray]:
    if not variables:
        return []
    return list(_session(session).run(list(variables)))


def _assign(pairs: list, session) -> None:
    if pairs:
        sess = _session(session)
        for var, value in pairs:
            var.load(value, sess)


def _checkpoint_file_exists(prefix: str) -> bool:
    return os.path.exists(prefix + ".index")


class Checkpoint:
    """`tf.compat.v1.train.Checkpoint(**kwargs)`: groups trackable objects to save/restore.

    Example:
        ckpt = tf.train.Checkpoint(model=module)
        path = ckpt.save("/tmp/ckpts/model", session=sess)   # /tmp/ckpts/model-1
        ckpt.restore(path).run_restore_ops(sess)
    """

    def __init__(self, **kwargs) -> None:
        self._deps: list[tuple[str, object]] = []
        for name, value in sorted(kwargs.items(), key=lambda kv: kv[0]):
            if not isinstance(value, (Variable, Module, Checkpoint)):
                raise ValueError(
                    f"`Checkpoint` was expecting {name} to be a trackable object (an object "
                    f"derived from `Trackable`), got {value}. If you believe this object "
                    "should be trackable (i.e. it is part of the TensorFlow Python API and "
                    "manages state), please open an issue."
                )
            setattr(self, name, value)
            self._deps.append((name, value))
        self._save_counter: Variable | None = None
        self._save_assign = None

    def _checkpoint_children(self) -> list[tuple[str, object]]:
        deps = list(self._deps)
        if self._save_counter is not None:
            deps.append(("save_counter", self._save_counter))
        return deps

    def _make_save_counter(self, graph) -> Variable:
        if self._save_counter is None:
            with graph.as_default():
                from tfgraph.framework.graph import name_scope

                with name_scope(None):
                    self._save_counter = Variable(
                        0, dtype=dtypes.int64, trainable=False, name="save_counter", collections=[]
                    )
                    self._save_assign = self._save_counter.assign_add(1, read_value=True)
        return self._save_counter

    @property
    def save_counter(self) -> Variable:
        """The int64 variable counting `save` calls (created on first use)."""
        from tfgraph.framework.graph import get_default_graph

        return self._make_save_counter(get_default_graph())

    # -- saving ---------------------------------------------------------------------------
    def write(self, file_prefix, session=None) -> str:
        """Writes a checkpoint at `file_prefix` (no counter, no state file); returns it."""
        file_prefix = os.fspath(file_prefix)
        objects, edges, paths = _walk(self)
        graph = proto.TrackableObjectGraph()
        keyed: list[tuple[str, Variable]] = []
        for obj, refs, path in zip(objects, edges, paths):
            node = graph.nodes.add()
            for name, node_id in refs:
                node.children.add(node_id=node_id, local_name=name)
            if isinstance(obj, Variable):
                key = f"{path}/.ATTRIBUTES/{_VALUE_ATTR}"
                node.attributes.add(name=_VALUE_ATTR, full_name=obj.op.name, checkpoint_key=key)
                keyed.append((key, obj))
        _mark_has_values(graph)
        values = _read_values([v for _, v in keyed], session)
        with BundleWriter(file_prefix) as writer:
            for (key, var), value in zip(keyed, values):
                writer.add(key, value, var.dtype.base_dtype)
            writer.add(OBJECT_GRAPH_KEY, np.array(graph.SerializeToString(), dtype=object))
        return file_prefix

    def save(self, file_prefix, session=None) -> str:
        """Increments `save_counter`, writes `file_prefix-N` and updates the state file."""
        sess = _session(session)
        created = self._save_counter is None
        counter = self._make_save_counter(sess.graph)
        if created:
            sess.run(counter.initializer)
        number = sess.run(self._save_assign)
        path = self.write(f"{os.fspath(file_prefix)}-{int(number)}", session=sess)
        checkpoint_management.update_checkpoint_state(
            os.path.dirname(path) or ".",
            path,
            all_model_checkpoint_paths=[path],
            save_relative_paths=True,
        )
        return path

    # -- restoring ------------------------------------------------------------------------
    def read(self, save_path) -> CheckpointLoadStatus:
        """Like `restore`, for a path written by `write`."""
        return self.restore(save_path)

    def restore(self, save_path):
        """Matches the checkpoint's object graph to these objects; the returned status
        assigns the values (`run_restore_ops`). `None` gives an initialize-only status."""
        if save_path is None:
            return InitializationOnlyStatus(self)
        save_path = os.fspath(save_path)
        reader = BundleReader(save_path)
        if OBJECT_GRAPH_KEY not in reader:
            raise ValueError(
                f"The checkpoint at {save_path} has no object graph "
                f"({OBJECT_GRAPH_KEY}); name-based checkpoints are read with "
                "tf.train.Saver"
            )
        graph = proto.TrackableObjectGraph.FromString(_as_bytes(reader.read(OBJECT_GRAPH_KEY)))
        if self._save_counter is None and any(
            ref.local_name == "save_counter" for ref in graph.nodes[0].children
        ):
            from tfgraph.framework.graph import get_default_graph

            self._make_save_counter(get_default_graph())  # restored on creation
        return CheckpointLoadStatus(self, reader, graph)


def _as_bytes(value) -> bytes:
    value = np.asarray(value).reshape(()).item()
    return value if isinstance(value, bytes) else str(value).encode()


def _mark_has_values(graph) -> None:
    has: dict[int, bool] = {}

    def visit(i: int, stack: frozenset) -> bool:
        if i in has:
            return has[i]
        node = graph.nodes[i]
        result = bool(node.attributes)
        for ref in node.children:
            if ref.node_id not in stack and visit(ref.node_id, stack | {i}):
                result = True
        has[i] = result
        return result

    for i, node in enumerate(graph.nodes):
        node.has_checkpoint_values.value = visit(i, frozenset())


class CheckpointLoadStatus:
    """What `Checkpoint.restore` matched; `run_restore_ops` assigns the values."""

    def __init__(self, root: Checkpoint, reader: BundleReader, graph) -> None:
        self._root = root
        self._graph = graph
        self._by_proto: dict[int, object] = {0: root}
        queue = [0]
        while queue:
            proto_id = queue.pop(0)
            children = dict(_children(self._by_proto[proto_id]))
            for ref in graph.nodes[proto_id].children:
                if ref.node_id in self._by_proto or ref.local_name not in children:
                    continue
                self._by_proto[ref.node_id] = children[ref.local_name]
                queue.append(ref.node_id)
        self._pairs: list[tuple[Variable, np.ndarray]] = []
        for proto_id, obj in self._by_proto.items():
            for attr in graph.nodes[proto_id].attributes:
                if attr.name == _VALUE_ATTR and isinstance(obj, Variable):
                    self._pairs.append((obj, reader.read(attr.checkpoint_key)))

    def _python_variables(self) -> list:
        objects, _, _ = _walk(self._root)
        return [o for o in objects if isinstance(o, Variable)]

    def assert_consumed(self) -> CheckpointLoadStatus:
        """AssertionError unless every checkpointed value and every Python variable matched."""
        for proto_id, node in enumerate(self._graph.nodes):
            if node.attributes and proto_id not in self._by_proto:
                raise AssertionError(f"Unresolved object in checkpoint {proto_id}: {node}")
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self) -> CheckpointLoadStatus:
        """AssertionError unless every Python variable got a value from the checkpoint."""
        matched = {id(v) for v, _ in self._pairs}
        missing = [v for v in self._python_variables() if id(v) not in matched]
        if missing:
            raise AssertionError(
                "Some Python objects were not bound to checkpointed values, likely due to "
                f"changes in the Python program: {missing}"
            )
        return self

    def expect_partial(self) -> CheckpointLoadStatus:
        return self

    def run_restore_ops(self, session=None) -> None:
        """Assigns the restored values to the matched variables."""
        _assign(self._pairs, session)

    def initialize_or_restore(self, session=None) -> None:
        """Restores the matched variables and initializes the others."""
        sess = _session(session)
        self.run_restore_ops(sess)
        matched = {id(v) for v, _ in self._pairs}
        inits = [v.initializer for v in self._python_variables() if id(v) not in matched]
        if inits:
            sess.run(inits)


class InitializationOnlyStatus:
    """`restore(None)`: nothing to restore; `initialize_or_restore` runs initializers."""

    def __init__(self, root: Checkpoint) -> None:
        self._root = root

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    def assert_existing_objects_matched(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None) -> None:
        return None

    def initialize_or_restore(self, session=None) -> None:
        objects, _, _ = _walk(self._root)
        inits = [o.initializer for o in objects if isinstance(o, Variable)]
        if inits:
            _session(session).run(inits)


class CheckpointManager:
    """`tf.train.CheckpointManager`: numbered saves of a `Checkpoint` in `directory`,
    keeping the newest `max_to_keep` (plus one every `keep_checkpoint_every_n_hours`),
    recorded in the `checkpoint` state file as TF writes it. Graph mode saves in the
    default session.
    """

    def __init__(
        self,
        checkpoint,
        directory,
        max_to_keep,
        keep_checkpoint_every_n_hours=None,
        checkpoint_name="ckpt",
    ) -> None:
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(
                f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}."
            )
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._last_preserved = time.time()
        self._maybe: list[tuple[str, float]] = []
        state = checkpoint_management.get_checkpoint_state(self._directory)
        if state is not None:
            stamps = list(state.all_model_checkpoint_timestamps)
            paths = list(state.all_model_checkpoint_paths)
            if len(stamps) != len(paths):
                stamps = [self._last_preserved] * len(paths)
            self._maybe = [(p, t) for p, t in zip(paths, stamps) if _checkpoint_file_exists(p)]
            if state.last_preserved_timestamp:
                self._last_preserved = state.last_preserved_timestamp

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoints(self) -> list[str]:
        """The retained checkpoint prefixes, oldest first."""
        return [p for p, _ in self._maybe]

    @property
    def latest_checkpoint(self) -> str | None:
        return self._maybe[-1][0] if self._maybe else None

    def save(self, checkpoint_number=None, session=None) -> str:
        """Saves `prefix-N` (N: `checkpoint_number`, else the incremented save counter)."""
        sess = _session(session)
        ckpt = self._checkpoint
        created = ckpt._save_counter is None
        counter = ckpt._make_save_counter(sess.graph)
        if created:
            sess.run(counter.initializer)
        number = sess.run(ckpt._save_assign)
        if checkpoint_number is not None:
            number = checkpoint_number
        path = ckpt.write(f"{self._prefix}-{int(number)}", session=sess)
        now = time.time()
        self._maybe = [(p, t) for p, t in self._maybe if p != path] + [(path, now)]
        self._sweep()
        checkpoint_management.update_checkpoint_state(
            self._directory,
            path,
            all_model_checkpoint_paths=self.checkpoints,
            all_model_checkpoint_timestamps=[t for _, t in self._maybe],
            last_preserved_timestamp=self._last_preserved,
            save_relative_paths=True,
        )
        return path

    def _sweep(self) -> None:
        if self._max_to_keep is None:
            return
        while len(self._maybe) > self._max_to_keep:
            path, stamp = self._maybe.pop(0)
            if self._keep_hours and stamp - self._keep_hours * 3600.0 >= self._last_preserved:
                self._last_preserved = stamp
                continue
            checkpoint_management.remove_checkpoint(path)

    def restore_or_initialize(self, session=None):
        """Restores the latest checkpoint (returning its path) or initializes; None then."""
        latest = self.latest_checkpoint
        status = self._checkpoint.restore(latest)
        status.initialize_or_restore(session)
        return latest
