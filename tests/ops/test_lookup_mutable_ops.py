"""tf.lookup.experimental.MutableHashTable and DenseHashTable against TF: ops (names,
types, inputs), static shapes, values after insert / remove, export, size, errors, and
a Saver round trip of the tables' contents."""

from __future__ import annotations

import json

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json, os, tempfile
L = tf.lookup.experimental
t = L.MutableHashTable(tf.string, tf.int64, default_value=-1)
ins = t.insert(tf.constant(["a", "b", "c"]), tf.constant([1, 2, 3], tf.int64))
look = t.lookup(tf.constant([["a", "z"], ["c", "b"]]))
rm = t.remove(tf.constant(["a", "nope"]))
keys, values = t.export()
size = t.size()
tv = L.MutableHashTable(tf.int64, tf.float32, default_value=[0., -1.], name="vec")
ins2 = tv.insert(tf.constant([1, 2], tf.int64), tf.constant([[1., 2.], [3., 4.]]))
look2 = tv.lookup(tf.constant([2, 5], tf.int64))
d = L.DenseHashTable(tf.int64, tf.int64, default_value=-1, empty_key=0, deleted_key=-1)
ins3 = d.insert(tf.constant([5, 7, 9], tf.int64), tf.constant([50, 70, 90], tf.int64))
rm3 = d.remove(tf.constant([7], tf.int64))
look3 = d.lookup(tf.constant([5, 6, 7, 9], tf.int64))
g = tf.get_default_graph()
out = {"ops": [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()],
       "shapes": [str(x.shape) for x in (look, look2, look3, size)],
       "saveables": len(tf.get_collection(tf.GraphKeys.SAVEABLE_OBJECTS)),
       "names": [t.name, tv.name, d.name]}
def attempt(sess, x):
    try:
        return ["ok", sess.run(x).tolist()]
    except tf.errors.OpError as e:
        lines = e.message.splitlines()
        return [type(e).__name__, [l for l in lines if l.startswith(("Using", "Expected"))]]
path = os.path.join(tempfile.mkdtemp(), "ckpt")
saver = tf.train.Saver()
with tf.Session() as sess:
    out["before"] = [sess.run(look).tolist(), int(sess.run(size))]
    sess.run([ins, ins2, ins3])
    out["after"] = [sess.run(look).tolist(), sess.run(look2).tolist(), sess.run(look3).tolist()]
    sess.run([rm, rm3])
    k, v = sess.run([keys, values])
    out["export"] = sorted(zip([x.decode() for x in k], v.tolist()))
    out["removed"] = [sess.run(look).tolist(), int(sess.run(size)), sess.run(look3).tolist(),
                      int(sess.run(d.size()))]
    out["errors"] = [
        attempt(sess, d.insert(tf.constant([0], tf.int64), tf.constant([1], tf.int64))),
        attempt(sess, d.lookup(tf.constant([-1], tf.int64))),
        attempt(sess, t.insert(tf.constant(["a"]), tf.constant([1, 2], tf.int64))),
        attempt(sess, tv.insert(tf.constant([1], tf.int64), tf.constant([1.], tf.float32)))]
    saver.save(sess, path)
with tf.Session() as sess:
    saver.restore(sess, path)
    out["restored"] = [sess.run(look).tolist(), sess.run(look2).tolist(),
                       sess.run(d.lookup(tf.constant([5, 9, 7], tf.int64))).tolist()]
try:
    t.lookup(tf.constant([1], tf.int64))
except (TypeError, ValueError) as e:
    out["type_error"] = type(e).__name__
print(json.dumps(out))
"""


def test_mutable_tables():
    out = run_here_json(PROGRAM)
    assert out["after"][0] == [[1, -1], [3, 2]]
    assert out["after"][1] == [[3.0, 4.0], [0.0, -1.0]]
    assert out["removed"][:2] == [[[-1, -1], [3, 2]], 2]
    assert out["restored"][0] == [[-1, -1], [3, 2]]


@pytest.mark.tf
@requires_tf
def test_mutable_tables_match_tf():
    mine, theirs = run_here_json(PROGRAM), run_tf_json(PROGRAM)
    for key in sorted(theirs):
        assert mine.get(key) == theirs[key], (key, json.dumps(mine.get(key)))
    assert mine == theirs


def test_contrib_lookup_names():
    import tfgraph as tf

    assert tf.contrib.lookup.MutableHashTable is tf.lookup.experimental.MutableHashTable
    assert tf.contrib.lookup.MutableDenseHashTable is tf.lookup.experimental.DenseHashTable
