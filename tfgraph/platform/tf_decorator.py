"""`tf_decorator` (TF exposes it as `tf.flags.tf_decorator`): decorators that keep the
wrapped function's name, docstring and signature, and can be unwrapped or re-targeted."""

from __future__ import annotations

import inspect
import typing
from typing import Any

__all__ = ["Dict", "TFDecorator", "fullargspec_to_signature", "make_decorator", "rewrap", "unwrap"]

# TF's module imports typing.Dict, so `tf.flags.tf_decorator.Dict` is typing.Dict.
Dict = typing.Dict  # noqa: UP006 (TF exposes typing.Dict itself, not dict)


def fullargspec_to_signature(fullargspec: inspect.FullArgSpec) -> inspect.Signature:
    """The inspect.Signature a FullArgSpec describes."""
    defaults: dict[str, Any] = dict(fullargspec.kwonlydefaults or {})
    if fullargspec.defaults:
        tail = fullargspec.args[len(fullargspec.args) - len(fullargspec.defaults) :]
        defaults.update(zip(tail, fullargspec.defaults))
    empty = inspect.Parameter.empty
    params = [
        inspect.Parameter(
            a, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=defaults.get(a, empty)
        )
        for a in fullargspec.args
    ]
    if fullargspec.varargs is not None:
        params.append(inspect.Parameter(fullargspec.varargs, inspect.Parameter.VAR_POSITIONAL))
    params += [
        inspect.Parameter(a, inspect.Parameter.KEYWORD_ONLY, default=defaults.get(a, empty))
        for a in fullargspec.kwonlyargs
    ]
    if fullargspec.varkw is not None:
        params.append(inspect.Parameter(fullargspec.varkw, inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


class TFDecorator:
    """What a decorated function carries as `_tf_decorator`: the decorator's name and
    docstring and the function it wraps (`decorated_target`)."""

    def __init__(self, decorator_name, target, decorator_doc="", decorator_argspec=None):
        self._decorated_target = target
        self._decorator_name = decorator_name
        self._decorator_doc = decorator_doc
        self._decorator_argspec = decorator_argspec
        if hasattr(target, "__name__"):
            self.__name__ = target.__name__
        if hasattr(target, "__qualname__"):
            self.__qualname__ = target.__qualname__
        self.__doc__ = decorator_doc or getattr(target, "__doc__", None) or ""
        if decorator_argspec:
            self.__signature__ = fullargspec_to_signature(decorator_argspec)
        elif callable(target):
            try:
                self.__signature__ = inspect.signature(target)
            except (TypeError, ValueError):
                pass

    def __get__(self, instance, owner):
        return self._decorated_target.__get__(instance, owner)

    def __call__(self, *args, **kwargs):
        return self._decorated_target(*args, **kwargs)

    @property
    def decorated_target(self):
        return self._decorated_target

    @decorated_target.setter
    def decorated_target(self, target):
        self._decorated_target = target

    @property
    def decorator_name(self):
        return self._decorator_name

    @property
    def decorator_doc(self):
        return self._decorator_doc

    @property
    def decorator_argspec(self):
        return self._decorator_argspec


def _decorator_of(obj):
    d = getattr(obj, "_tf_decorator", None)
    return d if isinstance(d, TFDecorator) else None


def make_decorator(target, decorator_func, decorator_name=None, decorator_doc="",
                   decorator_argspec=None):  # fmt: skip
    """Returns `decorator_func` dressed as `target` (name, qualname, module, attributes,
    docstring, signature), with a TFDecorator recording the wrapping."""
    if decorator_name is None:
        frame = inspect.currentframe()
        decorator_name = frame.f_back.f_code.co_name if frame and frame.f_back else ""
    decorator = TFDecorator(decorator_name, target, decorator_doc, decorator_argspec)
    decorator_func._tf_decorator = decorator
    for attr in ("__name__", "__qualname__", "__module__"):
        if hasattr(target, attr):
            setattr(decorator_func, attr, getattr(target, attr))
    for key, value in getattr(target, "__dict__", {}).items():
        decorator_func.__dict__.setdefault(key, value)
    if hasattr(target, "__doc__"):
        decorator_func.__doc__ = decorator.__doc__
    decorator_func.__wrapped__ = target
    decorator_func.__original_wrapped__ = target
    if decorator_argspec:
        decorator_func.__signature__ = fullargspec_to_signature(decorator_argspec)
    elif callable(target):
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):
            return decorator_func
        decorators, _ = unwrap(target)
        bound = next(
            (
                d.decorated_target.__self__
                for d in decorators
                if inspect.ismethod(d.decorated_target)
            ),
            None,
        )
        if bound is not None and "self" in signature.parameters:
            signature = inspect.Signature(list(signature.parameters.values())[1:])
            decorator_func.__self__ = bound
        decorator_func.__signature__ = signature
    return decorator_func


def unwrap(maybe_tf_decorator):
    """([TFDecorator, ...] outermost first, the innermost undecorated target)."""
    decorators = []
    cur = maybe_tf_decorator
    while True:
        if isinstance(cur, TFDecorator):
            decorators.append(cur)
        elif _decorator_of(cur) is not None:
            decorators.append(_decorator_of(cur))
        else:
            break
        if not hasattr(decorators[-1], "decorated_target"):
            break
        cur = decorators[-1].decorated_target
    return decorators, cur


def rewrap(decorator_func, previous_target, new_target):
    """Makes the decorator that wraps `previous_target` inside `decorator_func` wrap
    `new_target` instead (or returns `new_target` if `decorator_func` is undecorated)."""
    cur, innermost, target = decorator_func, None, None
    while _decorator_of(cur) is not None:
        innermost, target = cur, _decorator_of(cur)
        if target.decorated_target is previous_target:
            break
        cur = target.decorated_target
    if innermost is None:
        assert decorator_func is previous_target
        return new_target
    target.decorated_target = new_target
    getattr(innermost, "__func__", innermost).__wrapped__ = new_target
    return decorator_func
