"""`tf.train.write_graph` / `tf.io.write_graph`: a GraphDef (or any proto) to a file."""

from __future__ import annotations

import os

from tfgraph.framework.graph import Graph

__all__ = ["write_graph"]


def write_graph(graph_or_graph_def, logdir, name, as_text: bool = True) -> str:
    """Writes a graph's `GraphDef` (or any message, e.g. a `MetaGraphDef`) to
    `logdir/name`, atomically, creating `logdir` if needed.

    Args:
        graph_or_graph_def: a `Graph` or a protocol buffer message.
        logdir: the directory.
        name: the file name.
        as_text: text format (True) or binary.

    Returns:
        The path of the written file.
    """
    from tfgraph import proto
    from tfgraph.io.atomic import atomic_write
    from tfgraph.io.gfile import local_path

    if isinstance(graph_or_graph_def, Graph):
        message = graph_or_graph_def.as_graph_def()
    else:
        message = graph_or_graph_def
    logdir = local_path(logdir)
    name = os.fspath(name)
    if logdir:
        os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        data = proto.text_format.MessageToString(message).encode("utf-8")
    else:
        data = message.SerializeToString(deterministic=True)
    atomic_write(path, data)
    return path
