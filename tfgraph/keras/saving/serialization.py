"""`serialize_keras_object` / `deserialize_keras_object` as Keras 2 does them in graph
mode (its legacy format): objects with `get_config` as {"class_name", "config"} (nested
objects marked `__passive_serialization__`), functions by their registered name."""

from __future__ import annotations

import inspect

from tfgraph.keras.saving import object_registration as reg

__all__ = ["deserialize_keras_object", "serialize_keras_object"]

_UNKNOWN = (
    "Unknown {what}: '{name}'. Please ensure you are using a `keras.utils."
    "custom_object_scope` and that this object is included in the scope. See https://"
    "www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object for "
    "details."
)


def serialize_keras_object(instance):
    """`instance` as a config: {"class_name": registered name, "config": ...} for
    objects with `get_config`, the registered name for functions and classes.

    Raises:
        ValueError: the object has neither `get_config` nor a name.
    """
    if instance is None:
        return None
    if hasattr(instance, "get_config") and not isinstance(instance, type):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
                if isinstance(serialized, dict) and not isinstance(item, dict):
                    serialized["__passive_serialization__"] = True
                config[key] = serialized
            except ValueError:
                config[key] = item
        return {"class_name": reg.get_registered_name(type(instance)), "config": config}
    if hasattr(instance, "__name__"):
        return reg.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


def from_keras_format(identifier):
    """A config in Keras 2's TF2 format ({"module", "class_name", "config",
    "registered_name"}, as TF2's `serialize` writes it) in the legacy format that
    `deserialize_keras_object` reads; any other identifier unchanged."""
    if not isinstance(identifier, dict) or "module" not in identifier:
        return identifier
    if identifier.get("class_name") == "function":
        return identifier.get("config")
    name = identifier.get("registered_name") or identifier.get("class_name")
    return {"class_name": name, "config": identifier.get("config", {})}


def _class_and_config(config, module_objects, custom_objects, what):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            f"Improper config format for {config}. Expecting python dict contains "
            "`class_name` and `config` as keys"
        )
    cls = reg.get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise ValueError(_UNKNOWN.format(what=what, name=config["class_name"]))
    cls_config = config["config"]
    if isinstance(cls_config, list):
        return cls, cls_config
    for key, item in list(cls_config.items()):
        if key == "name":
            continue
        if isinstance(item, dict) and "__passive_serialization__" in item:
            cls_config[key] = deserialize_keras_object(
                item, module_objects, custom_objects, "config_item"
            )
        elif isinstance(item, str):
            found = reg.get_registered_object(item, custom_objects)
            if inspect.isfunction(found):
                cls_config[key] = found
    return cls, cls_config


def _from_dict(identifier, module_objects, custom_objects, what):
    cls, cls_config = _class_and_config(identifier, module_objects, custom_objects, what)
    custom_objects = custom_objects or {}
    if hasattr(cls, "from_config"):
        params = inspect.signature(cls.from_config).parameters
        if "custom_objects" in params:
            return cls.from_config(
                cls_config, custom_objects=reg.all_custom_objects(custom_objects)
            )
        with reg.CustomObjectScope(custom_objects):
            return cls.from_config(cls_config)
    with reg.CustomObjectScope(custom_objects):
        return cls(**cls_config)


def deserialize_keras_object(
    identifier, module_objects=None, custom_objects=None, printable_module_name="object"
):
    """The object a config or name stands for, looked up in `custom_objects`, the
    custom-object scope, the registry and `module_objects`; a class named by a string
    is instantiated without arguments.

    Raises:
        ValueError: an unknown name, or an identifier that is neither.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return _from_dict(identifier, module_objects, custom_objects, printable_module_name)
    if isinstance(identifier, str):
        sources = (custom_objects, reg._scoped(), reg._GLOBAL_CUSTOM_OBJECTS, module_objects)
        obj = next((s[identifier] for s in sources if s and identifier in s), None)
        if obj is None:
            raise ValueError(_UNKNOWN.format(what=printable_module_name, name=identifier))
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")
