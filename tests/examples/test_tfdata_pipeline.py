"""examples/tfdata_pipeline.py: TFRecords written, parsed by a tf.data pipeline and a
model trained in a Session loop until OutOfRangeError."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT, requires_tf, run_tf

needs_parsing = pytest.mark.skipif(
    not hasattr(tf.io, "parse_single_example"),
    reason="needs tf.io.parse_single_example (ParseExampleV2, the queues branch)",
)


def _load():
    spec = importlib.util.spec_from_file_location(
        "tfdata_pipeline", REPO_ROOT / "examples" / "tfdata_pipeline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_parsing
def test_trains_until_the_dataset_ends(capsys):
    example = _load()
    w, b, steps = example.main(["--epochs", "20"])
    assert steps == 20 * 13  # 400 examples in batches of 32: 13 batches per epoch
    np.testing.assert_allclose(w, example.TRUE_W, atol=0.05)
    assert abs(b - example.TRUE_B) < 0.05
    out = capsys.readouterr().out
    assert "260 steps; the dataset is exhausted" in out


@needs_parsing
@pytest.mark.tf
@requires_tf
def test_same_steps_and_fit_as_tf(tmp_path, capsys):
    """The script runs unchanged on TF: the same number of steps, the same fit."""
    source = (REPO_ROOT / "examples" / "tfdata_pipeline.py").read_text()
    code = source.replace("from __future__ import annotations", "")
    code = code.replace("import tfgraph as tf", "pass").replace(
        'if __name__ == "__main__":\n    main()',
        'w, b, steps = main(["--epochs", "5"])\nprint("@@", json.dumps([w.tolist(), b, steps]))',
    )
    import json

    theirs = json.loads(run_tf(code).split("@@", 1)[1])
    w, b, steps = _load().main(["--epochs", "5"])
    assert steps == theirs[2] == 65
    np.testing.assert_allclose(w, theirs[0], atol=0.05)
    assert abs(b - theirs[1]) < 0.05
