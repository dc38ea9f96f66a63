"""tf.linalg.tridiagonal_solve / tridiagonal_matmul (ops TridiagonalSolve,
TridiagonalMatMul) and tf.linalg.expm against TF: values in every diagonals format,
pivoting and perturbation, gradients, shapes and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = (Path(__file__).parent / "tridiagonal_program.txt").read_text()


def _close(a, b, key):
    a, b = np.array(a, np.float64), np.array(b, np.float64)
    np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3, err_msg=key)


@pytest.mark.tf
@requires_tf
def test_tridiagonal_and_expm_match_tf():
    here, theirs = run_both(PROGRAM)
    assert here["shapes"] == theirs["shapes"]
    assert here["types"] == theirs["types"]
    assert here["errors"] == theirs["errors"]
    for key, val in here["values"].items():
        _close(val, theirs["values"][key], key)


def test_tridiagonal_here():
    r = run_here(PROGRAM)
    v = r["values"]
    assert np.all(np.isnan(v["singular"])) and np.all(np.isnan(v["nopivot_nan"]))
    assert np.all(np.isfinite(v["perturbed"]))
    np.testing.assert_allclose(v["solve_float64"], v["solve_np_float64"], atol=1e-6)
    np.testing.assert_allclose(v["solve_float64"], v["solve_seq_float64"], atol=1e-9)
