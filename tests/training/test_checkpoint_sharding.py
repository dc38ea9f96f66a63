"""Sharded object-based checkpoints (tf.train.experimental.ShardingCallback and its
policies) against TF 2.21: the same data files, shard contents and index entries, in
eager and graph mode, and checkpoints read across both ways."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf, run_tf_json
from tfgraph import proto
from tfgraph.io.bundle import BundleReader

_NAMES = ["max40", "max24", "max1000", "task", "custom"]

_PROGRAM = """
import json, os
import numpy as np
d = {directory!r}
v = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="v")
w = tf.Variable(5.0, name="w")
b = tf.Variable(np.arange(10, dtype=np.int64), name="b")
m = tf.Variable(np.arange(12, dtype=np.float32).reshape(2, 3, 2), name="m")

class OnePerTensor(tf.train.experimental.ShardingCallback):
    @property
    def description(self):
        return "one shard per tensor"

    def __call__(self, shardable_tensors):
        return [{{t.checkpoint_key: {{t.slice_spec: t.tensor}}}} for t in shardable_tensors]

P = tf.train.experimental
policies = {{"max40": P.MaxShardSizePolicy(max_shard_size=40), "max24": P.MaxShardSizePolicy(24),
            "max1000": P.MaxShardSizePolicy(1000),
            "task": P.ShardByTaskPolicy(), "custom": OnePerTensor()}}
model = tf.Module()
model.m = m

def run():
    paths = {{}}
    for name, policy in policies.items():
        # (a new Checkpoint per policy: TF's graph mode reuses a Checkpoint's first save
        # op, sharded by the first callback, for all its later writes)
        ck = tf.train.Checkpoint(v=v, w=w, b=b, model=model)
        opts = tf.train.CheckpointOptions(experimental_sharding_callback=policy)
        paths[name] = ck.write(os.path.join(d, name), options=opts)
    return paths

if tf.executing_eagerly():
    paths = run()
else:
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        paths = run()
print(json.dumps(paths))
"""


def _layout(prefix: str) -> dict:
    """The data files of checkpoint `prefix` and every index entry."""
    directory, base = os.path.split(prefix)
    files = sorted(f for f in os.listdir(directory) if f.startswith(base + "."))
    reader = BundleReader(prefix)
    entries = []
    for key, raw in reader._table.items():
        if not key:
            continue
        e = proto.BundleEntryProto()
        e.ParseFromString(raw)
        slices = [[(x.start, x.length) for x in s.extent] for s in e.slices]
        shape = [d.size for d in e.shape.dim]
        entries.append((key, e.dtype, e.shard_id, e.offset, e.size, shape, slices))
    return {"files": files, "num_shards": reader.header.num_shards, "entries": entries}


@pytest.fixture(params=["eager", "graph"])
def mode(request):
    if request.param == "eager":
        tf.enable_eager_execution()
        yield request.param
        tf.disable_eager_execution()
    else:
        with tf.Graph().as_default():
            yield request.param


def _write_both(tmp_path, mode):
    ours, theirs = tmp_path / "ours", tmp_path / "tf"
    ours.mkdir()
    theirs.mkdir()
    here = run_here_json(_PROGRAM.format(directory=str(ours)))
    there = json.loads(
        run_tf(_PROGRAM.format(directory=str(theirs)), v1=mode == "graph").strip().splitlines()[-1]
    )
    return here, there


@pytest.mark.tf
@requires_tf
def test_shard_files_and_index_match_tf(tmp_path, mode):
    here, there = _write_both(tmp_path, mode)
    assert sorted(here) == sorted(there) == sorted(_NAMES)
    for name in _NAMES:
        assert _layout(here[name]) == _layout(there[name]), name
    assert _layout(here["max40"])["num_shards"] > 1
    assert _layout(here["task"])["num_shards"] == 1


_TF_READ = """
import json
import numpy as np
out = {{}}
for name, path in {paths!r}.items():
    v = tf.Variable(np.zeros((4, 3), np.float32)); w = tf.Variable(0.0)
    b = tf.Variable(np.zeros(10, np.int64)); m = tf.Variable(np.zeros((2, 3, 2), np.float32))
    ck = tf.train.Checkpoint(v=v, w=w, b=b, model=tf.Module())
    ck.model.m = m
    ck.read(path).assert_consumed()
    out[name] = [x.numpy().tolist() for x in (v, w, b, m)]
print(json.dumps(out))
"""

_EXPECTED = [
    np.arange(12, dtype=np.float32).reshape(4, 3).tolist(),
    5.0,
    list(range(10)),
    np.arange(12, dtype=np.float32).reshape(2, 3, 2).tolist(),
]


@pytest.mark.tf
@requires_tf
def test_sharded_checkpoints_cross_read(tmp_path):
    tf.enable_eager_execution()
    try:
        here, there = _write_both(tmp_path, "eager")
        # TF reads what tfgraph wrote
        read = run_tf_json(_TF_READ.format(paths=here), v1=False)
        assert read == {name: _EXPECTED for name in _NAMES}
        # tfgraph reads what TF wrote
        ours = json.loads(json.dumps(read))
        for name, path in there.items():
            ours[name] = json.loads(
                json.dumps(run_here_json(_TF_READ.format(paths={name: path}))[name])
            )
        assert ours == {name: _EXPECTED for name in _NAMES}
    finally:
        tf.disable_eager_execution()


def test_graph_mode_restore_of_sharded_checkpoint(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3))
        ck = tf.train.Checkpoint(v=v)
        opts = tf.train.CheckpointOptions(
            experimental_sharding_callback=tf.train.experimental.MaxShardSizePolicy(12)
        )
        with tf.Session() as sess:
            sess.run(v.initializer)
            path = ck.save(str(tmp_path / "ck"), options=opts)
            assert tf.train.latest_checkpoint(str(tmp_path)) == path
            assert len([f for f in os.listdir(tmp_path) if ".data-" in f]) == 5
            sess.run(v.assign(tf.zeros([4, 3])))
            ck.restore(path).run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(v), np.arange(12).reshape(4, 3))
            reader = tf.train.load_checkpoint(path)
            assert reader.get_variable_to_shape_map()["v/.ATTRIBUTES/VARIABLE_VALUE"] == [4, 3]


_CLASSES = """
import json
E = tf.train.experimental
out = {}
p = E.MaxShardSizePolicy(max_shard_size=100)
out["max"] = [p.description, p.max_shard_size, hash(p) == hash(E.MaxShardSizePolicy(100)),
              hash(p) == hash(E.MaxShardSizePolicy(7))]
out["task"] = E.ShardByTaskPolicy().description
for cls in (E.ShardingCallback, E.ShardableTensor):
    try:
        cls()
        out[cls.__name__] = None
    except TypeError as e:
        out[cls.__name__] = ["TypeError", "abstract" in str(e) or "missing" in str(e)]
class NoCall(E.ShardingCallback):
    @property
    def description(self):
        return "x"
try:
    NoCall()
except TypeError as e:
    out["no_call"] = ["TypeError", "__call__" in str(e)]
for bad in (3, "policy", lambda tensors: tensors):
    try:
        tf.train.CheckpointOptions(experimental_sharding_callback=bad)
    except ValueError as e:
        out.setdefault("bad", []).append("must be of type ShardingCallback" in str(e))
o = tf.train.CheckpointOptions(experimental_sharding_callback=p)
out["kept"] = o.experimental_sharding_callback is p
out["mro"] = issubclass(E.MaxShardSizePolicy, E.ShardingCallback)
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_classes_and_validation_match_tf():
    here = run_here_json(_CLASSES)
    assert here == run_tf_json(_CLASSES)
    assert here["bad"] == [True, True, True] and here["no_call"] == ["TypeError", True]


def test_max_shard_size_too_small_for_any_slice_is_an_error(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros((4, 3), np.float32))
        opts = tf.train.CheckpointOptions(
            experimental_sharding_callback=tf.train.experimental.MaxShardSizePolicy(2)
        )
        with tf.Session() as sess:
            sess.run(v.initializer)
            with pytest.raises(ValueError, match="larger max_shard_size"):
                tf.train.Checkpoint(v=v).write(str(tmp_path / "ck"), options=opts)


def test_shardable_tensor_fields_given_to_callbacks(tmp_path):
    seen = []

    class Spy(tf.train.experimental.ShardByTaskPolicy):
        def __call__(self, shardable_tensors):
            seen.extend(shardable_tensors)
            return super().__call__(shardable_tensors)

    tf.enable_eager_execution()
    try:
        v = tf.Variable([[1.0, 2.0]])
        ck = tf.train.Checkpoint(v=v)
        opts = tf.train.CheckpointOptions(experimental_sharding_callback=Spy())
        ck.write(str(tmp_path / "ck"), options=opts)
        text = repr(seen[0])
    finally:
        tf.disable_eager_execution()
    keys = [t.checkpoint_key for t in seen]
    assert keys == ["v/.ATTRIBUTES/VARIABLE_VALUE", "_CHECKPOINTABLE_OBJECT_GRAPH"]
    t = seen[0]
    assert (t.slice_spec, t.name, t.dtype, t.shape.as_list()) == ("", keys[0], tf.float32, [1, 2])
    assert t.device.task == 0 and t.trackable is v and seen[1].trackable is None
    np.testing.assert_array_equal(t.tensor.numpy(), [[1.0, 2.0]])
    assert "checkpoint_key='v/.ATTRIBUTES/VARIABLE_VALUE'" in text


_STRINGS = """
import json
import numpy as np
s = tf.Variable([b"ab", b"cdef", b"g"])
w = tf.Variable(np.float64(2.5))
i = tf.Variable(np.arange(3, dtype=np.int32))
ck = tf.train.Checkpoint(s=s, w=w, i=i)
policy = tf.train.experimental.MaxShardSizePolicy(6)
p = ck.write({prefix!r}, options=tf.train.CheckpointOptions(experimental_sharding_callback=policy))
print(json.dumps(p))
"""


@pytest.mark.tf
@requires_tf
def test_strings_are_sized_by_bytes_and_big_scalars_get_own_shard(tmp_path):
    """Strings are cut by their lengths; a scalar above max_shard_size (w, 8 bytes)
    goes alone in the last shard."""
    tf.enable_eager_execution()
    try:
        here = run_here_json(_STRINGS.format(prefix=str(tmp_path / "ours")))
    finally:
        tf.disable_eager_execution()
    there = run_tf_json(_STRINGS.format(prefix=str(tmp_path / "tf")), v1=False)
    ours, theirs = _layout(here), _layout(there)
    assert ours["entries"] == theirs["entries"] and ours["num_shards"] == 7
    w_entry = [e for e in ours["entries"] if e[0] == b"w/.ATTRIBUTES/VARIABLE_VALUE"]
    assert w_entry[0][2] == 6
    reader = tf.train.load_checkpoint(there)
    assert reader.get_tensor("s/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [b"ab", b"cdef", b"g"]
