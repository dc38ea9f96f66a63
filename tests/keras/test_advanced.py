"""Subclassed models and layers, regularizers, the small layers (Lambda, LeakyReLU,
padding, upsampling, merges...), backend functions and utils, against TensorFlow's
Keras 2 in graph mode."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

PROGRAM = """
rng = np.random.RandomState(6)
K = tf.keras
L = tf.keras.layers
result = {}


class MyModel(K.Model):
    def __init__(self):
        super().__init__()
        self.d1 = L.Dense(3, kernel_regularizer=K.regularizers.l2(0.1))
        self.d2 = L.Dense(1, activity_regularizer=K.regularizers.l1(0.01),
                          bias_regularizer="l1_l2")

    def call(self, x, training=None):
        return self.d2(self.d1(x))


class MyLayer(L.Layer):
    def build(self, shape):
        self.w = self.add_weight("w", shape=(int(shape[-1]), 2))
        self.b = self.add_weight(name="b", shape=(2,), initializer="ones", trainable=False)

    def call(self, x):
        return tf.matmul(x, self.w) + self.b


x = tf.placeholder(tf.float32, [None, 2])
xv = rng.standard_normal((4, 2)).astype("float32")
m = MyModel()
y = m(x)
m.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") for w in m.weights])
ml = MyLayer()
z = ml(x)
ml.set_weights([np.ones((2, 2), "float32") * 0.5, np.arange(2, dtype="float32")])
sess = K.backend.get_session()
result["subclass"] = {
    "name": m.name,
    "out": y.name,
    "weights": [w.name for w in m.weights],
    "layers": [la.name for la in m.layers],
    "loss_names": [t.name for t in m.losses],
    "losses": sess.run(m.losses, {x: xv}),
    "value": sess.run(y, {x: xv}),
}
result["custom"] = [ml.name, z.name, [w.name for w in ml.weights],
                    [w.name for w in ml.trainable_weights], sess.run(z, {x: xv})]

x4 = tf.placeholder(tf.float32, [None, 4, 4, 2])
x3 = tf.placeholder(tf.float32, [None, 6, 2])
v4 = rng.standard_normal((2, 4, 4, 2)).astype("float32")
v3 = rng.standard_normal((2, 6, 2)).astype("float32")
outs = {
    "lambda": L.Lambda(lambda t: t * 2)(x),
    "lambda_args": L.Lambda(lambda t, k: t + k, arguments={"k": 3.0})(x),
    "leaky": L.LeakyReLU()(x),
    "leaky_alpha": L.LeakyReLU(alpha=0.1)(x),
    "relu": L.ReLU(max_value=0.5)(x),
    "softmax": L.Softmax()(x),
    "zeropad": L.ZeroPadding2D(((1, 0), (2, 1)))(x4),
    "upsample": L.UpSampling2D((2, 3))(x4),
    "permute": L.Permute((2, 1))(x3),
    "repeat": L.RepeatVector(3)(x),
    "avgpool1d": L.AveragePooling1D(2)(x3),
    "gmp2d": L.GlobalMaxPooling2D()(x4),
    "gap1d": L.GlobalAveragePooling1D()(x3),
    "gmp1d": L.GlobalMaxPooling1D()(x3),
    "subtract": L.Subtract()([x, x * 3]),
    "multiply": L.Multiply()([x, x, x]),
    "average": L.Average()([x, x * 3]),
    "maximum": L.Maximum()([x, -x]),
    "minimum": L.Minimum()([x, -x]),
}
result["shapes"] = {k: str(v.shape) for k, v in outs.items()}
result["values"] = sess.run(outs, {x: xv, x4: v4, x3: v3})

inp = K.Input((2,))
fm = K.Model(inp, L.Dense(2)(inp))
result["io"] = [fm.input.name, fm.output.name, list(fm.input_shape), list(fm.output_shape)]
f = K.backend.function([x], [y * 2])
result["function"] = f([xv])
result["to_categorical"] = K.utils.to_categorical([0, 2, 1])
result["to_categorical_n"] = K.utils.to_categorical(np.array([[1], [0]]), num_classes=4)
result["backend"] = [K.backend.int_shape(x4), K.backend.ndim(x4), K.backend.dtype(x4)]
v = K.backend.variable(np.ones((2, 2)), name="kv")
result["variable"] = [v.name, K.backend.eval(v)]
result["backend_ops"] = sess.run({
    "mean": K.backend.mean(x, axis=1), "sum": K.backend.sum(x), "max": K.backend.max(x, 0),
    "dot": K.backend.dot(x, tf.ones([2, 3])), "clip": K.backend.clip(x, -0.5, 0.5),
    "sqrt": K.backend.sqrt(x), "concat": K.backend.concatenate([x, x]),
}, {x: xv})

# compile adds the regularization losses
model = K.Sequential([L.Dense(2, input_shape=(2,), kernel_regularizer=K.regularizers.l2(0.5))])
model.set_weights([np.ones((2, 2), "float32"), np.zeros(2, "float32")])
model.compile("sgd", "mse")
result["reg_loss"] = model.evaluate(xv, np.zeros((4, 2), "float32"), verbose=0)
"""


@pytest.mark.tf
@requires_tf
def test_extras_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected)


def test_subclassed_model_by_hand():
    out = ours(PROGRAM)
    sub = out["subclass"]
    assert sub["name"] == "my_model"
    assert sub["weights"] == [
        "my_model/dense/kernel:0",
        "my_model/dense/bias:0",
        "my_model/dense_1/kernel:0",
        "my_model/dense_1/bias:0",
    ]
    assert sub["layers"] == ["dense", "dense_1"]
    assert out["custom"][2:4] == [["my_layer/w:0", "my_layer/b:0"], ["my_layer/w:0"]]
    # l2(0.5) on a kernel of ones: 0.5 * 4, plus the mse of x @ ones
    rng = np.random.RandomState(6)
    xv = rng.standard_normal((4, 2)).astype("float32")
    mse = np.mean((xv @ np.ones((2, 2))) ** 2)
    np.testing.assert_allclose(out["reg_loss"], mse + 2.0, rtol=1e-5)


def test_keras_function_runs_updates():
    v = K.backend.variable(0.0)
    x = K.backend.placeholder(shape=(None,))
    f = K.backend.function([x], [K.backend.sum(x)], updates=[(v, v + 1.0)])
    assert f([np.arange(4.0)]) == [6.0]
    f([np.zeros(1)])
    assert K.backend.get_value(v) == 2.0


def test_regularizer_and_layer_errors():
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'"):
        K.regularizers.get("l3")
    with pytest.raises(ValueError, match="must be consecutive and start from 1"):
        L.Permute((0, 1))
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        x = tf.placeholder(tf.float32, [None, 2])
        L.Subtract()([x, x, x])


def test_training_may_be_positional():
    x = tf.placeholder(tf.float32, [None, 4])
    y = L.Dropout(0.5)(x, True)
    values = set(np.unique(K.backend.get_session().run(y, {x: np.ones((20, 4))})))
    assert values == {0.0, 2.0}
    with pytest.raises(TypeError, match="positional arguments"):
        L.Dense(1)(x, True)


def test_merge_functions_and_metrics_names():
    x = tf.placeholder(tf.float32, [None, 2])
    outs = [
        L.multiply([x, x]),
        L.subtract([x, x]),
        L.average([x, x * 3]),
        L.maximum([x, -x]),
        L.minimum([x, -x]),
    ]
    xv = np.array([[1.0, -2.0]], "float32")
    got = K.backend.get_session().run(outs, {x: xv})
    expected = [xv * xv, 0 * xv, 2 * xv, np.abs(xv), -np.abs(xv)]
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b)
    model = K.Sequential([L.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse", metrics=["accuracy", "mae"])
    assert model.metrics_names == ["loss", "acc", "mean_absolute_error"]
