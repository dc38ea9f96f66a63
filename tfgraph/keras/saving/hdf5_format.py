"""Keras 2's HDF5 files (`model.save("m.h5")`, `model.save_weights("w.h5")`), read and
written with h5py (imported only when a file is read or written: `pip install
'tfgraph[h5]'`).

A whole-model file holds, at its root, the attributes `keras_version`, `backend`,
`model_config` (the model's JSON) and, for a compiled model, `training_config` (loss,
metrics, optimizer config); the group `model_weights` (below); and `optimizer_weights`
(the optimizer's `iterations` then its slots, by slot kind, with a `weight_names`
attribute). A weights file is the `model_weights` group alone, at the root: an attribute
`layer_names` (every layer, in the model's order), one group per layer whose attribute
`weight_names` lists its weights (trainable first) stored as datasets at those names
(`dense/kernel:0`), and the group `top_level_model_weights`.

Loading matches layers by position (those with weights, in order) or, with `by_name`,
by layer name. Nothing in a file runs as code: a Lambda layer holding Python bytecode
takes its function from `custom_objects` under the layer's name."""

from __future__ import annotations

import json
import logging
import os

import numpy as np

from tfgraph.keras import backend

__all__ = [
    "load_model_from_hdf5",
    "load_weights_from_hdf5",
    "save_model_to_hdf5",
    "save_weights_to_hdf5",
]

_LOG = logging.getLogger("tfgraph")
KERAS_VERSION = "2.21.0"
_HEADER_LIMIT = 64512  # bytes an HDF5 object header holds; longer attributes are chunked


def h5py_module(what: str):
    """h5py, or an ImportError saying how to install it."""
    try:
        import h5py  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise ImportError(
            f"{what} using h5 format requires h5py. Could not import h5py: install it "
            "with `pip install 'tfgraph-numpy[h5]'` (or `pip install h5py`)."
        ) from None
    return h5py


# -- attributes ------------------------------------------------------------------------
def _save_attribute(group, name: str, items: list) -> None:
    """A list of byte strings as the attribute `name`, split over `name0`, `name1`...
    when it would overflow the object header (as Keras does)."""
    data = np.asarray(items)
    chunks = 1
    parts = np.array_split(data, chunks)
    while any(p.nbytes > _HEADER_LIMIT for p in parts):
        chunks += 1
        parts = np.array_split(data, chunks)
    if chunks == 1:
        group.attrs[name] = data
        return
    for i, part in enumerate(parts):
        group.attrs[f"{name}{i}"] = part


def _text(value) -> str:
    return value.decode("utf8") if hasattr(value, "decode") else str(value)


def _load_attribute(group, name: str) -> list:
    if name in group.attrs:
        return [_text(n) for n in group.attrs[name]]
    out: list = []
    i = 0
    while f"{name}{i}" in group.attrs:
        out.extend(_text(n) for n in group.attrs[f"{name}{i}"])
        i += 1
    return out


# -- weights ---------------------------------------------------------------------------
def _layer_weights(layer) -> list:
    """A layer's weights in Keras's HDF5 order: trainable, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _top_level_weights(model) -> list:
    return list(getattr(model, "_trainable_weights", [])) + list(
        getattr(model, "_non_trainable_weights", [])
    )


def _save_subset(group, weights: list) -> None:
    names = [w.name.encode("utf8") for w in weights]
    _save_attribute(group, "weight_names", names)
    for name, value in zip(names, backend.batch_get_value(weights), strict=True):
        value = np.asarray(value)
        dataset = group.create_dataset(name.decode("utf8"), value.shape, dtype=value.dtype)
        if value.shape:
            dataset[:] = value
        else:
            dataset[()] = value


def _save_weights_group(group, model) -> None:
    layers = list(model.layers)
    _save_attribute(group, "layer_names", [la.name.encode("utf8") for la in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(layers, key=lambda la: la.name):
        _save_subset(group.create_group(layer.name), _layer_weights(layer))
    _save_subset(group.create_group("top_level_model_weights"), _top_level_weights(model))


def _load_subset(group) -> list:
    return [np.asarray(group[name]) for name in _load_attribute(group, "weight_names")]


def _shape(variable) -> tuple:
    return tuple(variable.shape.as_list())


def _load_weights_by_order(group, model) -> list:
    layers = [la for la in model.layers if _layer_weights(la)]
    names = [
        n
        for n in _load_attribute(group, "layer_names")
        if _load_attribute(group[n], "weight_names")
    ]
    if len(names) != len(layers):
        raise ValueError(
            "Layer count mismatch when loading weights from file. Model expected "
            f"{len(layers)} layers, found {len(names)} saved layers."
        )
    pairs: list = []
    for k, (name, layer) in enumerate(zip(names, layers, strict=True)):
        weights, values = _layer_weights(layer), _load_subset(group[name])
        if len(values) != len(weights):
            raise ValueError(
                f"Weight count mismatch for layer #{k} (named {layer.name} in the current "
                f"model, {name} in the save file). Layer expects {len(weights)} weight(s). "
                f"Received {len(values)} saved weight(s)"
            )
        pairs += _checked_pairs(weights, values, f"layer #{k} (named {layer.name})", False)
    return pairs + _top_level_pairs(group, model, False)


def _checked_pairs(weights, values, where: str, skip: bool) -> list:
    """(variable, value) pairs; a shape that differs raises, or with `skip` is logged
    and left out."""
    pairs = []
    for weight, value in zip(weights, values, strict=True):
        if _shape(weight) != value.shape:
            message = (
                f"Shape mismatch in {where} for weight {weight.name}. Weight expects shape "
                f"{_shape(weight)}. Received saved weight with shape {value.shape}"
            )
            if skip:
                _LOG.warning("Skipping loading weights: %s", message)
                continue
            raise ValueError(message)
        pairs.append((weight, value))
    return pairs


def _top_level_pairs(group, model, skip: bool) -> list:
    if "top_level_model_weights" not in group:
        return []
    weights, values = _top_level_weights(model), _load_subset(group["top_level_model_weights"])
    if len(values) != len(weights):
        message = (
            "Weight count mismatch for top-level weights of model. Model expects "
            f"{len(weights)} top-level weight(s). Received {len(values)} saved top-level "
            "weight(s)"
        )
        if skip:
            _LOG.warning("Skipping loading top-level weights: %s", message)
            return []
        raise ValueError(message)
    return _checked_pairs(weights, values, "model for top-level weights", skip)


def _load_weights_by_name(group, model, skip_mismatch: bool) -> list:
    by_name: dict = {}
    for layer in model.layers:
        by_name.setdefault(layer.name, []).append(layer)
    pairs: list = []
    for k, name in enumerate(_load_attribute(group, "layer_names")):
        values = _load_subset(group[name])
        for layer in by_name.get(name, []):
            weights = _layer_weights(layer)
            if len(values) != len(weights):
                message = (
                    f"Weight count mismatch for layer #{k} (named {layer.name}). Layer "
                    f"expects {len(weights)} weight(s). Received {len(values)} saved "
                    "weight(s)"
                )
                if skip_mismatch:
                    _LOG.warning("Skipping loading weights: %s", message)
                    continue
                raise ValueError(message)
            where = f"layer #{k} (named {layer.name})"
            pairs += _checked_pairs(weights, values, where, skip_mismatch)
    return pairs + _top_level_pairs(group, model, skip_mismatch)


def _weights_group(f):
    """The group holding layer weights: the root of a weights file, `model_weights` of
    a whole-model file."""
    if "layer_names" not in f.attrs and "model_weights" in f:
        return f["model_weights"]
    return f


def save_weights_to_hdf5(model, filepath, overwrite: bool = True) -> None:
    """`model.save_weights("w.h5")`: the weights file Keras 2 writes."""
    h5py = h5py_module("`save_weights`")
    if not is_open_file(filepath):
        filepath = os.fspath(filepath)
    if not overwrite and not is_open_file(filepath) and os.path.exists(filepath):
        return
    _write_atomically(filepath, h5py, lambda f: _save_weights_group(f, model))


def load_weights_from_hdf5(model, filepath, by_name=False, skip_mismatch=False) -> None:
    """`model.load_weights("w.h5")`: a weights file (or a whole-model file's weights),
    by layer order or, with `by_name`, by layer name (`skip_mismatch`: layers whose
    weights differ in count or shape are left as they are, with a warning)."""
    h5py = h5py_module("`load_weights`")
    if skip_mismatch and not by_name:
        raise ValueError(
            "When calling model.load_weights, skip_mismatch can only be set to True when "
            "by_name is True."
        )
    with _reading(h5py, filepath) as f:
        group = _weights_group(f)
        if by_name:
            pairs = _load_weights_by_name(group, model, skip_mismatch)
        else:
            pairs = _load_weights_by_order(group, model)
    backend.batch_set_value(pairs)


def is_open_file(filepath) -> bool:
    """True for an open h5py file or group (Keras also takes those)."""
    return hasattr(filepath, "attrs") and hasattr(filepath, "create_group")


def _name(filepath) -> str:
    return filepath.filename if is_open_file(filepath) else os.fspath(filepath)


def _reading(h5py, filepath):
    """The file at `filepath` opened for reading, or the open file given (left open)."""
    import contextlib

    if is_open_file(filepath):
        return contextlib.nullcontext(filepath)
    return h5py.File(os.fspath(filepath), "r")


def _write_atomically(filepath, h5py, fill) -> None:
    """Writes the HDF5 file through `fill(file)` at a temporary name, then renames it
    (into an open h5py file given instead of a path: directly)."""
    if is_open_file(filepath):
        fill(filepath)
        return
    directory = os.path.dirname(filepath)
    if directory:
        os.makedirs(directory, exist_ok=True)
    temp = f"{filepath}.tmp{os.getpid()}"
    try:
        with h5py.File(temp, "w") as f:
            fill(f)
        os.replace(temp, filepath)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


# -- optimizer state -------------------------------------------------------------------
def optimizer_weights(optimizer) -> list:
    """Keras 2's legacy optimizer weights, its `weights`: `iterations`, then each slot
    kind for every variable (all `m`, then all `v`...; Ftrl's per variable; Nadam's
    `momentum_cache` second)."""
    if not getattr(optimizer, "_built_vars", []):
        return []
    return list(optimizer.weights)


def _save_optimizer(f, optimizer) -> None:
    """The optimizer's weights, once it has trained (Keras 2 makes them at the first
    training step, so an optimizer that has not stepped saves none)."""
    weights = optimizer_weights(optimizer)
    if weights and int(backend.batch_get_value([optimizer.iterations])[0]) > 0:
        _save_subset(f.create_group("optimizer_weights"), weights)


def _load_optimizer(f, model) -> None:
    if "optimizer_weights" not in f:
        return
    if not getattr(model, "_graph_built", False) and hasattr(model, "_build_training_graph"):
        model._build_training_graph()
    weights = optimizer_weights(model.optimizer)
    values = _load_subset(f["optimizer_weights"])
    if len(weights) != len(values) or any(
        _shape(w) != v.shape for w, v in zip(weights, values, strict=False)
    ):
        _LOG.warning(
            "Error in loading the saved optimizer state. As a result, your model is "
            "starting with a freshly initialized optimizer."
        )
        return
    backend.batch_set_value(list(zip(weights, values, strict=True)))


# -- whole models ----------------------------------------------------------------------
def save_model_to_hdf5(model, filepath, overwrite=True, include_optimizer=True) -> None:
    """`model.save("m.h5")`: the architecture, weights, training config and optimizer
    state, as Keras 2 writes them."""
    from tfgraph.keras.saving import training_config

    h5py = h5py_module("`save_model()`")
    if not is_open_file(filepath):
        filepath = os.fspath(filepath)
    if not overwrite and not is_open_file(filepath) and os.path.exists(filepath):
        return
    model_config = json.loads(model.to_json())
    model_config = {"class_name": model_config["class_name"], "config": model_config["config"]}
    train = training_config.training_config(model) if include_optimizer else None

    def fill(f) -> None:
        f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if train is not None:
            f.attrs["training_config"] = json.dumps(train).encode("utf8")
        _save_weights_group(f.create_group("model_weights"), model)
        if train is not None:
            _save_optimizer(f, model.optimizer)

    _write_atomically(filepath, h5py, fill)


def load_model_from_hdf5(filepath, custom_objects=None, compile=True):
    """A model from a whole-model HDF5 file: rebuilt from its config, its weights set
    and, if it was compiled (and `compile`), compiled again with its optimizer state."""
    from tfgraph.keras.engine.functional import model_from_config
    from tfgraph.keras.saving import object_registration, training_config

    h5py = h5py_module("`load_model()`")
    with _reading(h5py, filepath) as f:
        config = f.attrs.get("model_config")
        if config is None:
            raise ValueError(f"No model config found in the file at {_name(filepath)}.")
        with object_registration.custom_object_scope(custom_objects or {}):
            model = model_from_config(json.loads(_text(config)), custom_objects)
            load_weights_from_hdf5_group(f["model_weights"], model)
            if not compile:
                return model
            train = f.attrs.get("training_config")
            if train is None:
                _LOG.warning(
                    "No training configuration found in the save file, so the model was "
                    "*not* compiled. Compile it manually."
                )
                return model
            model.compile(**training_config.compile_args(json.loads(_text(train))))
            _load_optimizer(f, model)
    return model


def load_weights_from_hdf5_group(group, model) -> None:
    """Sets `model`'s weights from an open `model_weights` group, by layer order."""
    backend.batch_set_value(_load_weights_by_order(group, model))
