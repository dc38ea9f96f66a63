"""Import time: `import tfgraph` vs `import tensorflow` (fresh interpreters, best of 5).

Target (issue 2): `import tfgraph` at most 1/10 of `import tensorflow`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _common import REPO, ratio, tf_python


def best_import_time(python: str, module: str, runs: int = 5) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    # Installed packages import from cached bytecode (pip compiles TF's at install time):
    # allow the cache even where the environment disables it, and warm it once.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([python, "-c", f"import {module}"], check=True, env=env, capture_output=True)
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([python, "-c", f"import {module}"], check=True, env=env, capture_output=True)
        best = min(best, time.perf_counter() - t)
    base = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([python, "-c", "pass"], check=True, env=env, capture_output=True)
        base = min(base, time.perf_counter() - t)
    return best - base


def main() -> None:
    ours = best_import_time(sys.executable, "tfgraph")
    numpy = best_import_time(sys.executable, "numpy")
    print("Import time (interpreter start-up subtracted, best of 5)")
    print(f"  import numpy       {numpy * 1e3:8.1f} ms")
    print(f"  import tfgraph     {ours * 1e3:8.1f} ms (includes numpy)")
    python = tf_python()
    if python:
        theirs = best_import_time(python, "tensorflow")
        print(f"  import tensorflow  {theirs * 1e3:8.1f} ms   TF/tfgraph = {ratio(theirs, ours)}")
    else:
        print("  (real TF not available: set TFGRAPH_TF_PYTHON to compare)")
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, tfgraph; print(sorted(m for m in ('tensorflow', "
            "'networkx', 'google.protobuf') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    ).stdout.strip()
    print(f"  heavy modules loaded by `import tfgraph`: {heavy}")


if __name__ == "__main__":
    main()
