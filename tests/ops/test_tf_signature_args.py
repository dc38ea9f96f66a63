"""The arguments tfgraph gained to match TF 2.21's signatures (tests/test_api_signatures.py),
against TF: `bad_indices_policy` of gather_nd / scatter_nd / tensor_scatter_nd_*,
`layout` of zeros / ones / fill, `batch_shape` of eye, `k`/`align` of the matrix
diagonal functions, and the reordered or renamed parameters; values, op attrs, static
shapes and errors."""

from __future__ import annotations

import pytest

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


PROGRAM_ARGS = """
import json
cases = {
 "eye_batch": lambda: tf.eye(2, 3, batch_shape=[2]),
 "eye_batch_square": lambda: tf.linalg.eye(2, batch_shape=[2, 1], dtype=tf.int32),
 "eye_batch_tensor": lambda: tf.eye(2, batch_shape=tf.constant([3])),
 "eye_positional": lambda: tf.eye(3, None, [1], tf.float64, "e"),
 "diag_k0": lambda: tf.linalg.diag([[1., 2.]], k=0, align="LEFT_RIGHT"),
 "diag_positional": lambda: tf.matrix_diag([1., 2.], "d", 0, 3, 2, 9.),
 "diag_part_k0": lambda: tf.linalg.diag_part(np.arange(6.).reshape(2, 3), k=0, padding_value=1),
 "set_diag_k0": lambda: tf.linalg.set_diag(np.zeros([2, 2]), [5., 6.], k=0, align="RIGHT_RIGHT"),
 "tensor_diag_part": lambda: tf.linalg.tensor_diag_part(np.eye(2)),
 "diag_part_name": lambda: tf.diag_part(np.eye(3)),
 "zeros_layout": lambda: tf.zeros([2], layout="x"),
 "ones_layout": lambda: tf.ones([2], tf.int32, "o", None),
 "fill_layout": lambda: tf.fill([2], 1.0, layout=3),
 "cm_positional": lambda: tf.math.confusion_matrix([0, 1, 1], [1, 1, 0], 2, tf.float32, "cm"),
 "cm_dtype_none": lambda: tf.confusion_matrix([0, 1], [1, 1], dtype=None),
 "cm_weights": lambda: tf.confusion_matrix([0, 1], [1, 1], weights=[2., 3.]),
 "setdiff": lambda: tf.setdiff1d([1, 2, 3, 4], [2], tf.int64)[1],
 "euclid": lambda: tf.math.reduce_euclidean_norm([[3., 4.], [6., 8.]], 1, True),
 "to_number": lambda: tf.strings.to_number(input=["1.5", "2"]),
 "to_hash": lambda: tf.string_to_hash_bucket(input=["a", "b"], num_buckets=5),
 "group_kw": lambda: tf.group(tf.no_op(), foo=1, bar=2),
 "print_kw": lambda: tf.print(1, foo=2),
 "sparse_split_pos": lambda: tf.sparse.split(tf.SparseTensor([[0, 0]], [1.], [2, 2]), 2, 1),
 "sparse_add_none": lambda: tf.sparse.add(tf.SparseTensor([[0, 0]], [1.], [2, 2]),
                                          tf.SparseTensor([[0, 0]], [-1.], [2, 2]), None).values,
 "bincount_v1": lambda: tf.bincount([1, 1, 3], None, 5, None, tf.int64),
 "conv_required": lambda: tf.nn.convolution(tf.zeros([1, 3, 3, 1])),
 "xent_required": lambda: tf.nn.softmax_cross_entropy_with_logits_v2(logits=[[1., 2.]]),
}
out = {}
for key, make in cases.items():
    try:
        with tf.Graph().as_default():
            t = make()
            info = [t.op.name, t.op.type, t.shape.as_list(), t.dtype.name]
            with tf.Session() as sess:
                out[key] = [np.asarray(sess.run(t)).tolist(), info]
    except (ValueError, TypeError, AttributeError) as e:
        out[key] = [type(e).__name__, str(e)]
    except tf.errors.OpError as e:
        out[key] = [type(e).__name__, e.message]
print(json.dumps(out))
"""

_ARG_PHRASES = (
    "object has no attribute 'to_string'",
    "Unknown keyword arguments: foo, bar",
    "Unrecognized keyword arguments for tf.print",
    "Keyword arguments are required for this function.",
    "required positional argument",  # (TF's dispatch wrapper words it its own way)
)


@requires_tf
def test_tf_arguments_as_tf():
    want, got = run_tf_json(PROGRAM_ARGS), run_here_json(PROGRAM_ARGS)
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        if isinstance(w[0], str) and w[0].endswith("Error"):
            assert g[0] == w[0], (key, w, g)
            phrase = next((p for p in _ARG_PHRASES if p.lower() in w[1].lower()), w[1])
            assert phrase.lower() in g[1].lower(), (key, w, g)
        else:
            assert g == w, (key, w, g)


def test_layout_beyond_tfgraph():
    import tfgraph as tf

    class Layout:  # (a DTensor layout: tfgraph has no DTensor)
        def to_string(self):
            return "layout"

    with pytest.raises(NotImplementedError, match="no DTensor; pass layout=None"):
        tf.zeros([2], layout=Layout())


PROGRAM_DIAG = """
import json
x = np.arange(1., 13.).reshape(3, 4)
xb = np.arange(24.).reshape(2, 4, 3)
d1 = np.array([[1., 2.], [3., 4.]])
cases = {}
for align in ["RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT"]:
    for k in [1, -1, 2, (-1, 1), (0, 2), (-2, -1), (1, 3), (-3, 0)]:
        a = align[:2] + str(k)
        cases["part" + a] = lambda k=k, align=align: tf.linalg.diag_part(
            x, k=k, padding_value=-1, align=align)
        cases["partb" + a] = lambda k=k, align=align: tf.linalg.diag_part(xb, k=k, align=align)
        cases["set" + a] = lambda k=k, align=align: tf.linalg.set_diag(
            x, tf.linalg.diag_part(x, k=k, padding_value=9, align=align) * 0 + 7,
            k=k, align=align)
    for k, rows, cols in [(1, -1, -1), (-1, -1, -1), ((-1, 0), -1, -1), ((0, 1), 3, -1),
                          ((-1, 1), -1, 4), (1, 2, 3), (1, 5, 5), ((0, 1), 4, 4)]:
        diag = d1 if isinstance(k, tuple) else d1[0]
        cases[f"diag{align[:2]}{k}{rows}{cols}"] = (
            lambda k=k, diag=diag, rows=rows, cols=cols, align=align: tf.linalg.diag(
                diag, k=k, num_rows=rows, num_cols=cols, padding_value=0.5, align=align))
cases["bad_band"] = lambda: tf.linalg.diag_part(x, k=(2, 1))
cases["diag_count"] = lambda: tf.linalg.diag(np.ones([3, 2]), k=(0, 1))
cases["diag_inconsistent"] = lambda: tf.matrix_diag([1., 2.], k=1, num_rows=5, num_cols=2)
cases["part_unknown"] = None  # (a placeholder's band: static shape and values)
out = {}
for key, make in cases.items():
    try:
        with tf.Graph().as_default():
            p = tf.placeholder(tf.float64, [None, None])
            t = make() if key != "part_unknown" else tf.linalg.diag_part(p, k=(-1, 0))
            info = [t.shape.as_list() if t.shape.rank is not None else None, t.op.type]
            with tf.Session() as sess:
                v = sess.run(t, {p: x})
                gv = None
                if key != "part_unknown":  # (TF's gradient of it fails to build)
                    g = tf.gradients(tf.reduce_sum(t * t), t.op.inputs[0])[0]
                    gv = np.asarray(sess.run(g, {p: x})).tolist()
            out[key] = [np.asarray(v).tolist(), info, gv]
    except (ValueError, TypeError) as e:
        out[key] = [type(e).__name__, str(e)]
    except tf.errors.OpError as e:
        out[key] = [type(e).__name__, e.message]
print(json.dumps(out))
"""


@requires_tf
def test_matrix_diagonal_bands_as_tf():
    want, got = run_tf_json(PROGRAM_DIAG), run_here_json(PROGRAM_DIAG)
    assert set(got) == set(want)
    bad = {}
    for key, w in want.items():
        g = got[key]
        if isinstance(w[0], str) and w[0].endswith("Error"):
            if g[0] != w[0]:
                bad[key] = (w, g)
        elif g != w:
            bad[key] = (w, g)
    assert not bad, bad
