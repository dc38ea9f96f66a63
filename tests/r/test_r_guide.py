"""The R package (r/): the R variables guide (seed 003) runs as written through
reticulate, with only its library line changed, and prints what the guide shows.

tests/data/r_guide_output.txt is the expected output; it differs from the guide's text
only where TF 2.21 differs from the TF 2.11 the guide was rendered with or where R's
`try` formats the error line, and in whitespace the web page collapsed. Skipped when R
or reticulate is missing (.ci/run installs Debian's r-base-core and r-cran-reticulate).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.tfrun import REPO_ROOT

RSCRIPT = shutil.which("Rscript")


def _has_reticulate() -> bool:
    if RSCRIPT is None:
        return False
    proc = subprocess.run(
        [RSCRIPT, "-e", "library(reticulate)"], capture_output=True, text=True, timeout=120
    )
    return proc.returncode == 0


pytestmark = pytest.mark.skipif(
    not _has_reticulate(), reason="R with reticulate not installed (apt r-cran-reticulate)"
)


@pytest.fixture(scope="module")
def r_library(tmp_path_factory):
    """The package from r/, installed into a library of its own."""
    lib = tmp_path_factory.mktemp("rlib")
    proc = subprocess.run(
        ["R", "CMD", "INSTALL", f"--library={lib}", str(REPO_ROOT / "r")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return lib


def _run_r(script: str, lib) -> str:
    env = dict(os.environ)
    env["R_LIBS"] = f"{lib}{os.pathsep}{env.get('R_LIBS', '')}"
    env["RETICULATE_PYTHON"] = sys.executable
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.run(
        [RSCRIPT, "-e", script] if "(" in script else [RSCRIPT, script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # (message() writes to stderr: keep the order)
        text=True,
        timeout=300,
        env=env,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


def test_the_r_guide_runs_and_prints_the_guides_output(r_library):
    out = _run_r(str(REPO_ROOT / "r" / "inst" / "guide" / "variables.R"), r_library)
    assert out == (REPO_ROOT / "tests" / "data" / "r_guide_output.txt").read_text()
    # the guide's own numbers
    assert "tf.Tensor(\n[[22. 49.]\n [28. 64.]], shape=(2, 2), dtype=float32)" in out
    assert "tf.Tensor(\n[[ 1.  6. 15.]\n [ 2.  8. 18.]], shape=(2, 3), dtype=float32)" in out
    assert "num [1:2, 1:2] 1 3 2 4" in out


def test_r_arithmetic_and_conversions(r_library):
    out = _run_r(
        "library(tfgraph); x <- as_tensor(matrix(1:6, 2), 'float32'); "
        "print(dim(as.array(x))); print(as.array(x * 2 - 1)); print(x > 3)",
        r_library,
    )
    assert "[1] 2 3" in out
    assert "tf.Tensor(\n[[False False  True]\n [False  True  True]], shape=(2, 3)" in out
