"""Reading the `.keras` zip Keras writes in TF2 (tf_keras eagerly, or Keras 3):
`config.json` (the model's config in the new serialization format: every object as
{"module", "class_name", "config", "registered_name"}, with `build_config` and
`compile_config`), `metadata.json` and `model.weights.h5`, whose weights sit under
`layers/<snake-case class name, numbered>/vars/<i>` (a layer's sub-objects, such as an
LSTM's `cell`, in groups of their own).

The model is rebuilt here from the config with its weights; a compiled model is
compiled again (loss, metrics, the optimizer's class and hyperparameters) but its
optimizer state is not restored. tfgraph writes no .keras files (tf_keras cannot
either, in graph mode)."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile

import numpy as np

from tfgraph.keras import backend

__all__ = ["is_keras_zip", "load_model_from_keras_zip"]

_LOG = logging.getLogger("tfgraph")


def is_keras_zip(path: str) -> bool:
    return path.endswith(".keras") and zipfile.is_zipfile(path)


def _legacy(value):
    """The new-format config as Keras 2's legacy one: {"class_name", "config"} objects
    (plus a layer entry's name and inbound nodes), without module, registered name and
    build/compile configs."""
    if isinstance(value, list):
        return [_legacy(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "class_name" in value and "config" in value and "module" in value:
        out = {"class_name": value["class_name"], "config": _legacy(value["config"])}
        for key in ("name", "inbound_nodes"):
            if key in value:
                out[key] = _legacy(value[key])
        return out
    return {key: _legacy(v) for key, v in value.items()}


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if not name.startswith("_") else "private" + name


def _values(group) -> list:
    if "vars" not in group:
        return []
    vars_ = group["vars"]
    return [np.asarray(vars_[k]) for k in sorted(vars_, key=int)]


def _layer_pairs(layer, group) -> list:
    """(variable, value) pairs of one layer: its own `vars`, else those of its one
    sub-object (an RNN's cell), else, for a nested model, its layers'."""
    from tfgraph.keras.engine.functional import Model

    if isinstance(layer, Model):
        return _model_pairs(layer, group)
    weights = list(layer.trainable_weights) + list(layer.non_trainable_weights)
    values = _values(group)
    if not values:
        children = [k for k in group if k != "vars" and _values(group[k])]
        if len(children) == 1:
            values = _values(group[children[0]])
        elif children:
            raise NotImplementedError(
                f"tfgraph cannot read the weights of layer {layer.name} from a .keras "
                f"file (they sit in several sub-objects: {children}): save the model as "
                "HDF5 (.h5) in Keras instead"
            )
    if len(values) != len(weights):
        raise ValueError(
            f"Layer '{layer.name}' expected {len(weights)} variables, but received "
            f"{len(values)} variables during loading."
        )
    for weight, value in zip(weights, values, strict=True):
        if tuple(weight.shape.as_list()) != value.shape:
            raise ValueError(
                f"Layer '{layer.name}': weight {weight.name} has shape "
                f"{tuple(weight.shape.as_list())}, the file's has shape {value.shape}"
            )
    return list(zip(weights, values, strict=True))


def _model_pairs(model, group) -> list:
    layers = group.get("layers", {})
    used: dict = {}
    pairs: list = []
    for layer in model.layers:
        name = _snake(type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        if name in layers:
            pairs += _layer_pairs(layer, layers[name])
        elif layer.weights:
            raise ValueError(f"No weights for layer '{layer.name}' ({name}) in the file.")
    return pairs


def _compile_args(config: dict) -> dict:
    from tfgraph.keras import optimizers
    from tfgraph.keras.saving import training_config

    opt = config.get("optimizer")
    args = training_config.compile_args(
        {
            "loss": config.get("loss"),
            "metrics": config.get("metrics"),
            "loss_weights": config.get("loss_weights"),
            "optimizer_config": {"class_name": "SGD", "config": {}},
        }
    )
    if isinstance(opt, str):
        args["optimizer"] = optimizers.get(opt)
    elif isinstance(opt, dict):
        cls = getattr(optimizers, str(opt.get("class_name")), None)
        if not (isinstance(cls, type) and issubclass(cls, optimizers.Optimizer)):
            raise ValueError(f"Unknown optimizer: '{opt.get('class_name')}' in the .keras file")
        keep = {"name", "learning_rate", *cls._config_keys}
        args["optimizer"] = cls.from_config(
            {k: v for k, v in opt.get("config", {}).items() if k in keep}
        )
    return args


def load_model_from_keras_zip(path: str, custom_objects=None, compile=True):
    """A model from a .keras file: its architecture and weights, compiled again from its
    compile config (without the optimizer's saved state)."""
    from tfgraph.keras.engine.functional import model_from_config
    from tfgraph.keras.saving import hdf5_format, object_registration

    h5py = hdf5_format.h5py_module("`load_model()` of a .keras file")
    with zipfile.ZipFile(path) as archive:
        if "config.json" not in archive.namelist():
            raise ValueError(f"{path} is no Keras model file: the archive has no config.json")
        config = json.loads(archive.read("config.json"))
        if "model.weights.h5" not in archive.namelist():
            raise NotImplementedError(
                f"tfgraph reads .keras files whose weights are model.weights.h5 ({path})"
            )
        weights = archive.read("model.weights.h5")
    with object_registration.custom_object_scope(custom_objects or {}):
        model = model_from_config(_legacy(config), custom_objects)
        with h5py.File(io.BytesIO(weights), "r") as f:
            backend.batch_set_value(_model_pairs(model, f))
        if compile and config.get("compile_config"):
            model.compile(**_compile_args(config["compile_config"]))
            _LOG.warning(
                "Loaded %s compiled from its compile config; tfgraph does not restore the "
                "optimizer state of .keras files (the optimizer starts afresh).",
                path,
            )
    return model
