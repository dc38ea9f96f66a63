"""Convolutions fused with their epilogue (client/passes/epilogues.py): a Conv2D or
DepthwiseConv2dNative, its bias add and its activation run as one step, with the values
the ops give one by one, and the ops one by one wherever the fused kernel does not
apply."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors
from tfgraph.client.passes import epilogues, fuse
from tfgraph.platform import onednn

FusedConvolution = epilogues.FusedConvolution  # (the class: fixtures replace the name)
needs_onednn = pytest.mark.skipif(
    not onednn.available(), reason="oneDNN is not installed (the `onednn` extra)"
)


@pytest.fixture
def groups(monkeypatch):
    """The fused groups plans make, as lists of op types (recorded as they are made)."""
    made: list[list[str]] = []
    make = FusedConvolution

    def spy(members, *args):
        made.append([m.type for m in members])
        return make(members, *args)

    monkeypatch.setattr(epilogues, "FusedConvolution", spy)
    return made


@pytest.fixture
def fused_runs(monkeypatch):
    """How many times a fused kernel gave the group's result (not the ops one by one)."""
    counts = {"fused": 0, "one by one": 0}
    call = FusedConvolution.__call__

    def spy(self, v):
        result = self.kernel(*[v[s] for s in self.ins])
        counts["one by one" if result is None else "fused"] += 1
        return call(self, v)

    monkeypatch.setattr(FusedConvolution, "__call__", spy)
    return counts


@pytest.fixture
def small_on_onednn(monkeypatch):
    monkeypatch.setattr(onednn, "MIN_MACS", 0)


def _layer(x, w, b, bias="add", activation="relu", depthwise=False):
    if depthwise:
        y = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
    else:
        y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    if bias == "add":
        y = y + b
    elif bias == "bias_add":
        y = tf.nn.bias_add(y, b)
    if activation == "relu":
        y = tf.nn.relu(y)
    elif activation == "relu6":
        y = tf.nn.relu6(y)
    return y


def _run_layer(monkeypatch, fused: bool, depthwise=False, **kw):
    monkeypatch.setattr(fuse, "ENABLED", fused)
    rng = np.random.RandomState(0)
    xs = rng.randn(3, 9, 9, 4).astype(np.float32) * 4
    xs[1, 4, 4, 0] = np.nan  # (NaNs stay NaN through the activation, as in TF)
    out_c = 8 if depthwise else 6
    ws = rng.randn(3, 3, 4, 2 if depthwise else 6).astype(np.float32)
    bs = rng.randn(out_c).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 4])
        w = tf.Variable(ws)
        b = tf.Variable(bs)
        y = _layer(x, w, b, depthwise=depthwise, **kw)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return sess.run(y, {x: xs})


CASES = [
    {"bias": "add", "activation": "relu"},
    {"bias": "bias_add", "activation": "relu6"},
    {"bias": "add", "activation": None},
    {"bias": None, "activation": "relu"},
    {"bias": "bias_add", "activation": "relu", "depthwise": True},
]


@needs_onednn
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_fused_values_match_the_ops_one_by_one(case, monkeypatch, groups, fused_runs):
    monkeypatch.setattr(onednn, "MIN_MACS", 0)
    expected = _run_layer(monkeypatch, False, **case)
    assert groups == []
    got = _run_layer(monkeypatch, True, **case)
    conv = "DepthwiseConv2dNative" if case.get("depthwise") else "Conv2D"
    members = [conv, {"add": "AddV2", "bias_add": "BiasAdd", None: None}[case["bias"]]]
    members.append({"relu": "Relu", "relu6": "Relu6", None: None}[case["activation"]])
    assert groups == [[m for m in members if m]]
    assert fused_runs == {"fused": 1, "one by one": 0}
    # (oneDNN adds the bias to each finished float32 sum, as the separate add does;
    # the activation is numpy's, as the Relu kernel's)
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got).sum() == np.isnan(expected).sum() > 0
    if case["activation"]:
        assert np.nanmin(got) >= 0
    if case["activation"] == "relu6":
        assert np.nanmax(got) <= 6


def test_without_the_fused_kernel_the_ops_run_one_by_one(monkeypatch, groups, fused_runs):
    # (small convolutions, or no oneDNN: the group's step runs its ops' own steps)
    monkeypatch.setattr(onednn, "MIN_MACS", 1 << 62)
    expected = _run_layer(monkeypatch, False)
    got = _run_layer(monkeypatch, True)
    assert groups == [["Conv2D", "AddV2", "Relu"]]
    assert fused_runs == {"fused": 0, "one by one": 1}
    np.testing.assert_array_equal(got, expected)


def _train(monkeypatch, fused: bool, steps=3):
    """A convnet's training steps: the gradient's Shape ops read the fused values."""
    monkeypatch.setattr(fuse, "ENABLED", fused)
    rng = np.random.RandomState(1)
    xs = rng.rand(4, 12, 12, 3).astype(np.float32)
    ys = np.eye(5, dtype=np.float32)[rng.randint(0, 5, 4)]
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 12, 12, 3])
        y_ = tf.placeholder(tf.float32, [None, 5])
        w1 = tf.Variable(tf.random_normal([5, 5, 3, 8], stddev=0.1))
        b1 = tf.Variable(tf.constant(0.1, shape=[8]))
        h = tf.nn.max_pool(
            tf.nn.relu(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME") + b1),
            [1, 2, 2, 1],
            [1, 2, 2, 1],
            "SAME",
        )
        w2 = tf.Variable(tf.random_normal([6 * 6 * 8, 5], stddev=0.1))
        logits = tf.matmul(tf.reshape(h, [-1, 6 * 6 * 8]), w2)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
        train = tf.train.AdamOptimizer(1e-2).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, train], {x: xs, y_: ys})[0] for _ in range(steps)]
            return losses, sess.run([w1, b1])


@needs_onednn
def test_training_through_a_fused_layer(monkeypatch, groups, fused_runs, small_on_onednn):
    losses, (w1, b1) = _train(monkeypatch, False)
    fused_losses, (fused_w1, fused_b1) = _train(monkeypatch, True)
    assert groups == [["Conv2D", "AddV2", "Relu"]]
    assert fused_runs["fused"] == 3 and fused_runs["one by one"] == 0
    np.testing.assert_allclose(fused_losses, losses, rtol=1e-5)
    np.testing.assert_allclose(fused_w1, w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fused_b1, b1, rtol=1e-5, atol=1e-6)


def _groups_of(build, monkeypatch, feed_shape=(2, 9, 9, 4)):
    """The groups made for the fetches `build(x)` returns, and their values."""
    made: list = []
    make = FusedConvolution

    def spy(members, *args):
        made.append([m.type for m in members])
        return make(members, *args)

    monkeypatch.setattr(epilogues, "FusedConvolution", spy)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 4])
        fetches = build(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(fetches, {x: np.ones(feed_shape, np.float32)})
    return made


def _conv(x, channels=6, dtype=tf.float32):
    w = tf.Variable(tf.ones([3, 3, 4, channels], dtype) * 0.1)
    return tf.nn.conv2d(tf.cast(x, dtype), w, [1, 1, 1, 1], "SAME")


def test_what_is_not_fused(monkeypatch):
    bias = tf.constant  # (a constant bias is as good as a variable's)

    def fetched_inside(x):
        y = _conv(x) + bias(np.ones(6, np.float32))
        return [tf.nn.relu(y), y]  # (the sum is fetched: conv + bias only)

    assert _groups_of(fetched_inside, monkeypatch) == [["Conv2D", "AddV2"]]
    # the convolution's value is read by another op
    assert _groups_of(lambda x: [tf.nn.relu(_conv(x)) + tf.reduce_sum(x)], monkeypatch) == [
        ["Conv2D", "Relu"]
    ]

    def read_twice(x):
        y = _conv(x)
        return tf.nn.relu(y) + tf.reduce_sum(y)

    assert _groups_of(read_twice, monkeypatch) == []
    # not a vector of the output's channels; NCHW bias; float64
    row = np.ones((1, 1, 1, 6), np.float32)
    assert _groups_of(lambda x: _conv(x) + bias(row), monkeypatch) == []
    assert _groups_of(lambda x: _conv(x) + _conv(x), monkeypatch) == []
    nchw = lambda x: tf.nn.bias_add(  # noqa: E731
        tf.transpose(_conv(x), [0, 3, 1, 2]), bias(np.ones(6, np.float32)), data_format="NCHW"
    )
    assert _groups_of(nchw, monkeypatch) == []
    assert _groups_of(lambda x: tf.nn.relu(_conv(x, dtype=tf.float64)), monkeypatch) == []


def test_a_shape_read_before_the_add_keeps_the_ops_apart(monkeypatch):
    # (the bias depends on the convolution's run-time shape: its Shape op runs between
    # the convolution and the add, so the convolution cannot wait for the add)
    monkeypatch.setattr(onednn, "MIN_MACS", 0)

    def build(x):
        y = _conv(x)
        batch = tf.cast(tf.shape(y)[0], tf.float32)
        return tf.nn.relu(y + tf.constant(np.arange(6, dtype=np.float32)) * batch)

    assert _groups_of(build, monkeypatch) == []
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 4])
        out = build(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(out, {x: np.ones((2, 9, 9, 4), np.float32)})
    assert got.shape == (2, 9, 9, 6) and got[0, 4, 4, 5] == pytest.approx(3.6 + 10, rel=1e-5)


def test_a_conv_error_names_the_conv(monkeypatch):
    # (fed 5 channels for a filter of 4: the fused kernel declines, the Conv2D step
    # raises TF's error)
    monkeypatch.setattr(onednn, "MIN_MACS", 0)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, None])
        w = tf.Variable(tf.ones([3, 3, 4, 6]))
        y = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", name="conv") + tf.ones([6]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(errors.InvalidArgumentError, match="evenly divisible") as info:
                sess.run(y, {x: np.ones((1, 9, 9, 5), np.float32)})
    assert info.value.op.name == "conv"


@needs_onednn
def test_step_stats_name_every_fused_op(monkeypatch, small_on_onednn):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 4])
        y = tf.nn.relu(_conv(x) + tf.ones([6]), name="act")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            meta = tf.RunMetadata()
            sess.run(
                y,
                {x: np.ones((2, 9, 9, 4), np.float32)},
                options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                run_metadata=meta,
            )
    names = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
    assert {"Conv2D", "add", "act"} <= names
