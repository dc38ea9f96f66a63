"""Layer and model configurations as Keras 2 writes them (`get_config`, `to_json`) and
reads them (`from_config`, `model_from_json`): a layer's config is its base fields
(name, trainable, dtype, batch_input_shape) and the arguments it was made with, nested
objects as {"class_name", "config"}."""

from __future__ import annotations

import inspect

import numpy as np

__all__ = ["deserialize_layer", "deserialize_value", "serialize_value"]

_BASE_KEYS = (
    "name",
    "trainable",
    "dtype",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "input_dim",
    "weights",
)


def serialize_value(value):
    """A constructor argument as JSON-able config: objects with `get_config` as
    {"class_name", "config"}, functions by name, tuples as lists."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [serialize_value(v) for v in value]
    if isinstance(value, dict):
        return {k: serialize_value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if hasattr(value, "get_config"):
        return {"class_name": type(value).__name__, "config": value.get_config()}
    if hasattr(value, "name") and hasattr(value, "as_numpy_dtype"):  # a DType
        return value.name
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    raise NotImplementedError(f"tfgraph cannot serialize {value!r} in a layer config")


def deserialize_value(key: str, value):
    """A config value back as an object, by what the key names (initializers,
    regularizers, constraints, wrapped layers)."""
    if not (isinstance(value, dict) and "class_name" in value):
        return value
    if key.endswith("initializer"):
        from tfgraph.keras import initializers

        return initializers.deserialize(value)
    if key.endswith("regularizer"):
        from tfgraph.keras import regularizers

        return regularizers.get(value)
    if key.endswith("constraint"):
        from tfgraph.keras import constraints

        return constraints.get(value)
    if key in ("layer", "backward_layer", "cell"):
        return deserialize_layer(value)
    return value


def layer_classes() -> dict:
    from tfgraph.keras import layers
    from tfgraph.keras.engine import functional

    classes = {name: getattr(layers, name) for name in layers.__all__}
    classes = {k: v for k, v in classes.items() if inspect.isclass(v)}
    classes.update(
        Sequential=functional.Sequential, Functional=functional.Model, Model=functional.Model
    )
    return classes


def deserialize_layer(config: dict, custom_objects=None):
    """A layer (or model) from {"class_name", "config"}."""
    from tfgraph.keras.saving import object_registration

    classes = layer_classes()
    classes.update(object_registration.all_custom_objects(custom_objects))
    cls = classes.get(config["class_name"])
    if cls is None:
        raise ValueError(
            f"Unknown layer: '{config['class_name']}'. Please ensure you are using a "
            "`keras.utils.custom_object_scope` and that this object is included in the scope."
        )
    return cls.from_config(config["config"])


def accepted_arguments(cls) -> set | None:
    """The keyword arguments `cls(...)` takes, following **kwargs up the classes (None:
    anything)."""
    from tfgraph.keras.engine.base_layer import _ALLOWED_KWARGS, Layer

    names: set = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        init = getattr(init, "__wrapped__", init)
        params = inspect.signature(init).parameters
        names.update(
            n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            return names
        if klass is Layer:
            return names | _ALLOWED_KWARGS
        names.update(getattr(klass, "_config_extra_arguments", ()))
    return None


# config keys tfgraph's layers do not take, with the values that change nothing
_NEUTRAL = {"groups": 1}
_NO = object()
# keys Keras 2 writes for layers that make no use of them (a separable convolution's
# kernels are its depthwise and pointwise ones)
_UNUSED = {
    "SeparableConv1D": ("kernel_initializer", "kernel_regularizer", "kernel_constraint"),
    "SeparableConv2D": ("kernel_initializer", "kernel_regularizer", "kernel_constraint"),
}


def layer_from_config(cls, config: dict):
    """`cls(**config)` with nested objects rebuilt; keys the class does not take are
    dropped when they hold their neutral values (False, None, 0), else refused."""
    config = dict(config)
    accepted = accepted_arguments(cls)
    kwargs = {}
    for key, value in config.items():
        if accepted is not None and key not in accepted:
            if value in (None, False, 0, 0.0, "", [], {}) or _NEUTRAL.get(key, _NO) == value:
                continue
            if key in _UNUSED.get(cls.__name__, ()):
                continue
            if key in ("dtype",) and isinstance(value, dict):
                continue
            raise NotImplementedError(
                f"tfgraph's {cls.__name__} has no `{key}` (config value {value!r})"
            )
        kwargs[key] = deserialize_value(key, value)
    if isinstance(kwargs.get("dtype"), dict):  # a dtype policy: its compute dtype
        kwargs["dtype"] = kwargs["dtype"].get("config", {}).get("name", "float32")
    return cls(**kwargs)
