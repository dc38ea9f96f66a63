"""Protobuf text format for tfgraph's messages (`graph.pbtxt`, `checkpoint`, ...).

Thin wrappers around `google.protobuf.text_format` whose `descriptor_pool` defaults
to tfgraph's private pool, so `google.protobuf.Any` values written as
`[type.googleapis.com/tensorflow.X] { ... }` are resolved to tfgraph's types.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf import text_format as _text_format
from google.protobuf.message import Message

from tfgraph.proto import get_pool

__all__ = ["Merge", "MessageToString", "Parse", "ParseError"]

ParseError = _text_format.ParseError

_M = TypeVar("_M", bound=Message)


def Parse(text: str | bytes, message: _M, **kwargs: Any) -> _M:
    """Parses `text` into `message` (cleared first) and returns it.

    Keyword arguments are those of `google.protobuf.text_format.Parse`.

    Raises:
        ParseError: on malformed text or unknown field names.
    """
    kwargs.setdefault("descriptor_pool", get_pool())
    return _text_format.Parse(text, message, **kwargs)


def Merge(text: str | bytes, message: _M, **kwargs: Any) -> _M:
    """Like `Parse`, but merges into `message` instead of clearing it."""
    kwargs.setdefault("descriptor_pool", get_pool())
    return _text_format.Merge(text, message, **kwargs)


def MessageToString(message: Message, **kwargs: Any) -> str:
    """`message` in text format; `Any` fields are printed expanded.

    Keyword arguments are those of `google.protobuf.text_format.MessageToString`.
    """
    kwargs.setdefault("descriptor_pool", get_pool())
    return _text_format.MessageToString(message, **kwargs)
