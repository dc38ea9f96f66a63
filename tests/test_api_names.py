"""The public-names walk: every top-level name of TF 2.21's `tf.compat.v1` (recorded in
tests/data/tf_v1_names.json) is either provided by tfgraph (and by tfgraph.compat.v1) or
excluded in docs/api_exclusions.md with a reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import tfgraph
import tfgraph.compat.v1 as v1

ROOT = Path(__file__).resolve().parents[1]
NAMES = json.loads((ROOT / "tests" / "data" / "tf_v1_names.json").read_text())
_ENTRY = re.compile(r"^- `([A-Za-z_][A-Za-z0-9_]*)`: (.+)$")
_REASON = re.compile(
    r"^(not meaningful without TF's C\+\+ runtime|pending: issue \d+|deliberately absent)\b"
)
SUBMODULE_NAMES = json.loads((ROOT / "tests" / "data" / "tf_v1_submodule_names.json").read_text())
# The modules one level below TF's namespaces (data.experimental), and under keras two
# (keras.optimizers, keras.optimizers.schedules).
NESTED_NAMES = json.loads((ROOT / "tests" / "data" / "tf_v1_nested_names.json").read_text())
_SUB_ENTRY = re.compile(r"^- `([a-z_0-9.]+)` — (.+) — (`.+`)$")


def _exclusions() -> dict[str, str]:
    text = (ROOT / "docs" / "api_exclusions.md").read_text()
    section = text.split("## Top-level names", 1)[1].split("\n## ", 1)[0]
    out: dict[str, str] = {}
    for line in section.splitlines():
        m = _ENTRY.match(line)
        if m:
            assert m.group(1) not in out, f"{m.group(1)} listed twice"
            out[m.group(1)] = m.group(2)
    return out


EXCLUDED = _exclusions()


def _has(module, path: str) -> bool:
    try:
        _resolve(module, path)
    except AttributeError:
        return False
    return True


def _resolve(module, path: str):
    for part in path.split("."):
        module = getattr(module, part)
    return module


def test_names_file_is_tf_v1_top_level():
    assert len(NAMES) == 650 and len(set(NAMES)) == 650
    assert {"Session", "placeholder", "einsum", "VERSION"} <= set(NAMES)


def test_every_exclusion_has_a_valid_reason():
    bad = {n: r for n, r in EXCLUDED.items() if not _REASON.match(r)}
    assert not bad, f"exclusions without a valid reason: {bad}"
    unknown = sorted(set(EXCLUDED) - set(NAMES))
    assert not unknown, f"excluded names TF does not have: {unknown}"


def test_every_tf_v1_name_is_provided_or_excluded():
    missing = [n for n in NAMES if n not in EXCLUDED and not _has(tfgraph, n)]
    assert not missing, (
        f"{len(missing)} TF names neither in tfgraph nor in docs/api_exclusions.md: {missing}"
    )
    missing_v1 = [n for n in NAMES if n not in EXCLUDED and not _has(v1, n)]
    assert not missing_v1, f"in tfgraph but not in tfgraph.compat.v1: {missing_v1}"


def test_no_stale_exclusions():
    stale = sorted(n for n in EXCLUDED if _has(tfgraph, n))
    assert not stale, f"now provided by tfgraph; delete from docs/api_exclusions.md: {stale}"


def test_excluded_names_say_they_are_not_implemented():
    for name in EXCLUDED:
        with pytest.raises(AttributeError, match=f"tfgraph does not implement tf.{name}"):
            getattr(tfgraph, name)


def _submodule_exclusions() -> dict[str, dict[str, str]]:
    text = (ROOT / "docs" / "api_exclusions.md").read_text()
    section = text.split("## Submodule names", 1)[1].split("\n## ", 1)[0]
    out: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        m = _SUB_ENTRY.match(line)
        if m:
            for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", m.group(3)):
                assert name not in out.get(m.group(1), {}), f"{m.group(1)}.{name} listed twice"
                out.setdefault(m.group(1), {})[name] = m.group(2)
        else:
            assert not line.startswith("- "), f"malformed submodule exclusion: {line}"
    return out


SUB_EXCLUDED = _submodule_exclusions()


def test_nested_names_file_is_below_tf_namespaces():
    known = {**SUBMODULE_NAMES, **NESTED_NAMES}
    for path in NESTED_NAMES:
        parent, name = path.rsplit(".", 1)
        assert parent in EXCLUDED or name in known[parent], path
    assert {"keras.layers", "keras.optimizers.schedules", "data.experimental"} <= set(NESTED_NAMES)
    assert "Dense" in NESTED_NAMES["keras.layers"]


def test_every_name_of_a_tf_namespace_is_provided_or_excluded():
    missing, stale, bad = [], [], []
    for sub, names in {**SUBMODULE_NAMES, **NESTED_NAMES}.items():
        if not _has(tfgraph, sub):
            # tf.X is excluded at top level; a missing module under keras, in its parent.
            assert "." in sub or sub in EXCLUDED, f"tf.{sub} is neither provided nor excluded"
            continue
        module = _resolve(tfgraph, sub)
        excluded = SUB_EXCLUDED.get(sub, {})
        for name in names:
            present = _has(module, name)
            if not present and name not in excluded:
                missing.append(f"{sub}.{name}")
            if present and name in excluded:
                stale.append(f"{sub}.{name}")
        bad += [f"{sub}.{n}" for n, r in excluded.items() if not _REASON.match(r)]
        bad += [f"{sub}.{n}" for n in excluded if n not in names]
    hint = "run tools/api_gaps.py to regenerate docs/api_exclusions.md's submodule section"
    assert not missing, f"missing and not excluded ({hint}): {missing}"
    assert not stale, f"provided now, still excluded ({hint}): {stale}"
    assert not bad, f"exclusions without a valid reason or unknown to TF: {bad}"


def test_excluded_namespace_names_say_they_are_not_implemented():
    """As at top level: no "Did you mean" guess among tfgraph's names."""
    checked = 0
    for sub, names in SUB_EXCLUDED.items():
        if sub == "compat":  # (tf.compat.v2: its own message, see tfgraph/compat)
            continue
        module = _resolve(tfgraph, sub)
        for name in names:
            if "." in name:
                continue
            with pytest.raises(AttributeError, match=f"tfgraph does not implement tf.{sub}.{name}"):
                getattr(module, name)
            checked += 1
    assert checked > 5
    with pytest.raises(AttributeError, match="does not implement tf.nn.rnn_cell.NoSuchCell"):
        tfgraph.nn.rnn_cell.NoSuchCell  # noqa: B018
    with pytest.raises(AttributeError, match="does not implement tf.contrib.layers.nope"):
        tfgraph.contrib.layers.nope  # noqa: B018


def test_namespace_walk_starts_from_tf_namespaces():
    from tfgraph.platform.missing_names import TF_NAMESPACES

    assert set(SUBMODULE_NAMES) | {"contrib"} == TF_NAMESPACES
