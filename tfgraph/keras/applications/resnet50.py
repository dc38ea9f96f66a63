"""`tf.keras.applications.resnet50` (re-exports only)."""

from tfgraph.keras.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
