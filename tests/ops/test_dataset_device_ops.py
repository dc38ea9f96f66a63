"""WrapDatasetVariant / UnwrapDatasetVariant, AnonymousIterator and RemoteCall (the ops
copy_to_device builds; compared with TF through tests/data_api/test_devices.py)."""

from __future__ import annotations

import tfgraph as tf
from tfgraph.data.dataset_ops import Dataset
from tfgraph.data.prefetching import _function
from tfgraph.framework.graph import control_dependencies
from tfgraph.ops.apply import apply_op, op_output


def _drain(sess, t) -> list:
    got = []
    while True:
        try:
            got.append(int(sess.run(t)))
        except tf.errors.OutOfRangeError:
            return got


def test_wrap_and_unwrap_pass_the_dataset_on():
    ds = tf.data.Dataset.range(3)
    wrapped = op_output("WrapDatasetVariant", None, [ds._variant_tensor])
    unwrapped = op_output("UnwrapDatasetVariant", None, [wrapped])
    assert wrapped.dtype == tf.variant and wrapped.shape.as_list() == []
    again = Dataset(unwrapped, ds.element_spec)
    with tf.Session() as s:
        assert _drain(s, tf.data.make_one_shot_iterator(again).get_next()) == [0, 1, 2]


def test_anonymous_iterator_is_new_at_each_run():
    ds = tf.data.Dataset.range(2)
    flat = ds._flat_attrs()
    resource = op_output("AnonymousIterator", None, [], dict(flat))
    make = apply_op("MakeIterator", None, [ds._variant_tensor, resource])
    with control_dependencies([make]):
        handle = op_output("IteratorToStringHandle", None, [resource])
    with tf.Session() as s:
        first, second = s.run(handle), s.run(handle)
        assert first != second
        h = tf.placeholder(tf.string, [])
        nxt = tf.data.Iterator.from_string_handle(h, tf.int64, []).get_next()
        assert [int(s.run(nxt, {h: first})) for _ in range(2)] == [0, 1]


def test_remote_call_runs_its_function_here():
    f = _function("twice", [("x", tf.string)], lambda x: [tf.strings.join([x, x])])
    attrs = {"f": f, "Tin": [tf.string], "Tout": [tf.string]}
    op = apply_op("RemoteCall", None, [tf.constant("/cpu:0"), [tf.constant("ab")]], attrs)
    assert op.type == "RemoteCall" and [t.dtype for t in op.outputs] == [tf.string]
    with tf.Session() as s:
        assert s.run(op.outputs[0]) == b"abab"
