"""Records the Python signature of every public function of TF 2.21's `tf.compat.v1`
(top-level names, one-level submodule names and the dispatchable APIs), and which names
are the same function object, for tests/test_api_signatures.py: run with a Python that
has tensorflow-cpu.

    TF_CPP_MIN_LOG_LEVEL=3 .venv-tf/bin/python tools/make_tf_signatures.py

Each parameter is written as [name, kind, default]; a default is ["empty"], ["value", v]
for plain Python values, ["dtype", name], ["float", repr] for non-finite floats or
["other", type name] for any other object.
"""

import inspect
import json
import sys
import types
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT))
from tfgraph.framework.dispatch_apis import DISPATCHABLE  # noqa: E402  (a data module)

_PLAIN = (bool, int, float, str)


def encode_default(v):
    if v is inspect.Parameter.empty:
        return ["empty"]
    if isinstance(v, float) and not np.isfinite(v):
        return ["float", repr(v)]
    if v is None or isinstance(v, _PLAIN):
        return ["value", v]
    if isinstance(v, (tuple, list)) and all(x is None or isinstance(x, _PLAIN) for x in v):
        return ["value", list(v)]
    if isinstance(v, tf.DType):
        return ["dtype", v.name]
    return ["other", type(v).__name__]


def _names():
    top = json.loads((DATA / "tf_v1_names.json").read_text())
    subs = json.loads((DATA / "tf_v1_submodule_names.json").read_text())
    return sorted({*top, *(f"{s}.{n}" for s, names in subs.items() for n in names), *DISPATCHABLE})


def main():
    out = {}
    same: dict[int, list] = {}
    for name in _names():
        obj = tf
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        if isinstance(obj, (type, types.ModuleType)) or not callable(obj):
            continue
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            continue
        out[name] = [
            [p.name, p.kind.name, encode_default(p.default)] for p in sig.parameters.values()
        ]
        same.setdefault(id(obj), []).append(name)
    lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(out.items())]
    (DATA / "tf_v1_signatures.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    groups = sorted(sorted(g) for g in same.values() if len(g) > 1)
    (DATA / "tf_v1_same_functions.json").write_text(
        "[\n" + ",\n".join(json.dumps(g) for g in groups) + "\n]\n"
    )
    print(f"{len(out)} signatures, {len(groups)} groups of names for one function")


if __name__ == "__main__":
    main()
