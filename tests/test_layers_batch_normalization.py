"""tf.layers.batch_normalization / BatchNormalization against TF (graphs, values,
moving averages through UPDATE_OPS, gradients)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

SHAPES = """
def show(title, build):
    g = tf.Graph()
    with g.as_default():
        build()
        ops = [[o.name, o.type] for o in g.get_operations()]
        out[title] = [
            [o.name for o in tf.get_collection(tf.GraphKeys.UPDATE_OPS)], ops,
            [v.name for v in tf.global_variables()], [v.name for v in tf.trainable_variables()],
        ]
out = {}
bn = tf.layers.batch_normalization
show("4d train", lambda: bn(tf.placeholder(tf.float32, [None, 4, 4, 3]), training=True))
show("4d tensor", lambda: bn(tf.placeholder(tf.float32, [None, 4, 4, 3]),
                             training=tf.placeholder(tf.bool, [])))
show("4d nchw infer", lambda: bn(tf.placeholder(tf.float32, [None, 3, 4, 4]), axis=1))
show("2d infer", lambda: bn(tf.placeholder(tf.float32, [None, 3])))
show("2d train", lambda: bn(tf.placeholder(tf.float32, [None, 3]), training=True))
show("2d tensor", lambda: bn(tf.placeholder(tf.float32, [None, 3]),
                             training=tf.placeholder(tf.bool, [])))
show("3d axis1", lambda: bn(tf.placeholder(tf.float32, [None, 3, 5]), axis=1, training=True,
                            center=False))
show("named twice", lambda: [bn(tf.placeholder(tf.float32, [None, 2]), name="bn"),
                             bn(tf.placeholder(tf.float32, [None, 2]), name="bn", reuse=True)])
"""

VALUES = """
rng = np.random.RandomState(0)
out = {}
for title, shape, kwargs in [
    ("2d", [6, 3], {}),
    ("4d fused", [4, 3, 3, 2], {}),
    ("4d unfused", [4, 3, 3, 2], {"fused": False}),
    ("3d axis1", [4, 3, 5], {"axis": 1, "momentum": 0.9, "epsilon": 0.01}),
]:
    xs = [(rng.standard_normal(shape) * 2 + 1).astype(np.float32) for _ in range(3)]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape)
        training = tf.placeholder(tf.bool, [])
        y = tf.layers.batch_normalization(
            x, training=training,
            gamma_initializer=tf.constant_initializer(1.5),
            beta_initializer=tf.constant_initializer(-0.25), **kwargs)
        w = tf.constant(rng.standard_normal(shape).astype(np.float32))
        loss = tf.reduce_sum(y * w)
        grads = tf.gradients(loss, [x] + tf.trainable_variables())
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            step = tf.identity(loss)
        moving = [v for v in tf.global_variables() if "moving" in v.name]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            trained = [sess.run([y, step] + grads, {x: xv, training: True}) for xv in xs]
            stats = sess.run(moving)
            test = sess.run(y, {x: xs[0], training: False})
    out[title] = {
        "train": [[np.asarray(a).tolist() for a in r] for r in trained],
        "moving": [s.tolist() for s in stats],
        "test": test.tolist(),
    }
"""


def _here(code: str) -> dict:
    scope = {"tf": tf, "np": np}
    exec(code, scope)
    return json.loads(json.dumps(scope["out"]))


def test_updates_move_the_statistics_and_inference_uses_them():
    out = _here(VALUES)["2d"]
    mean, var = out["moving"]
    assert not np.allclose(mean, 0.0) and not np.allclose(var, 1.0)
    first = np.asarray(out["train"][0][0])
    np.testing.assert_allclose(first.mean(0), [-0.25] * 3, atol=1e-5)  # beta, batch stats


def test_names_and_update_ops():
    out = _here(SHAPES)
    updates, _ops, variables, trainable = out["2d train"]
    assert updates == [
        "batch_normalization/AssignMovingAvg",
        "batch_normalization/AssignMovingAvg_1",
    ]
    assert variables == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0",
    ]  # fmt: skip
    assert trainable == variables[:2]
    assert ["batch_normalization/FusedBatchNormV3", "FusedBatchNormV3"] in out["4d train"][1]


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("code", [SHAPES, VALUES], ids=["graphs", "values"])
def test_matches_tf(code):
    theirs = run_tf_json(code + "\nprint(json.dumps(out))\n")
    ours = _here(code)
    assert ours.keys() == theirs.keys()
    if code is SHAPES:
        assert ours == theirs
        return
    for key in theirs:
        for a, b in zip(ours[key]["train"], theirs[key]["train"]):
            for u, v in zip(a, b):
                np.testing.assert_allclose(u, v, rtol=2e-4, atol=2e-5, err_msg=key)
        np.testing.assert_allclose(ours[key]["moving"], theirs[key]["moving"], rtol=1e-5)
        np.testing.assert_allclose(ours[key]["test"], theirs[key]["test"], rtol=1e-4, atol=1e-5)


PARTITIONED_SCOPE = """
x = tf.constant(np.arange(24, dtype=np.float32).reshape(6, 4))
with tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(2)):
    y = tf.layers.batch_normalization(x, training=True)
updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run([y, updates])
    out = {
        v.op.name: [v.get_shape().as_list(), v._save_slice_info is not None]
        for v in tf.global_variables()
    }
    out["moving_mean"] = sess.run(
        [v for v in tf.global_variables() if "moving_mean" in v.op.name][0]
    ).tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_moving_statistics_are_not_partitioned_under_a_partitioner_as_in_tf():
    """(the canned DNN estimators' batch_norm=True builds its layers so)"""
    import contextlib
    import io

    buf = io.StringIO()
    with tf.Graph().as_default(), contextlib.redirect_stdout(buf):
        exec(PARTITIONED_SCOPE, {"tf": tf, "np": np, "json": json})
    here = json.loads(buf.getvalue())
    assert run_tf_json(PARTITIONED_SCOPE) == here
    assert here["s/batch_normalization/moving_mean"] == [[4], False]
