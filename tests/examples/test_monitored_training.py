"""examples/monitored_training.py: TFRecords written, MonitoredTrainingSession with hooks,
checkpoints every 50 steps, and a rerun resuming where the last run stopped (TF resumes
from tfgraph's checkpoints and tfgraph from TF's)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from tests.tfrun import REPO_ROOT, TF_PYTHON, requires_tf

SCRIPT = REPO_ROOT / "examples" / "monitored_training.py"


def _load():
    spec = importlib.util.spec_from_file_location("monitored_training", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trains_and_resumes_from_its_checkpoint(tmp_path):
    example = _load()
    first, w, b, _ = example.train(str(tmp_path), 150, 32, 0.1)
    assert first == 1
    assert (tmp_path / "model.ckpt-150.index").exists()
    first, w, b, _ = example.train(str(tmp_path), 300, 32, 0.1)
    assert first == 151  # restored global step 150, then one more step
    np.testing.assert_allclose(w, example.TRUE_W, atol=0.05)
    assert abs(b - example.TRUE_B) < 0.05


def _run(python, train_dir, last_step, tensorflow: bool):
    code = SCRIPT.read_text()
    if tensorflow:
        code = code.replace(
            "import tfgraph as tf ",
            "import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()  # ",
        )
    proc = subprocess.run(
        [python, "-c", code, "--train_dir", str(train_dir), "--last_step", str(last_step)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=600,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()[-3:]


@pytest.mark.tf
@requires_tf
def test_same_output_as_tensorflow_and_resumes_across_both(tmp_path):
    ours = _run(sys.executable, tmp_path / "ours", 200, tensorflow=False)
    theirs = _run(TF_PYTHON, tmp_path / "theirs", 200, tensorflow=True)
    assert ours == theirs
    # each resumes from the other's checkpoints
    assert _run(TF_PYTHON, tmp_path / "ours", 250, tensorflow=True)[0].startswith(
        "trained steps 201..250"
    )
    assert _run(sys.executable, tmp_path / "theirs", 250, tensorflow=False)[0].startswith(
        "trained steps 201..250"
    )
