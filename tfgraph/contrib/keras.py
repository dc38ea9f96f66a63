"""`tf.contrib.keras` (TF 1.15; re-exports only): `tf.keras`'s modules under their
contrib names, loaded on first use."""

import importlib as _importlib

# (the names are the submodules __getattr__ loads)
# ruff: noqa: F822

__all__ = [
    "activations",
    "applications",
    "backend",
    "callbacks",
    "constraints",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "preprocessing",
    "regularizers",
    "utils",
    "wrappers",
]


def __getattr__(name: str):
    if name in __all__:
        module = getattr(_importlib.import_module("tfgraph.keras"), name)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
