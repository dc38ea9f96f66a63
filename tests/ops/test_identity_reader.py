"""IdentityReader (IdentityReaderV2): key and value are the queue's work item."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
q = tf.FIFOQueue(10, tf.string)
r = tf.IdentityReader(name="ident")
k, v = r.read(q)
ks, vs = r.read_up_to(q, 3)
result = {"types": [r.reader_ref.op.type, r.reader_ref.op.name, k.op.type, ks.op.type,
                    str(k.shape), str(ks.shape), r.supports_serialize]}
with tf.Session() as s:
    s.run(q.enqueue_many([["a", "b\\x00c", "", "d", "e"]]))
    result["one"] = [x.decode() for x in s.run([k, v])]
    result["two"] = [[x.decode() for x in y] for y in s.run([ks, vs])]
    result["nrp"] = int(s.run(r.num_records_produced()))
    result["nwu"] = int(s.run(r.num_work_units_completed()))
    s.run(q.close())
    result["rest"] = [[x.decode() for x in y] for y in s.run([ks, vs])]
    result["left"] = []
    try:
        while True:
            result["left"].append(s.run(v).decode())
    except tf.errors.OutOfRangeError as e:
        result["err"] = "is closed and has insufficient elements" in e.message
    s.run(r.reset())
    result["after_reset"] = int(s.run(r.num_records_produced()))
"""


@pytest.mark.tf
@requires_tf
def test_identity_reader_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_identity_reader():
    r = run_here(PROGRAM)
    assert r["one"] == ["a", "a"] and r["two"] == [["b\x00c"], ["b\x00c"]]
    assert r["left"] == ["d", "e"] and r["types"][-1] is True
    assert r["nrp"] == 2 and r["err"] and r["after_reset"] == 0
