"""`tf.train.CheckpointView` and `tf.train.TrackableView` (TF2): the object graph of an
object-based checkpoint, and of live trackable objects, to inspect and compare them.

A `CheckpointView` reads the `TrackableObjectGraph` an object-based checkpoint (TF's or
tfgraph's `tf.train.Checkpoint`) holds: node 0 is the root, and children are named
references to node ids. A `TrackableView` walks live objects the way a checkpoint
save does (attributes, list indices, dict keys). `CheckpointView.match(root)` pairs
checkpoint nodes with live objects by name from the root, as a restore would.
"""

from __future__ import annotations

import collections
import weakref
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.training import tracking

__all__ = ["CheckpointView", "TrackableView"]


class TrackableView:
    """The trackable objects reachable from `root` (held by a weak reference when it can
    be, as TF does)."""

    def __init__(self, root) -> None:
        self._root_ref: Any
        if isinstance(root, weakref.ref):
            self._root_ref = root
        else:
            try:
                self._root_ref = weakref.ref(root)
            except TypeError:  # (lists, dicts: no weak references)
                self._root_ref = lambda: root

    @classmethod
    def children(cls, obj, save_type="checkpoint", **kwargs) -> dict:
        """The trackable children of `obj`, name -> object."""
        del save_type, kwargs
        return dict(tracking._children(obj))

    @property
    def root(self):
        root = self._root_ref()
        assert root is not None, "TrackableView: its root was garbage collected"
        return root

    def descendants(self) -> list:
        """Every object reachable from the root (the root first), breadth first."""
        order, seen = [], set()
        queue = collections.deque([self.root])
        seen.add(id(self.root))
        while queue:
            obj = queue.popleft()
            order.append(obj)
            for child in self.children(obj).values():
                if id(child) not in seen:
                    seen.add(id(child))
                    queue.append(child)
        return order


class CheckpointView:
    """The object graph of the object-based checkpoint at `save_path`."""

    def __init__(self, save_path) -> None:
        from tfgraph import proto
        from tfgraph.training.checkpoint_utils import load_checkpoint

        reader = load_checkpoint(save_path)
        try:
            raw = reader.get_tensor(tracking._OBJECT_GRAPH_KEY)
        except errors.NotFoundError as e:
            raise ValueError(
                f'The specified checkpoint "{save_path}" does not appear to be object-based '
                "(saved with TF2) since it is missing the key "
                f'"{tracking._OBJECT_GRAPH_KEY}". Likely it was created with the TF1 '
                "name-based saver (tf.train.Saver) and does not contain an object dependency "
                "graph; read it with tf.train.load_checkpoint instead."
            ) from e
        graph = proto.TrackableObjectGraph()
        graph.ParseFromString(raw if isinstance(raw, bytes) else bytes(np.asarray(raw)[()]))
        self._object_graph_proto = graph

    def children(self, node_id) -> dict:
        """The children of node `node_id`: name -> node id."""
        node = self._object_graph_proto.nodes[node_id]
        return {ref.local_name: ref.node_id for ref in node.children}

    def descendants(self) -> list:
        """The node ids reachable from the root (0 first), breadth first."""
        seen = {0: None}
        queue = collections.deque([0])
        while queue:
            for child in self.children(queue.popleft()).values():
                if child not in seen:
                    seen[child] = None
                    queue.append(child)
        return list(seen)

    def match(self, obj) -> dict:
        """The checkpoint nodes that live objects under `obj` match (same names from the
        root): node id -> object."""
        if not tracking._is_trackable(obj):
            raise ValueError(f"Expected a Trackable, got {obj} of type {type(obj)}.")
        matched = {0: obj}
        queue = collections.deque([(0, obj)])
        visited = set()
        while queue:
            node_id, current = queue.popleft()
            live = TrackableView.children(current)
            for name, child_id in self.children(node_id).items():
                if child_id in visited or child_id == 0 or name not in live:
                    continue
                if child_id not in matched:
                    matched[child_id] = live[name]
                    queue.append((child_id, live[name]))
            visited.add(node_id)
        return matched

    def diff(self, obj) -> tuple:
        """(match(obj), the node ids only in the checkpoint, the objects only under
        `obj`)."""
        matched = self.match(obj)
        only_ckpt = [i for i in self.descendants() if i not in matched]
        ids = {id(o) for o in matched.values()}
        only_live = [o for o in TrackableView(obj).descendants() if id(o) not in ids]
        return matched, only_ckpt, only_live
