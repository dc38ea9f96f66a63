"""Distributed TF1 training, tfgraph on Ray against TF's gRPC runtime, in one run:

* per-step time of a worker step whose variables live on a parameter server (a small
  linear model: the step is all overhead), one ps and one worker, each a process;
* examples/sec of a data-parallel MLP (784-256-10, batch 128 per worker, plain SGD)
  with 1, 2 and 4 workers and one ps on this machine.

    python benchmarks/bench_distributed.py     # TFGRAPH_TF_PYTHON=... adds TF

Starts its own Ray head node on loopback (and stops it). Target (issue 16): the step
time ratio tfgraph/TF <= 1.0.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TF_PYTHON = os.environ.get("TFGRAPH_TF_PYTHON")

TASK = r"""
import json, os, sys, time
import numpy as np
if os.environ.get("TFGRAPH_USE_TF"):
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
else:
    import tfgraph as tf
role, index, ps, workers, model, steps = sys.argv[1:7]
index, steps = int(index), int(steps)
workers = workers.split(",")
cluster = tf.train.ClusterSpec({"ps": [ps], "worker": workers})
server = tf.train.Server(cluster, job_name=role, task_index=index)
if role == "ps":
    server.join()
device = f"/job:worker/task:{index}"
with tf.device(tf.train.replica_device_setter(worker_device=device, cluster=cluster)):
    step = tf.train.get_or_create_global_step()
    rng = np.random.RandomState(index)
    if model == "small":
        x = tf.constant(rng.rand(8, 10).astype(np.float32))
        y = tf.constant(rng.rand(8, 1).astype(np.float32))
        w = tf.Variable(tf.zeros([10, 1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    else:
        x = tf.constant(rng.rand(128, 784).astype(np.float32))
        y = tf.constant(rng.randint(0, 10, 128))
        w1 = tf.Variable(tf.truncated_normal([784, 256], stddev=0.05))
        w2 = tf.Variable(tf.truncated_normal([256, 10], stddev=0.05))
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step)
    init = tf.global_variables_initializer()
    not_ready = tf.report_uninitialized_variables()
config = tf.ConfigProto(device_filters=["/job:ps", device])
with tf.Session(server.target, config=config) as sess:
    if index == 0:
        sess.run(init)
    else:
        while len(sess.run(not_ready)):
            time.sleep(0.05)
    for _ in range(10):
        sess.run(train)
    start = time.perf_counter()
    for _ in range(steps):
        sess.run(train)
    elapsed = time.perf_counter() - start
print(json.dumps({"step_ms": elapsed / steps * 1e3, "per_sec": steps / elapsed}), flush=True)
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_ray():
    port = _port()
    head = subprocess.Popen(
        [
            sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
            f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
            "--disable-usage-stats", "--node-ip-address=127.0.0.1",
            f"--temp-dir={tempfile.mkdtemp(prefix='ray')}",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    address = f"127.0.0.1:{port}"
    for _ in range(120):
        probe = subprocess.run(
            [sys.executable, "-m", "ray.scripts.scripts", "status", f"--address={address}"],
            capture_output=True, check=False,
        )  # fmt: skip
        if probe.returncode == 0:
            return head, address
        time.sleep(1)
    raise RuntimeError("Ray did not start")


def _cluster_run(script: Path, n_workers: int, model: str, steps: int, tf: bool, address):
    env = dict(os.environ)
    if tf:
        env.update(TFGRAPH_USE_TF="1", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        python = TF_PYTHON
    else:
        env.update(TFGRAPH_RAY_ADDRESS=address, PYTHONPATH=str(REPO))
        python = sys.executable
    ps = f"localhost:{_port()}"
    workers = ",".join(f"localhost:{_port()}" for _ in range(n_workers))
    args = [ps, workers, model, str(steps)]
    start = dict(env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps_proc = subprocess.Popen([python, str(script), "ps", "0", *args], **start)
    try:
        procs = [
            subprocess.Popen([python, str(script), "worker", str(i), *args], **start)
            for i in range(n_workers)
        ]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=600)
            if p.returncode:
                raise RuntimeError(err[-2000:])
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        ps_proc.kill()
        ps_proc.wait()


def main() -> None:
    script = Path(tempfile.mkdtemp()) / "task.py"
    script.write_text(TASK)
    head, address = _start_ray()
    try:
        rows = []
        ours = _cluster_run(script, 1, "small", 300, False, address)[0]["step_ms"]
        theirs = (
            _cluster_run(script, 1, "small", 300, True, address)[0]["step_ms"]
            if TF_PYTHON
            else None
        )
        rows.append(("step, variables on the ps (ms)", ours, theirs))
        for n in (1, 2, 4):
            ours_r = _cluster_run(script, n, "mlp", 60, False, address)
            ours = sum(r["per_sec"] for r in ours_r) * 128
            theirs = None
            if TF_PYTHON:
                theirs_r = _cluster_run(script, n, "mlp", 60, True, address)
                theirs = sum(r["per_sec"] for r in theirs_r) * 128
            rows.append((f"MLP examples/sec, {n} worker(s)", ours, theirs))
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
    print("Distributed TF1 (1 ps, workers as processes; tfgraph on Ray vs TF gRPC)")
    for name, ours, theirs in rows:
        line = f"  {name:34s} tfgraph {ours:10.2f}"
        if theirs is not None:
            ratio = ours / theirs if "ms" in name else theirs / ours
            line += f"   TF {theirs:10.2f}   time ratio tfgraph/TF {ratio:.2f}"
        print(line)


if __name__ == "__main__":
    main()
