"""TF 1.15's tf.contrib.metrics and tf.contrib.losses (tfgraph/legacy_contrib/
contrib_metrics.py, contrib_losses.py). TF 2.21 has no contrib: the wrappers and the
TF 1.0 losses are compared with the tf.metrics / tf.losses calls they equal on TF's side
(contrib_metrics_losses_reference.txt: values, local-variable names, gradients); contrib's
own metrics (covariance, Pearson's r, concat, F1, rates) and the pairwise loss are
checked against numpy."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

HERE = Path(__file__).parent
PROGRAM = (HERE / "contrib_metrics_losses_program.txt").read_text()
REFERENCE = (HERE / "contrib_metrics_losses_reference.txt").read_text()
M = tf.contrib.metrics
L = tf.contrib.losses


@pytest.mark.tf
@requires_tf
def test_wrapped_metrics_and_losses_equal_tensorflows():
    theirs = run_tf_json(REFERENCE + "\n" + PROGRAM)
    ours = run_here_json("M = tf.contrib.metrics\nL = tf.contrib.losses\n" + PROGRAM)
    assert ours["metrics"].keys() == theirs["metrics"].keys()
    for case, t in theirs["metrics"].items():
        o = ours["metrics"][case]
        assert o["locals"] == t["locals"], case
        for a, b in zip(o["updates"], t["updates"]):
            np.testing.assert_allclose(a, b, atol=1e-5, err_msg=case)
        np.testing.assert_allclose(o["value"], t["value"], atol=1e-5, err_msg=case)
    assert ours["metrics"]["accuracy_w"]["locals"] == ["acc/total", "acc/count"]
    o, t = ours["losses"], theirs["losses"]
    assert o["values"].keys() == t["values"].keys()
    for key in t["values"]:
        np.testing.assert_allclose(o["values"][key], t["values"][key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(o["hinge"], t["hinge"], rtol=1e-6)
    np.testing.assert_allclose(o["total"], t["total"], rtol=1e-5)
    assert o["collection"] == t["collection"] == 11  # every loss but hinge_loss
    for a, b in zip(o["grads"], t["grads"]):
        np.testing.assert_allclose(a, b, atol=1e-6)


def _stream(make, batches, shapes):
    tf.reset_default_graph()
    phs = [tf.placeholder(tf.float32, s) for s in shapes]
    value, update = make(*phs)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for batch in batches:
            last = sess.run(update, dict(zip(phs, batch)))
        return sess.run(value), last, [v.op.name for v in tf.local_variables()]


def _weighted_cov(x, y, w):
    mx, my = np.sum(w * x) / np.sum(w), np.sum(w * y) / np.sum(w)
    return np.sum(w * (x - mx) * (y - my)) / (np.sum(w) - 1)


def test_streaming_covariance_and_pearson_correlation_match_numpy():
    rng = np.random.RandomState(0)
    x, y, w = rng.randn(3, 12)
    y = y + 0.5 * x
    w = np.abs(w) + 0.1
    cuts = [(0, 5), (5, 6), (6, 12)]
    batches = [(x[a:b], y[a:b]) for a, b in cuts]
    value, last, names = _stream(M.streaming_covariance, batches, [[None], [None]])
    np.testing.assert_allclose([value, last], np.cov(x, y)[0, 1], rtol=1e-5)
    assert names == [
        f"covariance/{n}" for n in ("count", "mean_prediction", "mean_label", "comoment")
    ]
    wbatches = [(x[a:b], y[a:b], w[a:b]) for a, b in cuts]
    make = lambda p, l, ww: M.streaming_covariance(p, l, weights=ww)  # noqa: E731
    value, _, _ = _stream(make, wbatches, [[None]] * 3)
    np.testing.assert_allclose(value, _weighted_cov(x, y, w), rtol=1e-5)
    value, last, names = _stream(M.streaming_pearson_correlation, batches, [[None], [None]])
    np.testing.assert_allclose([value, last], np.corrcoef(x, y)[0, 1], rtol=1e-5)
    assert (
        names[:4]
        == [
            "pearson_r/covariance/count",
            "pearson_r/covariance/mean_prediction",
            "pearson_r/covariance/mean_label",
            "pearson_r/covariance/comoment",
        ]
        and len(names) == 12
    )
    make = lambda p, l, ww: M.streaming_pearson_correlation(p, l, weights=ww)  # noqa: E731
    value, _, _ = _stream(make, wbatches, [[None]] * 3)
    r = _weighted_cov(x, y, w) / np.sqrt(_weighted_cov(x, x, w) * _weighted_cov(y, y, w))
    np.testing.assert_allclose(value, r, rtol=1e-5)
    # one element seen: the covariance is NaN
    value, _, _ = _stream(M.streaming_covariance, [([1.0], [2.0])], [[None], [None]])
    assert np.isnan(value)


def test_streaming_concat_axes_max_size_and_errors():
    a = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = np.arange(6, 10, dtype=np.float32).reshape(2, 2)
    value, last, names = _stream(M.streaming_concat, [(a,), (b,)], [[None, 2]])
    np.testing.assert_array_equal(value, np.concatenate([a, b]))
    assert last == 5 and names == ["streaming_concat/array", "streaming_concat/size"]
    make = lambda x: M.streaming_concat(x, axis=1, max_size=4)  # noqa: E731
    value, _, _ = _stream(make, [(a.T,), (b.T,)], [[2, None]])
    np.testing.assert_array_equal(value, np.concatenate([a, b])[:4].T)
    with pytest.raises(ValueError, match=r"axis = 2 not in \[0, 2\)"):
        M.streaming_concat(tf.zeros([2, 2]), axis=2)
    with pytest.raises(ValueError, match="must have statically known size"):
        M.streaming_concat(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match="statically known rank"):
        M.streaming_concat(tf.placeholder(tf.float32))


def test_f1_score_is_the_best_over_thresholds():
    rng = np.random.RandomState(1)
    p = rng.rand(20).astype(np.float32)
    l = (rng.rand(20) > 0.5).astype(np.float32)
    make = lambda ll, pp: M.f1_score(ll, pp, num_thresholds=11)  # noqa: E731
    value, last, names = _stream(make, [(l[:8], p[:8]), (l[8:], p[8:])], [[None], [None]])
    eps = 1e-7
    best = 0.0
    for t in [-eps] + [(i + 1) / 10 for i in range(9)] + [1 + eps]:
        tp = np.sum((p > t) & (l > 0))
        fp = np.sum((p > t) & (l == 0))
        fn = np.sum((p <= t) & (l > 0))
        prec, rec = tp / (eps + tp + fp), tp / (eps + tp + fn)
        best = max(best, 2 * prec * rec / (prec + rec + eps))
    np.testing.assert_allclose([value, last], best, rtol=1e-5)
    assert names == ["f1/true_positives", "f1/false_negatives", "f1/false_positives"]


def test_rates_recall_at_k_aggregation_and_confusion_matrix():
    pred = np.array([1, 0, 1, 1, 0, 0], np.float32)
    lab = np.array([1, 1, 0, 1, 0, 0], np.float32)
    fpr, _, names = _stream(M.streaming_false_positive_rate, [(pred, lab)], [[None], [None]])
    fnr, _, _ = _stream(M.streaming_false_negative_rate, [(pred, lab)], [[None], [None]])
    np.testing.assert_allclose([fpr, fnr], [1 / 3, 1 / 3], rtol=1e-6)
    assert names == [
        "false_positive_rate/false_positives/count",
        "false_positive_rate/true_negatives/count",
    ]
    tf.reset_default_graph()
    scores = tf.constant([[0.1, 0.5, 0.4], [0.8, 0.05, 0.15], [0.2, 0.3, 0.5]])
    recall, update = M.streaming_recall_at_k(scores, tf.constant([2, 1, 0]), k=2)
    assert recall.op.name.startswith("recall_at_2/")
    mean_v, mean_u = M.streaming_mean(tf.constant([1.0, 3.0]))
    values, updates = M.aggregate_metrics((recall, update), (mean_v, mean_u))
    assert values == [recall, mean_v] and updates == [update, mean_u]
    vmap, umap = M.aggregate_metric_map({"r": (recall, update), "m": (mean_v, mean_u)})
    assert vmap == {"r": recall, "m": mean_v} and umap == {"r": update, "m": mean_u}
    with pytest.raises(ValueError, match="Expected at least one value_tensor/update_op pair"):
        M.aggregate_metrics()
    cm = M.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1], num_classes=3)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(updates)
        np.testing.assert_allclose(sess.run(values), [1 / 3, 2.0])
        np.testing.assert_array_equal(sess.run(cm), [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_mean_pairwise_squared_error_is_the_mean_over_pairs():
    rng = np.random.RandomState(2)
    p = rng.randn(3, 4).astype(np.float32)
    l = rng.randn(3, 4).astype(np.float32)
    w = np.array([1.0, 0.5, 2.0], np.float32)
    loss = L.mean_pairwise_squared_error(tf.constant(p), tf.constant(l), weights=w)
    expected = 0.0
    for b in range(3):
        d = p[b] - l[b]
        pairs = [(d[i] - d[j]) ** 2 for i, j in itertools.product(range(4), repeat=2)]
        expected += w[b] * np.mean(pairs)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), expected, rtol=1e-5)
    assert L.get_losses() == [loss]


def test_losses_argument_order_weights_and_errors():
    logits = tf.constant([[2.0, 0.0], [0.0, 1.0]])
    labels = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    # TF 1.0 order: logits first; weights per batch entry
    loss = L.softmax_cross_entropy(logits, labels, weights=[1.0, 0.0])
    assert loss.op.name == "softmax_cross_entropy_loss/value"
    weighted = L.compute_weighted_loss(tf.constant([[1.0, 2.0], [3.0, 4.0]]), [[2.0], [0.0]])
    none = L.compute_weighted_loss(tf.constant([1.0, 2.0]), 0.0)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), np.log(1 + np.exp(-2.0)), rtol=1e-6)
        np.testing.assert_allclose(sess.run(weighted), (2.0 + 4.0) / 2)
        assert sess.run(none) == 0.0
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'dim'"):
        L.cosine_distance(logits, labels, axis=1, dim=1)
    with pytest.raises(ValueError, match="`axis` and `dim` cannot both be None."):
        L.cosine_distance(logits, labels)
    with pytest.raises(ValueError, match=r"losses.get_shape\(\).ndims cannot be None"):
        L.compute_weighted_loss(tf.placeholder(tf.float32))
    with pytest.raises(ValueError):
        L.mean_squared_error(tf.zeros([2, 3]), tf.zeros([3, 2]))
    reg = tf.constant(0.25)
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, reg)
    assert L.get_regularization_losses() == [reg]
    total = L.get_total_loss()
    assert total.op.name == "total_loss"
    with tf.Session() as sess:
        np.testing.assert_allclose(
            sess.run(total), sess.run(loss + weighted + none) + 0.25, rtol=1e-6
        )
