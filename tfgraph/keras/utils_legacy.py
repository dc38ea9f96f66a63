"""`tf.keras.utils.legacy` (re-exports only): Keras 2's `{"class_name", "config"}`
serialization, the format TF1 graph-mode Keras uses everywhere."""

from tfgraph.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["deserialize_keras_object", "serialize_keras_object"]
