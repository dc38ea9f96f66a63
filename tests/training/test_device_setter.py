"""tf.train.ClusterSpec and tf.train.replica_device_setter (round robin and greedy load
balancing); expected devices were checked against TensorFlow 2.21."""

from __future__ import annotations

import pytest

import tfgraph as tf

SPEC = {"ps": ["ps0:2222", "ps1:2222"], "worker": {1: "w1:2222", 3: "w3:2222"}}


# -- ClusterSpec --------------------------------------------------------------------------------
def test_cluster_spec_api():
    cs = tf.train.ClusterSpec(SPEC)
    assert cs.jobs == ["ps", "worker"]
    assert cs.num_tasks("worker") == 2
    assert cs.task_indices("worker") == [1, 3]
    assert cs.job_tasks("worker") == [None, "w1:2222", None, "w3:2222"]
    assert cs.task_address("ps", 1) == "ps1:2222"
    assert cs.as_dict() == {"ps": ["ps0:2222", "ps1:2222"], "worker": {1: "w1:2222", 3: "w3:2222"}}
    assert repr(cs) == (
        "ClusterSpec({'ps': ['ps0:2222', 'ps1:2222'], 'worker': {1: 'w1:2222', 3: 'w3:2222'}})"
    )
    assert cs == {"ps": {0: "ps0:2222", 1: "ps1:2222"}, "worker": {1: "w1:2222", 3: "w3:2222"}}
    assert tf.train.ClusterSpec(cs) == cs
    assert bool(cs) and not tf.train.ClusterSpec({})


def test_cluster_spec_errors():
    cs = tf.train.ClusterSpec(SPEC)
    with pytest.raises(ValueError, match="No such job in cluster: 'x'"):
        cs.num_tasks("x")
    with pytest.raises(ValueError, match="No task with index 7 in job 'ps'"):
        cs.task_address("ps", 7)
    with pytest.raises(TypeError, match="`cluster` must be a dictionary mapping one or more job"):
        tf.train.ClusterSpec(3)
    with pytest.raises(TypeError, match="The tasks for job 'a' must be a list or a dictionary"):
        tf.train.ClusterSpec({"a": 3})


def test_cluster_def_round_trip():
    cs = tf.train.ClusterSpec(SPEC)
    cluster_def = cs.as_cluster_def()
    assert [job.name for job in cluster_def.job] == ["ps", "worker"]
    assert dict(cluster_def.job[1].tasks) == {1: "w1:2222", 3: "w3:2222"}
    assert tf.train.ClusterSpec(cluster_def).as_dict() == cs.as_dict()


# -- replica_device_setter ----------------------------------------------------------------------
def test_seed_cluster_example():
    cluster_spec = {
        "ps": ["ps0:2222", "ps1:2222"],
        "worker": ["worker0:2222", "worker1:2222", "worker2:2222"],
    }
    with tf.device(tf.train.replica_device_setter(cluster=cluster_spec)):
        v = tf.get_variable("v", shape=[20, 20])
        w = tf.get_variable("w", shape=[20])
        y = v + 1
    assert v.device == "/job:ps/task:0"
    assert w.device == "/job:ps/task:1"
    assert y.device == "/job:worker"
    g = tf.get_default_graph()
    assert g.get_operation_by_name("v/Assign").device == "/job:ps/task:0"
    assert g.get_operation_by_name("v/read").device == "/job:ps/task:0"
    assert g.get_operation_by_name("v/Initializer/random_uniform").device == ""


def test_round_robin_and_existing_devices():
    with tf.device(tf.train.replica_device_setter(ps_tasks=3)):
        vs = [tf.Variable(1.0, name=f"v{i}") for i in range(4)]
        c = tf.constant(1.0, name="c")
        with tf.device("/job:ps/task:7"):
            pinned = tf.Variable(2.0, name="pinned")
        with tf.device("/gpu:1"):
            g = tf.Variable(2.0, name="g")
            k = tf.constant(2.0, name="k")
    assert [v.device for v in vs] == [
        "/job:ps/task:0",
        "/job:ps/task:1",
        "/job:ps/task:2",
        "/job:ps/task:0",
    ]
    assert c.device == "/job:worker"
    assert pinned.device == "/job:ps/task:7"
    assert g.device == "/job:ps/task:2/device:GPU:1"
    assert k.device == "/job:worker/device:GPU:1"


def test_custom_ps_device_worker_device_and_ps_ops():
    setter = tf.train.replica_device_setter(
        ps_tasks=2,
        ps_device="/job:param",
        worker_device="/job:worker/task:3/cpu:0",
        ps_ops=["VariableV2", "Const"],
    )
    with tf.device(setter):
        a = tf.Variable(1.0, name="a")
        d = tf.constant(3.0, name="d")
        e = tf.add(d, 1.0, name="e")
    assert (a.device, d.device, e.device) == (
        "/job:param/task:1",
        "/job:param/task:0",
        "/job:worker/task:3/device:CPU:0",
    )
    assert a.initializer.device == "/job:param/task:1"


def test_merge_devices_false_keeps_existing_device():
    with tf.device(tf.train.replica_device_setter(ps_tasks=2, merge_devices=False)):
        with tf.device("/job:foo"):
            m = tf.Variable(1.0, name="m")
            n = tf.constant(1.0, name="n")
    assert (m.device, n.device) == ("/job:foo", "/job:foo")


def test_no_ps_tasks_gives_none_and_bad_strategy_raises():
    assert tf.train.replica_device_setter() is None
    assert tf.train.replica_device_setter(cluster={"worker": ["a"]}) is None
    assert tf.train.replica_device_setter(cluster=tf.train.ClusterSpec({"ps": ["p"]})) is not None
    with pytest.raises(TypeError, match="ps_strategy must be callable"):
        tf.train.replica_device_setter(ps_tasks=1, ps_strategy=3)


def test_greedy_load_balancing_by_byte_size():
    strategy = tf.train.GreedyLoadBalancingStrategy(2, tf.train.byte_size_load_fn)
    with tf.device(tf.train.replica_device_setter(ps_tasks=2, ps_strategy=strategy)):
        big = tf.get_variable("big", [10, 10])  # 400 bytes -> task 0
        small = tf.get_variable("small", [5])  # 20 bytes -> task 1
        mid = tf.get_variable("mid", [100])  # 400 bytes -> task 1 (load 20 < 400)
        last = tf.get_variable("last", [1], dtype=tf.float64)  # task 1 has 420 -> task 0
        scalar = tf.get_variable("scalar", [])  # 408 vs 420 -> task 0
    assert [v.device for v in (big, small, mid, last, scalar)] == [
        "/job:ps/task:0",
        "/job:ps/task:1",
        "/job:ps/task:1",
        "/job:ps/task:0",
        "/job:ps/task:0",
    ]


def test_byte_size_load_fn_errors():
    v = tf.get_variable("v", [3, 4], dtype=tf.float64)
    assert tf.train.byte_size_load_fn(v.op) == 96
    q = tf.constant([1, 2]).op
    assert tf.train.byte_size_load_fn(q) == 8
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError):
        tf.train.byte_size_load_fn(p.op)
    with pytest.raises(ValueError, match="must have a single output"):
        tf.train.byte_size_load_fn(tf.no_op())
