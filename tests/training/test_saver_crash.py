"""A process killed (SIGKILL) at random points while saving in a loop leaves the
previous checkpoint and the `checkpoint` state file readable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

# Saves variables all equal to the step, forever, continuing from the latest checkpoint.
_SAVER_LOOP = r"""
import sys
import numpy as np
import tfgraph as tf

ckpt_dir = sys.argv[1]
names = ["a", "b", "c", "d"]
vs = [tf.Variable(np.zeros(500_000, np.float32), name=n) for n in names]
vs.append(tf.Variable(np.array([b"", b"x" * 1000], dtype=object), name="s"))
step = tf.train.get_or_create_global_step()
value = tf.placeholder(tf.float32, [])
assigns = [tf.assign(v, tf.fill([500_000], value)) for v in vs[:4]]
saver = tf.train.Saver(max_to_keep=3)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
latest = tf.train.latest_checkpoint(ckpt_dir)
n = 0
if latest:
    saver.restore(sess, latest)
    saver.recover_last_checkpoints(list(tf.train.get_checkpoint_state(ckpt_dir).all_model_checkpoint_paths))
    n = int(sess.run(step))
print("ready", flush=True)
while True:
    n += 1
    sess.run(assigns, {value: float(n)})
    sess.run(step.assign(n))
    saver.save(sess, ckpt_dir + "/model", global_step=n)
"""


def _check_directory(ckpt_dir: str) -> int:
    """Asserts the state file and every checkpoint it lists load; returns the step."""
    state = tf.train.get_checkpoint_state(ckpt_dir)
    assert state is not None, os.listdir(ckpt_dir)
    latest = tf.train.latest_checkpoint(ckpt_dir)
    assert latest == state.model_checkpoint_path
    for path in state.all_model_checkpoint_paths:
        reader = tf.train.load_checkpoint(path)
        n = int(path.rsplit("-", 1)[1])
        assert int(reader.get_tensor("global_step")) == n
        for name in "abcd":
            value = reader.get_tensor(name)
            assert value.shape == (500_000,) and np.all(value == n), (path, name)
        reader.close()
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(latest + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, latest)
            step = int(sess.run("global_step:0"))
    assert step == int(latest.rsplit("-", 1)[1])
    return step


@pytest.mark.slow
def test_kill_during_saves_leaves_a_loadable_checkpoint(tmp_path):
    rng = random.Random(1234)
    ckpt_dir = str(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    last_step = 0
    kills = 0
    pids = []
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER_LOOP, ckpt_dir],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            line = proc.stdout.readline()
            assert line.strip() == b"ready", proc.stderr.read().decode()[-2000:]
            time.sleep(rng.uniform(0.05, 0.6))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        kills += 1
        pids.append(proc.pid)
        # Temp files of earlier killed savers are removed by the next saver's first
        # save: what is left belongs to the last process (or the one before, if the
        # last was killed before it began saving).
        temps = [f for f in os.listdir(ckpt_dir) if ".tfgraph-tmp-" in f]
        assert all(any(f".tfgraph-tmp-{p}-" in f for p in pids[-2:]) for f in temps), temps
        if tf.train.get_checkpoint_state(ckpt_dir) is None:
            continue  # killed before its first save finished
        step = _check_directory(ckpt_dir)
        assert step >= last_step
        last_step = step
    assert kills == 6 and last_step > 0
