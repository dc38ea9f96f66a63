"""tf.train.experimental.PythonState in a tf.train.Checkpoint (graph mode) against TF:
the saved keys and object graph attributes, the restored state, and checkpoints TF
wrote read here (and the other way round)."""

from __future__ import annotations

import json

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json, os
class Counts(tf.train.experimental.PythonState):
    def __init__(self):
        self.counts = {"a": 1}
    def serialize(self):
        return json.dumps(self.counts, sort_keys=True)
    def deserialize(self, string_value):
        self.counts = json.loads(string_value.decode())
counts = Counts()
v = tf.Variable(3.0, name="v")
ckpt = tf.train.Checkpoint(v=v, state=counts, nested={"s": Counts()})
out = {}
with tf.Session() as sess:
    sess.run(v.initializer)
    counts.counts = {"a": 2, "b": 3}
    path = ckpt.save(os.path.join(DIR, SAVE_AS), session=sess)
    out["keys"] = sorted(k for k, _ in tf.train.list_variables(path))
    counts.counts = {}
    status = ckpt.restore(path)
    status.run_restore_ops(sess)
    status.assert_consumed()
    out["restored"] = counts.counts
    out["raw"] = tf.train.load_checkpoint(path).get_tensor("state/.ATTRIBUTES/py_state").decode()
    other = [p for p in os.listdir(DIR) if p.startswith(READ) and p.endswith(".index")]
    if other:
        counts.counts = {}
        ckpt.restore(os.path.join(DIR, other[0][:-len(".index")])).run_restore_ops(sess)
        out["cross"] = counts.counts
print(json.dumps(out))
"""


def _program(tmp_path, save_as: str, read: str) -> str:
    return f"DIR, SAVE_AS, READ = {str(tmp_path)!r}, {save_as!r}, {read!r}\n" + PROGRAM


def test_python_state_round_trip(tmp_path):
    out = run_here_json(_program(tmp_path, "mine", "none"))
    assert out["restored"] == {"a": 2, "b": 3}
    assert "state/.ATTRIBUTES/py_state" in out["keys"]


@pytest.mark.tf
@requires_tf
def test_python_state_matches_tf(tmp_path):
    theirs_first = run_tf_json(_program(tmp_path, "theirs", "none"))
    mine = run_here_json(_program(tmp_path, "mine", "theirs"))
    theirs = run_tf_json(_program(tmp_path, "tf_again", "mine"))
    assert mine["cross"] == {"a": 2, "b": 3}  # (TF's checkpoint read here)
    assert theirs["cross"] == {"a": 2, "b": 3}  # (tfgraph's checkpoint read by TF)
    for key in ("keys", "restored", "raw"):
        assert mine[key] == theirs_first[key], (key, json.dumps(mine[key]))
