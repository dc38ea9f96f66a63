"""Object-based checkpoints (`tf.train.Checkpoint`) in graph mode, and interchange with TF."""

import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

_TF_MODULES = """
class A(tf.Module):
    def __init__(self):
        super().__init__()
        self.v0 = tf.Variable(1.0)
        self.vs = [tf.Variable(float(x)) for x in range(2)]
        self.d = {"b": tf.Variable(5.0), "a": (tf.Variable([6.0, 7.0]),)}

class B(tf.Module):
    def __init__(self):
        super().__init__()
        self.m = A()
        self.v = tf.Variable([10.0, 2.0])
"""
exec(_TF_MODULES)  # the same classes in tfgraph

_KEYS = [
    "_CHECKPOINTABLE_OBJECT_GRAPH",
    "extra/.ATTRIBUTES/VARIABLE_VALUE",
    "model/m/d/a/0/.ATTRIBUTES/VARIABLE_VALUE",
    "model/m/d/b/.ATTRIBUTES/VARIABLE_VALUE",
    "model/m/v0/.ATTRIBUTES/VARIABLE_VALUE",
    "model/m/vs/0/.ATTRIBUTES/VARIABLE_VALUE",
    "model/m/vs/1/.ATTRIBUTES/VARIABLE_VALUE",
    "model/v/.ATTRIBUTES/VARIABLE_VALUE",
    "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
]


def _values(m, extra, sess):
    flat = [m.m.v0, m.m.vs[0], m.m.vs[1], m.m.d["b"], m.m.d["a"][0], m.v, extra]
    return [np.asarray(x).tolist() for x in sess.run(flat)]


def _build():
    with tf.Graph().as_default() as g:
        m = B()  # noqa: F821
        extra = tf.Variable(3, dtype=tf.int64)
        ckpt = tf.train.Checkpoint(model=m, extra=extra)
    return g, m, extra, ckpt


def test_save_keys_counter_and_state_file(tmp_path):
    g, m, extra, ckpt = _build()
    with tf.Session(graph=g) as sess:
        sess.run(tf.variables_initializer(m.variables + (extra,)))
        p1 = ckpt.save(str(tmp_path / "x"), session=sess)
        p2 = ckpt.save(str(tmp_path / "x"), session=sess)
    assert p1.endswith("x-1") and p2.endswith("x-2")
    assert sorted(tf.train.NewCheckpointReader(p2).get_variable_to_shape_map()) == _KEYS
    assert tf.train.latest_checkpoint(str(tmp_path)) == p2
    assert 'model_checkpoint_path: "x-2"' in (tmp_path / "checkpoint").read_text()


def test_restore_roundtrip_and_assert_consumed(tmp_path):
    g, m, extra, ckpt = _build()
    with tf.Session(graph=g) as sess:
        sess.run(tf.variables_initializer(m.variables + (extra,)))
        before = _values(m, extra, sess)
        path = ckpt.save(str(tmp_path / "x"), session=sess)
        with g.as_default():
            sess.run([m.v.assign([0.0, 0.0]), m.m.vs[1].assign(9.0)])
            status = ckpt.restore(path)
        status.run_restore_ops(sess)
        status.assert_consumed()
        assert _values(m, extra, sess) == before
        assert sess.run(ckpt.save_counter) == 1


def test_assert_consumed_fails_on_missing_and_unmatched(tmp_path):
    g, m, extra, ckpt = _build()
    with tf.Session(graph=g) as sess:
        sess.run(tf.variables_initializer(m.variables + (extra,)))
        path = ckpt.write(str(tmp_path / "w"), session=sess)
    with tf.Graph().as_default():
        m2 = B()  # noqa: F821
        m2.new = tf.Variable(1.0)
        status = tf.train.Checkpoint(model=m2).restore(path)
        with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
            status.assert_consumed()
        with pytest.raises(AssertionError, match="not bound to checkpointed values"):
            status.assert_existing_objects_matched()
        status.expect_partial()


def test_initialize_or_restore_initializes_unmatched(tmp_path):
    g, m, extra, ckpt = _build()
    with tf.Session(graph=g) as sess:
        sess.run(tf.variables_initializer(m.variables + (extra,)))
        sess.run(m.v.assign([4.0, 4.0]))
        path = ckpt.write(str(tmp_path / "w"), session=sess)
    with tf.Graph().as_default() as g2:
        m2 = B()  # noqa: F821
        m2.new = tf.Variable(8.0)
        status = tf.train.Checkpoint(model=m2).restore(path)
        with tf.Session(graph=g2) as sess:
            status.initialize_or_restore(sess)
            assert sess.run(m2.v).tolist() == [4.0, 4.0]
            assert sess.run(m2.new) == 8.0


def test_non_trackable_argument_is_value_error():
    with pytest.raises(ValueError, match="was expecting model to be a trackable object"):
        tf.train.Checkpoint(model=3)


@pytest.mark.tf
@requires_tf
def test_tf_writes_tfgraph_restores(tmp_path):
    out = run_tf(
        "tf.enable_v2_behavior()\nimport tensorflow as tf, json\n"
        + _TF_MODULES
        + "m = B(); extra = tf.Variable(3, dtype=tf.int64)\n"
        "m.v.assign([7.0, 8.0]); m.m.d['a'][0].assign([1.5, 2.5]); extra.assign(11)\n"
        f"c = tf.train.Checkpoint(model=m, extra=extra); c.save({str(tmp_path / 'c')!r})\n"
        "p = c.save(" + repr(str(tmp_path / "c")) + ")\n"
        "flat = [m.m.v0, m.m.vs[0], m.m.vs[1], m.m.d['b'], m.m.d['a'][0], m.v, extra]\n"
        "print(json.dumps([p, [v.numpy().tolist() for v in flat]]))\n"
    )
    path, expected = json.loads(out.strip().splitlines()[-1])
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    g, m, extra, ckpt = _build()
    with tf.Session(graph=g) as sess:
        with g.as_default():
            status = ckpt.restore(path)
        status.run_restore_ops(sess)
        status.assert_consumed()
        assert _values(m, extra, sess) == expected
        assert sess.run(ckpt.save_counter) == 2


@pytest.mark.tf
@requires_tf
def test_tfgraph_writes_tf_restores(tmp_path):
    g, m, extra, ckpt = _build()
    with tf.Session(graph=g) as sess:
        sess.run(tf.variables_initializer(m.variables + (extra,)))
        with g.as_default():
            sess.run([m.v.assign([7.0, 8.0]), m.m.d["a"][0].assign([1.5, 2.5]), extra.assign(11)])
        ckpt.save(str(tmp_path / "c"), session=sess)
        path = ckpt.save(str(tmp_path / "c"), session=sess)
        expected = _values(m, extra, sess)
    out = run_tf(
        "tf.enable_v2_behavior()\nimport tensorflow as tf, json\n"
        + _TF_MODULES
        + "m = B(); extra = tf.Variable(0, dtype=tf.int64)\n"
        "c = tf.train.Checkpoint(model=m, extra=extra)\n"
        f"p = tf.train.latest_checkpoint({str(tmp_path)!r})\n"
        "c.restore(p).assert_consumed()\n"
        "flat = [m.m.v0, m.m.vs[0], m.m.vs[1], m.m.d['b'], m.m.d['a'][0], m.v, extra]\n"
        "print(json.dumps([p, int(c.save_counter.numpy()), [v.numpy().tolist() for v in flat]]))\n"
    )
    p, counter, values = json.loads(out.strip().splitlines()[-1])
    assert p == path and counter == 2 and values == expected


def _manager_run(directory):
    with tf.Graph().as_default() as g:
        v = tf.Variable(1.0)
        ckpt = tf.train.Checkpoint(v=v)
        with tf.Session(graph=g) as sess:
            sess.run(v.initializer)
            manager = tf.train.CheckpointManager(ckpt, directory, max_to_keep=2)
            saved = [manager.save() for _ in range(3)]
            saved.append(manager.save(checkpoint_number=10))
            return saved, manager.checkpoints, manager.latest_checkpoint


def test_checkpoint_manager_keeps_newest(tmp_path):
    d = str(tmp_path)
    saved, kept, latest = _manager_run(d)
    assert [s[len(d) + 1 :] for s in saved] == ["ckpt-1", "ckpt-2", "ckpt-3", "ckpt-10"]
    assert [k[len(d) + 1 :] for k in kept] == ["ckpt-3", "ckpt-10"]
    assert latest == tf.train.latest_checkpoint(d) == saved[-1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".index")) == [
        "ckpt-10.index",
        "ckpt-3.index",
    ]
    with tf.Graph().as_default():
        again = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(0.0)), d, 2)
        assert again.checkpoints == kept


def test_checkpoint_manager_max_to_keep_validation(tmp_path):
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`"):
        tf.train.CheckpointManager(tf.train.Checkpoint(), str(tmp_path), max_to_keep=0)


@pytest.mark.tf
@requires_tf
def test_checkpoint_manager_state_file_read_by_tf(tmp_path):
    _manager_run(str(tmp_path))
    out = run_tf(
        "tf.enable_v2_behavior()\nimport tensorflow as tf, json\n"
        "c = tf.train.Checkpoint(v=tf.Variable(0.0))\n"
        f"m = tf.train.CheckpointManager(c, {str(tmp_path)!r}, max_to_keep=2)\n"
        "c.restore(m.latest_checkpoint).assert_consumed()\n"
        "print(json.dumps([m.checkpoints, int(c.save_counter.numpy()), float(c.v.numpy())]))\n"
    )
    kept, counter, value = json.loads(out.strip().splitlines()[-1])
    assert [os.path.basename(k) for k in kept] == ["ckpt-3", "ckpt-10"]
    assert counter == 4 and value == 1.0
