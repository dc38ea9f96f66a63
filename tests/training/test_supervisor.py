"""tf.train.Supervisor basics: managed_session initializes or restores, runs the queue
runners and standard services, and ends cleanly when the input runs out."""

from __future__ import annotations

import json
import os
import re

import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import _JSONABLE_SRC, run_here
from tests.tfrun import requires_tf, run_tf_json

SUPERVISOR_PROGRAM = """
import os
d = DIRECTORY
gs = tf.train.get_or_create_global_step()
q = tf.train.range_input_producer(10, num_epochs=2, shuffle=False)
x = tf.cast(q.dequeue(), tf.float32)
w = tf.Variable(0.0, name="w")
loss = tf.square(w - x)
tf.summary.scalar("w", w)
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs)
sv = tf.train.Supervisor(logdir=d, save_model_secs=600, save_summaries_secs=600)
steps = 0
with sv.managed_session() as sess:
    while not sv.should_stop():
        sess.run(train)
        steps += 1
result = {"steps": steps, "files": sorted(f for f in os.listdir(d) if not f.startswith("events")),
          "finalized": tf.get_default_graph().finalized,
          "latest": os.path.basename(tf.train.latest_checkpoint(d) or "")}
"""


def _program(path):
    return SUPERVISOR_PROGRAM.replace("DIRECTORY", repr(str(path)))


@pytest.mark.tf
@requires_tf
def test_supervisor_matches_tf(tmp_path):
    here = run_here(_program(tmp_path / "ours"))
    theirs = run_tf_json(
        _JSONABLE_SRC + _program(tmp_path / "theirs") + "\nprint(json.dumps(_jsonable(result)))"
    )

    # The chief's checkpoint thread saves when it first gets to run: at step 0 or a few
    # steps in, in TF as here (a race in TF itself), so the step in names is left out.
    def steps_left_out(result):
        return json.loads(re.sub(r"model\.ckpt-\d+", "model.ckpt-N", json.dumps(result)))

    assert steps_left_out(here) == steps_left_out(theirs)


def test_supervisor_managed_session(tmp_path):
    r = run_here(_program(tmp_path))
    assert r["steps"] == 20  # two epochs of 10, then OutOfRangeError ends the block
    assert r["latest"] == "model.ckpt-0"  # (saved when the services started)
    assert "graph.pbtxt" in r["files"]
    events = [f for f in os.listdir(tmp_path) if f.startswith("events.")]
    assert events
    # a second supervisor restores the checkpoint instead of initializing. (The values
    # are the ones the checkpoint thread read when it saved: it names the file by the
    # global step it read first, and training may go on before it reads the variables,
    # in TF as here, so they are read from the file.)
    saved = tf.train.load_checkpoint(str(tmp_path / "model.ckpt-0"))
    with tf.Graph().as_default():
        gs = tf.train.get_or_create_global_step()
        tf.Variable(5.0, name="w")
        sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0, save_summaries_secs=0)
        with sv.managed_session() as sess:
            assert sess.run(gs) == saved.get_tensor("global_step")
            assert sess.run("w:0") == saved.get_tensor("w")  # not the initial 5.0
    assert saved.get_tensor("w") != 5.0


def test_supervisor_reports_errors_from_the_block():
    tf.Variable(1.0)
    sv = tf.train.Supervisor(logdir=None)
    with pytest.raises(ValueError, match="boom"):
        with sv.managed_session():
            raise ValueError("boom")
