"""tf.config.experimental.enable_op_determinism: as in TF, random ops made without any
seed raise RuntimeError from then on (for good, so each side runs in a fresh process);
seeded ones build and run, and a training step gives the same bits run after run. (TF
has the switch in its TF2 namespace only; tfgraph's one `tf.config` has it for both.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.tfrun import REPO_ROOT, requires_tf, run_tf_json

PROGRAM = """
import json
import numpy as np
{enable}
out = {{}}
try:
    tf.random_normal([2])
    out["unseeded"] = "built"
except RuntimeError as e:
    out["unseeded"] = str(e)
a = tf.random_normal([2], seed=3)
tf.set_random_seed(1)
b = tf.random_uniform([2])
x = tf.constant(np.random.RandomState(0).rand(128, 784).astype(np.float32))
w = tf.Variable(np.random.RandomState(1).randn(784, 256).astype(np.float32) * 0.05)
loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
train = tf.train.GradientDescentOptimizer(1e-5).minimize(loss)
runs = []
with tf.Session() as sess:
    sess.run([a, b])
    for _ in range(2):
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        runs.append(sess.run(w).tobytes().hex())
out["same_bits"] = runs[0] == runs[1]
print(json.dumps(out))
"""


def _ours() -> dict:
    program = PROGRAM.format(enable="tf.config.experimental.enable_op_determinism()")
    proc = subprocess.run(
        [sys.executable, "-c", "import tfgraph as tf\n" + program],
        capture_output=True,
        text=True,
        cwd=str(REPO_ROOT),
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_unseeded_random_ops_raise_and_steps_repeat_their_bits():
    out = _ours()
    assert out["unseeded"].startswith("Random ops require a seed to be set when determinism")
    assert out["same_bits"]


@pytest.mark.tf
@requires_tf
def test_as_tensorflow():
    enable = "import tensorflow as tf2\ntf2.config.experimental.enable_op_determinism()"
    assert _ours() == run_tf_json(PROGRAM.format(enable=enable))
