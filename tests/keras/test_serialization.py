"""Model configs: to_json / model_from_json / clone_model, read and written both ways
with TensorFlow's Keras 2 (a CNN Sequential and a branching functional text model with
masks, Bidirectional, regularizers and initializers); Keras's layer order by depth."""

from __future__ import annotations

import json

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
import json
K = tf.keras
L = tf.keras.layers
result = {}
if MODE == "write":
    seq = K.Sequential([
        L.Conv2D(4, 3, padding="same", activation="relu", input_shape=(8, 8, 2),
                 kernel_regularizer=K.regularizers.l2(0.01)),
        L.MaxPooling2D(), L.BatchNormalization(momentum=0.9), L.Flatten(), L.Dropout(0.25),
        L.Dense(5, activation="softmax", kernel_initializer="he_normal")])
    inp = K.Input((6,), dtype="int32", name="tokens")
    e = L.Embedding(20, 4, mask_zero=True)(inp)
    h = L.Bidirectional(L.LSTM(3, return_sequences=True))(e)
    h2 = L.GRU(2, dropout=0.1)(h)
    side = L.Dense(2, activation="tanh")(L.GlobalAveragePooling1D()(e))
    out = L.Dense(1, activation="sigmoid")(L.Concatenate()([h2, side]))
    func = K.Model(inp, out, name="text_model")
    result = {"seq": seq.to_json(), "func": func.to_json()}
else:
    seq = K.models.model_from_json(SEQ)
    func = K.models.model_from_json(FUNC)
    clone = K.models.clone_model(seq)
    result = {
        "seq_layers": [[type(la).__name__, la.name, str(la.output_shape)] for la in seq.layers],
        "func_layers": [[type(la).__name__, la.name] for la in func.layers],
        "seq_weights": [[w.name, w.shape.as_list()] for w in seq.weights],
        "func_weights": [[w.name, w.shape.as_list()] for w in func.weights],
        "clone_weights": [w.shape.as_list() for w in clone.weights],
        "func_out": str(func.outputs[0].shape),
        "config_reg": seq.layers[0].get_config()["kernel_regularizer"],
    }
"""


def _reader(written: dict) -> str:
    return f"MODE = 'read'\nSEQ = {written['seq']!r}\nFUNC = {written['func']!r}\n" + PROGRAM


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("writer", ["tensorflow", "tfgraph"])
def test_json_interchange_with_tensorflow(writer):
    program = "MODE = 'write'\n" + PROGRAM
    written = theirs(program) if writer == "tensorflow" else ours(program)
    tf.reset_default_graph()
    K.backend.clear_session()
    expected = theirs(_reader(written))
    assert_same(ours(_reader(written)), expected)


def test_round_trip_and_clone():
    written = ours("MODE = 'write'\n" + PROGRAM)
    config = json.loads(written["func"])
    assert config["class_name"] == "Functional"
    assert [la["name"] for la in config["config"]["layers"]][:2] == ["tokens", "embedding"]
    tf.reset_default_graph()
    K.backend.clear_session()
    out = ours(_reader(written))
    assert out["clone_weights"] == [w[1] for w in out["seq_weights"]]
    # (Keras keeps the strength as float32: 0.009999999776482582, as tf_keras gives it)
    assert out["config_reg"] == {"class_name": "L2", "config": {"l2": pytest.approx(0.01)}}


def test_layer_config_round_trip():
    dense = L.Dense(3, activation="relu", use_bias=False, name="d")
    config = dense.get_config()
    assert config["units"] == 3 and config["activation"] == "relu"
    again = L.Dense.from_config(config)
    assert (again.units, again.use_bias, again.name) == (3, False, "d")
    with pytest.raises(NotImplementedError, match="has no `sparse`"):
        L.Embedding.from_config({"input_dim": 3, "output_dim": 2, "sparse": True})
