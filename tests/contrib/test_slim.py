"""`tf.contrib.slim` / `contrib.layers` / `contrib.framework` (tfgraph/legacy_contrib),
against tf-slim on TF 2.21 where TF is available."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

slim = tf.contrib.slim
PROGRAM = (Path(__file__).parent / "slim_program.txt").read_text()  # (run on both sides)
# tf-slim 1.1 still names `ops.Tensor`, which TF 2.21 moved (an oracle-side shim only)
_TF_SLIM = """
from tensorflow.python.framework import ops as _ops, tensor as _tensor
_ops.Tensor = _tensor.Tensor
import tf_slim as slim
"""


def _run_program() -> dict:
    ns = {"tf": tf, "np": np, "json": json, "slim": slim}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(PROGRAM, ns)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.tf
@requires_tf
def test_a_slim_model_is_tf_slims_op_for_op_and_trains_to_its_numbers():
    """conv2d, repeat, pools, both batch norms, flatten, stack, dropout, fully_connected,
    bias_add, one_hot_encoding, softmax, regularizers under arg_scope; one SGD step."""
    theirs = run_tf_json(_TF_SLIM + PROGRAM)
    ours = _run_program()
    for key in ("nodes", "globals", "model", "trainable", "regularization", "updates"):
        assert ours[key] == theirs[key], key
    assert ours["restore"] == theirs["restore"] and ours["by_name"] == theirs["by_name"]
    for key in ("init", "after"):
        assert ours[key].keys() == theirs[key].keys()
        for name in theirs[key]:
            np.testing.assert_allclose(ours[key][name], theirs[key][name], atol=2e-5, err_msg=name)
    assert ours["before"] == pytest.approx(theirs["before"], abs=1e-5)
    np.testing.assert_allclose(ours["out"], theirs["out"], atol=1e-5)


def test_arg_scope_sets_defaults_that_calls_override():
    x = tf.placeholder(tf.float32, [None, 4])
    with slim.arg_scope([slim.fully_connected], activation_fn=None, num_outputs=3) as sc:
        with slim.arg_scope([slim.fully_connected], num_outputs=2):
            a = slim.fully_connected(x, scope="a")
        b = slim.fully_connected(x, scope="b")
        c = slim.fully_connected(x, num_outputs=5, activation_fn=tf.nn.relu, scope="c")
    with slim.arg_scope(sc):  # (a scope re-entered as a dict)
        d = slim.fully_connected(x, scope="d")
    assert [t.shape[1] for t in (a, b, c, d)] == [2, 3, 5, 3]
    assert c.op.type == "Relu" and a.op.type == "BiasAdd"
    assert slim.has_arg_scope(slim.conv2d) and not slim.has_arg_scope(tf.nn.relu)
    assert "activation_fn" in slim.arg_scoped_arguments(slim.fully_connected)
    with pytest.raises(ValueError, match="is not decorated with @add_arg_scope"):
        with slim.arg_scope([tf.nn.relu], x=1):
            pass
    with pytest.raises(TypeError, match="list_ops_or_scope must either be a list/tuple"):
        with slim.arg_scope(slim.conv2d, stride=2):
            pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with slim.arg_scope(sc, stride=2):
            pass


def test_user_functions_take_arg_scopes():
    @slim.add_arg_scope
    def scaled(x, factor=1.0, offset=0.0):
        return x * factor + offset

    with slim.arg_scope([scaled], factor=3.0):
        y = scaled(tf.constant(2.0), offset=1.0)
    with tf.Session() as sess:
        assert sess.run(y) == 7.0


def test_layers_reuse_their_variables():
    x = tf.placeholder(tf.float32, [None, 4])
    slim.fully_connected(x, 3, scope="fc")
    slim.fully_connected(x, 3, scope="fc", reuse=True)
    assert [v.name for v in tf.global_variables()] == ["fc/weights:0", "fc/biases:0"]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == tf.global_variables()
    with pytest.raises(ValueError, match="already exists"):
        slim.fully_connected(x, 3, scope="fc")
    with pytest.raises(ValueError, match="num_outputs type should be one of"):
        slim.fully_connected(x, 3.0)


def test_regularizers():
    w = tf.constant([[1.0, -2.0], [3.0, -4.0]])
    l1 = tf.contrib.layers.l1_regularizer(0.5)(w)
    l2 = tf.contrib.layers.l2_regularizer(0.5)(w)
    both = tf.contrib.layers.l1_l2_regularizer(0.5, 0.5)(w)
    assert l1.op.name == "l1_regularizer" and l2.op.name == "l2_regularizer"
    assert tf.contrib.layers.l2_regularizer(0.0)(w) is None
    with pytest.raises(ValueError, match="scale cannot be an integer"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="Setting a scale less than 0"):
        tf.contrib.layers.l1_regularizer(-0.1)
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, w)
    total = tf.contrib.layers.apply_regularization(tf.contrib.layers.l1_regularizer(1.0))
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == [total]
    with tf.Session() as sess:
        assert sess.run([l1, l2, both, total]) == [5.0, 7.5, 12.5, 10.0]


def test_initializers_scale_by_fan():
    xavier = tf.contrib.layers.xavier_initializer(seed=1)([300, 200])
    he = tf.contrib.layers.variance_scaling_initializer(seed=2)([3, 3, 64, 32])
    fan_out = tf.contrib.layers.variance_scaling_initializer(
        factor=1.0, mode="FAN_OUT", uniform=True, seed=3
    )([100, 400])
    with tf.Session() as sess:
        x, h, f = sess.run([xavier, he, fan_out])
    limit = np.sqrt(6.0 / 500)
    assert np.abs(x).max() <= limit and x.std() == pytest.approx(limit / np.sqrt(3), rel=0.03)
    stddev = np.sqrt(1.3 * 2.0 / (3 * 3 * 64))  # a truncated normal's: ~0.88 of that
    assert np.abs(h).max() <= 2 * stddev and h.std() == pytest.approx(0.88 * stddev, rel=0.05)
    assert np.abs(f).max() <= np.sqrt(3.0 / 400)
    with pytest.raises(TypeError, match="Unknown mode"):
        tf.contrib.layers.variance_scaling_initializer(mode="FAN_MAX")


def test_variables_to_restore_and_restoring_from_a_checkpoint(tmp_path):
    with tf.variable_scope("net"):
        a = slim.model_variable("a", shape=[2], initializer=tf.constant_initializer(1.0))
        b = slim.variable("b", shape=[], initializer=tf.constant_initializer(2.0))
    with tf.variable_scope("head"):
        c = slim.model_variable("weights", shape=[3], initializer=tf.zeros_initializer())
    assert slim.get_model_variables() == [a, c]
    assert slim.get_variables_to_restore(exclude=["head"]) == [a, b]
    assert slim.get_variables_to_restore(include=["head"]) == [c]
    assert slim.get_variables_by_name("weights") == [c]
    assert slim.get_unique_variable("net/a") is a
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "model"))
        sess.run([a.assign([5.0, 6.0]), b.assign(7.0)])
        slim.assign_from_checkpoint_fn(path, slim.get_variables_to_restore(exclude=["head"]))(sess)
        assert sess.run(a).tolist() == [1.0, 1.0] and sess.run(b) == 2.0
        sess.run(a.assign([5.0, 6.0]))
        op, feed = slim.assign_from_checkpoint(path, [a])
        sess.run(op, feed)
        assert sess.run(a).tolist() == [1.0, 1.0]
        with pytest.raises(ValueError, match=r"Checkpoint is missing variable \[nope\]"):
            slim.assign_from_checkpoint(path, {"nope": a})


def test_batch_norm_updates_and_its_limits():
    x = tf.placeholder(tf.float32, [None, 3])
    y = slim.batch_norm(x, decay=0.5, center=False, is_training=True)
    (update_mean, update_var) = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    data = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, mean, var = sess.run([y, update_mean, update_var], {x: data})
    np.testing.assert_allclose(out, [[-1, -1, -1], [1, 1, 1]], atol=2e-3)
    np.testing.assert_allclose(mean, data.mean(0) / 2)  # 0 -> halfway to the batch mean
    np.testing.assert_allclose(var, (1 + data.var(0, ddof=1)) / 2, rtol=1e-6)
    with pytest.raises(NotImplementedError, match="renorm"):
        slim.batch_norm(x, renorm=True)
    with pytest.raises(ValueError, match="Expected 2 or 4 but got 3"):
        slim.batch_norm(tf.placeholder(tf.float32, [None, 2, 3]))


LAYER_NORM_PROGRAM = (Path(__file__).parent / "layer_norm_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_layer_norm_is_tf_slims_op_for_op():
    """tf.contrib.layers.layer_norm: rank 2 and 4, norm/params axes, no center or scale,
    collections, reuse; op names and types, variables, values and gradients."""
    theirs = run_tf_json(_TF_SLIM + LAYER_NORM_PROGRAM)
    ours = run_here_json("import json\nslim = tf.contrib.slim\n" + LAYER_NORM_PROGRAM)
    for key in ("model", "trainable", "ln_vars", "ln_out", "ops", "shapes"):
        assert ours[key] == theirs[key], key
    for key in ("values", "grads"):
        for a, b in zip(ours[key], theirs[key], strict=True):
            np.testing.assert_allclose(a, b, atol=2e-5, err_msg=key)


def test_layer_norm_errors():
    with pytest.raises(ValueError, match="has undefined rank"):
        slim.layer_norm(tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match=r"begin_params_axis \(3\) and begin_norm_axis"):
        slim.layer_norm(tf.zeros([2, 3]), begin_params_axis=3)
    with pytest.raises(ValueError, match="is not fully defined"):
        slim.layer_norm(tf.placeholder(tf.float32, [2, None]))
