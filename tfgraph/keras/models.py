"""`tf.keras.models` (re-exports only)."""

from tfgraph.keras.engine.functional import (
    Model,
    Sequential,
    clone_model,
    model_from_config,
    model_from_json,
)

__all__ = ["Model", "Sequential", "clone_model", "model_from_config", "model_from_json"]
