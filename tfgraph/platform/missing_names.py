"""Errors for the TF names tfgraph's namespaces lack: `tf.keras.layers.CuDNNGRU` raises
AttributeError("tfgraph does not implement tf.keras.layers.CuDNNGRU ..."), as `tf.X` does at
top level, instead of Python's "module 'tfgraph.keras.layers' has no attribute" with a
"Did you mean" guess among tfgraph's names (a TF1 program's name is not a typo).

`install(top)` gives every public namespace module reachable from `top` (three levels:
tf.keras.optimizers.schedules) a module `__getattr__` that raises that error; a module's
own `__getattr__` (lazy names) is kept and asked first.
"""

from __future__ import annotations

import types

__all__ = ["install", "install_under"]

# TF 2.21's tf.compat.v1 namespaces (tests/test_api_names.py checks this list): the walk
# starts from these, not from every subpackage of tfgraph (tfgraph.ops, ...).
_WORDS = (
    "app audio autograph bitwise compat config contrib data debugging distribute "
    "distributions dtypes errors experimental feature_column flags gfile graph_util image "
    "initializers io keras layers linalg logging lookup losses manip math metrics "
    "mixed_precision nest nn profiler python_io quantization queue ragged random "
    "resource_loader saved_model sets signal sparse spectral strings summary sysconfig "
    "test tpu train types user_ops version"
)
TF_NAMESPACES = frozenset(_WORDS.split())


def _missing(path: str, module_name: str, own=None):
    def __getattr__(name):
        if own is not None:
            try:
                return own(name)
            except AttributeError:
                pass
        if name.startswith("__"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        # obj=None: no "Did you mean" guess appended from this module's names
        raise AttributeError(
            f"tfgraph does not implement {path}.{name} yet "
            f"(module {module_name!r} has no attribute {name!r})",
            name=name,
            obj=None,
        )

    __getattr__._tfgraph_missing = True  # type: ignore[attr-defined]
    return __getattr__


def _submodules(module, exported_only: bool):
    names = getattr(module, "__all__", None) if exported_only else None
    for key, value in list(vars(module).items()):
        if (
            isinstance(value, types.ModuleType)
            and not key.startswith("_")
            and value.__name__.startswith("tfgraph")
            and (names is None or key in names)
        ):
            yield key, value


def _namespaces(roots: list, levels: int) -> dict:
    """{id(module): (module, "tf.a.b")} for the public namespace modules under `roots`
    ((module, path) pairs) and the roots. Paths through the names modules export
    (`__all__`) come first: tf.keras.optimizers.schedules, not the implementation
    file's tf.keras.optimizers_schedules."""
    seen = {id(m): (m, path) for m, path in roots}
    for exported_only in (True, False):
        frontier = list(roots)
        for _ in range(levels):
            nxt = []
            for module, path in frontier:
                for key, value in _submodules(module, exported_only):
                    if id(value) not in seen:
                        seen[id(value)] = (value, f"{path}.{key}")
                    nxt.append((value, f"{path}.{key}"))
            frontier = nxt
    return seen


def install(top) -> None:
    """Hooks the namespaces under `top` (tfgraph) loaded now, three levels down."""
    roots = [
        (value, f"tf.{key}")
        for key, value in vars(top).items()
        if key in TF_NAMESPACES and isinstance(value, types.ModuleType)
    ]
    _hook(_namespaces(roots, 2))


def install_under(module, path: str) -> None:
    """Hooks `module` (tf.contrib, loaded on first use) and its namespaces."""
    _hook(_namespaces([(module, path)], 2))


def _hook(found: dict) -> None:
    for module, path in found.values():
        own = vars(module).get("__getattr__")
        if getattr(own, "_tfgraph_missing", False):
            continue
        module.__getattr__ = _missing(path, module.__name__, own)
