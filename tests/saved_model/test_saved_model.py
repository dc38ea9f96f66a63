"""TF1 SavedModels (tf.saved_model): what tfgraph writes loads in tfgraph and in real
TF, what TF writes (tests/data/golden/tf_saved_model) loads in tfgraph, the files match
TF's structure, and bad input fails as in TF."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tests.saved_model import programs
from tests.tfrun import requires_tf, run_tf_json


def _env() -> dict:
    env = {"tf": tf}
    exec(programs.WRITE, env)
    exec(programs.READ, env)
    return env


def _expected() -> dict:
    return json.loads(golden("tf_saved_model", "expected.json").read_text())


def _same_result(ours: dict, theirs: dict) -> None:
    ours, theirs = dict(ours), dict(theirs)
    if "error" in theirs:  # the tag sets' order inside the message follows set hashing
        cut = "with available tags"
        assert ours.pop("error").split(cut)[0] == theirs.pop("error").split(cut)[0]
    assert ours == theirs


@pytest.fixture
def written(tmp_path):
    env = _env()
    env["write_simple"](str(tmp_path / "simple"), str(tmp_path / "vocab.txt"))
    env["write_multi"](str(tmp_path / "multi"))
    return tmp_path


def test_round_trip_in_tfgraph(written):
    env, expected = _env(), _expected()
    _same_result(env["read_simple"](str(written / "simple")), expected["simple"])
    _same_result(env["read_multi"](str(written / "multi")), expected["multi"])


def test_reads_savedmodels_tf_wrote():
    env, expected = _env(), _expected()
    _same_result(env["read_simple"](str(golden("tf_saved_model", "simple"))), expected["simple"])
    _same_result(env["read_multi"](str(golden("tf_saved_model", "multi"))), expected["multi"])


def test_layout_of_what_it_writes(written):
    simple = written / "simple"
    assert sorted(os.listdir(simple)) == ["assets", "saved_model.pb", "variables"]
    assert os.listdir(simple / "assets") == ["vocab.txt"]
    assert sorted(os.listdir(simple / "variables")) == [
        "variables.data-00000-of-00001",
        "variables.index",
    ]
    assert sorted(os.listdir(written / "multi")) == ["saved_model.pbtxt", "variables"]
    assert tf.saved_model.contains_saved_model(simple)
    assert tf.saved_model.maybe_saved_model_directory(str(written / "multi"))
    assert not tf.saved_model.loader.maybe_saved_model_directory(str(written))


@pytest.mark.tf
@requires_tf
def test_tf_loads_what_tfgraph_writes(written):
    theirs = run_tf_json(
        programs.READ
        + f"""
print(json.dumps({{"simple": read_simple({str(written / "simple")!r}),
                  "multi": read_multi({str(written / "multi")!r})}}))
"""
    )
    expected = _expected()
    _same_result(theirs["simple"], expected["simple"])
    _same_result(theirs["multi"], expected["multi"])


def _describe(saved_model) -> list:
    out = []
    for mg in saved_model.meta_graphs:
        cols = {}
        for key, col in mg.collection_def.items():
            kind = col.WhichOneof("kind")
            if kind == "node_list":
                cols[key] = [kind, sorted(col.node_list.value)]
            elif kind == "any_list":
                cols[key] = [kind, [a.type_url for a in col.any_list.value]]
            else:
                cols[key] = [kind, len(getattr(col, kind).value)]
        out.append(
            {
                "tags": list(mg.meta_info_def.tags),
                "stripped": mg.meta_info_def.stripped_default_attrs,
                "signatures": {k: str(v) for k, v in mg.signature_def.items()},
                "saver": str(mg.saver_def),
                "collections": cols,
                "nodes": sorted(f"{n.name}:{n.op}" for n in mg.graph_def.node),
                "assets": [str(a) for a in mg.asset_file_def],
            }
        )
    return out


@pytest.mark.tf
@requires_tf
def test_files_match_tfs(written, tmp_path_factory):
    tf_dir = tmp_path_factory.mktemp("tf_written")
    theirs = run_tf_json(
        programs.WRITE
        + f"""
from tensorflow.python.saved_model import loader_impl
write_simple({str(tf_dir / "simple")!r}, {str(tf_dir / "vocab.txt")!r})
write_multi({str(tf_dir / "multi")!r})
print(json.dumps("ok"))
"""
    )
    assert theirs == "ok"
    from tfgraph.saved_model._loader import parse_saved_model

    for name in ("simple", "multi"):
        ours = _describe(parse_saved_model(written / name))
        tfs = _describe(parse_saved_model(tf_dir / name))
        assert [m["tags"] for m in ours] == [m["tags"] for m in tfs]
        for a, b in zip(ours, tfs, strict=True):
            # Asset paths are absolute (tmp dirs differ): compare the rest.
            assert {k: v for k, v in a.items() if k != "nodes"} == {
                k: v for k, v in b.items() if k != "nodes"
            }
            assert a["nodes"] == b["nodes"]


# -- errors, as TF raises them ---------------------------------------------------------


def test_export_dir_must_be_new_or_empty(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(AssertionError, match="already exists, and isn't empty"):
        tf.saved_model.Builder(str(tmp_path / "full"))
    (tmp_path / "empty").mkdir()
    tf.saved_model.Builder(str(tmp_path / "empty"))


def test_meta_graph_order_and_reserved_keys(tmp_path):
    builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "m"))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1], name="x")
        with pytest.raises(AssertionError, match="has not been saved yet"):
            builder.add_meta_graph(["serve"])
        sig = tf.saved_model.predict_signature_def({"x": x}, {"y": x * 2.0})
        with tf.Session() as sess:
            with pytest.raises(KeyError, match="is reserved for initialization"):
                builder.add_meta_graph_and_variables(
                    sess, ["serve"], signature_def_map={"__saved_model_init_op": sig}
                )
            empty = tf.TensorInfo()
            with pytest.raises(AssertionError, match="must have one of the 'encoding' fields"):
                builder.add_meta_graph_and_variables(
                    sess,
                    ["serve"],
                    signature_def_map={"s": tf.saved_model.build_signature_def({"x": empty})},
                )
            with pytest.raises(TypeError):  # TF's `main_op or legacy_init_op` too
                builder.add_meta_graph_and_variables(sess, ["serve"], main_op=x)
            builder.add_meta_graph_and_variables(sess, ["serve"])
            with pytest.raises(AssertionError, match="has already been saved"):
                builder.add_meta_graph_and_variables(sess, ["serve"])
            with pytest.raises(TypeError, match="to be an Operation"):
                builder.add_meta_graph(["other"], main_op=x)
    assert builder.save() == str(tmp_path / "m" / "saved_model.pb").encode()


def test_loader_errors(tmp_path):
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(OSError, match="SavedModel file does not exist at"):
            tf.saved_model.loader.load(sess, ["serve"], str(tmp_path))
        (tmp_path / "saved_model.pb").write_bytes(b"\xff\xff\xff")
        with pytest.raises(OSError, match="Cannot parse file"):
            tf.saved_model.load(sess, ["serve"], str(tmp_path))


def test_signature_helpers():
    with tf.Graph().as_default():
        s = tf.placeholder(tf.string, [None], name="s")
        f = tf.placeholder(tf.float32, [None, 2], name="f")
        with pytest.raises(ValueError, match="Prediction `inputs` cannot be None or empty."):
            tf.saved_model.predict_signature_def({}, {"f": f})
        with pytest.raises(ValueError, match="Regression input tensors must be of type string"):
            tf.saved_model.regression_signature_def(f, f)
        with pytest.raises(ValueError, match="`classes` and `scores` cannot both be None"):
            tf.saved_model.classification_signature_def(s, None, None)
        cls = tf.saved_model.classification_signature_def(s, None, f)
        reg = tf.saved_model.regression_signature_def(s, f)
        pred = tf.saved_model.predict_signature_def({"f": f}, {"s": s})
        assert [tf.saved_model.is_valid_signature(x) for x in (cls, reg, pred, None)] == [
            True,
            True,
            True,
            False,
        ]
        assert cls.method_name == "tensorflow/serving/classify"
        assert dict(cls.outputs)["scores"].name == "f:0"
        sp = tf.SparseTensor(tf.constant([[0, 1]], tf.int64), tf.constant([2.0]), [3, 4])
        info = tf.saved_model.utils.build_tensor_info(sp)
        assert info.WhichOneof("encoding") == "coo_sparse"
        back = tf.saved_model.get_tensor_from_tensor_info(info)
        assert back.values is sp.values and back.indices is sp.indices
        with pytest.raises(KeyError):
            tf.saved_model.utils.get_tensor_from_tensor_info(tf.TensorInfo(name="nope:0"))


def test_method_name_updater(written):
    export_dir = str(written / "multi")
    updater = tf.saved_model.signature_def_utils.MethodNameUpdater(export_dir)
    with pytest.raises(ValueError, match="does not have a signature_def with key: 'nope'"):
        updater.replace_method_name("nope", "m", tags=["serve"])
    with pytest.raises(ValueError, match="could not be found in SavedModel"):
        updater.replace_method_name("predict", "m", tags="other")
    updater.replace_method_name("predict", "tensorflow/serving/regress", tags="serve")
    updater.save()
    from tfgraph.saved_model._loader import parse_saved_model

    sm = parse_saved_model(export_dir)
    assert sm.meta_graphs[0].signature_def["predict"].method_name == "tensorflow/serving/regress"
    assert not os.path.exists(os.path.join(export_dir, "saved_model.pb"))


def test_schema_version():
    np.testing.assert_equal(tf.saved_model.SAVED_MODEL_SCHEMA_VERSION, 1)
