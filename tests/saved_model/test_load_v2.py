"""tf.saved_model.load_v2 / load(export_dir): a TF2 SavedModel written by TensorFlow
2.21 (tests/data/golden/tf_saved_model_v2, tools/make_saved_model_v2_goldens.py) loads
in tfgraph with TF's variable values and function results; bad input fails clearly."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tests.saved_model import programs, programs_v2
from tests.tfrun import requires_tf, run_tf_json


@pytest.fixture(autouse=True)
def eager(fresh_graph):
    tf.enable_v2_behavior()
    yield
    tf.disable_v2_behavior()


def _read_model(export_dir: str) -> dict:
    env = {"tf": tf}
    exec(programs_v2.READ, env)
    return env["read_model"](export_dir)


def _expected() -> dict:
    return json.loads(golden("tf_saved_model_v2", "expected.json").read_text())


@pytest.fixture
def tf_model(tmp_path):
    """A copy of TF's SavedModel (loading reads it only; the copy keeps paths local)."""
    target = tmp_path / "model"
    shutil.copytree(golden("tf_saved_model_v2", "model"), target)
    return str(target)


def test_tf_written_savedmodel_loads_with_tf_values(tf_model):
    assert _read_model(tf_model) == _expected()


def test_load_v2_and_load_are_the_same_reader(tf_model):
    m = tf.saved_model.load_v2(tf_model, tags=["serve"])
    np.testing.assert_array_equal(m.b.numpy(), [0.5, -0.5])
    assert tf.saved_model.load(tf_model).signatures.keys() == m.signatures.keys()


def test_restored_functions_run_inside_tf_function(tf_model):
    m = tf.saved_model.load(tf_model)

    @tf.function
    def twice(x):
        return m(x) * 2.0

    np.testing.assert_allclose(twice(tf.constant([[1.0, -1.0]])).numpy(), [[0.0, 11.0]])


def test_restored_variables_are_eager_variables(tf_model):
    m = tf.saved_model.load(tf_model)
    m.w.assign(tf.zeros([2, 2]))
    np.testing.assert_allclose(m(tf.constant([[1.0, 1.0]])).numpy(), [[0.5, 0.0]])


def test_unmatched_call_names_the_traced_signatures(tf_model):
    m = tf.saved_model.load(tf_model)
    with pytest.raises(ValueError, match="Could not find matching concrete function"):
        m.scaled(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="expects arguments"):
        m.signatures["scaled"](y=tf.constant([1.0]))


def test_unknown_tags_and_tf1_savedmodels_fail_clearly(tf_model, tmp_path):
    with pytest.raises(RuntimeError, match="could not be found in SavedModel"):
        tf.saved_model.load(tf_model, tags=["train"])
    tf.disable_v2_behavior()
    env = {"tf": tf}
    exec(programs.WRITE, env)
    env["write_simple"](str(tmp_path / "v1"), str(tmp_path / "vocab.txt"))
    tf.enable_v2_behavior()
    with pytest.raises(ValueError, match="is a TF1 SavedModel"):
        tf.saved_model.load(str(tmp_path / "v1"))


def test_load_v2_needs_eager_execution(tf_model):
    tf.disable_v2_behavior()
    with pytest.raises(RuntimeError, match="needs eager execution"):
        tf.saved_model.load_v2(tf_model)


@pytest.mark.tf
@requires_tf
def test_tf_control_flow_and_nested_functions_load(tmp_path):
    export_dir = str(tmp_path / "cf")
    code = (
        f"exec({programs_v2.WRITE_CONTROL_FLOW!r})\nexec({programs_v2.READ_CONTROL_FLOW!r})\n"
        f"write_control_flow({export_dir!r})\n"
        f"print(json.dumps(read_control_flow({export_dir!r})))"
    )
    theirs = run_tf_json(code, v1=False)
    env = {"tf": tf}
    exec(programs_v2.READ_CONTROL_FLOW, env)
    assert env["read_control_flow"](export_dir) == theirs == [9.0, 6.0, 5.0]


def test_a_loaded_model_saves_again(tf_model, tmp_path):
    """Re-saving keeps the loaded FunctionDefs, variables, captured constant and asset;
    `signatures=` re-exports the loaded signatures."""
    m = tf.saved_model.load(tf_model)
    again = str(tmp_path / "again")
    tf.saved_model.save(m, again, signatures=m.signatures)
    assert _read_model(again) == _expected()
