"""Run code in real TensorFlow (a separate interpreter) for differential tests.

Set TFGRAPH_TF_PYTHON to a Python that has `tensorflow-cpu==2.21.0` installed (`.ci/run`
does). Tests using `run_tf` are marked `requires_tf` and skipped when it is not set.
The snippet sees `tf` (tensorflow.compat.v1 with v2 behaviour disabled), `np` and
`json`; whatever it prints is returned. Importing TF takes seconds, so batch checks
into few calls (e.g. one per module, cached in a fixture).
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

TF_PYTHON = os.environ.get("TFGRAPH_TF_PYTHON") or None
if TF_PYTHON and not Path(TF_PYTHON).exists():
    TF_PYTHON = None

requires_tf = pytest.mark.skipif(
    TF_PYTHON is None, reason="real TensorFlow not available (set TFGRAPH_TF_PYTHON)"
)

_PRELUDE = """
import json, logging, os, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow.compat.v1 as tf
tf.get_logger().setLevel(logging.ERROR)
tf.disable_v2_behavior()
"""

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
GOLDEN = SHARED / "golden"


def run_tf(code: str, timeout: float = 600, cwd: str | os.PathLike | None = None) -> str:
    """Runs `code` in the TF interpreter and returns its stdout (raises on failure)."""
    if TF_PYTHON is None:
        pytest.skip("real TensorFlow not available (set TFGRAPH_TF_PYTHON)")
    env = dict(os.environ)
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", TF_ENABLE_ONEDNN_OPTS="0")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [TF_PYTHON, "-c", _PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"TensorFlow subprocess failed:\n{proc.stderr[-4000:]}")
    return proc.stdout


requires_golden = pytest.mark.skipif(
    not GOLDEN.is_dir(), reason="../shared/golden (files written by real TF) not present"
)
