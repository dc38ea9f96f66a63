"""TF1 loss scaling (tf.compat.v1.mixed_precision, tf.train.experimental): the same
program in tfgraph and TF gives the same graph (op names and types, in order), the
same variables, the same training steps (a dynamic scale growing, and shrinking on
non-finite gradients while the step is skipped) and the same errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = (Path(__file__).parent / "loss_scale_program.txt").read_text()


def _ours():
    return run_here_json(PROGRAM)


def test_dynamic_scale_skips_non_finite_steps_and_adapts():
    steps = _ours()["steps"]  # [w, loss scale, good steps, global step] after each run
    scales = [row[1] for row in steps]
    assert scales == [8.0, 16.0, 8.0, 8.0, 16.0, 8.0]
    assert [row[3] for row in steps] == [1, 2, 2, 3, 4, 4]  # (skipped steps: no increment)
    assert steps[2][0] == steps[1][0]  # (an inf gradient: the variables are left alone)
    np.testing.assert_allclose(steps[0][0], [0.8, 1.6], rtol=1e-6)


@pytest.mark.tf
@requires_tf
def test_loss_scaling_matches_tf():
    ours, theirs = _ours(), run_tf_json(PROGRAM)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key
