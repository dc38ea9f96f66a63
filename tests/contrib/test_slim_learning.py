"""`tf.contrib.slim.learning`: create_train_op and train, against tf-slim's."""

from __future__ import annotations

import json
import os

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
"""

PROGRAM = """
import os, tempfile


def model():
    x = tf.constant(np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2))
    y = tf.constant([[1.0], [0.0], [2.0], [1.0]])
    w = tf.get_variable("w", initializer=tf.constant([[0.5], [-1.0]]))
    b = tf.get_variable("b", initializer=tf.constant([0.1]))
    return tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y)), w, b


def create():
    with tf.Graph().as_default():
        loss, w, b = model()
        op = slim.learning.create_train_op(
            loss, tf.train.GradientDescentOptimizer(0.5), clip_gradient_norm=0.3,
            summarize_gradients=True, gradient_multipliers={"b": 0.0})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [float(sess.run(op)) for _ in range(3)]
            final = sess.run([w, b, tf.train.get_global_step()])
        return {
            "op": [op.name, op.op.type],
            "train_ops": [t.name for t in tf.get_collection(tf.GraphKeys.TRAIN_OP)],
            "summaries": sorted(s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)),
            "losses": losses,
            "w": final[0].ravel().tolist(),
            "b": final[1].tolist(),
            "step": int(final[2]),
        }


def train():
    logdir = tempfile.mkdtemp()
    with tf.Graph().as_default():
        loss, w, b = model()
        op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.5))
        last = slim.learning.train(op, logdir, number_of_steps=4, log_every_n_steps=0)
    with tf.Graph().as_default():  # (a second run resumes from the checkpoint)
        loss, w, b = model()
        op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.5))
        again = slim.learning.train(op, logdir, number_of_steps=6, log_every_n_steps=0)
    # (the final checkpoints of both runs; the checkpoint thread's first save races with
    # the first steps, in TF too, so the step it lands on varies)
    files = sorted(f for f in os.listdir(logdir) if not f.startswith("events.") and (
        not f.startswith("model.ckpt-") or f.startswith(("model.ckpt-4.", "model.ckpt-6."))))
    return {"last": float(last), "again": float(again), "files": files,
            "latest": os.path.basename(tf.train.latest_checkpoint(logdir))}


def errors():
    out = []
    for kwargs in ({"logdir": None, "saver": object()}, {"logdir": "x", "number_of_steps": 0},
                   {"logdir": None, "trace_every_n_steps": 2}):
        try:
            with tf.Graph().as_default():
                loss, _, _ = model()
                op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.5))
                slim.learning.train(op, **kwargs)
        except ValueError as e:
            out.append(str(e))
    return out


out = {"create": create(), "train": train(), "errors": errors()}
print(json.dumps(out))
"""


def _ours() -> dict:
    scope = {"tf": tf, "np": np, "json": json, "slim": tf.contrib.slim}
    exec(PROGRAM.replace("print(json.dumps(out))", ""), scope)
    return scope["out"]


def test_create_train_op_and_train():
    out = _ours()
    create = out["create"]
    assert create["op"] == ["train_op/control_dependency:0", "Identity"]
    assert create["train_ops"] == ["GradientDescent", "train_op/control_dependency:0"]
    assert create["b"] == pytest.approx([0.1])  # (multiplier 0)
    assert create["step"] == 3 and create["losses"][0] > create["losses"][-1]
    assert "summarize_grads/w_gradient_norm" in create["summaries"]
    train = out["train"]
    assert train["latest"] == "model.ckpt-6"
    assert "model.ckpt-4.index" in train["files"] and "graph.pbtxt" in train["files"]
    assert out["errors"] == [
        "Cannot provide saver because logdir=None",
        "`number_of_steps` must be either None or a positive number.",
        "Cannot provide trace_every_n_steps because logdir=None",
    ]


@pytest.mark.tf
@requires_tf
def test_matches_tf_slim():
    theirs = run_tf_json(_TF_SLIM + PROGRAM)
    ours = _ours()
    for key in ("op", "train_ops", "summaries", "step"):
        assert ours["create"][key] == theirs["create"][key], key
    for key in ("losses", "w", "b"):
        np.testing.assert_allclose(ours["create"][key], theirs["create"][key], rtol=1e-5)
    assert ours["train"]["files"] == theirs["train"]["files"]
    # (not "latest": TF's checkpoint thread may finish its first save after the final
    # one and name its older checkpoint; tfgraph's saves run one at a time)
    assert ours["train"]["latest"] == "model.ckpt-6"
    for key in ("last", "again"):
        assert ours["train"][key] == pytest.approx(theirs["train"][key], rel=1e-5)
    assert ours["errors"] == theirs["errors"]
    assert os.environ.get("TFGRAPH_TF_PYTHON")
