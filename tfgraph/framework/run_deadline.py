"""The deadline of the `Session.run` call running in this thread.

`Session.run(..., options=RunOptions(timeout_in_ms=t))` sets it for the duration of
the call; kernels that block (queue enqueues and dequeues) read it through
`remaining()` and raise DeadlineExceededError when it passes. A session's
`ConfigProto.operation_timeout_in_ms` is read by the kernels when a plan is built.
Nothing here runs unless a call passes options, so plain runs pay nothing.
"""

from __future__ import annotations

import threading
import time

__all__ = ["deadline_scope", "remaining"]


class _State(threading.local):
    def __init__(self) -> None:
        self.deadline: float | None = None


_state = _State()


class deadline_scope:
    """Sets this thread's run deadline `timeout_ms` milliseconds from now (none for
    `timeout_ms <= 0`) until the `with` block ends."""

    __slots__ = ("_previous", "_timeout")

    def __init__(self, timeout_ms: int) -> None:
        self._timeout = timeout_ms
        self._previous: float | None = None

    def __enter__(self) -> None:
        self._previous = _state.deadline
        if self._timeout > 0:
            _state.deadline = time.monotonic() + self._timeout / 1000.0

    def __exit__(self, *exc) -> None:
        _state.deadline = self._previous


def remaining(default_ms: int = 0) -> float | None:
    """Seconds left before this thread's run deadline (or `default_ms` from now, the
    session's operation timeout, when the run set none); None when there is none."""
    deadline = _state.deadline
    if deadline is None:
        return default_ms / 1000.0 if default_ms > 0 else None
    return deadline - time.monotonic()
