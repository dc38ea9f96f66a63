"""`tf.compat`'s helpers: bytes/text conversion, the Python types TF groups numbers
by, and the forward-compatibility window of TF 2.21 (graphs tfgraph builds are TF
2.21's, so the same date gates them)."""

from __future__ import annotations

import contextlib
import datetime
import numbers
import os

import numpy as np

bytes_or_text_types = (bytes, str)
complex_types = (numbers.Complex, np.number)
integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)

# TF 2.21's horizon; TF_FORWARD_COMPATIBILITY_DELTA_DAYS moves it forward, as in TF.
_HORIZON = datetime.date(2026, 1, 16)
_DELTA_DAYS_VAR = "TF_FORWARD_COMPATIBILITY_DELTA_DAYS"
_horizon_override: list[datetime.date] = []


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """`bytes_or_text` as bytes (str encoded with `encoding`).

    Raises:
        TypeError: for anything but bytes, bytearray or str.
    """
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """`bytes_or_text` as str (bytes decoded with `encoding`).

    Raises:
        TypeError: for anything but bytes or str.
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value, encoding: str = "utf-8") -> str:
    """`str(value)`, except that bytes are decoded."""
    if isinstance(value, bytes):
        return as_str(value, encoding=encoding)
    return str(value)


def path_to_str(path):
    """A path-like object as its str; anything else unchanged."""
    if isinstance(path, os.PathLike):
        return os.fspath(path)
    return path


def _horizon() -> datetime.date:
    if _horizon_override:
        return _horizon_override[-1]
    delta = os.environ.get(_DELTA_DAYS_VAR)
    return _HORIZON + datetime.timedelta(days=int(delta)) if delta else _HORIZON


def forward_compatible(year: int, month: int, day: int) -> bool:
    """Whether graphs built now may use features added on (year, month, day): true
    once the forward-compatibility horizon is past that date."""
    return _horizon() > datetime.date(year, month, day)


@contextlib.contextmanager
def forward_compatibility_horizon(year: int, month: int, day: int):
    """Moves the horizon to (year, month, day) inside the block (a date before TF's
    own horizon is ignored, as in TF)."""
    date = datetime.date(year, month, day)
    _horizon_override.append(max(date, _HORIZON))
    try:
        yield
    finally:
        _horizon_override.pop()
