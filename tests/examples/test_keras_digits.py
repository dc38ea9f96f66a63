"""examples/keras_digits.py trains a small tf.keras CNN to high accuracy and reloads
its saved weights."""

from __future__ import annotations

import importlib.util

import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT

pytest.importorskip("sklearn")


def test_keras_digits_learns_and_reloads(capsys):
    spec = importlib.util.spec_from_file_location(
        "keras_digits", REPO_ROOT / "examples" / "keras_digits.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.tf is tf
    accuracy = module.main(["--epochs", "6"])
    out = capsys.readouterr().out
    # (seeded: its initial weights and dropout masks are TF's own draws; six epochs
    # reach about 0.90 test accuracy, chance is 0.10)
    assert accuracy > 0.88
    assert 'Model: "sequential"' in out
    assert "same predictions" in out
