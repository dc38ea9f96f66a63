"""Shared helpers for the benchmarks: run the same TF1 code in real TensorFlow.

Real TF runs in a separate interpreter (never in tfgraph's): set TFGRAPH_TF_PYTHON to a
Python with tensorflow-cpu installed. Without it, the TF columns are skipped. Timings
are wall-clock on shared machines: compare the ratios printed, not absolute numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TF_PRELUDE = """
import json, logging, os, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow.compat.v1 as tf
tf.get_logger().setLevel(logging.ERROR)
tf.disable_v2_behavior()
"""

TFGRAPH_PRELUDE = """
import json, os, sys, time
import numpy as np
import tfgraph as tf
"""


def tf_python() -> str | None:
    path = os.environ.get("TFGRAPH_TF_PYTHON")
    if path and Path(path).exists():
        return path
    return None


def run_json(python: str, prelude: str, code: str, timeout: float = 3600) -> dict:
    """Runs prelude+code in `python` (a fresh process); the code prints one JSON line."""
    env = dict(os.environ)
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", TF_ENABLE_ONEDNN_OPTS="0")
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [python, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_tf(code: str, timeout: float = 3600) -> dict | None:
    python = tf_python()
    if python is None:
        print("  (real TF not available: set TFGRAPH_TF_PYTHON to compare)")
        return None
    return run_json(python, TF_PRELUDE, code, timeout)


def run_tfgraph(code: str, timeout: float = 3600) -> dict:
    return run_json(sys.executable, TFGRAPH_PRELUDE, code, timeout)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "n/a"
