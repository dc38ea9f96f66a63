"""`tf.logging` and `tf.get_logger()`: TensorFlow's logger on the stdlib `logging` module.

As in TensorFlow, every function logs through the logger named "tensorflow", which is
set up when tfgraph is imported, as `import tensorflow` does: unless the root logger
already has handlers, it gets a stderr handler (stdout and level INFO in an interactive
shell) printing "LEVEL:tensorflow:message". The root logger is left alone. (So, as with
TF, a root handler added later, e.g. absl's under `tf.app.run`, prints each message a
second time.) Records name the caller's file and line, not this module's.
"""

from __future__ import annotations

import logging as _logging
import sys as _sys
import threading as _threading
from logging import DEBUG, ERROR, FATAL, INFO, WARN

__all__ = [
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "TaskLevelStatusMessage",
    "debug",
    "error",
    "fatal",
    "flush",
    "get_logger",
    "get_verbosity",
    "info",
    "log",
    "log_every_n",
    "log_first_n",
    "log_if",
    "set_verbosity",
    "vlog",
    "warn",
    "warning",
]

_logger: _logging.Logger | None = None
_logger_lock = _threading.Lock()
# (file, line) of a log_every_n / log_first_n call site -> calls so far.
_call_counts: dict[tuple[str, int], int] = {}


def _interactive() -> bool:
    return hasattr(_sys, "ps1") or bool(_sys.flags.interactive)


def get_logger() -> _logging.Logger:
    """The "tensorflow" logger, given an output handler on first use when the root
    logger has none."""
    global _logger
    if _logger is not None:
        return _logger
    with _logger_lock:
        if _logger is None:
            logger = _logging.getLogger("tensorflow")
            if not _logging.getLogger().handlers:
                stream = _sys.stderr
                if _interactive():
                    logger.setLevel(INFO)
                    stream = _sys.stdout
                handler = _logging.StreamHandler(stream)
                handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT))
                logger.addHandler(handler)
            _logger = logger
    return _logger


def _emit(level: int, msg, args, kwargs, depth: int) -> None:
    # `depth` is how many frames of this module sit between the user and _emit's caller;
    # stacklevel makes the record name the user's file and line.
    kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + depth + 1
    get_logger().log(level, msg, *args, **kwargs)


def log(level: int, msg, *args, **kwargs) -> None:
    _emit(level, msg, args, kwargs, 1)


def vlog(level: int, msg, *args, **kwargs) -> None:
    _emit(level, msg, args, kwargs, 1)


def debug(msg, *args, **kwargs) -> None:
    _emit(DEBUG, msg, args, kwargs, 1)


def info(msg, *args, **kwargs) -> None:
    _emit(INFO, msg, args, kwargs, 1)


def warning(msg, *args, **kwargs) -> None:
    _emit(WARN, msg, args, kwargs, 1)


def warn(msg, *args, **kwargs) -> None:
    _emit(WARN, msg, args, kwargs, 1)


def error(msg, *args, **kwargs) -> None:
    _emit(ERROR, msg, args, kwargs, 1)


def fatal(msg, *args, **kwargs) -> None:
    """Logs at FATAL (= CRITICAL); like TensorFlow's, it does not exit."""
    _emit(FATAL, msg, args, kwargs, 1)


def TaskLevelStatusMessage(msg) -> None:
    _emit(ERROR, msg, (), {}, 1)


def log_if(level: int, msg, condition, *args) -> None:
    """Logs `msg % args` at `level` when `condition` holds."""
    if condition:
        _emit(level, msg, args, {}, 1)


def _next_count(depth: int) -> int:
    """The count of calls so far under TF's token for the user's call `depth` frames
    above the caller. TF's token is not the calling line: it is the first frame, going
    outwards, in another file than the calling code's ('<unknown>', 0) when there is
    none, as at a script's top level), so calls from one file called from one place
    share a count, as they do in TF."""
    frame = _sys._getframe(depth + 1)
    own = frame.f_code.co_filename
    outer = frame.f_back
    while outer is not None and outer.f_code.co_filename == own:
        outer = outer.f_back
    site = ("<unknown>", 0) if outer is None else (outer.f_code.co_filename, outer.f_lineno)
    count = _call_counts.get(site, -1) + 1
    _call_counts[site] = count
    return count


def log_every_n(level: int, msg, n: int, *args) -> None:
    """Logs `msg % args` at `level` on the 1st, (n+1)th, (2n+1)th, ... call counted
    under TF's token (see `_next_count`)."""
    if not (_next_count(1) % n):
        _emit(level, msg, args, {}, 1)


def log_first_n(level: int, msg, n: int, *args) -> None:
    """Logs `msg % args` at `level` on the first `n` calls counted under TF's token
    (see `_next_count`)."""
    if _next_count(1) < n:
        _emit(level, msg, args, {}, 1)


def get_verbosity() -> int:
    """The effective level of the "tensorflow" logger (WARN unless set)."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v: int) -> None:
    """Sets the level below which `tf.logging` drops messages."""
    get_logger().setLevel(v)


def flush() -> None:
    """TensorFlow 2.21's `tf.compat.v1.logging.flush()` raises NotImplementedError; so
    does this one."""
    raise NotImplementedError(
        "tf.logging.flush is not implemented (TensorFlow's raises NotImplementedError too); "
        "flush the handlers of tf.get_logger() instead."
    )


# `import tensorflow` sets its logger up at once; so does `import tfgraph`.
get_logger()
