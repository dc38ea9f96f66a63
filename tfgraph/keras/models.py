"""`tf.keras.models` (re-exports only)."""

from tfgraph.keras.engine.functional import (
    Model,
    Sequential,
    clone_model,
    model_from_config,
    model_from_json,
)
from tfgraph.keras.saving.saving_api import load_model, save_model

__all__ = [
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_config",
    "model_from_json",
    "save_model",
]
