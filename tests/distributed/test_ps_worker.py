"""The classic ps/worker script (examples/distributed_ps_worker.py) on a local Ray
cluster: one ps and two workers, each its own process, as users run it; against real
TF's gRPC runtime where TF is available; and what happens when tasks die."""

from __future__ import annotations

import json
import textwrap
import time

import numpy as np
import pytest

from tests.distributed.conftest import free_port
from tests.tfrun import REPO_ROOT, requires_tf

SCRIPT = REPO_ROOT / "examples" / "distributed_ps_worker.py"


def _hosts():
    ps = f"localhost:{free_port()}"
    workers = f"localhost:{free_port()},localhost:{free_port()}"
    return ["--ps_hosts", ps, "--worker_hosts", workers]


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def _run_in_turn(launch, tf: bool = False, steps: int = 50):
    """ps started; worker 0 (chief) trains to the end, then worker 1: deterministic."""
    hosts = _hosts()
    ps = launch(SCRIPT, "--job_name", "ps", "--task_index", "0", *hosts, tf=tf)
    results = []
    for index in (0, 1):
        worker = launch(
            SCRIPT, "--job_name", "worker", "--task_index", str(index), "--steps", str(steps),
            *hosts, tf=tf,
        )  # fmt: skip
        results.append(_last_json(worker.finish()))
    ps.kill()
    return results


def test_workers_share_the_variables_on_the_ps(launch):
    first, second = _run_in_turn(launch)
    assert first["devices"] == second["devices"] == ["/job:ps/task:0"]
    assert (first["counter"], first["global_step"]) == (50, 50)
    assert (second["counter"], second["global_step"]) == (100, 100)  # (the same variables)
    np.testing.assert_allclose(second["weights"], [2.0, -3.0], atol=0.01)
    assert abs(second["bias"] - 0.5) < 0.01 and second["loss"] < first["loss"]


@pytest.mark.tf
@requires_tf
def test_same_shared_results_as_tensorflow_grpc(launch):
    ours = _run_in_turn(launch)
    theirs = _run_in_turn(launch, tf=True)
    for mine, tf_result in zip(ours, theirs):
        assert mine["devices"] == tf_result["devices"]
        assert (mine["counter"], mine["global_step"]) == (
            tf_result["counter"],
            tf_result["global_step"],
        )
        np.testing.assert_allclose(mine["weights"], tf_result["weights"], rtol=1e-5)
        assert mine["bias"] == pytest.approx(tf_result["bias"], rel=1e-5)
        assert mine["loss"] == pytest.approx(tf_result["loss"], rel=1e-3, abs=1e-7)


def test_two_workers_training_at_once(launch):
    hosts = _hosts()
    launch(SCRIPT, "--job_name", "ps", "--task_index", "0", *hosts)
    workers = [
        launch(SCRIPT, "--job_name", "worker", "--task_index", str(i), "--steps", "40", *hosts)
        for i in (0, 1)
    ]
    results = [_last_json(w.finish()) for w in workers]
    # Each step adds one to both shared variables: whoever finishes last sees all 80.
    assert max(r["counter"] for r in results) == 80
    assert max(r["global_step"] for r in results) == 80
    for r in results:
        assert 40 <= r["counter"] <= 80 and np.all(np.isfinite(r["weights"]))


FAULTS = textwrap.dedent(
    """
    import json, os, sys, time
    import numpy as np
    import tfgraph as tf

    role, ps_host, worker_host = sys.argv[1:4]
    cluster = tf.train.ClusterSpec({"ps": [ps_host], "worker": [worker_host]})
    server = tf.train.Server(cluster, job_name="ps" if role == "ps" else "worker",
                             task_index=0)
    if role == "ps":
        server.join()
    with tf.device(tf.train.replica_device_setter(cluster=cluster)):
        step = tf.train.get_or_create_global_step()
        w = tf.Variable(tf.ones([256, 256]), name="w")
        loss = tf.reduce_sum(tf.square(tf.matmul(w, w)))
        train = tf.train.GradientDescentOptimizer(1e-9).minimize(loss, global_step=step)
    with tf.Session(server.target) as sess:
        if role == "trainer":
            sess.run(tf.global_variables_initializer())
            print("ready", flush=True)
            try:
                while True:
                    sess.run(train)
            except tf.errors.UnavailableError as e:
                print(json.dumps({"error": "UnavailableError", "message": e.message}),
                      flush=True)
                sys.exit(3)
        else:  # a reader after a trainer died
            value, n = sess.run([w, step])
            sess.run(train)
            print(json.dumps({"finite": bool(np.isfinite(value).all()), "step": int(n),
                              "after": int(sess.run(step))}), flush=True)
    """
)


def _wait_for_line(task, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = task.proc.stdout.readline()
        if text in line:
            return
        if not line and task.proc.poll() is not None:
            raise AssertionError(f"task ended early:\n{task.proc.stderr.read()[-3000:]}")
    raise AssertionError(f"no {text!r} within {timeout} s")


def test_a_dead_ps_is_unavailable_not_a_hang(launch, tmp_path):
    script = tmp_path / "faults.py"
    script.write_text(FAULTS)
    ps_host, worker_host = f"localhost:{free_port()}", f"localhost:{free_port()}"
    ps = launch(script, "ps", ps_host, worker_host)
    trainer = launch(script, "trainer", ps_host, worker_host)
    _wait_for_line(trainer, "ready")
    time.sleep(1.0)
    start = time.monotonic()
    ps.kill()
    out, _ = trainer.proc.communicate(timeout=120)
    assert trainer.proc.returncode == 3
    result = _last_json(out)
    assert result["error"] == "UnavailableError"
    assert "/job:ps/replica:0/task:0 is unavailable" in result["message"]
    assert time.monotonic() - start < 120


def test_a_killed_worker_leaves_the_ps_consistent(launch, tmp_path):
    script = tmp_path / "faults.py"
    script.write_text(FAULTS)
    ps_host, worker_host = f"localhost:{free_port()}", f"localhost:{free_port()}"
    launch(script, "ps", ps_host, worker_host)
    trainer = launch(script, "trainer", ps_host, worker_host)
    _wait_for_line(trainer, "ready")
    time.sleep(1.5)
    trainer.kill()  # (SIGKILL, mid-step)
    time.sleep(1.0)
    reader = launch(script, "reader", ps_host, worker_host)
    result = _last_json(reader.finish())
    assert result["finite"] and result["step"] > 0
    assert result["after"] == result["step"] + 1  # (the ps still serves updates)
