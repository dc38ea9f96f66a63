"""`tf.keras.models` (re-exports, and `model_from_yaml`, which Keras 2 removed)."""

from tfgraph.keras.engine.functional import (
    Model,
    Sequential,
    clone_model,
    model_from_config,
    model_from_json,
)
from tfgraph.keras.premade_models.linear import LinearModel
from tfgraph.keras.premade_models.wide_deep import WideDeepModel
from tfgraph.keras.saving.saving_api import load_model, save_model

__all__ = [
    "LinearModel",
    "Model",
    "Sequential",
    "WideDeepModel",
    "clone_model",
    "load_model",
    "model_from_config",
    "model_from_json",
    "model_from_yaml",
    "save_model",
]


def model_from_yaml(yaml_string, custom_objects=None):
    """Removed from Keras 2, as in TF: always raises.

    Raises:
        RuntimeError: always; use `Model.to_json()` and `model_from_json()`.
    """
    raise RuntimeError(
        "Method `model_from_yaml()` has been removed due to security risk of arbitrary "
        "code execution. Please use `Model.to_json()` and `model_from_json()` instead."
    )
