"""Custom objects Keras resolves by name when it rebuilds layers, losses, activations
from configs: the global registry (`register_keras_serializable`, "Package>Name"),
`get_custom_objects()` and the thread-local `custom_object_scope`."""

from __future__ import annotations

import inspect
import threading

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
]

_GLOBAL_CUSTOM_OBJECTS: dict = {}
_GLOBAL_CUSTOM_NAMES: dict = {}
_THREAD_LOCAL = threading.local()


def _scoped() -> dict:
    return _THREAD_LOCAL.__dict__


class CustomObjectScope:
    """`with custom_object_scope({"MyLayer": MyLayer}):` makes the names resolvable
    while deserializing inside the block (in this thread)."""

    def __init__(self, *args) -> None:
        self.custom_objects = args
        self.backup: dict | None = None

    def __enter__(self):
        self.backup = dict(_scoped())
        for objects in self.custom_objects:
            _scoped().update(objects or {})
        return self

    def __exit__(self, *args, **kwargs) -> None:
        _scoped().clear()
        _scoped().update(self.backup or {})


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The global dict name -> object that deserialization consults (mutable)."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """A decorator registering a class or function as "package>name" (name defaults to
    its `__name__`).

    Raises:
        ValueError: a class without `get_config`.
    """

    def decorator(arg):
        registered_name = f"{package}>{name if name is not None else arg.__name__}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj) -> str:
    """The name `obj` was registered under, else its `__name__`."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object for `name`: the custom-object scope first, then the global registry,
    then `custom_objects`, then `module_objects`; None if none has it."""
    for source in (_scoped(), _GLOBAL_CUSTOM_OBJECTS, custom_objects, module_objects):
        if source and name in source:
            return source[name]
    return None


def all_custom_objects(custom_objects=None) -> dict:
    """The registry, the scope and `custom_objects` merged (later ones win)."""
    return {**_GLOBAL_CUSTOM_OBJECTS, **_scoped(), **(custom_objects or {})}
