"""Location of the TF-written golden files the tests read (copied into tests/data/golden).

The files are TensorFlow's output (checkpoints, GraphDefs, event files written by real TF
2.21), kept in the repository so that a fresh clone runs every test that reads them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["GOLDEN", "golden"]

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"


def golden(*parts: str) -> Path:
    """Path of a golden file or folder; fails loudly when it is missing."""
    path = GOLDEN.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"golden file {path} is missing from tests/data/golden")
    return path
