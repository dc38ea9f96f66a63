"""SdcaOptimizer, SdcaShrinkL1 and SdcaFprint (tf.train.sdca_*) against TF 2.21.

TF visits a mini-batch's examples in a random order (unseeded), so one pass over examples
that share features differs between TF runs; the programs compare single passes only where
the order cannot matter (one example, or examples with disjoint features) and compare the
converged weights where it can."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
def sdca_run(loss, labels, ex_w, dense_x, sparse, iters, adaptative=True, l1=0.0, l2=1.0, nlp=1):
    with tf.Graph().as_default():
        n = len(labels)
        state_v = tf.Variable(np.zeros([n, 4], np.float32))
        dense_v = [tf.Variable(np.zeros(shape, np.float32)) for x, shape in dense_x]
        sparse_v = [tf.Variable(np.zeros([nw], np.float32)) for _, _, _, nw in sparse]
        vals = [np.array(v, np.float32) for _, _, v, _ in sparse if v is not None]
        state, sd, dd = tf.train.sdca_optimizer(
            [np.array(e, np.int64) for e, _, _, _ in sparse],
            [np.array(f, np.int64) for _, f, _, _ in sparse],
            vals,
            [np.array(x, np.float32) for x, _ in dense_x],
            np.array(ex_w, np.float32), np.array(labels, np.float32),
            [np.arange(nw, dtype=np.int64) for _, _, _, nw in sparse],
            sparse_v, dense_v, state_v, loss_type=loss, l1=l1, l2=l2,
            num_loss_partitions=nlp, num_inner_iterations=1, adaptative=adaptative)
        step = tf.group(tf.assign(state_v, state),
                        *[tf.assign_add(v, d) for v, d in zip(sparse_v + dense_v, sd + dd)])
        shrink = tf.train.sdca_shrink_l1(sparse_v + dense_v, l1=l1, l2=l2)
        out = {"shapes": [str(t.shape) for t in [state] + sd + dd], "type": state.op.type,
               "trace": []}
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            for i in range(iters):
                s.run(step)
                if i < 2:
                    out["trace"].append(s.run([state_v] + sparse_v + dense_v))
            out["final"] = s.run([state_v] + sparse_v + dense_v)
            s.run(shrink)
            out["shrunk"] = s.run(sparse_v + dense_v)
        return out

LOSSES = ["logistic_loss", "squared_loss", "hinge_loss", "smooth_hinge_loss", "poisson_loss"]
def labels_for(loss, k):
    return [2.0, 0.0, 3.0][:k] if loss == "poisson_loss" else [1.0, 0.0, 1.0][:k]

result = {"single": {}, "disjoint": {}}
for loss in LOSSES:
    # one example, dense features (two groups, [F] and [F, 1] weights), default adaptive
    result["single"][loss] = sdca_run(
        loss, labels_for(loss, 1), [2.0],
        [([[0.5, -1.0, 0.25]], [3]), ([[0.1, 0.2]], [2, 1])], [], 4, l1=0.05, l2=0.5)
    # three examples over disjoint sparse features: order-free, so TF is deterministic
    result["disjoint"][loss] = sdca_run(
        loss, labels_for(loss, 3), [1.0, 0.5, 2.0], [],
        [([0, 0, 1, 2], [0, 1, 2, 3], [1.0, -0.5, 2.0, 0.3], 5),
         ([0, 2, 2], [0, 1, 2], None, 3)], 3, adaptative=False, l1=0.02, l2=0.3, nlp=2)
result["shared"] = {}
for loss in ["squared_loss", "logistic_loss", "smooth_hinge_loss"]:
    # examples sharing features: TF's visiting order is random, the optimum is not
    result["shared"][loss] = sdca_run(
        loss, [1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 2.0, 0.5],
        [([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.2], [1.0, 1.0]], [2])],
        [([0, 1, 1, 3], [0, 0, 1, 1], [1.0, 1.0, 0.5, -1.0], 2)], 150, adaptative=False, l2=0.5)
"""

FPRINT_PROGRAM = """
ids = ["a", "b", "abcdefghijklmnopqrstuvwxyz0123456789", "q" * 300, "", "x" * 16, "y" * 17,
       "z" * 128, "w" * 129, "v" * 255]
f = tf.train.sdca_fprint(tf.constant(ids))
p = tf.train.sdca_fprint(tf.placeholder(tf.string, [None]))
result = {"shape": [str(f.shape), str(p.shape)], "type": f.op.type, "dtype": f.dtype.name}
with tf.Session() as s:
    result["values"] = s.run(f)
"""

ERRORS_PROGRAM = """
def attempt(fn):
    try:
        with tf.Graph().as_default():
            fn()
        return None
    except Exception as e:
        return [type(e).__name__, getattr(e, "message", str(e))]

def sdca(loss="logistic_loss", labels=(1.0,), state=None, feature=0):
    n = len(labels)
    out = tf.train.sdca_optimizer(
        [np.zeros([1], np.int64)], [np.array([feature], np.int64)], [],
        [], np.ones([n], np.float32), np.array(labels, np.float32),
        [np.arange(2, dtype=np.int64)], [tf.zeros([2])], [],
        np.zeros([n, 4], np.float32) if state is None else state,
        loss_type=loss, l1=0.0, l2=1.0, num_loss_partitions=1, num_inner_iterations=1)
    tf.Session().run(out)

result = {
    "label": attempt(lambda: sdca(labels=(0.5,))),
    "hinge_label": attempt(lambda: sdca("hinge_loss", labels=(2.0,))),
    "poisson_label": attempt(lambda: sdca("poisson_loss", labels=(-1.0,))),
    "state": attempt(lambda: sdca(state=np.zeros([1, 3], np.float32))),
    "range": attempt(lambda: sdca(feature=7)),
    "fprint_rank": attempt(lambda: tf.train.sdca_fprint(tf.constant([["a"]]))),
}
"""


def _flat(value):
    return (
        np.array(value, dtype=np.float64).reshape(-1)
        if not isinstance(value, list)
        else (np.concatenate([_flat(v) for v in value]) if value else np.zeros([0]))
    )


@pytest.mark.tf
@requires_tf
def test_sdca_optimizer_matches_tf():
    here, theirs = run_both(PROGRAM)
    for kind in ("single", "disjoint"):
        for loss, mine in here[kind].items():
            tf_case = theirs[kind][loss]
            assert mine["shapes"] == tf_case["shapes"] and mine["type"] == tf_case["type"]
            for key in ("trace", "final", "shrunk"):
                np.testing.assert_allclose(
                    _flat(mine[key]),
                    _flat(tf_case[key]),
                    rtol=1e-5,
                    atol=1e-6,
                    err_msg=f"{kind} {loss} {key}",
                )
    for loss, mine in here["shared"].items():  # (converged: the visiting order is forgotten)
        for key in ("final", "shrunk"):
            np.testing.assert_allclose(
                _flat(mine[key][1:] if key == "final" else mine[key]),
                _flat(
                    theirs["shared"][loss][key][1:]
                    if key == "final"
                    else theirs["shared"][loss][key]
                ),
                rtol=1e-4,
                atol=1e-5,
                err_msg=f"shared {loss} {key}",
            )


@pytest.mark.tf
@requires_tf
def test_sdca_fprint_matches_tf():
    here, theirs = run_both(FPRINT_PROGRAM)
    assert here == theirs


@pytest.mark.tf
@requires_tf
def test_sdca_errors_match_tf():
    here, theirs = run_both(ERRORS_PROGRAM)
    for key, (cls, message) in theirs.items():
        assert here[key][0] == cls, key
        assert here[key][1].splitlines()[0] in message, (key, here[key][1], message)


def test_squared_loss_single_step_closed_form():
    # one example x = [1, 2], y = 3, weight 1, l2 = 1, zero weights: the new dual is
    # y / (1 + |x|^2 / l2) and the weights move by dual * x / l2
    with tf.Graph().as_default():
        state, _, dd = tf.train.sdca_optimizer(
            [],
            [],
            [],
            [np.array([[1.0, 2.0]], np.float32)],
            [1.0],
            [3.0],
            [],
            [],
            [tf.zeros([2])],
            np.zeros([1, 4], np.float32),
            loss_type="squared_loss",
            l1=0.0,
            l2=1.0,
            num_loss_partitions=1,
            num_inner_iterations=1,
        )
        s, d = tf.Session().run([state, dd[0]])
    np.testing.assert_allclose(s, [[0.5, 4.5, 0.0, 1.0]], rtol=1e-6)
    np.testing.assert_allclose(d, [0.5, 1.0], rtol=1e-6)


def test_shrink_l1_in_place():
    with tf.Graph().as_default():
        v = tf.Variable([0.5, -0.05, -2.0])
        shrink = tf.train.sdca_shrink_l1([v], l1=0.2, l2=2.0)
        with tf.Session() as s:
            s.run(v.initializer)
            s.run(shrink)
            np.testing.assert_allclose(s.run(v), [0.4, 0.0, -1.9], rtol=1e-6)
    assert shrink.type == "SdcaShrinkL1" and not shrink.outputs


def test_sdca_fprint_values():
    r = run_here(FPRINT_PROGRAM)
    # (values recorded from TF 2.21)
    assert r["values"][0] == [7969074168056553668, 5955762262185338209]
    assert r["values"][4] == [4463240938071824939, 4374473821787594281]
    assert r["shape"] == ["(10, 2)", "(?, 2)"]
