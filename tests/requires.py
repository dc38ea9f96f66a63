"""Skip markers for tests that need op types registered on other branches.

Golden graphs written by real TF contain ops that other engineers register
(RandomUniform: random ops; ScalarSummary / MergeSummary: summary ops; Select: array
ops). Tests importing such graphs skip, naming what is missing, until those op types
are in the registry; then they run without change.
"""

from __future__ import annotations

import importlib

import pytest

import tfgraph  # noqa: F401 - registers every op type tfgraph imports by default
from tfgraph.framework import registry

__all__ = ["missing_ops", "requires_ops"]

for _module in ("tfgraph.ops.summary_ops", "tfgraph.ops.random_ops"):
    try:
        importlib.import_module(_module)
    except ImportError:
        pass


def missing_ops(*names: str) -> list[str]:
    """The op types among `names` that are not registered."""
    return [n for n in names if registry.lookup(n) is None]


def requires_ops(*names: str, why: str = ""):
    """A skipif marker: skip unless every op type in `names` is registered."""
    missing = missing_ops(*names)
    reason = f"needs op types {', '.join(missing)} not registered yet"
    if why:
        reason += f" ({why})"
    return pytest.mark.skipif(bool(missing), reason=reason)


needs_summary_ops = requires_ops("ScalarSummary", "MergeSummary", why="needs summary ops")
needs_random_uniform = requires_ops("RandomUniform", why="needs random ops")
needs_select = requires_ops("Select", why="needs the Select op")
