"""Whether ops run eagerly: the one switch that graph and eager code paths read.

`executing_eagerly()` is True when eager execution is enabled and no graph is being
built (`with graph.as_default()` or a `tf.function` trace turns it off for its block).
"""

from __future__ import annotations

import threading

__all__ = ["ANONYMOUS_NAME", "executing_eagerly"]

# The `shared_name` an eager resource op gets: every call makes a new resource (TF's value).
ANONYMOUS_NAME = "cd2c89b7-88b7-44c8-ad83-06c2a9158347"


class _State(threading.local):
    def __init__(self) -> None:
        self.graph_depth = 0  # how many graph-building blocks are open in this thread


_state = _State()
_eager_enabled = False


def executing_eagerly() -> bool:
    """True when ops run immediately (eager mode and no graph being built)."""
    return _eager_enabled and _state.graph_depth == 0
