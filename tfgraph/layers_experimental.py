"""`tf.layers.experimental` (re-exports only)."""

from tfgraph.legacy_layers.keras_style import keras_style_scope, set_keras_style

__all__ = ["keras_style_scope", "set_keras_style"]
