"""Handwritten digits with tf.keras in TF1 graph mode (runs unchanged on tfgraph).

    python examples/keras_digits.py            # a few seconds, ~97% test accuracy

Data: scikit-learn's bundled `load_digits` (1797 8x8 images, no download; install the
`examples` extra). A small convolutional `tf.keras.Sequential` (Conv2D, pooling, batch
normalization, dropout) is compiled with Adam and the sparse categorical cross-entropy,
trained by `model.fit` with early stopping on a validation split, evaluated, and its
weights saved with `save_weights` (a TensorFlow checkpoint real TF's `load_weights`
reads) and loaded back into a fresh model.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import tfgraph as tf  # on real TF: import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()


def load_data(test_fraction: float = 0.2, seed: int = 0):
    """(x_train, y_train, x_test, y_test): 8x8x1 images scaled to [0, 1], a shuffled split."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]
    y = digits.target.astype(np.int64)
    order = np.random.RandomState(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def build_model(filters: int = 16, hidden: int = 64):
    layers = tf.keras.layers
    return tf.keras.Sequential(
        [
            layers.Conv2D(filters, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
            layers.MaxPooling2D(),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ]
    )


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=0.01)
    args = parser.parse_args(argv)

    np.random.seed(0)  # fit shuffles with numpy
    tf.set_random_seed(0)
    x_train, y_train, x_test, y_test = load_data()
    model = build_model()
    model.compile(
        optimizer=tf.keras.optimizers.Adam(args.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    stop = tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    history = model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=0.1,
        callbacks=[stop],
        verbose=0,
    )
    for epoch, (loss, acc) in enumerate(zip(history.history["loss"], history.history["acc"])):
        print(f"epoch {epoch + 1}: loss {loss:.4f}, accuracy {acc:.3f}")
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "digits")
    model.save_weights(path)
    fresh = build_model()
    fresh.load_weights(path)
    same = np.allclose(fresh.predict(x_test), model.predict(x_test), atol=1e-6)
    print(f"weights saved to {path} and reloaded: {'same' if same else 'different'} predictions")
    return float(accuracy)


if __name__ == "__main__":
    main()
