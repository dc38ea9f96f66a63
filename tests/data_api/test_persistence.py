"""Dataset.save / Dataset.load / Dataset.snapshot against real TF: the ops built, the
round trip, and the on-disk layout both ways (TF loads what tfgraph saved, tfgraph
loads what TF saved)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tests.data_api.common import run_both
from tests.tfrun import run_tf

CASES = {
    "save_load_round_trip": """
        import os
        def graph():
            g = tf.get_default_graph()
            return [[op.name, op.type, [t.name for t in op.inputs]] for op in g.get_operations()]
        path = os.path.join(tmp, "saved")
        ds = tf.data.Dataset.range(5).map(
            lambda x: {"i": x, "f": tf.cast(x, tf.float32) * 0.5, "s": tf.as_string(x)})
        op = ds.save(path)
        def listing():
            return sorted(n for n in os.listdir(path) if not n.isdigit())  # (not the run id)
        out = [listing(), graph()]
        with tf.Session() as s:
            s.run(op)
        out.append(listing())
        with tf.Graph().as_default():
            back = tf.data.Dataset.load(path)
            out += [str(sorted(back.element_spec.items())), graph()]
            with tf.Session() as s:
                out.append(drain(s, tf.data.make_one_shot_iterator(back).get_next()))
                out.append(s.run(back.cardinality()))
    """,
    "save_gzip_shard_func": """
        import os
        path = os.path.join(tmp, "saved")
        ds = tf.data.Dataset.range(6).map(lambda x: (x, tf.fill([2], x)))
        with tf.Session() as s:
            s.run(ds.save(path, compression="GZIP", shard_func=lambda a, b: a % 2))
        back = tf.data.Dataset.load(path, compression="GZIP")
        one = tf.data.Dataset.load(path, compression="GZIP",
                                   reader_func=lambda shards: shards.flat_map(lambda d: d))
        with tf.Session() as s:
            rows = drain(s, tf.data.make_one_shot_iterator(back).get_next())
            out = [str(back.element_spec), sorted(int(r[0]) for r in rows)]
            out.append(drain(s, tf.data.make_one_shot_iterator(one).get_next()))
    """,
    "snapshot": """
        import os
        path = os.path.join(tmp, "snap")
        ds = tf.data.Dataset.range(4).map(lambda x: x * 2).snapshot(path)
        out = [str(ds.element_spec)]
        with tf.Session() as s:
            n = tf.data.make_one_shot_iterator(ds).get_next()
            out.append(drain(s, n))
        with tf.Session() as s:
            out.append(drain(s, tf.data.make_one_shot_iterator(ds).get_next()))
        out.append(len(os.listdir(path)))
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_tf(name, tmp_path):
    mine, theirs = run_both(CASES[name], tmp_path)
    assert mine == theirs


def test_tf_loads_what_tfgraph_saved(tmp_path):
    path = str(tmp_path / "saved")
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices(
            (np.arange(4, dtype=np.int32), np.array([b"a", b"bb", b"", b"d"]))
        ).batch(3)
        with tf.Session() as s:
            s.run(ds.save(path))
    got = run_tf(
        f"""
ds = tf.data.Dataset.load({path!r})
n = tf.data.make_one_shot_iterator(ds).get_next()
with tf.Session() as s:
    rows = [s.run(n) for _ in range(2)]
rows = [[a.tolist(), [x.decode() for x in b]] for a, b in rows]
print("@@" + json.dumps([str(ds.element_spec)] + rows))
"""
    )
    assert json.loads(got.split("@@", 1)[1]) == [
        "(TensorSpec(shape=(?,), dtype=tf.int32, name=None), "
        "TensorSpec(shape=(?,), dtype=tf.string, name=None))",
        [[0, 1, 2], ["a", "bb", ""]],
        [[3], ["d"]],
    ]


def test_tfgraph_loads_what_tf_saved(tmp_path):
    path = str(tmp_path / "saved")
    run_tf(
        f"""
ds = tf.data.Dataset.range(5).map(lambda x: {{"x": x, "y": tf.cast(x, tf.float64) / 4}})
with tf.Session() as s:
    s.run(ds.save({path!r}))
"""
    )
    assert os.path.exists(os.path.join(path, "snapshot.metadata"))
    with tf.Graph().as_default():
        ds = tf.data.Dataset.load(path)
        n = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as s:
            rows = [s.run(n) for _ in range(5)]
            with pytest.raises(tf.errors.OutOfRangeError):
                s.run(n)
    assert [(int(r["x"]), float(r["y"])) for r in rows] == [(i, i / 4) for i in range(5)]


def test_load_errors(tmp_path):
    with tf.Graph().as_default():
        with pytest.raises(FileNotFoundError, match="element_spec"):
            tf.data.Dataset.load(str(tmp_path / "none"))
        ds = tf.data.Dataset.load(str(tmp_path), element_spec=tf.TensorSpec([], tf.int64))
        with tf.Session() as s:
            with pytest.raises(tf.errors.NotFoundError, match="Dataset.save"):
                s.run(tf.data.make_one_shot_iterator(ds).get_next())
