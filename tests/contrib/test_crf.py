"""TF 1.15's tf.contrib.crf (tfgraph/legacy_contrib/crf.py). TF 2.21 has no contrib, so
the TensorFlow side runs a stand-in with contrib's formulas rebuilt from compat.v1 ops
(crf_reference.txt); values and gradients must agree, including sequence lengths 0 and 1
and an unknown time dimension. In-process checks compare with a brute-force numpy CRF
that enumerates every tag sequence."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

HERE = Path(__file__).parent
PROGRAM = (HERE / "crf_program.txt").read_text()
REFERENCE = (HERE / "crf_reference.txt").read_text()
crf = tf.contrib.crf


def _assert_close(ours, theirs, path=""):
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), path
        for key in theirs:
            _assert_close(ours[key], theirs[key], f"{path}/{key}")
    elif isinstance(theirs, list) and theirs and isinstance(theirs[0], (list, dict, str)):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _assert_close(a, b, f"{path}[{i}]")
    elif isinstance(theirs, (str, bool)):
        assert ours == theirs, path
    else:
        np.testing.assert_allclose(
            np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), atol=2e-5, err_msg=path
        )


@pytest.mark.tf
@requires_tf
def test_crf_values_gradients_and_decoding_equal_tensorflows():
    theirs = run_tf_json(REFERENCE + "\n" + PROGRAM)
    ours = run_here_json("CRF = tf.contrib.crf\n" + PROGRAM)
    assert (
        ours["variable"]
        == theirs["variable"]
        == [
            ["crf_layer/transitions", [5, 5], "float32"],
            "crf_layer/transitions",
        ]
    )
    assert ours["none"] == theirs["none"]
    _assert_close(ours, theirs)


def _brute(x, tags, length, trans):
    """(score of tags, log partition, best sequence, best score) by enumeration."""
    n = x.shape[1]

    def score(seq):
        s = sum(x[t, seq[t]] for t in range(length))
        return s + sum(trans[seq[t - 1], seq[t]] for t in range(1, length))

    all_scores = {seq: score(seq) for seq in itertools.product(range(n), repeat=length)}
    best = max(all_scores, key=all_scores.get)
    log_z = np.log(np.sum(np.exp(np.array(list(all_scores.values()), dtype=np.float64))))
    return score(tuple(tags[:length])), log_z, list(best), all_scores[best]


def _session_run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_log_likelihood_and_decode_equal_brute_force_enumeration():
    rng = np.random.RandomState(0)
    x = rng.randn(3, 4, 3).astype(np.float32)
    tags = rng.randint(0, 3, (3, 4)).astype(np.int32)
    lengths = np.array([4, 2, 3], np.int32)
    trans = rng.randn(3, 3).astype(np.float32)
    ll, _ = crf.crf_log_likelihood(tf.constant(x), tf.constant(tags), lengths, tf.constant(trans))
    dec, best = crf.crf_decode(tf.constant(x), tf.constant(trans), tf.constant(lengths))
    ll, dec, best = _session_run([ll, dec, best])
    for b in range(3):
        s, log_z, path, path_score = _brute(x[b], tags[b], lengths[b], trans)
        np.testing.assert_allclose(ll[b], s - log_z, rtol=1e-5)
        assert dec[b, : lengths[b]].tolist() == path
        np.testing.assert_allclose(best[b], path_score, rtol=1e-5)
        vit, vit_score = crf.viterbi_decode(x[b, : lengths[b]], trans)
        assert [int(v) for v in vit] == path
        np.testing.assert_allclose(vit_score, path_score, rtol=1e-5)


def test_one_step_sequences_and_empty_sequences():
    rng = np.random.RandomState(1)
    x = rng.randn(3, 1, 4).astype(np.float32)
    tags = np.array([[2], [0], [3]], np.int32)
    lengths = np.array([1, 0, 1], np.int32)
    trans = tf.constant(rng.randn(4, 4).astype(np.float32))
    ll, _ = crf.crf_log_likelihood(tf.constant(x), tf.constant(tags), lengths, trans)
    dec, best = crf.crf_decode(tf.constant(x), trans, tf.constant(lengths))
    ll, dec, best = _session_run([ll, dec, best])
    for b in (0, 2):
        expected = x[b, 0, tags[b, 0]] - np.log(np.exp(x[b, 0].astype(np.float64)).sum())
        np.testing.assert_allclose(ll[b], expected, rtol=1e-5)
    assert ll[1] == 0.0  # length 0: score and normalizer are both masked to 0
    np.testing.assert_array_equal(dec[:, 0], x[:, 0].argmax(1))
    np.testing.assert_allclose(best, x[:, 0].max(1))


def test_multitag_score_is_log_sum_over_allowed_sequences():
    rng = np.random.RandomState(2)
    x = rng.randn(1, 3, 3).astype(np.float32)
    bitmap = np.array([[[1, 1, 0], [0, 1, 1], [1, 0, 1]]], bool)
    trans = rng.randn(3, 3).astype(np.float32)
    got = _session_run(
        crf.crf_multitag_sequence_score(tf.constant(x), bitmap, tf.constant([3]), trans)
    )
    total = 0.0
    for seq in itertools.product(range(3), repeat=3):
        if all(bitmap[0, t, seq[t]] for t in range(3)):
            s = (
                sum(x[0, t, seq[t]] for t in range(3))
                + trans[seq[0], seq[1]]
                + trans[seq[1], seq[2]]
            )
            total += np.exp(np.float64(s))
    np.testing.assert_allclose(got[0], np.log(total), rtol=1e-5)


def test_log_likelihood_trains_the_transitions_variable():
    rng = np.random.RandomState(3)
    x = tf.constant(rng.randn(2, 5, 3).astype(np.float32))
    tags = tf.constant(rng.randint(0, 3, (2, 5)).astype(np.int32))
    ll, trans = crf.crf_log_likelihood(x, tags, tf.constant([5, 4]))
    assert trans.op.name == "transitions" and trans.shape.as_list() == [3, 3]
    assert tf.trainable_variables() == [trans]
    loss = tf.reduce_mean(-ll)
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(20):
            sess.run(step)
        assert sess.run(loss) < first
