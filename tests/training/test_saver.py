"""tf.train.Saver: the graph it builds, saving, restoring, bookkeeping and errors."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import GOLDEN, requires_tf, run_tf_json
from tfgraph import errors
from tfgraph.io import bundle


def _vw():
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    return v, w


def _session():
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess


def _summary(graph, prefix="save"):
    return [
        (o.name, o.type, [i.name for i in o.inputs], [c.name for c in o.control_inputs], o.device)
        for o in graph.get_operations()
        if o.name.startswith(prefix)
    ]


def test_saver_graph_matches_tensorflow():
    _vw()
    saver = tf.train.Saver()
    sd = saver.as_saver_def()
    assert sd.filename_tensor_name == "save/Const:0"
    assert sd.save_tensor_name == "save/control_dependency:0"
    assert sd.restore_op_name == "save/restore_all"
    assert sd.max_to_keep == 5 and sd.keep_checkpoint_every_n_hours == 10000
    assert sd.version == tf.train.SaverDef.V2 and not sd.sharded
    cpu = "/device:CPU:0"
    assert _summary(tf.get_default_graph()) == [
        ("save/filename/input", "Const", [], [], ""),
        ("save/filename", "PlaceholderWithDefault", ["save/filename/input:0"], [], ""),
        ("save/Const", "PlaceholderWithDefault", ["save/filename:0"], [], ""),
        ("save/SaveV2/tensor_names", "Const", [], [], ""),
        ("save/SaveV2/shape_and_slices", "Const", [], [], ""),
        (
            "save/SaveV2",
            "SaveV2",
            [
                "save/Const:0",
                "save/SaveV2/tensor_names:0",
                "save/SaveV2/shape_and_slices:0",
                "v:0",
                "w:0",
            ],
            [],
            "",
        ),
        ("save/control_dependency", "Identity", ["save/Const:0"], ["save/SaveV2"], ""),
        ("save/RestoreV2/tensor_names", "Const", [], [], cpu),
        ("save/RestoreV2/shape_and_slices", "Const", [], [], cpu),
        (
            "save/RestoreV2",
            "RestoreV2",
            ["save/Const:0", "save/RestoreV2/tensor_names:0", "save/RestoreV2/shape_and_slices:0"],
            [],
            cpu,
        ),
        ("save/Assign", "Assign", ["v:0", "save/RestoreV2:0"], [], ""),
        ("save/Assign_1", "Assign", ["w:0", "save/RestoreV2:1"], [], ""),
        ("save/restore_all", "NoOp", [], ["save/Assign", "save/Assign_1"], ""),
    ]
    g = tf.get_default_graph()
    assert g.get_operation_by_name("save/Assign").get_attr("_class") == [b"loc:@v"]
    assert g.get_operation_by_name("save/control_dependency").get_attr("_class") == [
        b"loc:@save/Const"
    ]
    names = g.get_operation_by_name("save/SaveV2/tensor_names").get_attr("value")
    assert list(names.string_val) == [b"v", b"w"]
    # A second saver gets its own scope.
    assert tf.train.Saver().saver_def.restore_op_name == "save_1/restore_all"


def test_save_writes_bundle_state_and_meta(tmp_path):
    _vw()
    saver = tf.train.Saver()
    sess = _session()
    path = saver.save(sess, str(tmp_path / "model"), global_step=7)
    assert path == str(tmp_path / "model-7")
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint",
        "model-7.data-00000-of-00001",
        "model-7.index",
        "model-7.meta",
    ]
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    with bundle.BundleReader(path) as r:
        np.testing.assert_array_equal(r.read("v"), [1.0, 2.0])
        assert r.shape("w") == [2, 3]


def test_bundle_is_byte_identical_to_tensorflows(tmp_path):
    _vw()
    saver = tf.train.Saver()
    path = saver.save(_session(), str(tmp_path / "model"), write_meta_graph=False)
    golden = GOLDEN / "tf_min" / "ckpt" / "model"
    for suffix in (".index", ".data-00000-of-00001"):
        assert (tmp_path / ("model" + suffix)).read_bytes() == golden.with_name(
            "model" + suffix
        ).read_bytes()
    assert path == str(tmp_path / "model")


def test_restore_round_trip_every_dtype(tmp_path):
    values = {
        "f16": np.float16([1, -2.5, 65504]),
        "f32": np.float32([1.5]),
        "f64": np.float64([[1.5, -2.25]]),
        "i8": np.int8([-1, 7]),
        "i16": np.int16([-300]),
        "i32": np.int32(5),
        "i64": np.int64([2**40, -1]),
        "u8": np.uint8([1, 255]),
        "u16": np.uint16([65535]),
        "u32": np.uint32([2**32 - 1]),
        "u64": np.uint64([2**64 - 1]),
        "b": np.array([True, False]),
        "c64": np.complex64([1 + 2j]),
        "c128": np.complex128([[1 - 2j, 3j]]),
        "s": np.array([b"a\x00b", b"", b"\xff" * 200], dtype=object),
        "s0": np.array(b"\x00\xff", dtype=object),
        "empty": np.zeros([0, 3], np.float32),
        "scalar": np.float32(3.0),
    }
    variables = {k: tf.Variable(v, name=k) for k, v in values.items()}
    variables["bf"] = tf.Variable(tf.constant([1.0, -2.5, 3.0], dtype=tf.bfloat16), name="bf")
    saver = tf.train.Saver()
    sess = _session()
    before = sess.run(variables)
    path = saver.save(sess, str(tmp_path / "m"))
    fresh = tf.Session()
    saver.restore(fresh, path)
    after = fresh.run(variables)
    for k, a in before.items():
        b = after[k]
        assert np.asarray(a).dtype == np.asarray(b).dtype, k
        assert np.shape(a) == np.shape(b), k
        if np.asarray(a).dtype == object:
            assert np.asarray(a).tolist() == np.asarray(b).tolist(), k
        else:
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), k
    assert after["bf"].view(np.uint16).tolist() == [0x3F80, 0xC020, 0x4040]


def test_var_list_as_dict_and_list(tmp_path):
    v, w = _vw()
    sess = _session()
    path = tf.train.Saver({"renamed": v}).save(sess, str(tmp_path / "a"))
    with bundle.BundleReader(path) as r:
        assert r.keys() == ["renamed"]
    path = tf.train.Saver([w]).save(sess, str(tmp_path / "b"))
    with bundle.BundleReader(path) as r:
        assert r.keys() == ["w"]
    # Restore a renamed entry into another variable of the same shape.
    u = tf.Variable([0.0, 0.0], name="u")
    restorer = tf.train.Saver({"renamed": u})
    restorer.restore(sess, str(tmp_path / "a"))
    np.testing.assert_array_equal(sess.run(u), [1.0, 2.0])


def test_global_step_as_tensor_and_padding(tmp_path):
    _vw()
    step = tf.train.get_or_create_global_step()
    assert step.name == "global_step:0" and step.dtype.name == "int64_ref"
    saver = tf.train.Saver(pad_step_number=True)
    sess = _session()
    sess.run(step.assign(42))
    assert saver.save(sess, str(tmp_path / "m"), global_step=step).endswith("m-00000042")
    assert saver.save(sess, str(tmp_path / "m"), global_step="global_step:0").endswith("m-00000042")
    assert tf.train.Saver().save(sess, str(tmp_path / "n"), global_step=np.int64(3)).endswith("n-3")


def test_max_to_keep_deletes_old_checkpoints(tmp_path):
    _vw()
    saver = tf.train.Saver(max_to_keep=2)
    sess = _session()
    paths = [saver.save(sess, str(tmp_path / "m"), global_step=i) for i in range(4)]
    assert saver.last_checkpoints == paths[2:]
    files = sorted(os.listdir(tmp_path))
    assert "m-0.index" not in files and "m-1.meta" not in files
    assert "m-2.index" in files and "m-3.data-00000-of-00001" in files
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == paths[3]
    assert list(state.all_model_checkpoint_paths) == paths[2:]


def test_max_to_keep_zero_keeps_everything(tmp_path):
    _vw()
    saver = tf.train.Saver(max_to_keep=None)
    sess = _session()
    for i in range(3):
        saver.save(sess, str(tmp_path / "m"), global_step=i)
    assert saver.last_checkpoints == []
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 3
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [str(tmp_path / "m-2")]


def test_keep_checkpoint_every_n_hours(tmp_path):
    _vw()
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    sess = _session()
    time.sleep(0.01)
    for i in range(3):
        saver.save(sess, str(tmp_path / "m"), global_step=i)
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 3


def test_last_checkpoints_bookkeeping(tmp_path):
    _vw()
    saver = tf.train.Saver(max_to_keep=3)
    sess = _session()
    a = saver.save(sess, str(tmp_path / "m"), global_step=1)
    saver.set_last_checkpoints([a, "/nonexistent/x"])
    assert saver.last_checkpoints == [a, "/nonexistent/x"]
    with pytest.raises(AssertionError):
        saver.set_last_checkpoints((a,))
    restarted = tf.train.Saver(max_to_keep=3)
    restarted.recover_last_checkpoints([a, str(tmp_path / "gone")])
    assert restarted.last_checkpoints == [a]
    saver.set_last_checkpoints_with_time([(a, 1.0)])
    assert saver.last_checkpoints == [a]


def test_state_file_options(tmp_path):
    _vw()
    saver = tf.train.Saver()
    sess = _session()
    saver.save(sess, str(tmp_path / "m"), latest_filename="latest", write_meta_graph=False)
    assert not (tmp_path / "checkpoint").exists()
    assert not (tmp_path / "m.meta").exists()
    assert tf.train.latest_checkpoint(str(tmp_path), "latest") == str(tmp_path / "m")
    saver.save(sess, str(tmp_path / "n"), write_state=False)
    assert tf.train.latest_checkpoint(str(tmp_path), "latest") == str(tmp_path / "m")
    rel = tf.train.Saver(save_relative_paths=True)
    rel.save(sess, str(tmp_path / "r"), global_step=1)
    text = (tmp_path / "checkpoint").read_text()
    assert 'model_checkpoint_path: "r-1"' in text
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "r-1")


def test_relative_save_path_is_stored_relative(tmp_path, monkeypatch):
    _vw()
    monkeypatch.chdir(tmp_path)
    path = tf.train.Saver().save(_session(), os.path.join("run", "model"), global_step=3)
    assert path == os.path.join("run", "model-3")
    text = (tmp_path / "run" / "checkpoint").read_text()
    assert text.splitlines()[0] == 'model_checkpoint_path: "model-3"'
    assert tf.train.latest_checkpoint("run") == os.path.join("run", "model-3")


def test_filename_argument_is_the_graph_default(tmp_path):
    _vw()
    prefix = str(tmp_path / "baked")
    saver = tf.train.Saver(filename=prefix)
    sess = _session()
    const = tf.get_default_graph().get_operation_by_name("save/filename/input")
    assert const.get_attr("value").string_val == [prefix.encode()]
    assert sess.run(saver.saver_def.save_tensor_name) == prefix.encode()
    assert (tmp_path / "baked.index").exists()


def test_defer_build_and_allow_empty(tmp_path):
    sess = tf.Session()
    empty = tf.train.Saver(allow_empty=True)
    assert empty.save(sess, str(tmp_path / "e")) is None
    assert empty.restore(sess, str(tmp_path / "e")) is None
    assert (tmp_path / "e.meta").exists()
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    v, _ = _vw()
    with pytest.raises(ValueError, match="build cannot be deferred"):
        tf.train.Saver([v], defer_build=True)
    deferred = tf.train.Saver(defer_build=True)
    with pytest.raises(RuntimeError, match="`build\\(\\)` should be called before save"):
        deferred.save(sess, str(tmp_path / "d"))
    deferred.build()
    sess.run(tf.global_variables_initializer())
    assert deferred.save(sess, str(tmp_path / "d")) == str(tmp_path / "d")


def test_reshape_restores_into_another_shape(tmp_path):
    g1 = tf.Graph()
    with g1.as_default():
        tf.Variable(np.arange(6, dtype=np.float32), name="x")
        path = tf.train.Saver().save(_session(), str(tmp_path / "m"))
    with tf.Graph().as_default():
        x = tf.Variable(np.zeros([2, 3], np.float32), name="x")
        strict = tf.train.Saver()
        sess = tf.Session()
        with pytest.raises(errors.InvalidArgumentError, match="Assign requires shapes of both"):
            strict.restore(sess, path)
        loose = tf.train.Saver(reshape=True)
        assert tf.get_default_graph().get_operation_by_name("save_1/Reshape").type == "Reshape"
        loose.restore(sess, path)
        np.testing.assert_array_equal(sess.run(x), np.arange(6).reshape(2, 3))


def test_restore_errors_carry_tensorflow_texts(tmp_path):
    g1 = tf.Graph()
    with g1.as_default():
        _vw()
        path = tf.train.Saver().save(_session(), str(tmp_path / "m"))
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0, 3.0], name="v")
        w2 = tf.Variable([[1.0]], name="w2")
        u = tf.Variable(1, name="u")
        sess = tf.Session()
        with pytest.raises(ValueError, match="Can't load save_path when it is None"):
            tf.train.Saver([v]).restore(sess, None)
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint"):
            tf.train.Saver([v]).restore(sess, str(tmp_path / "nope"))
        with pytest.raises(ValueError, match="Restore called with invalid save path"):
            tf.train.Saver([v]).restore(sess, str(tmp_path / "nope"))
        with pytest.raises(errors.NotFoundError) as e:
            tf.train.Saver([w2]).restore(sess, path)
        assert "Key w2 not found in checkpoint" in str(e.value)
        assert "Restoring from checkpoint failed" in str(e.value)
        with pytest.raises(errors.InvalidArgumentError) as e:
            tf.train.Saver([v]).restore(sess, path)
        assert "Assign requires shapes of both tensors to match. lhs shape= [3] rhs shape= [2]" in (
            str(e.value)
        )
        with pytest.raises(
            errors.InvalidArgumentError, match="expected dtype int32 does not equal"
        ):
            tf.train.Saver({"v": u}).restore(sess, path)


def test_save_errors(tmp_path):
    _v, _ = _vw()
    saver = tf.train.Saver()
    sess = tf.Session()
    with pytest.raises(
        errors.FailedPreconditionError, match="Attempting to use uninitialized value"
    ):
        saver.save(sess, str(tmp_path / "m"))
    sess.run(tf.global_variables_initializer())
    with pytest.raises(ValueError, match="Parent directory of .* doesn't exist, can't save."):
        saver.save(sess, str(tmp_path / "no" / "such" / "model"))
    with pytest.raises(ValueError, match="'latest_filename' collides with 'save_path'"):
        saver.save(sess, str(tmp_path / "checkpoint"))
    with pytest.raises(TypeError, match="'sess' must be a Session"):
        saver.save("not a session", str(tmp_path / "m"))
    with pytest.raises(ValueError, match="'latest_filename' must not contain path components"):
        saver.save(sess, str(tmp_path / "m"), latest_filename="a/b")
    assert not [f for f in os.listdir(tmp_path) if not f.startswith(".")]


def test_var_list_errors():
    v, w = _vw()
    with pytest.raises(ValueError, match="At least two variables have the same name: v"):
        tf.train.Saver([v, v])
    with pytest.raises(ValueError, match="The same saveable will be restored with two names"):
        tf.train.Saver({"a": v, "b": v})
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([v.value()])
    with pytest.raises(TypeError, match="Variables to save should be passed in a dict or a list"):
        tf.train.Saver(v)
    with pytest.raises(TypeError, match="Not a variable"):
        tf.train.Saver({"x": tf.constant(1.0)})
    with pytest.raises(ValueError, match="writes V2 checkpoints only"):
        tf.train.Saver([w], write_version=tf.train.SaverDef.V1)


def test_partitioned_variable_slices(tmp_path):
    parts = []
    for i in range(2):
        p = tf.Variable(np.full([2, 3], i + 1, np.float32), name=f"p/part_{i}")
        p._set_save_slice_info(tf.Variable.SaveSliceInfo("p", [4, 3], [2 * i, 0], [2, 3]))
        parts.append(p)
    saver = tf.train.Saver()
    shapes = tf.get_default_graph().get_operation_by_name("save/SaveV2/shape_and_slices")
    assert list(shapes.get_attr("value").string_val) == [b"4 3 0,2:0,3", b"4 3 2,2:0,3"]
    sess = _session()
    path = saver.save(sess, str(tmp_path / "m"))
    with bundle.BundleReader(path) as r:
        assert r.keys() == ["p"]
        np.testing.assert_array_equal(r.read("p"), [[1] * 3, [1] * 3, [2] * 3, [2] * 3])
    fresh = tf.Session()
    saver.restore(fresh, path)
    np.testing.assert_array_equal(fresh.run(parts[1]), np.full([2, 3], 2.0))


def test_partitioned_bundle_is_byte_identical_to_tensorflows(tmp_path):
    for i in range(2):
        p = tf.Variable(np.ones([2, 3], np.float32), name=f"p/part_{i}")
        p._set_save_slice_info(tf.Variable.SaveSliceInfo("p", [4, 3], [2 * i, 0], [2, 3]))
    tf.train.Saver().save(_session(), str(tmp_path / "model"), write_meta_graph=False)
    for suffix in (".index", ".data-00000-of-00001"):
        golden = GOLDEN / "tf_part" / "ckpt" / ("model" + suffix)
        assert (tmp_path / ("model" + suffix)).read_bytes() == golden.read_bytes()


def test_adam_slot_like_names_and_global_step_round_trip(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    slots = [
        tf.Variable([0.1, 0.2], name="w/Adam", trainable=False),
        tf.Variable([0.3, 0.4], name="w/Adam_1", trainable=False),
        tf.Variable(0.9, name="beta1_power", trainable=False),
        tf.Variable(0.999, name="beta2_power", trainable=False),
    ]
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    sess = _session()
    sess.run(step.assign(11))
    path = saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert path.endswith("m-11")
    fresh = tf.Session()
    saver.restore(fresh, path)
    assert fresh.run([w, *slots, step])[1:] == [
        pytest.approx([0.1, 0.2]),
        pytest.approx([0.3, 0.4]),
        pytest.approx(0.9),
        pytest.approx(0.999),
        11,
    ]


def test_to_proto_from_proto_and_savers_collection():
    _vw()
    with tf.name_scope("outer"):
        saver = tf.train.Saver()
    assert saver.saver_def.restore_op_name == "outer/save/restore_all"
    stripped = saver.to_proto(export_scope="outer")
    assert stripped.restore_op_name == "save/restore_all"
    assert saver.to_proto(export_scope="other") is None
    again = tf.train.Saver.from_proto(stripped, import_scope="outer")
    assert again.saver_def.save_tensor_name == "outer/save/control_dependency:0"
    tf.add_to_collection(tf.GraphKeys.SAVERS, saver)
    meta = saver.export_meta_graph()
    assert len(meta.collection_def["savers"].bytes_list.value) == 1
    assert meta.saver_def == saver.saver_def


def test_export_meta_graph_writes_a_file(tmp_path):
    _vw()
    saver = tf.train.Saver()
    meta = saver.export_meta_graph(str(tmp_path / "g.meta"))
    assert tf.MetaGraphDef.FromString((tmp_path / "g.meta").read_bytes()) == meta
    saver.export_meta_graph(str(tmp_path / "g.pbtxt"), as_text=True)
    assert (tmp_path / "g.pbtxt").read_text().startswith("meta_info_def {")


def test_sharded_saver(tmp_path):
    v, _w = _vw()
    saver = tf.train.Saver(sharded=True)
    sd = saver.saver_def
    assert sd.sharded and sd.save_tensor_name == "save/Identity:0"
    g = tf.get_default_graph()
    assert g.get_operation_by_name("save/Select").device == "/device:CPU:*"
    assert g.get_operation_by_name("save/ShardedFilename").device == "/device:CPU:0"
    assert g.get_operation_by_name("save/MergeV2Checkpoints/checkpoint_prefixes").type == "Pack"
    sess = _session()
    path = saver.save(sess, str(tmp_path / "m"), global_step=1)
    assert path == str(tmp_path / "m-1")
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint",
        "m-1.data-00000-of-00001",
        "m-1.index",
        "m-1.meta",
    ]
    sess.run(v.assign([0.0, 0.0]))
    saver.restore(sess, path)
    np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_name_scope_argument(tmp_path):
    v, _ = _vw()
    saver = tf.train.Saver([v], name="my_saver", restore_sequentially=True)
    assert saver.saver_def.filename_tensor_name == "my_saver/Const:0"
    assert saver.saver_def.restore_op_name == "my_saver/restore_all"
    sess = _session()
    path = saver.save(sess, str(tmp_path / "m"))
    sess.run(v.assign([5.0, 5.0]))
    saver.restore(sess, path)
    np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


_MODES_SCRIPT = """
import os, stat
os.umask(0o027)
d = {d!r}
os.makedirs(d + "/ck", exist_ok=True)
v = tf.Variable(1.0, name="v")
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, d + "/ck/model", global_step=1)
    tf.train.write_graph(sess.graph_def, d, "g.pbtxt")
    w = tf.summary.FileWriter(d + "/ev", sess.graph)
    w.close()
modes = {{}}
for root, _, files in os.walk(d):
    for f in files:
        kind = "event" if "tfevents" in f else f
        modes[kind] = oct(stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode))
print(json.dumps(modes))
"""


def _our_modes(tmp_path):
    """Runs _MODES_SCRIPT with tfgraph in a subprocess (the umask is process-wide)."""
    import json
    import subprocess
    import sys

    from tests.tfrun import REPO_ROOT

    code = "import json\nimport tfgraph as tf\n" + _MODES_SCRIPT.format(d=str(tmp_path / "ours"))
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_written_files_follow_the_umask(tmp_path):
    """Checkpoint, .meta, `checkpoint`, write_graph and event files: 0o666 & ~umask."""
    ours = _our_modes(tmp_path)
    assert set(ours) == {
        "g.pbtxt",
        "event",
        "model-1.index",
        "model-1.data-00000-of-00001",
        "model-1.meta",
        "checkpoint",
    }
    assert set(ours.values()) == {"0o640"}


@pytest.mark.tf
@requires_tf
def test_written_file_modes_match_tf(tmp_path):
    ours = _our_modes(tmp_path)
    theirs = run_tf_json(_MODES_SCRIPT.format(d=str(tmp_path / "tf")))
    assert ours == theirs


def test_stale_checkpoint_state_file(tmp_path):
    """`checkpoint` names a deleted checkpoint. TF 2.21: latest_checkpoint -> None,
    restore(sess, that path) -> ValueError "The passed save_path is not a valid
    checkpoint", NewCheckpointReader -> NotFoundError "Failed to find any matching
    files for ...", restore(sess, None) -> ValueError "Can't load save_path when it is
    None."."""
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "model-5"\nall_model_checkpoint_paths: "model-5"\n'
    )
    stale = str(tmp_path / "model-5")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)).model_checkpoint_path == stale
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint"):
            saver.restore(sess, stale)
        with pytest.raises(ValueError, match="Can't load save_path when it is None"):
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
    with pytest.raises(
        errors.NotFoundError, match=f"Failed to find any matching files for {stale}"
    ):
        tf.train.NewCheckpointReader(stale)
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints"):
        tf.train.load_checkpoint(str(tmp_path))
