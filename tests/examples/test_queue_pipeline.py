"""examples/queue_pipeline.py runs as a script (flags, tf.app.run, queue runners,
MonitoredTrainingSession), fits the plane, and continues from its checkpoint."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.tfrun import REPO_ROOT


def _run(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "queue_pipeline.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_queue_pipeline_trains_to_the_end_of_its_epochs_and_resumes(tmp_path):
    model_dir = tmp_path / "model"
    args = ["--data_dir", str(tmp_path / "data"), "--model_dir", str(model_dir)]
    first = _run(*args, "--num_epochs", "10")
    assert first.returncode == 0, first.stderr[-3000:]
    # 3 shards x 100 rows x 10 epochs / 20 per batch
    found = re.search(r"finished at step 150: w = \[(\S+), (\S+)\], b = (\S+)", first.stdout)
    assert found, first.stdout
    w1, w2, b = (float(v) for v in found.groups())
    assert abs(w1 - 2) < 0.01 and abs(w2 + 3) < 0.01 and abs(b - 0.5) < 0.01
    assert "Saving checkpoints for 150 into" in first.stderr
    assert "global_step/sec: " in first.stderr
    assert sorted(os.listdir(tmp_path / "data")) == [
        "part-00000.csv",
        "part-00001.csv",
        "part-00002.csv",
    ]
    # a second run restores step 150 and reads the files 2 more epochs
    second = _run(*args, "--num_epochs", "2")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Restoring parameters from" in second.stderr
    assert "finished at step 180" in second.stdout
