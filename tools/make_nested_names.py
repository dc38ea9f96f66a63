"""Writes tests/data/tf_v1_nested_names.json: the public names of the modules one level
below TF 2.21's `tf.compat.v1.<namespace>` (`tf.data.experimental`, `tf.nn.rnn_cell`),
and, under `tf.keras` (with tf_keras), two levels down (`keras.optimizers` and
`keras.optimizers.schedules`). Run once with the TF oracle:

    TF_USE_LEGACY_KERAS=1 .venv-tf/bin/python tools/make_nested_names.py
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import tensorflow.compat.v1 as tf

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "tf_v1_nested_names.json"


def _public(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def _modules_below(module, prefix: str) -> dict[str, list[str]]:
    out = {}
    for name in _public(module):
        inner = getattr(module, name, None)
        if isinstance(inner, types.ModuleType):
            out[f"{prefix}.{name}"] = _public(inner)
    return out


def _resolve(module, path: str):
    for part in path.split("."):
        module = getattr(module, part)
    return module


def main() -> None:
    tf.disable_v2_behavior()
    out: dict[str, list[str]] = {}
    for sub in _public(tf):
        module = getattr(tf, sub)
        if not isinstance(module, types.ModuleType) or sub == "compat":
            continue
        nested = _modules_below(module, sub)
        if sub == "keras":  # (keras.optimizers -> keras.optimizers.schedules)
            for path in list(nested):
                nested.update(_modules_below(_resolve(tf, path), path))
        out.update(nested)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
