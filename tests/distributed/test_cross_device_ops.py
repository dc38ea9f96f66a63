"""tf.distribute.CrossDeviceOps and the collective options, compared with TF 2.21."""

from __future__ import annotations

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
x = tf.distribute.experimental
out = {}
c = x.CommunicationOptions(bytes_per_pack=5, timeout_seconds=3.0,
                           implementation=x.CommunicationImplementation.RING)
out["options"] = [str(c), c.bytes_per_pack, str(x.CollectiveHints(bytes_per_pack=5))]
out["impls"] = [m.name for m in x.CommunicationImplementation]
out["alias"] = x.CollectiveCommunication.RING.value
errors = []
for make in [lambda: x.CommunicationOptions(bytes_per_pack=-1),
             lambda: tf.distribute.NcclAllReduce(num_packs=-1),
             lambda: tf.distribute.HierarchicalCopyAllReduce(num_packs=-1)]:
    try:
        make()
    except ValueError as e:
        errors.append(str(e))
out["errors"] = errors
r = tf.distribute.ReductionToOneDevice()
out["r21"] = [r.reduce_to_device, callable(r.accumulation_fn)]
out["strategies"] = []
for ops in [tf.distribute.ReductionToOneDevice(), tf.distribute.HierarchicalCopyAllReduce(),
            tf.distribute.NcclAllReduce()]:
    s = tf.distribute.MirroredStrategy(cross_device_ops=ops)
    out["strategies"].append([isinstance(ops, tf.distribute.CrossDeviceOps),
                              s.num_replicas_in_sync])
out["methods"] = sorted(m for m in dir(tf.distribute.CrossDeviceOps) if not m.startswith("_"))
print(json.dumps(out))
"""


@requires_tf
def test_cross_device_ops_and_options_match_tf():
    assert run_here_json("import json\n" + PROGRAM) == run_tf_json(PROGRAM)
