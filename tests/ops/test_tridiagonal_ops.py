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


EIGH = (Path(__file__).parent / "eigh_tridiagonal_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_eigh_tridiagonal_matches_tf():
    here, theirs = run_both(EIGH)
    assert here["shapes"] == theirs["shapes"]
    assert here["errors"] == theirs["errors"]
    for key, val in here["values"].items():
        if key != "vc":  # complex eigenvectors agree up to a phase (compared as vc_abs)
            _close(val, theirs["values"][key], key)


def test_eigh_tridiagonal_here():
    v = run_here(EIGH)["values"]
    rng = np.random.RandomState(8)
    rng.randn(11)  # the float32 case's draws
    a, b = rng.randn(6), rng.randn(5)
    full = np.diag(a) + np.diag(b, 1) + np.diag(b, -1)
    np.testing.assert_allclose(v["vals_float64"], np.linalg.eigvalsh(full), atol=1e-4)
    vecs = np.array(v["v_float64"])
    np.testing.assert_allclose(full @ vecs, vecs * np.array(v["w_float64"]), atol=1e-3)
    re, im = np.array(v["vc"])
    vc = re + 1j * im
    np.testing.assert_allclose(vc.conj().T @ vc, np.eye(4), atol=1e-3)


COMPLEX = (Path(__file__).parent / "tridiagonal_complex_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_complex_tridiagonal_and_expm_match_tf():
    """complex64/128 solves (pivoting, no pivoting, conjugated rhs), products, their
    gradients and expm."""
    here, theirs = run_both(COMPLEX)
    assert here.keys() == theirs.keys()
    for key, val in here.items():
        _close(val, theirs[key], key)
