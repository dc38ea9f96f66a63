"""`arg_scope`: default keyword arguments for the functions decorated with
`add_arg_scope`, in a `with` block (contrib.framework / slim)."""

from __future__ import annotations

import contextlib
import functools

__all__ = [
    "add_arg_scope",
    "arg_scope",
    "arg_scope_func_key",
    "arg_scoped_arguments",
    "current_arg_scope",
    "has_arg_scope",
]

_STACK: list[dict] = [{}]
_DECORATED: dict[str, list[str]] = {}


def current_arg_scope() -> dict:
    """{function key: default kwargs} in force here."""
    return _STACK[-1]


def arg_scope_func_key(op) -> str:
    """The key `op`'s defaults are kept under."""
    return getattr(op, "_key_op", str(op))


def has_arg_scope(func) -> bool:
    """Whether `func` is decorated with `add_arg_scope`."""
    return arg_scope_func_key(func) in _DECORATED


def arg_scoped_arguments(func) -> list[str]:
    """The keyword arguments `func` takes (those an arg_scope may set)."""
    return _DECORATED[arg_scope_func_key(func)]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default `kwargs` for each function of `list_ops_or_scope` inside the block;
    a dict (a scope yielded before) re-enters that scope."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError(
                "When attempting to re-use a scope by suppling a dictionary, kwargs must be empty."
            )
        scope = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError(
                "list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)"
            )
        scope = current_arg_scope().copy()
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                name = (getattr(op, "__module__", "?"), getattr(op, "__name__", repr(op)))
                raise ValueError(f"{name} is not decorated with @add_arg_scope")
            key = arg_scope_func_key(op)
            merged = dict(scope.get(key, {}))
            merged.update(kwargs)
            scope[key] = merged
    _STACK.append(scope)
    try:
        yield scope
    finally:
        _STACK.pop()


def add_arg_scope(func):
    """Decorates `func` so that `arg_scope` can set its keyword arguments' defaults."""
    key = arg_scope_func_key(func)

    @functools.wraps(func)
    def with_defaults(*args, **kwargs):
        defaults = current_arg_scope().get(key)
        if defaults:
            kwargs = {**defaults, **kwargs}
        return func(*args, **kwargs)

    code = func.__code__
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    defaults = func.__defaults__ or ()
    _DECORATED[key] = list(names[code.co_argcount - len(defaults) :])
    with_defaults._key_op = key
    return with_defaults
