"""many_variables: 5,000 `tf.get_variable` calls in nested variable scopes, then running
`tf.global_variables_initializer()`, on tfgraph and on real TensorFlow.

    python benchmarks/bench_many_variables.py [--blocks 50] [--layers 10] [--vars 10]
                                              [--shape 16] [--repeat 3] [--tf-repeat 1]
                                              [--no-tf]

The same TF1 code (`WORKLOAD` below) runs in a fresh interpreter for each run: tfgraph
with this Python, TensorFlow with $TFGRAPH_TF_PYTHON (default /work/venvs/tf/bin/python;
skipped with a message when absent). Import time is not counted. Each side reports the
run with the smallest total (wall-clock) of its repetitions: graph-building,
initializer-op and session-run times, then the ratio TF / tfgraph.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TF_PYTHON = "/work/venvs/tf/bin/python"

WORKLOAD = """
import time
t0 = time.perf_counter()
for i in range(BLOCKS):
    with tf.variable_scope("block%d" % i):
        for j in range(LAYERS):
            with tf.variable_scope("layer%d" % j):
                for k in range(VARS):
                    tf.get_variable("w%d" % k, [SHAPE, SHAPE])
t1 = time.perf_counter()
init = tf.global_variables_initializer()
t2 = time.perf_counter()
with tf.Session() as sess:
    sess.run(init)
    n_ops = len(tf.get_default_graph().get_operations())
t3 = time.perf_counter()
print(json.dumps({"build": t1 - t0, "init_op": t2 - t1, "run": t3 - t2, "total": t3 - t0,
                  "variables": len(tf.global_variables()), "ops": n_ops}))
"""

TFGRAPH_PRELUDE = """
import json, sys
sys.path.insert(0, REPO)
import tfgraph as tf
"""

TF_PRELUDE = """
import json, logging, os, warnings
warnings.filterwarnings("ignore")
import tensorflow.compat.v1 as tf
tf.get_logger().setLevel(logging.ERROR)
tf.disable_v2_behavior()
"""


def _run(python: str, prelude: str, args, env=None) -> dict:
    code = textwrap.dedent(prelude) + textwrap.dedent(WORKLOAD)
    for key, value in (
        ("REPO", repr(str(REPO))),
        ("BLOCKS", str(args.blocks)),
        ("LAYERS", str(args.layers)),
        ("VARS", str(args.vars)),
        ("SHAPE", str(args.shape)),
    ):
        code = code.replace(key, value)
    proc = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=env, timeout=3600
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{python} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best(python: str, prelude: str, args, repeat: int, env=None) -> tuple[dict, list]:
    runs = [_run(python, prelude, args, env) for _ in range(max(1, repeat))]
    return min(runs, key=lambda r: r["total"]), [r["total"] for r in runs]


def _show(label: str, r: dict, totals: list) -> None:
    print(
        f"{label:8s} build {r['build']:7.3f} s   init op {r['init_op']:6.3f} s   "
        f"run {r['run']:7.3f} s   total {r['total']:7.3f} s   "
        f"({r['variables']} variables, {r['ops']} ops; best of "
        f"{', '.join(f'{t:.2f}' for t in totals)} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=50)
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--vars", type=int, default=10)
    parser.add_argument("--shape", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="tfgraph runs (best is shown)")
    parser.add_argument("--tf-repeat", type=int, default=1, help="TF runs (best is shown)")
    parser.add_argument("--no-tf", action="store_true", help="time tfgraph only")
    args = parser.parse_args()
    n = args.blocks * args.layers * args.vars
    print(f"many_variables: {n} get_variable calls, shape [{args.shape}, {args.shape}]")
    ours, totals = _best(sys.executable, TFGRAPH_PRELUDE, args, args.repeat)
    _show("tfgraph", ours, totals)
    if args.no_tf:
        return
    tf_python = os.environ.get("TFGRAPH_TF_PYTHON") or DEFAULT_TF_PYTHON
    if not Path(tf_python).exists():
        print(f"TensorFlow part skipped: {tf_python} not found (set TFGRAPH_TF_PYTHON)")
        return
    env = dict(os.environ)
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    env.pop("PYTHONPATH", None)
    theirs, totals = _best(tf_python, TF_PRELUDE, args, args.tf_repeat, env)
    _show("TF", theirs, totals)
    print(f"ratio TF / tfgraph: {theirs['total'] / ours['total']:.1f}x "
          f"(build {theirs['build'] / ours['build']:.1f}x, "
          f"run {theirs['run'] / ours['run']:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
