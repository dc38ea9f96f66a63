"""Run code in real TensorFlow's interpreter, for differential and interop tests.

TensorFlow is never imported by tfgraph or by the test process itself; tests that
compare with it send a snippet to a separate interpreter named by the environment
variable `TFGRAPH_TF_PYTHON` (e.g. `/work/venvs/tf/bin/python`) and skip when it is
not set. The snippet sees `tf` (= `tensorflow.compat.v1`, v2 behaviour disabled) and
`np`, `tf.keras` is Keras 2 (`tf_keras`, as TF1 programs expect), and the repository
root is on its `sys.path`, so it may import tfgraph too.

    @pytest.mark.tf
    @requires_tf
    def test_something(tmp_path):
        out = run_tf(f"print(tf.constant(1.).dtype.name)")
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "GOLDEN",
    "REPO_ROOT",
    "TF_PYTHON",
    "requires_tf",
    "run_tf",
    "run_tf_json",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLDEN = REPO_ROOT / "tests" / "data" / "golden"


def _find_tf_python() -> str | None:
    path = os.environ.get("TFGRAPH_TF_PYTHON")
    if path and Path(path).exists():
        return path
    return None


TF_PYTHON: str | None = _find_tf_python()

requires_tf = pytest.mark.skipif(
    TF_PYTHON is None, reason="real TensorFlow not available (set TFGRAPH_TF_PYTHON)"
)

_PRELUDE = """\
import json, logging, os, sys, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, {root!r})
import numpy as np
import tensorflow.compat.v1 as tf
tf.get_logger().setLevel(logging.ERROR)
tf.disable_v2_behavior()
"""

# TF2 behaviour (eager execution, resource variables): `tf` is TensorFlow itself.
_PRELUDE_V2 = """\
import json, logging, os, sys, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, {root!r})
import numpy as np
import tensorflow as tf
tf.get_logger().setLevel(logging.ERROR)
"""


def run_tf(
    code: str, timeout: float = 600, cwd: str | os.PathLike | None = None, v1: bool = True
) -> str:
    """Runs `code` in TensorFlow's interpreter and returns its stdout (`tf` is
    `tensorflow.compat.v1` in graph mode, or with `v1=False` TensorFlow 2 as it starts).

    Raises:
        RuntimeError: if the snippet fails; the message holds its stderr.
    """
    if TF_PYTHON is None:
        pytest.skip("real TensorFlow not available (set TFGRAPH_TF_PYTHON)")
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        # values come from TF's reference (Eigen) kernels: oneDNN's kernels and
        # rewrites (fused conv+bias+relu, ...) sum in orders that depend on the CPU's
        # instruction set. (Benchmarks run TF as shipped, oneDNN on: benchmarks/_common.py.)
        TF_ENABLE_ONEDNN_OPTS="0",
        CUDA_VISIBLE_DEVICES="",
        PYTHONHASHSEED="0",
        # TF 2.21's own Keras is Keras 3, under which tf.compat.v1.layers and
        # nn.rnn_cell fail; TF1 programs need tf_keras (Keras 2), installed beside it.
        TF_USE_LEGACY_KERAS="1",
    )
    env.pop("PYTHONPATH", None)
    program = (_PRELUDE if v1 else _PRELUDE_V2).format(root=str(REPO_ROOT)) + code
    proc = subprocess.run(
        [TF_PYTHON, "-c", program],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=str(cwd or REPO_ROOT),
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"TensorFlow snippet failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc.stdout


def run_tf_json(code: str, timeout: float = 600, v1: bool = True) -> Any:
    """Runs `code`, which must end by printing one JSON document, and decodes it."""
    out = run_tf(code, timeout=timeout, v1=v1)
    return json.loads(out.strip().splitlines()[-1])


def run_here_json(code: str) -> Any:
    """`run_tf_json`'s twin: runs `code` here with tfgraph as `tf` (and numpy as `np`);
    it must end by printing one JSON document, which is decoded."""
    import contextlib
    import io

    import numpy as np

    import tfgraph

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {"tf": tfgraph, "np": np})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


if __name__ == "__main__":  # pragma: no cover - manual smoke test
    print(run_tf("print(tf.__version__)"), file=sys.stderr)
