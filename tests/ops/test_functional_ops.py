"""tf.map_fn, tf.scan, tf.foldl and tf.foldr as TF1 builds them: values and graphs (op
names, types, inputs and control inputs, in creation order) compared with real TF, one
TF process for all programs; plus behaviour without TF."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun

# Each program builds a graph and sets `out` (a list of fetches) and optionally `feed`.
PROGRAMS = {
    "map_fn_simple": """
x = tf.constant([[1., 2.], [3., 4.], [5., 6.]])
out = [tf.map_fn(lambda r: r * 2., x)]
""",
    "map_fn_dtype_and_tuple_output": """
x = tf.constant([1, 2, 3, 4])
a, b = tf.map_fn(lambda v: (tf.cast(v, tf.float32) * 0.5, v * v), x, dtype=(tf.float32, tf.int32))
out = [a, b]
""",
    "map_fn_nested_in_and_out": """
x = tf.constant([[1., 2.], [3., 4.], [5., 6.]])
y = tf.constant([10., 20., 30.])
r = tf.map_fn(lambda e: {"s": tf.reduce_sum(e[0]) + e[1][0], "p": e[0] * e[1][1]},
              (x, (y, y * 2.)), dtype={"s": tf.float32, "p": tf.float32})
out = [r["s"], r["p"]]
""",
    "map_fn_unknown_length_and_options": """
x = tf.placeholder(tf.float32, [None, 3])
r = tf.map_fn(lambda v: tf.reduce_max(v), x, parallel_iterations=1, back_prop=False,
              swap_memory=True, name="m")
out = [r, tf.shape(r)]
feed = {x: np.arange(12.).reshape(4, 3)}
""",
    "scan_cumsum": """
x = tf.constant([1., 2., 3., 4.])
out = [tf.scan(lambda a, v: a + v, x)]
""",
    "scan_initializer": """
x = tf.constant([[1., 2.], [3., 4.], [5., 6.]])
out = [tf.scan(lambda a, v: a * 0.5 + v, x, initializer=tf.constant([1., -1.]))]
""",
    "scan_reverse": """
x = tf.constant([1., 2., 3., 4.])
out = [tf.scan(lambda a, v: a * 2. + v, x, reverse=True),
       tf.scan(lambda a, v: a - v, x, initializer=100., reverse=True)]
""",
    "scan_nested": """
x = tf.constant([1., 2., 3.])
y = tf.constant([[1., 0.], [0., 1.], [1., 1.]])
r = tf.scan(lambda a, e: (a[0] + e[0], a[1] * 2. + e[1]), (x, y),
            initializer=(tf.constant(0.), tf.constant([1., 1.])))
out = [r[0], r[1]]
""",
    "scan_and_fold_over_dicts": """
e = {"b": tf.constant([1., 2., 3.]), "a": tf.constant([[1., 2.], [3., 4.], [5., 6.]])}
s = tf.scan(lambda acc, v: {"b": acc["b"] + v["b"], "a": acc["a"] * v["a"]}, e)
f = tf.foldl(lambda acc, v: acc + v["b"] * tf.reduce_sum(v["a"]), e, initializer=0.)
out = [s["a"], s["b"], f]
""",
    "foldl": """
x = tf.constant([1., 2., 3., 4.])
out = [tf.foldl(lambda a, v: a * 2. + v, x), tf.foldl(lambda a, v: a - v, x, initializer=10.)]
""",
    "foldr": """
x = tf.constant([1., 2., 3., 4.])
out = [tf.foldr(lambda a, v: a * 2. + v, x), tf.foldr(lambda a, v: a - v, x, initializer=10.)]
""",
    "fold_nested": """
x = tf.constant([1., 2., 3.])
y = tf.constant([4., 5., 6.])
out = [tf.foldl(lambda a, e: a + e[0] * e[1], (x, y), initializer=0.),
       tf.foldr(lambda a, e: a * e[0] + e[1], (x, y), initializer=1.)]
""",
    "fold_unknown_length": """
x = tf.placeholder(tf.float32, [None])
out = [tf.foldl(lambda a, v: a + v, x), tf.foldr(lambda a, v: a + v * v, x, initializer=0.)]
feed = {x: [1., 2., 3.]}
""",
}

_TF_RUNNER = """
results = {}
for name, code in PROGRAMS.items():
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np, "feed": None}
        exec(code, ns)
        ops = [[o.name, o.type, [t.name for t in o.inputs],
                sorted(c.name for c in o.control_inputs)] for o in g.get_operations()]
        with tf.Session() as sess:
            values = sess.run(ns["out"], ns["feed"])
    results[name] = {
        "values": [[np.asarray(v).tolist(), np.asarray(v).dtype.name] for v in values],
        "shapes": [str(t.shape) for t in ns["out"]],
        "ops": ops,
    }
print(json.dumps(results))
"""


def _build(code: str):
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np, "feed": None}
        exec(code, ns)
        ops = [
            [o.name, o.type, [t.name for t in o.inputs], sorted(c.name for c in o.control_inputs)]
            for o in g.get_operations()
        ]
        with tf.Session() as sess:
            values = sess.run(ns["out"], ns["feed"])
    return ns, ops, values


@pytest.fixture(scope="module")
def tf_results():
    return tfrun.run_tf_json(f"PROGRAMS = {PROGRAMS!r}\n" + _TF_RUNNER)


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_values_and_static_shapes_equal_tf(name, tf_results):
    ns, _, values = _build(PROGRAMS[name])
    theirs = tf_results[name]
    assert [str(t.shape) for t in ns["out"]] == theirs["shapes"]
    for mine, (value, dtype) in zip(values, theirs["values"]):
        mine = np.asarray(mine)
        assert mine.dtype.name == dtype
        np.testing.assert_allclose(mine, np.asarray(value, dtype=dtype), rtol=1e-6)


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_graph_equals_tfs_op_for_op(name, tf_results):
    _, ops, _ = _build(PROGRAMS[name])
    assert ops == tf_results[name]["ops"]


def test_map_fn_values_and_graph():
    _, ops, values = _build(PROGRAMS["map_fn_simple"])
    np.testing.assert_array_equal(values[0], [[2, 4], [6, 8], [10, 12]])
    types = {name: t for name, t, _, _ in ops}
    assert types["map/TensorArray"] == "TensorArrayV3"
    assert types["map/while/TensorArrayReadV3"] == "TensorArrayReadV3"
    assert types["map/while/TensorArrayWrite/TensorArrayWriteV3"] == "TensorArrayWriteV3"
    assert types["map/TensorArrayStack/TensorArrayGatherV3"] == "TensorArrayGatherV3"
    enter = dict((n, i) for n, _, i, _ in ops)["map/while/TensorArrayReadV3/Enter"]
    assert enter == ["map/TensorArray:0"]  # (the handle enters as a loop invariant)


def test_map_fn_structures():
    _, _, (a, b) = _build(PROGRAMS["map_fn_dtype_and_tuple_output"])
    np.testing.assert_array_equal(a, [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(b, [1, 4, 9, 16])
    _, _, (s, p) = _build(PROGRAMS["map_fn_nested_in_and_out"])
    np.testing.assert_array_equal(s, [13.0, 27.0, 41.0])
    np.testing.assert_array_equal(p, [[20, 40], [120, 160], [300, 360]])
    Pair = collections.namedtuple("Pair", "a b")
    r = tf.map_fn(lambda e: Pair(e.a + e.b, e.a - e.b), Pair(tf.ones([2]), tf.ones([2]) * 3.0))
    assert isinstance(r, Pair)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(r.a), [4.0, 4.0])


def test_scan_and_folds():
    assert _build(PROGRAMS["scan_cumsum"])[2][0].tolist() == [1.0, 3.0, 6.0, 10.0]
    rev, rev_init = _build(PROGRAMS["scan_reverse"])[2]
    assert rev.tolist() == [49.0, 24.0, 11.0, 4.0]
    assert rev_init.tolist() == [90.0, 91.0, 93.0, 96.0]
    assert _build(PROGRAMS["foldl"])[2] == [26.0, 0.0]
    assert _build(PROGRAMS["foldr"])[2] == [49.0, 0.0]


def test_errors():
    with pytest.raises(TypeError, match="not callable"):
        tf.map_fn(3, tf.ones([2]))
    with pytest.raises(ValueError, match="Elements in elems must be 1\\+ dimensional"):
        tf.map_fn(lambda v: v, tf.constant(1.0))
    with pytest.raises(ValueError, match="same nested structure|same number of elements"):
        tf.map_fn(lambda v: (v, v), tf.ones([2]))
    with pytest.raises(TypeError, match="not callable"):
        tf.scan(None, tf.ones([2]))
    with pytest.raises(TypeError, match="not callable"):
        tf.foldl(None, tf.ones([2]))
    assert tf.compat.v1.map_fn is tf.map_fn and tf.compat.v1.foldr is tf.foldr


_TF_NODE_DEFS = """
names = NAMES
mismatched = []
for name, code in PROGRAMS.items():
    g = tf.Graph()
    with g.as_default():
        exec(code, {"tf": tf, "np": np, "feed": None})
    ours = tf.GraphDef()
    ours.ParseFromString(open(os.path.join(DIR, names[name] + ".pb"), "rb").read())

    def nodes(gd):
        out = {}
        for n in gd.node:
            m = tf.NodeDef()
            m.CopyFrom(n)
            m.attr.pop("_has_manual_control_dependencies", None)
            m.ClearField("experimental_type")
            out[m.name] = m.SerializeToString(deterministic=True)
        return out

    if nodes(g.as_graph_def()) != nodes(ours):
        mismatched.append(name)
print(json.dumps(mismatched))
"""


@pytest.mark.tf
@tfrun.requires_tf
def test_graph_defs_equal_tfs_node_for_node(tmp_path):
    """Every map_fn/scan/fold and TensorArray program's NodeDefs (attrs, devices,
    colocation included) equal TF's, read back by TF."""
    from tests.ops import test_tensor_array_ops

    programs = dict(PROGRAMS)
    programs.update(test_tensor_array_ops.PROGRAMS)
    names = {}
    for i, (name, code) in enumerate(sorted(programs.items())):
        g = tf.Graph()
        with g.as_default():
            exec(code, {"tf": tf, "np": np, "feed": None})
        names[name] = f"p{i}"
        (tmp_path / f"p{i}.pb").write_bytes(g.as_graph_def().SerializeToString())
    mismatched = tfrun.run_tf_json(
        f"PROGRAMS = {programs!r}\nNAMES = {names!r}\nDIR = {str(tmp_path)!r}\n" + _TF_NODE_DEFS
    )
    assert mismatched == []
