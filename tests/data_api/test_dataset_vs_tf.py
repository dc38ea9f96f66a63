"""tf.data element sequences, structures and iterator behaviour, compared with real TF
(each snippet runs in tfgraph and in TF's interpreter; see common.py)."""

from __future__ import annotations

import pytest

from tests.data_api.common import run_both
from tests.tfrun import requires_tf, run_tf

CASES = {
    "slices_tuple_batch": """
        ds = tf.data.Dataset.from_tensor_slices((np.arange(7), np.arange(14.).reshape(7, 2)))
        ds = ds.batch(3)
        n = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as s:
            out = [str(ds.output_shapes), drain(s, n)]
    """,
    "slices_dict_drop_remainder": """
        ds = tf.data.Dataset.from_tensor_slices(
            {"b": [1, 2, 3, 4, 5], "a": ["x", "y", "z", "u", "v"]})
        ds = ds.batch(2, drop_remainder=True)
        n = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as s:
            out = [str(ds.output_shapes["a"]), drain(s, n)]
    """,
    "range_take_skip_repeat": """
        a = tf.data.Dataset.range(10).skip(2).take(5).repeat(2)
        b = tf.data.Dataset.range(3, 20, 4).repeat(-1).take(7)
        c = tf.data.Dataset.range(5, 0, -2).skip(-1)
        d = tf.data.Dataset.range(4).take(-1).repeat(0)
        with tf.Session() as s:
            out = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c, d)]
    """,
    "map_parallel_and_captured": """
        w = tf.constant([10, 20], dtype=tf.int64)
        ds = tf.data.Dataset.range(4).map(lambda x: (x, x * w), num_parallel_calls=2)
        ds = ds.map(lambda a, b: {"sum": tf.reduce_sum(b) + a, "neg": -a})
        n = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as s:
            out = [str(ds.output_types), str(ds.output_shapes), drain(s, n)]
    """,
    "filter_flat_map": """
        ds = tf.data.Dataset.range(8).filter(lambda x: tf.equal(x % 3, 1))
        ds = ds.flat_map(lambda x: tf.data.Dataset.range(x).map(lambda y: y * 100 + x))
        n = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as s:
            out = drain(s, n)
    """,
    "interleave": """
        src = tf.data.Dataset.range(1, 6)
        a = src.interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(x),
                           cycle_length=2, block_length=2)
        b = src.interleave(lambda x: tf.data.Dataset.range(x), cycle_length=3, block_length=1)
        c = src.interleave(lambda x: tf.data.Dataset.range(x), cycle_length=2, num_parallel_calls=2)
        with tf.Session() as s:
            out = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c)]
    """,
    "zip_concatenate": """
        a = tf.data.Dataset.range(5)
        b = tf.data.Dataset.from_tensor_slices(np.array([[1., 2.], [3., 4.], [5., 6.]]))
        z = tf.data.Dataset.zip((a, (b, a.map(lambda x: x * 2))))
        c = z.concatenate(z.take(1))
        with tf.Session() as s:
            out = [str(c.output_shapes), drain(s, tf.data.make_one_shot_iterator(c).get_next())]
    """,
    "padded_batch": """
        ds = tf.data.Dataset.range(1, 6).map(lambda x: (tf.fill([x], x), tf.fill([2, x], "s")))
        a = ds.padded_batch(2, padded_shapes=([None], [2, 6]),
                            padding_values=(tf.constant(-1, tf.int64), "p"))
        b = ds.padded_batch(2, padded_shapes=([5], [None, None]), drop_remainder=True)
        c = tf.data.Dataset.range(5).padded_batch(2, padded_shapes=[])
        with tf.Session() as s:
            out = [str(a.output_shapes), str(b.output_shapes), str(c.output_shapes)]
            out += [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c)]
    """,
    "from_generator": """
        def gen():
            for i in range(4):
                yield {"ids": list(range(i)), "label": i % 2}
        ds = tf.data.Dataset.from_generator(
            gen, output_types={"ids": tf.int32, "label": tf.int64},
            output_shapes={"ids": [None], "label": []})
        ds = ds.padded_batch(2, padded_shapes={"ids": [None], "label": []})
        def pairs(n):
            for i in range(n):
                yield i, float(i) / 2
        p = tf.data.Dataset.from_generator(pairs, (tf.int32, tf.float32), ([], []), args=(3,))
        with tf.Session() as s:
            out = [str(ds.output_types), str(p.output_shapes)]
            out += [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (ds, p)]
    """,
    "cache_repeat_shuffle_unseeded_sizes": """
        ds = tf.data.Dataset.range(6).cache().repeat(3)
        sh = tf.data.Dataset.range(20).shuffle(7).batch(6)
        with tf.Session() as s:
            out = drain(s, tf.data.make_one_shot_iterator(ds).get_next())
            out += [len(b) for b in drain(s, tf.data.make_one_shot_iterator(sh).get_next())]
    """,
    "file_datasets": """
        import os
        rec = os.path.join(tmp, "a.tfrecord")
        with tf.io.TFRecordWriter(rec) as w:
            for r in [b"one", b"two", b"", b"four"]:
                w.write(r)
        txt = os.path.join(tmp, "a.txt")
        with open(txt, "wb") as f:
            f.write(b"first\\nsecond\\r\\n\\nlast")
        txt2 = os.path.join(tmp, "b.txt")
        with open(txt2, "wb") as f:
            f.write(b"x\\ny\\n")
        fixed = os.path.join(tmp, "f.bin")
        with open(fixed, "wb") as f:
            f.write(b"HHabcdefFF")
        sets = [
            tf.data.TFRecordDataset([rec, rec]),
            tf.data.TextLineDataset([txt, txt2]),
            tf.data.FixedLengthRecordDataset(fixed, 3, header_bytes=2, footer_bytes=2),
        ]
        with tf.Session() as s:
            out = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in sets]
    """,
    "compressed_files": """
        import gzip, os, zlib
        plain = os.path.join(tmp, "p.tfrecord")
        with tf.io.TFRecordWriter(plain) as w:
            for r in [b"alpha", b"beta"]:
                w.write(r)
        data = open(plain, "rb").read()
        gz, zl, txt = (os.path.join(tmp, n) for n in ("r.gz", "r.zlib", "t.gz"))
        open(gz, "wb").write(gzip.compress(data))
        open(zl, "wb").write(zlib.compress(data))
        open(txt, "wb").write(gzip.compress(b"one\\ntwo\\n"))
        sets = [
            tf.data.TFRecordDataset(gz, compression_type="GZIP"),
            tf.data.TFRecordDataset([zl], compression_type="ZLIB"),
            tf.data.TextLineDataset(txt, compression_type="GZIP"),
        ]
        with tf.Session() as s:
            out = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in sets]
    """,
    "shuffle_order": """
        a = tf.data.Dataset.range(30).shuffle(7, seed=3).repeat(3)
        b = tf.data.Dataset.range(30).shuffle(50, seed=11, reshuffle_each_iteration=False).repeat(2)
        c = tf.data.Dataset.range(25).map(lambda x: x * 2).shuffle(4, seed=5).batch(4).repeat(2)
        it = tf.data.make_initializable_iterator(tf.data.Dataset.range(12).shuffle(5, seed=9))
        n = it.get_next()
        with tf.Session() as s:
            out = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c)]
            s.run(it.initializer)
            first = drain(s, n)
            s.run(it.initializer)  # a new pass: TF's order on re-initializing
            out += [first, drain(s, n)]
        with tf.Graph().as_default():
            tf.set_random_seed(1234)
            d = tf.data.Dataset.range(20).shuffle(6).shuffle(3, seed=8)
            with tf.Session() as s:
                out.append(drain(s, tf.data.make_one_shot_iterator(d).get_next()))
    """,
    "list_files": """
        import os
        for name in ["b.txt", "a.txt", "c.txt", "d.csv", "e.txt"]:
            open(os.path.join(tmp, name), "w").close()
        pattern = os.path.join(tmp, "*.txt")
        a = tf.data.Dataset.list_files(pattern, shuffle=False)
        b = tf.data.Dataset.list_files(pattern, seed=4)
        with tf.Session() as s:
            runs = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b)]
            out = [[os.path.basename(f) for f in run] for run in runs]
    """,
    "graph_of_a_chain": """
        ds = tf.data.Dataset.from_tensor_slices((np.arange(10), np.arange(10.0)))
        ds = ds.map(lambda a, b: (a * 2, b), num_parallel_calls=2)
        ds = ds.filter(lambda a, b: a > 2).shuffle(5, seed=3).batch(3).repeat(2)
        ds = ds.take(5).skip(1).prefetch(1).cache()
        ds = tf.data.Dataset.zip((ds, ds)).concatenate(tf.data.Dataset.zip((ds, ds)))
        ds = ds.flat_map(lambda x, y: tf.data.Dataset.from_tensors(x))
        it = tf.data.make_initializable_iterator(ds)
        n = it.get_next()
        g = tf.get_default_graph()
        out = [[op.name, op.type, [t.name for t in op.inputs]] for op in g.get_operations()]
        out.append([str(t.shape) for t in n])
    """,
    "unbatch": """
        ds = tf.data.Dataset.from_tensor_slices(np.arange(12).reshape(3, 2, 2)).unbatch()
        with tf.Session() as s:
            out = [str(ds.output_shapes), drain(s, tf.data.make_one_shot_iterator(ds).get_next())]
    """,
    "node_attrs": """
        ds = tf.data.Dataset.range(10).map(lambda a: a * 2).map(lambda a: a, num_parallel_calls=2)
        ds = ds.filter(lambda a: a > 2).shuffle(5, seed=3).batch(3, drop_remainder=True)
        ds = ds.padded_batch(2, padded_shapes=[4]).repeat(2).prefetch(1).cache()
        ds = ds.interleave(lambda x: tf.data.Dataset.from_tensors(x), cycle_length=2)
        it = tf.data.make_initializable_iterator(ds)
        n = it.get_next()
        one = tf.data.make_one_shot_iterator(ds)
        out = []
        for node in tf.get_default_graph().as_graph_def().node:
            if node.op == "Const":
                continue
            attrs = {}
            for key in sorted(node.attr):
                value = node.attr[key]
                if key == "_class" or value.WhichOneof("value") == "func":
                    continue
                attrs[key] = str(value).replace("\\n", " ")
            out.append([node.name, node.op, attrs])
    """,
    "apply_and_experimental": """
        ds = tf.data.Dataset.range(10).apply(
            tf.data.experimental.map_and_batch(lambda x: x * 2, 4, drop_remainder=True))
        ds = ds.prefetch(tf.data.experimental.AUTOTUNE)
        sr = tf.data.Dataset.range(5).apply(tf.data.experimental.shuffle_and_repeat(5, 2, seed=1))
        with tf.Session() as s:
            out = [str(ds.output_shapes), drain(s, tf.data.make_one_shot_iterator(ds).get_next())]
            got = drain(s, tf.data.make_one_shot_iterator(sr).get_next())
            out.append(sorted(int(v) for v in got))
    """,
    "zip_varargs_map_synchronous_choose": """
        a, b = tf.data.Dataset.range(3), tf.data.Dataset.range(10, 13)
        z = tf.data.Dataset.zip(a, b, name="z")
        m = a.map(lambda x: x * 2, synchronous=True)
        choice = tf.data.Dataset.from_tensor_slices(tf.constant([0, 0, 0, 1, 1], tf.int64))
        c1 = tf.data.experimental.choose_from_datasets([a.take(2), b], choice)
        c2 = tf.data.Dataset.choose_from_datasets([a.take(2), b], choice)
        out = [m._variant_tensor.op.get_attr("force_synchronous")]
        for bad in (lambda: tf.data.Dataset.zip(), lambda: tf.data.Dataset.zip(a, datasets=(b,)),
                    lambda: a.map(lambda x: x, num_parallel_calls=2, synchronous=True)):
            try:
                bad()
            except (TypeError, ValueError) as e:
                out.append([type(e).__name__, str(e)])
        with tf.Session() as s:
            out += [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (z, m, c1, c2)]
    """,
    "structure_properties": """
        ds = tf.data.Dataset.from_tensor_slices((np.zeros([3, 2], np.float32), {"k": [1, 2, 3]}))
        it = tf.data.make_initializable_iterator(ds)
        out = [str(ds.output_types), str(ds.output_shapes), str(ds.element_spec),
               str(it.output_shapes), ds.output_classes[0].__name__,
               str(tf.data.get_output_types(it))]
    """,
}


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", sorted(CASES))
def test_elements_as_tf(name, tmp_path):
    mine, theirs = run_both(CASES[name], tmp_path)
    assert mine == theirs


ITERATORS = """
    ds = tf.data.Dataset.range(3)
    evens = tf.data.Dataset.range(0, 10, 2)
    init_it = tf.data.make_initializable_iterator(ds)
    n = init_it.get_next()
    re_it = tf.data.Iterator.from_structure(ds.output_types, ds.output_shapes)
    to_ds, to_evens = re_it.make_initializer(ds), re_it.make_initializer(evens)
    rn = re_it.get_next()
    handle = tf.placeholder(tf.string, shape=[])
    fed = tf.data.Iterator.from_string_handle(handle, ds.output_types, ds.output_shapes)
    fn = fed.get_next()
    one_a = tf.data.make_one_shot_iterator(ds.repeat())
    one_b = evens.make_one_shot_iterator()
    out = []
    with tf.Session() as s:
        s.run(init_it.initializer)
        out.append([s.run(n), s.run(n)])
        s.run(init_it.initializer)  # restarts
        out.append(drain(s, n))
        s.run(to_evens)
        out.append([s.run(rn), s.run(rn)])
        s.run(to_ds)
        out.append(drain(s, rn))
        ha, hb = s.run([one_a.string_handle(), one_b.string_handle()])
        out.append([s.run(fn, {handle: ha}), s.run(fn, {handle: hb}), s.run(fn, {handle: ha}),
                    s.run(fn, {handle: hb})])
        out.append(drain(s, fn, {handle: hb}))
        try:
            s.run(n)
        except tf.errors.OutOfRangeError as e:
            out.append([type(e).__name__, e.message.splitlines()[-2:]])
    with tf.Session() as s2:  # a second session iterates on its own
        out.append(s2.run(fn, {handle: s2.run(one_b.string_handle())}))
        try:
            s2.run(rn)
        except tf.errors.FailedPreconditionError as e:
            out.append([type(e).__name__, e.message.splitlines()[-2]])
    out.append(sorted({op.type for op in tf.get_default_graph().get_operations()}))
"""


@pytest.mark.tf
@requires_tf
def test_iterator_kinds_as_tf(tmp_path):
    mine, theirs = run_both(ITERATORS, tmp_path)
    assert mine == theirs


PIPELINE = """
    import os
    path = os.path.join(tmp, "train.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        for i in range(23):
            w.write(("record-%02d" % i).encode())
    records = tf.data.TFRecordDataset([path])
    ds = tf.data.Dataset.zip((records, tf.data.Dataset.range(100)))
    ds = ds.map(lambda rec, i: {"raw": rec, "x": tf.cast(i, tf.float32) * 0.5},
                num_parallel_calls=tf.data.experimental.AUTOTUNE)
    ds = ds.shuffle(8, seed=42).batch(5).repeat(2).prefetch(1)
    n = tf.data.make_one_shot_iterator(ds).get_next()
    with tf.Session() as s:
        batches = drain(s, n)
    out = [str(ds.output_shapes), batches]
    out.append(sorted({op.type for op in tf.get_default_graph().get_operations()}))
"""


@pytest.mark.tf
@requires_tf
def test_typical_pipeline_as_tf(tmp_path):
    """TFRecordDataset -> map -> shuffle(seed) -> batch -> repeat -> prefetch: TF's
    batches in TF's order (the seeded shuffle draws TF's Philox stream), TF's op types."""
    mine, theirs = run_both(PIPELINE, tmp_path)
    assert mine == theirs


@pytest.mark.tf
@requires_tf
def test_exported_pipeline_runs_in_tf(tmp_path):
    """A GraphDef exported by tfgraph carries the dataset functions (map, filter, a
    nested flat_map, captured tensors, the one-shot iterator's dataset factory) in its
    library: TF imports it and yields tfgraph's elements."""
    import json

    import tfgraph as tf

    with tf.Graph().as_default() as g:
        w = tf.constant(10, tf.int64)
        ds = tf.data.Dataset.range(8).map(lambda x: x * w).filter(lambda x: x > 10)
        ds = ds.flat_map(lambda x: tf.data.Dataset.range(2).map(lambda y: y + x))
        ds = ds.shuffle(3, seed=2).batch(2)
        it = tf.data.make_initializable_iterator(ds)
        n = it.get_next()
        m = tf.data.make_one_shot_iterator(ds).get_next()
        path = tmp_path / "graph.pb"
        path.write_bytes(g.as_graph_def().SerializeToString())
        with tf.Session() as s:
            s.run(it.initializer)
            mine = [[int(v) for v in s.run(n)] for _ in range(5)]
            mine.append([int(v) for v in s.run(m)])
    out = run_tf(
        f"""
gd = tf.GraphDef.FromString(open({str(path)!r}, "rb").read())
tf.import_graph_def(gd, name="")
g = tf.get_default_graph()
with tf.Session() as s:
    s.run(g.get_operation_by_name("MakeIterator"))
    n = g.get_tensor_by_name("IteratorGetNext:0")
    got = [s.run(n).tolist() for _ in range(5)]
    got.append(s.run(g.get_tensor_by_name("IteratorGetNext_1:0")).tolist())
print("@@" + json.dumps(got))
"""
    )
    assert json.loads(out.split("@@", 1)[1]) == mine
