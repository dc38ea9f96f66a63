"""tf.keras.export.ExportArchive: the SavedModel it writes loads in TensorFlow 2.21 with
the endpoints, signatures and variable collections TF's own ExportArchive gives for the
same program, loads back in tfgraph, and misuse fails with TF's errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

WRITE = """
def write_archive(path):
    k1 = np.array([[1.0, -1.0, 0.5], [0.25, 2.0, -1.5]], np.float32)
    const = tf.keras.initializers.Constant
    d1 = tf.keras.layers.Dense(3, activation="relu", bias_initializer=const(0.1),
                               kernel_initializer=const(k1))
    d2 = tf.keras.layers.Dense(1, kernel_initializer=const([[1.0], [-0.5], [2.0]]))
    d2(d1(tf.zeros([1, 2])))
    scale = tf.Variable(2.0, name="scale")
    step = tf.Variable(7, name="step", trainable=False)
    archive = tf.keras.export.ExportArchive()
    archive.track(d1)
    archive.track(d2)
    archive.add_endpoint("serve", lambda x: d2(d1(x)),
                         input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
    holder = tf.Module()
    holder.scale = scale
    archive.track(holder)
    scaled = tf.function(lambda x: {"y": d2(d1(x)) * scale})
    scaled(tf.constant([[1.0, 2.0]]))
    archive.add_endpoint("scaled", scaled)
    archive.add_variable_collection("extra", [step])
    archive.write_out(path)
"""

READ = """
def read_archive(path):
    loaded = tf.saved_model.load(path)
    x = tf.constant([[1.0, 2.0], [-1.0, 0.5]])
    out = {
        "signatures": sorted(loaded.signatures.keys()),
        "serve": loaded.serve(x).numpy().tolist(),
        "scaled": loaded.scaled(x[:1])["y"].numpy().tolist(),
        "default": {k: v.numpy().tolist()
                    for k, v in loaded.signatures["serving_default"](x=x).items()},
        "sig_scaled": {k: v.numpy().tolist()
                       for k, v in loaded.signatures["scaled"](x=x[1:]).items()},
        "extra": [v.numpy().tolist() for v in loaded.extra],
        "n_variables": len(loaded.variables),
        "n_trainable": len(loaded.trainable_variables),
    }
    return out
"""


@pytest.fixture(autouse=True)
def eager(fresh_graph):
    tf.enable_v2_behavior()
    yield
    tf.disable_v2_behavior()


def _write(path) -> None:
    env = {"tf": tf, "np": np}
    exec(WRITE, env)
    env["write_archive"](str(path))


@pytest.mark.tf
@requires_tf
def test_tensorflow_loads_the_archive_as_its_own(tmp_path):
    _write(tmp_path / "here")
    code = (
        f"exec({WRITE!r})\nexec({READ!r})\n"
        f"write_archive({str(tmp_path / 'theirs')!r})\n"
        f"print(json.dumps([read_archive({str(tmp_path / 'here')!r}), "
        f"read_archive({str(tmp_path / 'theirs')!r})]))"
    )
    here, theirs = run_tf_json(code, v1=False)
    assert here == theirs
    assert here["signatures"] == ["scaled", "serve", "serving_default"]


def test_tfgraph_loads_the_archive(tmp_path):
    _write(tmp_path / "a")
    env = {"tf": tf, "np": np}
    exec(READ, env)
    got = env["read_archive"](str(tmp_path / "a"))
    # (values from TF 2.21 running the same program)
    np.testing.assert_allclose(got["serve"], [[0.05], [-1.05]], rtol=1e-5)
    np.testing.assert_allclose(got["sig_scaled"]["y"], [[-2.1]], rtol=1e-5)
    assert got["extra"] == [7] and got["n_variables"] == 4


def test_misuse_raises_tf_errors(tmp_path):
    archive = tf.keras.export.ExportArchive()
    with pytest.raises(ValueError, match="No endpoints have been set yet"):
        archive.write_out(str(tmp_path / "x"))
    with pytest.raises(ValueError, match="Invalid resource type"):
        archive.track(3)
    with pytest.raises(ValueError, match="has not yet been built"):
        archive.track(tf.keras.layers.Dense(2))
    with pytest.raises(ValueError, match="you must provide an `input_signature`"):
        archive.add_endpoint("f", lambda x: x)
    with pytest.raises(ValueError, match="has never been called"):
        archive.add_endpoint("f", tf.function(lambda x: x))
    spec = [tf.TensorSpec([None], tf.float32)]
    archive.add_endpoint("f", lambda x: x * 2.0, input_signature=spec)
    with pytest.raises(ValueError, match="Endpoint name 'f' is already taken"):
        archive.add_endpoint("f", lambda x: x, input_signature=spec)
    with pytest.raises(ValueError, match="to be a list/tuple/set"):
        archive.add_variable_collection("c", tf.Variable(1.0))
    with pytest.raises(ValueError, match="to be `tf.Variable` instances"):
        archive.add_variable_collection("c", [1.0])
