"""A sharded Saver on a two-ps cluster (one data file per ps, a checkpoint real TF
reads), and MonitoredTrainingSession with `master=server.target`: the chief
initialises and checkpoints, another worker waits for it and joins."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.distributed.conftest import free_port
from tests.tfrun import requires_tf, run_tf

SHARDED = textwrap.dedent(
    """
    import json, os, sys
    import tfgraph as tf

    role, hosts, ckpt_dir = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    cluster = tf.train.ClusterSpec({"ps": hosts[:2], "worker": hosts[2:]})
    if role.startswith("ps"):
        tf.train.Server(cluster, job_name="ps", task_index=int(role[2:])).join()
    server = tf.train.Server(cluster, job_name="worker", task_index=0)
    with tf.device(tf.train.replica_device_setter(cluster=cluster)):
        a = tf.Variable([1.0, 2.0], name="a")
        b = tf.Variable([[3.0]], name="b")
        c = tf.Variable(5, name="c")
        saver = tf.train.Saver(sharded=True)
    with tf.Session(server.target) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign_add(a, [10.0, 10.0]))
        path = saver.save(sess, os.path.join(ckpt_dir, "model"))
        sess.run(tf.assign(a, [0.0, 0.0]))
        saver.restore(sess, path)
        restored = sess.run(a).tolist()
    files = sorted(os.listdir(ckpt_dir))
    devices = [v.device for v in (a, b, c)]
    print(json.dumps({"devices": devices, "files": files, "restored": restored}))
    """
)


def test_a_sharded_saver_writes_one_file_per_ps(launch, tmp_path):
    script = tmp_path / "sharded.py"
    script.write_text(SHARDED)
    hosts = ",".join(f"localhost:{free_port()}" for _ in range(3))
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    launch(script, "ps0", hosts, str(ckpt))
    launch(script, "ps1", hosts, str(ckpt))
    out = json.loads(launch(script, "worker", hosts, str(ckpt)).finish().strip().splitlines()[-1])
    assert out["devices"] == ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]
    assert out["files"] == [
        "checkpoint",
        "model.data-00000-of-00002",
        "model.data-00001-of-00002",
        "model.index",
        "model.meta",
    ]
    assert out["restored"] == [11.0, 12.0]


@pytest.mark.tf
@requires_tf
def test_tensorflow_reads_the_sharded_checkpoint(launch, tmp_path):
    script = tmp_path / "sharded.py"
    script.write_text(SHARDED)
    hosts = ",".join(f"localhost:{free_port()}" for _ in range(3))
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    launch(script, "ps0", hosts, str(ckpt))
    launch(script, "ps1", hosts, str(ckpt))
    launch(script, "worker", hosts, str(ckpt)).finish()
    out = run_tf(
        f"r = tf.train.NewCheckpointReader({str(ckpt / 'model')!r})\n"
        "print(json.dumps({k: r.get_tensor(k).tolist() "
        "for k in sorted(r.get_variable_to_shape_map())}))"
    )
    assert json.loads(out.strip().splitlines()[-1]) == {"a": [11.0, 12.0], "b": [[3.0]], "c": 5}


MONITORED = textwrap.dedent(
    """
    import json, sys, time
    import tfgraph as tf

    role, index, hosts, ckpt_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    hosts = hosts.split(",")
    last_step = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    cluster = tf.train.ClusterSpec({"ps": hosts[:1], "worker": hosts[1:]})
    server = tf.train.Server(cluster, job_name=role, task_index=index)
    if role == "ps":
        server.join()
    with tf.device(tf.train.replica_device_setter(worker_device=f"/job:worker/task:{index}",
                                                  cluster=cluster)):
        step = tf.train.get_or_create_global_step()
        w = tf.Variable(0.0, name="w")
        train = tf.group(tf.assign_add(w, 1.0), tf.assign_add(step, 1))
    hooks = [tf.train.StopAtStepHook(last_step=last_step)]
    seen = []
    first = None
    with tf.train.MonitoredTrainingSession(
        master=server.target, is_chief=(index == 0),
        checkpoint_dir=ckpt_dir if index == 0 else None,
        hooks=hooks, save_checkpoint_steps=5,
        config=tf.ConfigProto(device_filters=["/job:ps", f"/job:worker/task:{index}"]),
    ) as sess:
        while not sess.should_stop():
            if first is None:
                first = int(sess.run(step))
                if sess.should_stop():
                    break
            sess.run(train)
            seen.append(1)
            time.sleep(0.01)
    print(json.dumps({"task": index, "steps": len(seen), "first": first}), flush=True)
    """
)


def test_monitored_training_session_on_a_cluster(launch, tmp_path):
    script = tmp_path / "monitored.py"
    script.write_text(MONITORED)
    hosts = ",".join(f"localhost:{free_port()}" for _ in range(3))
    ckpt = tmp_path / "train"
    launch(script, "ps", "0", hosts, str(ckpt))
    other = launch(script, "worker", "1", hosts, str(ckpt))  # (waits for the chief)
    chief = launch(script, "worker", "0", hosts, str(ckpt))
    results = [json.loads(t.finish().strip().splitlines()[-1]) for t in (chief, other)]
    # Together they trained the shared step to 20 (the other worker waited for the chief
    # to initialise, and may have joined late: it can have few or no steps)
    assert sum(r["steps"] for r in results) >= 20
    assert results[0]["steps"] >= 1
    assert any(p.name.startswith("model.ckpt-") for p in ckpt.iterdir())


def test_a_restarted_cluster_resumes_from_the_chiefs_checkpoint(launch, tmp_path):
    script = tmp_path / "monitored.py"
    script.write_text(MONITORED)
    ckpt = tmp_path / "train"
    hosts = ",".join(f"localhost:{free_port()}" for _ in range(3))
    ps = launch(script, "ps", "0", hosts, str(ckpt))
    first = json.loads(
        launch(script, "worker", "0", hosts, str(ckpt), "20").finish().splitlines()[-1]
    )
    assert (first["first"], first["steps"]) == (0, 20)
    ps.kill()  # (the whole cluster goes: the ps's variables with it)
    hosts = ",".join(f"localhost:{free_port()}" for _ in range(3))
    launch(script, "ps", "0", hosts, str(ckpt))
    again = json.loads(
        launch(script, "worker", "0", hosts, str(ckpt), "30").finish().splitlines()[-1]
    )
    assert (again["first"], again["steps"]) == (20, 10)  # (restored at step 20)
