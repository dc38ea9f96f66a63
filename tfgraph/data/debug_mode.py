"""tf.data's debug mode (`tf.data.experimental.enable_debug_mode`): pipelines built
after it run synchronously and sequentially (`prefetch` adds nothing, parallel `map`
and `interleave` run as their sequential forms) and user functions run as Python for
each element (wrapped in `py_function`), so their prints and breakpoints fire."""

from __future__ import annotations

__all__ = ["DEBUG_MODE", "toggle_debug_mode"]

DEBUG_MODE = False


def toggle_debug_mode(debug_mode: bool) -> None:
    global DEBUG_MODE
    DEBUG_MODE = bool(debug_mode)
