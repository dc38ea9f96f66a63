"""Object-based checkpoints (tf.train.Checkpoint, CheckpointManager) and tf.Module
tracking, against TensorFlow 2.21 in both directions."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

MODEL = """
class Inner(tf.Module):
    def __init__(self):
        super().__init__()
        self.v0 = tf.Variable(1.0)
        self.vs = [tf.Variable(float(x)) for x in range(2)]
        self.d = {"b": tf.Variable([1, 2]), "a": tf.Variable(3.5)}

class Outer(tf.Module):
    def __init__(self):
        super().__init__()
        self.m = Inner()
        self.v = tf.Variable([10.0, 11.0])
"""

WRITE = (
    MODEL
    + """
m = Outer()
m.v.assign([5.0, 6.0])
m.m.d["a"].assign(-1.0)
ck = tf.train.Checkpoint(model=m, step=tf.Variable(7, dtype=tf.int64))
path = ck.save(PREFIX)
"""
)

READ = (
    MODEL
    + """
m = Outer()
ck = tf.train.Checkpoint(model=m, step=tf.Variable(0, dtype=tf.int64))
ck.restore(PATH).assert_consumed()
result = [m.v.numpy().tolist(), float(m.m.d["a"].numpy()), int(ck.step.numpy()),
          int(ck.save_counter.numpy()), sorted(k for k, _ in tf.train.list_variables(PATH))]
"""
)

TRACKING = (
    MODEL
    + """
m = Outer()
result = [len(m.variables), len(m.trainable_variables), [s.name for s in m.submodules],
          [v.shape.as_list() for v in m.variables], m.name, m.m.name]
"""
)


def _with(code: str, **names) -> str:
    return "".join(f"{k} = {v!r}\n" for k, v in names.items()) + code


def _exec(code):
    scope = {"tf": tf, "np": np}
    exec(code, scope)
    return scope


def test_save_restore_round_trip(tmp_path):
    tf.enable_v2_behavior()
    path = _exec(_with(WRITE, PREFIX=str(tmp_path / "ck")))["path"]
    assert path == str(tmp_path / "ck-1")
    assert (tmp_path / "checkpoint").read_text().startswith('model_checkpoint_path: "ck-1"')
    got = _exec(_with(READ, PATH=path))["result"]
    assert got[:4] == [[5.0, 6.0], -1.0, 7, 1]
    assert "model/m/d/a/.ATTRIBUTES/VARIABLE_VALUE" in got[4]


def test_assert_consumed_reports_mismatches(tmp_path):
    tf.enable_v2_behavior()
    a = tf.Variable(1.0)
    path = tf.train.Checkpoint(a=a, b=tf.Variable(2.0)).save(str(tmp_path / "x"))
    status = tf.train.Checkpoint(a=a).restore(path)
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()
    status.assert_existing_objects_matched()
    extra = tf.train.Checkpoint(a=a, c=tf.Variable(3.0)).restore(path)
    with pytest.raises(AssertionError, match="not bound to checkpointed values"):
        extra.assert_existing_objects_matched()


def test_checkpoint_manager_keeps_the_latest(tmp_path):
    tf.enable_v2_behavior()
    v = tf.Variable(0.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    for i in range(4):
        v.assign(float(i))
        manager.save()
    assert [p.rsplit("/", 1)[1] for p in manager.checkpoints] == ["ckpt-3", "ckpt-4"]
    assert not (tmp_path / "ckpt-1.index").exists()
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-4")
    v.assign(-1.0)
    again = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    assert again.restore_or_initialize() == str(tmp_path / "ckpt-4")
    assert float(v.numpy()) == 3.0


def test_graph_mode_save_and_restore_with_a_session(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    ck = tf.train.Checkpoint(v=v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = ck.save(str(tmp_path / "g"), session=sess)
        sess.run(v.assign([0.0, 0.0]))
        ck.restore(path).run_restore_ops(sess)
        assert sess.run(v).tolist() == [1.0, 2.0]


def test_module_tracking():
    tf.enable_v2_behavior()
    got = _exec(TRACKING)["result"]
    assert got[0] == 6 and got[1] == 6


@pytest.mark.tf
@requires_tf
def test_module_tracking_matches_tensorflow():
    tf.enable_v2_behavior()
    theirs = json.loads(run_tf(TRACKING + "print(json.dumps(result))\n", v1=False))
    assert _exec(TRACKING)["result"] == theirs


@pytest.mark.tf
@requires_tf
def test_checkpoints_cross_read_with_tensorflow(tmp_path):
    tf.enable_v2_behavior()
    ours = _exec(_with(WRITE, PREFIX=str(tmp_path / "ours" / "ck")))["path"]
    code = _with(READ, PATH=ours) + "print(json.dumps(result))\n"
    theirs = json.loads(run_tf(code, v1=False).strip().splitlines()[-1])
    assert theirs[:4] == [[5.0, 6.0], -1.0, 7, 1]
    run_tf(_with(WRITE, PREFIX=str(tmp_path / "theirs" / "ck")), v1=False)
    got = _exec(_with(READ, PATH=str(tmp_path / "theirs" / "ck-1")))["result"]
    assert got == theirs
