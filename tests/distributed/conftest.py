"""A Ray cluster on loopback for the distributed tests (one per session), and helpers
to run one task of a cluster as its own process, as users do."""

from __future__ import annotations

import os
import secrets
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
    """A Ray head node of its own (port, temp dir, authentication token), stopped at the
    end; yields the environment a process needs to join it."""
    pytest.importorskip("ray", reason="the distributed extra (Ray) is not installed")
    port = free_port()
    temp = tmp_path_factory.mktemp("ray")
    token = temp / "auth_token"
    token.write_text(secrets.token_hex(32))
    # Token authentication with a token of the cluster's own: independent of whatever
    # ~/.ray/auth_token holds (Ray's head enables authentication when that file exists).
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(token))
    env.pop("RAY_AUTH_TOKEN", None)
    env["TFGRAPH_RAY_ADDRESS"] = address = f"127.0.0.1:{port}"
    log = open(temp / "head.log", "w")  # noqa: SIM115 (closed at the end)
    head = subprocess.Popen(
        [
            sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
            f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
            "--disable-usage-stats", f"--temp-dir={temp}", "--node-ip-address=127.0.0.1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        probe = subprocess.run(
            [sys.executable, "-m", "ray.scripts.scripts", "status", f"--address={address}"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env=env,
        )
        if probe.returncode == 0:
            break
        if time.monotonic() > deadline or head.poll() is not None:
            os.killpg(head.pid, signal.SIGKILL)
            log.close()
            pytest.fail(
                "the Ray head node did not start.\nhead:\n"
                + (temp / "head.log").read_text()[-3000:]
                + "\nray status:\n"
                + (probe.stdout + probe.stderr)[-3000:]
            )
        time.sleep(1)
    try:
        yield env
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        log.close()


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
        if tf:
            env = dict(os.environ)
            env.update(TFGRAPH_USE_TF="1", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
            env.pop("PYTHONPATH", None)
            python = TF_PYTHON
        else:
            env = dict(ray_cluster, PYTHONPATH=str(REPO_ROOT))
            python = sys.executable
        task = Task([python, str(script), *args], env)
        started.append(task)
        return task

    yield start
    for task in started:
        task.kill()
