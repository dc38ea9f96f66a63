"""The TF2 names walk: `tfgraph.compat.v2` against TF 2.21 itself (`import tensorflow as
tf`, tf.keras = Keras 2), recorded in tests/data/tf2_signatures.json by
tools/make_tf2_signatures.py. Every name TF2 has and `tf.compat.v1` lacks (two levels:
`tf.X`, `tf.ns.X`) is provided or excluded in docs/api_exclusions.md ("TF2 names"), and
every TF2 function tfgraph provides takes TF2's parameters (names, order, kinds,
defaults), so a TF2 program passing arguments by position lands them where TF2 does.

Importing compat.v2 turns TF2 behaviour on for the process, so the walk runs in a
subprocess."""

from __future__ import annotations

import inspect
import json
import math
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = json.loads((ROOT / "tests" / "data" / "tf2_signatures.json").read_text())
_ENTRY = re.compile(r"^- `([a-z_0-9.]+)` — (.+) — (`.+`)$")
_REASON = re.compile(
    r"^(not meaningful without TF's C\+\+ runtime|pending: (issue \d+|TF2 API)|deliberately absent"
    r"|as TF1)\b"
)
_PLAIN = (bool, int, float, str)


def _exclusions() -> dict[str, dict[str, str]]:
    """{"names": {path: reason}, "signatures": {path: reason}} from the TF2 section."""
    text = (ROOT / "docs" / "api_exclusions.md").read_text()
    section = text.split("## TF2 names (tfgraph.compat.v2)", 1)[1].split("\n## ", 1)[0]
    out: dict[str, dict[str, str]] = {"names": {}, "signatures": {}}
    for part in section.split("\n### ")[1:]:
        kind = "names" if part.startswith("Missing names") else "signatures"
        for line in part.splitlines():
            m = _ENTRY.match(line)
            if not m:
                continue
            ns, reason = m.group(1), m.group(2)
            for name in re.findall(r"`([^`]+)`", m.group(3)):
                path = name if ns == "tf" else f"{ns}.{name}"
                assert path not in out[kind], f"{path} listed twice"
                out[kind][path] = reason
    return out


def _encode_default(v, dtype_cls):
    if v is inspect.Parameter.empty:
        return ["empty"]
    if isinstance(v, float) and not math.isfinite(v):
        return ["float", repr(v)]
    if v is None or isinstance(v, _PLAIN):
        return ["value", v]
    if isinstance(v, (tuple, list)) and all(x is None or isinstance(x, _PLAIN) for x in v):
        return ["value", list(v)]
    if isinstance(v, dtype_cls):
        return ["dtype", v.name]
    return ["other", type(v).__name__]


def walk() -> dict:
    """(Run in a fresh process.) The TF2-only names compat.v2 lacks, and the functions
    whose parameters differ from TF2's."""
    import tfgraph.compat.v2 as tf

    def lookup(path):
        obj = tf
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    missing, differ = [], {}
    for path, (_kind, in_v1) in DATA["names"].items():
        try:
            obj = lookup(path)
        except AttributeError:
            # (a name under a missing namespace goes with the namespace)
            if not in_v1 and path.rpartition(".")[0] not in missing:
                missing.append(path)
            continue
        want = DATA["signatures"].get(path)
        if want is None or not callable(obj):
            continue
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            continue
        got = [[p.name, p.kind.name, _encode_default(p.default, tf.DType)] for p in params]
        if got != want:
            differ[path] = [_show(want), _show(got)]
    import tfgraph

    tf1 = [list(inspect.signature(f).parameters) for f in (tfgraph.nn.conv2d, tfgraph.reduce_sum)]
    return {"missing": missing, "differ": differ, "tf1_after_v2": tf1}


def _show(params: list) -> str:
    parts = []
    for name, kind, default in params:
        prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(kind, "")
        parts.append(prefix + name + ("" if default == ["empty"] else f"={default[-1]!r}"))
    return "(" + ", ".join(parts) + ")"


_RESULT: dict = {}


def _walked() -> dict:
    if not _RESULT:
        code = "import json\nfrom tests.compat.test_v2_api import walk\nprint(json.dumps(walk()))"
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
            check=True,
        )
        _RESULT.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return _RESULT


EXCLUDED = _exclusions()


def test_data_file_is_tf2():
    names = DATA["names"]
    assert len(names) > 2500 and len(DATA["signatures"]) > 2000
    assert names["random.set_seed"] == ["function", False]
    assert names["nn.conv2d"] == ["function", True]
    assert [p[0] for p in DATA["signatures"]["random.poisson"][:2]] == ["shape", "lam"]


def test_exclusions_have_reasons():
    bad = [
        f"{kind}: {path}: {reason}"
        for kind, entries in EXCLUDED.items()
        for path, reason in entries.items()
        if not _REASON.match(reason)
    ]
    assert not bad, bad


def test_every_tf2_name_is_provided_or_excluded():
    missing = set(_walked()["missing"])
    unlisted = sorted(missing - set(EXCLUDED["names"]))
    assert not unlisted, f"TF2 names tfgraph.compat.v2 lacks, not excluded: {unlisted}"
    stale = sorted(set(EXCLUDED["names"]) - missing)
    assert not stale, f"provided now or not TF2-only; delete from the exclusions: {stale}"


def test_every_tf2_function_has_tf2_parameters():
    differ = _walked()["differ"]
    unlisted = [
        f"tf.{p}: TF2 {want} vs tfgraph {got}"
        for p, (want, got) in sorted(differ.items())
        if p not in EXCLUDED["signatures"]
    ]
    assert not unlisted, "\n".join(unlisted)
    stale = sorted(set(EXCLUDED["signatures"]) - set(differ))
    assert not stale, f"now TF2's parameters; delete from the exclusions: {stale}"


def test_tfgraph_stays_tf1_beside_compat_v2():
    """Importing compat.v2 changes no TF1 name: `import tfgraph as tf` keeps TF1's
    signatures in the same process."""
    conv2d, reduce_sum = _walked()["tf1_after_v2"]
    assert conv2d[4] == "use_cudnn_on_gpu" and "keep_dims" in reduce_sum
