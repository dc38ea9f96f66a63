"""tf.nn.embedding_lookup_sparse / safe_embedding_lookup_sparse against TF: graphs,
values, gradients (IndexedSlices through SparseSegment*GradV2 as TF's sparse_gradient)."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

EMBEDDING = """
params = tf.constant([[1., 2.], [3., 4.], [5., 6.], [7., 8.]])
v = tf.Variable([[1., 0.], [0., 2.], [3., 3.]], name="emb")
ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 3, 0], tf.int64), [3, 2])
ids_v = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1]], tf.constant([2, 2, 0, 1], tf.int64),
                        [2, 2])
w = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [2., 0.5, -1.], [3, 2])
outs = [tf.nn.embedding_lookup_sparse(params, ids, None),
        tf.nn.embedding_lookup_sparse(params, ids, None, combiner="sum"),
        tf.nn.embedding_lookup_sparse(params, ids, None, combiner="sqrtn"),
        tf.nn.embedding_lookup_sparse(params, ids, w),
        tf.nn.embedding_lookup_sparse(params, ids, w, combiner="sum", name="ws"),
        tf.nn.embedding_lookup_sparse(params, ids, w, combiner="sqrtn"),
        tf.nn.embedding_lookup_sparse(v, ids_v, None, combiner="mean"),
        tf.nn.embedding_lookup_sparse([params[:2], params[2:]], ids, None, combiner="sum"),
        tf.nn.embedding_lookup_sparse(v, ids_v, None, combiner="sqrtn", allow_fast_lookup=True)]
g = tf.gradients(tf.reduce_sum(outs[6] * outs[6]) + tf.reduce_sum(outs[5]), [v, params])
g2 = tf.gradients(tf.reduce_sum(outs[8]), v)
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
          "shapes": [str(o.shape) for o in outs],
          "sparse_grads": [isinstance(x, tf.IndexedSlices) for x in g + g2]}
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    result["values"] = s.run(outs + [tf.convert_to_tensor(x) for x in g + g2])
    result["slices"] = s.run([g[0].indices, g[0].values])
"""

SAFE_EMBEDDING = """
emb = tf.constant([[1., 2.], [3., 4.], [5., 6.], [7., 8.]])
ids = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 2]],
                      tf.constant([1, -1, 3, 0, 2], tf.int64), [2, 2, 3])
w = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 2]],
                    [2., 1., 0., 1., 0.5], [2, 2, 3])
outs = [tf.nn.safe_embedding_lookup_sparse(emb, ids),
        tf.nn.safe_embedding_lookup_sparse(emb, ids, w, combiner="sum"),
        tf.nn.safe_embedding_lookup_sparse(emb, ids, w, combiner="mean", default_id=3),
        tf.nn.safe_embedding_lookup_sparse([emb[:2], emb[2:]], ids, None, combiner="sqrtn")]
g = tf.gradients(tf.reduce_sum(outs[0]) + tf.reduce_sum(outs[1] * outs[1]), emb)
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                        if "gradients" not in o.name),
          "shapes": [str(o.shape) for o in outs]}
with tf.Session() as s:
    result["values"] = s.run(outs + [tf.convert_to_tensor(g[0])])
"""


@pytest.mark.tf
@requires_tf
def test_embedding_lookup_sparse_matches_tf():
    here, theirs = run_both(EMBEDDING)
    assert here == theirs


def test_embedding_lookup_sparse():
    r = run_here(EMBEDDING)
    v = r["values"]
    assert v[0] == [[5.0, 6.0], [0.0, 0.0], [1.0, 2.0]]  # mean of rows 1, 3; empty row 1
    assert v[1] == [[10.0, 12.0], [0.0, 0.0], [1.0, 2.0]]
    assert v[3][0] == pytest.approx([(2 * 3 + 0.5 * 7) / 2.5, (2 * 4 + 0.5 * 8) / 2.5])
    assert v[4] == [[9.5, 12.0], [0.0, 0.0], [-1.0, -2.0]]
    assert v[6] == [[3.0, 3.0], [0.5, 1.0]]
    # two "mod" partitions: id 1 -> partition 1 row 0 (5, 6), id 3 -> partition 1 row 1
    assert v[7][0] == [12.0, 14.0]
    assert r["sparse_grads"] == [True, True, False]  # allow_fast_lookup: a dense gradient
    # d/dv of sum(mean^2): rows 0, 1, 2 used; only they appear, sorted
    assert r["slices"][0] == [0, 1, 2]
    assert (
        "gradients/embedding_lookup_sparse_5_grad/SparseSegmentMeanGradV2:"
        + ("SparseSegmentMeanGradV2")
        in r["ops"]
    )


@pytest.mark.tf
@requires_tf
def test_safe_embedding_lookup_sparse_matches_tf():
    here, theirs = run_both(SAFE_EMBEDDING)
    assert here == theirs


def test_safe_embedding_lookup_sparse():
    r = run_here(SAFE_EMBEDDING)
    v = r["values"]
    assert v[0] == [[[3.0, 4.0], [7.0, 8.0]], [[1.0, 2.0], [5.0, 6.0]]]  # id -1 dropped
    # "sum" keeps the zero weight; [1, 1] has one id (2) of weight 0.5
    assert v[1] == [[[6.0, 8.0], [0.0, 0.0]], [[1.0, 2.0], [2.5, 3.0]]]
    assert v[2][0][1] == [7.0, 8.0]  # emptied row (weight 0 pruned): default_id 3
    assert r["shapes"] == ["(2, 2, 2)"] * 4
