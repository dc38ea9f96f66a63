"""Runs ragged cases in tfgraph and in TF 2.21 (compat.v1 graph mode) alike and compares
them: fetched values (RaggedTensorValue.to_list(), dense arrays, SparseTensorValues),
static dtypes/shapes, the graph's ops (name and type) and errors (class and message).

A cases source defines `cases`: name -> function building the fetch (one value or a
list; a trailing dict in the list is the feed_dict).
"""

from __future__ import annotations

import json

import numpy as np

import tfgraph as tf
from tests.tfrun import run_tf_json

HARNESS = r"""
def _dec(x):
    if isinstance(x, list):
        return [_dec(y) for y in x]
    return x.decode("latin-1") if isinstance(x, bytes) else x


def _enc(v):
    if hasattr(v, "to_list"):
        return {"ragged": _dec(v.to_list()), "splits_dtype": str(v.row_splits.dtype),
                "dtype": str(v.flat_values.dtype)}
    if hasattr(v, "dense_shape"):
        return {"sparse": [np.asarray(v.indices).tolist(), _dec(np.asarray(v.values).tolist()),
                           np.asarray(v.dense_shape).tolist()]}
    a = np.asarray(v)
    return {"dense": _dec(a.tolist()), "dtype": str(a.dtype)}


def run_cases(cases):
    out = {}
    for k, f in cases.items():
        g = tf.Graph()
        with g.as_default():
            res = {}
            try:
                y = f()
                many = isinstance(y, list)
                fd = y.pop() if many and y and isinstance(y[-1], dict) else {}
                res["static"] = [[t.dtype.name, str(t.shape)] for t in (y if many else [y])]
                res["ops"] = [[o.name, o.type] for o in g.get_operations()]
                with tf.Session() as sess:
                    vals = sess.run(y, fd)
                res["value"] = [_enc(v) for v in vals] if many else _enc(vals)
            except Exception as e:
                res["error"] = [type(e).__name__, str(e)[:3000]]
            out[k] = res
    return out
"""


def run_here(cases_src: str) -> dict:
    scope = {"tf": tf, "np": np}
    exec(HARNESS + cases_src + "\nout = run_cases(cases)\n", scope)
    return json.loads(json.dumps(scope["out"]))


def run_tf(cases_src: str) -> dict:
    return run_tf_json(HARNESS + cases_src + "\nprint(json.dumps(run_cases(cases)))\n")


def _close(a, b, path: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: {a} vs {b}"
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {a} vs {b}"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert np.isclose(a, b, rtol=1e-6, atol=1e-7, equal_nan=True), f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def compare(here: dict, theirs: dict, name: str, ops: bool = True) -> None:
    """The case `name` agrees: value (floats to 1e-6), static, error and, unless
    `ops` is False, the graph's ops in order."""
    a, b = here[name], theirs[name]
    ea, eb = a.get("error"), b.get("error")
    if ea is not None and eb is not None and ea[0] == eb[0] == "InvalidArgumentError":
        # (TF's run-time message adds where the node was defined: compare its first line)
        assert ea[1].split("\n")[0] in eb[1], (ea, eb)
    else:
        assert ea == eb, (ea, eb)
    _close(a.get("value"), b.get("value"), name)
    assert a.get("static") == b.get("static")
    if ops:
        assert a.get("ops") == b.get("ops")
    else:  # (the same op types at least where the graph is not TF's op for op)
        assert a.get("ops") is not None and b.get("ops") is not None


def case_names(cases_src: str) -> list[str]:
    """The names of the cases `cases_src` defines (in its dict `cases`), for parametrize."""
    scope = {"tf": tf, "np": np}
    exec(cases_src, scope)
    return list(scope["cases"])
