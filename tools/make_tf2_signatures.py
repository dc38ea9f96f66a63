"""Writes tests/data/tf2_signatures.json for tests/compat/test_v2_api.py: the public
names of TF 2.21 (`import tensorflow as tf`, TF2 behaviour, tf.keras = Keras 2) two
levels down (`tf.X` and `tf.ns.X`; `compat`, `keras` and `experimental` are not walked
into), whether each is also in `tf.compat.v1` at the same place, and the Python signature
of every function. Run once with the TF oracle:

    TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 .venv-tf/bin/python tools/make_tf2_signatures.py

Each parameter is written as [name, kind, default], as in tools/make_tf_signatures.py.
"""

from __future__ import annotations

import inspect
import json
import types
from pathlib import Path

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf1

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "tf2_signatures.json"
_PLAIN = (bool, int, float, str)
_NOT_WALKED = ("compat", "keras", "experimental")


def encode_default(v):
    if v is inspect.Parameter.empty:
        return ["empty"]
    if isinstance(v, float) and not np.isfinite(v):
        return ["float", repr(v)]
    if v is None or isinstance(v, _PLAIN):
        return ["value", v]
    if isinstance(v, (tuple, list)) and all(x is None or isinstance(x, _PLAIN) for x in v):
        return ["value", list(v)]
    if isinstance(v, tf2.DType):
        return ["dtype", v.name]
    return ["other", type(v).__name__]


def _public(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def _kind(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    return "function" if callable(obj) else "value"


def _signature(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [[p.name, p.kind.name, encode_default(p.default)] for p in sig.parameters.values()]


def _walk(m2, m1, prefix: str, depth: int, names: dict, sigs: dict) -> None:
    for n in _public(m2):
        obj = getattr(m2, n, None)
        old = getattr(m1, n, None) if m1 is not None else None
        kind = _kind(obj)
        names[prefix + n] = [kind, old is not None]
        if kind == "module":
            if depth < 1 and n not in _NOT_WALKED:
                sub1 = old if isinstance(old, types.ModuleType) else None
                _walk(obj, sub1, prefix + n + ".", depth + 1, names, sigs)
        elif kind == "function":
            sig = _signature(obj)
            if sig is not None:
                sigs[prefix + n] = sig


def main() -> None:
    names: dict = {}
    sigs: dict = {}
    _walk(tf2, tf1, "", 0, names, sigs)
    lines = ['"names": {']
    lines.append(",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in names.items()))
    lines.append('},\n"signatures": {')
    lines.append(",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sigs.items()))
    OUT.write_text("{\n" + "\n".join(lines) + "\n}\n}\n")
    print(
        f"{len(names)} names ({sum(not v[1] for v in names.values())} TF2-only), "
        f"{len(sigs)} signatures"
    )


if __name__ == "__main__":
    main()
