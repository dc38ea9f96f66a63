"""make_saveable_from_iterator against real TF: a Saver saves an iterator's position
with the variables and restores it (elements after a restore as TF gives them), TF's
checkpoint key and graph ops; tfgraph's own state content (see ops/iterator_state_ops)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.data_api.common import run_both

CASES = {
    "initializable_shuffled": """
        import os
        ds = tf.data.Dataset.range(10).shuffle(5, seed=1).batch(2)
        it = tf.data.make_initializable_iterator(ds)
        nx = it.get_next()
        sv = tf.data.experimental.make_saveable_from_iterator(it)
        tf.add_to_collection(tf.GraphKeys.SAVEABLE_OBJECTS, sv)
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
        kinds = ("SerializeIterator", "DeserializeIterator", "SaveV2", "RestoreV2")
        g = tf.get_default_graph()
        out = [sv.name, [s.name for s in sv.specs], str(sv.specs[0].tensor.shape)]
        out.append([[op.name, op.type, [t.name for t in op.inputs]]
                    for op in g.get_operations() if op.type in kinds])
        with tf.Session() as sess:
            sess.run([it.initializer, v.initializer])
            out.append([sess.run(nx) for _ in range(2)])
            path = saver.save(sess, os.path.join(tmp, "m"))
            out.append([sess.run(nx) for _ in range(2)])
            sess.run(v.assign(5.0))
            saver.restore(sess, path)
            out.append([sess.run(nx) for _ in range(2)] + [sess.run(v)])
        with tf.Session() as sess:  # a new session: initialize, then restore
            sess.run(it.initializer)
            saver.restore(sess, path)
            out.append(drain(sess, nx))
        out.append([name for name, _ in tf.train.list_variables(path)])
    """,
    "one_shot_map_repeat": """
        import os
        ds = tf.data.Dataset.range(4).map(lambda x: x * 3).repeat(2)
        it = tf.data.make_one_shot_iterator(ds)
        nx = it.get_next()
        saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
        with tf.Session() as sess:
            out = [[sess.run(nx) for _ in range(5)]]
            path = saver.save(sess, os.path.join(tmp, "m"))
            out.append(drain(sess, nx))
            saver.restore(sess, path)
            out.append(drain(sess, nx))
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_tf(name, tmp_path):
    mine, theirs = run_both(CASES[name], tmp_path)
    assert mine == theirs


def test_state_is_tfgraphs_own(tmp_path):
    """The saved value: one VariantTensorDataProto naming tfgraph's state (TF's own
    content is its C++ kernels' state); restoring needs an initialized iterator."""
    from tfgraph.io.bundle import BundleReader

    with tf.Graph().as_default():
        it = tf.data.make_initializable_iterator(tf.data.Dataset.range(5))
        nx = it.get_next()
        saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="initializer"):
                saver.save(sess, str(tmp_path / "m"))
            sess.run(it.initializer)
            for _ in range(3):
                sess.run(nx)
            path = saver.save(sess, str(tmp_path / "m"))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="initializer"):
                saver.restore(sess, path)
    (state,) = BundleReader(path).read("IteratorV2:0_STATE")
    assert state.type_name == "tfgraph::IteratorState"
    assert list(state.tensors[0].int64_val) == [3]


def test_external_state_policy():
    with tf.Graph().as_default():
        it = tf.data.make_one_shot_iterator(tf.data.Dataset.range(2))
        policy = tf.data.experimental.ExternalStatePolicy.IGNORE
        sv = tf.data.experimental.make_saveable_from_iterator(it, policy)
        assert sv.specs[0].tensor.op.get_attr("external_state_policy") == 1
        with pytest.raises(ValueError, match="ExternalStatePolicy"):
            tf.data.experimental.make_saveable_from_iterator(it, "bogus")
