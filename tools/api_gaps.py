"""Rewrites the "Submodule names" section of docs/api_exclusions.md: per namespace of
TF 2.21's `tf.compat.v1` (tests/data/tf_v1_submodule_names.json, and the modules below
them in tests/data/tf_v1_nested_names.json: tf.data.experimental, tf.keras.optimizers
and tf.keras.optimizers.schedules), the names tfgraph
does not provide yet, grouped by reason. Namespaces tfgraph lacks altogether are
excluded at top level and skipped here. tests/test_api_names.py checks the result.

    .venv/bin/python tools/api_gaps.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api_exclusions.md"
HEADER = "## Submodule names"

# Reasons that are not "pending": name -> reason.
SPECIAL = {
    "compat.v2": "deliberately absent (importing tfgraph.compat.v2 turns on TF2 behaviour; "
    "a TF1 program reaching it as an attribute would switch modes silently)",
    "quantization.experimental": "not meaningful without TF's C++ runtime (`quantize_saved_model` "
    "and its QuantizationOptions protos drive TF's MLIR quantization passes, compiled C++)",
    "keras.callbacks.experimental": "deliberately absent (its one name, "
    "UpdateEmbeddingCallback, updates a keras.layers.experimental.DynamicEmbedding from a "
    "timer thread through tf.CriticalSection and a distribution strategy; in TF1 graph mode "
    "tf_keras cannot build that layer: a list, array or tensor vocabulary raises)",
    "keras.utils.StepsPerExecutionTuner": "deliberately absent (it tunes the "
    "`steps_per_execution` of TF2's `Model.compile`; in TF1 graph mode `compile` rejects "
    "that argument and the tuner's `start()` fails: numpy() needs eager execution)",
    "keras.layers.CuDNNGRU": "not meaningful without TF's C++ runtime (a CudnnRNNV3 op with "
    "GPU kernels only: on CPU TF builds the layer, then every run fails with "
    "InvalidArgumentError 'No OpKernel was registered to support Op 'CudnnRNNV3''; use GRU)",
    "keras.layers.CuDNNLSTM": "not meaningful without TF's C++ runtime (a CudnnRNNV3 op with "
    "GPU kernels only: on CPU TF builds the layer, then every run fails with "
    "InvalidArgumentError 'No OpKernel was registered to support Op 'CudnnRNNV3''; use LSTM)",
    "keras.layers.experimental.DynamicEmbedding": "deliberately absent (eager-only in "
    "tf_keras: in a TF1 graph its constructor raises TypeError 'Dimension value must be "
    "integer' (a variable shaped by a tensor) and its build calls `.numpy()`)",
    "keras.layers.experimental.DynamicLookup": "deliberately absent (eager-only in tf_keras: "
    "in a TF1 graph its constructor raises TypeError 'Dimension value must be integer' (a "
    "variable shaped by a tensor) and its build calls `.numpy()`)",
    "data.experimental.service": "not meaningful without TF's C++ runtime (the tf.data "
    "service: its dispatcher and workers are TF's C++ gRPC servers)",
    "data.experimental.distributed_save": "not meaningful without TF's C++ runtime (the save "
    "is run by a tf.data service dispatcher, one of TF's C++ gRPC servers)",
    "data.experimental.get_model_proto": "not meaningful without TF's C++ runtime (the "
    "autotuning model of a running C++ tf.data iterator; TF1 iterators raise ValueError)",
    "version.COMPILER_VERSION": "not meaningful without TF's C++ runtime (the compiler TF's "
    "C++ library was built with)",
}
_TPU = "not meaningful without TF's C++ runtime (TPU runtime)"
SPECIAL["distribute.experimental.TPUStrategy"] = _TPU
SPECIAL["distribute.cluster_resolver.TPUClusterResolver"] = _TPU
PIPELINE = {"io", "data", "queue", "python_io"}


def _reason(sub: str, name: str) -> str:
    key = f"{sub}.{name}"
    if key in SPECIAL:
        return SPECIAL[key]
    if sub.split(".")[0] in PIPELINE:
        return "pending: issue 13 (input pipelines)"
    return "pending: issue 14 (the rest of the TF1 API)"


def tf_names() -> dict[str, list[str]]:
    """TF's namespaces (dotted paths under tf) and their public names."""
    data = ROOT / "tests" / "data"
    names = json.loads((data / "tf_v1_submodule_names.json").read_text())
    names.update(json.loads((data / "tf_v1_nested_names.json").read_text()))
    return names


def resolve(root, path: str):
    """`root.a.b` for path "a.b"; AttributeError when a step is missing."""
    for part in path.split("."):
        root = getattr(root, part)
    return root


def missing_by_reason() -> dict[tuple[str, str], list[str]]:
    sys.path.insert(0, str(ROOT))
    import tfgraph

    groups: dict[tuple[str, str], list[str]] = {}
    for sub, subnames in sorted(tf_names().items()):
        try:
            module = resolve(tfgraph, sub)
        except AttributeError:  # listed as a missing name of its parent (or at top level)
            continue
        for name in subnames:
            try:
                getattr(module, name)
            except AttributeError:
                groups.setdefault((sub, _reason(sub, name)), []).append(name)
    return groups


def section() -> str:
    lines = [
        HEADER,
        "",
        "Per namespace, the names of TF's namespace that tfgraph does not provide yet (tf.X",
        "for the namespaces tfgraph lacks altogether is excluded above). Generated by",
        "`tools/api_gaps.py`; `tests/test_api_names.py` checks it against tfgraph.",
        "",
    ]
    for (sub, reason), names in sorted(missing_by_reason().items()):
        listed = ", ".join(f"`{n}`" for n in sorted(names))
        lines.append(f"- `{sub}` — {reason} — {listed}")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = DOC.read_text()
    head = text.split(HEADER, 1)[0].rstrip("\n")
    DOC.write_text(head + "\n\n" + section())


if __name__ == "__main__":
    main()
