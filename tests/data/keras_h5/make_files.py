"""Writes the Keras 2 HDF5 files tests/keras/saving/test_hdf5_format.py reads, with
TF 2.21's tf_keras in graph mode, and expected.json: the inputs, each loaded model's
predictions, and its loss and predictions after one more training batch (which use the
saved optimizer state).

    TF_USE_LEGACY_KERAS=1 .venv-tf/bin/python tests/data/keras_h5/make_files.py
"""

import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
import tf_keras as keras  # noqa: E402

L = keras.layers
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(0)
tf.set_random_seed(0)


def sequential():
    model = keras.Sequential(
        [
            L.Embedding(10, 4, input_length=5, input_shape=(5,)),
            L.LSTM(3, return_sequences=True),
            L.Flatten(),
            L.Dense(6, activation="relu"),
            L.BatchNormalization(),
            L.Dense(2),
        ]
    )
    model.compile(keras.optimizers.legacy.Adam(0.01), loss="mse", metrics=["mae"])
    x = rng.randint(0, 10, size=(8, 5)).astype("float32")
    y = rng.rand(8, 2).astype("float32")
    return model, [x], y


def functional():
    image = keras.Input((6, 6, 2), name="image")
    extra = keras.Input((3,), name="extra")
    h = L.Conv2D(3, 3, activation="relu", name="conv")(image)
    h = L.BatchNormalization(name="bn")(h)
    h = L.Flatten()(h)
    h = L.Concatenate()([h, extra])
    out = L.Dense(2, activation="softmax", name="out")(h)
    model = keras.Model([image, extra], out)
    sgd = keras.optimizers.legacy.SGD(0.05, momentum=0.9)
    model.compile(sgd, loss="categorical_crossentropy", metrics=["accuracy"])
    xs = [rng.rand(8, 6, 6, 2).astype("float32"), rng.rand(8, 3).astype("float32")]
    y = np.eye(2, dtype="float32")[rng.randint(0, 2, 8)]
    return model, xs, y


def rmsprop():
    """RMSprop (centered, with momentum), a loss object and a metric object."""
    model = keras.Sequential([L.Dense(4, activation="relu", input_shape=(3,)), L.Dense(2)])
    opt = keras.optimizers.legacy.RMSprop(0.01, momentum=0.5, centered=True)
    loss = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    model.compile(opt, loss, metrics=[keras.metrics.MeanAbsoluteError()])
    x = rng.rand(6, 3).astype("float32")
    return model, [x], (rng.rand(6, 2) > 0.5).astype("float32")


def adagrad():
    model = keras.Sequential([L.Dense(4, activation="relu", input_shape=(3,)), L.Dense(2)])
    model.compile(keras.optimizers.legacy.Adagrad(0.1), "mse", metrics=["binary_accuracy"])
    x = rng.rand(6, 3).astype("float32")
    return model, [x], (rng.rand(6, 2) > 0.5).astype("float32")


def multi():
    """Two outputs: losses, loss weights and metrics by output name."""
    inp = keras.Input((3,))
    h = L.Dense(4, activation="relu")(inp)
    model = keras.Model(
        inp, [L.Dense(2, activation="softmax", name="cls")(h), L.Dense(1, name="reg")(h)]
    )
    model.compile(
        keras.optimizers.legacy.Adam(0.01),
        loss={"cls": "categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 1.0, "reg": 0.5},
        metrics={"cls": ["accuracy"]},
    )
    x = rng.rand(6, 3).astype("float32")
    ys = [np.eye(2, dtype="float32")[rng.randint(0, 2, 6)], rng.rand(6, 1).astype("float32")]
    return model, [x], ys


def nested():
    """A Sequential inside a functional model, and a layer shared by two inputs."""
    inner = keras.Sequential([L.Dense(4, activation="tanh", input_shape=(3,)), L.Dense(2)])
    a, b = keras.Input((3,)), keras.Input((3,))
    shared = L.Dense(3, name="shared")
    model = keras.Model([a, b], L.Add()([inner(shared(a)), inner(shared(b))]))
    return model, [rng.rand(2, 3).astype("float32"), rng.rand(2, 3).astype("float32")]


def wrappers():
    """Bidirectional GRU, TimeDistributed, Conv1D and 1-D pooling."""
    seq = keras.Input((4, 3))
    h = L.Bidirectional(L.GRU(2, return_sequences=True))(seq)
    h = L.TimeDistributed(L.Dense(2))(h)
    h = L.GlobalAveragePooling1D()(L.Conv1D(2, 2)(h))
    return keras.Model(seq, h), [rng.rand(2, 4, 3).astype("float32")]


def _plain(value):
    return [v.tolist() for v in value] if isinstance(value, list) else value.tolist()


def main():
    expected = {}
    trained = [("sequential", sequential), ("functional", functional), ("rmsprop", rmsprop)]
    for name, make in [*trained, ("adagrad", adagrad), ("multi", multi)]:
        model, xs, y = make()
        model.fit(xs, y, epochs=2, batch_size=4, verbose=0)
        path = os.path.join(HERE, f"{name}.h5")
        model.save(path)
        if name in ("sequential", "functional"):
            model.save_weights(os.path.join(HERE, f"{name}_weights.h5"))
        loaded = keras.models.load_model(path)
        before = loaded.predict(xs)
        loss = loaded.train_on_batch(xs, y)
        expected[name] = {
            "x": [x.tolist() for x in xs],
            "y": [v.tolist() for v in y] if isinstance(y, list) else y.tolist(),
            "predictions": [p.tolist() for p in before]
            if isinstance(before, list)
            else before.tolist(),
            "loss_after": np.asarray(loss).tolist(),
            "predictions_after": _plain(loaded.predict(xs)),
        }
    model = keras.Sequential([L.Dense(2, input_shape=(3,)), L.Lambda(lambda t: t * 2.0 + 1.0)])
    model.save(os.path.join(HERE, "lambda.h5"))
    x = rng.rand(2, 3).astype("float32")
    expected["lambda"] = {"x": [x.tolist()], "predictions": model.predict(x).tolist()}
    for name, make in [("nested", nested), ("wrappers", wrappers)]:
        model, xs = make()
        model.save(os.path.join(HERE, f"{name}.h5"))
        expected[name] = {"x": [x.tolist() for x in xs], "predictions": model.predict(xs).tolist()}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
