"""Location of the TF-written golden files shared by the project (skip when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["GOLDEN", "golden"]

# The shared/ folder sits beside the repository checkout.
GOLDEN = (Path(__file__).resolve().parents[1] / ".." / "shared" / "golden").resolve()


def golden(*parts: str) -> Path:
    """Path of a golden file or folder; skips the calling test when it is missing."""
    path = GOLDEN.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"golden file {path} not available")
    return path
