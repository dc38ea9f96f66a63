"""Writes the .keras files (Keras's TF2 zip format, which tf_keras writes only eagerly)
that tests/keras/saving/test_keras_zip.py reads, and expected_keras.json (inputs and
predictions).

    TF_USE_LEGACY_KERAS=1 .venv-tf/bin/python tests/data/keras_h5/make_keras_zip.py
"""

import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras

L = keras.layers
HERE = os.path.dirname(os.path.abspath(__file__))


def functional():
    inp = keras.Input((5,))
    h = L.LSTM(4)(L.Embedding(7, 3)(inp))
    h = L.BatchNormalization()(L.Dense(3, activation="relu")(h))
    model = keras.Model(inp, L.Dense(2)(h))
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    return model, np.random.RandomState(0).randint(0, 7, (4, 5)).astype("float32")


def sequential():
    model = keras.Sequential(
        [keras.Input((6, 6, 2)), L.Conv2D(3, 3, activation="relu"), L.MaxPooling2D(),
         L.Flatten(), L.Dense(2, activation="softmax")]
    )  # fmt: skip
    return model, np.random.RandomState(1).rand(3, 6, 6, 2).astype("float32")


def main():
    tf.random.set_seed(0)
    expected = {}
    for name, make in [("functional", functional), ("sequential", sequential)]:
        model, x = make()
        if model.optimizer is not None:
            model.fit(x, np.ones((len(x), 2), "float32"), epochs=2, verbose=0)
        model.save(os.path.join(HERE, f"{name}.keras"))
        expected[name] = {"x": x.tolist(), "predictions": model.predict(x, verbose=0).tolist()}
    with open(os.path.join(HERE, "expected_keras.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
