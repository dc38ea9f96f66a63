"""The training examples run (in-process, as a user runs them) and reach their results."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.tf is tf
    return module


def test_digits_reaches_95_percent_and_logs(tmp_path, capsys):
    pytest.importorskip("sklearn")
    digits = _load("digits")
    logdir = tmp_path / "digits"
    accuracy = digits.main(["--logdir", str(logdir)])
    out = capsys.readouterr().out
    assert accuracy >= 0.95
    assert "epoch   1  step    23" in out and "epoch  30  step   690" in out
    assert f"final test accuracy: {accuracy:.4f}" in out
    (name,) = os.listdir(logdir)
    events = list(tf.train.summary_iterator(str(logdir / name)))
    losses = [v.simple_value for e in events for v in e.summary.value if v.tag == "loss"]
    assert len(losses) == 690 and losses[-1] < losses[0]


def test_digits_without_logdir(capsys):
    pytest.importorskip("sklearn")
    accuracy = _load("digits").main(["--logdir", "", "--epochs", "10"])
    assert accuracy >= 0.95
    assert "TensorBoard" not in capsys.readouterr().out


def test_linear_regression_recovers_the_plane(capsys):
    example = _load("linear_regression")
    w, b, loss = example.main([])
    np.testing.assert_allclose(w.ravel(), example.TRUE_W.ravel(), atol=0.01)
    assert abs(b - example.TRUE_B) < 0.01
    assert loss < 0.003
    out = capsys.readouterr().out
    assert "step    1  loss" in out and "step  300  loss" in out


def test_variable_sharing_has_one_set_of_variables(capsys):
    accuracy = _load("variable_sharing").main([])
    out = capsys.readouterr().out
    assert "trainable variables: ['tower/w1:0', 'tower/b1:0', 'tower/w2:0']" in out
    assert accuracy >= 0.9


def test_digits_rerun_replaces_its_events(tmp_path, capsys):
    """Running the example twice leaves one run for TensorBoard, not two identical."""
    pytest.importorskip("sklearn")
    digits = _load("digits")
    logdir = tmp_path / "digits"
    logdir.mkdir()
    (logdir / "notes.txt").write_text("kept")
    digits.main(["--logdir", str(logdir), "--epochs", "1"])
    (first,) = [n for n in os.listdir(logdir) if n.startswith("events.")]
    time.sleep(1.1)  # event file names carry the second
    digits.main(["--logdir", str(logdir), "--epochs", "1"])
    names = sorted(os.listdir(logdir))
    assert len(names) == 2 and "notes.txt" in names and first not in names
    (second,) = [n for n in names if n.startswith("events.")]
    steps = [e.step for e in tf.train.summary_iterator(str(logdir / second)) if e.summary.value]
    assert steps == list(range(1, 24))


def test_digits_logdir_without_value_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "digits.py"), "--logdir"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("usage: digits.py")
    assert "error: argument --logdir: expected one argument" in proc.stderr
