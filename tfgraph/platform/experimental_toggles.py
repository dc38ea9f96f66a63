"""The process-wide switches of `tf.experimental` and what they mean in TF1 graph mode.

Asynchronous eager execution, function executors and control flow v2 intermediates do not
exist in TF1 graphs run by sessions; these accept their arguments as TensorFlow does in
graph mode, where their effect is nil, and fail where TensorFlow fails.
"""

from __future__ import annotations

import contextlib
import os

_state = {"strict_mode": False, "output_all_intermediates": None, "executor_type": None}


def _context_not_initialized() -> None:
    # (TF 2.21 in graph mode: the eager context was never initialized.)
    raise ValueError("Context is not initialized.")


def async_clear_error() -> None:
    """Clears errors raised while executing ops asynchronously (eager mode only).

    Raises:
        ValueError: in graph mode, as TensorFlow ("Context is not initialized.").
    """
    from tfgraph.platform.v2_toggles import executing_eagerly

    if not executing_eagerly():
        _context_not_initialized()


@contextlib.contextmanager
def async_scope():
    """Runs eager ops in the block asynchronously (tfgraph runs them synchronously); at
    exit, waits for them as TensorFlow does.

    Raises:
        ValueError: at the end of the block in graph mode, as TensorFlow ("Context is not
            initialized.").
    """
    yield
    async_clear_error()


@contextlib.contextmanager
def function_executor_type(executor_type):
    """Names the executor for functions defined in the block (accepted; tfgraph has one)."""
    previous = _state["executor_type"]
    _state["executor_type"] = executor_type
    try:
        yield
    finally:
        _state["executor_type"] = previous


def output_all_intermediates(state) -> None:
    """Whether control flow v2 outputs all intermediates (TF1 control flow has none)."""
    _state["output_all_intermediates"] = state


def enable_strict_mode() -> None:
    """Turns on TensorFlow's strict mode (deprecated endpoints raise when used)."""
    _state["strict_mode"] = True


def register_filesystem_plugin(plugin_location: str) -> None:
    """Loads a compiled file system plugin: not possible without TF's C++ runtime.

    Raises:
        FileNotFoundError: `plugin_location` does not exist (as TensorFlow).
        NotImplementedError: otherwise: tfgraph cannot load C++ plugins.
    """
    if not os.path.exists(plugin_location):
        raise FileNotFoundError(
            2, "The file to load file system plugin from does not exist.", plugin_location
        )
    raise NotImplementedError(
        f"register_filesystem_plugin({plugin_location!r}): file system plugins are compiled "
        "C++ libraries for TensorFlow's runtime; tfgraph cannot load them. Read such files "
        "through a Python file system library and feed the bytes instead."
    )
