"""Lookup tables (tf.lookup, tf.contrib.lookup, tf.initialize_all_tables) against TF:
values, the error before initialisation, graphs, TABLE_INITIALIZERS."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = r"""
out = {}
def record(title, fetches, extra=None):
    g = tf.get_default_graph()
    with tf.Session() as sess:
        err = None
        try:
            sess.run(fetches)
        except tf.errors.OpError as e:
            err = [type(e).__name__, e.message.split("\n")[-2] if "\n" in e.message else e.message]
        sess.run(tf.tables_initializer())
        vals = sess.run(fetches)
    out[title] = {
        "values": json.loads(json.dumps([np.asarray(v).tolist() for v in vals],
                                        default=lambda b: b.decode())),
        "error": err,
        "ops": sorted(o.name + ":" + o.type for o in g.get_operations()),
        "init": [o.name for o in tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS)],
    }
def dec(x):
    return [v.decode() if isinstance(v, bytes) else v for v in x] if isinstance(x, list) else x

with tf.Graph().as_default():
    t = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], [1, 2, 3], value_dtype=tf.int64), -1)
    record("static", [t.lookup(tf.constant([["b", "z"], ["c", "a"]])), t.size()])
with tf.Graph().as_default():
    t = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant([3, 7], tf.int64),
                                            tf.constant([0.5, 1.5])), 9.0, name="floats")
    record("int keys", [t.lookup(tf.constant([7, 1, 3], tf.int64))])
with tf.Graph().as_default():
    v = tf.lookup.StaticVocabularyTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant(["a", "b", "c"]),
                                            tf.constant([0, 1, 2], tf.int64)), 3, name="vocab")
    record("vocab", [v.lookup(tf.constant(["a", "q", "zz", "c", "hello"])), v.size()])

with tf.Graph().as_default():
    ids = contrib.index_table_from_tensor(["x", "y", "z"], num_oov_buckets=2)
    names = contrib.index_to_string_table_from_tensor(["x", "y", "z"], default_value="?")
    ints = contrib.index_table_from_tensor(tf.constant([10, 20], tf.int64), dtype=tf.int64)
    record("contrib", [ids.lookup(tf.constant(["z", "x", "w", "v"])),
                       names.lookup(tf.constant([2, 0, 7], tf.int64)),
                       ints.lookup(tf.constant([20, 5], tf.int64))])
with tf.Graph().as_default():
    path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    with open(path, "w") as f:
        f.write("apple\t3\nbanana\t5\ncherry\t8\n")
    by_line = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
        path, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE, tf.int64,
        tf.lookup.TextFileIndex.LINE_NUMBER, delimiter=" "), -1)
    by_field = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
        path, tf.string, 0, tf.int64, 1), 0)
    record("text", [by_line.lookup(tf.constant(["banana\t5", "kiwi"])),
                    by_field.lookup(tf.constant(["cherry", "apple", "kiwi"]))])
    words = os.path.join(os.path.dirname(path), "words.txt")
    with open(words, "w") as f:
        f.write("the\nquick\nfox\n")
    ids = contrib.index_table_from_file(words, num_oov_buckets=1)
    plain = contrib.index_table_from_file(words, default_value=-7, vocab_size=2, name="two")
    fields = contrib.index_table_from_file(path, key_column_index=0, value_column_index=1)
    back = contrib.index_to_string_table_from_file(words, default_value="<unk>")
    record("from file", [ids.lookup(tf.constant(["fox", "dog", "the"])),
                         plain.lookup(tf.constant(["quick", "fox"])),
                         fields.lookup(tf.constant(["banana", "kiwi"])),
                         back.lookup(tf.constant([2, 0, 9], tf.int64))])
errors = []
with tf.Graph().as_default():
    t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a"], [1]), -1)
    for bad in (lambda: t.lookup(tf.constant([1, 2])),
                lambda: contrib.index_table_from_file(""),
                lambda: contrib.index_to_string_table_from_file("x", vocab_size=0),
                lambda: tf.lookup.StaticVocabularyTable(
                    tf.lookup.KeyValueTensorInitializer(["a"], [1], value_dtype=tf.int64), 0)):
        try:
            bad()
        except (TypeError, ValueError) as e:
            errors.append([type(e).__name__, str(e)])
    errors.append(tf.initialize_all_tables().name)
out["errors"] = errors
"""


def _here():
    import os
    import tempfile

    scope = {
        "tf": tf, "np": np, "os": os, "tempfile": tempfile, "json": json,
        "contrib": tf.contrib.lookup,
    }  # fmt: skip
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"], default=str))


def test_tables():
    out = _here()
    assert out["static"]["values"] == [[[2, -1], [3, 1]], 3]
    assert out["static"]["error"] == ["FailedPreconditionError", "Table not initialized."]
    assert out["static"]["init"] == ["key_value_init/LookupTableImportV2"]
    vocab, size = out["vocab"]["values"]
    assert vocab[0] == 0 and vocab[3] == 2 and all(3 <= v < 6 for v in vocab[1:3]) and size == 6
    assert out["contrib"]["values"][1] == ["z", "x", "?"]
    assert out["text"]["values"] == [[1, -1], [8, 3, 0]]
    ids, plain, fields, back = out["from file"]["values"]
    assert ids == [2, 3, 0] and plain == [1, -7] and fields == [5, -1]
    assert back == ["fox", "the", "<unk>"]


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    prelude = (
        "import os, tempfile\n"
        "from tensorflow.python.ops import lookup_ops as contrib\n"
        "contrib.HashTable = contrib.StaticHashTableV1\n"
    )
    theirs = json.loads(
        json.dumps(run_tf_json(prelude + PROGRAM + "\nprint(json.dumps(out, default=str))\n"))
    )
    ours = _here()
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key
