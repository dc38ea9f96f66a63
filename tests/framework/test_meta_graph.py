"""MetaGraphDef export/import: collections, scopes, devices, savers, golden TF files."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tfgraph import proto
from tfgraph.framework import meta_graph


def _model():
    v = tf.Variable([1.0, 2.0], name="v")
    n = tf.Variable(3, name="n", trainable=False)
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.add(x, v, name="y")
    return v, n, x, y


def test_export_contents():
    _, _, _, y = _model()
    step = tf.train.get_or_create_global_step()
    tf.add_to_collection("train_op", y.op)
    tf.add_to_collection(tf.GraphKeys.SUMMARIES, y)
    tf.add_to_collection("ints", 3)
    tf.add_to_collection("floats", 1.5)
    tf.add_to_collection("strs", "abc")
    meta = tf.train.export_meta_graph()
    info = meta.meta_info_def
    assert info.tensorflow_version == "2.21.0" and info.tensorflow_git_version.startswith("tfgraph")
    assert [o.name for o in info.stripped_op_list.op] == [
        "AddV2",
        "Assign",
        "Const",
        "Identity",
        "Placeholder",
        "VariableV2",
    ]
    assert meta.graph_def.versions.producer == 2474
    nodes = {n.name: n for n in meta.graph_def.node}
    assert len(nodes["y"].attr["_output_shapes"].list.shape) == 1
    cols = meta.collection_def
    variables = [proto.VariableDef.FromString(b) for b in cols["variables"].bytes_list.value]
    assert [d.variable_name for d in variables] == ["v:0", "n:0", "global_step:0"]
    assert variables[2].aggregation == 3 and not variables[2].trainable
    assert len(cols["trainable_variables"].bytes_list.value) == 1
    assert len(cols["global_step"].bytes_list.value) == 1
    assert list(cols["train_op"].node_list.value) == ["y"]
    assert list(cols["summaries"].node_list.value) == ["y:0"]
    assert list(cols["ints"].int64_list.value) == [3]
    assert list(cols["floats"].float_list.value) == [1.5]
    assert list(cols["strs"].bytes_list.value) == [b"abc"]
    assert step.name == "global_step:0"


def test_ops_without_outputs_have_no_output_shapes():
    tf.no_op(name="nothing")
    meta = tf.train.export_meta_graph()
    assert "_output_shapes" not in meta.graph_def.node[0].attr


def test_unserializable_collections_are_skipped_with_a_warning(caplog):
    _model()
    tf.add_to_collection("bad", object())
    tf.add_to_collection("mixed", 1)
    tf.add_to_collection("mixed", "one")
    with caplog.at_level(logging.WARNING, logger="tfgraph"):
        meta = tf.train.export_meta_graph()
        meta_graph.add_collection_def(meta, ("tuple", "key"))
    assert "bad" not in meta.collection_def and "mixed" not in meta.collection_def
    text = caplog.text
    assert "Issue encountered when serializing bad" in text
    assert "Only collections with string type keys will be serialized" in text


def test_saving_a_dropout_graph_says_nothing(tmp_path, caplog):
    x = tf.placeholder(tf.float32, [None, 3])
    training = tf.placeholder_with_default(False, [])
    y = tf.layers.dropout(x, 0.5, training=training)  # builds a tf.cond
    v = tf.Variable(tf.ones([3]), name="v")
    tf.reduce_sum(y * v)
    assert tf.get_collection(tf.GraphKeys.COND_CONTEXT)
    with tf.Session() as sess, caplog.at_level(logging.DEBUG, logger="tfgraph"):
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "model"))
    assert caplog.text == ""


def test_round_trip_through_a_file(tmp_path):
    _, _, _, y = _model()
    tf.add_to_collection("train_op", y.op)
    tf.add_to_collection("ints", 7)
    tf.add_to_collection("strs", b"\x00\xff")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
    original = [v.to_proto().SerializeToString() for v in tf.global_variables()]
    for fname, as_text in (("m.meta", False), ("m.pbtxt", True)):
        tf.train.export_meta_graph(
            str(tmp_path / fname), as_text=as_text, saver_def=saver.saver_def
        )
        with tf.Graph().as_default() as g:
            restored = tf.train.import_meta_graph(str(tmp_path / fname))
            assert [v.to_proto().SerializeToString() for v in tf.global_variables()] == original
            assert [v.name for v in tf.trainable_variables()] == ["v:0"]
            assert tf.get_collection("train_op") == [g.get_operation_by_name("y")]
            assert tf.get_collection("ints") == [7]
            assert tf.get_collection("strs") == [b"\x00\xff"]
            with tf.Session() as sess:
                restored.restore(sess, path)
                np.testing.assert_array_equal(sess.run("y:0", {"x:0": [1.0, 1.0]}), [2.0, 3.0])


def test_import_scope_and_clear_devices(tmp_path):
    with tf.device("/cpu:0"):
        _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default() as g:
        restored = tf.train.import_meta_graph(
            path + ".meta", import_scope="imp", clear_devices=True
        )
        assert restored.saver_def.restore_op_name == "imp/save/restore_all"
        assert [v.name for v in tf.global_variables()] == ["imp/v:0", "imp/n:0"]
        assert all(op.device == "" for op in g.get_operations())
        with tf.Session() as sess:
            restored.restore(sess, path)
            assert sess.run("imp/n:0") == 3
    with tf.Graph().as_default() as g:
        tf.train.import_meta_graph(path + ".meta")
        assert g.get_operation_by_name("v").device == "/device:CPU:0"


def test_export_scope_and_unbound_inputs():
    outside = tf.placeholder(tf.float32, [2], name="outside")
    with tf.name_scope("tower"):
        v = tf.Variable([1.0, 2.0], name="v")
        tf.add(outside, v, name="sum")
    meta, var_list = meta_graph.export_scoped_meta_graph(export_scope="tower")
    names = [n.name for n in meta.graph_def.node]
    assert "sum" in names and "outside" not in names
    assert list(var_list) == ["v:0"]
    add = next(n for n in meta.graph_def.node if n.name == "sum")
    assert add.input[0] == "$unbound_inputs_outside"
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Graph contains unbound inputs"):
            meta_graph.import_scoped_meta_graph(meta, import_scope="new")
        x = tf.placeholder(tf.float32, [2], name="x")
        meta_graph.import_scoped_meta_graph(
            meta, import_scope="new", input_map={"$unbound_inputs_outside": x}
        )
        assert tf.get_default_graph().get_operation_by_name("new/sum").inputs[0] is x


def test_clear_extraneous_savers():
    _model()
    tf.train.Saver()
    keep = tf.train.Saver()
    meta = keep.export_meta_graph(clear_extraneous_savers=True)
    names = [n.name for n in meta.graph_def.node]
    assert not any(n.startswith("save/") for n in names)
    assert any(n.startswith("save_1/") for n in names)


def test_strip_default_attrs():
    _model()
    meta = tf.train.export_meta_graph(strip_default_attrs=True)
    assert meta.meta_info_def.stripped_default_attrs
    var = next(n for n in meta.graph_def.node if n.name == "v")
    assert "container" not in var.attr and "shape" in var.attr


def test_read_meta_graph_file_errors(tmp_path):
    with pytest.raises(OSError, match="File does not exist"):
        meta_graph.read_meta_graph_file(str(tmp_path / "nope.meta"))
    (tmp_path / "junk.meta").write_bytes(b"\xff\xfe not a proto {")
    with pytest.raises(OSError, match="Cannot parse file"):
        meta_graph.read_meta_graph_file(str(tmp_path / "junk.meta"))


def test_import_meta_graph_without_saver_def():
    _model()
    meta = tf.train.export_meta_graph()
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(meta)
        assert saver is not None and saver.saver_def.restore_op_name == "save/restore_all"
    with tf.Graph().as_default():
        tf.constant(1.0)
        empty = tf.train.export_meta_graph()
    with tf.Graph().as_default():
        assert tf.train.import_meta_graph(empty) is None


def test_name_scope_helpers():
    assert meta_graph.prepend_name_scope("^a/b", "s") == "^s/a/b"
    assert meta_graph.prepend_name_scope("loc:@a", "s/") == "loc:@s/a"
    assert meta_graph.strip_name_scope("^s/a/b", "s") == "^a/b"
    assert meta_graph.strip_name_scope("loc:@s/a", "s") == "loc:@a"
    assert meta_graph.strip_name_scope("a", None) == "a"


# -- golden files written by real TensorFlow ----------------------------------------------------
def _golden_vardefs():
    text = golden("tf", "vardefs.txt").read_text()
    out = {}
    for block in text.strip().split("\n\n"):
        header, _, body = block.partition("\n")
        out[header.split()[1]] = proto.text_format.Parse(body, proto.VariableDef())
    return out


def test_variable_def_parity_with_tensorflow():
    expected = _golden_vardefs()
    v = tf.Variable([1.0, 2.0], name="v")
    untrained = tf.Variable(1, name="untrained", trainable=False)
    step = tf.train.get_or_create_global_step()
    for var in (v, untrained, step):
        assert var.to_proto() == expected[var.name], var.name
        assert var.to_proto().SerializeToString() == expected[var.name].SerializeToString()


def test_golden_min_meta_graph_import_restore_run():
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(str(golden("tf_min", "meta.pb")))
        assert [v.name for v in tf.global_variables()] == ["v:0", "w:0"]
        with tf.Session() as sess:
            saver.restore(sess, str(golden("tf_min", "ckpt")) + "/model")
            v, w = sess.run(["v/read:0", "w/read:0"])
    np.testing.assert_array_equal(v, [1.0, 2.0])
    np.testing.assert_array_equal(w, np.arange(6).reshape(2, 3))


def test_golden_graph_pbtxt_round_trips():
    gd = proto.text_format.Parse(golden("tf_min", "graph.pbtxt").read_text(), proto.GraphDef())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(gd, name="")
        again = g.as_graph_def()
    theirs = {n.name: n for n in gd.node}
    for node in again.node:
        ref = theirs[node.name]
        assert (node.op, list(node.input), node.device) == (ref.op, list(ref.input), ref.device)
        for key, value in node.attr.items():
            assert ref.attr[key] == value, (node.name, key)


def test_golden_full_meta_graph_import_restore_run():
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(str(golden("tf", "meta.meta")))
        assert len(tf.global_variables()) == 18
        assert [t.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)] == ["loss:0"]
        expected = _golden_vardefs()
        for var in tf.global_variables():
            assert var.to_proto() == expected[var.name]
        with tf.Session() as sess:
            saver.restore(sess, str(golden("tf", "ckpt") / "model-7"))
            assert sess.run("add:0") == pytest.approx(18.0)
            assert sess.run("global_step:0") == 0


def test_tf_variable_defs_round_trip_to_identical_bytes():
    """Every VariableDef real TF wrote into its meta graph rebuilds a Variable whose
    to_proto() serializes to the very same bytes (spec §1.8, §4.3)."""
    meta = proto.MetaGraphDef.FromString(golden("tf", "meta.meta").read_bytes())
    with tf.Graph().as_default():
        tf.import_graph_def(meta.graph_def, name="")
        for key in ("variables", "trainable_variables"):
            for raw in meta.collection_def[key].bytes_list.value:
                v = tf.Variable.from_proto(proto.VariableDef.FromString(raw))
                assert v.to_proto().SerializeToString() == raw, v.name


def test_failed_meta_graph_import_leaves_the_graph_as_before():
    # A collection naming a node the graph does not have fails after the graph was
    # imported: the ops, names and collections are rolled back.
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(1.0, name="v")
        tf.add_to_collection("mine", v.op)
    mgd = tf.train.export_meta_graph(graph=g)
    mgd.collection_def["mine"].node_list.value.append("no_such_node")
    target = tf.Graph()
    with target.as_default():
        a = tf.constant(1.0, name="a")
        tf.add_to_collection("things", a)
        names = dict(target._names_in_use)
        with pytest.raises((KeyError, ValueError)):
            tf.train.import_meta_graph(mgd, import_scope="imp")
        assert target.get_operations() == [a.op]
        assert target.get_all_collection_keys() == ["things"]
        assert target.get_collection("things") == [a]
        assert target._names_in_use == names
