"""`tf.keras`: Keras 2 as TF1 graph-mode programs use it (re-exports only)."""

from tfgraph.keras import (
    activations,
    backend,
    callbacks,
    constraints,
    experimental,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    optimizers,
    preprocessing,
    regularizers,
    saving,
    utils,
)
from tfgraph.keras.engine.functional import Model, Sequential
from tfgraph.keras.engine.input_layer import Input

# Submodules imported on first access (tf.keras.applications alone took 37 ms of the 280
# ms `import tfgraph` took; datasets and export load urllib and the SavedModel writer).
_LAZY = frozenset({"applications", "datasets", "estimator", "export"})


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"tfgraph.keras.{name}")
    raise AttributeError(f"module 'tfgraph.keras' has no attribute {name!r}", name=name)


__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "constraints",
    "datasets",
    "estimator",
    "experimental",
    "export",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "optimizers",
    "preprocessing",
    "regularizers",
    "saving",
    "utils",
]
