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
_REASON = re.compile(r"^(not meaningful without TF's C\+\+ runtime|pending: issue \d+)\b")


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


def _has(module, name: str) -> bool:
    try:
        getattr(module, name)
    except AttributeError:
        return False
    return True


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
