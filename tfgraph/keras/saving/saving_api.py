"""`save_model` / `load_model`: whole-model files. Keras 2 writes them as HDF5 (.h5,
`save_format="h5"`, and in TF1 graph mode any path without .keras), as a TensorFlow
SavedModel with Keras metadata (its default eagerly) or as the .keras zip (eagerly
only); tfgraph reads and writes the HDF5 files and reads .keras files (with h5py), and
says what to use instead of a SavedModel."""

from __future__ import annotations

import os

__all__ = ["load_model", "save_model"]

_INSTEAD = (
    "Save the model as HDF5 instead (a path ending in .h5, or save_format='h5'; needs "
    "h5py), which Keras 2 reads with tf.keras.models.load_model, or save the "
    "architecture with model.to_json() and the weights with model.save_weights(prefix)."
)


def _format(filepath, save_format) -> str:
    """The format to write: `save_format`, else by extension, else Keras 2's default:
    HDF5 in TF1 graph mode (as tf_keras with v2 behaviour disabled), SavedModel
    eagerly."""
    from tfgraph.eager import context

    path = os.fspath(filepath)
    if save_format:
        fmt = str(save_format).lower()
        return "h5" if fmt in ("h5", "hdf5", "keras_h5") else fmt
    if path.endswith((".h5", ".hdf5")):
        return "h5"
    if path.endswith(".keras"):
        return "keras"
    return "tf" if context.executing_eagerly() else "h5"


def save_model(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Saves `model` (architecture, weights, and for a compiled model its training
    config and optimizer state) as Keras 2's HDF5 file.

    Args:
        model: a functional or Sequential model.
        filepath: where to write: HDF5 for a path ending in .h5/.hdf5, for
            `save_format="h5"`, and (as Keras 2 in TF1 graph mode) for any other path
            but one ending in .keras.
        overwrite: replace an existing file (if False an existing file is kept).
        save_format: "h5" (or None); "tf" (SavedModel) is not available.
        **kwargs: `include_optimizer` (default True): also save the training config
            and optimizer state.

    Raises:
        NotImplementedError: for the SavedModel and .keras formats, and for
            subclassed models.
        ImportError: h5py is not installed.
    """
    from tfgraph.keras.saving import hdf5_format

    fmt = "h5" if hdf5_format.is_open_file(filepath) else _format(filepath, save_format)
    if fmt != "h5":
        raise NotImplementedError(
            f"tfgraph cannot write a whole Keras model in the {fmt!r} format "
            f"({os.fspath(filepath)}): {_INSTEAD}"
        )
    if not getattr(model, "_is_graph_network", False):
        raise NotImplementedError(
            "Saving the model to HDF5 format requires the model to be a Functional model "
            "or a Sequential model. It does not work for subclassed models, because such "
            "models are defined via the body of a Python method, which isn't safely "
            "serializable. Use `save_weights` instead."
        )
    include_optimizer = kwargs.pop("include_optimizer", True)
    hdf5_format.save_model_to_hdf5(model, filepath, overwrite, include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **kwargs):
    """Loads a model saved as Keras 2's HDF5 file (here or by Keras 2), or as a .keras
    file (by Keras eagerly; its optimizer state is not restored).

    Args:
        filepath: the .h5 (or .keras) file, or an open h5py.File.
        custom_objects: names of custom layers, losses... used in the model.
        compile: compile the model again from its training config (with the optimizer
            state) when it has one.
        safe_mode: accepted for Keras's signature; tfgraph never runs code read from a
            file, so a Lambda layer saved as bytecode takes its function from
            `custom_objects` under the layer's name, whatever this says.

    Raises:
        OSError: nothing at `filepath`.
        NotImplementedError: for SavedModel directories.
        ValueError: no model config in the file, or a Lambda layer saved as bytecode
            whose function is not in `custom_objects`.
    """
    from tfgraph.keras.saving import hdf5_format, keras_zip

    if hdf5_format.is_open_file(filepath):  # (an open h5py.File)
        return hdf5_format.load_model_from_hdf5(filepath, custom_objects, compile)
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise OSError(f"No file or directory found at {path}")
    if keras_zip.is_keras_zip(path):
        return keras_zip.load_model_from_keras_zip(path, custom_objects, compile)
    if os.path.isdir(path) or not _is_hdf5(path):
        fmt = "keras" if path.endswith(".keras") else "tf"
        raise NotImplementedError(
            f"tfgraph cannot read a whole Keras model file in the {fmt!r} format "
            f"({path}): {_INSTEAD}"
        )
    return hdf5_format.load_model_from_hdf5(path, custom_objects, compile)


def _is_hdf5(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(8) == b"\x89HDF\r\n\x1a\n"
    except OSError:
        return False
