"""tf.data.experimental against TF: ignore_errors (and make_csv_dataset's), from_list,
group_by_reducer, TFRecordWriter, SqlDataset (sqlite3), pad_to_cardinality,
dense_to_ragged_batch, to_variant / from_variant, get_structure and the Structure
names: elements, element specs, op types and attrs, run-time errors."""

from __future__ import annotations

import pytest

from tests.data_api.common import run_both
from tests.tfrun import requires_tf

PROGRAM = """
import os, sqlite3
E = tf.data.experimental
out = {}
csv = os.path.join(tmp, "a.csv")
with open(csv, "w") as f:
    f.write("x,y\\n1,2\\n3,oops\\n5,6\\n7\\n9,10\\n")
db = os.path.join(tmp, "a.db")
conn = sqlite3.connect(db)
conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL)")
conn.executemany("INSERT INTO t VALUES (?, ?, ?)",
                 [(1, "x", 1.5), (2, None, 2.25), (-3, "zz", None)])
conn.commit()
conn.close()
d = tf.data.Dataset.range(8)
div = tf.data.Dataset.from_tensor_slices([1., 2., 0., 4.]).map(
    lambda x: tf.debugging.check_numerics(1. / x, "bad"))
record_file = os.path.join(tmp, "w.tfrecord")
writer_op = E.TFRecordWriter(record_file).write(
    tf.data.Dataset.from_tensor_slices(["a", "bb", "ccc"]))
gz_file = os.path.join(tmp, "w.gz")
gz_op = E.TFRecordWriter(gz_file, "GZIP").write(tf.data.Dataset.from_tensors(b"zip"))
reducer = E.Reducer(lambda key: (tf.constant(0, tf.int64), tf.constant(0, tf.int64)),
                    lambda s, x: (s[0] + x, s[1] + 1),
                    lambda total, count: (total, count * 100))
k = tf.placeholder(tf.int64, [], name="k")
datasets = {
    "ignore": div.ignore_errors(),
    "ignore_exp": div.apply(E.ignore_errors(log_warning=True)),
    "ignore_filter": d.filter(lambda x: tf.debugging.check_numerics(
        1. / tf.cast(x - 3, tf.float32), "f") > 0).ignore_errors(),
    "ignore_csv": E.CsvDataset(csv, [0, 0], header=True).ignore_errors(),
    "csv_ds": E.make_csv_dataset(csv, 2, column_defaults=[0, 0], num_epochs=1, shuffle=False,
                                 ignore_errors=True),
    "from_list": E.from_list([(1, "a"), (2, "b"), (3, "c")]),
    "from_list_dict": E.from_list([{"x": [1, 2]}, {"x": [3, 4, 5]}]),
    "gbr": d.apply(E.group_by_reducer(lambda x: (x + 1) % 3, reducer)),
    "gbr_k": d.apply(E.group_by_reducer(lambda x: x % 2, E.Reducer(
        lambda key: key * k, lambda s, x: s + x, lambda s: s * 10))),
    "sql": E.SqlDataset("sqlite", db, "SELECT a, b, c FROM t", (tf.int32, tf.string, tf.float64)),
    "sql_conv": E.SqlDataset("sqlite", db, "SELECT c, a, b FROM t",
                             (tf.int64, tf.uint8, tf.bool)),
    "pad": tf.data.Dataset.from_tensor_slices({"a": [1, 2], "b": [[1., 2.], [3., 4.]]}).apply(
        E.pad_to_cardinality(4)),
    "ragged": tf.data.Dataset.range(1, 4).map(lambda x: tf.range(x)).apply(
        E.dense_to_ragged_batch(2)),
    "ragged_dense": tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]]).apply(
        E.dense_to_ragged_batch(2)),
    "ragged_scalar": d.apply(E.dense_to_ragged_batch(3, drop_remainder=True)),
    "variant": E.from_variant(E.to_variant(d.take(3)), E.get_structure(d)),
    "mabwlf": d.apply(E.map_and_batch_with_legacy_function(lambda x: x * 2, 3)),
}
out["specs"] = {n: repr(tf.data.get_output_shapes(v)) + repr(tf.data.get_output_types(v))
                for n, v in datasets.items()}
new_types = ("IgnoreErrorsDataset", "ListDataset", "ExperimentalGroupByReducerDataset",
             "DatasetToTFRecord", "SqlDataset")
out["ops"] = sorted(
    [o.type, o.name, sorted(o.node_def.attr), [i.name for i in o.inputs]]
    for o in tf.get_default_graph().get_operations() if o.type in new_types)
out["structures"] = [
    repr(E.TensorStructure(tf.float32, [2])), repr(E.SparseTensorStructure(tf.int64, [3, None])),
    repr(E.RaggedTensorStructure(tf.int32, [2, None], 1)),
    E.TensorArrayStructure(tf.float32, [2], True, True)
    == tf.TensorArraySpec([2], tf.float32, True, True),
    isinstance(E.TensorStructure(tf.float32, [2]), E.Structure),
    E.DatasetStructure is tf.data.DatasetSpec, E.SHARD_HINT]
try:
    E.get_structure(3)
except TypeError as e:
    out["get_structure_error"] = str(e)
for bad in (lambda: E.from_list([]), lambda: E.from_list((1, 2)),
            lambda: E.TFRecordWriter("x").write(d),
            lambda: d.apply(E.group_by_reducer(lambda x: tf.cast(x, tf.int32), reducer)),
            lambda: d.apply(E.pad_to_cardinality(10))):
    try:
        bad()
        out.setdefault("build_errors", []).append(None)
    except (TypeError, ValueError) as e:
        out.setdefault("build_errors", []).append(type(e).__name__)
with tf.Session() as sess:
    for name, ds in datasets.items():
        it = tf.data.make_initializable_iterator(ds)
        sess.run(it.initializer, {k: 3})
        out[name] = drain(sess, it.get_next(), {k: 3})
    out["ragged"] = [v.to_list() for v in out["ragged"]]
    sess.run([writer_op, gz_op])
    out["written"] = drain(sess, tf.data.make_one_shot_iterator(
        tf.data.TFRecordDataset(record_file)).get_next())
    out["written_gz"] = drain(sess, tf.data.make_one_shot_iterator(
        tf.data.TFRecordDataset(gz_file, "GZIP")).get_next())
    errors = []
    bad_datasets = (
        div, div.ignore_errors().map(lambda x: tf.debugging.check_numerics(x / (x - 1.), "g")),
        E.CsvDataset(csv, [0, 0], header=True),
        E.SqlDataset("mysql", db, "SELECT a FROM t", (tf.int32,)),
        E.SqlDataset("sqlite", db, "SELECT a FROM t", (tf.int32, tf.int32)),
        E.SqlDataset("sqlite", db, "SELEC a FROM t", (tf.int32,)),
        E.SqlDataset("sqlite", db, "SELECT a FROM nope", (tf.int32,)),
        E.SqlDataset("sqlite", db, "INSERT INTO t VALUES (4, 'w', 1.0)", (tf.int32,)),
        E.SqlDataset("sqlite", db, "SELECT c FROM t", (tf.float32,)),
    )
    for bad in bad_datasets:
        try:
            errors.append(drain(sess, tf.data.make_one_shot_iterator(bad).get_next()))
        except tf.errors.OpError as e:
            lines = [ln for ln in e.message.splitlines() if ln.strip() and "[[{{node" not in ln
                     and not ln.startswith(("Node:", "  ", "\t", "Graph execution", "Detected at"))]
            message = lines[-1] if lines else ""
            if "Iterator::Root" in message:  # (TF names its iterator)
                message = message.split(": ", 1)[-1].split("::Map: ")[-1]
            errors.append([type(e).__name__, message])
    out["errors"] = errors
    out["rows_after_insert"] = drain(sess, tf.data.make_one_shot_iterator(
        E.SqlDataset("sqlite", db, "SELECT COUNT(*) FROM t", (tf.int64,))).get_next())
"""


@pytest.mark.tf
@requires_tf
def test_experimental_more_matches_tf(tmp_path):
    mine, theirs = run_both(PROGRAM, tmp_path)
    mine_ops, theirs_ops = mine.pop("ops"), theirs.pop("ops")
    assert mine_ops == theirs_ops
    for key in sorted(theirs):
        assert mine.get(key) == theirs[key], key
    assert mine == theirs


def test_experimental_more_values(tmp_path):
    import numpy as np

    import tfgraph
    from tests.data_api.common import HELPERS

    scope: dict = {"tf": tfgraph, "np": np, "tmp": str(tmp_path)}
    exec(HELPERS, scope)
    with tfgraph.Graph().as_default():
        exec(PROGRAM, scope)
    out = scope["out"]
    assert [float(x) for x in out["ignore"]] == [1.0, 0.5, 0.25]
    assert [tuple(int(v) for v in r) for r in out["ignore_csv"]] == [(1, 2), (5, 6), (9, 10)]
    assert [(int(a), b) for a, b in out["from_list"]] == [(1, b"a"), (2, b"b"), (3, b"c")]
    assert [(int(a), int(b)) for a, b in out["gbr"]] == [(7, 200), (9, 300), (12, 300)]
    assert out["written"] == [b"a", b"bb", b"ccc"] and out["written_gz"] == [b"zip"]
    assert [(int(a), b, float(c)) for a, b, c in out["sql"]] == [
        (1, b"x", 1.5),
        (2, b"", 2.25),
        (-3, b"zz", 0.0),
    ]
    assert [bool(r["valid"]) for r in out["pad"]] == [True, True, False, False]
    assert out["errors"][1][1] == "g : Tensor had Inf values"  # (after ignore_errors)
    assert int(out["rows_after_insert"][0][0]) == 3


PARSE = """
import os, re
E = tf.data.experimental
out = {}
def example(i):
    f = tf.train.Feature
    return tf.train.Example(features=tf.train.Features(feature={
        "id": f(int64_list=tf.train.Int64List(value=[i])),
        "x": f(float_list=tf.train.FloatList(value=[i * 0.5] * (i % 3))),
        "name": f(bytes_list=tf.train.BytesList(value=[b"n%d" % i])),
        "idx": f(int64_list=tf.train.Int64List(value=[i % 4])),
        "val": f(float_list=tf.train.FloatList(value=[i + 0.25])),
    })).SerializeToString()
files = []
for part in range(2):
    path = os.path.join(tmp, "part-%d.tfrecord" % part)
    with tf.io.TFRecordWriter(path) as w:
        for i in range(part * 5, part * 5 + 5):
            w.write(example(i))
    files.append(path)
features = {"id": tf.io.FixedLenFeature([], tf.int64),
            "x": tf.io.VarLenFeature(tf.float32),
            "name": tf.io.FixedLenFeature([1], tf.string),
            "missing": tf.io.FixedLenFeature([2], tf.float32, default_value=[7., 8.])}
sparse_feature = {"sp": tf.io.SparseFeature("idx", "val", tf.float32, 4),
                  "id": tf.io.FixedLenFeature([], tf.int64)}
records = tf.data.TFRecordDataset(files)
datasets = {
    "parsed": records.batch(3).apply(E.parse_example_dataset(features)),
    "parsed_skipping": tf.data.Dataset.from_tensor_slices(
        [[example(1)], [b"junk"], [example(2)]]).apply(
            E.parse_example_dataset(features)).ignore_errors(),
    "parsed_sparse_feature": records.batch(4).apply(
        E.parse_example_dataset(sparse_feature, num_parallel_calls=2, deterministic=True)),
    "batched": E.make_batched_features_dataset(
        os.path.join(tmp, "part-*.tfrecord"), 4, features, num_epochs=1, shuffle=False),
    "batched_label": E.make_batched_features_dataset(
        files, 3, features, label_key="id", num_epochs=2, shuffle=True, shuffle_seed=5,
        shuffle_buffer_size=4, drop_final_batch=True, reader_num_threads=2),
    "batched_autotune": E.make_batched_features_dataset(
        files, 5, {"id": tf.io.FixedLenFeature([], tf.int64)}, num_epochs=1, shuffle=False,
        reader_num_threads=tf.data.experimental.AUTOTUNE),
}
out["specs"] = {n: repr(tf.data.get_output_shapes(v)) + repr(tf.data.get_output_types(v))
                + re.sub(r"<class '[\\w.]*\\.(\\w+)'>", r"\\1", repr(tf.data.get_output_classes(v)))
                for n, v in datasets.items()}
out["ops"] = sorted([o.type, o.name, [i.name for i in o.inputs]]
                    for o in tf.get_default_graph().get_operations()
                    if o.type == "ParseExampleDatasetV2")
def sparse_as_list(v):
    if isinstance(v, dict):
        return {k: sparse_as_list(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [sparse_as_list(x) for x in v]
    if hasattr(v, "dense_shape"):
        return [v.indices, v.values, v.dense_shape]
    return v
with tf.Session() as sess:
    for name, ds in datasets.items():
        out[name] = sparse_as_list(drain(sess, tf.data.make_one_shot_iterator(ds).get_next()))
    try:
        sess.run(tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensors(["junk"]).apply(
            E.parse_example_dataset(features))).get_next())
    except tf.errors.OpError as e:
        out["parse_error"] = type(e).__name__
for bad in (lambda: E.parse_example_dataset(None),
            lambda: E.make_batched_features_dataset(files, 2, features, label_key="nope")):
    try:
        bad()
    except (TypeError, ValueError) as e:
        out.setdefault("build_errors", []).append([type(e).__name__, str(e)])
"""


@pytest.mark.tf
@requires_tf
def test_parse_example_dataset_matches_tf(tmp_path):
    mine, theirs = run_both(PARSE, tmp_path)
    # AUTOTUNE readers: TF picks the interleave's cycle length from the machine's cores.
    ids = [
        sorted(x for batch in side.pop("batched_autotune") for x in batch["id"]["value"])
        for side in (mine, theirs)
    ]
    assert ids[0] == ids[1] == list(range(10))
    for key in sorted(theirs):
        assert mine.get(key) == theirs[key], key
    assert mine == theirs


TABLES = """
E = tf.data.experimental
out = {}
words = tf.data.Dataset.from_tensor_slices(["a", "b", "c", "b2"])
pairs = tf.data.Dataset.from_tensor_slices((tf.constant([1, 2, 3], tf.int64), [0.5, 1.5, 2.5]))
dup = tf.data.Dataset.from_tensor_slices((["k", "k"], tf.constant([1, 2], tf.int64)))
index = E.index_table_from_dataset(words)
index_oov = E.index_table_from_dataset(words, num_oov_buckets=3)
index_vocab = E.index_table_from_dataset(words, vocab_size=2, default_value=-7)
values = E.table_from_dataset(pairs, key_dtype=tf.int64)
init = E.DatasetInitializer(tf.data.Dataset.zip((words, tf.data.Dataset.range(10, 14))))
manual = tf.lookup.StaticHashTable(init, -5)
dup_table = E.table_from_dataset(dup)
keys = tf.constant(["a", "c", "zz", "b2", "b"])
results = [index.lookup(keys), index_oov.lookup(keys), index_vocab.lookup(keys),
           values.lookup(tf.constant([3, 9, 1], tf.int64)), manual.lookup(keys),
           index.size(), index_oov.size(), values.size()]
out["op_types"] = sorted({o.type for o in tf.get_default_graph().get_operations()
                          if o.type == "InitializeTableFromDataset"})
out["n_table_inits"] = len(tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS))
out["init_inputs"] = [[t.dtype.name for t in op.inputs] for op in
                      tf.get_default_graph().get_operations()
                      if op.type == "InitializeTableFromDataset"]
for bad in (lambda: E.table_from_dataset(words), lambda: E.table_from_dataset(words.batch(2)),
            lambda: E.table_from_dataset(tf.data.Dataset.zip((words, words))),
            lambda: E.table_from_dataset(pairs, num_oov_buckets=-1),
            lambda: E.table_from_dataset(pairs, vocab_size=0),
            lambda: E.table_from_dataset(pairs, key_dtype=tf.float32),
            lambda: tf.lookup.StaticHashTable(init, -1.0)):
    try:
        bad()
        out.setdefault("build_errors", []).append(None)
    except (TypeError, ValueError) as e:
        out.setdefault("build_errors", []).append([type(e).__name__, str(e)])
with tf.Session() as sess:
    dup_init = dup_table.initializer
    sess.run([op for op in tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS)
              if op is not dup_init])
    out["values"] = sess.run(results)
    try:
        sess.run(dup_init)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln.startswith("HashTable")]
        out["dup_error"] = [type(e).__name__, lines]
"""


@pytest.mark.tf
@requires_tf
def test_tables_from_datasets_match_tf(tmp_path):
    mine, theirs = run_both(TABLES, tmp_path)
    for key in sorted(theirs):
        assert mine.get(key) == theirs[key], key
    assert mine == theirs


RESAMPLE = """
E = tf.data.experimental
out = {}
tf.set_random_seed(3)
d = tf.data.Dataset.range(60).map(lambda x: (x, x % 3 + tf.cast(x < 30, tf.int64) * 0))
classes = lambda x, c: tf.cast(tf.minimum(c, 2), tf.int32)
datasets = {
    "same": d.rejection_resample(classes, [1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]),
    "only_one": d.apply(E.rejection_resample(classes, [0., 1., 0.], [1 / 3, 1 / 3, 1 / 3],
                                             seed=4)),
    "mixed": d.rejection_resample(classes, [0.6, 0.2, 0.2], [1 / 3, 1 / 3, 1 / 3], seed=7),
    "estimated": d.repeat(3).apply(E.rejection_resample(classes, [0.5, 0.25, 0.25], seed=9)),
}
out["specs"] = {n: repr(tf.data.get_output_shapes(v)) + repr(tf.data.get_output_types(v))
                for n, v in datasets.items()}
with tf.Session() as sess:
    for name, ds in datasets.items():
        out[name] = drain(sess, tf.data.make_one_shot_iterator(ds).get_next())
"""


@pytest.mark.tf
@requires_tf
def test_rejection_resample_matches_tf(tmp_path):
    mine, theirs = run_both(RESAMPLE, tmp_path)
    for key in sorted(theirs):
        assert mine.get(key) == theirs[key], key
    assert mine == theirs


def _run_here(program: str, tmp_path) -> dict:
    import numpy as np

    import tfgraph
    from tests.data_api.common import HELPERS

    scope: dict = {"tf": tfgraph, "np": np, "tmp": str(tmp_path)}
    exec(HELPERS, scope)
    with tfgraph.Graph().as_default():
        exec(program, scope)
    return scope["out"]


def test_parse_tables_and_resample_values(tmp_path):
    parsed = _run_here(PARSE, tmp_path)
    first = parsed["parsed"][0]
    assert first["id"].tolist() == [0, 1, 2] and first["missing"].tolist() == [[7, 8]] * 3
    indices, values, shape = first["x"]
    assert indices.tolist() == [[1, 0], [2, 0], [2, 1]]
    assert values.tolist() == [0.5, 1.0, 1.0] and shape.tolist() == [3, 2]
    assert sorted(int(i) for b in parsed["batched"] for i in b["id"]) == list(range(10))
    assert parsed["parse_error"] == "InvalidArgumentError"
    tables = _run_here(TABLES, tmp_path)
    index, oov, vocab, values, manual = [v.tolist() for v in tables["values"][:5]]
    assert index == [0, 2, -1, 3, 1] and vocab == [0, -7, -7, -7, 1]
    assert oov[:2] == [0, 2] and 4 <= oov[2] < 7
    assert values == [2.5, -1.0, 0.5] and manual == [10, 12, -5, 13, 11]
    assert tables["dup_error"][0] == "FailedPreconditionError"
    resampled = _run_here(RESAMPLE, tmp_path)
    assert [int(c) for c, _ in resampled["only_one"]] == [1] * 20
    assert len(resampled["same"]) == 60
