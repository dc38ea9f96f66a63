"""SparseToDense (tf.sparse.to_dense / tf.sparse_tensor_to_dense), compared with TF."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
def run(t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
st = tf.SparseTensor([[0, 1], [2, 0]], [5., 6.], [3, 2])
d = tf.sparse_tensor_to_dense(st)
d2 = tf.sparse.to_dense(tf.SparseTensor([[0], [1]], ["a", "b"], [3]), default_value="z")
d3 = tf.sparse.to_dense(tf.SparseTensor([[1]], ["b"], [2]))
g = tf.gradients(tf.reduce_sum(d * d), [st.values])
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
          "shapes": [str(d.shape), str(d2.shape)]}
with tf.Session() as s:
    result["values"] = s.run([d, d2, d3, g])
    result["errors"] = [
        run(tf.sparse_tensor_to_dense(tf.SparseTensor(idx, [1.] * len(idx), [3, 2])))
        for idx in ([[2, 0], [0, 1]], [[5, 0]], [[0, 1], [0, 1]])
    ]
    ex = tf.train.Example(features=tf.train.Features(feature={
        "c": tf.train.Feature(int64_list=tf.train.Int64List(value=[4, 5]))}))
    parsed = tf.parse_example([ex.SerializeToString()] * 2, {"c": tf.VarLenFeature(tf.int64)})
    result["parsed"] = s.run(tf.sparse.to_dense(parsed["c"]))
"""


@pytest.mark.tf
@requires_tf
def test_sparse_to_dense_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_sparse_to_dense():
    r = run_here(PROGRAM)
    assert r["values"][:3] == [[[0.0, 5.0], [0.0, 0.0], [6.0, 0.0]], ["a", "b", "z"], ["", "b"]]
    assert r["values"][3] == [[10.0, 12.0]]
    assert r["errors"][2] == ["InvalidArgumentError", "indices[1] = [0,1] is repeated"]
    assert r["parsed"] == [[4, 5], [4, 5]]
