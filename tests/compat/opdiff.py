"""Differential graph/value comparison of small programs between tfgraph and real TF.

A *case* is Python source that uses `tf` and `np`, and defines:
    out     a Tensor/Operation or a list of them to fetch (required unless it raises),
    feed    optional feed_dict,
    phrase  optional text both error messages must contain.

`RUNNER` (below) is executed in both interpreters: it builds each case in a fresh
graph and records the ops (name, type, input names, control input names), the static
dtype/shape of each fetched tensor, the fetched values, and any error (class name,
message) raised while building or running. The TF side runs once, in a subprocess
(`tests/tfrun.py`), for all cases; the tfgraph side runs in-process.
"""

from __future__ import annotations

import difflib
import json
import warnings

import numpy as np

RUNNER = r"""
def _describe_graph(g):
    return [
        [op.name, op.type, [t.name for t in op.inputs], sorted(c.name for c in op.control_inputs)]
        for op in g.get_operations()
    ]


def _encode(v):
    a = np.asarray(v)
    if a.dtype.kind in "OSU":
        flat = [x.decode("latin-1") if isinstance(x, bytes) else str(x) for x in a.reshape(-1)]
        return {"dtype": "string", "shape": list(a.shape), "value": flat}
    if a.dtype.kind == "c":
        flat = [[float(x.real), float(x.imag)] for x in a.reshape(-1)]
        return {"dtype": str(a.dtype), "shape": list(a.shape), "value": flat}
    return {"dtype": str(a.dtype), "shape": list(a.shape), "value": a.reshape(-1).tolist()}


def _static(t):
    if not isinstance(t, tf.Tensor):
        return None
    dims = t.shape.as_list() if t.shape.ndims is not None else None
    return [t.dtype.name, dims]


def _run_case(code):
    g = tf.Graph()
    result = {}
    with g.as_default():
        ns = {"tf": tf, "np": np}
        try:
            exec(code, ns)
        except Exception as e:
            result["build_error"] = [type(e).__name__, str(e)]
            result["ops"] = _describe_graph(g)
            return result
        result["ops"] = _describe_graph(g)
        out = ns.get("out")
        if out is None:
            return result
        fetches = list(out) if isinstance(out, (list, tuple)) else [out]
        result["static"] = [_static(t) for t in fetches]
        with tf.Session(graph=g) as sess:
            try:
                if ns.get("init") is not None:
                    sess.run(ns["init"])
                vals = sess.run(fetches, feed_dict=ns.get("feed"))
            except Exception as e:
                result["run_error"] = [type(e).__name__, getattr(e, "message", str(e))]
                return result
        result["values"] = [None if v is None else _encode(v) for v in vals]
    return result
"""


def run_cases_in_tf(cases: dict[str, str]) -> dict[str, dict]:
    """Runs every case in real TF (one subprocess); returns the results by case name."""
    from tests.tfrun import run_tf

    code = (
        RUNNER
        + "\n_CASES = json.loads("
        + repr(json.dumps(cases))
        + ")\nprint(json.dumps({k: _run_case(v) for k, v in _CASES.items()}))\n"
    )
    return json.loads(run_tf(code))


def run_case_in_tfgraph(code: str) -> dict:
    import tfgraph

    ns: dict = {"tf": tfgraph, "np": np}
    exec(compile(RUNNER, "<opdiff runner>", "exec"), ns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # TF returns inf/nan silently
        return ns["_run_case"](code)


def _fmt_ops(ops) -> list[str]:
    return [f"{n} {t} {ins} {ctrl or ''}".rstrip() for n, t, ins, ctrl in ops]


def _values_close(a: dict, b: dict) -> bool:
    if a["dtype"] != b["dtype"] or a["shape"] != b["shape"]:
        return False
    if a["dtype"] == "string":
        return a["value"] == b["value"]
    x = np.asarray(a["value"], dtype=np.float64)
    y = np.asarray(b["value"], dtype=np.float64)
    if x.shape != y.shape:
        return False
    return bool(np.allclose(x, y, rtol=1e-5, atol=1e-6, equal_nan=True))


def compare(name: str, code: str, expected: dict, actual: dict) -> list[str]:
    """Human-readable differences between TF's result (`expected`) and tfgraph's."""
    problems: list[str] = []
    if expected["ops"] != actual["ops"]:
        diff = difflib.unified_diff(
            _fmt_ops(expected["ops"]), _fmt_ops(actual["ops"]), "tf", "tfgraph", lineterm="", n=2
        )
        problems.append("ops differ:\n" + "\n".join(diff))
    phrase = None
    if "phrase = " in code:
        ns: dict = {}
        for line in code.splitlines():
            if line.startswith("phrase = "):
                exec(line, ns)
        phrase = ns.get("phrase")
    for key in ("build_error", "run_error"):
        e, a = expected.get(key), actual.get(key)
        if e is None and a is None:
            continue
        if e is None or a is None:
            problems.append(f"{key}: tf={e!r} tfgraph={a!r}")
            continue
        if e[0] != a[0]:
            problems.append(f"{key} class: tf={e[0]} tfgraph={a[0]} ({a[1][:300]!r})")
        if phrase is not None:
            for who, msg in (("tf", e[1]), ("tfgraph", a[1])):
                if phrase not in msg:
                    problems.append(f"{key}: {who} message lacks {phrase!r}: {msg[:400]!r}")
    if expected.get("static") != actual.get("static"):
        problems.append(
            f"static dtype/shape: tf={expected.get('static')} tfgraph={actual.get('static')}"
        )
    ev, av = expected.get("values"), actual.get("values")
    if (ev is None) != (av is None):
        problems.append(f"values: tf={ev is not None} tfgraph={av is not None}")
    elif ev is not None:
        if len(ev) != len(av):
            problems.append(f"number of values: tf={len(ev)} tfgraph={len(av)}")
        for i, (x, y) in enumerate(zip(ev, av, strict=False)):
            if (x is None) != (y is None) or (x is not None and not _values_close(x, y)):
                problems.append(f"value {i}: tf={x} tfgraph={y}")
    return problems
