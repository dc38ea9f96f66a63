"""The training examples run (in-process, as a user runs them) and reach their results."""

from __future__ import annotations

import importlib.util
import os

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
