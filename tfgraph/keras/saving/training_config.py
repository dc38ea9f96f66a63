"""A compiled model's `training_config` as Keras 2 stores it in HDF5 files (loss,
metrics, loss weights and the optimizer's config), and the `compile` arguments it
stands for."""

from __future__ import annotations

__all__ = ["compile_args", "training_config"]


def _serialize(item):
    """A loss or metric as Keras writes it: a name as given, a function by its name,
    an object as {"class_name", "config"}; lists and dicts item by item."""
    from tfgraph.keras.saving.serialization import serialize_keras_object

    if item is None or isinstance(item, (str, int, float)):
        return item
    if isinstance(item, dict):
        return {key: _serialize(value) for key, value in item.items()}
    if isinstance(item, (list, tuple)):
        return [_serialize(value) for value in item]
    if hasattr(item, "get_config"):
        return serialize_keras_object(item)
    return getattr(item, "__name__", str(item))


def training_config(model) -> dict | None:
    """The `training_config` of a compiled model (None when not compiled)."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "_compiled", False) or optimizer is None:
        return None
    if not hasattr(optimizer, "get_config"):
        return None
    return {
        "loss": _serialize(model._loss_spec),
        "metrics": _serialize(model._metrics_spec),
        "loss_weights": _serialize(model._loss_weights_spec),
        "sample_weight_mode": getattr(model, "_sample_weight_mode", None),
        "weighted_metrics": _serialize(getattr(model, "_weighted_metrics_spec", None)),
        "optimizer_config": {
            "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(),
        },
    }


def _deserialize(item, module):
    if isinstance(item, dict) and "class_name" in item and "config" in item:
        return _deserialize_object(item, module)
    if isinstance(item, dict):
        return {key: _deserialize(value, module) for key, value in item.items()}
    if isinstance(item, list):
        return [_deserialize(value, module) for value in item]
    return item


def _deserialize_object(item: dict, module):
    """A loss or metric object from its config; a metric object tfgraph has no class
    for comes back as its function's name ("mean_absolute_error"), which computes the
    same values."""
    from tfgraph.keras.saving.serialization import deserialize_keras_object

    config = dict(item["config"])
    if item["class_name"] != "LossFunctionWrapper":
        config.pop("fn", None)  # (Keras 2 writes the wrapped function's name too)
    try:
        return deserialize_keras_object(
            {"class_name": item["class_name"], "config": config}, vars(module)
        )
    except ValueError:
        name = config.get("name")
        if module.__name__.endswith("metrics") and isinstance(name, str):
            module.get(name)  # (raises for a name tfgraph does not know either)
            return name
        raise


def compile_args(config: dict) -> dict:
    """`model.compile` arguments from a `training_config`."""
    from tfgraph.keras import losses, metrics, optimizers

    opt = config["optimizer_config"]
    cls: dict[str, type[optimizers.Optimizer]] = optimizers._BY_NAME
    found = cls.get(str(opt["class_name"]).lower())
    if found is None:
        raise ValueError(
            f"Unknown optimizer: '{opt['class_name']}' in the file's training config. "
            "tfgraph restores SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax, Ftrl and Nadam: "
            "load with compile=False and compile the model yourself."
        )
    return {
        "optimizer": found.from_config(opt["config"]),
        "loss": _deserialize(config.get("loss"), losses),
        "metrics": _deserialize(config.get("metrics"), metrics),
        "loss_weights": config.get("loss_weights"),
        "weighted_metrics": _deserialize(config.get("weighted_metrics"), metrics),
        # (Keras 2's loader never restores `sample_weight_mode`: it looks the key up as an
        # attribute of the config dict; a loaded model is compiled without it, as there)
    }
