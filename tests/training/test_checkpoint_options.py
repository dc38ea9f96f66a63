"""tf.train.CheckpointOptions against TF 2.21: its fields, its checks, and write callbacks
run by tf.train.Checkpoint and CheckpointManager saves."""

from __future__ import annotations

import pytest

from tests import tfrun

_PROGRAM = """
import json, os, tempfile, warnings
out = {}
o = tf.train.CheckpointOptions()
out["defaults"] = [o.experimental_io_device, o.experimental_enable_async_checkpoint,
                   o.experimental_write_callbacks, o.enable_async,
                   o.experimental_skip_slot_variables, o.experimental_sharding_callback]
with warnings.catch_warnings(record=True):
    warnings.simplefilter("ignore")
    o = tf.train.CheckpointOptions(experimental_enable_async_checkpoint=True,
                                   experimental_io_device="/job:localhost")
out["async"] = [o.enable_async, o.experimental_enable_async_checkpoint,
                o.experimental_io_device]
try:
    tf.train.CheckpointOptions(experimental_sharding_callback=1)
except ValueError as e:
    out["sharding"] = "must be of type ShardingCallback" in str(e)
try:
    tf.train.CheckpointOptions(experimental_write_callbacks=[lambda a, b: 0])
except AssertionError:
    out["two_args"] = "AssertionError"
d = tempfile.mkdtemp()
v = tf.Variable(1.0, name="v")
ckpt = tf.train.Checkpoint(v=v)
calls = []
opts = tf.train.CheckpointOptions(
    experimental_write_callbacks=[lambda: calls.append("no-arg"),
                                  lambda path: calls.append(os.path.basename(path))])
manager = tf.train.CheckpointManager(ckpt, d, max_to_keep=2)
with tf.Session() as sess:
    sess.run(v.initializer)
    manager.save(options=opts)
    ckpt.save(os.path.join(d, "direct"), sess, opts)
    ckpt.write(os.path.join(d, "written"), session=sess, options=opts)
    ckpt.save(os.path.join(d, "plain"), sess)
    try:
        ckpt.write(os.path.join(d, "bad"), session=sess, options="x")
    except AttributeError:
        out["bad_options"] = "AttributeError"
out["calls"] = calls
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_matches_tf():
    assert tfrun.run_here_json(_PROGRAM) == tfrun.run_tf_json(_PROGRAM)
