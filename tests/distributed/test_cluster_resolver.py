"""tf.distribute.cluster_resolver compared with TF 2.21: TF_CONFIG parsing, simple and
union resolvers, and the cloud resolvers' ImportError without their client libraries."""

from __future__ import annotations

import json

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

CONFIG = {
    "cluster": {"worker": ["a:1", "b:2"], "ps": ["c:3"], "chief": ["d:4"]},
    "task": {"type": "worker", "index": 1},
    "rpc_layer": "grpc",
}

RESOLVERS = f"""
import os
cr = tf.distribute.cluster_resolver
os.environ["TF_CONFIG"] = {json.dumps(json.dumps(CONFIG))}
r = cr.TFConfigClusterResolver()
out = {{"tf_config": [r.cluster_spec().as_dict(), r.task_type, r.task_id, r.master(),
                      r.master("ps", 0), r.rpc_layer, r.environment]}}
s = cr.SimpleClusterResolver(tf.train.ClusterSpec({{"worker": ["x:1"]}}), master="grpc://x:1",
                             task_type="worker", task_id=0)
out["simple"] = [s.cluster_spec().as_dict(), s.master(), s.task_type, s.task_id, s.rpc_layer,
                 s.environment, s.master("worker", 0, rpc_layer="grpc")]
u = cr.UnionResolver(s, r)
out["union"] = [u.cluster_spec().as_dict(), u.master(), u.task_type, u.task_id]
del os.environ["TF_CONFIG"]
r = cr.TFConfigClusterResolver()
out["empty"] = [r.cluster_spec().as_dict(), r.task_type, r.task_id, r.master()]
errors = []
for make in [lambda: cr.ClusterResolver(), lambda: cr.UnionResolver(),
             lambda: cr.UnionResolver(3),
             lambda: cr.GCEClusterResolver("p", "z", "ig", 1234),
             lambda: cr.KubernetesClusterResolver()]:
    try:
        make()
    except Exception as e:
        errors.append([type(e).__name__, str(e)[:40]])
out["errors"] = errors
out["k8s"] = [m.name for m in cr.KubernetesExecutableLocation]
print(json.dumps(out))
"""


@requires_tf
def test_resolvers_match_tf(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", "")  # restored after the test
    monkeypatch.delenv("TF_CONFIG")
    here = run_here_json("import json\n" + RESOLVERS)
    theirs = run_tf_json(RESOLVERS)
    # TF's abstract-class message lists the abstract methods in its own words.
    assert here.pop("errors")[1:] == theirs.pop("errors")[1:]
    assert here == theirs


def test_abstract_resolver_and_parameter_server_cluster(monkeypatch):
    with pytest.raises(TypeError):
        tf.distribute.cluster_resolver.ClusterResolver()
    monkeypatch.setenv("TF_CONFIG", json.dumps(CONFIG))
    # As TF 2.21 (checked by hand: TF's MultiWorkerMirroredStrategy starts a server).
    s = tf.distribute.experimental.ParameterServerStrategy()
    assert s.extended.parameter_devices == ("/job:ps/task:0",)
    assert s.extended.worker_devices == ("/job:worker/replica:0/task:1/device:CPU:0",)
    with s.scope():
        v = tf.Variable(1.0, name="v")
    assert (v.device, v.op.type) == ("/job:ps/task:0", "VarHandleOp")
    m = tf.distribute.experimental.MultiWorkerMirroredStrategy()
    assert m.num_replicas_in_sync == 3
    assert m.extended.worker_devices == ("/job:worker/replica:0/task:1/device:CPU:0",)
    with pytest.raises(NotImplementedError, match="cross-worker collective"):
        m.reduce("SUM", tf.constant(1.0))


SLURM = """
import os
cr = tf.distribute.cluster_resolver
out = {}
for k in list(os.environ):
    if k.startswith("SLURM_"):
        del os.environ[k]
try:
    cr.SlurmClusterResolver()
except RuntimeError as e:
    out["no_slurm"] = str(e)
os.environ.update(SLURM_PROCID="2", SLURM_STEP_NUM_TASKS="4",
                  SLURM_STEP_NODELIST="node[1-2]", SLURM_STEP_TASKS_PER_NODE="2(x2)")
r = cr.SlurmClusterResolver(jobs={"ps": 1, "worker": 3}, port_base=9000, gpus_per_node=4,
                            gpus_per_task=1, auto_set_gpu=False)
out["jobs"] = [r.cluster_spec().as_dict(), r.get_task_info(), r.master(), r.master("ps", 0),
               r.num_accelerators()]
r = cr.SlurmClusterResolver(gpus_per_node=4, gpus_per_task=1, auto_set_gpu=False,
                            tasks_per_node={"b": 1, "a": 3})
out["workers"] = [r.cluster_spec().as_dict(), r.task_type, r.task_id]
try:
    cr.SlurmClusterResolver(jobs={"worker": 5}, gpus_per_node=2, gpus_per_task=1)
except RuntimeError as e:
    out["too_many"] = str(e)
print(json.dumps(out))
"""


@requires_tf
def test_slurm_resolver_matches_tf(monkeypatch):
    for key in (
        "SLURM_PROCID",
        "SLURM_STEP_NUM_TASKS",
        "SLURM_STEP_NODELIST",
        "SLURM_STEP_TASKS_PER_NODE",
    ):
        monkeypatch.setenv(key, "")  # restored (removed) after the test
        monkeypatch.delenv(key)
    assert run_here_json("import json\n" + SLURM) == run_tf_json(SLURM)


def test_slurm_host_lists():
    from tfgraph.distributed.cluster_resolver import expand_hostlist, expand_tasks_per_node

    assert expand_hostlist("n[1-2],m5,o[08-10,3]") == ["n1", "n2", "m5", "o08", "o09", "o10", "o3"]
    assert expand_tasks_per_node("3(x2),1") == [3, 3, 1]
