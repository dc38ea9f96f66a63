"""The signatures walk: every public function of TF 2.21's `tf.compat.v1` that tfgraph
provides takes the same parameters as TF's (names, order, kinds and defaults), recorded in
tests/data/tf_v1_signatures.json by tools/make_tf_signatures.py. A TF1 script passing an
argument by name or position, and a dispatch target written to TF's signature, then work
unchanged. `ALLOWED` lists the remaining differences, each with its reason."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import tfgraph
from tfgraph.framework.dispatch_apis import DISPATCHABLE

ROOT = Path(__file__).resolve().parents[1]
SIGNATURES = json.loads((ROOT / "tests" / "data" / "tf_v1_signatures.json").read_text())

ALLOWED: dict[str, str] = {
    "saved_model.load": "also takes TF2's spelling load(export_dir, tags=None, options=None) "
    "(tfgraph has one tf.saved_model namespace for TF1 and TF2 programs); TF1's "
    "load(sess, tags, export_dir, import_scope=None, **saver_kwargs) calls work unchanged",
    "bincount": "also takes TF2's name, axis and binary_output after TF1's parameters "
    "(tf.compat.v2 shares the function); TF1 calls work unchanged",
    "math.bincount": "as bincount",
}

_PLAIN = (bool, int, float, str)


def _encode_default(v):
    if v is inspect.Parameter.empty:
        return ["empty"]
    if isinstance(v, float) and not math.isfinite(v):
        return ["float", repr(v)]
    if v is None or isinstance(v, _PLAIN):
        return ["value", v]
    if isinstance(v, (tuple, list)) and all(x is None or isinstance(x, _PLAIN) for x in v):
        return ["value", list(v)]
    if isinstance(v, tfgraph.DType):
        return ["dtype", v.name]
    return ["other", type(v).__name__]


def _lookup(name: str):
    obj = tfgraph
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return None
    return obj


def _signature(obj) -> list:
    sig = inspect.signature(obj)
    return [[p.name, p.kind.name, _encode_default(p.default)] for p in sig.parameters.values()]


def _show(params: list) -> str:
    parts = []
    for name, kind, default in params:
        prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(kind, "")
        text = prefix + name + ("" if default == ["empty"] else f"={default[-1]!r}")
        parts.append(text + ("(kw-only)" if kind == "KEYWORD_ONLY" else ""))
    return "(" + ", ".join(parts) + ")"


def _differences(names) -> list[str]:
    out = []
    for name in names:
        obj = _lookup(name)
        if obj is None or name in ALLOWED:
            continue
        got = _signature(obj)
        if got != SIGNATURES[name]:
            out.append(f"tf.{name}: TF {_show(SIGNATURES[name])} vs tfgraph {_show(got)}")
    return out


def test_signatures_file_covers_the_dispatchable_apis():
    assert len(SIGNATURES) > 1400
    assert set(DISPATCHABLE) <= set(SIGNATURES)


def test_dispatchable_apis_have_tf_signatures():
    diffs = _differences(sorted(DISPATCHABLE))
    assert not diffs, "\n".join(diffs)


def test_every_public_function_has_tf_signature():
    diffs = _differences(sorted(set(SIGNATURES) - set(DISPATCHABLE)))
    assert not diffs, "\n".join(diffs)


def test_allowed_differences_are_real():
    stale = [n for n in ALLOWED if n not in SIGNATURES or _lookup(n) is None]
    stale += [
        n
        for n in ALLOWED
        if n in SIGNATURES and _lookup(n) is not None and _signature(_lookup(n)) == SIGNATURES[n]
    ]
    assert not stale, f"no longer differ from TF; delete from ALLOWED: {stale}"


SAME = json.loads((ROOT / "tests" / "data" / "tf_v1_same_functions.json").read_text())


def test_names_of_one_tf_function_are_one_tfgraph_function():
    """Where TF's names (tf.as_string, tf.dtypes.as_string, ...) are one object, tfgraph's
    are too (identity checks and dispatch registrations see one function)."""
    split = []
    for names in SAME:
        objs = {n: _lookup(n) for n in names}
        present = {n: o for n, o in objs.items() if o is not None}
        if len({id(o) for o in present.values()}) > 1:
            split.append(sorted(present))
    assert not split, f"one function in TF, several in tfgraph: {split}"
