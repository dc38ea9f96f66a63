"""DeviceSpec (TF1 `tf.DeviceSpec`), device functions, nested `tf.device` merging and
colocation, as TensorFlow 2.21 behaves."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tfgraph.framework import device as pydev

DeviceSpec = tf.DeviceSpec


# -- DeviceSpec ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("/job:ps/replica:0/task:1/device:GPU:2", "/job:ps/replica:0/task:1/device:GPU:2"),
        ("/gpu:1", "/device:GPU:1"),
        ("/device:GPU:1", "/device:GPU:1"),
        ("CPU:0", "/device:CPU:0"),
        ("cpu", "/device:CPU:*"),
        ("gpu", "/device:GPU:*"),
        ("/job:ps/task:0", "/job:ps/task:0"),
        ("/device:GPU:*", "/device:GPU:*"),
        ("/device:XLA_CPU:0", "/device:XLA_CPU:0"),
        ("/task:3/cpu:0", "/task:3/device:CPU:0"),
        ("TPU:1", "/device:TPU:1"),
        ("", ""),
    ],
)
def test_parse_and_to_string(text, canonical):
    assert DeviceSpec.from_string(text).to_string() == canonical
    assert pydev.canonical_name(text) == canonical


def test_fields_repr_equality_and_hash():
    d = DeviceSpec.from_string("/job:ps/replica:0/task:1/device:GPU:2")
    assert (d.job, d.replica, d.task, d.device_type, d.device_index) == ("ps", 0, 1, "GPU", 2)
    assert repr(d) == ("<DeviceSpec(job=ps, replica=0, task=1, device_type=GPU, device_index=2)>")
    assert DeviceSpec(job="a") == DeviceSpec.from_string("/job:a")
    assert DeviceSpec(device_type="gpu", device_index=0).to_string() == "/device:GPU:0"
    assert hash(DeviceSpec(job="a", task=1)) == hash(DeviceSpec.from_string("/job:a/task:1"))
    assert DeviceSpec(job="a") != "/job:a"


def test_replace_merge_and_setters():
    d = DeviceSpec.from_string("/job:ps/replica:0/task:1/device:GPU:2")
    assert (
        d.replace(task=3, device_type="CPU").to_string() == "/job:ps/replica:0/task:3/device:CPU:2"
    )
    assert d.to_string() == "/job:ps/replica:0/task:1/device:GPU:2"  # replace copies
    assert DeviceSpec(job="w").make_merged_spec(DeviceSpec(task=1)).to_string() == "/job:w/task:1"
    d.merge_from(DeviceSpec(device_index=5))
    assert d.to_string() == "/job:ps/replica:0/task:1/device:GPU:5"
    d.job = "x"
    d.device_type = "cpu"
    assert d.to_string() == "/job:x/replica:0/task:1/device:CPU:5"
    assert hash(d) == hash(DeviceSpec.from_string(d.to_string()))
    e = DeviceSpec.from_string("/job:a")
    assert e.parse_from_string("/task:1") is e
    assert e.to_string() == "/task:1"
    with pytest.raises(TypeError, match="unexpected keyword argument 'color'"):
        d.replace(color="red")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "/job:ps/foo:1",
            "Unknown attribute 'foo' is encountered while parsing the device spec: "
            "'/job:ps/foo:1'.",
        ),
        ("foo", "Unknown attribute 'foo' is encountered"),
        ("/job:a:b", "Unknown attribute 'job' is encountered"),
        (
            "/gpu:0/cpu:0",
            "Multiple device types are not allowed while parsing the device spec: /gpu:0/cpu:0.",
        ),
        ("/task:x", "invalid literal for int()"),
    ],
)  # fmt: skip
def test_parse_errors(text, message):
    with pytest.raises(ValueError) as info:
        DeviceSpec.from_string(text)
    assert message in str(info.value)
    with pytest.raises(ValueError):
        pydev.check_valid(text)


def test_merge_device_function():
    merger = pydev.merge_device("/job:ps/device:GPU:0")
    assert pydev.merge_device("/job:ps/device:GPU:0") is merger  # cached
    assert merger.merge_string("/task:2") == "/job:ps/task:2/device:GPU:0"
    assert merger.merge_string("/job:w/cpu:1") == "/job:w/device:CPU:1"
    assert pydev.merge_device("").is_null_merge
    assert not merger.is_null_merge


# -- tf.device --------------------------------------------------------------------------------
def test_nested_device_blocks_merge_as_tf():
    with tf.device("/job:ps"), tf.device("/task:2"), tf.device("/cpu:0"):
        a = tf.constant(1.0)
        with tf.device(None):
            b = tf.constant(1.0)
    with tf.device("/job:ps/task:1"), tf.device("/job:worker"):
        c = tf.constant(1.0)
    with tf.device("/gpu:0"), tf.device(""):
        d = tf.constant(1.0)
    with tf.device(DeviceSpec(job="ps", device_type="gpu")):
        e = tf.constant(1.0)
    assert a.device == "/job:ps/task:2/device:CPU:0"
    assert b.device == ""
    assert c.device == "/job:worker/task:1"
    assert d.device == "/device:GPU:0"
    assert e.device == "/job:ps/device:GPU:*"


def test_device_functions_keep_their_strings():
    with tf.device(lambda op: "/gpu:0"):
        a = tf.constant(1.0)
    with tf.device(lambda op: "gpu:0"):
        b = tf.constant(1.0)
    with tf.device("/job:ps"), tf.device(lambda op: DeviceSpec(device_type="GPU", device_index=1)):
        c = tf.constant(1.0)
    with tf.device("/gpu:0"), tf.device(lambda op: ""):
        d = tf.constant(1.0)
    with tf.device(lambda op: "/cpu:0" if op.type == "Const" else "/gpu:0"):
        e = tf.constant(1.0)
        f = tf.identity(e)
    assert (a.device, b.device, c.device, d.device) == (
        "/gpu:0",
        "gpu:0",
        "/job:ps/device:GPU:1",
        "/device:GPU:0",
    )
    assert (e.device, f.device) == ("/cpu:0", "/gpu:0")


def test_invalid_device_string_fails_at_tf_device():
    with pytest.raises(ValueError, match="Unknown attribute 'bogus'"):
        with tf.device("/bogus:1"):
            pass


def test_variables_assign_and_read_colocated_with_variable():
    with tf.device("/gpu:1"):
        v = tf.get_variable("v", [1])
        tf.Variable(1.0, name="w")
    g = tf.get_default_graph()
    for name in ("v", "v/Assign", "v/read"):
        assert g.get_operation_by_name(name).device == "/device:GPU:1"
        assert g.get_operation_by_name(name)._attrs["_class"] == [b"loc:@v"]
    assert g.get_operation_by_name("v/Initializer/random_uniform").device == ""
    assert g.get_operation_by_name("w/Assign")._attrs["_class"] == [b"loc:@w"]
    assert g.get_operation_by_name("w/read").device == "/device:GPU:1"
    assert "_class" not in g.get_operation_by_name("w")._attrs
    with tf.device("/cpu:0"):
        upd = v.assign([2.0])
    assert upd.op.device == "/device:GPU:1"  # colocation wins over the device block
    assert upd.op._attrs["_class"] == [b"loc:@v"]


def test_colocate_with_sets_groups_and_device():
    with tf.device("/job:ps/task:3"):
        a = tf.constant(1.0, name="a")
    with tf.device("/gpu:0"), tf.colocate_with(a):
        b = tf.constant(2.0, name="b")
        with tf.colocate_with(b.op):
            c = tf.constant(3.0, name="c")
        with tf.colocate_with(None, ignore_existing=True):
            d = tf.constant(4.0, name="d")
    assert b.device == "/job:ps/task:3" and b.op._attrs["_class"] == [b"loc:@a"]
    assert c.op._attrs["_class"] == [b"loc:@a"]
    assert d.device == "" and "_class" not in d.op._attrs
    with pytest.raises(ValueError, match="ignore_existing is not True"):
        with tf.colocate_with(None):
            pass
