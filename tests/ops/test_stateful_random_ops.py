"""The stateful random ops over an RNG-state resource variable, against TF 2.21: values
bit for bit, how far each op moves the counter (TF's Skip arithmetic included), and the
errors for bad algorithms and bad state variables."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph.ops import stateful_random_ops as srs

PROGRAM = """
import json
tf.enable_resource_variables()
if hasattr(tf, "raw_ops"):
    from tensorflow.python.ops import gen_stateful_random_ops as g
else:
    from tfgraph.ops import stateful_random_ops as g
v = tf.Variable(np.array([-5, 7, 99], np.int64), name="s")
h = v.handle
draws = [
    g.stateful_uniform(h, np.int64(1), shape=[5]),
    g.stateful_uniform(h, np.int64(3), shape=[3], dtype=tf.float64),
    g.stateful_uniform_full_int(h, np.int64(1), shape=[3], dtype=tf.uint32),
    g.stateful_uniform_full_int(h, np.int64(1), shape=[3], dtype=tf.int64),
    g.stateful_uniform_int(h, np.int64(1), shape=[6], minval=np.int64(-3), maxval=np.int64(10)),
    g.stateful_standard_normal_v2(h, np.int64(1), shape=[2, 3]),
    g.stateful_truncated_normal(h, np.int64(1), shape=[5], dtype=tf.float64),
]
skips = [
    g.rng_read_and_skip(h, alg=1, delta=np.uint64(2**63 + 3)),
    g.rng_read_and_skip(h, alg=3, delta=np.uint64(1)),
]
rng_skip = [g.rng_skip(h, algorithm=np.int64(1), delta=np.int64(10)),
            g.rng_skip(h, algorithm=np.int64(1), delta=np.int64(-1))]
nd = g.non_deterministic_ints(shape=[3])
out = {"ops": [(t.op.type, t.dtype.name, t.shape.as_list()) for t in draws + skips + [nd]]}
R = lambda t: sess.run(t).tolist()
with tf.Session() as sess:
    sess.run(v.initializer)
    out["draws"] = []
    for t in draws:
        out["draws"].append([R(t), R(v)])
    sess.run(v.initializer)
    out["skips"] = [[R(t), R(v)] for t in skips]
    out["rng_skip"] = []
    for op in rng_skip:
        sess.run(op)
        out["rng_skip"].append(R(v))
    out["nd"] = [len(R(nd)), sess.run(nd).dtype.name]
print(json.dumps(out))
"""

ERRORS = """
import json
tf.enable_resource_variables()
if hasattr(tf, "raw_ops"):
    from tensorflow.python.ops import gen_stateful_random_ops as g
else:
    from tfgraph.ops import stateful_random_ops as g
v = tf.Variable(np.array([1, 2, 3], np.int64), name="v")
w = tf.Variable(np.array([1, 2], np.int64), name="w")
x = tf.Variable(np.array([1, 2, 3], np.int32), name="x")
z = tf.Variable(np.array([1, 2, 3], np.int64), name="z")
cases = {
    "threefry": g.rng_read_and_skip(v.handle, alg=2, delta=np.uint64(1)),
    "alg7": g.rng_read_and_skip(v.handle, alg=7, delta=np.uint64(1)),
    "threefry_uniform": g.stateful_uniform(v.handle, np.int64(2), shape=[2]),
    "short": g.rng_read_and_skip(w.handle, alg=1, delta=np.uint64(1)),
    "int32": g.rng_read_and_skip(x.handle, alg=1, delta=np.uint64(1)),
    "short_uniform": g.stateful_uniform(w.handle, np.int64(1), shape=[2]),
    "uninitialized": g.rng_read_and_skip(z.handle, alg=1, delta=np.uint64(1)),
    "bounds": g.stateful_uniform_int(v.handle, np.int64(1), shape=[2], minval=5, maxval=5),
}
out = {}
with tf.Session() as sess:
    sess.run([v.initializer, w.initializer, x.initializer])
    for key, t in cases.items():
        try:
            sess.run(t)
            out[key] = None
        except tf.errors.OpError as e:
            out[key] = [type(e).__name__, e.message]
print(json.dumps(out))
"""


def _ours(program: str) -> dict:
    printed: list = []
    with tf.Graph().as_default():
        exec(program, {"tf": tf, "np": np, "json": json, "print": printed.append})
    return json.loads(printed[-1])


@pytest.mark.tf
@requires_tf
def test_values_and_counter_moves_are_tfs():
    ours, theirs = _ours(PROGRAM), run_tf_json(PROGRAM)
    assert ours == theirs


@pytest.mark.tf
@requires_tf
def test_errors_are_tfs():
    ours, theirs = _ours(ERRORS), run_tf_json(ERRORS)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] is not None and theirs[key] is not None, key
        assert ours[key][0] == theirs[key][0], key
        assert ours[key][1].split("\n")[0] in theirs[key][1], key


def test_skip_adds_in_32_bit_words():
    # (a carry out of the second word is lost when the step's high word is all ones)
    assert srs.philox_skip(3579, 8, (2**64 - 256)) == (3323, 8)
    assert srs.philox_skip(2**64 - 5, 7, 768) == (763, 8)
    assert srs.philox_skip(2**64 - 1, 2**64 - 1, 1) == (0, 0)


def test_draws_need_no_gradient():
    v = tf.Variable(np.array([1, 2, 3], np.int64), use_resource=True)
    x = srs.stateful_uniform(v.handle, 1, [2])
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(x, [v.handle])
