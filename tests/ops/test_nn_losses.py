"""nn losses, normalization, dropout, top-k, embedding lookup and clipping: values
against numpy references, numerical stability and error paths."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict=feed)


RNG = np.random.RandomState(42)


def _log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- softmax cross entropy -------------------------------------------------------------------
def test_softmax_xent_v1_and_v2_values():
    logits = RNG.randn(4, 5).astype(np.float32)
    labels = RNG.dirichlet(np.ones(5), 4).astype(np.float32)
    want = -(labels * _log_softmax(logits.astype(np.float64))).sum(-1)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert v1.op.name.startswith("softmax_cross_entropy_with_logits_sg")
    assert v2.shape.as_list() == [4] and v2.dtype == tf.float32
    a, b = run([v1, v2])
    np.testing.assert_allclose(a, want, rtol=1e-5)
    np.testing.assert_allclose(b, want, rtol=1e-5)


def test_softmax_xent_stable_axis_and_rank3():
    logits = np.array([[1000.0, 0.0, -1000.0]], np.float32)
    labels = np.array([[0.0, 1.0, 0.0]], np.float32)
    (loss,) = run([tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)])
    np.testing.assert_allclose(loss, [1000.0])
    x = RNG.randn(2, 3, 4)
    y = RNG.dirichlet(np.ones(3), (2, 4)).transpose(0, 2, 1)
    out = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x, axis=1)
    assert out.shape.as_list() == [2, 4]
    np.testing.assert_allclose(run(out), -(y * _log_softmax(x, 1)).sum(1), rtol=1e-10)
    z = RNG.randn(2, 3, 4)
    w = RNG.dirichlet(np.ones(4), (2, 3))
    np.testing.assert_allclose(
        run(tf.nn.softmax_cross_entropy_with_logits_v2(labels=w, logits=z)),
        -(w * _log_softmax(z)).sum(-1),
        rtol=1e-10,
    )


def test_softmax_xent_op_outputs_loss_and_backprop():
    logits = RNG.randn(3, 4)
    labels = RNG.dirichlet(np.ones(4), 3)
    op = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits).op.inputs[0].op
    assert op.type == "SoftmaxCrossEntropyWithLogits"
    loss, backprop = run(op.outputs)
    p = np.exp(_log_softmax(logits))
    np.testing.assert_allclose(loss, -(labels * np.log(p)).sum(-1), rtol=1e-10)
    np.testing.assert_allclose(backprop, p - labels, rtol=1e-10, atol=1e-12)


def test_softmax_xent_errors():
    with pytest.raises(ValueError, match="Both `labels` and `logits` must be provided"):
        tf.nn.softmax_cross_entropy_with_logits(logits=tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="required positional argument"):  # (as TF 2.21)
        tf.nn.softmax_cross_entropy_with_logits_v2(logits=tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))


# -- sparse softmax cross entropy --------------------------------------------------------------
def test_sparse_softmax_xent_values_and_rank3():
    logits = RNG.randn(5, 4).astype(np.float32)
    labels = np.array([0, 3, 1, 1, 2])
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert out.op.name == "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits"
    want = -_log_softmax(logits.astype(np.float64))[np.arange(5), labels]
    np.testing.assert_allclose(run(out), want, rtol=1e-5)
    x = RNG.randn(2, 3, 4)
    lab = RNG.randint(0, 4, (2, 3))
    out3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=x)
    assert out3.shape.as_list() == [2, 3]
    ls = _log_softmax(x)
    want3 = -np.take_along_axis(ls, lab[..., None], -1)[..., 0]
    np.testing.assert_allclose(run(out3), want3, rtol=1e-10)


def test_sparse_softmax_xent_out_of_range_label():
    labels = tf.placeholder(tf.int32, [None])
    logits = tf.placeholder(tf.float32, [None, 3])
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    with pytest.raises(errors.InvalidArgumentError) as info:
        run(out, {labels: [1, 5], logits: np.zeros((2, 3))})
    assert (
        "Received a label value of 5 which is outside the valid range of [0, 3).  Label "
        "values: 1 5" in str(info.value)
    )
    with pytest.raises(errors.InvalidArgumentError, match="label value of -1"):
        run(out, {labels: [-1, 0], logits: np.zeros((2, 3))})


def test_sparse_softmax_xent_needs_a_class():
    labels = tf.placeholder(tf.int64, [None])
    logits = tf.placeholder(tf.float32, [None, None])
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    message = r"Must have at least one class, but got logits shape \[3,0\]"
    with pytest.raises(errors.InvalidArgumentError, match=message):
        run(out, {labels: [0, 0, 0], logits: np.zeros((3, 0))})


@pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")
def test_softmax_xent_with_no_classes_is_zero_as_in_tf():
    logits = tf.placeholder(tf.float32, [None, None])
    labels = tf.placeholder(tf.float32, [None, None])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    (grad,) = tf.gradients(loss, [logits])
    empty = np.zeros((3, 0), np.float32)
    value, g = run([loss, grad], {logits: empty, labels: empty})
    assert value.tolist() == [0.0, 0.0, 0.0] and not np.signbit(value).any()
    assert g.shape == (3, 0)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_softmax_xent_nan_and_inf_rows():
    # A NaN logit makes its row NaN. A -inf logit is fine for the sparse loss; the dense
    # loss multiplies its zero label by -inf and gives NaN, as TF's kernel does.
    logits = np.array([[0.0, np.nan, 1.0], [1.0, 2.0, 3.0], [-np.inf, 0.0, 1.0]], np.float32)
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 2, 1], logits=logits)
    loss = run(out)
    assert np.isnan(loss[0])
    want = -_log_softmax(logits[1:].astype(np.float64))[[0, 1], [2, 1]]
    np.testing.assert_allclose(loss[1:], want, rtol=1e-6)
    dense = tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=np.eye(3, dtype=np.float32)[[0, 2, 1]], logits=logits
    )
    d = run(dense)
    assert np.isnan(d[0]) and np.isnan(d[2])
    np.testing.assert_allclose(d[1], want[0], rtol=1e-6)


def test_sparse_softmax_xent_static_errors():
    with pytest.raises(ValueError, match=r"`labels.shape.rank` must equal `logits.shape.rank - 1`"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.zeros([2, 3], tf.int32), logits=tf.zeros([2, 3])
        )
    with pytest.raises(ValueError, match="`logits` cannot be a scalar"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([], tf.int32), logits=1.0)


# -- logistic losses --------------------------------------------------------------------------
def test_sigmoid_and_weighted_cross_entropy():
    x = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0])
    z = np.array([0.0, 1.0, 0.5, 0.2, 1.0])
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert sig.op.name == "logistic_loss"
    want = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(run(sig), want)
    wl = tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=3.0)
    lw = 1 + 2.0 * z
    want_w = (1 - z) * x + lw * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
    np.testing.assert_allclose(run(wl), want_w)
    np.testing.assert_allclose(
        run(tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=3.0)), want_w
    )
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([3]))


# -- l2, moments, batch normalization -----------------------------------------------------------
def test_l2_loss_and_normalize():
    x = RNG.randn(3, 4).astype(np.float32)
    loss = tf.nn.l2_loss(x)
    assert loss.op.type == "L2Loss" and loss.shape.as_list() == []
    assert run(loss) == pytest.approx((x.astype(np.float64) ** 2).sum() / 2, rel=1e-6)
    n = tf.nn.l2_normalize(x, 1)
    want = x / np.sqrt(np.maximum((x**2).sum(1, keepdims=True), 1e-12))
    np.testing.assert_allclose(run(n), want, rtol=1e-6)
    np.testing.assert_allclose(run(tf.nn.l2_normalize(np.zeros(3), dim=0)), np.zeros(3))


def test_moments_and_batch_normalization():
    x = RNG.randn(4, 3, 2)
    mean, var = tf.nn.moments(tf.constant(x), [0, 1])
    assert mean.shape.as_list() == [2]
    m, v = run([mean, var])
    np.testing.assert_allclose(m, x.mean((0, 1)))
    np.testing.assert_allclose(v, x.var((0, 1)))
    mk, _ = tf.nn.moments(tf.constant(x), [0], keep_dims=True)
    assert mk.shape.as_list() == [1, 3, 2]
    scale, offset = RNG.rand(2), RNG.randn(2)
    y = tf.nn.batch_normalization(tf.constant(x), mean, var, offset, scale, 1e-3)
    np.testing.assert_allclose(run(y), (x - m) / np.sqrt(v + 1e-3) * scale + offset)
    y0 = tf.nn.batch_normalization(tf.constant(x), mean, var, None, None, 1e-3)
    np.testing.assert_allclose(run(y0), (x - m) / np.sqrt(v + 1e-3))


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
def test_fused_batch_norm_training_and_inference(fmt):
    x = RNG.randn(4, 3, 2, 5).astype(np.float32)
    scale = RNG.uniform(0.5, 1.5, 5 if fmt == "NHWC" else 3).astype(np.float32)
    offset = RNG.randn(scale.size).astype(np.float32)
    axes = (0, 1, 2) if fmt == "NHWC" else (0, 2, 3)
    shape = [1, 1, 1, -1] if fmt == "NHWC" else [1, -1, 1, 1]
    y, m, v = tf.nn.fused_batch_norm(x, scale, offset, epsilon=0.01, data_format=fmt)
    yv, mv, vv = run([y, m, v])
    bm, bv = x.mean(axes), x.var(axes)
    n = x.size // scale.size
    want = (x - bm.reshape(shape)) / np.sqrt(bv.reshape(shape) + 0.01) * scale.reshape(
        shape
    ) + offset.reshape(shape)
    np.testing.assert_allclose(yv, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(mv, bm, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(vv, bv * n / (n - 1), rtol=1e-5)  # unbiased, as TF
    mean, var = np.full(scale.size, 0.5, np.float32), np.full(scale.size, 2.0, np.float32)
    y2, m2, v2 = tf.nn.fused_batch_norm(
        x, scale, offset, mean, var, epsilon=0.01, data_format=fmt, is_training=False
    )
    y2v, m2v, v2v = run([y2, m2, v2])
    want2 = (x - 0.5) / np.sqrt(2.01) * scale.reshape(shape) + offset.reshape(shape)
    np.testing.assert_allclose(y2v, want2, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(m2v, mean)
    np.testing.assert_array_equal(v2v, var)
    _, m3, v3 = tf.nn.fused_batch_norm(
        x, scale, offset, mean, var, data_format=fmt, exponential_avg_factor=0.25
    )
    m3v, v3v = run([m3, v3])
    np.testing.assert_allclose(m3v, 0.75 * 0.5 + 0.25 * bm, rtol=1e-5)
    np.testing.assert_allclose(v3v, 0.75 * 2.0 + 0.25 * bv * n / (n - 1), rtol=1e-5)


def test_fused_batch_norm_errors():
    x = tf.zeros([2, 2, 2, 3])
    with pytest.raises(ValueError, match="Both `mean` and `variance` must be a 1D tensor"):
        tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]), is_training=False)
    with pytest.raises(TypeError, match="float64"):
        tf.nn.fused_batch_norm(tf.zeros([2, 2, 2, 3], tf.float64), tf.ones([3]), tf.zeros([3]))


def test_lrn_matches_naive_definition():
    x = RNG.randn(1, 2, 2, 6).astype(np.float32)
    y = tf.nn.lrn(x, depth_radius=2, bias=1.5, alpha=0.2, beta=0.7)
    assert y.op.type == "LRN"
    want = np.empty_like(x)
    for c in range(6):
        lo, hi = max(0, c - 2), min(6, c + 3)
        sq = (x[..., lo:hi].astype(np.float64) ** 2).sum(-1)
        want[..., c] = x[..., c] / (1.5 + 0.2 * sq) ** 0.7
    np.testing.assert_allclose(run(y), want, rtol=1e-5)
    assert tf.nn.local_response_normalization is tf.nn.lrn


# -- top_k, in_top_k ---------------------------------------------------------------------------
def test_top_k_and_in_top_k():
    x = tf.constant([[1.0, 3.0, 3.0, 2.0], [0.0, -1.0, 7.0, 2.0]])
    res = tf.nn.top_k(x, 3)
    assert res.values.op.type == "TopKV2" and res.indices.dtype == tf.int32
    values, indices = run(res)
    np.testing.assert_array_equal(values, [[3, 3, 2], [7, 2, 0]])
    np.testing.assert_array_equal(indices, [[1, 2, 3], [2, 3, 0]])
    itk = tf.nn.in_top_k([[1.0, 3.0, 3.0, 2.0], [1.0, 2.0, 3.0, np.nan], [1.0, 2.0, 3.0, 4.0]],
                         [2, 2, 7], 1)  # fmt: skip
    assert itk.op.name == "in_top_k/InTopKV2"
    np.testing.assert_array_equal(run(itk), [True, False, False])
    k = tf.placeholder(tf.int32, [])
    with pytest.raises(errors.InvalidArgumentError, match="input must have at least k columns"):
        run(tf.nn.top_k(x, k), {k: 5})
    with pytest.raises(ValueError, match="input must have last dimension >= k = 5 but is 4"):
        tf.nn.top_k(x, 5)


# -- dropout ----------------------------------------------------------------------------------
def test_dropout_keep_prob_rate_and_seed():
    x = tf.ones([200, 50])
    a = tf.nn.dropout(x, keep_prob=0.75, seed=3)
    b = tf.nn.dropout(x, rate=0.25, seed=3)
    assert a.op.type == "SelectV2" and a.op.name == "dropout/SelectV2"
    av, bv = run([a, b])
    assert set(np.unique(av)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.7 < (av != 0).mean() < 0.8
    tf.set_random_seed(7)
    c = tf.nn.dropout(x, rate=0.5, seed=1)
    first = run(c)
    np.testing.assert_array_equal(first, run(c))  # a new session replays the seeded mask
    assert bv.shape == (200, 50)


def test_dropout_rate_tensor_noise_shape_and_zero_rate():
    x = tf.ones([4, 6])
    keep = tf.placeholder(tf.float32, [])
    d = tf.nn.dropout(x, keep_prob=keep, noise_shape=[4, 1], seed=5)
    v = run(d, {keep: 0.5})
    assert all(len(set(row.tolist())) == 1 for row in v)  # one draw per row
    assert (
        tf.nn.dropout(x, rate=0.0) is x
        or run(tf.nn.dropout(x, rate=0.0)).tolist() == [[1.0] * 6] * 4
    )


def test_dropout_errors():
    with pytest.raises(ValueError, match="`rate` must be a scalar tensor or a float in the range"):
        tf.nn.dropout(tf.ones([2]), rate=1.0)
    with pytest.raises(ValueError, match="`x.dtype` must be a floating point tensor"):
        tf.nn.dropout(tf.ones([2], tf.int32), rate=0.5)
    with pytest.raises(ValueError, match="`rate` must be provided"):
        tf.nn.dropout(tf.ones([2]))
    with pytest.raises(ValueError, match="`keep_prob` must be a floating point number or Tensor"):
        tf.nn.dropout(tf.ones([2]), keep_prob="half")


# -- embedding_lookup ------------------------------------------------------------------------
def test_embedding_lookup_single_and_max_norm():
    params = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    ids = [[0, 3], [2, 2]]
    e = tf.nn.embedding_lookup(params, ids)
    assert e.op.type == "Identity" and e.op.inputs[0].op.name == "embedding_lookup"
    np.testing.assert_array_equal(run(e), params[np.array(ids)])
    clipped = run(tf.nn.embedding_lookup(params, ids, max_norm=2.0))
    norms = np.linalg.norm(clipped, axis=-1)
    assert np.all(norms <= 2.0 + 1e-5)
    with pytest.raises(ValueError, match="Length of params is currently 0"):
        tf.nn.embedding_lookup([], [0])
    with pytest.raises(ValueError, match="Unrecognized partition strategy: bad"):
        tf.nn.embedding_lookup([params, params], [0], partition_strategy="bad")


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_embedding_lookup_partitions(strategy):
    full = np.arange(14.0, dtype=np.float32).reshape(7, 2)
    if strategy == "mod":
        parts = [full[i::3] for i in range(3)]
    else:
        parts = [full[0:3], full[3:5], full[5:7]]
    ids = np.array([[6, 0], [3, 4], [1, 5]])
    e = tf.nn.embedding_lookup([tf.constant(p) for p in parts], ids, partition_strategy=strategy)
    assert e.shape.as_list() == [3, 2, 2]
    np.testing.assert_array_equal(run(e), full[ids])


# -- clipping --------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf, as TF computes it
def test_clip_by_norm_and_global_norm():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    np.testing.assert_allclose(run(tf.clip_by_norm(x, 2.5)), x / 2.0)
    np.testing.assert_allclose(run(tf.clip_by_norm(x, 2.5, axes=[1])), [[1.5, 2.0], [0, 0]])
    np.testing.assert_allclose(run(tf.clip_by_norm(x, 10.0)), x)
    a, b = np.array([3.0, 0.0], np.float32), np.array([0.0, 4.0], np.float32)
    assert run(tf.global_norm([a, None, b])) == pytest.approx(5.0)
    (ca, cb), norm = tf.clip_by_global_norm([a, b], 1.0)
    assert ca.name == "clip_by_global_norm/clip_by_global_norm/_0:0"
    cav, cbv, nv = run([ca, cb, norm])
    np.testing.assert_allclose(cav, a / 5.0, rtol=1e-6)
    np.testing.assert_allclose(cbv, b / 5.0, rtol=1e-6)
    assert nv == pytest.approx(5.0)
    (cinf,), _ = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isnan(run(cinf)).all()
    with pytest.raises(TypeError, match="`t_list` should be a sequence of tensors"):
        tf.clip_by_global_norm(tf.constant([1.0]), 1.0)


def test_clip_by_norm_keeps_indexed_slices():
    v = tf.Variable(np.ones((4, 2), np.float32))
    (g,) = tf.gradients(tf.reduce_sum(tf.gather(v, [1, 3]) * 10.0), v)
    c = tf.clip_by_norm(g, 1.0)
    assert isinstance(c, tf.IndexedSlices)
    values = run(c.values)
    assert np.linalg.norm(values) == pytest.approx(1.0, rel=1e-6)
