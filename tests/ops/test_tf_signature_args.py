"""The arguments tfgraph gained to match TF 2.21's signatures (tests/test_api_signatures.py),
against TF: `bad_indices_policy` of gather_nd / scatter_nd / tensor_scatter_nd_*,
`layout` of zeros / ones / fill, `batch_shape` of eye, `k`/`align` of the matrix
diagonal functions, and the reordered or renamed parameters; values, op attrs, static
shapes and errors."""

from __future__ import annotations

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
p = np.arange(6.).reshape(3, 2)
cases = {}
for pol in ["", "DEFAULT", "ERROR", "IGNORE", "bogus"]:
    cases["gather_bad_" + pol] = lambda pol=pol: tf.gather_nd(
        p, [[0], [5], [-1]], bad_indices_policy=pol)
    cases["gather_ok_" + pol] = lambda pol=pol: tf.gather_nd(
        p, [[2, 1], [1, 0]], bad_indices_policy=pol)
    cases["scatter_" + pol] = lambda pol=pol: tf.scatter_nd(
        [[0], [5], [2]], [1., 2., 3.], [3], bad_indices_policy=pol)
    for f in ["add", "sub", "min", "max"]:
        cases[f"ts_{f}_{pol}"] = lambda pol=pol, f=f: getattr(tf, "tensor_scatter_nd_" + f)(
            tf.ones([3, 2]), [[1], [3]], [[5., 6.], [7., 8.]], bad_indices_policy=pol)
cases["gather_ignore_2d"] = lambda: tf.gather_nd(
    p, [[0, 1], [0, 2], [2, 0]], bad_indices_policy="IGNORE")
cases["scatter_pos"] = lambda: tf.scatter_nd([[1]], [4.], [2], "IGNORE", "sc")
cases["ts_pos"] = lambda: tf.tensor_scatter_add(tf.zeros([2]), [[1]], [4.], "", "tsa")
cases["manip_gather"] = lambda: tf.manip.gather_nd(p, [[1]], None, 0, "IGNORE")
out = {}
for key, make in cases.items():
    try:
        with tf.Graph().as_default():
            t = make()
            info = [t.op.name, t.op.type, t.shape.as_list()]
            if "bad_indices_policy" in t.op.node_def.attr:
                info.append(t.op.get_attr("bad_indices_policy").decode())
            with tf.Session() as sess:
                out[key] = [np.asarray(sess.run(t)).tolist(), info]
    except (ValueError, TypeError) as e:
        out[key] = [type(e).__name__, str(e)]
    except tf.errors.OpError as e:
        out[key] = [type(e).__name__, e.message]
print(json.dumps(out))
"""

# the phrase of TF's message tfgraph's must contain (tfgraph adds what to do)
_PHRASES = (
    "No OpKernel was registered to support Op 'GatherNd'",
    "Unknown bad indices handling attribute: bogus",
    "does not index into",
)


def _compare(want: dict, got: dict) -> None:
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        if isinstance(w[0], str) and w[0].endswith("Error"):
            assert g[0] == w[0], (key, w, g)
            phrase = next((p for p in _PHRASES if p in w[1]), w[1])
            assert phrase in g[1], (key, w, g)
        else:
            assert g == w, key


@requires_tf
def test_bad_indices_policy_as_tf():
    _compare(run_tf_json(PROGRAM), run_here_json(PROGRAM))
