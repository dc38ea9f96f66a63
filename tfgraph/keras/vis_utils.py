"""`tf.keras.utils.model_to_dot` and `plot_model`: a Keras model as a Graphviz graph of
its layers, through pydot (pydot_ng, pydotplus or pydot, imported on first use) and
Graphviz's `dot` program, as Keras 2."""

from __future__ import annotations

import os
import sys

__all__ = ["model_to_dot", "plot_model"]

_NOT_BUILT = (
    "This model has not yet been built. Build the model first by calling `build()` or by "
    "calling the model on a batch of data."
)


def _pydot():
    for name in ("pydot_ng", "pydotplus", "pydot"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def _has_graphviz(pydot) -> bool:
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
    except (OSError, FileNotFoundError):
        return False
    except pydot.InvocationException:
        return False
    return True


def _format_shape(shape) -> str:
    return str(shape).replace("{", r"\{").replace("}", r"\}")


def _shape_label(layer, label: str) -> str:
    try:
        outputs = _format_shape(layer.output_shape)
    except (AttributeError, RuntimeError):
        outputs = "?"
    try:
        inputs = _format_shape(layer.input_shape)
    except (AttributeError, RuntimeError):
        inputs = "?"
    return "{%s}|{input:|output:}|{{%s}|{%s}}" % (label, inputs, outputs)  # noqa: UP031


def _label(layer, show_shapes, show_dtype, show_layer_names, activations, trainable) -> str:
    from tfgraph.keras.engine.base_layer import Layer

    name, label = layer.name, type(layer).__name__
    if isinstance(getattr(layer, "layer", None), Layer):  # (a wrapper: Bidirectional, ...)
        name = f"{name}({layer.layer.name})"
        label = f"{label}({type(layer.layer).__name__})"
    activation = getattr(layer, "activation", None) if activations else None
    if activation is not None:
        text = getattr(activation, "name", None) or getattr(activation, "__name__", None)
        label = "{%s|%s}" % (label, text or str(activation))  # noqa: UP031
    if show_layer_names:
        label = f"{name}|{label}"
    if show_dtype:
        label = f"{label}|{'?' if layer.dtype is None else str(layer.dtype)}"
    if show_shapes:
        label = _shape_label(layer, label)
    if trainable:
        label = f"{'T' if layer.trainable else 'NT'}|{label}"
    return label


def _layer_range(model, layer_range):
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be of shape (2,). Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    import re

    names = [layer.name for layer in model.layers]
    first = [i for i, n in enumerate(names) if re.match(layer_range[0], n)]
    last = [i for i, n in enumerate(names) if re.match(layer_range[1], n)]
    if not first or not last:
        raise ValueError(f"Passed layer_names do not match the layer names in the model: {names}")
    return first[0], last[-1] + 1


def _graph(pydot, model, rankdir, dpi, subgraph):
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
        return dot
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    return dot


def model_to_dot(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=96,
    subgraph=False,
    layer_range=None,
    show_layer_activations=False,
    show_trainable=False,
):
    """A pydot graph of `model`: a record node per layer ("name|Class", with shapes,
    dtype, activation and trainability on request) and an edge per connection.

    Raises:
        ValueError: the model is not built, or a bad `layer_range`.
        ImportError: pydot is not installed.
        NotImplementedError: `expand_nested=True` (nested models are drawn as one node).
    """
    from tfgraph.keras.engine import keras_tensor
    from tfgraph.keras.engine.functional import Model
    from tfgraph.keras.engine.input_layer import InputLayer

    if not model.built:
        raise ValueError(_NOT_BUILT)
    pydot = _pydot()
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work.")
    if expand_nested:
        raise NotImplementedError(
            "tfgraph's model_to_dot draws nested models as single nodes: use expand_nested=False"
        )
    dot = _graph(pydot, model, rankdir, dpi, subgraph)
    bounds = _layer_range(model, layer_range) if layer_range is not None else None
    if not model._is_graph_network:
        dot.add_node(pydot.Node(str(id(model)), label=model.name))
        return dot
    layers = Model.layers.fget(model)
    flags = (show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    for i, layer in enumerate(layers):
        if bounds and not bounds[0] <= i < bounds[1]:
            continue
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, *flags)))
    for i, layer in enumerate(layers):
        if bounds and not bounds[0] < i < bounds[1]:
            continue
        for owner, _, node in model._network_nodes:
            if owner is not layer or isinstance(layer, InputLayer):
                continue
            for x in _flat(node.inputs):
                src, dst = str(id(keras_tensor.history(x)[0])), str(id(layer))
                if not dot.get_edge(src, dst):
                    dot.add_edge(pydot.Edge(src, dst))
    return dot


def _flat(x) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flat(item)]
    return [x]


def plot_model(
    model,
    to_file="model.png",
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=96,
    layer_range=None,
    show_layer_activations=False,
    show_trainable=False,
):
    """Draws `model_to_dot(model, ...)` into `to_file` (format from its extension, png by
    default) with Graphviz; returns an IPython Image when IPython is installed.

    Raises:
        ImportError: pydot or Graphviz is missing (in IPython only a message is printed).
    """
    from tfgraph.keras.progbar import print_msg

    if not model.built:
        raise ValueError(_NOT_BUILT)
    if not _has_graphviz(_pydot()):
        message = (
            "You must install pydot (`pip install pydot`) and install graphviz (see "
            "instructions at https://graphviz.gitlab.io/download/) for plot_model to work."
        )
        if "IPython.core.magics.namespace" in sys.modules:
            print_msg(message)
            return None
        raise ImportError(message)
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        layer_range=layer_range,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display  # type: ignore[import-not-found]

            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
