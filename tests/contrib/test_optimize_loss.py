"""`tf.contrib.layers.optimize_loss` / `adaptive_clipping_fn` against tf-slim's (the
same functions TF 1.x contrib had): graph, variables, summaries and trained values."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

_TF_SLIM = """
from tensorflow.python.framework import ops as _ops, tensor as _tensor
from tensorflow.python.framework import indexed_slices as _indexed_slices
_ops.Tensor = _tensor.Tensor
_ops.IndexedSlices = _indexed_slices.IndexedSlices  # (tf-slim 1.1 names TF 1's locations)
import tf_slim as slim
optimize_loss, adaptive_clipping_fn = slim.optimize_loss, slim.adaptive_clipping_fn
"""
_OURS = """
optimize_loss = tf.contrib.layers.optimize_loss
adaptive_clipping_fn = tf.contrib.layers.adaptive_clipping_fn
"""

PROGRAM = """
def case(optimizer, **kwargs):
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        x = tf.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2))
        y = tf.constant(np.array([[1.0], [0.0], [2.0], [1.0], [0.5], [3.0]], np.float32))
        w = tf.get_variable("w", initializer=tf.constant([[0.5], [-1.0]]))
        b = tf.get_variable("b", initializer=tf.constant([0.1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        step = tf.train.get_or_create_global_step()
        clip = kwargs.pop("clip", None)
        if clip == "adaptive":
            clip = adaptive_clipping_fn(global_step=step, static_max_norm=5.0)
        train = optimize_loss(loss, step, optimizer=optimizer, clip_gradients=clip, **kwargs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [float(sess.run(train)) for _ in range(3)]
            final = sess.run([w, b, step])
        return {
            "train": [train.name, train.op.type],
            "losses": losses,
            "w": final[0].ravel().tolist(),
            "b": final[1].tolist(),
            "step": int(final[2]),
            "globals": sorted(v.op.name for v in tf.global_variables()),
            "summaries": sorted(s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)),
        }


def error(**kwargs):
    try:
        case(**kwargs)
        return None
    except ValueError as e:
        return str(e)


out = {
    "sgd": case("SGD", learning_rate=0.1),
    "adam_clipped": case("Adam", learning_rate=0.05, clip=0.5,
                         summaries=["loss", "gradients", "gradient_norm", "learning_rate"]),
    "momentum_decay": case("Momentum", learning_rate=0.1, learning_rate_decay_fn=
                           lambda lr, s: tf.train.exponential_decay(lr, s, 1, 0.5)),
    "class_multipliers": case(tf.train.AdagradOptimizer, learning_rate=0.5,
                              gradient_multipliers={"w:0": 0.0}, increment_global_step=False),
    "instance_adaptive": case(tf.train.GradientDescentOptimizer(0.2), learning_rate=None,
                              clip="adaptive", name="opt"),
    "bad_name": error(optimizer="Nope", learning_rate=0.1),
    "bad_rate": error(optimizer="SGD", learning_rate=-1.0),
    "no_rate": error(optimizer="SGD", learning_rate=None),
    "bad_summary": error(optimizer="SGD", learning_rate=0.1, summaries=["weights"]),
}
print(json.dumps(out))
"""


def _ours() -> dict:
    scope = {"tf": tf, "np": np, "json": json}
    exec(_OURS, scope)
    code = PROGRAM.replace("print(json.dumps(out))", "")
    exec(code, scope)
    return scope["out"]


def test_optimize_loss_trains_and_reports_as_documented():
    out = _ours()
    sgd = out["sgd"]
    assert sgd["train"] == ["OptimizeLoss/control_dependency:0", "Identity"]
    assert sgd["step"] == 3 and sgd["losses"][0] > sgd["losses"][-1]
    assert "OptimizeLoss/learning_rate" in sgd["globals"]
    assert sgd["summaries"] == ["OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss"]
    assert out["class_multipliers"]["w"] == [0.5, -1.0]  # (multiplier 0: w never moves)
    assert out["class_multipliers"]["step"] == 0
    assert out["bad_name"].startswith("Optimizer name should be one of [Adagrad, Adam, Ftrl")
    assert out["bad_rate"] == "Invalid learning_rate -1.0."
    assert out["no_rate"].startswith("Learning rate is None, but should be specified")
    assert out["bad_summary"].startswith("Summaries should be one of [learning_rate, loss")


@pytest.mark.tf
@requires_tf
def test_optimize_loss_matches_tf_slim():
    theirs = run_tf_json(_TF_SLIM + PROGRAM)
    ours = _ours()
    assert ours.keys() == theirs.keys()
    for key, mine in ours.items():
        if not isinstance(mine, dict):
            assert mine == theirs[key], key
            continue
        for field in ("train", "step", "globals", "summaries"):
            assert mine[field] == theirs[key][field], (key, field)
        for field in ("losses", "w", "b"):
            np.testing.assert_allclose(mine[field], theirs[key][field], rtol=1e-5, atol=1e-6)
