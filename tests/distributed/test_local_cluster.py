"""tf.test.create_local_cluster: worker and ps servers of one cluster in this process,
whose targets serve sessions sharing the ps's variables. (TF 2.21's version needs the
`portpicker` package, which its test environment lacks; the contract is its docstring:
jobs "worker" and "ps" on localhost ports, servers started, `(workers, ps_servers)`.)"""

from __future__ import annotations

import json

PROGRAM = """
import json
import tfgraph as tf

workers, ps = tf.test.create_local_cluster(num_workers=2, num_ps=1)
with tf.device("/job:ps/task:0"):
    v = tf.Variable(1.0, name="v")
with tf.device("/job:worker/task:1"):
    bump = tf.assign_add(v, tf.constant(2.0) * 3.0)
with tf.Session(workers[0].target) as s0:
    s0.run(v.initializer)
    s0.run(bump)
with tf.Session(workers[1].target) as s1:
    seen = s1.run(v)
print(json.dumps({
    "counts": [len(workers), len(ps)],
    "jobs": [[s.server_def.job_name, s.server_def.task_index] for s in workers + ps],
    "targets": [s.target.startswith("grpc://localhost:") for s in workers + ps],
    "cluster": {k: len(v) for k, v in tf.train.ClusterSpec(workers[0].server_def.cluster)
                .as_dict().items()},
    "value": float(seen),
}))
"""


def test_workers_and_ps_share_variables(launch, tmp_path):
    script = tmp_path / "cluster.py"
    script.write_text(PROGRAM)
    out = launch(script).finish(timeout=300)
    got = json.loads(out.strip().splitlines()[-1])
    assert got["counts"] == [2, 1]
    assert got["jobs"] == [["worker", 0], ["worker", 1], ["ps", 0]]
    assert all(got["targets"])
    assert got["cluster"] == {"ps": 1, "worker": 2}
    assert got["value"] == 7.0
