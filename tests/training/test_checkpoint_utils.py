"""Checkpoint readers (load_checkpoint, NewCheckpointReader, list/load_variable),
init_from_checkpoint and the checkpoint-management functions, on files written by
tfgraph and by real TensorFlow (golden files)."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tfgraph import errors
from tfgraph.io import bundle


def _save(tmp_path, name="m", step=None, **values):
    with tf.Graph().as_default():
        for k, v in values.items():
            tf.Variable(v, name=k)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, str(tmp_path / name), global_step=step)


# -- readers ----------------------------------------------------------------------------------
def test_reader_on_tensorflows_checkpoint_all_dtypes():
    reader = tf.train.NewCheckpointReader(str(golden("tf", "ckpt") / "model-7"))
    shapes = reader.get_variable_to_shape_map()
    assert shapes["w"] == [2, 3] and shapes["empty"] == [0, 3] and shapes["scalar"] == []
    types = reader.get_variable_to_dtype_map()
    assert types["bf"] == tf.bfloat16 and types["h"] == tf.float16 and types["s"] == tf.string
    assert types["global_step"] == tf.int64 and types["c64"] == tf.complex64
    assert reader.has_tensor("v") and not reader.has_tensor("zz")
    np.testing.assert_array_equal(reader.get_tensor("w"), np.arange(6).reshape(2, 3))
    scalar = reader.get_tensor("scalar")
    assert isinstance(scalar, np.float32) and scalar == 3.0
    assert list(reader.get_tensor("s")) == [b"hello", b"", b"x" * 200]
    assert reader.get_tensor("bf").view(np.uint16).tolist() == [0x3F80, 0xC020, 0x4040]
    assert reader.get_tensor("h").tolist() == [1.0, -2.5, 65504.0]
    assert reader.get_tensor("i64").tolist() == [2**40, -1]
    assert reader.get_tensor("u8").tolist() == [1, 255]
    assert reader.get_tensor("c64").tolist() == [1 + 2j, -3 - 4j]
    assert reader.get_tensor("b").tolist() == [True, False, True]
    assert reader.get_tensor("empty").shape == (0, 3)
    assert reader.debug_string().startswith(b"b (DT_BOOL) [3]\nbf (DT_BFLOAT16) [3]\n")
    assert b"empty (DT_FLOAT) [0,3]\n" in reader.debug_string()
    with pytest.raises(errors.NotFoundError, match="Key zz not found in checkpoint"):
        reader.get_tensor("zz")


def test_multi_block_index_and_unsorted_save_order():
    reader = tf.train.load_checkpoint(str(golden("tf_multi") / "ckpt"))
    shapes = reader.get_variable_to_shape_map()
    assert len(shapes) == 6000
    name = "layer_04321/some/longish/variable/name/kernel"
    np.testing.assert_array_equal(reader.get_tensor(name), [4321.0, 4321.0])
    ordered = tf.train.load_checkpoint(str(golden("tf_order") / "ckpt"))
    assert [k for k, _ in tf.train.list_variables(str(golden("tf_order") / "ckpt"))] == [
        "Mid",
        "alpha",
        "beta/x",
        "zeta",
    ]
    np.testing.assert_array_equal(ordered.get_tensor("beta/x"), [3.0, 3.0, 3.0, 3.0])


def test_partitioned_checkpoint_from_tensorflow():
    prefix = str(golden("tf_part", "ckpt") / "model")
    assert tf.train.list_variables(prefix) == [("p", [4, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "p"), np.ones([4, 3]))


def test_load_checkpoint_directory_and_errors(tmp_path):
    path = _save(tmp_path, step=3, v=np.float32([1, 2]))
    assert tf.train.list_variables(str(tmp_path)) == [("v", [2])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "v:0"), [1.0, 2.0])
    assert tf.train.load_checkpoint(path).has_tensor("v")
    os.mkdir(tmp_path / "empty")
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints"):
        tf.train.load_checkpoint(str(tmp_path / "empty"))
    with pytest.raises(
        errors.NotFoundError,
        match="Unsuccessful TensorSliceReader constructor: Failed to find any matching files",
    ):
        tf.train.NewCheckpointReader(str(tmp_path / "nothing"))
    with pytest.raises(errors.NotFoundError, match="Key zz not found in checkpoint"):
        tf.train.load_variable(path, "zz")


def test_corruption_is_data_loss_naming_the_file(tmp_path):
    path = _save(tmp_path, v=np.float32([1, 2]))
    data = tmp_path / "m.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[0] ^= 1
    data.write_bytes(bytes(raw))
    reader = tf.train.load_checkpoint(path)
    with pytest.raises(errors.DataLossError, match="m.data-00000-of-00001"):
        reader.get_tensor("v")
    index = tmp_path / "m.index"
    raw = bytearray(index.read_bytes())
    raw[-1] ^= 0xFF  # footer magic
    index.write_bytes(bytes(raw))
    with pytest.raises(errors.DataLossError, match="m.index"):
        tf.train.load_checkpoint(path)


def test_restore_through_saver_reports_data_loss(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            path = saver.save(sess, str(tmp_path / "m"))
            data = tmp_path / "m.data-00000-of-00001"
            raw = bytearray(data.read_bytes())
            raw[3] ^= 0x40
            data.write_bytes(bytes(raw))
            with pytest.raises(errors.DataLossError, match="Checksum does not match"):
                saver.restore(sess, path)


# -- init_from_checkpoint -----------------------------------------------------------------------
def test_init_from_checkpoint_variable_name_and_scopes(tmp_path):
    path = _save(
        tmp_path,
        **{"old/a": np.float32([1, 2]), "old/b": np.float32([3]), "top": np.float32([9])},
    )
    with tf.Graph().as_default() as g:
        a = tf.Variable([0.0, 0.0], name="new/a")
        b = tf.Variable([0.0], name="new/b")
        top = tf.Variable([0.0], name="top")
        c = tf.Variable([0.0], name="c")
        tf.train.init_from_checkpoint(str(tmp_path), {"old/": "new/"})
        tf.train.init_from_checkpoint(path, {"top": "top", "old/b": c})
        restore = g.get_operation_by_name("checkpoint_initializer")
        assert restore.type == "RestoreV2" and restore.device == "/device:CPU:0"
        assert a.initial_value.op.type == "RestoreV2"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run([a, b, top, c])
        assert [x.tolist() for x in got] == [[1.0, 2.0], [3.0], [9.0], [3.0]]


def test_init_from_checkpoint_root_scope(tmp_path):
    _save(tmp_path, x=np.float32([5]))
    with tf.Graph().as_default():
        x = tf.Variable([0.0], name="scope/x")
        tf.train.init_from_checkpoint(str(tmp_path), {"/": "scope/"})
        with tf.Session() as sess:
            sess.run(x.initializer)
            assert sess.run(x).tolist() == [5.0]


def test_init_from_checkpoint_errors(tmp_path):
    _save(tmp_path, x=np.float32([5]))
    with tf.Graph().as_default():
        y = tf.Variable([0.0, 0.0], name="y")
        with pytest.raises(ValueError, match="Tensor nope is not found in"):
            tf.train.init_from_checkpoint(str(tmp_path), {"nope": y})
        with pytest.raises(ValueError, match="Shape of variable y:0 .* doesn't match with shape"):
            tf.train.init_from_checkpoint(str(tmp_path), {"x": y})
        with pytest.raises(ValueError, match="should map to scope only"):
            tf.train.init_from_checkpoint(str(tmp_path), {"x": "missing/"})


# -- checkpoint management ----------------------------------------------------------------------
def test_golden_state_file_with_relative_paths(tmp_path):
    run = golden("tf_state", "run")
    state = tf.train.get_checkpoint_state(str(run))
    assert state.model_checkpoint_path == os.path.join(str(run), "model-3")
    assert list(state.all_model_checkpoint_paths) == [
        os.path.join(str(run), "model-2"),
        os.path.join(str(run), "model-3"),
    ]
    assert tf.train.latest_checkpoint(str(run)) == os.path.join(str(run), "model-3")
    assert tf.train.checkpoint_exists(os.path.join(str(run), "model-2"))
    assert not tf.train.checkpoint_exists(os.path.join(str(run), "model-1"))
    mtimes = tf.train.get_checkpoint_mtimes(
        [os.path.join(str(run), "model-2"), os.path.join(str(run), "model-1")]
    )
    assert len(mtimes) == 1


def test_update_and_read_state(tmp_path):
    d = str(tmp_path)
    tf.train.update_checkpoint_state(d, os.path.join(d, "m-2"), [os.path.join(d, "m-1")])
    state = tf.train.get_checkpoint_state(d)
    assert list(state.all_model_checkpoint_paths) == [
        os.path.join(d, "m-1"),
        os.path.join(d, "m-2"),
    ]
    assert tf.train.latest_checkpoint(d) is None  # no such files
    proto = tf.train.generate_checkpoint_state_proto("rel", "rel/m-1", ["rel/m-0"])
    assert proto.model_checkpoint_path == "m-1"
    assert list(proto.all_model_checkpoint_paths) == ["m-0", "m-1"]
    with pytest.raises(ValueError, match="Checkpoint timestamps, if provided, must match"):
        tf.train.generate_checkpoint_state_proto(d, "m", ["m"], all_model_checkpoint_timestamps=[])
    with pytest.raises(RuntimeError, match="conflicts with path used for checkpoint state"):
        tf.train.update_checkpoint_state(d, os.path.join(d, "checkpoint"))
    (tmp_path / "checkpoint").write_text("not: [valid")
    assert tf.train.get_checkpoint_state(d) is None
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "x"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
        tf.train.get_checkpoint_state(d)


def test_remove_checkpoint_and_meta_filename(tmp_path):
    path = _save(tmp_path, step=5, v=np.float32([1]))
    assert tf.train.checkpoint_exists(path)
    tf.train.remove_checkpoint(path)
    assert os.listdir(tmp_path) == ["checkpoint"]
    from tfgraph.training import checkpoint_management as cm

    assert cm.meta_graph_filename("/a/model-7") == "/a/model-7.meta"
    assert cm.meta_graph_filename("/a/model-7-?????-of-00002", "m") == "/a/model-7.m"


def test_checkpoints_iterator_and_wait(tmp_path):
    assert list(tf.train.checkpoints_iterator(str(tmp_path), timeout=0.01)) == []
    path = _save(tmp_path, step=1, v=np.float32([1]))
    it = tf.train.checkpoints_iterator(str(tmp_path), timeout=0.01)
    assert next(it) == path
    from tfgraph.training import checkpoint_utils

    start = time.time()
    assert checkpoint_utils.wait_for_new_checkpoint(str(tmp_path), path, 0.01, timeout=0.05) is None
    assert time.time() - start < 5


def test_v1_checkpoints_are_reported(tmp_path):
    (tmp_path / "old").write_bytes(b"\x00" * 64)
    with pytest.raises(errors.UnimplementedError, match="V1 checkpoint"):
        tf.train.NewCheckpointReader(str(tmp_path / "old"))


def test_readers_on_a_copied_directory(tmp_path):
    src = golden("tf_state", "run")
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    assert tf.train.latest_checkpoint(str(dst)) == str(dst / "model-3")
    with bundle.BundleReader(str(dst / "model-2")) as r:
        assert r.keys() == ["v"]
