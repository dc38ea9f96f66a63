"""Session device placement: TF's errors for devices this process does not have, soft
placement, and the log_device_placement output (checked against TensorFlow 2.21)."""

from __future__ import annotations

import types

import pytest

import tfgraph as tf
from tfgraph import errors

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def _config(soft=False, log=False):
    try:
        return tf.ConfigProto(allow_soft_placement=soft, log_device_placement=log)
    except AttributeError:  # tfgraph.proto not merged: any object with the fields works
        return types.SimpleNamespace(allow_soft_placement=soft, log_device_placement=log)


def _build(device):
    with tf.device(device):
        a = tf.constant(1.0, name="a")
        b = tf.add(a, 1.0, name="b")
    return b


@pytest.mark.parametrize(
    ("device", "gpu_hint"),
    [
        ("/gpu:1", True),
        ("/device:GPU:*", True),
        ("/device:CPU:1", False),
        ("/device:TPU:0", False),
        ("/device:XLA_CPU:0", False),
    ],
)
def test_missing_device_without_soft_placement(device, gpu_hint):
    b = _build(device)
    canonical = b.device
    with tf.Session(config=_config()) as sess:
        with pytest.raises(errors.InvalidArgumentError) as info:
            sess.run(b)
    msg = str(info.value)
    # TF names the first op its placer visits: non-Const ops before Consts.
    assert msg.startswith(
        f"Cannot assign a device for operation b: {{{{node b}}}} was explicitly assigned to "
        f"{canonical} but available devices are [ {CPU} ]. Make sure the device "
        "specification refers to a valid device."
    )
    assert ("The requested device appears to be a GPU, but CUDA is not enabled." in msg) == gpu_hint
    assert msg.endswith("\n\t [[b]]")
    assert info.value.op is b.op


@pytest.mark.parametrize("device", ["/gpu:1", "/device:CPU:1", "/device:TPU:0", "/task:0/gpu:3"])
def test_soft_placement_runs_on_cpu_and_keeps_device(device):
    b = _build(device)
    requested = b.device
    with tf.Session(config=_config(soft=True)) as sess:
        assert sess.run(b) == 2.0
    assert b.device == requested


@pytest.mark.parametrize(
    "device", ["/job:ps/task:0", "/task:1", "/replica:1", "/job:localhost/task:1", "/job:worker"]
)
def test_other_jobs_and_tasks_fail_even_with_soft_placement(device):
    b = _build(device)
    for soft in (False, True):
        with tf.Session(config=_config(soft=soft)) as sess:
            with pytest.raises(
                errors.InvalidArgumentError,
                match=f"Cannot assign a device for operation b: .* assigned to {b.device}",
            ):
                sess.run(b)


@pytest.mark.parametrize(
    "device", ["", "/cpu:0", "/cpu:*", "/job:localhost/replica:0/task:0/device:CPU:0", "/task:0"]
)
def test_local_cpu_devices_run(device):
    b = _build(device)
    with tf.Session(config=_config()) as sess:
        assert sess.run(b) == 2.0


def test_first_reported_op_follows_tf_placer_order():
    with tf.device("/gpu:0"):
        a = tf.constant(1.0, name="a")
        c = tf.identity(a, name="c")
        tf.identity(c, name="d")
    tf.constant(0.0, name="z")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="operation c: "):
            sess.run("z:0")  # the whole graph is placed, not only what runs
    g = tf.Graph()
    with g.as_default(), tf.device("/gpu:0"):
        v = tf.Variable(1.0, name="v")
    with tf.Session(graph=g) as sess:
        with pytest.raises(errors.InvalidArgumentError, match="operation v: "):
            sess.run(v.initializer)


def test_graph_growth_is_checked_on_the_next_run():
    a = tf.constant(1.0, name="a")
    with tf.Session() as sess:
        assert sess.run(a) == 1.0
        with tf.device("/gpu:0"):
            tf.identity(a, name="later")
        with pytest.raises(errors.InvalidArgumentError, match="operation later: "):
            sess.run(a + 1)


def test_malformed_device_from_a_function():
    with tf.device(lambda op: "foo"):
        a = tf.constant(1.0, name="a")
    with tf.Session() as sess:
        with pytest.raises(
            errors.InvalidArgumentError, match="Malformed device specification 'foo' in node"
        ):
            sess.run(a)


def test_log_device_placement_format(capsys, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    a = tf.constant(1.0, name="a")
    with tf.device("/gpu:0"):
        b = tf.add(a, 1.0, name="b")
    v = tf.Variable(2.0, name="v")
    with tf.Session(config=_config(soft=True, log=True)) as sess:
        assert sess.run(b) == 2.0
        sess.run(v.initializer)  # no growth: nothing logged again
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"b: (AddV2): {CPU}",
        f"v: (VariableV2): {CPU}",
        f"v/Assign: (Assign): {CPU}",
        f"v/read: (Identity): {CPU}",
        f"a: (Const): {CPU}",
        f"b/y: (Const): {CPU}",
        f"v/initial_value: (Const): {CPU}",
    ]
    lines = err.splitlines()
    assert lines[0].startswith("I0000 00:00:")
    assert lines[0].endswith("direct_session.cc:382] Device mapping: no known devices.")
    assert lines[1].endswith(f"placer.cc:162] b: (AddV2): {CPU}")
    assert len(lines) == 8


def test_log_device_placement_relogs_whole_graph_on_growth(capsys, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ INFO logs hidden: stdout only
    a = tf.constant(1.0, name="a")
    b = tf.add(a, 1.0, name="b")
    with tf.Session(config=_config(log=True)) as sess:
        sess.run(b)
        c = tf.add(b, 1.0, name="c")
        sess.run(c)
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"b: (AddV2): {CPU}",
        f"a: (Const): {CPU}",
        f"b/y: (Const): {CPU}",
        f"b: (AddV2): {CPU}",
        f"c: (AddV2): {CPU}",
        f"a: (Const): {CPU}",
        f"b/y: (Const): {CPU}",
        f"c/y: (Const): {CPU}",
    ]


def test_list_devices():
    with tf.Session() as sess:
        (dev,) = sess.list_devices()
    assert dev.name == CPU and dev.device_type == "CPU"


def test_colocation_group_takes_the_variables_device():
    # get_variable's initializer ops have no device but are colocated with the variable
    # (`loc:@v`), so TF's placer reports the first of them (RandomUniform; Consts last).
    with tf.device("/gpu:1"):
        v = tf.get_variable("v", [1])
    with tf.Session(config=_config()) as sess:
        with pytest.raises(errors.InvalidArgumentError) as info:
            sess.run(v.initializer)
    assert str(info.value).startswith(
        "Cannot assign a device for operation v/Initializer/random_uniform/RandomUniform: "
        "Could not satisfy explicit device specification '' because the node "
        "{{colocation_node v/Initializer/random_uniform/RandomUniform}} was colocated with a "
        "group of nodes that required incompatible device '/device:GPU:1'. All available "
        f"devices [{CPU}]."
    )
    assert "  v (VariableV2) /device:GPU:1\n" in str(info.value)
    with tf.Session(config=_config(soft=True)) as sess:
        sess.run(v.initializer)
        assert sess.run(v).shape == (1,)


def test_colocation_group_on_another_task_fails_even_soft():
    with tf.device("/job:ps/task:0"):
        w = tf.get_variable("w", [1])
        x = tf.Variable(1.0, name="x")
    with tf.Session(config=_config(soft=True)) as sess:
        with pytest.raises(
            errors.InvalidArgumentError,
            match="incompatible device '/job:ps/task:0'",
        ):
            sess.run(w.initializer)
    g = tf.Graph()
    with g.as_default():
        with tf.device("/gpu:1"):
            x = tf.Variable(1.0, name="x")  # its initial value is not colocated with it
        with tf.Session(graph=g) as sess:
            with pytest.raises(
                errors.InvalidArgumentError, match="operation x: {{node x}} was explicitly"
            ):
                sess.run(x.initializer)
