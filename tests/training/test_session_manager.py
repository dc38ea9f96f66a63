"""tf.train.SessionManager and basic_train_loop against TF: prepare (initialize or
restore), recover, wait for a ready model, and their errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = r"""
import os, tempfile
d = tempfile.mkdtemp()
result = {}
with tf.Graph().as_default():
    v = tf.Variable([1.0, 2.0], name="v")
    step = tf.Variable(0, name="step", trainable=False)
    bump = tf.assign_add(v, [10.0, 10.0])
    loc = tf.Variable(5.0, name="loc", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    saver = tf.train.Saver([v, step])
    sm = tf.train.SessionManager(
        ready_op=tf.report_uninitialized_variables(),
        local_init_op=tf.local_variables_initializer(),
        ready_for_local_init_op=tf.report_uninitialized_variables(tf.global_variables()))
    sess, restored = sm.recover_session("", saver=saver, checkpoint_dir=d)
    result["recover_empty"] = restored
    sess = sm.prepare_session("", init_op=tf.global_variables_initializer(), saver=saver,
                              checkpoint_dir=d)
    sess.run(bump)
    result["first"] = sess.run([v, loc]).__repr__()
    saver.save(sess, os.path.join(d, "model"), global_step=3)
    sess2 = sm.prepare_session("", init_op=tf.global_variables_initializer(), saver=saver,
                               checkpoint_dir=d)
    result["restored"] = sess2.run(v).tolist()
    sess3, ok = sm.recover_session("", saver=saver, checkpoint_dir=d)
    result["recovered"] = [ok, sess3.run(v).tolist(), float(sess3.run(loc))]
    sess5 = sm.prepare_session("", init_op=tf.global_variables_initializer(), saver=saver,
                               checkpoint_filename_with_path=os.path.join(d, "model-3"))
    result["by_path"] = sess5.run(v).tolist()
    errors = []
    for bad in (
        lambda: tf.train.SessionManager(ready_for_local_init_op=tf.no_op()),
        lambda: tf.train.SessionManager(ready_op=tf.report_uninitialized_variables())
            .prepare_session(""),
        lambda: tf.train.SessionManager(ready_op=tf.report_uninitialized_variables())
            .prepare_session("", init_op=tf.no_op()),
        lambda: sm.prepare_session("", saver=saver, checkpoint_dir=d,
                                   checkpoint_filename_with_path="x"),
    ):
        try:
            bad()
            errors.append(None)
        except (ValueError, RuntimeError) as e:
            errors.append([type(e).__name__, str(e)[:40]])
    result["errors"] = errors
    with tf.Graph().as_default():
        tf.constant(1.0)
        ready = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables())
        result["wait_ready"] = ready.wait_for_session("", max_wait_secs=5) is not None
    with tf.Graph().as_default():
        v2 = tf.Variable(1.0, name="v2")
        fresh = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables(),
                                        recovery_wait_secs=0.01)
        try:
            fresh.wait_for_session("", max_wait_secs=0.02)
            result["timeout"] = None
        except tf.errors.DeadlineExceededError as e:
            result["timeout"] = type(e).__name__
with tf.Graph().as_default():
    counter = tf.Variable(0, name="counter")
    inc = tf.assign_add(counter, 1)
    sv = tf.train.Supervisor(logdir=None)
    seen = []
    def step_fn(sess, k):
        seen.append(int(sess.run(inc)) * k)
        if len(seen) == 3:
            sv.request_stop()
    tf.train.basic_train_loop(sv, step_fn, args=[2])
    result["loop"] = seen
"""


@pytest.mark.tf
@requires_tf
def test_session_manager_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_session_manager():
    r = run_here(PROGRAM)
    assert r["recover_empty"] is False
    assert r["restored"] == [11.0, 12.0] and r["recovered"] == [True, [11.0, 12.0], 5.0]
    assert r["by_path"] == [11.0, 12.0] and r["timeout"] == "DeadlineExceededError"
    assert r["loop"] == [2, 4, 6]
