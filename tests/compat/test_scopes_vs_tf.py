"""Differential tests for issue 3: get_variable, variable_scope, initializers, random and
conv ops, partitioned variables, devices and placement — the same programs on tfgraph
and on real TensorFlow (all run in one TF subprocess).

Compared: every op (name, type, inputs, control inputs, device, attr names), variable
collections, recorded names/devices/values, error classes with TF's message text, and
initializer statistics (values differ bit for bit: tfgraph's random streams are not
TF's Philox, so moments and bounds are compared instead).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import tfrun
from tests.compat import harness

PROGRAMS = {
    "seed001_variables": """
my_variable = tf.get_variable("my_variable", [1, 2, 3])
my_int_variable = tf.get_variable("my_int_variable", [1, 2, 3], dtype=tf.int32,
                                  initializer=tf.zeros_initializer)
other_variable = tf.get_variable("other_variable", dtype=tf.int32,
                                 initializer=tf.constant([23, 42]))
my_local = tf.get_variable("my_local", shape=(), collections=[tf.GraphKeys.LOCAL_VARIABLES])
my_non_trainable = tf.get_variable("my_non_trainable", shape=(), trainable=False)
tf.add_to_collection("my_collection_name", my_local)
record("mine", [v.name for v in tf.get_collection("my_collection_name")])
record("dtypes", [x.dtype.name for x in tf.global_variables()])
record("shapes", [x.shape.as_list() for x in tf.global_variables()])
record("initial", [x.initial_value.name for x in tf.global_variables()])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("ints", s.run([my_int_variable, other_variable]))
vv = tf.get_variable("vv", shape=(), initializer=tf.zeros_initializer())
ww = tf.get_variable("ww", initializer=vv.initialized_value() + 1)
assignment = vv.assign_add(1)
with tf.control_dependencies([assignment]):
    rv = vv.read_value()
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("read", [s.run(ww), s.run(rv), s.run(rv)])
with tf.device("/gpu:1"):
    v = tf.get_variable("v", [1])
cluster_spec = {"ps": ["ps0:2222", "ps1:2222"],
                "worker": ["worker0:2222", "worker1:2222", "worker2:2222"]}
with tf.device(tf.train.replica_device_setter(cluster=cluster_spec)):
    v2 = tf.get_variable("v2", shape=[20, 20])
    w2 = tf.get_variable("w2", shape=[20])
    y = v2 + w2
""",
    "scopes": """
with tf.variable_scope("foo") as foo:
    v = tf.get_variable("v", [1])
    c = tf.constant(1.0, name="c")
    record("foo", [foo.name, foo.original_name_scope, v.name, c.name])
    with tf.variable_scope("bar"):
        v2 = tf.get_variable("v", [1])
        sc = tf.get_variable_scope()
        record("bar", [v2.name, sc.name, sc.original_name_scope, tf.constant(1).name])
with tf.variable_scope(foo, reuse=True) as foo2:
    record("reenter", [tf.get_variable("v", [1]) is v, foo2.name, foo2.original_name_scope,
                       tf.constant(1).name, foo2.reuse])
with tf.variable_scope(foo):
    record("reenter2", [tf.constant(1).name, tf.get_variable_scope().reuse])
with tf.variable_scope("foo", reuse=True):
    record("foo_reuse", [tf.get_variable("v").name, tf.constant(1).name])
    with tf.variable_scope("bar"):
        record("inherit", [tf.get_variable_scope().reuse, tf.get_variable("v").name])
with tf.name_scope("ns"):
    with tf.variable_scope("vs"):
        w = tf.get_variable("w", [1])
        record("ns_vs", [w.name, tf.constant(1).name, tf.get_variable_scope().original_name_scope])
    x = tf.get_variable("x", [1])
    record("ns", [x.name, tf.add(x, 1.0).name])
for i in range(3):
    with tf.variable_scope(None, default_name="layer") as s:
        record("default%d" % i, [s.name, s.original_name_scope, tf.get_variable("w", [1]).name])
with tf.variable_scope("outer"):
    for i in range(2):
        with tf.variable_scope(None, default_name="layer") as s:
            record("nested%d" % i, [s.name, s.original_name_scope])
with tf.variable_scope("outer"):
    with tf.variable_scope(None, default_name="layer") as s:
        record("nested_again", [s.name, s.original_name_scope])
with tf.variable_scope("x/a/b"):
    pass
with tf.variable_scope("x"):
    with tf.variable_scope(None, default_name="a") as s:
        record("deep_default", [s.name, s.original_name_scope])
with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
    a1 = tf.get_variable("a", [2]); a2 = tf.get_variable("a", [2])
    record("auto", [a1 is a2, a1.name])
with tf.variable_scope("init", initializer=tf.constant_initializer(3.0), dtype=tf.float64,
                       regularizer=lambda t: tf.reduce_sum(t)):
    i1 = tf.get_variable("i1", [2])
    with tf.variable_scope("sub"):
        i2 = tf.get_variable("i2", [2], regularizer=tf.no_regularizer)
        i3 = tf.get_variable("i3", [2], dtype=tf.float32, initializer=tf.zeros_initializer())
record("inherit_defaults", [i1.dtype.name, i2.dtype.name, i3.dtype.name,
                            i1.initial_value.op.name, i3.initial_value.op.name])
record("reg", [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)])
with tf.variable_scope("cache", caching_device="/cpu:0"):
    cv = tf.get_variable("cv", [1])
    record("caching", [cv.device, cv.value().device, cv.value().name])
def g1(getter, name, *args, **kwargs):
    return getter(name + "_g1", *args, **kwargs)
def g2(getter, name, *args, **kwargs):
    return getter(name + "_g2", *args, **kwargs)
with tf.variable_scope("cg", custom_getter=g1):
    with tf.variable_scope("cg2", custom_getter=g2):
        record("getters", tf.get_variable("z", [1]).name)
    record("getter", tf.get_variable("z", [1]).name)
with tf.variable_scope("aux", auxiliary_name_scope=False) as aux:
    record("aux", [aux.original_name_scope, tf.constant(1).name, tf.get_variable("q", [1]).name])
with tf.variable_scope(aux, auxiliary_name_scope=False) as aux2:
    record("aux2", [aux2.original_name_scope, tf.constant(1).name])
with tf.variable_scope(aux):
    record("aux3", tf.constant(1).name)
with tf.variable_scope("sc") as sc:
    pass
with tf.variable_scope("other"):
    with tf.variable_scope(sc):
        record("jump", [tf.get_variable_scope().name, tf.constant(1).name,
                        tf.get_variable("y", [1]).name])
vs = tf.variable_scope("reusable")
with vs as s1:
    record("cm1", [s1.name, tf.constant(1).name])
with vs as s2:
    record("cm2", [s2.name, tf.constant(1).name])
with tf.variable_scope("m") as m:
    m.reuse_variables()
    with tf.variable_scope("mm"):
        record("reuse_vars", [m.reuse, tf.get_variable_scope().reuse])
with tf.variable_scope(""):
    record("empty", [tf.get_variable_scope().name, tf.constant(1).name,
                     tf.get_variable("emp", [1]).name])
loc = tf.get_local_variable("loc", [2])
record("local", [loc.name, loc in tf.trainable_variables()])
record("scope_vars", [v.name for v in foo.global_variables()])
""",
    "partitioned": """
p = tf.get_variable("p", [4, 3], initializer=tf.ones_initializer(),
                    partitioner=tf.fixed_size_partitioner(2))
record("p", [p.name, p.shape.as_list(), p.dtype.name, len(p), [v.name for v in p],
             list(p._get_partitions())])
record("slices", [[v._get_save_slice_info().full_name, v._get_save_slice_info().full_shape,
                   v._get_save_slice_info().var_offset, v._get_save_slice_info().var_shape,
                   v._get_save_slice_info().spec] for v in p])
y = tf.matmul(tf.ones([2, 4]), p)
with tf.variable_scope("s", partitioner=tf.variable_axis_size_partitioner(48)):
    q = tf.get_variable("q", [10, 4])
    r = tf.get_variable("r", [7, 3],
                        partitioner=tf.min_max_variable_partitioner(max_partitions=3,
                                                                    min_slice_size=16))
    sc = tf.get_variable("scalar", [])
record("sizes", [[v.shape.as_list() for v in q], [v.shape.as_list() for v in r], sc.name])
t = tf.get_variable("t", initializer=tf.constant(np.arange(12.).reshape(6, 2), dtype=tf.float32),
                    partitioner=tf.fixed_size_partitioner(3))
u = tf.get_variable("u", [5, 2], partitioner=tf.fixed_size_partitioner(2, axis=0),
                    initializer=tf.initializers.identity())
pl = tf.get_variable("pl", [3, 2], initializer=[[1., 2.], [3., 4.], [5., 6.]],
                     partitioner=tf.fixed_size_partitioner(2))
fx = tf.fixed_size_partitioner(2)
with tf.variable_scope("", reuse=True):
    attempt("reuse_diff", lambda: tf.get_variable("p", [4, 3],
                                                  partitioner=tf.fixed_size_partitioner(3)))
    attempt("reuse_same", lambda: tf.get_variable("p", [4, 3], partitioner=fx) is p)
    attempt("reuse_nopart", lambda: tf.get_variable("p", [4, 3]) is p)
    attempt("reuse_shape", lambda: tf.get_variable("p", [4, 4], partitioner=fx))
    attempt("reuse_missing", lambda: tf.get_variable("nope", [4], partitioner=fx))
attempt("exists", lambda: tf.get_variable("p", [4, 3], partitioner=fx))
attempt("unpart_exists", lambda: tf.get_variable("p/part_0", [2, 3], partitioner=fx))
attempt("part_exists", lambda: tf.get_variable("p", [4, 3]))
attempt("two_axes", lambda: tf.get_variable("bp", [4, 3], partitioner=lambda shape, dtype: [2, 2]))
attempt("rank", lambda: tf.get_variable("bp2", [4, 3], partitioner=lambda shape, dtype: [2]))
attempt("zero", lambda: tf.get_variable("bp3", [4, 3], partitioner=lambda shape, dtype: [0, 1]))
attempt("undefined", lambda: tf.get_variable("bp4", [None, 3], partitioner=fx))
attempt("minmax_axis", lambda: tf.get_variable(
    "mm", [4], partitioner=tf.min_max_variable_partitioner(axis=1)))
cv = tf.create_partitioned_variables([4, 2], [2, 1], tf.zeros_initializer(), name="cpv")
record("created", [v.name for v in cv])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("values", s.run([y, tf.convert_to_tensor(t), tf.convert_to_tensor(u),
                            tf.convert_to_tensor(pl)]))
""",
    "initializers": """
inits = [
    ("zeros", tf.zeros_initializer(), [2, 3]), ("ones", tf.ones_initializer(), [2, 3]),
    ("const", tf.constant_initializer(2.5), [2, 3]),
    ("constl", tf.constant_initializer([1., 2., 3.]), [2, 2]),
    ("ru", tf.random_uniform_initializer(-1, 1, seed=1), [2, 3]),
    ("ru2", tf.random_uniform_initializer(), [2, 3]),
    ("rn", tf.random_normal_initializer(1.0, 2.0), [2, 3]),
    ("tn", tf.truncated_normal_initializer(), [2, 3]),
    ("gu", tf.glorot_uniform_initializer(), [2, 3]), ("gn", tf.glorot_normal_initializer(), [2, 3]),
    ("hn", tf.initializers.he_normal(), [2, 3]), ("hu", tf.initializers.he_uniform(), [2, 3]),
    ("ln", tf.initializers.lecun_normal(), [2, 3]), ("lu", tf.initializers.lecun_uniform(), [2, 3]),
    ("vs", tf.variance_scaling_initializer(2.0, "fan_out", "untruncated_normal"), [2, 3]),
    ("orth", tf.orthogonal_initializer(), [4, 3]),
    ("orth2", tf.orthogonal_initializer(gain=2.0), [2, 5]),
    ("orth3", tf.initializers.orthogonal(), [2, 2, 3]),
    ("ident", tf.initializers.identity(), [3, 3]),
    ("ident2", tf.initializers.identity(2.0), [2, 3]),
    ("uus", tf.uniform_unit_scaling_initializer(), [4, 3]),
    ("zi", tf.zeros_initializer(), [2]),
]
created = []
for name, init, shape in inits:
    dt = tf.int32 if name == "zi" else tf.float32
    created.append(tf.get_variable(name, shape, initializer=init, dtype=dt))
record("initial_values", [v.initial_value.name for v in created])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("deterministic", s.run([created[i] for i in (0, 1, 2, 3, 18, 19, 21)]))
attempt("verify_shape", lambda: tf.get_variable(
    "cv", [2, 2], initializer=tf.constant_initializer([1., 2., 3.], verify_shape=True)))
attempt("bad_scale", lambda: tf.variance_scaling_initializer(scale=0))
attempt("bad_mode", lambda: tf.variance_scaling_initializer(mode="fan_x"))
attempt("bad_dist", lambda: tf.variance_scaling_initializer(distribution="gamma"))
attempt("bad_dtype", lambda: tf.random_normal_initializer(dtype=tf.int32))
attempt("orth_rank", lambda: tf.orthogonal_initializer()([3]))
attempt("ident_rank", lambda: tf.initializers.identity()([3]))
attempt("const_type", lambda: tf.constant_initializer({"a": 1}))
record("config", [tf.random_normal_initializer(1.0, 0.5, seed=3).get_config(),
                  tf.glorot_uniform_initializer(seed=2).get_config(),
                  tf.variance_scaling_initializer().get_config()])
""",
    "get_variable_errors": """
attempt("list", lambda: tf.get_variable("x1", initializer=[1, 2]).dtype.name)
attempt("listf", lambda: tf.get_variable("x2", initializer=[1., 2.], dtype=tf.float32).name)
attempt("listdt", lambda: tf.get_variable("x3", initializer=[1, 2], dtype=tf.float32))
attempt("tensor_shape", lambda: tf.get_variable("x4", shape=[2], initializer=tf.constant([1., 2.])))
attempt("tensor_dtype", lambda: tf.get_variable("x5", dtype=tf.int32,
                                                initializer=tf.constant([1., 2.])))
attempt("np", lambda: tf.get_variable("x6", initializer=np.ones([2, 2], np.float64)).dtype.name)
attempt("noshape", lambda: tf.get_variable("x7"))
attempt("lambda", lambda: tf.get_variable("x8", initializer=lambda: tf.ones([3])).shape.as_list())
attempt("class", lambda: tf.get_variable("x10", shape=[3], initializer=tf.ones_initializer).name)
attempt("complex", lambda: tf.get_variable("x11", shape=[3], dtype=tf.complex64))
attempt("string", lambda: tf.get_variable("x12", shape=[3], dtype=tf.string).dtype.name)
attempt("bool", lambda: tf.get_variable("x13", shape=[3], dtype=tf.bool).dtype.name)
attempt("dup", lambda: tf.get_variable("x13", shape=[3], dtype=tf.bool))
with tf.variable_scope("r", reuse=True):
    attempt("nonexist", lambda: tf.get_variable("zz", [1]))
with tf.variable_scope("", reuse=True):
    attempt("shape_mismatch", lambda: tf.get_variable("x10", [4]))
    attempt("dtype_mismatch", lambda: tf.get_variable("x10", [3], dtype=tf.float64))
    attempt("reuse_noshape", lambda: tf.get_variable("x10").name)
attempt("partial_shape", lambda: tf.get_variable("x14", shape=[None, 3]))
attempt("bad_init", lambda: tf.get_variable("x17", shape=[2], initializer="abc"))
attempt("scalar_init", lambda: tf.get_variable("x18", initializer=3.0).shape.as_list())
attempt("bad_getter", lambda: tf.get_variable("x19", shape=[2], custom_getter=3))
attempt("bad_partitioner", lambda: tf.get_variable("x20", shape=[2], partitioner=3))
attempt("bad_reuse", lambda: tf.variable_scope("q", reuse=3))
attempt("no_name", lambda: tf.variable_scope(None))
attempt("default_reuse", lambda: tf.variable_scope(None, default_name="d", reuse=True).__enter__())
""",
    "random_ops": """
tf.set_random_seed(5)
a = tf.random_uniform([2, 3])
b = tf.random_normal([2], seed=7)
c = tf.truncated_normal([2], mean=1.0, stddev=3.0)
d = tf.random_uniform([2], 0, 10, dtype=tf.int32)
e = tf.random_uniform([2], maxval=3.0)
f = tf.random_uniform([2], minval=1)
g = tf.random_uniform(tf.TensorShape([3, 1]), dtype=tf.float64)
h = tf.random_normal(tf.placeholder(tf.int32, [2]))
sh = tf.random_shuffle(tf.constant([[1, 2], [3, 4]]), seed=2)
m = tf.multinomial(tf.constant([[0.5, 0.5]]), 3)
record("shapes", [t.shape.as_list() for t in (a, b, c, d, e, f, g, h, sh, m)])
record("names", [t.name for t in (a, b, c, d, e, f, g, h, sh, m)])
record("dtypes", [t.dtype.name for t in (a, b, c, d, e, f, g, h, sh, m)])
record("seeds", [[op.get_attr("seed"), op.get_attr("seed2")]
                 for op in tf.get_default_graph().get_operations() if op.type in
                 ("RandomUniform", "RandomStandardNormal", "TruncatedNormal",
                  "RandomUniformInt", "RandomShuffle", "Multinomial")])
record("get_seed", [tf.get_seed(None), tf.get_seed(3), tf.get_seed(2**31 + 4)])
with tf.Graph().as_default():
    r1 = tf.get_seed(None)
    r2 = tf.get_seed(4)
    tf.set_random_seed(0)
    r3 = tf.get_seed(None)
record("get_seed_other_graph", [list(r1), list(r2), list(r3)])
attempt("int_no_max", lambda: tf.random_uniform([2], dtype=tf.int32))
attempt("bad_dtype", lambda: tf.random_uniform([2], dtype=tf.string))
bad = tf.random_uniform([2], 5, 3, dtype=tf.int32)
with tf.Session() as s:
    attempt("bad_range", lambda: s.run(bad))
""",
    "random_stats": """
tf.set_random_seed(1234)  # fixed streams on both sides: the outcome is deterministic
N = 200000
ts = {
    "uniform": tf.random_uniform([N], -2.0, 3.0),
    "uniform64": tf.random_uniform([N], dtype=tf.float64),
    "uniform16": tf.random_uniform([N], dtype=tf.float16),
    "normal": tf.random_normal([N], 1.0, 2.0),
    "truncated": tf.truncated_normal([N], 0.5, 2.0),
    "int": tf.random_uniform([N], -3, 5, dtype=tf.int64),
}
inits = {
    "glorot_uniform": (tf.glorot_uniform_initializer(), [60, 40, 50]),
    "glorot_normal": (tf.glorot_normal_initializer(), [60, 40, 50]),
    "he_normal": (tf.initializers.he_normal(), [3, 5, 40, 30]),
    "he_uniform": (tf.initializers.he_uniform(), [3, 5, 40, 30]),
    "lecun_normal": (tf.initializers.lecun_normal(), [300, 400]),
    "lecun_uniform": (tf.initializers.lecun_uniform(), [300, 400]),
    "vs_untruncated": (tf.variance_scaling_initializer(3.0, "fan_out", "untruncated_normal"),
                       [300, 400]),
    "uniform_unit": (tf.uniform_unit_scaling_initializer(2.0), [50, 4, 300]),
    "orthogonal": (tf.orthogonal_initializer(1.5), [400, 300]),
}
for k, (init, shape) in inits.items():
    ts[k] = init(shape)
with tf.Session() as s:
    vals = s.run(ts)
stats = {}
for k, x in vals.items():
    x = np.asarray(x, np.float64).reshape(-1)
    stats[k] = [float(x.mean()), float(x.std()), float(x.min()), float(x.max()), x.size]
record("stats", stats)
""",
    "conv_pool": """
rs = np.random.RandomState(0)
x = tf.constant(rs.randn(2, 9, 8, 4).astype(np.float32), name="x")
outs = []
for kshape in [(3, 3, 4, 5), (2, 4, 4, 3), (3, 3, 2, 6), (3, 3, 1, 4)]:
    w = tf.constant(rs.randn(*kshape).astype(np.float32))
    for strides in ([1, 1, 1, 1], [1, 2, 3, 1]):
        for pad in ("SAME", "VALID", [[0, 0], [1, 2], [0, 3], [0, 0]]):
            outs.append(tf.nn.conv2d(x, w, strides, pad))
    outs.append(tf.nn.conv2d(x, w, 1, "SAME", dilations=[1, 2, 1, 1]))
for pad in ("SAME", "VALID"):
    outs.append(tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 1, 1], pad))
    outs.append(tf.nn.avg_pool(x, [1, 3, 2, 1], [1, 2, 2, 1], pad))
outs.append(tf.nn.max_pool2d(x, 2, 2, "VALID"))
outs.append(tf.nn.avg_pool2d(x, 2, 1, "SAME"))
outs.append(tf.nn.bias_add(x, tf.constant([1., 2., 3., 4.])))
outs.append(tf.nn.convolution(x, tf.ones([2, 2, 4, 1]), "SAME", name="myconv"))
record("names", [t.name for t in outs])
record("shapes", [t.shape.as_list() for t in outs])
attempt("neg", lambda: tf.nn.conv2d(tf.zeros([1, 2, 2, 1]), tf.zeros([3, 3, 1, 1]), 1, "VALID"))
attempt("rank", lambda: tf.nn.conv2d(tf.zeros([1, 2, 2]), tf.zeros([3, 3, 1, 1]), [1] * 4, "VALID"))
attempt("depth", lambda: tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 3, 6]), 1, "SAME"))
attempt("groups", lambda: tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 2, 3]), 1, "VALID"))
attempt("strides", lambda: tf.nn.conv2d(tf.zeros([1, 4, 4, 4]), tf.zeros([3, 3, 4, 3]),
                                        [1, 1, 1], "VALID"))
attempt("pool_neg", lambda: tf.nn.max_pool(tf.zeros([1, 4, 4, 4]), [1, 5, 5, 1], [1] * 4, "VALID"))
attempt("bias_dims", lambda: tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4])))
attempt("bias_rank", lambda: tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3, 1])))
attempt("bias_rank2", lambda: tf.nn.bias_add(tf.zeros([3]), tf.zeros([3])))
with tf.Session() as s:
    record("values", s.run(outs))
""",
    "devices": """
with tf.device("/job:ps"), tf.device("/task:2"), tf.device("/cpu:0"):
    a = tf.constant(1.0)
    with tf.device(None):
        b = tf.constant(1.0)
with tf.device("/job:ps/task:1"), tf.device("/job:worker"):
    c = tf.constant(1.0)
with tf.device("/gpu:0"), tf.device(""):
    d = tf.constant(1.0)
with tf.device(tf.DeviceSpec(job="ps", device_type="gpu")):
    e = tf.constant(1.0)
with tf.device(lambda op: "/gpu:0"):
    f = tf.constant(1.0)
with tf.device(lambda op: "gpu:0"):
    f2 = tf.constant(1.0)
with tf.device("/job:ps"), tf.device(lambda op: tf.DeviceSpec(device_type="GPU", device_index=1)):
    f3 = tf.constant(1.0)
with tf.device("/gpu:0"), tf.device(lambda op: ""):
    f4 = tf.constant(1.0)
with tf.device("/gpu:1"):
    v = tf.get_variable("v", [1])
    w = tf.Variable(1.0, name="w")
with tf.device("/cpu:0"):
    upd = v.assign([2.0])
with tf.device("/job:ps/task:3"):
    g = tf.constant(1.0, name="g")
with tf.device("/gpu:0"), tf.colocate_with(g):
    h = tf.constant(2.0, name="h")
    with tf.colocate_with(h.op):
        i = tf.constant(3.0, name="i")
    with tf.colocate_with(None, ignore_existing=True):
        j = tf.constant(4.0, name="j")
record("devices", [t.device for t in (a, b, c, d, e, f, f2, f3, f4, v, w, upd, h, i, j)])
record("classes", [t.op.colocation_groups() for t in (upd, h, i, j)])
ds = tf.DeviceSpec.from_string("/job:ps/replica:0/task:1/device:GPU:2")
record("spec", [repr(ds), ds.to_string(), ds.job, ds.replica, ds.task, ds.device_type,
                ds.device_index, ds.replace(task=3, device_type="CPU").to_string(),
                tf.DeviceSpec(job="w").make_merged_spec(tf.DeviceSpec(task=1)).to_string()])
ds.merge_from(tf.DeviceSpec(device_index=5))
ds.job = "x"
parsed = tf.DeviceSpec.from_string("/job:a").parse_from_string("/task:1").to_string()
short = ("CPU:0", "gpu", "/device:GPU:*", "TPU:1", "/task:3/cpu:0")
record("spec2", [ds.to_string(), parsed, [tf.DeviceSpec.from_string(s).to_string() for s in short],
                 tf.DeviceSpec(job="a") == tf.DeviceSpec.from_string("/job:a")])
for bad in ["/job:ps/foo:1", "/gpu:0/cpu:0", "foo", "/task:x", "/job:a:b"]:
    attempt("bad " + bad, lambda: tf.DeviceSpec.from_string(bad))
""",
    "device_setter": """
cs = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"], "worker": {1: "w1:2222", 3: "w3:2222"}})
record("cluster", [cs.jobs, cs.num_tasks("worker"), cs.task_indices("worker"),
                   cs.job_tasks("worker"), repr(cs), sorted(cs.as_dict())])
attempt("no_job", lambda: cs.num_tasks("x"))
attempt("no_task", lambda: cs.task_address("ps", 7))
attempt("bad_cluster", lambda: tf.train.ClusterSpec(3))
attempt("bad_tasks", lambda: tf.train.ClusterSpec({"a": 3}))
record("none", [tf.train.replica_device_setter(cluster={"worker": ["a"]}) is None,
                tf.train.replica_device_setter() is None])
with tf.device(tf.train.replica_device_setter(ps_tasks=3)):
    vs = [tf.Variable(1.0, name="v%d" % i) for i in range(4)]
    k0 = tf.constant(1.0, name="k0")
    with tf.device("/job:ps/task:7"):
        pinned = tf.Variable(2.0, name="pinned")
    with tf.device("/gpu:1"):
        gv = tf.Variable(2.0, name="gv")
        gk = tf.constant(2.0, name="gk")
    gvv = tf.get_variable("gvv", [3])
with tf.device(tf.train.replica_device_setter(
        ps_tasks=2, ps_device="/job:param", worker_device="/job:worker/task:3/cpu:0",
        ps_ops=["VariableV2", "Const"])):
    pa = tf.Variable(1.0, name="pa"); pd = tf.constant(3.0, name="pd")
    pe = tf.add(pd, 1.0, name="pe")
with tf.device(tf.train.replica_device_setter(ps_tasks=2, merge_devices=False)):
    with tf.device("/job:foo"):
        fm = tf.Variable(1.0, name="fm"); fn = tf.constant(1.0, name="fn")
attempt("bad_strategy", lambda: tf.train.replica_device_setter(ps_tasks=1, ps_strategy=3))
""",
    "placement": """
for soft in (False, True):
    for dev in ["/gpu:1", "/job:ps/task:0", "/device:CPU:1", "/task:1", "/replica:1",
                "/job:localhost/task:1", "/job:localhost/device:GPU:0", "/device:XLA_CPU:0",
                "/device:TPU:0", "/job:worker", "/task:0/device:GPU:3", "/cpu:*", "/device:GPU:*",
                "/job:localhost/replica:0/task:0/device:CPU:0"]:
        g = tf.Graph()
        with g.as_default():
            with tf.device(dev):
                a = tf.constant(1.0, name="a")
                b = tf.add(a, 1.0, name="b")
            with tf.Session(config=tf.ConfigProto(allow_soft_placement=soft)) as s:
                attempt("%s %s" % (soft, dev), lambda: [float(s.run(b)), b.device])
g = tf.Graph()
with g.as_default():
    with tf.device("/gpu:0"):
        a = tf.constant(1.0, name="a")
        c = tf.identity(a, name="c")
        d = tf.identity(c, name="d")
    with tf.Session() as s:
        attempt("order", lambda: s.run(d))
g = tf.Graph()
with g.as_default():
    with tf.device(lambda op: "foo"):
        a = tf.constant(1.0, name="a")
    with tf.Session() as s:
        attempt("malformed", lambda: s.run(a))
for soft in (False, True):
    for dev in ("/gpu:1", "/job:ps/task:0"):
        for kind in ("get_variable", "Variable"):
            g = tf.Graph()
            with g.as_default():
                with tf.device(dev):
                    if kind == "Variable":
                        v = tf.Variable(1.0, name="v")
                    else:
                        v = tf.get_variable("v", [1])
                with tf.Session(config=tf.ConfigProto(allow_soft_placement=soft)) as s:
                    attempt("%s %s %s" % (soft, dev, kind),
                            lambda: [s.run(v.initializer), s.run(v).shape])
""",
}


@pytest.fixture(scope="module")
def tf_results():
    return harness.run_programs_in_tf(PROGRAMS)


def _assert_same(ours, theirs, path=""):
    if isinstance(theirs, dict) and "array" in theirs:
        assert ours["dtype"] == theirs["dtype"], path
        np.testing.assert_allclose(
            ours["array"], theirs["array"], rtol=1e-4, atol=1e-4, err_msg=path
        )
    elif isinstance(theirs, dict) and "error" in theirs:
        assert isinstance(ours, dict) and "error" in ours, (
            f"{path}: TF raised {theirs}, ours {ours}"
        )
        assert ours["error"] == theirs["error"], path
        # TF wraps run-time errors in "Graph execution error: ..." context and names
        # nodes in shape errors as "'{{node X}} = Op[attrs](inputs)'" (tfgraph: "'X'
        # (op: 'Op')"); the first line of tfgraph's message up to that node reference
        # must appear in TF's message (a Malformed spec's node dump omits TF's "def:").
        first = ours["message"].split("\n")[0].split(" for '")[0]
        if first.startswith("Malformed device specification"):
            first = first.rsplit("}", 1)[0]
        assert first in theirs["message"], f"{path}: {first!r} not in {theirs['message']!r}"
    elif isinstance(theirs, dict):
        assert set(ours) == set(theirs), path
        for k in theirs:
            _assert_same(ours[k], theirs[k], f"{path}/{k}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{path}: {ours} {theirs}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same(a, b, f"{path}[{i}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-6), path
    else:
        assert ours == theirs, path


def _normalized(graph):
    # TF keeps a NoOp's control inputs in no particular order (group() collects them in a
    # set); the order has no meaning, so it is not compared.
    return [
        [name, op, inputs, sorted(ctrl), device, attrs]
        for name, op, inputs, ctrl, device, attrs in graph
    ]


def _check(name, tf_results, skip_results=()):
    ours = harness.run_program_in_tfgraph(PROGRAMS[name])
    theirs = tf_results[name]
    assert _normalized(ours["graph"]) == _normalized(theirs["graph"])
    assert ours["collections"] == theirs["collections"]
    assert set(ours["results"]) == set(theirs["results"])
    for key, value in theirs["results"].items():
        if key not in skip_results:
            _assert_same(ours["results"][key], value, key)
    return ours, theirs


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize(
    "name",
    [
        "seed001_variables",
        "scopes",
        "partitioned",
        "get_variable_errors",
        "random_ops",
        "conv_pool",
        "devices",
        "device_setter",
        "placement",
    ],
)
def test_program_matches_tensorflow(name, tf_results):
    _check(name, tf_results)


@pytest.mark.tf
@tfrun.requires_tf
def test_initializers_match_tensorflow(tf_results):
    # Names, structure and deterministic values match exactly; a tensor of 1600 zeros is
    # built by array_ops.zeros (ops-breadth), so no initializer here uses a large shape.
    ours, theirs = _check("initializers", tf_results, skip_results=("config",))
    cfg_ours, cfg_tf = ours["results"]["config"], theirs["results"]["config"]
    assert cfg_ours == cfg_tf


@pytest.mark.tf
@tfrun.requires_tf
def test_random_statistics_match_tensorflow(tf_results):
    ours = harness.run_program_in_tfgraph(PROGRAMS["random_stats"])["results"]["stats"]
    theirs = tf_results["random_stats"]["results"]["stats"]
    assert set(ours) == set(theirs)
    unbounded = {"normal", "vs_untruncated", "orthogonal"}
    for key, (t_mean, t_std, t_min, t_max, n) in theirs.items():
        mean, std, lo, hi, _ = ours[key]
        scale = max(t_std, 1e-12)
        # Two independent samples of n values: allow 6 standard errors of the difference.
        mean_tol = 6 * scale * (2 / n) ** 0.5
        std_tol = 6 * (1 / n) ** 0.5 + 0.002  # relative; kurtosis of the bounded ones is low
        assert abs(mean - t_mean) < mean_tol + 1e-9, (key, mean, t_mean, mean_tol)
        assert std == pytest.approx(t_std, rel=std_tol), key
        if key not in unbounded:
            # Bounds: uniform limits and the truncation at two standard deviations.
            assert lo == pytest.approx(t_min, rel=0.02, abs=0.02 * scale), key
            assert hi == pytest.approx(t_max, rel=0.02, abs=0.02 * scale), key
