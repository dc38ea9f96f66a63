"""Writes tests/data/tf_v1_keras_names.json: the public names of every module under TF
2.21's `tf.compat.v1.keras` (with tf_keras), two levels down (`keras.optimizers` and
`keras.optimizers.schedules`). Run once with the TF oracle:

    TF_USE_LEGACY_KERAS=1 .venv-tf/bin/python tools/make_keras_names.py
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import tensorflow.compat.v1 as tf

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "tf_v1_keras_names.json"


def _public(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def main() -> None:
    tf.disable_v2_behavior()
    out: dict[str, list[str]] = {}
    for sub in _public(tf.keras):
        module = getattr(tf.keras, sub)
        if not isinstance(module, types.ModuleType):
            continue
        out[f"keras.{sub}"] = _public(module)
        for name in _public(module):
            inner = getattr(module, name)
            if isinstance(inner, types.ModuleType):
                out[f"keras.{sub}.{name}"] = _public(inner)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
