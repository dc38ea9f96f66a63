"""tf.data.Options (and its option groups), Dataset.with_options / Dataset.options()
merging, the OptionsDataset ops (their serialized options bytes and colocation) and
tf.data.DatasetSpec, compared with TensorFlow."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
def build_error(fn):
    try:
        fn()
        return "ok"
    except (ValueError, TypeError, AttributeError) as e:
        return [type(e).__name__, str(e)]
result = {}
o = tf.data.Options()
result["defaults"] = [o.experimental_deterministic, o.deterministic,
                      o.threading.private_threadpool_size,
                      o.threading.max_intra_op_parallelism,
                      o.experimental_optimization.map_parallelization,
                      o.experimental_slack, str(o.experimental_distribute.auto_shard_policy)]
result["attrs"] = sorted(a for a in dir(o) if not a.startswith("_"))
result["threading_attrs"] = sorted(a for a in dir(o.threading) if not a.startswith("_"))
result["opt_attrs"] = sorted(a for a in dir(o.experimental_optimization) if not a.startswith("_"))
def set_(obj, name, value):
    setattr(obj, name, value)
result["unknown"] = build_error(lambda: set_(o, "foo", 1))
result["type"] = build_error(lambda: set_(o, "experimental_deterministic", 3))
result["type_threads"] = build_error(lambda: set_(o.threading, "private_threadpool_size", 2.5))
ds = tf.data.Dataset.range(5)
o1 = tf.data.Options()
o1.experimental_deterministic = False
o1.threading.private_threadpool_size = 4
o2 = tf.data.Options()
o2.threading.max_intra_op_parallelism = 1
o2.experimental_optimization.map_parallelization = False
o2.experimental_slack = True
o2.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
o3 = tf.data.Options()
o3.experimental_deterministic = True
o3.threading = tf.data.ThreadingOptions()
o3.threading.private_threadpool_size = 0
d1 = ds.with_options(o1)
d2 = d1.map(lambda x: x * 2).with_options(o2)
d3 = d2.with_options(o3)
z = tf.data.Dataset.zip((d1, ds.with_options(o3)))
def summary(opts):
    return [opts.experimental_deterministic, opts.threading.private_threadpool_size,
            opts.threading.max_intra_op_parallelism,
            opts.experimental_optimization.map_parallelization, opts.experimental_slack]
result["merged"] = [summary(d.options()) for d in (ds, d1, d2, d3, z)]
result["eq"] = [d1.options() == o1, o1 == o2, tf.data.Options() == tf.data.Options(),
                ds.options() == tf.data.Options()]
result["frozen"] = build_error(lambda: set_(d2.options(), "experimental_slack", False))
result["frozen_threads"] = build_error(
    lambda: set_(d2.options().threading, "private_threadpool_size", 1))
result["merge"] = summary(o1.merge(o3))
result["bad_with"] = build_error(lambda: ds.with_options(3))
g = tf.get_default_graph()
options_ops = [op for op in g.get_operations() if op.type == "OptionsDataset"]
result["ops"] = [[op.name, op.type, [i.name for i in op.inputs],
                  list(op.get_attr("serialized_options")),
                  [c.decode() for c in op.colocation_groups()]] for op in options_ops]
result["op_attrs"] = sorted(options_ops[0].node_def.attr)
it = tf.data.make_one_shot_iterator(d3)
nxt = it.get_next()
with tf.Session() as s:
    result["values"] = [s.run(nxt) for _ in range(5)]
spec = tf.data.DatasetSpec(tf.TensorSpec([], tf.int64))
nested = tf.data.DatasetSpec({"a": tf.TensorSpec([None, 2], tf.float32)}, [3])
result["spec"] = [repr(spec), spec == tf.data.DatasetSpec(tf.TensorSpec([], tf.int64)),
                  repr(tf.data.DatasetSpec.from_value(ds)), str(spec._dataset_shape),
                  spec.is_compatible_with(ds), repr(nested), nested == spec,
                  nested.is_compatible_with(spec), spec.is_compatible_with(ds.batch(2))]
"""


@pytest.mark.tf
@requires_tf
def test_options_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here.get(key) == theirs[key], key
    assert here == theirs


def test_options():
    r = run_here(PROGRAM)
    assert r["merged"][2] == [False, 4, 1, False, True]
    assert r["values"] == [0, 2, 4, 6, 8]
    assert r["ops"][0][1:] == [
        "OptionsDataset",
        ["RangeDataset:0"],
        [8, 0, 18, 0, 26, 0, 42, 2, 16, 4, 58, 0, 98, 0],
        ["loc:@RangeDataset"],
    ]
    assert tf.data.experimental.ThreadingOptions is tf.data.ThreadingOptions
