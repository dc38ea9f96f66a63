"""`tf.compat.v1.keras.utils.track_tf1_style_variables` and `get_or_create_layer`:
TF1 `get_variable` code inside a Keras layer's method, each layer with its own store of
the variables (and nested layers) it made, as Keras 2 does in graph mode."""

from __future__ import annotations

import contextlib
import functools

__all__ = ["get_or_create_layer", "track_tf1_style_variables"]


def _store_class():
    from tfgraph.variable_scope import AUTO_REUSE, VariableStore

    class _LayerVariableStore(VariableStore):
        """A layer's own variables: `get_variable` reuses them call after call (unless
        the scope says reuse=True: then they must exist), and keeps their regularizers
        for the layer's losses instead of the REGULARIZATION_LOSSES collection."""

        def __init__(self) -> None:
            super().__init__()
            self._regularizers: dict = {}
            self._layers: dict = {}

        def get_variable(self, name, *args, **kwargs):
            regularizer = kwargs.pop("regularizer", None)
            if kwargs.get("reuse") is not True:
                kwargs["reuse"] = AUTO_REUSE
            new = name not in self._vars
            variable = super().get_variable(name, *args, regularizer=None, **kwargs)
            if new and regularizer is not None:
                self._regularizers[name] = functools.partial(regularizer, variable)
            return variable

    return _LayerVariableStore


@contextlib.contextmanager
def _installed(store):
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.variable_scope import _store_of

    graph = get_default_graph()
    previous = _store_of(graph)
    store.scopes = previous.scopes
    graph._variable_store = store
    try:
        yield
    finally:
        graph._variable_store = previous


def track_tf1_style_variables(method):
    """Decorates a method of a Layer, Model or Module so that `tf.compat.v1.get_variable`
    calls inside it make the variables once (reusing them on later calls) and add their
    regularization losses to the layer's `losses`."""
    from tfgraph.keras.engine.base_layer import Layer
    from tfgraph.module import Module

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        store = getattr(self, "_tf1_style_var_store", None)
        if not store:
            if not isinstance(self, (Layer, Module)):
                raise ValueError(
                    "`@tf.compat.v1.keras.utils.track_tf1_layers_and_variables` must be "
                    "applied to a method of a subclassed `tf.Module`, `tf.keras.layers.Layer`, "
                    "or `tf.keras.Model` and which takes `self` as the first argument. But, "
                    f"the first argument passed to the decorated method was {self}, which "
                    "does not extend Module, Layer, or Model."
                )
            store = _store_class()()
            self._tf1_style_var_store = store
        known = set(store._regularizers)
        with _installed(store):
            out = method(self, *args, **kwargs)
        if isinstance(self, Layer):
            for name, regularizer in store._regularizers.items():
                if name not in known:
                    self.add_loss(regularizer)
        return out

    return wrapper


def get_or_create_layer(name, create_layer_method):
    """Inside a `track_tf1_style_variables` method: the layer made by
    `create_layer_method()` under `name` (in the current variable scope), made on the
    first call and returned again on later ones (the sum of its losses joins the
    tracking layer's losses). Elsewhere: `create_layer_method()`."""
    from tfgraph.variable_scope import _get_default_variable_store, get_variable_scope

    store = _get_default_variable_store()
    if not hasattr(store, "_layers"):
        return create_layer_method()
    key = f"{get_variable_scope().name}/{name}"
    if key not in store._layers:
        from tfgraph.ops import math_ops

        layer = store._layers[key] = create_layer_method()
        # (its losses reach the tracking layer as one more "regularizer", as Keras)
        store._regularizers[key] = lambda: math_ops.reduce_sum(layer.losses)
    return store._layers[key]
