"""tf.keras.constraints applied after each optimizer step (Keras and TF1 optimizers),
against TensorFlow's Keras 2."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(13)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((8, 3)).astype("float32")
yv = rng.standard_normal((8, 2)).astype("float32")
for name, make in [("keras_sgd", lambda: K.optimizers.SGD(0.5)),
                   ("keras_adam", lambda: K.optimizers.Adam(0.1)),
                   ("tf_gd", lambda: tf.train.GradientDescentOptimizer(0.5))]:
    model = K.Sequential([L.Dense(2, input_shape=(3,), kernel_constraint=K.constraints.MaxNorm(0.7),
                                  bias_constraint=K.constraints.NonNeg())])
    model.set_weights([rng.standard_normal((3, 2)).astype("float32"),
                       rng.standard_normal(2).astype("float32")])
    model.compile(make(), "mse")
    model.fit(xv, yv, epochs=2, batch_size=4, verbose=0, shuffle=False)
    result[name] = model.get_weights()
sess = K.backend.get_session()
w = tf.constant(rng.standard_normal((3, 4)).astype("float32"))
result["fns"] = sess.run([K.constraints.UnitNorm()(w), K.constraints.MinMaxNorm(0.5, 1.0, 0.5)(w),
                          K.constraints.max_norm(1.0, axis=1)(w)])
"""


@pytest.mark.tf
@requires_tf
def test_constraints_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_constraints_hold_after_training():
    out = ours(PROGRAM)
    for key in ("keras_sgd", "keras_adam", "tf_gd"):
        kernel, bias = (np.asarray(v) for v in out[key])
        assert np.all(np.linalg.norm(kernel, axis=0) <= 0.7 + 1e-5)
        assert np.all(bias >= 0)


RADIAL_PROGRAM = """
K = tf.keras
result = {}
for n in [2, 3, 4, 5]:
    w = np.arange(n * n * 6, dtype=np.float32).reshape(n, n, 3, 2)
    out = K.constraints.RadialConstraint()(tf.constant(w))
    result[n] = [out.numpy(), out.shape.as_list()]
try:
    K.constraints.radial_constraint()(tf.zeros([3, 3]))
except ValueError as e:
    result["rank"] = str(e)
"""


@pytest.mark.tf
@requires_tf
def test_radial_constraint_and_serialization_match_tf_keras():
    """RadialConstraint's values (against tf_keras eagerly: in a TF1 graph its
    `map_fn` makes a variable inside the loop that cannot be initialized)."""
    import json

    from tests.tfrun import run_tf

    code = "import numpy as np\ndef _plain(o):\n    return o.tolist()\n" + RADIAL_PROGRAM
    theirs_ = json.loads(run_tf(code + "print(json.dumps(result, default=_plain))\n", v1=False))
    tf.enable_v2_behavior()
    scope = {"tf": tf, "np": np}
    exec(RADIAL_PROGRAM, scope)
    mine = json.loads(json.dumps(scope["result"], default=lambda o: o.tolist()))
    assert_same(mine, theirs_)


def test_radial_constraint_in_a_graph():
    with tf.Graph().as_default():
        w = tf.constant(np.arange(18, dtype=np.float32).reshape(3, 3, 2, 1))
        out = tf.keras.constraints.RadialConstraint()(w)
        with tf.Session() as sess:
            got = sess.run(out)[..., 0, 0]
    np.testing.assert_array_equal(got, [[8, 8, 8], [8, 0, 8], [8, 8, 8]])


@pytest.mark.tf
@requires_tf
def test_constraint_serialization_in_tf1():
    """serialize/deserialize round trips and names in TF1 mode (Keras 2's legacy
    format); an unknown name is a ValueError (tf_keras eagerly returns None)."""
    program = """
result = {}
C = tf.keras.constraints
for c in [C.MaxNorm(3, axis=1), C.MinMaxNorm(0.5, 2.0, rate=0.5), C.NonNeg(), C.UnitNorm(1),
          C.RadialConstraint(), C.max_norm(1.5)]:
    s = C.serialize(c)
    result[s["class_name"] + str(len(result))] = [s, C.serialize(C.deserialize(s))]
result["by_name"] = [type(C.deserialize(n)).__name__
                     for n in ["max_norm", "NonNeg", "radial_constraint", "UnitNorm"]]
result["get"] = type(C.get({"class_name": "RadialConstraint", "config": {}})).__name__
try:
    tf.keras.constraints.deserialize("nope")
except ValueError as e:
    result["unknown"] = str(e)
"""
    assert_same(ours(program), theirs(program))
