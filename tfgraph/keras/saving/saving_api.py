"""`save_model` / `load_model`: whole-model files. Keras 2 writes them as a TensorFlow
SavedModel with Keras metadata, as HDF5 (.h5) or as the .keras zip (whose weights are
HDF5); tfgraph writes none of these yet, and says what to use instead."""

from __future__ import annotations

import os

__all__ = ["load_model", "save_model"]

_INSTEAD = (
    "Save the architecture with model.to_json() (read back by "
    "tf.keras.models.model_from_json) and the weights with model.save_weights(prefix) "
    "(a TensorFlow checkpoint that TensorFlow's load_weights reads)."
)


def _format(filepath, save_format) -> str:
    path = os.fspath(filepath)
    if save_format:
        return str(save_format)
    if path.endswith((".h5", ".hdf5")):
        return "h5"
    if path.endswith(".keras"):
        return "keras"
    return "tf"


def save_model(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Not available in tfgraph.

    Raises:
        NotImplementedError: always, naming the format and what to use instead.
    """
    fmt = _format(filepath, save_format)
    raise NotImplementedError(
        f"tfgraph cannot write a whole Keras model in the {fmt!r} format "
        f"({os.fspath(filepath)}): {_INSTEAD}"
    )


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **kwargs):
    """Not available in tfgraph.

    Raises:
        NotImplementedError: always, naming the format and what to use instead.
    """
    fmt = _format(filepath, None)
    raise NotImplementedError(
        f"tfgraph cannot read a whole Keras model file in the {fmt!r} format "
        f"({os.fspath(filepath)}): {_INSTEAD}"
    )
