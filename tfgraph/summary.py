"""`tf.summary` (TF1): summary ops, `FileWriter` and the summary protos (re-exports only)."""

from tfgraph.ops.summary_ops import (
    audio,
    get_summary_description,
    histogram,
    image,
    merge,
    merge_all,
    scalar,
    tensor_summary,
    text,
)
from tfgraph.ops.summary_v2_ops import all_v2_summary_ops, initialize
from tfgraph.summary_writer import FileWriter, FileWriterCache

__all__ = [
    "Event",  # noqa: F822 - lazy, see __getattr__
    "FileWriter",
    "FileWriterCache",
    "SessionLog",  # noqa: F822 - lazy, see __getattr__
    "Summary",  # noqa: F822 - lazy, see __getattr__
    "SummaryDescription",  # noqa: F822 - lazy, see __getattr__
    "TaggedRunMetadata",  # noqa: F822 - lazy, see __getattr__
    "all_v2_summary_ops",
    "audio",
    "get_summary_description",
    "histogram",
    "image",
    "initialize",
    "merge",
    "merge_all",
    "scalar",
    "tensor_summary",
    "text",
]

# Protocol buffer classes, built on first use (importing tfgraph does not load protobuf).
_PROTO_EXPORTS = frozenset(
    {"Event", "SessionLog", "Summary", "SummaryDescription", "TaggedRunMetadata"}
)


def __getattr__(name):
    if name in _PROTO_EXPORTS:
        from tfgraph import proto

        return getattr(proto, name)
    raise AttributeError(f"module 'tfgraph.summary' has no attribute {name!r}")
