"""ParseSequenceExampleV2 (tf.io.parse_sequence_example, tf.io.parse_single_sequence_example,
tf.parse_single_sequence_example), compared with TensorFlow on hand-built SequenceExamples:
graphs (node names, op types, inputs, static shapes), values and error messages."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

HELPERS = """
def feat(v):
    if v is None:
        return tf.train.Feature()
    if isinstance(v, list) and v and isinstance(v[0], bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=v))
    if isinstance(v, list) and v and isinstance(v[0], float):
        return tf.train.Feature(float_list=tf.train.FloatList(value=v))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=v))
def sx(context=None, lists=None):
    c = tf.train.Features(feature={k: feat(v) for k, v in (context or {}).items()})
    fl = tf.train.FeatureLists(feature_list={
        k: tf.train.FeatureList(feature=[feat(v) for v in vs])
        for k, vs in (lists or {}).items()})
    proto = tf.train.SequenceExample(context=c, feature_lists=fl)
    return proto.SerializeToString(deterministic=True)
def plain(value):
    if isinstance(value, tf.SparseTensorValue):
        return {"indices": value.indices, "values": value.values, "shape": value.dense_shape}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
def shapes(value):
    if isinstance(value, dict):
        return {k: shapes(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shapes(v) for v in value]
    if isinstance(value, tf.SparseTensor):
        return [str(value.indices.shape), str(value.values.shape),
                str(value.dense_shape.shape), value.values.dtype.name]
    return [str(value.shape), value.dtype.name]
def op_error(fn):
    try:
        return plain(fn())
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln and "node" not in ln]
        return [type(e).__name__, lines[-1]]
def build_error(fn):
    try:
        fn()
        return "ok"
    except (ValueError, TypeError) as e:
        return [type(e).__name__, str(e)]
F = tf.io.FixedLenFeature
S = tf.io.FixedLenSequenceFeature
V = tf.io.VarLenFeature
"""

MAIN_PROGRAM = (
    HELPERS
    + """
CTX = {"a": F([2], tf.int64, default_value=[1, 2]), "b": V(tf.string), "c": F([], tf.float32)}
SEQ = {"x": S([3], tf.float32, allow_missing=True), "y": V(tf.int64), "z": S([], tf.string)}
e1 = sx({"a": [5, 6], "b": [b"p", b"q"], "c": [1.5]},
        {"x": [[1., 2., 3.], [4., 5., 6.]], "y": [[1], [2, 3], []], "z": [[b"u"], [b"v"]]})
e2 = sx({"c": [2.5]}, {"y": [[7, 8, 9]], "z": [[b"w"]]})
e3 = sx({"c": [0.5]}, {"z": []})
result = {}
g = tf.get_default_graph()
ph = tf.placeholder(tf.string, [])
single = tf.io.parse_single_sequence_example(ph, CTX, SEQ)
batch = tf.io.parse_sequence_example(tf.placeholder(tf.string, [None]), CTX, SEQ)
batch2 = tf.io.parse_sequence_example(tf.placeholder(tf.string, [2]), CTX, SEQ, name="named")
top = tf.parse_single_sequence_example(e1, context_features=CTX, name="top")
only_seq = tf.io.parse_single_sequence_example(e2, sequence_features={"z": SEQ["z"]})
only_ctx = tf.io.parse_sequence_example([e1, e2], context_features={"c": CTX["c"]})
result["ops"] = [[o.name, o.type, [i.name for i in o.inputs], [str(t.shape) for t in o.outputs]]
                 for o in g.get_operations()]
result["attrs"] = {k: str(v) for k, v in sorted(g.get_operation_by_name(
    "ParseSingleSequenceExample/ParseSequenceExample/ParseSequenceExampleV2"
).node_def.attr.items())}
result["shapes"] = [shapes(single), shapes(batch), shapes(batch2), shapes(top),
                    shapes(only_seq), shapes(only_ctx)]
def single_run(record, ctx=CTX, seq=SEQ, name=None):
    p = tf.placeholder(tf.string, [])
    out = tf.io.parse_single_sequence_example(p, ctx, seq, example_name=name)
    return op_error(lambda: s.run(out, {p: record}))
def batch_run(records, ctx=CTX, seq=SEQ, names=None):
    p = tf.placeholder(tf.string, [None])
    out = tf.io.parse_sequence_example(p, ctx, seq, example_names=names)
    return op_error(lambda: s.run(out, {p: records}))
with tf.Session() as s:
    result["single1"] = op_error(lambda: s.run(single, {ph: e1}))
    result["single2"] = op_error(lambda: s.run(single, {ph: e2}))
    result["single3"] = op_error(lambda: s.run(single, {ph: e3}))
    result["top"] = op_error(lambda: s.run(top))
    result["only_seq"] = op_error(lambda: s.run(only_seq))
    result["only_ctx"] = op_error(lambda: s.run(only_ctx))
    result["batch"] = batch_run([e1, e2, e3])
    result["batch_empty"] = batch_run([])
    result["batch_one"] = batch_run([e2])
    result["missing_ctx"] = single_run(sx({}, {"z": []}))
    result["missing_ctx_b"] = batch_run([e1, sx({}, {"z": []})])
    result["missing_seq"] = single_run(sx({"c": [1.]}, {}))
    result["missing_seq_b"] = batch_run([e1, sx({"c": [1.]}, {})])
    result["missing_named"] = single_run(sx({"c": [1.]}, {}), name="nm")
    result["missing_named_b"] = batch_run([e1, sx({"c": [1.]}, {})], names=["n1", "n2"])
    result["ctx_type"] = single_run(sx({"c": [1]}, {"z": []}))
    result["ctx_type_b"] = batch_run([e1, sx({"c": [1]}, {"z": []})])
    result["ctx_count"] = single_run(sx({"c": [1., 2.]}, {"z": []}))
    result["ctx_count_b"] = batch_run([sx({"c": [1., 2.]}, {"z": []})])
    result["ctx_var_type"] = single_run(sx({"c": [1.], "b": [1]}, {"z": []}))
    result["seq_type"] = single_run(sx({"c": [1.]}, {"z": [[1]]}))
    result["seq_type_b"] = batch_run([e1, sx({"c": [1.]}, {"z": [[1]]})])
    result["seq_count"] = single_run(sx({"c": [1.]}, {"z": [[b"a", b"b"]]}))
    result["seq_count_b"] = batch_run([e1, sx({"c": [1.]}, {"z": [[b"a", b"b"]]})])
    result["seq_count_x"] = single_run(sx({"c": [1.]}, {"z": [], "x": [[1., 2.]]}))
    result["seq_var_type"] = single_run(sx({"c": [1.]}, {"z": [], "y": [[1.]]}))
    result["seq_empty_feature"] = single_run(sx({"c": [1.]}, {"z": [None], "y": [None, [3]]}))
    result["ctx_empty_feature"] = single_run(sx({"c": None}, {"z": []}))
    result["ctx_empty_feature_a"] = single_run(sx({"c": [1.], "a": None}, {"z": []}))
    result["garbage"] = single_run(b"garbage")
    result["garbage_b"] = batch_run([e1, b"garbage"])
    # lists set but empty: their type still has to match
    empty_int = tf.train.Feature(int64_list=tf.train.Int64List(value=[]))
    typed = tf.train.SequenceExample(
        context=tf.train.Features(feature={"c": feat([1.]), "b": empty_int}),
        feature_lists=tf.train.FeatureLists(feature_list={
            "z": tf.train.FeatureList(feature=[]),
            "x": tf.train.FeatureList(feature=[empty_int])})).SerializeToString(deterministic=True)
    result["typed_empty"] = single_run(typed)
    result["typed_empty_seq"] = single_run(typed, {"c": CTX["c"]})
    result["bytes"] = [e1.hex(), e2.hex(), e3.hex(), typed.hex()]  # (the same protos)
    result["ctx_defaults"] = single_run(
        e1, {"d": F([2, 2], tf.int64, default_value=[[1, 2], [3, 4]]),
             "e": F([], tf.string, default_value="dflt")}, {})
"""
)

MORE_PROGRAM = (
    HELPERS
    + """
result = {}
result["none"] = build_error(lambda: tf.io.parse_sequence_example(["a"]))
result["none_s"] = build_error(lambda: tf.io.parse_single_sequence_example("a", {}, {}))
result["unsupported"] = build_error(
    lambda: tf.io.parse_sequence_example(["a"], {"a": S([], tf.int64)}))
result["unsupported2"] = build_error(
    lambda: tf.io.parse_single_sequence_example("a", None, {"a": F([], tf.int64)}))
result["seq_default"] = build_error(lambda: tf.io.parse_sequence_example(
    ["a"], None, {"a": S([], tf.int64, default_value=3)}))
result["first_dim"] = build_error(
    lambda: tf.io.parse_sequence_example(["a"], {"a": F([None, 2], tf.int64)}))
result["not_scalar"] = build_error(
    lambda: tf.io.parse_single_sequence_example(["a"], {"a": F([], tf.int64)}))
result["rank2"] = build_error(
    lambda: tf.io.parse_sequence_example([["a"]], {"a": F([], tf.int64)}))
u = tf.placeholder(tf.string)
CTX = {"a": V(tf.int64), "d": F([2], tf.float32)}
SEQ = {"x": S([2, 2], tf.int64, allow_missing=True), "y": V(tf.float32)}
su = tf.io.parse_single_sequence_example(u, CTX, SEQ, name="unk")
bu = tf.io.parse_sequence_example(u, CTX, SEQ)
result["unk_ops"] = [[o.name, o.type] for o in tf.get_default_graph().get_operations()
                     if o.name.startswith("unk")]
result["unk_shapes"] = [shapes(su), shapes(bu)]
e1 = sx({"a": [3, 4, 5], "d": [1., 2.]},
        {"x": [[1, 2, 3, 4], [5, 6, 7, 8]], "y": [[0.5], None, None, [1.5, 2.5]]})
e2 = sx({"d": [3., 4.]}, {"x": [], "y": []})
e3 = sx({"a": [], "d": [3., 4.]}, {"y": [None]})
with tf.Session() as s:
    result["unk_single"] = op_error(lambda: s.run(su, {u: e1}))
    result["unk_batch"] = op_error(lambda: s.run(bu, {u: [e1, e2, e3]}))
    result["unk_single_bad"] = op_error(lambda: s.run(su, {u: [e1]}))
    n = tf.io.parse_sequence_example([e1, e2], {"d": F([2], tf.float32)}, example_names=["a"])
    result["names_count"] = op_error(lambda: s.run(n))
    nm = tf.io.parse_single_sequence_example(
        e2, {"a": F([], tf.int64)}, example_name=tf.constant("the_name"))
    result["name_tensor"] = op_error(lambda: s.run(nm))
    st = tf.io.parse_sequence_example(
        [e1, e2], {"a": F([3], tf.int64, default_value=[7, 8, 9])},
        {"y": S([], tf.float32, allow_missing=True)})
    result["mixed"] = op_error(lambda: s.run(st))
    st = tf.io.parse_sequence_example(
        [e2, e2], {"s": F([2], tf.string, default_value=["p", "q"])},
        {"x": S([2, 2], tf.int64, allow_missing=True)})
    result["strings_default"] = op_error(lambda: s.run(st))
    st = tf.io.parse_sequence_example(
        [e1, e3], {"a": V(tf.int64)}, {"x": S([4], tf.int64, allow_missing=True)})
    result["reshaped_rows"] = op_error(lambda: s.run(st))
"""
)

SPARSE_FEATURE_PROGRAM = (
    HELPERS
    + """
def ex(**kw):
    f = {}
    for k, v in kw.items():
        if v and isinstance(v[0], float):
            f[k] = tf.train.Feature(float_list=tf.train.FloatList(value=v))
        elif v and isinstance(v[0], bytes):
            f[k] = tf.train.Feature(bytes_list=tf.train.BytesList(value=v))
        else:
            f[k] = tf.train.Feature(int64_list=tf.train.Int64List(value=v))
    return tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString()
result = {}
recs = [ex(ix=[3, 1, 7], val=[0.5, 1.5, 2.5], r=[0, 2], c=[1, 3], w=[b"a", b"b"]),
        ex(ix=[2], val=[9.0], r=[1], c=[0], w=[b"c"])]
feats = {"sp": tf.io.SparseFeature("ix", "val", tf.float32, 10),
         "grid": tf.SparseFeature(["r", "c"], "w", tf.string, [3, 4], already_sorted=True),
         "val": tf.io.VarLenFeature(tf.float32)}
p = tf.io.parse_example(recs, feats)
SF = tf.io.SparseFeature
ps = tf.io.parse_single_example(recs[0], {"sp": SF("ix", "val", tf.float32, 10)})
ps2 = tf.parse_single_example(
    recs[0], {"grid": tf.SparseFeature(["r", "c"], "w", tf.string, [3, 4])}, name="one")
g = tf.get_default_graph()
result["ops"] = [[o.name, o.type, [i.name for i in o.inputs], [str(t.shape) for t in o.outputs]]
                 for o in g.get_operations()]
result["keys"] = [sorted(p), sorted(ps), sorted(ps2)]
result["shapes"] = [[str(v.indices.shape), str(v.values.shape), str(v.dense_shape.shape)]
                    for d in (p, ps, ps2) for k, v in sorted(d.items())]
result["repr"] = repr(tf.io.SparseFeature("ix", "val", tf.float32, 10))
result["missing_index"] = build_error(
    lambda: tf.io.parse_example(recs, {"a": SF(None, "v", tf.float32, 3)}))
result["conflict"] = build_error(lambda: tf.io.parse_example(
    recs, {"a": SF("ix", "val", tf.float32, 3), "ix": V(tf.float32)}))
result["intersect"] = build_error(lambda: tf.io.parse_example(
    recs, {"a": SF("ix", "val", tf.float32, 3), "ix": F([], tf.int64)}))
with tf.Session() as s:
    result["batch"] = op_error(lambda: s.run(p))
    result["single"] = op_error(lambda: s.run(ps))
    result["single2"] = op_error(lambda: s.run(ps2))
"""
)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize(
    "program",
    [MAIN_PROGRAM, MORE_PROGRAM, SPARSE_FEATURE_PROGRAM],
    ids=["main", "more", "sparse_feature"],
)
def test_sequence_example_matches_tf(program):
    here, theirs = run_both(program)
    for key in theirs:
        assert here.get(key) == theirs[key], key
    assert here == theirs


def test_parse_single_sequence_example_values():
    r = run_here(MAIN_PROGRAM)
    context, lists = r["single1"]
    assert context == {
        "b": {"indices": [[0], [1]], "values": ["p", "q"], "shape": [2]},
        "a": [5, 6],
        "c": 1.5,
    }
    assert lists["x"] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert lists["y"] == {"indices": [[0, 0], [1, 0], [1, 1]], "values": [1, 2, 3], "shape": [3, 2]}
    context, lists, lengths = r["batch"]
    assert lists["z"] == [["u", "v"], ["w", ""], ["", ""]]
    assert lengths == {"x": [2, 0, 0], "z": [2, 1, 0]}
    assert r["missing_seq"] == [
        "InvalidArgumentError",
        "Name: <unknown>, Feature list 'z' is required but could not be found.  Did you mean to "
        "include it in feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?",
    ]
    assert tf.parse_single_sequence_example is tf.io.parse_single_sequence_example


def test_sparse_feature_in_parse_example():
    r = run_here(SPARSE_FEATURE_PROGRAM)
    assert r["keys"] == [["grid", "sp", "val"], ["sp"], ["grid"]]
    assert r["batch"]["sp"] == {
        "indices": [[0, 1], [0, 3], [0, 7], [1, 2]],
        "values": [1.5, 0.5, 2.5, 9.0],
        "shape": [2, 10],
    }
    assert r["single2"]["grid"]["shape"] == [3, 4]
    assert tf.SparseFeature is tf.io.SparseFeature


PIPELINE_PROGRAM = """
def feat(v):
    if isinstance(v[0], float):
        return tf.train.Feature(float_list=tf.train.FloatList(value=v))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=v))
def sx(label, frames):
    c = tf.train.Features(feature={"label": feat([label])})
    fl = tf.train.FeatureLists(feature_list={
        "frames": tf.train.FeatureList(feature=[feat(f) for f in frames])})
    proto = tf.train.SequenceExample(context=c, feature_lists=fl)
    return proto.SerializeToString(deterministic=True)
path = DIRECTORY + "/seq.tfrecord"
with tf.io.TFRecordWriter(path) as w:
    w.write(sx(1, [[1., 2.], [3., 4.]]))
    w.write(sx(2, [[5., 6.]]))
    w.write(sx(3, [[7., 8.], [9., 10.], [11., 12.]]))
def parse(record):
    ctx, seq = tf.io.parse_single_sequence_example(
        record,
        {"label": tf.io.FixedLenFeature([], tf.int64),
         "weight": tf.io.FixedLenFeature([], tf.float32, default_value=tf.constant(0.5))},
        {"frames": tf.io.FixedLenSequenceFeature([2], tf.float32)})
    return ctx["label"], ctx["weight"], seq["frames"]
ds = tf.data.TFRecordDataset(path).map(parse).padded_batch(2, ([], [], [None, 2]))
it = tf.data.make_one_shot_iterator(ds)
nxt = it.get_next()
batch = tf.io.parse_sequence_example(
    [sx(1, [[1., 2.]]), sx(2, [])],
    {"weight": tf.io.FixedLenFeature([], tf.float32, default_value=tf.constant(0.25))},
    {"frames": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)})
result = {"shapes": [str(t.shape) for t in nxt],
          "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())}
with tf.Session() as s:
    result["batches"] = [s.run(nxt), s.run(nxt)]
    result["batch"] = s.run(batch)
"""


@pytest.mark.tf
@requires_tf
def test_sequence_examples_from_tfrecords_match_tf(tmp_path):
    """SequenceExamples read from a TFRecord file, parsed in Dataset.map (a Tensor default
    for a context feature) and padded into batches."""
    here, theirs = run_both(PIPELINE_PROGRAM.replace("DIRECTORY", repr(str(tmp_path))))
    assert here == theirs
    assert here["batches"][1] == [[3], [0.5], [[[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]]]


SINGLE_EXAMPLE_PROGRAM = """
def build_error(fn):
    try:
        fn()
        return "ok"
    except (ValueError, TypeError) as e:
        return [type(e).__name__, str(e)]
ex = tf.train.Example(features=tf.train.Features(feature={
    "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[4]))})).SerializeToString()
F = {"a": tf.io.FixedLenFeature([], tf.int64)}
result = {}
result["vector"] = build_error(lambda: tf.io.parse_single_example([ex], F))
result["none"] = build_error(lambda: tf.io.parse_single_example(ex, None))
result["empty"] = build_error(lambda: tf.io.parse_single_example(ex, {}))
u = tf.placeholder(tf.string)
p = tf.io.parse_single_example(u, F)
result["ops"] = [[o.name, o.type] for o in tf.get_default_graph().get_operations()]
result["shape"] = str(p["a"].shape)
with tf.Session() as s:
    result["value"] = s.run(p, {u: ex})
    try:
        s.run(p, {u: [ex]})
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln and "node" not in ln]
        result["bad"] = [type(e).__name__, lines[-1]]
"""


@pytest.mark.tf
@requires_tf
def test_parse_single_example_checks_as_tf():
    """parse_single_example's feature and scalar checks (an Assert when the rank is
    unknown), as TF builds them."""
    here, theirs = run_both(SINGLE_EXAMPLE_PROGRAM)
    assert here == theirs
    assert here["bad"][1] == "assertion failed: [Input serialized must be a scalar]"


@pytest.mark.tf
@requires_tf
def test_graph_built_here_runs_in_tf(tmp_path):
    """A GraphDef with ParseSequenceExampleV2 and an OptionsDataset built by tfgraph
    imports into TensorFlow and gives the values tfgraph gives."""
    from tests.tfrun import run_tf_json

    g = tf.Graph()
    with g.as_default():
        s = tf.placeholder(tf.string, [None], name="s")
        context, lists, lengths = tf.io.parse_sequence_example(
            s,
            {"a": tf.io.FixedLenFeature([2], tf.int64, default_value=[1, 2])},
            {"x": tf.io.FixedLenSequenceFeature([], tf.float32, allow_missing=True)},
        )
        options = tf.data.Options()
        options.threading.private_threadpool_size = 2
        dataset = tf.data.Dataset.range(3).with_options(options)
        tf.data.make_one_shot_iterator(dataset).get_next(name="next")

    def sx(a, x):
        rows = [tf.train.Feature(float_list=tf.train.FloatList(value=[v])) for v in x]
        return tf.train.SequenceExample(
            context=tf.train.Features(
                feature={"a": tf.train.Feature(int64_list=tf.train.Int64List(value=a))}
            ),
            feature_lists=tf.train.FeatureLists(
                feature_list={"x": tf.train.FeatureList(feature=rows)}
            ),
        ).SerializeToString(deterministic=True)

    records = [sx([3, 4], [1.0, 2.0]), sx([5, 6], [])]
    fetches = [context["a"].name, lists["x"].name, lengths["x"].name]
    with tf.Session(graph=g) as sess:
        here = [v.tolist() for v in sess.run(fetches, {s: records})]
        here.append([int(sess.run("next:0")) for _ in range(3)])
    path = tmp_path / "graph.pb"
    path.write_bytes(g.as_graph_def().SerializeToString())
    theirs = run_tf_json(
        f"""
gd = tf.GraphDef()
gd.ParseFromString(open({str(path)!r}, "rb").read())
tf.import_graph_def(gd, name="")
with tf.Session() as sess:
    out = [v.tolist() for v in sess.run({fetches!r}, {{"s:0": {records!r}}})]
    out.append([int(sess.run("next:0")) for _ in range(3)])
print(json.dumps(out))
"""
    )
    assert here == theirs == [[[3, 4], [5, 6]], [[1.0, 2.0], [0.0, 0.0]], [2, 0], [0, 1, 2]]
