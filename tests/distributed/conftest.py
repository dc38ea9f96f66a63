"""A Ray cluster on loopback for the distributed tests (one per session), and helpers
to run one task of a cluster as its own process, as users do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.tfrun import REPO_ROOT, TF_PYTHON


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory):
    """A Ray head node of its own (port, temp dir), stopped at the end."""
    pytest.importorskip("ray", reason="the distributed extra (Ray) is not installed")
    port = free_port()
    temp = tmp_path_factory.mktemp("ray")
    head = subprocess.Popen(
        [
            sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
            f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
            "--disable-usage-stats", f"--temp-dir={temp}", "--node-ip-address=127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        probe = subprocess.run(
            [sys.executable, "-m", "ray.scripts.scripts", "status", f"--address={address}"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        if probe.returncode == 0:
            break
        if time.monotonic() > deadline or head.poll() is not None:
            os.killpg(head.pid, signal.SIGKILL)
            pytest.fail("the Ray head node did not start")
        time.sleep(1)
    try:
        yield address
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)


class Task:
    """One task's process (`python script args`), killed at the end if still running."""

    def __init__(self, args, env) -> None:
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            cwd=str(REPO_ROOT), start_new_session=True,
        )  # fmt: skip

    def finish(self, timeout: float = 180) -> str:
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        if self.proc.returncode != 0:
            raise AssertionError(f"task failed ({self.proc.returncode}):\n{err[-3000:]}")
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture
def launch(ray_cluster):
    """Starts task processes (tfgraph on the test cluster, or `tf=True`: real TF);
    kills any still running at the end of the test."""
    started = []

    def start(script, *args, tf: bool = False):
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        if tf:
            env.update(TFGRAPH_USE_TF="1", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
            python = TF_PYTHON
        else:
            env["TFGRAPH_RAY_ADDRESS"] = ray_cluster
            env["PYTHONPATH"] = str(REPO_ROOT)
            python = sys.executable
        task = Task([python, str(script), *args], env)
        started.append(task)
        return task

    yield start
    for task in started:
        task.kill()
