"""`tf.data.experimental.Optional`, `OptionalSpec` and `get_next_as_optional` against TF
2.21: the graph (op names, types, static shapes), values, and the error for a missing
value."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
ds = tf.data.Dataset.from_tensor_slices((np.arange(3), np.arange(3.0) + 0.5))
it = tf.data.make_one_shot_iterator(ds)
nxt = tf.data.experimental.get_next_as_optional(it)
has = nxt.has_value()
default = lambda: (tf.constant(-1, tf.int64), tf.constant(-1.0, tf.float64))
both = [has, tf.cond(has, nxt.get_value, default)]
o = tf.data.experimental.Optional.from_value((5, np.array([1.5, 2.5])))
v = o.get_value(name="gv"); h = o.has_value(name="hv")
d = tf.data.experimental.Optional.from_value({"b": tf.constant("x"), "a": tf.constant([1, 2])})
e = tf.data.experimental.Optional.empty({"x": tf.TensorSpec([None], tf.int32)})
ev = e.get_value()
graph = [(op.name, op.type, [i.name for i in op.inputs], [str(t.shape) for t in op.outputs])
         for op in tf.get_default_graph().get_operations()]
out = {"graph": graph, "spec": repr(nxt.element_spec), "dspec": repr(d.element_spec),
       "espec": repr(e.element_spec), "runs": []}
def plain(x):
    if isinstance(x, dict):
        return {k: plain(x[k]) for k in sorted(x)}
    if isinstance(x, (list, tuple)):
        return [plain(i) for i in x]
    x = np.asarray(x)
    return x.astype(str).tolist() if x.dtype.kind in "OS" else x.tolist()
with tf.Session() as sess:
    for _ in range(4):
        out["runs"].append(plain(sess.run(both)))
    out["fixed"] = plain(sess.run([v, h, d.get_value(), d.has_value(), e.has_value()]))
    try:
        sess.run(ev)
    except tf.errors.InvalidArgumentError as err:
        out["error"] = err.message
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_optional_graph_values_and_errors_match_tf():
    ours, theirs = run_here_json(PROGRAM), run_tf_json(PROGRAM)
    assert ours["graph"] == theirs["graph"]
    assert ours["runs"] == theirs["runs"]
    assert ours["fixed"] == theirs["fixed"]
    for key in ("spec", "dspec", "espec"):
        assert ours[key].replace("tf.", "") == theirs[key].replace("tf.", ""), key
    assert "The given optional does not have a value." in ours["error"]
    assert "The given optional does not have a value." in theirs["error"]


def test_get_next_as_optional_ends_without_out_of_range():
    it = tf.data.make_one_shot_iterator(tf.data.Dataset.range(2))
    opt = it.get_next_as_optional()
    value = tf.cond(opt.has_value(), opt.get_value, lambda: tf.constant(-1, tf.int64))
    with tf.Session() as sess:
        assert [sess.run(value) for _ in range(4)] == [0, 1, -1, -1]


def test_a_missing_value_is_invalid_argument_naming_the_op():
    e = tf.data.experimental.Optional.empty(tf.TensorSpec([], tf.float32))
    with tf.Session() as sess:
        assert not sess.run(e.has_value())
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not have a value"):
            sess.run(e.get_value(name="missing"))


def test_optional_spec_equality_hash_and_compatibility():
    spec = tf.OptionalSpec(tf.TensorSpec([2], tf.float32))
    same = tf.OptionalSpec(tf.TensorSpec([2], tf.float32))
    loose = tf.OptionalSpec(tf.TensorSpec([None], tf.float32))
    assert spec == same and hash(spec) == hash(same) and spec != loose
    assert spec.is_compatible_with(loose)
    assert not spec.is_compatible_with(tf.OptionalSpec(tf.TensorSpec([2], tf.int32)))
    nested = tf.OptionalSpec({"a": (tf.TensorSpec([], tf.int32),)})
    assert hash(nested) == hash(tf.OptionalSpec({"a": (tf.TensorSpec([], tf.int32),)}))
    opt = tf.data.experimental.Optional.from_value(np.float32(1.0))
    assert tf.OptionalSpec.from_value(opt) == tf.OptionalSpec(tf.TensorSpec([], tf.float32))
    assert opt._type_spec.value_type is tf.data.experimental.Optional
    assert tf.data.experimental.OptionalStructure is tf.OptionalSpec


TF_OP = """
def op(op_type, **kw):
    return getattr(tf.raw_ops, op_type)(**kw)
"""

OUR_OP = """
from tfgraph.framework import registry
from tfgraph.ops.apply import apply_op
def op(op_type, **kw):
    inputs = [kw.pop(a.name) for a in registry.get(op_type).inputs]
    outputs = apply_op(op_type, None, inputs, kw).outputs
    return outputs[0] if len(outputs) == 1 else list(outputs)
"""

SUM_PROGRAM = """
import json
types, shapes = [tf.float32, tf.int32], [[2], []]
full = op("OptionalFromValue", components=[tf.constant([1.0, 2.0]), tf.constant(3)])
none = op("OptionalNone")


def get(optional):
    return op("OptionalGetValue", optional=optional, output_types=types, output_shapes=shapes)


def has(optional):
    return op("OptionalHasValue", optional=optional)


out = {}
with tf.Session() as sess:
    zeros, total = sess.run([get(tf.zeros_like(full)), get(tf.add_n([full, full]))])
    out["zeros"] = [np.asarray(v).tolist() for v in zeros]
    out["sum"] = [np.asarray(v).tolist() for v in total]
    out["none_zeros"] = bool(sess.run(has(tf.zeros_like(none))))
    out["none_sum"] = bool(sess.run(has(tf.add_n([none, none]))))
    try:
        sess.run(has(tf.add_n([full, none])))
    except tf.errors.InvalidArgumentError as e:
        out["mixed"] = [line for line in e.message.split("\\n") if "optionals" in line][0]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_zeros_like_and_add_n_of_optionals_match_tf():
    """ZerosLike and AddN take optionals (what gradients aggregate), as TF's do."""
    ours, theirs = run_here_json(OUR_OP + SUM_PROGRAM), run_tf_json(TF_OP + SUM_PROGRAM)
    assert ours == theirs
