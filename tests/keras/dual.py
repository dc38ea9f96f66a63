"""Runs one TF1-style program in tfgraph and in real TensorFlow (Keras 2) and compares
what it leaves in `result`: strings and ints exactly, floats to a tolerance."""

from __future__ import annotations

import json

import numpy as np

import tfgraph.compat.v1 as tfv1
from tests.tfrun import run_tf_json

_PRELUDE = """
def _plain(o):
    return o.tolist() if hasattr(o, "tolist") else str(o)
"""


def _normalize(value):
    return json.loads(
        json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))
    )


def ours(program: str) -> dict:
    """`program`'s `result` run with `tf` = tfgraph.compat.v1 (in the test's fresh graph)."""
    scope = {"tf": tfv1, "np": np, "json": json}
    exec(_PRELUDE + program, scope)
    return _normalize(scope["result"])


def theirs(program: str) -> dict:
    """`program`'s `result` run in TensorFlow's interpreter (graph mode, Keras 2)."""
    return run_tf_json(_PRELUDE + program + "\nprint(json.dumps(result, default=_plain))\n")


def assert_same(a, b, path: str = "result", rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Equal structures: same keys and strings, numbers close."""
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        assert sorted(a) == sorted(b), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]", rtol, atol)
    elif isinstance(a, list) and (not a or not isinstance(a[0], (int, float)) or _ragged(a)):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]", rtol, atol)
    elif isinstance(a, (bool, str)) or a is None:
        assert a == b, f"{path}: {a!r} != {b!r}"
    else:
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=atol, err_msg=path)  # fmt: skip


def _ragged(a: list) -> bool:
    return any(isinstance(x, (list, str, dict)) or x is None for x in a)
