"""ParameterServerStrategy on tfgraph's Ray runtime: a local cluster in one process, its
addresses in TF_CONFIG; the strategy's variables live on the ps and a worker session
trains them."""

from __future__ import annotations

import json

PROGRAM = """
import json, os
import tfgraph as tf

workers, ps = tf.test.create_local_cluster(num_workers=1, num_ps=1)
cluster = tf.train.ClusterSpec(workers[0].server_def.cluster).as_dict()
os.environ["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}})
s = tf.distribute.experimental.ParameterServerStrategy()
with s.scope():
    v = tf.Variable([1.0, 2.0], name="v")
    opt = tf.train.GradientDescentOptimizer(0.1)
    def step():
        loss = tf.reduce_sum(v * v)
        return opt.minimize(loss), loss
    train_op, loss = s.run(step)
with tf.Session(workers[0].target) as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(2):
        sess.run(train_op)
    value = sess.run(v).tolist()
print(json.dumps({"device": v.device, "value": value}))
"""


def test_parameter_server_strategy_trains_on_the_ps(launch, tmp_path):
    script = tmp_path / "ps_strategy.py"
    script.write_text(PROGRAM)
    out = launch(script).finish(timeout=300)
    got = json.loads(out.strip().splitlines()[-1])
    assert got["device"] == "/job:ps/task:0"
    assert [round(x, 5) for x in got["value"]] == [0.64, 1.28]
