"""Run one tf.data snippet in tfgraph and in real TF and compare what it leaves in `out`.

A snippet sees `tf`, `np` and `tmp` (a scratch directory), and `drain(sess, t)`: the
values of `t` until OutOfRangeError. Values are compared as JSON (arrays as nested
lists with their dtype, bytes decoded)."""

from __future__ import annotations

import json
import textwrap

import numpy as np

import tfgraph
from tests.tfrun import run_tf

HELPERS = """
def drain(sess, t, feed_dict=None):
    got = []
    while True:
        try:
            got.append(sess.run(t, feed_dict))
        except tf.errors.OutOfRangeError:
            return got

def jsonable(v):
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in sorted(v.items())}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (np.ndarray, np.generic)):
        a = np.asarray(v)
        vals = jsonable(a.tolist()) if a.dtype != object else jsonable(a.tolist())
        return {"dtype": str(a.dtype), "value": vals}
    return v
"""


def run_both(code: str, tmp_path) -> tuple:
    """(tfgraph's out, TF's out) as JSON values."""
    code = textwrap.dedent(code)
    mine_dir, tf_dir = tmp_path / "tfgraph", tmp_path / "tf"
    mine_dir.mkdir()
    tf_dir.mkdir()
    scope: dict = {"tf": tfgraph, "np": np, "tmp": str(mine_dir)}
    exec(HELPERS, scope)
    with tfgraph.Graph().as_default():
        exec(code, scope)
    mine = json.loads(json.dumps(scope["jsonable"](scope["out"])))
    snippet = (
        HELPERS + f"tmp = {str(tf_dir)!r}\n" + code + "\nprint('@@' + json.dumps(jsonable(out)))\n"
    )
    printed = run_tf(snippet)
    theirs = json.loads(printed.split("@@", 1)[1])
    return mine, theirs
