"""tf.saved_model.save: what tfgraph writes loads in TensorFlow 2.21
(`tf.saved_model.load`) with the same variables and function results TF gets from
its own SavedModel of the same program, loads back in tfgraph, and unsupported input
fails clearly."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tests.saved_model import programs_v2
from tests.tfrun import requires_tf, run_tf_json


@pytest.fixture(autouse=True)
def eager(fresh_graph):
    tf.enable_v2_behavior()
    yield
    tf.disable_v2_behavior()


def _env() -> dict:
    env = {"tf": tf}
    exec(programs_v2.WRITE, env)
    exec(programs_v2.READ, env)
    return env


def _expected() -> dict:
    return json.loads(golden("tf_saved_model_v2", "expected.json").read_text())


@pytest.fixture
def written(tmp_path):
    export_dir = str(tmp_path / "model")
    _env()["write_model"](export_dir, str(tmp_path / "vocab.txt"))
    return export_dir


@pytest.mark.tf
@requires_tf
def test_tensorflow_loads_what_tfgraph_saves(written):
    theirs = run_tf_json(
        f"exec({programs_v2.READ!r})\nprint(json.dumps(read_model({written!r})))", v1=False
    )
    assert theirs == _expected()


def test_tfgraph_loads_what_it_saves(written):
    assert _env()["read_model"](written) == _expected()


def test_layout_and_object_graph(written):
    from tfgraph.saved_model._loader import parse_saved_model

    mgd = parse_saved_model(written).meta_graphs[0]
    assert list(mgd.meta_info_def.tags) == ["serve"]
    root = mgd.object_graph_def.nodes[0]
    names = [c.local_name for c in root.children]
    assert names[-1] == "signatures"
    assert {"inner", "w", "b", "count", "vocab", "__call__", "scaled", "bump"} <= set(names)
    assert sorted(mgd.signature_def) == ["bump", "scaled", "serving_default"]
    sig = mgd.signature_def["serving_default"]
    assert list(sig.inputs) == ["x"] and list(sig.outputs) == ["output_0"]
    assert sig.method_name == "tensorflow/serving/predict"
    assert [a.filename for a in mgd.asset_file_def] == ["vocab.txt"]


def test_default_signature_is_the_one_function_with_an_input_signature(tmp_path):
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            return {"doubled": x * self.v}

    tf.saved_model.save(M(), str(tmp_path / "m"))
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    out = loaded.signatures["serving_default"](x=tf.constant(3.0))
    assert list(out) == ["doubled"]
    np.testing.assert_allclose(out["doubled"].numpy(), 6.0)


def test_checkpoint_root_and_no_signatures(tmp_path):
    ckpt = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), nested={"b": tf.Variable(3)})
    tf.saved_model.save(ckpt, str(tmp_path / "c"))
    loaded = tf.saved_model.load(str(tmp_path / "c"))
    np.testing.assert_array_equal(loaded.a.numpy(), [1.0, 2.0])
    assert int(loaded.nested["b"].numpy()) == 3
    assert dict(loaded.signatures) == {}


@pytest.mark.tf
@requires_tf
def test_untraced_function_and_empty_signatures_as_tf(tmp_path):
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(1.0)

        @tf.function
        def never(self, x):
            return x + self.v

    tf.saved_model.save(M(), str(tmp_path / "m"))
    code = f"""
m = tf.saved_model.load({str(tmp_path / "m")!r})
try:
    m.never(tf.constant(1.0))
    error = None
except ValueError as e:
    error = str(e)
print(json.dumps([float(m.v.numpy()), list(m.signatures.keys()), error]))
"""
    theirs = run_tf_json(code, v1=False)
    assert theirs[:2] == [1.0, []]
    assert theirs[2].startswith("Found zero restored functions for caller function")
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    assert list(loaded.signatures) == []
    with pytest.raises(ValueError, match="Found zero restored functions for caller function"):
        loaded.never(tf.constant(1.0))


def test_unsupported_input_fails_clearly(tmp_path):
    with pytest.raises(ValueError, match="Expected an object of type `Trackable`"):
        tf.saved_model.save([tf.Variable(1.0)], str(tmp_path / "x"))
    untracked = tf.Variable(1.0)

    class M(tf.Module):
        @tf.function(input_signature=[])
        def f(self):
            return untracked * 2.0

    with pytest.raises(ValueError, match="not reachable from the saved object"):
        tf.saved_model.save(M(), str(tmp_path / "y"))

    class R(tf.saved_model.experimental.TrackableResource):
        def _create_resource(self):
            return tf.constant(0)

    holder = tf.Module()
    holder.r = R()
    with pytest.raises(ValueError, match="cannot save the TrackableResource"):
        tf.saved_model.save(holder, str(tmp_path / "z"))
    with pytest.raises(TypeError, match="SaveOptions"):
        tf.saved_model.save(tf.Module(), str(tmp_path / "o"), options={"x": 1})


def test_save_needs_eager_execution(tmp_path):
    tf.disable_v2_behavior()
    with pytest.raises(RuntimeError, match="needs eager execution"):
        tf.saved_model.save(tf.Module(), str(tmp_path / "g"))


def test_experimental_save_and_function_aliases(tmp_path):
    m = tf.Module()
    m.v = tf.Variable(1.0)
    m.f = tf.function(lambda: m.v + 1.0, input_signature=[])
    assert tf.saved_model.experimental.save is tf.saved_model.save
    options = tf.saved_model.SaveOptions(function_aliases={"plus_one": m.f})
    tf.saved_model.save(m, str(tmp_path / "a"), signatures={}, options=options)
    from tfgraph.saved_model._loader import parse_saved_model

    info = parse_saved_model(str(tmp_path / "a")).meta_graphs[0].meta_info_def
    assert list(info.function_aliases.values()) == ["plus_one"]


@pytest.mark.tf
@requires_tf
def test_tensorflow_runs_saved_control_flow(tmp_path):
    env = {"tf": tf}
    exec(programs_v2.WRITE_CONTROL_FLOW, env)
    env["write_control_flow"](str(tmp_path / "cf"))
    code = (
        f"exec({programs_v2.READ_CONTROL_FLOW!r})\n"
        f"print(json.dumps(read_control_flow({str(tmp_path / 'cf')!r})))"
    )
    assert run_tf_json(code, v1=False) == [9.0, 6.0, 5.0]


V1_READ = """
def read_v1(export_dir):
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        sig = meta.signature_def["serving_default"]
        feed = {sig.inputs["x"].name: [[1.0, -1.0], [0.5, 2.0]]}
        return sess.run(sig.outputs["output_0"].name, feed).tolist()
"""


@pytest.mark.tf
@requires_tf
def test_tf1_loaders_restore_the_variables(written):
    """The MetaGraphDef's saver restores the variables for TF1 loaders (TF Serving)."""
    theirs = run_tf_json(f"exec({V1_READ!r})\nprint(json.dumps(read_v1({written!r})))")
    tf.disable_v2_behavior()
    env = {"tf": tf}
    exec(V1_READ, env)
    assert env["read_v1"](written) == theirs == _expected()["call"]


@pytest.mark.tf
@requires_tf
def test_tensorflow_loads_a_resaved_tf_model(tmp_path):
    import shutil

    source = tmp_path / "source"
    shutil.copytree(golden("tf_saved_model_v2", "model"), source)
    m = tf.saved_model.load(str(source))
    again = str(tmp_path / "again")
    tf.saved_model.save(m, again, signatures=m.signatures)
    theirs = run_tf_json(
        f"exec({programs_v2.READ!r})\nprint(json.dumps(read_model({again!r})))", v1=False
    )
    assert theirs == _expected()
