"""Screenshots of TensorBoard showing a tfgraph training script's logdir.

Runs SCRIPT (which must accept `--logdir DIR`) with this interpreter and tfgraph on
its path, starts the real TensorBoard on 127.0.0.1 with that logdir, and has headless
Chromium take a picture of the Scalars and Graphs dashboards:

    python tools/tensorboard_screenshot.py examples/tensorboard_demo.py \
        --tensorboard /work/venvs/tf/bin/tensorboard --out docs

writes `docs/tensorboard_scalars.png` and `docs/tensorboard_graph.png`. Extra
arguments after `--` go to SCRIPT. Needs `chromium` (Debian: `apt-get install
chromium`) and a `tensorboard` executable.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Dashboard URL fragment and output name of each screenshot.
VIEWS = {
    "scalars": "#scalars&_smoothingWeight=0",
    "graph": "#graphs&run=run",
}


def _wait(fn, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"timed out waiting for {what}")


def _start_tensorboard(binary: str, logdir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                binary,
                "--logdir",
                str(logdir),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--load_fast=false",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def address():
        if proc.poll() is not None:
            raise SystemExit("TensorBoard exited:\n" + log.read_text(errors="replace")[-2000:])
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
        return m and f"http://127.0.0.1:{m.group(1)}"

    url = _wait(address, 120, "TensorBoard to start")

    def loaded():
        with urllib.request.urlopen(url + "/data/plugin/scalars/tags", timeout=5) as r:
            return json.loads(r.read()).get("run")

    _wait(loaded, 120, "TensorBoard to load the run")
    return proc, url


def _screenshot(chromium: str, url: str, out: Path, size: str, budget_ms: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={size}",
            f"--virtual-time-budget={budget_ms}",
            f"--screenshot={out}",
            url,
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    if not out.exists() or out.stat().st_size == 0:
        raise SystemExit(f"Chromium wrote no screenshot to {out}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", help="training script that accepts --logdir")
    parser.add_argument("script_args", nargs="*", help="extra arguments for the script")
    parser.add_argument("--out", default=str(REPO_ROOT / "docs"), help="output directory")
    parser.add_argument("--tensorboard", default=shutil.which("tensorboard") or "tensorboard")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--window-size", default="1400,900")
    parser.add_argument("--budget-ms", type=int, default=20000, help="virtual time per page")
    args = parser.parse_args(argv)

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp) / "logs"
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        subprocess.run(
            [sys.executable, args.script, "--logdir", str(logdir / "run"), *args.script_args],
            check=True,
            env=env,
        )
        proc, url = _start_tensorboard(args.tensorboard, logdir, Path(tmp) / "tensorboard.log")
        try:
            for name, fragment in VIEWS.items():
                target = out_dir / f"tensorboard_{name}.png"
                _screenshot(
                    args.chromium, url + "/" + fragment, target, args.window_size, args.budget_ms
                )
                print(f"wrote {target}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


if __name__ == "__main__":
    main()
