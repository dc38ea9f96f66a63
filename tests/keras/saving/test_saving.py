"""`tf.keras.saving`: the custom-object registry and scope, and serializing /
deserializing objects, against tf_keras (graph mode, Keras 2's legacy format)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

S = tf.keras.saving

PROGRAM = """
S = tf.keras.saving
result = {}

class Scale:
    def __init__(self, factor=2.0, inner=None):
        self.factor = factor
        self.inner = inner
    def get_config(self):
        return {"factor": self.factor, "inner": self.inner}
    @classmethod
    def from_config(cls, config):
        return cls(**config)

def twice(x):
    return 2 * x

Registered = S.register_keras_serializable(package="Pkg")(Scale)
S.register_keras_serializable(package="Fn", name="double")(twice)
result["names"] = [S.get_registered_name(Scale), S.get_registered_name(twice),
                   S.get_registered_name(len)]
result["registered"] = [S.get_registered_object("Pkg>Scale") is Scale,
                        S.get_registered_object("Fn>double") is twice,
                        S.get_registered_object("nothing") is None,
                        "Pkg>Scale" in S.get_custom_objects()]
config = S.serialize_keras_object(Scale(3.0, inner=Scale(5.0)))
result["config"] = json.loads(json.dumps(config))
back = S.deserialize_keras_object(config)
result["back"] = [type(back).__name__, back.factor, type(back.inner).__name__, back.inner.factor]
result["fn"] = [S.serialize_keras_object(twice), S.serialize_keras_object(None)]
result["fn_back"] = S.deserialize_keras_object("Fn>double") is twice
class Local:
    def __init__(self, v=1):
        self.v = v
    def get_config(self):
        return {"v": self.v}
with S.custom_object_scope({"Local": Local}):
    result["scoped"] = [S.get_registered_object("Local") is Local,
                        S.deserialize_keras_object({"class_name": "Local", "config": {"v": 4}}).v,
                        type(S.deserialize_keras_object("Local")).__name__]
result["after_scope"] = S.get_registered_object("Local") is None
result["custom_arg"] = S.deserialize_keras_object(
    {"class_name": "L", "config": {"v": 7}}, custom_objects={"L": Local}).v
result["module_objects"] = S.deserialize_keras_object("L", module_objects={"L": twice}) is twice
errors = {}
for key, call in [
    ("unknown", lambda: S.deserialize_keras_object({"class_name": "Nope", "config": {}})),
    ("improper", lambda: S.deserialize_keras_object({"config": {}})),
    ("no_config", lambda: S.serialize_keras_object(3)),
    ("bad_id", lambda: S.deserialize_keras_object(3)),
    ("no_get_config", lambda: S.register_keras_serializable()(type("Bare", (), {}))),
]:
    try:
        call()
        errors[key] = None
    except Exception as e:
        errors[key] = [type(e).__name__, str(e)]
result["errors"] = errors
"""


@pytest.mark.tf
@requires_tf
def test_registry_and_serialization_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM))


LAYER = """
K = tf.keras
class Doubler(K.layers.Layer):
    def __init__(self, k=2, **kw):
        super().__init__(**kw)
        self.k = k
    def call(self, x):
        return x * self.k
    def get_config(self):
        return {**super().get_config(), "k": self.k}
inp = K.Input((3,))
model = K.Model(inp, Doubler(3, name="dbl")(K.layers.Dense(2, name="d")(inp)))
text = model.to_json()
result = {}
try:
    K.models.model_from_json(text)
    result["without"] = "loaded"
except ValueError as e:
    result["without"] = str(e)
with K.saving.custom_object_scope({"Doubler": Doubler}):
    m2 = K.models.model_from_json(text)
result["scoped"] = [l.name for l in m2.layers] + [m2.layers[-1].k]
"""


@pytest.mark.tf
@requires_tf
def test_model_from_json_uses_the_custom_object_scope():
    a, b = ours(LAYER), theirs(LAYER)
    assert a["scoped"] == b["scoped"]
    assert "Unknown layer: 'Doubler'" in a["without"] and "Unknown layer: 'Doubler'" in b["without"]


def test_utils_reexports_the_registry():
    U = tf.keras.utils
    assert U.custom_object_scope is S.custom_object_scope
    assert U.register_keras_serializable is S.register_keras_serializable
    assert U.get_custom_objects() is S.get_custom_objects()


def test_save_and_load_model_say_what_to_use(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(NotImplementedError, match="HDF5 instead"):
        S.save_model(model, str(tmp_path / "model.keras"))
    with pytest.raises(NotImplementedError, match="HDF5 instead"):
        S.save_model(model, str(tmp_path / "saved"), save_format="tf")
    (tmp_path / "model.keras").write_bytes(b"PK\x05\x06" + bytes(18))  # (an empty zip)
    with pytest.raises(ValueError, match="no config.json"):
        S.load_model(str(tmp_path / "model.keras"))
    with pytest.raises(NotImplementedError, match="'tf' format.*to_json"):
        S.load_model(str(tmp_path))
    with pytest.raises(OSError, match="No file or directory found at"):
        S.load_model(str(tmp_path / "missing"))
