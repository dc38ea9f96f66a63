"""`tf.train.SyncReplicasOptimizer`: the graph is TF's op for op, and two worker
processes train synchronously through a ps (each update averages their gradients)."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

import tfgraph as tf
from tests.distributed.conftest import free_port
from tests.tfrun import requires_tf, run_tf_json

GRAPH = """
step = tf.train.get_or_create_global_step()
w = tf.Variable([1.0, 2.0], name="w")
loss = tf.reduce_sum(w * w)
opt = tf.train.SyncReplicasOptimizer(
    tf.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=2, total_num_replicas=2)
train = opt.minimize(loss, global_step=step)
hook = opt.make_session_run_hook(True)
out = {
    "ops": [[o.name, o.type] for o in tf.get_default_graph().get_operations()],
    "train": train.name,
    "locals": [v.name for v in tf.local_variables()],
    "globals": [v.name for v in tf.global_variables()],
    "names": [opt.chief_init_op.name, opt.local_step_init_op.name,
              opt.ready_for_local_init_op.name, opt.get_init_tokens_op().name],
}
"""


def _ours() -> dict:
    scope = {"tf": tf}
    with tf.Graph().as_default():
        exec(GRAPH, scope)
    return scope["out"]


def test_graph_has_accumulators_tokens_and_a_local_step():
    out = _ours()
    types = dict(map(tuple, out["ops"]))
    assert types["sync_replicas/conditional_accumulator"] == "ResourceConditionalAccumulator"
    assert types["sync_token_q"] == "FIFOQueueV2"
    assert out["locals"] == ["sync_rep_local_step:0"]
    assert out["train"] == "Assign_1:0"


@pytest.mark.tf
@requires_tf
def test_graph_matches_tensorflow():
    assert _ours() == run_tf_json(GRAPH + "\nprint(json.dumps(out))")


WORKER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tfgraph as tf

    role, index, hosts = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    cluster = tf.train.ClusterSpec({"ps": hosts[:1], "worker": hosts[1:]})
    server = tf.train.Server(cluster, job_name=role, task_index=index)
    if role == "ps":
        server.join()
    device = f"/job:worker/task:{index}"
    with tf.device(tf.train.replica_device_setter(worker_device=device, cluster=cluster)):
        step = tf.train.get_or_create_global_step()
        w = tf.Variable([1.0, 2.0], name="w")
        loss = tf.reduce_sum(w * w)
        opt = tf.train.SyncReplicasOptimizer(
            tf.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=2,
            total_num_replicas=2)
        train = opt.minimize(loss, global_step=step)
    hooks = [opt.make_session_run_hook(index == 0), tf.train.StopAtStepHook(last_step=10)]
    config = tf.ConfigProto(device_filters=["/job:ps", device])
    with tf.train.MonitoredTrainingSession(master=server.target, is_chief=index == 0,
                                           hooks=hooks, config=config,
                                           stop_grace_period_secs=5) as sess:
        while not sess.should_stop():
            sess.run(train)
    with tf.Session(server.target, config=config) as sess:
        final = sess.run([w, step])
    print(json.dumps({"w": final[0].tolist(), "step": int(final[1])}), flush=True)
    """
)


def test_two_workers_train_synchronously(launch, tmp_path):
    script = tmp_path / "sync.py"
    script.write_text(WORKER)
    hosts = ",".join(f"localhost:{free_port()}" for _ in range(3))
    launch(script, "ps", "0", hosts)
    chief_task, _other = (launch(script, "worker", str(i), hosts) for i in (0, 1))
    # (the other worker may be left waiting for a token once the chief stops, as on TF:
    # the fixture ends it)
    chief = json.loads(chief_task.finish().strip().splitlines()[-1])
    # Both workers' gradients are equal here, so each update is one GD step of the mean
    # gradient: w <- 0.8 w, ten times, whichever worker's gradients each step took.
    assert chief["step"] == 10
    np.testing.assert_allclose(chief["w"], np.array([1.0, 2.0]) * 0.8**10, rtol=1e-5)


SPARSE = """
step = tf.train.get_or_create_global_step()
emb = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="emb")
loss = tf.reduce_sum(tf.gather(emb, [2, 0, 2]) ** 2)
opt = tf.train.SyncReplicasOptimizer(
    tf.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=1, total_num_replicas=1)
train = opt.minimize(loss, global_step=step)
sync = opt.get_chief_queue_runner().enqueue_ops[0]
tokens = opt.get_init_tokens_op(num_tokens=1)
out = {"ops": [[o.name, o.type] for o in tf.get_default_graph().get_operations()]}
with tf.Session() as sess:
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    sess.run(opt.chief_init_op)
    sess.run(tokens)
    wait = tf.RunOptions(timeout_in_ms=10000)
    for _ in range(2):
        sess.run(opt.local_step_init_op)  # (this replica's step: the global one)
        sess.run(train, options=wait)
        sess.run(sync, options=wait)
    out["emb"] = sess.run(emb).tolist()
    out["step"] = int(sess.run(step))
"""


def _sparse_ours() -> dict:
    scope = {"tf": tf}
    with tf.Graph().as_default():
        exec(SPARSE, scope)
    return scope["out"]


def test_sparse_gradients_go_through_a_sparse_accumulator():
    out = _sparse_ours()
    types = dict(map(tuple, out["ops"]))
    assert types["sync_replicas/sparse_conditional_accumulator"] == "SparseConditionalAccumulator"
    assert out["step"] == 2
    # (row 2 is gathered twice: 5 - 0.1 * 2 * (2 * 5) = 3, then 3 - 0.1 * 2 * (2 * 3) = 1.8)
    np.testing.assert_allclose(out["emb"], [[0.64, 1.28], [3.0, 4.0], [1.8, 2.16]], rtol=1e-6)


@pytest.mark.tf
@requires_tf
def test_sparse_matches_tensorflow():
    assert _sparse_ours() == run_tf_json(SPARSE + "\nprint(json.dumps(out))")
