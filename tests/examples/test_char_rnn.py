"""examples/char_rnn.py runs briefly (a small model, few iterations) and learns."""

from __future__ import annotations

import importlib.util

import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT


def _load():
    spec = importlib.util.spec_from_file_location(
        "char_rnn", REPO_ROOT / "examples" / "char_rnn.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.tf is tf
    return module


@pytest.mark.parametrize("dynamic", [False, True], ids=["static_rnn", "dynamic_rnn"])
def test_char_rnn_loss_decreases_and_it_samples(capsys, dynamic):
    example = _load()
    losses = example.main(
        ["--dynamic"] * dynamic
        + [
            "--iterations",
            "15",
            "--batch_size",
            "8",
            "--steps",
            "20",
            "--hidden",
            "32",
            "--print_every",
            "5",
            "--sample_length",
            "20",
        ]
    )
    out = capsys.readouterr().out
    assert len(losses) == 15
    assert sum(losses[-3:]) / 3 < losses[0] - 0.3
    assert "vocabulary of" in out and "iteration   15" in out
    sample_line = out.strip().splitlines()[-1]
    assert sample_line.startswith("sample: The ") and len(sample_line) > len("sample: The ")


def test_char_rnn_text_is_bundled():
    ids, chars = _load().load_text()
    assert len(ids) > 15000 and 30 < len(chars) < 100
