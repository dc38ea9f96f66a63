"""Run the same TF1 program text on tfgraph and on real TensorFlow, and summarize both.

A program is Python source using `tf` and `np`. It may call `record(key, value)` to
report values (numpy values become lists) and `attempt(key, fn)` to report either the
value of `fn()` or the error class and first message line. After it runs, the harness
records the graph: every op's name, type, inputs, control inputs, device and attr
names, and the collections of variables. All programs of a test module run in ONE
TensorFlow subprocess (importing TF takes seconds).
"""

from __future__ import annotations

import json

from tests import tfrun

SUMMARY_CODE = r"""
def _plain(value):
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return [_plain(v) for v in value.tolist()]
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (np.generic,)):
        return _plain(value.item()) if not isinstance(value, np.bytes_) else value.decode("latin-1")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, complex):
        return [value.real, value.imag]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _summarize_graph(g):
    out = []
    for o in g.get_operations():
        attrs = sorted(k for k in o.node_def.attr if k != "_has_manual_control_dependencies")
        out.append([o.name, o.type, [i.name for i in o.inputs],
                    [c.name for c in o.control_inputs], o.device, attrs])
    return out


def _run_program(source):
    results = {}

    def record(key, value):
        results[key] = _plain(value)

    def attempt(key, fn):
        try:
            results[key] = {"ok": _plain(fn())}
        except Exception as e:  # noqa: BLE001
            results[key] = {"error": type(e).__name__, "message": str(e)}

    g = tf.Graph()
    with g.as_default():
        exec(source, {"tf": tf, "np": np, "record": record, "attempt": attempt})
        return {
            "results": results,
            "graph": _summarize_graph(g),
            "collections": {
                key: [getattr(v, "name", repr(v)) for v in g.get_collection(key)]
                for key in ("variables", "trainable_variables", "local_variables")
            },
        }
"""


def run_programs_in_tf(programs: dict[str, str]) -> dict:
    """Runs every program in one TF subprocess; returns {name: summary}."""
    code = SUMMARY_CODE + (
        "\nimport json\n_programs = json.loads(" + repr(json.dumps(programs)) + ")\n"
        "print(json.dumps({k: _run_program(v) for k, v in _programs.items()}))\n"
    )
    out = tfrun.run_tf(code)
    return json.loads(out.strip().splitlines()[-1])


def run_program_in_tfgraph(source: str) -> dict:
    import numpy as np

    import tfgraph as tf

    namespace = {"tf": tf, "np": np}
    exec(SUMMARY_CODE, namespace)
    return json.loads(json.dumps(namespace["_run_program"](source)))
