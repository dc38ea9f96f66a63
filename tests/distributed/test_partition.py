"""How a run is split across tasks (tfgraph/distributed/partition.py; no Ray needed)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tfgraph.distributed.partition import partition

CLUSTER = tf.train.ClusterSpec({"ps": ["ps0:1", "ps1:1"], "worker": ["w0:1"]})
TASKS = {("ps", 0), ("ps", 1), ("worker", 0)}
WORKER = ("worker", 0)


def _model():
    setter = tf.train.replica_device_setter(worker_device="/job:worker/task:0", cluster=CLUSTER)
    with tf.device(setter):
        step = tf.train.get_or_create_global_step()
        w = tf.Variable(tf.ones([3, 1]), name="w")
        b = tf.Variable(0.0, name="b")
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, w, b, x, loss, train


def test_a_training_step_is_a_few_waves():
    *_, x, loss, train = _model()
    plan = partition([loss], [train], [x], WORKER, TASKS)
    shape = [sorted(g.task for g in wave) for wave in plan.waves]
    # reads on both ps tasks; the model on the worker; the updates, w's and then b's
    # with the global step (which waits for both)
    assert shape == [[("ps", 0), ("ps", 1)], [WORKER], [("ps", 1)], [("ps", 0)]]
    worker_group = plan.waves[1][0]
    assert x in worker_group.inputs and loss in worker_group.outputs
    # the variables are in the groups that read and update them, never sent
    for group in plan.waves[0] + plan.waves[2] + plan.waves[3]:
        assert all(t.dtype._base == t.dtype for t in group.inputs)


def test_variables_go_where_replica_device_setter_put_them():
    step, w, b, *_ = _model()
    assert (w.device, b.device, step.device) == (
        "/job:ps/task:1",
        "/job:ps/task:0",
        "/job:ps/task:0",
    )


def test_initialisation_sends_initial_values_to_the_ps():
    _model()
    init = tf.global_variables_initializer()
    plan = partition([], [init], [], WORKER, TASKS)
    assert [sorted(g.task for g in wave) for wave in plan.waves] == [
        [WORKER],  # (the initial values: tf.ones, zeros)
        [("ps", 0), ("ps", 1)],  # the Assigns, with their variables
        [WORKER],  # init, after them
    ]


def test_an_op_on_an_unknown_task_is_an_invalid_argument():
    with tf.device("/job:ps/task:7"):
        v = tf.Variable(1.0, name="far")
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="the cluster has no task /job:ps/task:7"
    ):
        partition([v.value()], [], [], WORKER, TASKS)


def test_control_flow_across_tasks_is_refused():
    with tf.device("/job:ps/task:0"):
        n = tf.Variable(3, name="n")
    with tf.device("/job:worker/task:0"):
        out = tf.while_loop(lambda i: i < n, lambda i: i + 1, [0])
    with pytest.raises(tf.errors.UnimplementedError, match="Control flow across tasks"):
        partition([out], [], [], WORKER, TASKS)


def test_with_one_ps_a_training_step_is_two_calls_to_it():
    cluster = tf.train.ClusterSpec({"ps": ["ps0:1"], "worker": ["w0:1"]})
    with tf.device(tf.train.replica_device_setter(cluster=cluster)):
        step = tf.train.get_or_create_global_step()
        w = tf.Variable(tf.ones([3, 1]), name="w")
        loss = tf.reduce_sum(tf.matmul(tf.ones([2, 3]), w))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    plan = partition([loss], [train], [], WORKER, {("ps", 0), WORKER})
    assert [[g.task for g in wave] for wave in plan.waves] == [
        [("ps", 0)],
        [WORKER],
        [("ps", 0)],
    ]


def test_import_tfgraph_does_not_import_ray():
    import subprocess
    import sys

    code = "import sys, tfgraph as tf; tf.train.Server; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_ray_a_server_says_which_extra_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"pip install 'tfgraph-numpy\[distributed\]'"):
        tf.train.Server({"local": ["localhost:1"]})
