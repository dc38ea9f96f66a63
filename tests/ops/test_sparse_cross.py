"""tf.sparse.cross / cross_hashed and the ops SparseCross, SparseCrossV2 and
SparseCrossHashed: values (string joins and FingerprintCat64 / SipHash hashes), indices,
shapes, graphs and errors against TF, for string and int inputs, sparse and dense."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
def sp(ind, vals, shape, dtype=None):
    return tf.SparseTensor(tf.constant(ind, tf.int64), tf.constant(vals, dtype),
                           tf.constant(shape, tf.int64))
out = {}
def cases():
    sa = sp([[0, 0], [1, 0], [1, 1]], ["a", "b", "c"], [2, 2])
    sb = sp([[0, 0], [1, 0]], ["d", "e"], [2, 1])
    d = tf.constant([["f"], ["g"]])
    si = sp([[0, 0], [0, 1], [1, 0]], [3, -7, 123456789012], [2, 3], tf.int64)
    si32 = sp([[0, 0], [1, 2]], [5, 6], [2, 3], tf.int32)
    di = tf.constant([[1, 2], [3, 4]], tf.int64)
    di32 = tf.constant([[-1], [2 ** 31 - 1]], tf.int32)
    sl = sp([[0, 0], [0, 1], [0, 2]], ["x" * 20, "y" * 70, ""], [2, 3])
    empty = sp(np.zeros((0, 2), np.int64), np.zeros((0,), np.int64), [2, 4], tf.int64)
    return {
        "doc": lambda: tf.sparse.cross([sa, sb, d]),
        "mixed_sep": lambda: tf.sparse.cross([d, sa, si, di], separator="--"),
        "long": lambda: tf.sparse.cross([sl, sb]),
        "int32": lambda: tf.sparse.cross([si32, di32]),
        "dense_only": lambda: tf.sparse.cross([di, d]),
        "empty": lambda: tf.sparse.cross([empty, sa]),
        "v1_mixed": lambda: v1_cross([sa, si, d]),
        "v1_strings": lambda: v1_cross([sa, sb]),
        "h_doc": lambda: tf.sparse.cross_hashed([sa, sb, d]),
        "h_key": lambda: tf.sparse.cross_hashed([sa, si, di, d], num_buckets=1000,
                                                hash_key=12345),
        "h_ints": lambda: tf.sparse.cross_hashed([si, di32]),
        "h_long": lambda: tf.sparse.cross_hashed([sl], num_buckets=7),
        "raw_weak": lambda: raw_hashed([si, sa], [di, d], 0, False, [5, -9]),
        "raw_weak_b": lambda: raw_hashed([si, sa], [di, d], 100, False, [5, -9]),
        "raw_strong": lambda: raw_hashed([si, sa], [d], 0, True, [5, -9]),
        "raw_strong_b": lambda: raw_hashed([sl], [d], 97, True, [2 ** 40, 3]),
    }
for k in list(cases()):
    with tf.Graph().as_default():
        y = cases()[k]()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            r = sess.run(y)
        vals = [v.decode() if isinstance(v, bytes) else int(v) for v in r.values]
        out[k] = {"indices": r.indices.tolist(), "values": vals, "shape": r.dense_shape.tolist(),
                  "ops": ops, "dtype": y.values.dtype.name,
                  "static": [str(y.indices.shape), str(y.values.shape)]}
errs = {}
with tf.Graph().as_default():
    a = sp([[0, 0]], ["a"], [2, 1])
    b = sp([[0, 0]], ["b"], [3, 1])
    for k, f in {"batch": lambda: tf.sparse.cross([a, b]),
                 "dense_batch": lambda: tf.sparse.cross([a, tf.constant([["x"]] * 3)])}.items():
        try:
            with tf.Session() as sess:
                sess.run(f())
            errs[k] = None
        except tf.errors.InvalidArgumentError as e:
            errs[k] = [ln for ln in e.message.splitlines() if "Expected" in ln][0].strip()
out["errors"] = errs
"""

TF_PRELUDE = """
from tensorflow.python.ops import sparse_ops as _sp
def v1_cross(inputs):
    return _sp._sparse_cross_internal(inputs, hashed_output=False)
def raw_hashed(sparse, dense, nb, strong, salt):
    o = tf.raw_ops.SparseCrossHashed(
        indices=[s.indices for s in sparse], values=[s.values for s in sparse],
        shapes=[s.dense_shape for s in sparse], dense_inputs=dense,
        num_buckets=tf.constant(nb, tf.int64), strong_hash=strong,
        salt=tf.constant(salt, tf.int64))
    return tf.SparseTensor(*o)
"""


def _ours():
    from tfgraph.ops.sparse_cross_ops import _cross_op, sparse_cross_v1

    def raw_hashed(sparse, dense, nb, strong, salt):
        extra = [tf.constant(nb, tf.int64), tf.constant(strong), tf.constant(salt, tf.int64)]
        op = _cross_op(
            "SparseCrossHashed",
            None,
            [s.indices for s in sparse],
            [s.values for s in sparse],
            [s.dense_shape for s in sparse],
            dense,
            extra,
            {},
        )
        return tf.SparseTensor(*op.outputs)

    scope = {"tf": tf, "np": np, "v1_cross": sparse_cross_v1, "raw_hashed": raw_hashed}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_docstring_example_and_hash_definition():
    from tfgraph.ops.hash_ops import fingerprint64
    from tfgraph.ops.sparse_cross_ops import fingerprint_cat64

    out = _ours()
    assert out["doc"]["values"] == ["a_X_d_X_f", "b_X_e_X_g", "c_X_e_X_g"]
    assert out["doc"]["indices"] == [[0, 0], [1, 0], [1, 1]]
    key = 0xDECAFCAFFE
    expected = fingerprint_cat64(
        fingerprint_cat64(fingerprint_cat64(key, fingerprint64(b"a")), fingerprint64(b"d")),
        fingerprint64(b"f"),
    ) % (2**63 - 1)
    assert out["h_doc"]["values"][0] == expected


@pytest.mark.tf
@requires_tf
def test_against_tf():
    ours = _ours()
    theirs = run_tf_json(TF_PRELUDE + PROGRAM + "\nprint(json.dumps(out))\n")
    assert ours.keys() == theirs.keys()
    for key in theirs:
        if key.startswith("raw_"):  # (raw-op constants are made in another order)
            ours[key].pop("ops"), theirs[key].pop("ops")
        assert ours[key] == theirs[key], key


def test_input_checks():
    with pytest.raises(TypeError, match="Inputs must be a list"):
        tf.sparse.cross(tf.constant([["a"]]))
    with pytest.raises(TypeError, match="All inputs must be Tensor or SparseTensor"):
        tf.sparse.cross([[["a"]]])
    with pytest.raises(TypeError, match="All inputs must be SparseTensors"):
        tf.sparse.cross_hashed([[["a"]]])


GRAPH = """
sa = tf.SparseTensor(tf.constant([[0, 0], [1, 0], [1, 1]], tf.int64), tf.constant(["a", "b", "c"]),
                     tf.constant([2, 2], tf.int64))
si = tf.SparseTensor(tf.constant([[0, 0], [1, 1]], tf.int64), tf.constant([7, -3], tf.int64),
                     tf.constant([2, 2], tf.int64))
d = tf.constant([["f"], ["g"]])
c = tf.sparse.cross([sa, si, d], separator="#", name="crossed")
h = tf.sparse.cross_hashed([sa, si, d], num_buckets=50, name="hashed")
h0 = tf.sparse.cross_hashed([d, d], name="hashed0")
"""
FETCH = ["crossed:0", "crossed:1", "crossed:2", "hashed:1", "hashed0:1"]


def _values(vals):
    return [[v.decode() if isinstance(v, bytes) else int(v) for v in np.ravel(x)] for x in vals]


@pytest.mark.tf
@requires_tf
def test_graph_def_round_trip_with_tf(tmp_path):
    from tests.tfrun import run_tf

    with tf.Graph().as_default() as g:
        exec(GRAPH, {"tf": tf})
        with tf.Session() as sess:
            ours = _values(sess.run(FETCH))
        (tmp_path / "ours.pb").write_bytes(g.as_graph_def().SerializeToString())
    out = run_tf(
        f"""
def values(vals):
    return [[v.decode() if isinstance(v, bytes) else int(v) for v in np.ravel(x)]
            for x in vals]
res = {{}}
with tf.Graph().as_default():
    gd = tf.GraphDef()
    gd.ParseFromString(open("ours.pb", "rb").read())
    tf.import_graph_def(gd, name="")
    with tf.Session() as sess:
        res["imported"] = values(sess.run({FETCH!r}))
with tf.Graph().as_default() as g:
    exec({GRAPH!r}, {{"tf": tf}})
    with tf.Session() as sess:
        res["native"] = values(sess.run({FETCH!r}))
    open("theirs.pb", "wb").write(g.as_graph_def().SerializeToString())
print(json.dumps(res))
""",
        cwd=tmp_path,
    )
    theirs = json.loads(out.strip().splitlines()[-1])
    assert theirs["imported"] == theirs["native"] == ours
    with tf.Graph().as_default():
        gd = tf.GraphDef()
        gd.ParseFromString((tmp_path / "theirs.pb").read_bytes())
        tf.import_graph_def(gd, name="")
        with tf.Session() as sess:
            assert _values(sess.run(FETCH)) == ours
