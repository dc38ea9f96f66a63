"""`tf.keras.optimizers.legacy`: Keras 2's legacy optimizers (re-exports only). In TF1
graph mode `tf.keras.optimizers.Adam` is `tf.keras.optimizers.legacy.Adam`, and so it
is here, for every optimizer."""

from tfgraph.keras.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    Ftrl,
    Nadam,
    Optimizer,
    RMSprop,
)

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop"]
