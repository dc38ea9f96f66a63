"""tf.experimental.RowPartition, DynamicRaggedShape and StructuredTensor in graph mode:
the same program (reprs, static values, fetched values, errors) in tfgraph and in TF."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = r"""
import re
import numpy as np
out = []
def norm(s):
    return re.sub(r'"[A-Za-z_0-9/]+:0"', '"T"', s)
def rec(f):
    try:
        out.append(norm(str(f())))
    except Exception as e:
        out.append(type(e).__name__ + ": " + str(e).split("\n")[0][:200])
sess = tf.Session()
def run(x):
    v = sess.run(x)
    return str(v.tolist() if hasattr(v, "tolist") else v)

RP = tf.experimental.RowPartition
p = RP.from_row_lengths([2, 0, 3])
rec(lambda: p.dtype)
rec(lambda: (p.static_nrows, p.static_nvals, p.static_uniform_row_length, p.is_uniform()))
rec(lambda: run([p.row_splits(), p.row_lengths(), p.value_rowids(), p.nrows(), p.nvals()]))
rec(lambda: run([p.row_starts(), p.row_limits(), p.offsets_in_rows()]))
q = RP.from_value_rowids([0, 0, 2], nrows=4)
rec(lambda: run([q.row_splits(), q.nrows()]))
rec(lambda: q.static_nvals)
u = RP.from_uniform_row_length(2, nvals=6)
rec(lambda: (u.is_uniform(), int(u.static_uniform_row_length), u.static_nrows))
rec(lambda: run([u.row_splits(), u.nrows()]))
rec(lambda: run(RP.from_row_splits([0, 1, 3], dtype=tf.int32).with_dtype(tf.int64).row_splits()))
rec(lambda: RP.from_row_splits([0, 1, 3]).with_dtype(tf.int32).dtype)

D = tf.experimental.DynamicRaggedShape
s = D.from_lengths([3, (2, 0, 1), 2])
rec(lambda: s)
rec(lambda: (s.rank, s.num_row_partitions, s.inner_rank, s.dtype))
rec(lambda: s.static_lengths())
rec(lambda: s.static_lengths(ragged_lengths=False))
rec(lambda: (s.is_uniform(0), s.is_uniform(1), s.is_uniform(2), s.is_uniform(-1)))
rec(lambda: run([s[0], s[2], s.inner_shape]))
rec(lambda: s[1])
rec(lambda: run(s.row_partitions[0].row_splits()))
s4 = D.from_lengths([2, 3, 4])
rec(lambda: (s4, s4.num_row_partitions, s4.row_partitions, s4.static_lengths()))
rec(lambda: run([s4[0], s4[1], s4[2], s4.inner_shape]))
s5 = D.from_lengths([2, (1, 2), (3, 0, 1)])
rec(lambda: (s5, s5.static_lengths(), s5.inner_rank))
rec(lambda: run([r.row_splits() for r in s5.row_partitions] + [s5.inner_shape]))
s6 = D.from_lengths([2, 3, (1, 0, 2, 1, 1, 1)], num_row_partitions=2)
rec(lambda: (s6, s6.is_uniform(1), s6.is_uniform(2)))
rec(lambda: run([s6[1], s6.inner_shape]))
rec(lambda: D.from_lengths([3, (2, 0), 2]))
rt = tf.ragged.constant([[1, 2], [3]])
s2 = D.from_tensor(rt)
rec(lambda: (s2, s2.num_row_partitions, s2.dtype))
rec(lambda: run([s2.inner_shape, s2[0], s2.row_partitions[0].row_splits()]))
s3 = D.from_tensor(tf.zeros([2, 3]))
rec(lambda: (s3, s3.static_lengths(), s3.dtype))
rec(lambda: run([s3[1], s3.inner_shape]))
ph = tf.placeholder(tf.float32, [None, 3])
rec(lambda: (D.from_tensor(ph), D.from_tensor(ph).static_lengths(), D.from_tensor(ph).rank))
rec(lambda: s.with_dtype(tf.int32).dtype)
rec(lambda: run(s.with_dtype(tf.int32).inner_shape))

S = tf.experimental.StructuredTensor
st = S.from_pyval({"a": [1, 2], "b": {"c": 3.0}})
rec(lambda: st)
rec(lambda: (st.shape, st.rank, st.field_names(), st.row_partitions, st.nrows()))
rec(lambda: st.field_value("a"))
rec(lambda: run(st.field_value("a")))
rec(lambda: st["b"])
rec(lambda: run(st["b"]["c"]))
rec(lambda: run(st[("b", "c")]))
rec(lambda: run(st.field_value(("b", "c"))))
rec(lambda: st["zz"])
rec(lambda: st.to_pyval())
st2 = S.from_pyval([{"a": 1, "b": [1, 2]}, {"a": 2, "b": [3]}])
rec(lambda: (st2.shape, st2.rank, st2.field_names()))
rec(lambda: run(st2.field_value("a")))
rec(lambda: run(st2.nrows()))
rec(lambda: run(st2.field_value("b").row_splits))
rec(lambda: run(st2.field_value("b").flat_values))
st3 = S.from_fields({"x": tf.constant([1, 2]), "y": tf.constant([[1.0], [2.0]])}, shape=[2])
rec(lambda: st3)
rec(lambda: (st3.shape, st3.field_names()))
rec(lambda: run(st3.nrows()))
rec(lambda: S.from_fields({"x": tf.constant([1, 2])}, shape=[3]))
rec(lambda: S.from_fields({"x": tf.constant([1, 2])}, shape=None))
st4 = S.from_fields_and_rank({"x": tf.constant([[1, 2], [3, 4]])}, rank=2)
rec(lambda: (st4.shape, st4.rank, len(st4.row_partitions)))
rec(lambda: run(st4.row_partitions[0].row_splits()))
st5 = S.from_fields({"n": S.from_pyval([{"z": 1}, {"z": 2}]), "m": [5, 6]}, shape=[2])
rec(lambda: (st5.shape, st5.field_names(), st5.field_value("n").shape))
rec(lambda: run(st5.field_value(("n", "z"))))
rec(lambda: S.from_pyval(5))
rec(lambda: S.from_pyval([[1, 2], [3]]))
su = S.from_pyval({"a": [1, 2], "b": {"c": 3.0, "d": 4}})
rec(lambda: su.with_updates({"a": None}).field_names())
rec(lambda: su.with_updates({("b", "c"): None})["b"].field_names())
rec(lambda: su.with_updates({"z": 5}).field_names())
rec(lambda: run(su.with_updates({"a": lambda v: v * 2}).field_value("a")))
rec(lambda: su.with_updates({("b", "e"): 1})["b"].field_names())
rec(lambda: su.with_updates({"q": None}))
rec(lambda: su.with_updates({"q": lambda v: v}))
rec(lambda: su.with_updates({("q", "r"): 1}))
def update_error():
    try:
        su.with_updates({("a", "x"): 1})
    except ValueError as e:
        return str(e).split(" -- ")[0]
rec(update_error)
"""


def _ours() -> list:
    env = {"tf": tf, "np": np}
    with tf.Graph().as_default():
        exec(compile(PROGRAM, "<program>", "exec", dont_inherit=True), env)
    return env["out"]


def test_structured_shapes_run():
    got = _ours()
    assert got[0] == "<dtype: 'int64'>"
    assert "Error" not in got[2]


@pytest.mark.tf
@requires_tf
def test_structured_shapes_match_tf():
    theirs = run_tf_json(PROGRAM + "\nimport json\nprint(json.dumps(out))")
    ours = _ours()
    assert len(ours) == len(theirs)
    mismatches = [(i, o, t) for i, (o, t) in enumerate(zip(ours, theirs)) if o != t]
    assert not mismatches, json.dumps(mismatches, indent=1)
