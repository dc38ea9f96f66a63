"""TF1's entry points into TF2-style summaries: `tf.summary.initialize` and
`tf.summary.all_v2_summary_ops`.

TF2 summary ops (`tf.summary.create_file_writer` and the ops writing through it) are not
part of TF1's API, so a TF1 graph has no default summary writer: `initialize` raises
TF's RuntimeError in graph mode (and is a no-op eagerly), and `all_v2_summary_ops` lists
the graph's `_SUMMARY_V2` collection, where such ops would be registered.
"""

from __future__ import annotations

from tfgraph.eager.context import executing_eagerly
from tfgraph.framework.graph import get_collection

__all__ = ["all_v2_summary_ops", "initialize"]

_SUMMARY_COLLECTION = "_SUMMARY_V2"


def initialize(graph=None, session=None) -> None:
    """Initializes the default TF2 summary writer for graph execution (TF1 name).

    Raises:
        RuntimeError: in graph mode: TF1 graphs have no default summary writer (use
            `tf.summary.FileWriter` with `tf.summary.scalar` & co.).
    """
    if executing_eagerly():
        return
    raise RuntimeError("No default tf.contrib.summary.SummaryWriter found")


def all_v2_summary_ops():
    """The graph's TF2 summary ops (the `_SUMMARY_V2` collection; TF1 `tf.summary` ops are
    not in it), or None when executing eagerly."""
    if executing_eagerly():
        return None
    return get_collection(_SUMMARY_COLLECTION)
