"""Parity of the issue-4 nn ops with real TensorFlow: graphs (op names, types, inputs),
static shapes/dtypes, values, and errors (class and key phrase). See `opdiff.py`."""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat import opdiff

_L = """
rng = np.random.RandomState(0)
x = tf.placeholder(tf.float32, [None, 4], name="x")
xv = rng.randn(3, 4).astype(np.float32)
feed = {x: xv}
"""

CASES: dict[str, str] = {
    "softmax_xent": _L
    + """
y = tf.constant(rng.dirichlet(np.ones(4), 3).astype(np.float32))
out = [tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x),
       tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x, name="xe"),
       tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.transpose(y), logits=tf.transpose(x),
                                                  axis=0)]
""",
    "softmax_xent_rank3_and_f16": """
rng = np.random.RandomState(1)
x = tf.constant(rng.randn(2, 3, 4).astype(np.float16))
y = tf.constant(rng.dirichlet(np.ones(4), (2, 3)).astype(np.float16))
out = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x)
""",
    "softmax_xent_mismatch": """
phrase = "Dimensions must be equal, but are 3 and 4"
tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))
""",
    "sparse_xent": _L
    + """
lab = tf.placeholder(tf.int64, [None], name="lab")
feed[lab] = [0, 3, 1]
out = [tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=x),
       tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1, 2]], logits=tf.ones([1, 2, 3]))]
""",
    "sparse_xent_bad_label": _L
    + """
phrase = "Received a label value of 7 which is outside the valid range of [0, 4)."
lab = tf.placeholder(tf.int32, [None], name="lab")
feed[lab] = [0, 7, 1]
out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=x)
""",
    "sparse_xent_no_class": """
phrase = "Must have at least one class, but got logits shape [3,0]"
lab = tf.placeholder(tf.int64, [None], name="lab")
logits = tf.placeholder(tf.float32, [None, None], name="logits")
feed = {lab: [0, 0, 0], logits: np.zeros((3, 0), np.float32)}
out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=logits)
""",
    "sparse_xent_rank_error": """
phrase = "`labels.shape.rank` must equal `logits.shape.rank - 1`"
tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3], tf.int32),
                                               logits=tf.zeros([2, 3]))
""",
    "logistic_losses": _L
    + """
z = tf.constant(rng.uniform(0, 1, (3, 4)).astype(np.float32))
out = [tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
       tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=2.0),
       tf.nn.sigmoid_cross_entropy_with_logits(labels=[0., 1.], logits=[-1000., 1000.])]
""",
    "l2_moments_batchnorm": _L
    + """
m, v = tf.nn.moments(x, [0])
m2, v2 = tf.nn.moments(x, [1], keep_dims=True, name="mom")
out = [tf.nn.l2_loss(x), tf.nn.l2_normalize(x, 1), tf.nn.l2_normalize(x, dim=[0, 1]), m, v, m2,
       v2, tf.nn.batch_normalization(x, m, v, tf.ones([4]), tf.zeros([4]) + 0.5, 1e-3)]
""",
    "fused_batch_norm": """
rng = np.random.RandomState(2)
x = tf.placeholder(tf.float32, [2, 2, 2, 3], name="x")
feed = {x: rng.randn(2, 2, 2, 3).astype(np.float32)}
s = tf.constant([1., 2., 0.5]); o = tf.constant([0., 1., -1.])
y, bm, bv = tf.nn.fused_batch_norm(x, s, o)
y2, bm2, bv2 = tf.nn.fused_batch_norm(x, s, o, mean=[0.1, 0.2, 0.3], variance=[1., 2., 3.],
                                      is_training=False, name="infer")
y3, bm3, bv3 = tf.nn.fused_batch_norm(x, s, o, mean=[0.1, 0.2, 0.3], variance=[1., 2., 3.],
                                      exponential_avg_factor=0.1)
out = [y, bm, bv, y2, y3, bm3, bv3]
""",
    "fused_batch_norm_errors": """
phrase = "Both `mean` and `variance` must be a 1D tensor"
tf.nn.fused_batch_norm(tf.zeros([1, 2, 2, 3]), tf.ones([3]), tf.zeros([3]), is_training=False)
""",
    "lrn": """
rng = np.random.RandomState(3)
img = tf.constant(rng.randn(1, 2, 3, 6).astype(np.float32))
out = [tf.nn.lrn(img), tf.nn.local_response_normalization(img, 1, 0.5, 0.2, 0.75, name="n")]
""",
    "top_k_in_top_k": _L
    + """
t = tf.nn.top_k(x, 2)
out = [t.values, t.indices, tf.nn.top_k([3., 1., 3.], sorted=True).indices,
       tf.nn.in_top_k(x, [0, 1, 2], 2), tf.nn.in_top_k(x, [3, 3, 3], 1, name="itk")]
""",
    "top_k_too_large": """
phrase = "input must have last dimension >= k = 5 but is 3"
tf.nn.top_k(tf.zeros([2, 3]), 5)
""",
    "top_k_runtime_k": _L
    + """
phrase = "input must have at least k columns. Had 4, needed 9"
k = tf.placeholder(tf.int32, [], name="k")
feed[k] = 9
out = tf.nn.top_k(x, k).values
""",
    "dropout_graphs": _L
    + """
keep = tf.placeholder(tf.float32, [], name="keep")
a = tf.nn.dropout(x, keep_prob=0.5, seed=1)
b = tf.nn.dropout(x, rate=keep, noise_shape=[3, 1])
c = tf.nn.dropout(x, keep_prob=keep, name="kp")
d = tf.nn.dropout(x, rate=0.0)
out = [d]
""",
    "embedding_lookup": """
p0 = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
p1 = tf.constant(np.arange(6, 10, dtype=np.float32).reshape(2, 2))
ids = tf.constant([[0, 4], [1, 2]])
out = [tf.nn.embedding_lookup(p0, ids),
       tf.nn.embedding_lookup([p0, p1], ids),
       tf.nn.embedding_lookup([p0, p1], ids, partition_strategy="div", name="emb_div"),
       tf.nn.embedding_lookup(p0, [2, 1], max_norm=1.0)]
""",
    "clipping": _L
    + """
g, n = tf.clip_by_global_norm([x, x * 2.0, None], 1.5)
out = [tf.clip_by_norm(x, 0.5), tf.clip_by_norm(x, 0.5, axes=[1]), g[0], g[1], n,
       tf.global_norm([x]), tf.clip_by_value(x, -0.3, 0.2)]
""",
    "xw_plus_b": _L
    + """
out = tf.nn.xw_plus_b(x, tf.ones([4, 2]), tf.constant([0.5, -0.5]))
""",
    "activation_grads_ops": _L
    + """
out = [tf.gradients(tf.reduce_sum(f(x)), x)[0]
       for f in (tf.nn.relu, tf.nn.relu6, tf.nn.elu, tf.nn.selu, tf.nn.leaky_relu)]
""",
}


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_nn_parity_with_tf(case, tf_results):
    code = CASES[case]
    problems = opdiff.compare(case, code, tf_results[case], opdiff.run_case_in_tfgraph(code))
    assert not problems, "\n".join(problems)
