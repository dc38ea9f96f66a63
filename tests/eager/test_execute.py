"""Eager op execution: the registry's kernels run at once, equal to graph mode."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0
# Each expression runs twice per mode with different constant arguments (the kernel
# cache must not reuse a kernel bound to another call's constants).
EXPRESSIONS = [
    "tf.reshape(x, [4, 6])",
    "tf.reshape(x, [6, -1])",
    "tf.transpose(x, [2, 0, 1])",
    "tf.transpose(x, [1, 2, 0])",
    "tf.reduce_sum(x, axis=1)",
    "tf.reduce_sum(x, axis=[0, 2])",
    "tf.reduce_mean(x)",
    "tf.slice(x, [0, 1, 1], [2, 2, 2])",
    "tf.slice(x, [1, 0, 0], [1, 3, 2])",
    "tf.tile(x, [1, 2, 1])",
    "tf.tile(x, [2, 1, 1])",
    "x[:, 1:, ::2]",
    "x[1, :, 3]",
    "tf.one_hot([0, 2], 3)",
    "tf.one_hot([1, 0], 4)",
    "tf.concat([x, x * 2.0], axis=1)",
    "tf.concat([x, x * 2.0], axis=2)",
    "tf.matmul(x[0], tf.transpose(x[1]))",
    "tf.nn.softmax(x)",
    "tf.nn.relu(x - 1.0)",
    "tf.argmax(x, axis=2)",
    "tf.gather(x, [1, 0], axis=1)",
    "tf.split(x, 2, axis=2)",
    "tf.unstack(x, axis=1)",
    "tf.pad(x, [[0, 0], [1, 0], [0, 2]])",
    "tf.pad(x, [[1, 1], [0, 0], [0, 0]])",
    "tf.cast(x > 1.0, tf.int32)",
    "tf.where(x > 1.0, x, -x)",
    "tf.expand_dims(x, 1)",
    "tf.squeeze(tf.expand_dims(x, 0))",
    "tf.fill([2, 3], 4.0)",
    "tf.zeros([3, 2])",
    "tf.range(3, 10, 2)",
    "tf.clip_by_value(x, 0.5, 2.0)",
    "tf.nn.conv2d(x[None], tf.ones([2, 2, 4, 3]), [1, 1, 1, 1], 'SAME')",
    "tf.nn.max_pool(x[None], [1, 2, 2, 1], [1, 1, 1, 1], 'VALID')",
]


def _eager_values(expr):
    value = eval(expr, {"tf": tf, "x": tf.constant(X)})
    if isinstance(value, list):
        return [v.numpy() for v in value]
    return value.numpy()


def _graph_values(expr):
    with tf.Graph().as_default():
        value = eval(expr, {"tf": tf, "x": tf.constant(X)})
        with tf.Session() as sess:
            return sess.run(value)


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_eager_equals_graph_mode(expr):
    eager = _eager_values(expr)
    again = _eager_values(expr)  # the cached kernel gives the same answer
    graph = _graph_values(expr)
    if isinstance(graph, list):
        assert len(eager) == len(graph)
        for e, a, g in zip(eager, again, graph):
            np.testing.assert_allclose(e, g, rtol=1e-6)
            np.testing.assert_allclose(a, g, rtol=1e-6)
    else:
        np.testing.assert_allclose(eager, graph, rtol=1e-6)
        np.testing.assert_allclose(again, graph, rtol=1e-6)
        assert eager.dtype == graph.dtype


def test_cached_kernels_do_not_keep_another_calls_constants():
    x = tf.constant(X)
    assert tf.reshape(x, [4, 6]).shape == (4, 6)
    assert tf.reshape(x, [6, 4]).shape == (6, 4)
    assert tf.reduce_sum(x, axis=0).shape == (3, 4)
    assert tf.reduce_sum(x, axis=2).shape == (2, 3)


def test_fast_operators_equal_the_general_path():
    x = tf.constant(X)
    for fast, general in [
        (x + 1, tf.add(x, tf.constant(1.0))),
        (1 - x, tf.subtract(tf.constant(1.0), x)),
        (x * x, tf.multiply(x, x)),
        (x / 2, tf.divide(x, tf.constant(2.0))),
        (2 / (x + 1), tf.divide(tf.constant(2.0), tf.add(x, 1.0))),
    ]:
        np.testing.assert_array_equal(fast.numpy(), general.numpy())
        assert fast.dtype == general.dtype
    i = tf.constant([1, 2, 3])
    assert (i + 1).numpy().tolist() == [2, 3, 4] and (i + 1).dtype == tf.int32
    assert (i / 2).dtype == tf.float64  # int division casts, as TF's truediv
    assert (x + tf.constant(X)).shape == (2, 3, 4)


def test_errors_are_tensorflows_with_the_op_named():
    x = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reshape(x, [5])
    assert str(info.value) == (
        "Input to reshape is a tensor with 3 values, but the requested shape has 5 [Op:Reshape]"
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:MatMul\]"):
        tf.matmul(tf.ones([3, 2]), tf.ones([3, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:AddV2\]"):
        tf.ones([2]) + tf.ones([3])
    with pytest.raises(RuntimeError, match="tf.placeholder\\(\\) is not compatible with eager"):
        tf.placeholder(tf.float32)


def test_graph_blocks_build_graphs_and_take_eager_values_as_constants():
    x = tf.constant([1.0, 2.0])
    with tf.Graph().as_default() as g:
        y = tf.constant(1.0) + x
        assert y.graph is g and not tf.executing_eagerly()
        with tf.Session() as sess:
            assert sess.run(y).tolist() == [2.0, 3.0]
    assert tf.executing_eagerly()


def test_name_scopes_prefix_nothing_and_collect_no_names():
    g = tf.get_default_graph()
    with tf.name_scope("outer"):
        for _ in range(3):
            tf.constant(1.0) + tf.constant(2.0)
    assert not g._names_in_use


def test_devices_soft_place_on_the_cpu(capfd):
    tf.debugging.set_log_device_placement(True)
    try:
        with tf.device("GPU:0"):
            k = tf.constant([[1.0, 2.0]]) * tf.constant([[3.0, 4.0]])
    finally:
        tf.debugging.set_log_device_placement(False)
    assert k.numpy().tolist() == [[3.0, 8.0]]
    assert k.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    err = capfd.readouterr().err
    assert "Executing op Mul in device /job:localhost/replica:0/task:0/device:CPU:0" in err


SUBNORMAL = """
x = tf.constant(np.full(3, 1e-39, np.float32))
m = tf.constant(np.full((3, 3), 1e-20, np.float32))
result = [(x * 1.0).numpy().tolist(), tf.multiply(x, 2.0).numpy().tolist(),
          tf.matmul(m, m).numpy().tolist()]
"""


def test_eager_kernels_flush_subnormals_as_tensorflow():
    scope = {"tf": tf, "np": np}
    exec(SUBNORMAL, scope)
    assert scope["result"] == [[0.0] * 3, [0.0] * 3, [[0.0] * 3] * 3]


@pytest.mark.tf
@requires_tf
def test_eager_subnormals_match_tensorflow():
    import json

    theirs = json.loads(run_tf(SUBNORMAL + "print(json.dumps(result))\n", v1=False))
    scope = {"tf": tf, "np": np}
    exec(SUBNORMAL, scope)
    assert scope["result"] == theirs
