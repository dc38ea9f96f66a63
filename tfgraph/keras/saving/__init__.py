"""`tf.keras.saving` (re-exports only)."""

from tfgraph.keras.saving.object_registration import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from tfgraph.keras.saving.saving_api import load_model, save_model
from tfgraph.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = [
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "register_keras_serializable",
    "save_model",
    "serialize_keras_object",
]
