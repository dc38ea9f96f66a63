"""`tf.layers.experimental.{keras_style_scope, set_keras_style}`: TF1 layers made in Keras
style manage their variables as Keras layers do (named by the layer's name scope, never
shared through variable scopes, `scope=`/`reuse=` refused)."""

from __future__ import annotations

import contextlib

_state = {"on": False}


def keras_style_enabled() -> bool:
    return _state["on"]


@contextlib.contextmanager
def keras_style_scope():
    """Layers (and RNN cells) created in this block use Keras-style variable management.

    Yields:
        None.
    """
    previous = _state["on"]
    _state["on"] = True
    try:
        yield
    finally:
        _state["on"] = previous


def set_keras_style() -> None:
    """Makes every layer created from now on use Keras-style variable management."""
    _state["on"] = True
