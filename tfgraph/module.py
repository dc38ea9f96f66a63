"""`tf.Module`: a base class that tracks the variables and sub-modules it holds."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from tfgraph.framework.graph import get_default_graph

if TYPE_CHECKING:  # pragma: no cover
    from tfgraph.framework.graph import _NameScope

__all__ = ["Module"]

_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _camel_to_snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).lower()


class _ModuleNameScope:
    """`module.name_scope`: re-enters the scope the module was created in."""

    def __init__(self, scope_name: str) -> None:
        self.name = scope_name
        self._ctx: _NameScope | None = None

    def __enter__(self) -> str:
        self._ctx = ctx = get_default_graph().name_scope(self.name)
        return ctx.__enter__()

    def __exit__(self, *exc) -> None:
        assert self._ctx is not None  # set by __enter__
        self._ctx.__exit__(*exc)


class Module:
    """Base class for objects holding variables; `variables` walks attributes (sorted by
    attribute name), lists, tuples, dicts and sub-modules, as TF's `tf.Module` does."""

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError(
                f"'{name}' is not a valid module name. Module names must be valid Python "
                "identifiers (e.g. a valid class name)."
            )
        self._name = name
        with get_default_graph().name_scope(name) as scope:
            self._scope = _ModuleNameScope(scope)

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> _ModuleNameScope:
        return self._scope

    @property
    def variables(self) -> tuple:
        from tfgraph.variables import Variable

        return tuple(self._flatten(lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        from tfgraph.variables import Variable

        return tuple(self._flatten(lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def submodules(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Module)))

    def _flatten(self, predicate) -> list:
        """TF's walk: a module's own leaves (attributes sorted by name), then each
        sub-module met there, recursively; every object once (cycles included)."""
        seen: set[int] = {id(self)}
        out: list = []

        def walk(module) -> None:
            submodules = []
            for key in sorted(vars(module)):
                if key in ("_scope",):
                    continue
                for leaf in _leaves(vars(module)[key]):
                    if id(leaf) in seen:
                        continue
                    seen.add(id(leaf))
                    if predicate(leaf):
                        out.append(leaf)
                    if isinstance(leaf, Module):
                        submodules.append(leaf)
            for sub in submodules:
                walk(sub)

        walk(self)
        return out

    @classmethod
    def with_name_scope(cls, method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapped


def _leaves(value):
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _leaves(value[k])
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value
