"""tf.keras.Sequential and functional models in graph mode: names, weights, calling on
placeholders, get/set_weights in the Keras session, training steps, compile/fit/
evaluate/predict and checkpoints, compared with TensorFlow's Keras 2."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras
L = tf.keras.layers

MODELS = """
rng = np.random.RandomState(1)
K = tf.keras
L = tf.keras.layers
result = {}


def fill(model):
    model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                       for w in model.weights])


x = tf.placeholder(tf.float32, [None, 4], name="x")
xv = rng.standard_normal((6, 4)).astype("float32")
yv = np.eye(3, dtype="float32")[[0, 1, 2, 1, 0, 2]]

# Sequential with an input shape
seq = K.Sequential([L.Dense(8, activation="relu", input_shape=(4,)), L.Dropout(0.5),
                    L.BatchNormalization(), L.Dense(3, activation="softmax")])
out = seq(x)
fill(seq)
sess = K.backend.get_session()
result["seq"] = {
    "name": seq.name,
    "out_name": out.name,
    "weights": [w.name for w in seq.weights],
    "trainable": [w.name for w in seq.trainable_variables],
    "non_trainable": [w.name for w in seq.non_trainable_weights],
    "layers": [la.name for la in seq.layers],
    "inputs": [t.name for t in seq.inputs],
    "outputs": [t.name for t in seq.outputs],
    "value": sess.run(out, {x: xv}),
    "get_weights": [w.shape for w in seq.get_weights()],
    "n_updates": len(seq.updates),
    "count_params": seq.count_params(),
}
lines = []
seq.summary(print_fn=lines.append)
result["seq"]["summary_params"] = [ln for ln in lines if "params" in ln]

# one training step of the TF1 optimizer on the keras variables
y = tf.placeholder(tf.float32, [None, 3])
loss = tf.reduce_mean(K.losses.categorical_crossentropy(y, out))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=seq.trainable_weights)
sess.run(train, {x: xv, y: yv})
result["after_gd"] = sess.run(seq.trainable_weights)
result["loss_after_gd"] = sess.run(loss, {x: xv, y: yv})

# a step of a Keras optimizer with the BN updates, learning phase on
opt = K.optimizers.Adam(0.01)
params = seq.trainable_variables
step = opt.apply_gradients(zip(tf.gradients(loss, params), params))
sess = K.backend.get_session()  # initializes the optimizer's variables
sess.run([step, seq.updates], {x: xv, y: yv, seq.inputs[0]: xv, K.backend.learning_phase(): 1})
result["after_adam"] = [sess.run(w) for w in seq.weights]

# deferred Sequential, built when first called
seq2 = K.Sequential([L.Dense(5), L.Dense(2)])
out2 = seq2(x)
result["seq2"] = [seq2.name, out2.name, [w.name for w in seq2.weights]]

# functional model, called again on another tensor
inp = K.Input(shape=(4,))
h = L.Dense(6, activation="tanh", name="hidden")(inp)
a = L.Dense(3)(h)
b = L.Dense(3)(inp)
merged = L.Add()([a, b])
c = L.Concatenate()([merged, h])
fo = L.Dense(2)(c)
fm = K.Model(inp, fo)
fill(fm)
f2 = fm(x)
sess = K.backend.get_session()
result["func"] = {
    "input": inp.name,
    "name": fm.name,
    "layers": [la.name for la in fm.layers],
    "weights": [w.name for w in fm.weights],
    "out": fo.name,
    "call_out": f2.name,
    "value": sess.run(fm.outputs[0], {inp: xv}),
    "value_called": sess.run(f2, {x: xv}),
}

# model inside a model
outer_in = K.Input(shape=(4,), name="outer_in")
nested = K.Model(outer_in, L.Dense(1)(fm(outer_in)))
result["nested"] = [nested.name, [la.name for la in nested.layers],
                    [w.name for w in nested.weights]]
"""

FIT = """
rng = np.random.RandomState(2)
K = tf.keras
L = tf.keras.layers
result = {}
xv = rng.standard_normal((20, 4)).astype("float32")
labels = (xv[:, 0] + xv[:, 1] > 0).astype("int64") + (xv[:, 2] > 0.5)
yv = np.eye(3, dtype="float32")[labels]


def fill(model):
    model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                       for w in model.weights])


for loss, metric, opt, target in [
    ("categorical_crossentropy", "accuracy", lambda: K.optimizers.SGD(0.1), yv),
    ("sparse_categorical_crossentropy", "acc", lambda: "adam", labels),
    (K.losses.CategoricalCrossentropy(from_logits=True), "accuracy",
     lambda: tf.train.GradientDescentOptimizer(0.05), yv),
    ("mse", "mae", lambda: K.optimizers.RMSprop(0.01), yv),
]:
    act = None if not isinstance(loss, str) else "softmax"
    model = K.Sequential([L.Dense(6, activation="relu", input_shape=(4,)),
                          L.BatchNormalization(), L.Dense(3, activation=act)])
    fill(model)
    model.compile(optimizer=opt(), loss=loss, metrics=[metric])
    hist = model.fit(xv, target, epochs=3, batch_size=8, verbose=0, shuffle=False)
    key = loss if isinstance(loss, str) else type(loss).__name__
    result[key] = {
        "history": hist.history,
        "evaluate": model.evaluate(xv, target, batch_size=7, verbose=0),
        "predict": model.predict(xv[:5]),
        "weights": model.get_weights(),
    }

# binary classification on a functional model, validation data
inp = K.Input(shape=(4,))
out = L.Dense(1, activation="sigmoid")(L.Dense(4, activation="tanh")(inp))
model = K.Model(inp, out)
fill(model)
model.compile(K.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
yb = (xv[:, 0] > 0).astype("float32")
hist = model.fit(xv[:16], yb[:16], epochs=2, batch_size=5, verbose=0, shuffle=False,
                 validation_data=(xv[16:], yb[16:]))
result["binary"] = {"history": hist.history, "predict": model.predict(xv[:3])}
result["train_on_batch"] = model.train_on_batch(xv[:4], yb[:4])

# a convolutional model: fused batch normalization differentiated through its cond
ximg = rng.standard_normal((12, 5, 5, 1)).astype("float32")
conv = K.Sequential([L.Conv2D(2, 3, activation="relu", input_shape=(5, 5, 1)),
                     L.BatchNormalization(), L.Flatten(), L.Dense(3, activation="softmax")])
fill(conv)
conv.compile(K.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
hist = conv.fit(ximg, yv[:12], epochs=2, batch_size=4, verbose=0, shuffle=False)
result["conv_bn"] = [hist.history, conv.get_weights()]

# callbacks: early stopping on a validation loss that rises, and a lambda callback
seen = []
model = K.Sequential([L.Dense(3, input_shape=(4,))])
fill(model)
model.compile(K.optimizers.SGD(0.5), "mse")
stop = K.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
log = K.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
hist = model.fit(xv[:10], yv[:10], epochs=20, batch_size=10, verbose=0, shuffle=False,
                 validation_data=(xv[10:], -yv[10:] * 5), callbacks=[stop, log])
result["early_stopping"] = [hist.history, hist.epoch, seen, stop.stopped_epoch, stop.best,
                            model.get_weights()]
"""

CHECKPOINT = """
K = tf.keras
L = tf.keras.layers
model = K.Sequential([L.Conv2D(3, 3, activation="relu", input_shape=(6, 6, 2)),
                      L.MaxPooling2D(), L.BatchNormalization(), L.Flatten(), L.Dense(2)])
x = np.linspace(-1, 1, 2 * 6 * 6 * 2).reshape(2, 6, 6, 2).astype("float32")
sess = K.backend.get_session()
saver = tf.train.Saver()
if MODE == "save":
    rng = np.random.RandomState(3)
    model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32")
                       for w in model.weights])
    saver.save(sess, PATH)
else:
    saver.restore(sess, PATH)
result = {"names": [w.name for w in model.weights], "predict": model.predict(x)}
"""


SAVE_WEIGHTS = """
import os
K = tf.keras
L = tf.keras.layers
inp = K.Input((4,))
h = L.Dense(3, activation="relu")(inp)
h = L.BatchNormalization()(h)
h = L.Dropout(0.2)(h)
out = L.Dense(2)(L.Concatenate()([h, inp]))
model = K.Model(inp, out)
seq = K.Sequential([L.LSTM(3, input_shape=(5, 2)), L.Dense(1)])
x = np.linspace(-1, 1, 12).reshape(3, 4).astype("float32")
xs = np.linspace(-1, 1, 30).reshape(3, 5, 2).astype("float32")
if MODE == "save":
    rng = np.random.RandomState(7)
    for m in (model, seq):
        m.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32")
                       for w in m.weights])
    model.compile("adam", "mse")
    model.fit(x, np.ones((3, 2), "float32"), verbose=0)
    model.save_weights(os.path.join(DIR, "functional", "ckpt"))
    seq.save_weights(os.path.join(DIR, "seq", "weights"))
else:
    model.load_weights(os.path.join(DIR, "functional", "ckpt"))
    seq.load_weights(os.path.join(DIR, "seq", "weights"))
result = {"functional": model.predict(x), "seq": seq.predict(xs),
          "files": sorted(os.listdir(os.path.join(DIR, "functional")))}
"""


MISC = """
K = tf.keras
L = tf.keras.layers
result = {}
x = tf.placeholder(tf.float32, [None, 4])
# tf.layers and keras layers share the name counters
a = tf.layers.dense(x, 2)
b = L.Dense(2)(x)
c = tf.layers.Dense(2)(x)
result["shared_names"] = [a.name, b.name, c.name]
frozen = L.Dense(3, trainable=False)
frozen(x)
result["frozen"] = [[w.name for w in frozen.trainable_weights],
                    [w.name for w in frozen.non_trainable_weights],
                    len(tf.trainable_variables())]
seq = K.Sequential([L.InputLayer(input_shape=(4,)), L.Dense(2)])
result["input_layer_seq"] = [seq.inputs[0].name, [la.name for la in seq.layers],
                             seq.outputs[0].name]
deferred = K.Sequential([L.Dense(2), L.Dense(1)])
deferred.compile("sgd", "mse")
h = deferred.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)
result["deferred"] = [deferred.inputs[0].name if deferred.inputs else None,
                      [w.name for w in deferred.weights], str(deferred.outputs[0].shape)]
ints = K.Input(shape=(3,), dtype="int32")
emb = L.Embedding(5, 2)
e = emb(ints)
result["embedding"] = [ints.name, str(ints.dtype), e.name, str(e.shape), str(e.dtype)]
with tf.variable_scope("outer"):
    d = L.Dense(1)
    out = d(x)
result["variable_scope"] = [w.name for w in d.weights] + [out.name]
m = K.Model(ints, L.Flatten()(e))
result["call_numpy"] = str(m(np.zeros((2, 3), "int32")).shape)


class Sub(K.Model):
    def __init__(self):
        super().__init__()
        self.d = L.Dense(2)
        self.bn = L.BatchNormalization(momentum=0.5)

    def call(self, inputs, training=None):
        return self.bn(self.d(inputs), training=training)


sub = Sub()
sub.compile("sgd", "mse")
sub.fit(np.ones((2, 3), "float32"), np.ones((2, 2), "float32"), verbose=0)
sub_sess = K.backend.get_session()
result["subclass_fit"] = [[w.name for w in sub.weights], [t.name for t in sub.inputs],
                          [t.name for t in sub.outputs], sub_sess.run(sub.bn.moving_variance)]
"""


@pytest.mark.tf
@requires_tf
def test_naming_details_match_tensorflow():
    """Counters shared with tf.layers, frozen layers, InputLayer in a Sequential, the
    placeholders fit makes for a model without inputs (deferred Sequential, subclassed
    model, whose batch normalization updates run), variable scopes, int inputs."""
    expected = theirs(MISC)
    tf.reset_default_graph()
    assert_same(ours(MISC), expected)


def test_fit_on_a_subclassed_model_runs_its_updates():
    out = ours(MISC)
    names, inputs, outputs, moving_variance = out["subclass_fit"]
    assert names == ["sub/dense_8/kernel:0", "sub/dense_8/bias:0"] + [
        f"sub/batch_normalization/{n}:0"
        for n in ("gamma", "beta", "moving_mean", "moving_variance")
    ]
    assert inputs[0].startswith("input_1")
    assert outputs[0].startswith("sub/")
    # the batch of two identical rows has variance 0: 1 -> 0.5 after one step
    np.testing.assert_allclose(moving_variance, [0.5, 0.5], rtol=1e-6)


MULTI = """
rng = np.random.RandomState(11)
K = tf.keras
L = tf.keras.layers
result = {}
inp = K.Input((4,), name="features")
aux = K.Input((2,), name="aux")
h = L.Dense(5, activation="relu", name="shared")(L.Concatenate()([inp, aux]))
cls = L.Dense(3, activation="softmax", name="cls")(h)
reg = L.Dense(1, name="reg")(h)
model = K.Model([inp, aux], [cls, reg])
model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32") * 0.5
                   for w in model.weights])
model.compile(K.optimizers.SGD(0.1), loss={"cls": "sparse_categorical_crossentropy",
                                           "reg": "mse"},
              loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["acc"], "reg": ["mae"]})
xa = rng.standard_normal((10, 4)).astype("float32")
xb = rng.standard_normal((10, 2)).astype("float32")
ycls = rng.randint(0, 3, 10)
yreg = rng.standard_normal(10).astype("float32")
hist = model.fit([xa, xb], {"cls": ycls, "reg": yreg}, epochs=2, batch_size=4, verbose=0,
                 shuffle=False, validation_split=0.2)
result["history"] = hist.history
result["metrics_names"] = model.metrics_names
result["evaluate"] = model.evaluate([xa, xb], [ycls, yreg], batch_size=3, verbose=0)
result["predict"] = model.predict([xa[:2], xb[:2]])
result["weights"] = model.get_weights()
m2 = K.Model([inp, aux], [cls, reg])
m2.compile("sgd", ["sparse_categorical_crossentropy", "mae"], metrics=["accuracy"])
result["list_losses"] = [m2.metrics_names, m2.train_on_batch([xa, xb], [ycls, yreg])]
"""


@pytest.mark.tf
@requires_tf
def test_several_outputs_match_tensorflow():
    """Losses and metrics by output name, loss weights, per-output history keys, the
    per-output losses averaged over batches (evaluate with uneven batches)."""
    expected = theirs(MULTI)
    tf.reset_default_graph()
    assert_same(ours(MULTI), expected)


def test_several_outputs_names():
    out = ours(MULTI)
    assert out["metrics_names"] == [
        "loss",
        "cls_loss",
        "reg_loss",
        "cls_acc",
        "reg_mean_absolute_error",
    ]
    assert sorted(out["history"]) == sorted(
        out["metrics_names"] + ["val_" + n for n in out["metrics_names"]]
    )


OPTIMIZER_CHECKPOINT = """
K = tf.keras
L = tf.keras.layers
model = K.Sequential([L.Dense(3, activation="relu", input_shape=(4,)),
                      L.BatchNormalization(), L.Dense(1)])
model.compile(K.optimizers.Adam(0.05, decay=0.01), "mse")
x = np.linspace(-1, 1, 32).reshape(8, 4).astype("float32")
y = np.linspace(0, 1, 8).reshape(8, 1).astype("float32")
sess = K.backend.get_session()
saver = None
if MODE == "save":
    rng = np.random.RandomState(16)
    model.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32")
                       for w in model.weights])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    tf.train.Saver().save(K.backend.get_session(), PATH)
else:
    model.fit(x * 0, y, epochs=1, verbose=0)  # (makes the optimizer's variables)
    tf.train.Saver().restore(K.backend.get_session(), PATH)
sess = K.backend.get_session()
names = sorted(v.name for v in tf.global_variables())
values = dict(zip([v.name for v in tf.global_variables()], sess.run(tf.global_variables())))
result = {"names": names, "values": {k: values[k] for k in names},
          "predict": model.predict(x)}
"""


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("writer", ["tfgraph", "tensorflow"])
def test_saver_checkpoints_with_optimizer_state_interchange(tmp_path, writer):
    """After fit, tf.train.Saver checkpoints hold the optimizer's variables under Keras
    2's legacy names (training/Adam/iter, training/Adam/dense/kernel/m, ...)."""
    path = str(tmp_path / "ckpt")
    save = f"MODE = 'save'\nPATH = {path!r}\n" + OPTIMIZER_CHECKPOINT
    load = f"MODE = 'load'\nPATH = {path!r}\n" + OPTIMIZER_CHECKPOINT
    if writer == "tfgraph":
        written, read = ours(save), theirs(load)
    else:
        written = theirs(save)
        read = ours(load)
    assert "training/Adam/dense/kernel/m:0" in written["names"]
    assert_same(read, written)


def _save_weights_program(mode: str, directory) -> str:
    return f"MODE = {mode!r}\nDIR = {str(directory)!r}\n" + SAVE_WEIGHTS


def test_save_weights_round_trip(tmp_path):
    saved = ours(_save_weights_program("save", tmp_path))
    assert saved["files"] == ["checkpoint", "ckpt.data-00000-of-00001", "ckpt.index"]
    tf.reset_default_graph()
    K.backend.clear_session()
    assert_same(ours(_save_weights_program("load", tmp_path)), saved)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("writer", ["tfgraph", "tensorflow"])
def test_save_weights_interchange_with_tensorflow(tmp_path, writer):
    """Object-based checkpoints (layer_with_weights-0/kernel/.ATTRIBUTES/...), a
    functional model with batch normalization and a Sequential LSTM."""
    if writer == "tfgraph":
        written = ours(_save_weights_program("save", tmp_path))
        read = theirs(_save_weights_program("load", tmp_path))
    else:
        written = theirs(_save_weights_program("save", tmp_path))
        read = ours(_save_weights_program("load", tmp_path))
    assert_same(read, written)


def test_sequential_names_and_weights():
    out = ours(MODELS)
    seq = out["seq"]
    assert seq["name"] == "sequential"
    assert seq["out_name"] == "sequential/dense_1/Softmax:0"
    assert seq["weights"] == [
        "dense/kernel:0",
        "dense/bias:0",
        "batch_normalization/gamma:0",
        "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0",
        "dense_1/kernel:0",
        "dense_1/bias:0",
    ]
    assert seq["non_trainable"] == seq["weights"][4:6]
    assert seq["inputs"] == ["dense_input:0"]
    assert seq["count_params"] == 4 * 8 + 8 + 4 * 8 + 8 * 3 + 3
    assert out["seq2"][2] == [
        "sequential_1/dense_2/kernel:0",
        "sequential_1/dense_2/bias:0",
        "sequential_1/dense_3/kernel:0",
        "sequential_1/dense_3/bias:0",
    ]
    func = out["func"]
    assert func["input"] == "input_1:0"
    assert func["layers"][:2] == ["input_1", "hidden"]
    np.testing.assert_allclose(func["value"], func["value_called"], rtol=1e-6)
    assert func["call_out"].startswith("model/")


@pytest.mark.tf
@requires_tf
def test_models_match_tensorflow():
    expected = theirs(MODELS)
    tf.reset_default_graph()
    assert_same(ours(MODELS), expected)


@pytest.mark.tf
@requires_tf
def test_fit_evaluate_predict_match_tensorflow():
    expected = theirs(FIT)
    tf.reset_default_graph()
    assert_same(ours(FIT), expected, rtol=2e-5)


def test_early_stopping_stops():
    out = ours(FIT)
    history, epochs, seen, stopped = out["early_stopping"][:4]
    assert epochs == seen and len(epochs) < 20
    assert stopped == epochs[-1]
    assert len(history["val_loss"]) == len(epochs)


def test_fit_reduces_the_loss():
    out = ours(FIT)
    for key in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        loss = out[key]["history"]["loss"]
        assert len(loss) == 3 and loss[2] < loss[0]
    assert sorted(out["binary"]["history"]) == ["acc", "loss", "val_acc", "val_loss"]


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("writer", ["tfgraph", "tensorflow"])
def test_checkpoints_interchange_with_tensorflow(tmp_path, writer):
    path = str(tmp_path / "model.ckpt")
    save = f"MODE = 'save'\nPATH = {path!r}\n" + CHECKPOINT
    restore = f"MODE = 'restore'\nPATH = {path!r}\n" + CHECKPOINT
    if writer == "tfgraph":
        written, read = ours(save), theirs(restore)
    else:
        written = theirs(save)
        read = ours(restore)
    assert written["names"][:2] == ["conv2d/kernel:0", "conv2d/bias:0"]
    assert_same(read, written)


def test_get_weights_initializes_in_the_keras_session():
    d = L.Dense(2, kernel_initializer="ones", bias_initializer=K.initializers.Constant(0.5))
    d(tf.placeholder(tf.float32, [None, 3]))
    kernel, bias = d.get_weights()
    np.testing.assert_array_equal(kernel, np.ones((3, 2)))
    np.testing.assert_array_equal(bias, [0.5, 0.5])


def test_get_weights_uses_the_default_session():
    d = L.Dense(1, kernel_initializer="zeros")
    d(tf.placeholder(tf.float32, [None, 1]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(d.kernel.assign([[3.0]]))
        assert K.backend.get_session() is sess
        assert d.get_weights()[0][0, 0] == 3.0
    # As in Keras 2, a variable is initialized once per graph: the new Keras session
    # does not initialize it again.
    assert K.backend.get_session() is not sess
    with pytest.raises(tf.errors.FailedPreconditionError):
        d.get_weights()


def test_clear_session_resets_names():
    L.Dense(1)
    K.backend.clear_session()
    assert L.Dense(1).name == "dense"


def test_functional_model_errors():
    inp = K.Input(shape=(3,))
    other = K.Input(shape=(3,))
    out = L.Dense(1)(L.Add()([inp, other]))
    with pytest.raises(ValueError, match="Graph disconnected"):
        K.Model(inp, out)
    with pytest.raises(ValueError, match="must come from `tf.keras.Input`"):
        K.Model(tf.placeholder(tf.float32, [None, 3]), out)
    model = K.Model([inp, other], out)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(tf.placeholder(tf.float32, [None, 3]))


def test_fit_needs_compile_and_matching_samples():
    model = K.Sequential([L.Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="You must compile your model before training"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)
    model.compile("sgd", "mse")
    with pytest.raises(NotImplementedError, match="no .keras"):
        model.save_weights("weights.keras")
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.zeros((4, 2)), np.zeros(3), verbose=0)
    with pytest.raises(ValueError, match="expected dense_input to have shape"):
        model.fit(np.zeros((4, 3)), np.zeros(4), verbose=0)


def test_sequential_duplicate_names():
    with pytest.raises(ValueError, match="should have unique names"):
        K.Sequential([L.Dense(1, name="a"), L.Dense(1, name="a")])


def test_summary_lists_layers():
    model = K.Sequential([L.Dense(3, input_shape=(2,)), L.Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "sequential"'
    assert any(line.startswith("dense (Dense)") and line.endswith("9") for line in lines)
    assert "Total params: 13 (52.00 Byte)" in lines


PREMADE_NAMES = """
M = tf.keras.models
result = {"same": [M.LinearModel is tf.keras.experimental.LinearModel,
                   M.WideDeepModel is tf.keras.experimental.WideDeepModel]}
x = np.array([[1.0, 2.0], [3.0, -1.0]], dtype="float32")
linear = M.LinearModel(units=1, kernel_initializer="ones", bias_initializer="ones")
dnn = M.Sequential([tf.keras.layers.Dense(1, kernel_initializer="ones")])
wide = M.WideDeepModel(linear, dnn, activation="sigmoid")
out = wide(tf.constant(x))
sess = tf.keras.backend.get_session()
sess.run(tf.global_variables_initializer())
result["wide_deep"] = sess.run(out)
result["linear_config"] = linear.get_config()["units"]
try:
    M.model_from_yaml("a: 1")
except RuntimeError as e:
    result["yaml"] = str(e)
"""


@pytest.mark.tf
@requires_tf
def test_models_namespace_premade_and_yaml_match_tf_keras():
    """`tf.keras.models.LinearModel`/`WideDeepModel` are the premade models; YAML
    loading was removed (a RuntimeError naming the JSON alternative)."""
    assert_same(ours(PREMADE_NAMES), theirs(PREMADE_NAMES))
